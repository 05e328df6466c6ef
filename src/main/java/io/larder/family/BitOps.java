package io.larder.family;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Bit-level operations on byte ranges with Redis's bit order: bit 0 is the
 * most significant bit of the first byte (bitops.c). Pure functions, no
 * keyspace; {@link BitmapCommands} applies them to string values.
 */
final class BitOps {
    private BitOps() {}

    private static final VarHandle LONG_BE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /** Redis's redisPopcount: set bits in {@code a[off, off+len)}. */
    static long popcount(byte[] a, int off, int len) {
        long bits = 0;
        int p = off, end = off + len;
        for (; p + 8 <= end; p += 8) bits += Long.bitCount((long) LONG_BE.get(a, p));
        for (; p < end; p++) bits += Integer.bitCount(a[p] & 0xFF);
        return bits;
    }

    /**
     * Redis's redisBitpos: the position of the first bit equal to
     * {@code bit} in {@code a[off, off+count)}, counted from bit 0 of
     * {@code a[off]}. Looking for 0 in all-ones bytes gives {@code count*8}
     * (the string is taken as zero-padded on the right); looking for 1 in
     * all-zero bytes gives -1.
     */
    static long bitpos(byte[] a, int off, int count, int bit) {
        long skip = bit == 1 ? 0 : -1L;
        int p = off, end = off + count;
        while (p + 8 <= end && (long) LONG_BE.get(a, p) == skip) p += 8;
        int skipByte = (int) skip & 0xFF;
        while (p < end && (a[p] & 0xFF) == skipByte) p++;
        long pos = (long) (p - off) << 3;
        if (p == end) return bit == 1 ? -1 : pos;
        int b = a[p] & 0xFF;
        if (bit == 0) b = ~b & 0xFF;
        return pos + Integer.numberOfLeadingZeros(b) - 24;
    }

    /** {@link #bitpos} of a single byte: 0..7, else 8 when looking for 0, -1 when looking for 1. */
    static long bitposByte(int b, int bit) {
        b &= 0xFF;
        if (bit == 0) b = ~b & 0xFF;
        return b == 0 ? (bit == 1 ? -1 : 8) : Integer.numberOfLeadingZeros(b) - 24;
    }

    static final int AND = 0, OR = 1, XOR = 2;

    /** res[j] op= s[off+j] for j < len ({@link #AND}, {@link #OR} or {@link #XOR}), a word at a time. */
    static void combine(int op, byte[] res, byte[] s, int off, int len) {
        int j = 0;
        for (; j + 8 <= len; j += 8) {
            long r = (long) LONG_BE.get(res, j), x = (long) LONG_BE.get(s, off + j);
            LONG_BE.set(res, j, op == AND ? r & x : op == OR ? r | x : r ^ x);
        }
        for (; j < len; j++) {
            int r = res[j], x = s[off + j];
            res[j] = (byte) (op == AND ? r & x : op == OR ? r | x : r ^ x);
        }
    }

    /** Inverts every byte. */
    static void not(byte[] res) {
        int j = 0;
        for (; j + 8 <= res.length; j += 8) LONG_BE.set(res, j, ~(long) LONG_BE.get(res, j));
        for (; j < res.length; j++) res[j] = (byte) ~res[j];
    }

    /** Bit {@code offset} of a range of {@code len} bytes; bits past the end are 0. */
    static int getBit(byte[] a, int off, int len, long offset) {
        long byteIndex = offset >>> 3;
        if (byteIndex >= len) return 0;
        return (a[off + (int) byteIndex] >> (7 - (int) (offset & 7))) & 1;
    }

    /**
     * Redis's getUnsignedBitfield on a range of {@code len} bytes, bits past
     * the end reading as 0 (Redis copies the bytes into a zero-padded buffer
     * first).
     */
    static long getUnsigned(byte[] a, int off, int len, long offset, int bits) {
        long value = 0;
        for (int j = 0; j < bits; j++) {
            value = (value << 1) | getBit(a, off, len, offset + j);
        }
        return value;
    }

    /** Redis's getSignedBitfield: two's complement, sign-extended from {@code bits}. */
    static long getSigned(byte[] a, int off, int len, long offset, int bits) {
        long value = getUnsigned(a, off, len, offset, bits);
        if (bits < 64 && (value & (1L << (bits - 1))) != 0) value |= -1L << bits;
        return value;
    }

    /** Redis's setUnsignedBitfield: the low {@code bits} bits of value, most significant first. */
    static void set(byte[] a, long offset, int bits, long value) {
        for (int j = 0; j < bits; j++) {
            int bitval = (int) (value >>> (bits - 1 - j)) & 1;
            int byteIndex = (int) (offset >>> 3);
            int bit = 7 - (int) (offset & 7);
            a[byteIndex] = (byte) ((a[byteIndex] & ~(1 << bit)) | (bitval << bit));
            offset++;
        }
    }

    static final int OVERFLOW_WRAP = 0, OVERFLOW_SAT = 1, OVERFLOW_FAIL = 2;

    /**
     * Redis's checkUnsignedBitfieldOverflow: 0 when {@code value + incr}
     * fits in an unsigned {@code bits}-bit integer, 1 on overflow, -1 on
     * underflow. On overflow {@code limit[0]} receives the WRAP or SAT result.
     * {@code value} is unsigned (a SET of a negative number is a huge value).
     */
    static int checkUnsignedOverflow(long value, long incr, int bits, int owtype, long[] limit) {
        long max = (1L << bits) - 1; // bits <= 63: u64 is rejected at parse time
        long maxincr = max - value;
        long minincr = -value;
        if (Long.compareUnsigned(value, max) > 0 || (incr > 0 && incr > maxincr)) {
            if (owtype == OVERFLOW_WRAP) limit[0] = (value + incr) & max;
            else if (owtype == OVERFLOW_SAT) limit[0] = max;
            return 1;
        } else if (incr < 0 && incr < minincr) {
            if (owtype == OVERFLOW_WRAP) limit[0] = (value + incr) & max;
            else if (owtype == OVERFLOW_SAT) limit[0] = 0;
            return -1;
        }
        return 0;
    }

    /**
     * Redis's checkSignedBitfieldOverflow, with its exact conditions
     * (including how it treats i64, where the intermediate differences
     * wrap).
     */
    static int checkSignedOverflow(long value, long incr, int bits, int owtype, long[] limit) {
        long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
        long min = -max - 1;
        long maxincr = max - value;
        long minincr = min - value;
        if (value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr)) {
            if (owtype == OVERFLOW_WRAP) limit[0] = wrapSigned(value, incr, bits);
            else if (owtype == OVERFLOW_SAT) limit[0] = max;
            return 1;
        } else if (value < min || (bits != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr)) {
            if (owtype == OVERFLOW_WRAP) limit[0] = wrapSigned(value, incr, bits);
            else if (owtype == OVERFLOW_SAT) limit[0] = min;
            return -1;
        }
        return 0;
    }

    private static long wrapSigned(long value, long incr, int bits) {
        long c = value + incr;
        if (bits < 64) {
            long mask = -1L << bits;
            if ((c & (1L << (bits - 1))) != 0) c |= mask;
            else c &= ~mask;
        }
        return c;
    }
}
