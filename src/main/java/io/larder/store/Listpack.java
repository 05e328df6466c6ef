package io.larder.store;

import java.util.Arrays;

/**
 * A sequence of byte strings packed into one array, each a {@link Varint}
 * length followed by its bytes: Larder's counterpart of Redis's listpack
 * (the role, not the binary format), used for small hashes. One array per
 * collection keeps small collections at Redis's memory cost; lookups are
 * linear scans, exactly as Redis's are on its listpack encodings, which is
 * why collections leave this encoding past a configured size.
 *
 * <p>Elements are addressed by their byte position; positions stay valid
 * until the next modification.
 */
public final class Listpack {
    private static final byte[] EMPTY = new byte[0];

    private byte[] data = EMPTY;
    private int used;
    private int count;

    public Listpack() {}

    private Listpack(byte[] data, int used, int count) {
        this.data = data;
        this.used = used;
        this.count = count;
    }

    /** Number of elements. */
    public int count() {
        return count;
    }

    /** The array positions and offsets refer to. */
    public byte[] array() {
        return data;
    }

    /** Position of the first element, or -1 when empty. */
    public int first() {
        return used == 0 ? -1 : 0;
    }

    /** Position of the element after the one at pos, or -1 at the end. */
    public int next(int pos) {
        int len = Varint.read(data, pos);
        int n = pos + Varint.size(len) + len;
        return n >= used ? -1 : n;
    }

    /** Byte length of the element at pos. */
    public int length(int pos) {
        return Varint.read(data, pos);
    }

    /** Offset in {@link #array()} of the bytes of the element at pos. */
    public int offset(int pos) {
        return pos + Varint.size(Varint.read(data, pos));
    }

    /** Position of the element with this index (a linear walk). */
    public int seek(int index) {
        int p = 0;
        for (int i = 0; i < index; i++) {
            int len = Varint.read(data, p);
            p += Varint.size(len) + len;
        }
        return p;
    }

    /**
     * Position of the first element at an even index (a hash field, when
     * elements alternate field and value) equal to the given bytes, or -1.
     */
    public int findField(byte[] k, int off, int len) {
        byte[] d = data;
        int p = 0, end = used;
        while (p < end) {
            int l = Varint.read(d, p);
            int o = p + Varint.size(l);
            if (l == len && Arrays.equals(d, o, o + l, k, off, off + len)) return p;
            p = o + l;
            int vl = Varint.read(d, p);
            p += Varint.size(vl) + vl;
        }
        return -1;
    }

    /** Appends one element. */
    public void append(byte[] b, int off, int len) {
        int need = Varint.size(len) + len;
        ensure(used + need);
        int p = Varint.write(data, used, len);
        System.arraycopy(b, off, data, p, len);
        used = p + len;
        count++;
    }

    /** Replaces the element at pos with other bytes. */
    public void replace(int pos, byte[] b, int off, int len) {
        int oldLen = Varint.read(data, pos);
        int oldSize = Varint.size(oldLen) + oldLen;
        int newSize = Varint.size(len) + len;
        int tail = pos + oldSize;
        if (newSize != oldSize) {
            ensure(used - oldSize + newSize);
            System.arraycopy(data, tail, data, pos + newSize, used - tail);
            used += newSize - oldSize;
        }
        int p = Varint.write(data, pos, len);
        System.arraycopy(b, off, data, p, len);
        if (newSize < oldSize) trim();
    }

    /** Removes n consecutive elements starting at pos. */
    public void delete(int pos, int n) {
        int end = pos;
        for (int i = 0; i < n; i++) {
            int len = Varint.read(data, end);
            end += Varint.size(len) + len;
        }
        System.arraycopy(data, end, data, pos, used - end);
        used -= end - pos;
        count -= n;
        trim();
    }

    // Spare room is at most an eighth: appends stay amortised O(1) copies of
    // the array while the memory cost stays close to an exactly sized one.
    private void ensure(int need) {
        if (need <= data.length) return;
        int cap = Math.max(need, data.length + (data.length >>> 3) + 8);
        data = Arrays.copyOf(data, cap);
    }

    private void trim() {
        if (used == 0) {
            data = EMPTY;
        } else if (used < data.length - (data.length >>> 2)) {
            data = Arrays.copyOf(data, used + (used >>> 3));
        }
    }

    /** Heap bytes: this object and its array. */
    public long memory() {
        return 24 + StoredValue.arrayBytes(data.length);
    }

    public Listpack copy() {
        return new Listpack(Arrays.copyOf(data, used), used, count);
    }
}
