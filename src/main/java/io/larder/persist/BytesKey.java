package io.larder.persist;

import io.larder.store.Listpack;
import java.util.Arrays;

/** Bytes as a set key, for the loaders' duplicate checks (fields, members). */
record BytesKey(byte[] b) {
    /** A listpack entry's bytes: the encoding is a bijection, so equal bytes mean equal strings. */
    static BytesKey ofEntry(byte[] a, int p) {
        return new BytesKey(Arrays.copyOfRange(a, p, p + Listpack.entrySize(a, p)));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BytesKey k && Arrays.equals(b, k.b);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(b);
    }
}
