package io.larder.store;

/**
 * Unsigned LEB128 lengths (7 bits per byte, low bits first): the field
 * length that starts a hash's pair entry in {@link ElementTable} and a
 * member's length in a packed sorted set. Always
 * written canonically, so the size of a prefix follows from its value.
 */
public final class Varint {
    private Varint() {}

    public static int size(int v) {
        if (v < 0x80) return 1;
        if (v < 0x4000) return 2;
        if (v < 0x200000) return 3;
        if (v < 0x10000000) return 4;
        return 5;
    }

    /** Writes v at p; returns the position after it. */
    public static int write(byte[] b, int p, int v) {
        while (v >= 0x80 || v < 0) {
            b[p++] = (byte) (v | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        return p;
    }

    public static int read(byte[] b, int p) {
        int c = b[p];
        if (c >= 0) return c;
        int v = c & 0x7F, shift = 7;
        while (true) {
            c = b[++p];
            v |= (c & 0x7F) << shift;
            if (c >= 0) return v;
            shift += 7;
        }
    }
}
