package io.larder.store;

/**
 * A stream entry ID: two unsigned 64-bit numbers, milliseconds and sequence.
 * Java has no unsigned long, so comparisons use {@link Long#compareUnsigned}
 * and formatting {@link Long#toUnsignedString}; "18446744073709551615-0" is
 * a valid ID.
 */
public record StreamId(long ms, long seq) implements Comparable<StreamId> {
    public static final StreamId MIN = new StreamId(0, 0);
    /** UINT64_MAX-UINT64_MAX: "+" in ranges, the "last possible ID". */
    public static final StreamId MAX = new StreamId(-1, -1);

    /** Redis's streamCompareID on two IDs given as parts. */
    public static int compare(long ms1, long seq1, long ms2, long seq2) {
        int c = Long.compareUnsigned(ms1, ms2);
        return c != 0 ? c : Long.compareUnsigned(seq1, seq2);
    }

    @Override
    public int compareTo(StreamId o) {
        return compare(ms, seq, o.ms, o.seq);
    }

    public int compareTo(long oms, long oseq) {
        return compare(ms, seq, oms, oseq);
    }

    public boolean isZero() {
        return ms == 0 && seq == 0;
    }

    public boolean isMax() {
        return ms == -1 && seq == -1;
    }

    /** The next ID (streamIncrID), or null when this is the last possible one. */
    public StreamId next() {
        if (seq == -1) return ms == -1 ? null : new StreamId(ms + 1, 0);
        return new StreamId(ms, seq + 1);
    }

    /** The previous ID (streamDecrID), or null when this is 0-0. */
    public StreamId prev() {
        if (seq == 0) return ms == 0 ? null : new StreamId(ms - 1, -1);
        return new StreamId(ms, seq - 1);
    }

    /** Writes "ms-seq" into dst at 0 (dst needs 41 bytes); returns the length. */
    public static int format(long ms, long seq, byte[] dst) {
        int n = unsigned(ms, dst, 0);
        dst[n++] = '-';
        return n + unsigned(seq, dst, n);
    }

    private static int unsigned(long v, byte[] dst, int pos) {
        if (v >= 0) return io.larder.util.Numbers.longToAscii(v, dst, pos);
        // Above 2^63: divide as unsigned, then the last digit.
        long q = Long.divideUnsigned(v, 10);
        int r = (int) Long.remainderUnsigned(v, 10);
        int n = io.larder.util.Numbers.longToAscii(q, dst, pos);
        dst[pos + n] = (byte) ('0' + r);
        return n + 1;
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
    }
}
