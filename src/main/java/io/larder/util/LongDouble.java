package io.larder.util;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * The C {@code long double} of x86-64 Linux (x87 80-bit extended: 64-bit
 * mantissa, 15-bit exponent) that Redis uses for INCRBYFLOAT and
 * HINCRBYFLOAT. Java has no such type and the results differ visibly from
 * double arithmetic (10.5 + 0.1 is "10.6" in Redis, "10.59999999999999964"
 * in double), so the type is emulated exactly: values are m * 2^q with
 * m < 2^64; parsing rounds the exact decimal value to nearest-even as
 * glibc's strtold does; addition rounds the exact sum the same way; and
 * {@link #toHumanBytes} prints the exact binary value rounded half-even to
 * 17 decimals ("%.17Lf"), then strips trailing zeros as Redis's ld2string
 * (LD_STR_HUMAN) does.
 *
 * <p>Exact arithmetic uses BigInteger; integer operands whose sum fits a long
 * take a fast path, since a 64-bit mantissa holds every long exactly.
 */
public final class LongDouble {
    /** Exponent of the smallest denormal (2^-16445): every value is a multiple of it. */
    private static final int MIN_QUANTUM = -16445;
    /** Largest binary exponent of a finite value's leading bit. */
    private static final int MAX_TOP = 16383;
    /** Redis's MAX_LONG_DOUBLE_CHARS: longer strings are rejected before parsing. */
    public static final int MAX_CHARS = 5 * 1024;

    private static final BigInteger FIVE = BigInteger.valueOf(5);

    public static final LongDouble ZERO = new LongDouble(false, BigInteger.ZERO, 0, false, false);

    private final boolean neg;
    private final BigInteger mant;
    private final int exp;
    private final boolean inf;
    private final boolean nan;

    private LongDouble(boolean neg, BigInteger mant, int exp, boolean inf, boolean nan) {
        this.neg = neg;
        this.mant = mant;
        this.exp = exp;
        this.inf = inf;
        this.nan = nan;
    }

    private static LongDouble infinity(boolean neg) {
        return new LongDouble(neg, BigInteger.ZERO, 0, true, false);
    }

    private static final LongDouble NAN = new LongDouble(false, BigInteger.ZERO, 0, false, true);

    public boolean isFinite() {
        return !inf && !nan;
    }

    public static LongDouble of(long v) {
        if (v == 0) return ZERO;
        BigInteger m = BigInteger.valueOf(v);
        return new LongDouble(v < 0, m.abs(), 0, false, false);
    }

    // ------------------------------------------------------------ parsing

    /**
     * Redis's string2ld: the whole string must be a number strtold accepts
     * (decimal or hex, optional sign, "inf"/"infinity"), no leading space,
     * shorter than {@link #MAX_CHARS}; NaN and results that overflow or
     * underflow to zero are rejected. Returns null when invalid.
     */
    public static LongDouble parse(byte[] b, int off, int len) {
        if (len == 0 || len >= MAX_CHARS) return null;
        int p = off, end = off + len;
        if (isSpace(b[p])) return null;
        boolean neg = false;
        if (b[p] == '+' || b[p] == '-') {
            neg = b[p] == '-';
            p++;
        }
        if (p == end) return null;
        if (matchesIgnoreCase(b, p, end, "inf") || matchesIgnoreCase(b, p, end, "infinity")) return infinity(neg);
        if (end - p >= 2 && b[p] == '0' && (b[p + 1] == 'x' || b[p + 1] == 'X')) return parseHex(b, p + 2, end, neg);
        return parseDecimal(b, p, end, neg);
    }

    public static LongDouble parse(byte[] b) {
        return parse(b, 0, b.length);
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    private static boolean matchesIgnoreCase(byte[] b, int p, int end, String word) {
        if (end - p != word.length()) return false;
        for (int i = 0; i < word.length(); i++) {
            if (((b[p + i] | 0x20) & 0xFF) != word.charAt(i)) return false;
        }
        return true;
    }

    private static boolean digit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static int hexValue(byte c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    /** An exponent field: sign and digits to the end, saturating far beyond any meaningful value. */
    private static long parseExponent(byte[] b, int p, int end) {
        if (p == end) return Long.MIN_VALUE;
        boolean neg = false;
        if (b[p] == '+' || b[p] == '-') {
            neg = b[p] == '-';
            p++;
        }
        if (p == end) return Long.MIN_VALUE;
        long v = 0;
        for (; p < end; p++) {
            if (!digit(b[p])) return Long.MIN_VALUE;
            if (v < 1_000_000_000L) v = v * 10 + (b[p] - '0');
        }
        return neg ? -v : v;
    }

    private static LongDouble parseDecimal(byte[] b, int p, int end, boolean neg) {
        StringBuilder digits = new StringBuilder();
        int fraction = 0;
        int count = 0;
        while (p < end && digit(b[p])) {
            digits.append((char) b[p++]);
            count++;
        }
        if (p < end && b[p] == '.') {
            p++;
            while (p < end && digit(b[p])) {
                digits.append((char) b[p++]);
                fraction++;
                count++;
            }
        }
        if (count == 0) return null;
        long e10 = 0;
        if (p < end) {
            if (b[p] != 'e' && b[p] != 'E') return null;
            e10 = parseExponent(b, p + 1, end);
            if (e10 == Long.MIN_VALUE) return null;
        }
        BigInteger d = new BigInteger(digits.toString());
        if (d.signum() == 0) return neg ? new LongDouble(true, BigInteger.ZERO, 0, false, false) : ZERO;
        e10 -= fraction;
        // Beyond these bounds the value certainly overflows (> 1.2e4932) or
        // rounds to zero (< 3.6e-4951 / 2), which strtold reports as ERANGE.
        int magnitude = d.toString().length();
        if (magnitude + e10 > 4934) return null;
        if (magnitude + e10 < -4952) return null;
        LongDouble r = e10 >= 0
                ? round(neg, d.multiply(BigInteger.TEN.pow((int) e10)), BigInteger.ONE, 0)
                : round(neg, d, BigInteger.TEN.pow((int) -e10), 0);
        return parsedResult(r);
    }

    private static LongDouble parseHex(byte[] b, int p, int end, boolean neg) {
        BigInteger m = BigInteger.ZERO;
        int count = 0;
        long e2 = 0;
        while (p < end && hexValue(b[p]) >= 0) {
            m = m.shiftLeft(4).add(BigInteger.valueOf(hexValue(b[p++])));
            count++;
        }
        if (p < end && b[p] == '.') {
            p++;
            while (p < end && hexValue(b[p]) >= 0) {
                m = m.shiftLeft(4).add(BigInteger.valueOf(hexValue(b[p++])));
                count++;
                e2 -= 4;
            }
        }
        if (count == 0) return null;
        if (p < end) {
            if (b[p] != 'p' && b[p] != 'P') return null;
            long e = parseExponent(b, p + 1, end);
            if (e == Long.MIN_VALUE) return null;
            e2 += e;
        }
        if (m.signum() == 0) return neg ? new LongDouble(true, BigInteger.ZERO, 0, false, false) : ZERO;
        long top = m.bitLength() - 1 + e2;
        if (top > MAX_TOP + 1) return null;
        if (top < MIN_QUANTUM - 2) return null;
        return parsedResult(round(neg, m, BigInteger.ONE, e2));
    }

    /** strtold's ERANGE cases that string2ld rejects: overflow to infinity, underflow to zero. */
    private static LongDouble parsedResult(LongDouble r) {
        if (r.inf || r.mant.signum() == 0) return null;
        return r;
    }

    // ------------------------------------------------------------ arithmetic

    /**
     * The value num/den * 2^e2 (num, den positive) rounded to nearest-even
     * at 64 significant bits, or at the denormal quantum below the normal
     * range; infinity beyond the largest finite value.
     */
    private static LongDouble round(boolean neg, BigInteger num, BigInteger den, long e2) {
        // floor(log2(num/den)) is lb or lb - 1.
        long lb = num.bitLength() - den.bitLength();
        boolean below = lb >= 0 ? num.compareTo(den.shiftLeft((int) lb)) < 0
                : num.shiftLeft((int) -lb).compareTo(den) < 0;
        if (below) lb--;
        long top = lb + e2;
        if (top > MAX_TOP) return infinity(neg);
        if (top < MIN_QUANTUM - 1) return new LongDouble(neg, BigInteger.ZERO, 0, false, false);
        long q = Math.max(top - 63, MIN_QUANTUM);
        long shift = e2 - q;
        BigInteger n = num, d = den;
        if (shift >= 0) n = n.shiftLeft((int) shift);
        else d = d.shiftLeft((int) -shift);
        BigInteger[] qr = n.divideAndRemainder(d);
        BigInteger m = qr[0];
        int half = qr[1].shiftLeft(1).compareTo(d);
        if (half > 0 || (half == 0 && m.testBit(0))) m = m.add(BigInteger.ONE);
        if (m.bitLength() > 64) {
            m = m.shiftRight(1);
            q++;
        }
        if (m.signum() == 0) return new LongDouble(neg, BigInteger.ZERO, 0, false, false);
        if (q + m.bitLength() - 1 > MAX_TOP) return infinity(neg);
        return new LongDouble(neg, m, (int) q, false, false);
    }

    /** this + o with one rounding, as the x87 FPU adds two long doubles. */
    public LongDouble add(LongDouble o) {
        if (nan || o.nan) return NAN;
        if (inf || o.inf) {
            if (inf && o.inf && neg != o.neg) return NAN;
            return inf ? this : o;
        }
        if (mant.signum() == 0) {
            if (o.mant.signum() == 0) return (neg && o.neg) ? this : ZERO;
            return o;
        }
        if (o.mant.signum() == 0) return this;
        int qmin = Math.min(exp, o.exp);
        BigInteger x = mant.shiftLeft(exp - qmin);
        BigInteger y = o.mant.shiftLeft(o.exp - qmin);
        if (neg) x = x.negate();
        if (o.neg) y = y.negate();
        BigInteger s = x.add(y);
        if (s.signum() == 0) return ZERO;
        return round(s.signum() < 0, s.abs(), BigInteger.ONE, qmin);
    }

    // ------------------------------------------------------------ formatting

    /**
     * Redis's ld2string(LD_STR_HUMAN): "%.17Lf" with trailing zeros (and a
     * trailing '.') removed, and "-0" printed as "0". Finite values only.
     */
    public String toHumanString() {
        if (inf) return neg ? "-inf" : "inf";
        if (nan) return "nan";
        BigDecimal v = exp >= 0 ? new BigDecimal(mant.shiftLeft(exp))
                : new BigDecimal(mant.multiply(FIVE.pow(-exp)), -exp);
        String s = v.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
        int e = s.length();
        while (s.charAt(e - 1) == '0') e--;
        if (s.charAt(e - 1) == '.') e--;
        s = s.substring(0, e);
        if (neg && !s.equals("0")) s = "-" + s;
        return s;
    }

    public byte[] toHumanBytes() {
        return toHumanString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * INCRBYFLOAT's arithmetic on two strings: the human-readable sum, or
     * null when either is not a valid float; {@link #NAN_OR_INF} when the sum
     * is not finite.
     */
    public static byte[] addStrings(byte[] a, int aoff, int alen, byte[] b, int boff, int blen) {
        // Integers whose sum fits a long are exact in a long double: no rounding, no BigInteger.
        if (alen <= 20 && blen <= 20 && Numbers.isLong(a, aoff, alen) && Numbers.isLong(b, boff, blen)) {
            long x = Numbers.parseLong(a, aoff, alen), y = Numbers.parseLong(b, boff, blen);
            long s = x + y;
            if (((x ^ s) & (y ^ s)) >= 0) return Numbers.longBytes(s);
        }
        LongDouble x = parse(a, aoff, alen);
        if (x == null) return null;
        LongDouble y = parse(b, boff, blen);
        if (y == null) return null;
        LongDouble s = x.add(y);
        if (!s.isFinite()) return NAN_OR_INF;
        return s.toHumanBytes();
    }

    /** Marker result of {@link #addStrings}: the sum is NaN or infinite. */
    public static final byte[] NAN_OR_INF = new byte[0];

    @Override
    public String toString() {
        return toHumanString();
    }
}
