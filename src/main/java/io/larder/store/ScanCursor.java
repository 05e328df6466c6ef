package io.larder.store;

import io.larder.util.Numbers;

/**
 * The one definition of SCAN-family cursors (SCAN, and HSCAN/SSCAN/ZSCAN
 * over hashtable encodings). A cursor is a position in (segment index,
 * 24-bit hash) order: {@code segment << 24 | hash}. Because a
 * {@link Segment}'s slots are a monotone function of the hash (see its class
 * comment), the entries at or after a hash position can be found whatever
 * the table's capacity, so an iteration survives any number of resizes
 * between calls: every entry present for the whole iteration is returned
 * exactly once per pass. 0 starts an iteration and a reply of 0 ends it.
 * HSCAN/SSCAN over an {@link ElementTable} use the same scheme with the
 * table's own 32-bit positions as the cursor (one table, no segments).
 */
public final class ScanCursor {
    private ScanCursor() {}

    public static final int HASH_BITS = 24;
    private static final long HASH_MASK = (1L << HASH_BITS) - 1;

    public static long of(int segment, int hash) {
        return ((long) segment << HASH_BITS) | hash;
    }

    /** The segment a cursor points into; may exceed the segment count for foreign cursors. */
    public static long segment(long cursor) {
        return cursor >>> HASH_BITS;
    }

    public static int hash(long cursor) {
        return (int) (cursor & HASH_MASK);
    }

    /**
     * Visits the entries of a segment whose hash is at or after {@code from},
     * about {@code want} of them (the hash range is sized from the segment's
     * fill), and returns the hash where the next step starts, or
     * {@link Segment#HASH_SPACE} when the segment is done. The caller holds
     * the segment's lock and must not modify it from the visitor.
     */
    public static int step(Segment s, int from, int want, Segment.EntryVisitor v) {
        if (s == null || s.size() == 0) return Segment.HASH_SPACE;
        int to = (int) Math.min(Segment.HASH_SPACE, (long) from + s.hashWidthFor(Math.max(1, want)));
        s.scan(from, to, v);
        return to;
    }

    private static final long ULONG_MAX_DIV_10 = Long.divideUnsigned(-1L, 10);
    private static final int ULONG_MAX_LAST_DIGIT = (int) Long.remainderUnsigned(-1L, 10);

    /**
     * Redis's parseScanCursorOrReply: C's strtoul in base 10 on the argument
     * as a C string (it ends at the first NUL), rejecting a leading space,
     * trailing characters and overflow. As strtoul does, it takes an optional
     * sign ("-1" is 2^64-1) and reads an empty string as 0. Returns the
     * cursor's 64 bits.
     *
     * @throws Numbers.Invalid when Redis answers "invalid cursor"
     */
    public static long parse(byte[] b, int off, int len) {
        int end = off + len;
        for (int i = off; i < end; i++) {
            if (b[i] == 0) {
                end = i;
                break;
            }
        }
        int p = off;
        if (p == end) return 0;
        byte first = b[p];
        if (first == ' ' || (first >= '\t' && first <= '\r')) throw Numbers.INVALID;
        boolean neg = false;
        if (first == '+' || first == '-') {
            neg = first == '-';
            p++;
        }
        if (p == end) throw Numbers.INVALID;
        long v = 0;
        for (; p < end; p++) {
            int d = b[p] - '0';
            if (d < 0 || d > 9) throw Numbers.INVALID;
            int cmp = Long.compareUnsigned(v, ULONG_MAX_DIV_10);
            if (cmp > 0 || (cmp == 0 && d > ULONG_MAX_LAST_DIGIT)) throw Numbers.INVALID;
            v = v * 10 + d;
        }
        return neg ? -v : v;
    }
}
