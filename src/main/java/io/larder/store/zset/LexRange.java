package io.larder.store.zset;

import java.util.Arrays;

/**
 * A member interval for the BYLEX commands: "[a" inclusive, "(a" exclusive,
 * "-" and "+" the infinitely small and large strings (Redis's
 * shared.minstring/maxstring, told apart by identity here too).
 */
public final class LexRange extends ZRange {
    static final byte[] MIN = new byte[0];
    static final byte[] MAX = new byte[0];

    final byte[] min, max;
    final boolean minex, maxex;

    private LexRange(byte[] min, boolean minex, byte[] max, boolean maxex) {
        this.min = min;
        this.max = max;
        this.minex = minex;
        this.maxex = maxex;
    }

    /** Parses min and max arguments (zslParseLexRange); null when either is not a valid item. */
    public static LexRange parse(byte[] b1, int o1, int l1, byte[] b2, int o2, int l2) {
        byte[] lo = item(b1, o1, l1);
        byte[] hi = item(b2, o2, l2);
        if (lo == null || hi == null) return null;
        return new LexRange(lo, exclusive(lo, b1[o1]), hi, exclusive(hi, b2[o2]));
    }

    private static boolean exclusive(byte[] item, byte first) {
        return item == MIN || item == MAX || first == '(';
    }

    /** "+" and "-" must stand alone (as C strings: a NUL may follow); "[x" and "(x" keep all of x. */
    private static byte[] item(byte[] b, int off, int len) {
        if (len == 0) return null;
        switch (b[off]) {
            case '+':
                return len == 1 || b[off + 1] == 0 ? MAX : null;
            case '-':
                return len == 1 || b[off + 1] == 0 ? MIN : null;
            case '(', '[':
                return Arrays.copyOfRange(b, off + 1, off + len);
            default:
                return null;
        }
    }

    /** Redis's sdscmplex of a member against a bound. */
    private static int cmp(byte[] m, int off, int len, byte[] bound) {
        if (bound == MIN) return 1;
        if (bound == MAX) return -1;
        return Arrays.compareUnsigned(m, off, off + len, bound, 0, bound.length);
    }

    @Override
    public boolean gteMin(double score, byte[] m, int off, int len) {
        int c = cmp(m, off, len, min);
        return minex ? c > 0 : c >= 0;
    }

    @Override
    public boolean lteMax(double score, byte[] m, int off, int len) {
        int c = cmp(m, off, len, max);
        return maxex ? c < 0 : c <= 0;
    }

    @Override
    public boolean empty() {
        int c;
        if (min == max) c = 0;
        else if (min == MIN || max == MAX) c = -1;
        else if (min == MAX || max == MIN) c = 1;
        else c = Arrays.compareUnsigned(min, max);
        return c > 0 || (c == 0 && (minex || maxex));
    }
}
