package io.larder.store.zset;

import io.larder.util.Numbers;
import java.nio.charset.StandardCharsets;

/** A score interval, parsed as Redis's zslParseRange ("(" marks an exclusive end). */
public final class ScoreRange extends ZRange {
    public final double min, max;
    public final boolean minex, maxex;

    public ScoreRange(double min, boolean minex, double max, boolean maxex) {
        this.min = min;
        this.max = max;
        this.minex = minex;
        this.maxex = maxex;
    }

    /** Parses min and max arguments; null when either is not a valid bound. */
    public static ScoreRange parse(byte[] b1, int o1, int l1, byte[] b2, int o2, int l2) {
        Double lo = bound(b1, o1, l1);
        if (lo == null) return null;
        Double hi = bound(b2, o2, l2);
        if (hi == null) return null;
        return new ScoreRange(lo, l1 > 0 && b1[o1] == '(', hi, l2 > 0 && b2[o2] == '(');
    }

    /**
     * One bound with C strtod's rules, as Redis applies them here: the
     * argument is read as a C string (up to a NUL byte), an optional "(" is
     * skipped, then leading white space; the rest must parse completely and
     * NaN is refused. An empty string reads as 0 (strtod converts nothing and
     * stops at the end), and overflow is no error (an infinite bound).
     */
    static Double bound(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        int p = off;
        if (p < end && b[p] == '(') p++;
        if (p == end) return 0.0;
        int q = p;
        while (q < end && isSpace(b[q])) q++;
        if (q == end) return null;
        Double d = Numbers.strtod(new String(b, q, end - q, StandardCharsets.ISO_8859_1));
        if (d == null || d.isNaN()) return null;
        return d;
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    @Override
    public boolean gteMin(double score, byte[] m, int off, int len) {
        return minex ? score > min : score >= min;
    }

    @Override
    public boolean lteMax(double score, byte[] m, int off, int len) {
        return maxex ? score < max : score <= max;
    }

    @Override
    public boolean empty() {
        return min > max || (min == max && (minex || maxex));
    }
}
