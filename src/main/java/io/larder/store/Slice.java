package io.larder.store;

/**
 * A view of bytes inside some array, filled in by collection lookups so a
 * caller can read a value (a hash field's value, a set member) without a
 * copy; a value stored as an integer is formatted into the slice's own
 * buffer. Valid until the collection is next modified or the slice reused.
 */
public final class Slice {
    public byte[] array;
    public int offset;
    public int length;
    /** Room for an integer's digits, for values stored as integers. */
    private final byte[] digits = new byte[20];

    void set(byte[] a, int off, int len) {
        array = a;
        offset = off;
        length = len;
    }

    /** Points at the decimal digits of v, held in this slice. */
    void setLong(long v) {
        length = io.larder.util.Numbers.longToAscii(v, digits, 0);
        array = digits;
        offset = 0;
    }

    public byte[] copy() {
        return java.util.Arrays.copyOfRange(array, offset, offset + length);
    }
}
