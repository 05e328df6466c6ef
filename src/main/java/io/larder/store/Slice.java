package io.larder.store;

/**
 * A view of bytes inside some array, filled in by collection lookups so a
 * caller can read a value (a hash field's value, a set member) without a
 * copy. Valid until the collection is next modified.
 */
public final class Slice {
    public byte[] array;
    public int offset;
    public int length;

    void set(byte[] a, int off, int len) {
        array = a;
        offset = off;
        length = len;
    }

    public byte[] copy() {
        return java.util.Arrays.copyOfRange(array, offset, offset + length);
    }
}
