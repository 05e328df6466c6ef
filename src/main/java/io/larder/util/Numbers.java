package io.larder.util;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Number parsing and formatting with Redis's exact rules. Redis is strict
 * where Java is lenient (no '+', no leading zeros, no spaces) and formats
 * doubles with C's {@code %.17g}; replies must match byte for byte.
 */
public final class Numbers {
    private Numbers() {}

    /** Thrown (preallocated, without a stack trace) when a number does not parse. */
    public static final class Invalid extends RuntimeException {
        private Invalid() {
            super("invalid number", null, false, false);
        }
    }

    public static final Invalid INVALID = new Invalid();

    /**
     * Redis's string2ll: optional '-', no leading zeros (except "0"), no '+',
     * no spaces, fits in a signed 64-bit integer, fewer than 21 characters.
     *
     * @throws Invalid when the bytes are not such an integer
     */
    public static long parseLong(byte[] b, int off, int len) {
        if (len <= 0 || len >= 21) throw INVALID;
        int p = off, end = off + len;
        if (len == 1 && b[p] == '0') return 0;
        boolean neg = false;
        if (b[p] == '-') {
            neg = true;
            p++;
            if (p == end) throw INVALID;
        }
        int c = b[p];
        if (c < '1' || c > '9') throw INVALID;
        // Accumulate as a negative number so Long.MIN_VALUE is representable.
        long v = -(c - '0');
        p++;
        while (p < end) {
            c = b[p];
            if (c < '0' || c > '9') throw INVALID;
            if (v < Long.MIN_VALUE / 10) throw INVALID;
            v *= 10;
            int d = c - '0';
            if (v < Long.MIN_VALUE + d) throw INVALID;
            v -= d;
            p++;
        }
        if (neg) return v;
        if (v == Long.MIN_VALUE) throw INVALID;
        return -v;
    }

    public static long parseLong(byte[] b) {
        return parseLong(b, 0, b.length);
    }

    public static boolean isLong(byte[] b, int off, int len) {
        try {
            parseLong(b, off, len);
            return true;
        } catch (Invalid e) {
            return false;
        }
    }

    /**
     * Redis's string2ld/strtod as used by getDoubleFromObject: no leading
     * space, the whole string consumed, NaN rejected; "inf", "+inf",
     * "-inf", "infinity" accepted as strtod does.
     *
     * @throws Invalid when invalid
     */
    public static double parseDouble(byte[] b, int off, int len) {
        if (len == 0 || len > 5000) throw INVALID;
        if (isSpace(b[off])) throw INVALID;
        if (len < 19) {
            // Fast path: plain integers, the common case for scores and increments.
            int p = off, end = off + len;
            boolean neg = b[p] == '-';
            if (neg) p++;
            if (p < end) {
                long v = 0;
                while (p < end && b[p] >= '0' && b[p] <= '9') v = v * 10 + (b[p++] - '0');
                if (p == end) return neg ? -(double) v : (double) v;
            }
        }
        String s = new String(b, off, len, StandardCharsets.ISO_8859_1);
        Double d = strtod(s);
        if (d == null || d.isNaN() || outOfRange(s, d)) throw INVALID;
        return d;
    }

    /**
     * As {@link #parseDouble} but a finite literal beyond double's range is
     * accepted (as infinity, or zero), the way Redis's long double parsing
     * (string2ld) accepts "1e400" where getDoubleFromObject refuses it.
     */
    public static double parseDoubleAllowingOverflow(byte[] b, int off, int len) {
        if (len == 0 || len > 5000 || isSpace(b[off])) throw INVALID;
        Double d = strtod(new String(b, off, len, StandardCharsets.ISO_8859_1));
        if (d == null || d.isNaN()) throw INVALID;
        return d;
    }

    /**
     * getDoubleFromObject rejects what strtod reports as ERANGE: a finite
     * literal that overflows to infinity ("1e400") or a non-zero one that
     * underflows to zero ("1e-400"). Subnormal results are accepted, as there.
     */
    private static boolean outOfRange(String s, double d) {
        if (Double.isInfinite(d)) {
            String t = s.toLowerCase(java.util.Locale.ROOT);
            return !(t.endsWith("inf") || t.endsWith("infinity"));
        }
        if (d != 0) return false;
        String t = s.toLowerCase(java.util.Locale.ROOT);
        int end = t.length();
        if (t.startsWith("0x", t.startsWith("+") || t.startsWith("-") ? 1 : 0)) {
            int p = t.indexOf('p');
            if (p >= 0) end = p;
            for (int i = t.indexOf('x') + 1; i < end; i++) {
                char c = t.charAt(i);
                if (c != '0' && c != '.') return true;
            }
            return false;
        }
        int e = t.indexOf('e');
        if (e >= 0) end = e;
        for (int i = 0; i < end; i++) {
            char c = t.charAt(i);
            if (c >= '1' && c <= '9') return true;
        }
        return false;
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    /**
     * A C strtod that must consume the whole string (no leading space);
     * null when it does not parse. Overflow gives infinity, underflow zero,
     * as strtod returns them (callers that reject ERANGE check for it).
     */
    public static Double strtod(String s) {
        int n = s.length();
        int i = 0;
        boolean neg = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        String rest = s.substring(i);
        String lower = rest.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("inf") || lower.equals("infinity")) {
            return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (lower.equals("nan") || lower.startsWith("nan(")) return Double.NaN;
        if (lower.startsWith("0x")) return parseHexFloat(neg, rest.substring(2));
        // Decimal: digits [. digits] [e [+-] digits], at least one digit in mantissa.
        int j = 0, m = rest.length();
        int digits = 0;
        while (j < m && isDigit(rest.charAt(j))) { j++; digits++; }
        if (j < m && rest.charAt(j) == '.') {
            j++;
            while (j < m && isDigit(rest.charAt(j))) { j++; digits++; }
        }
        if (digits == 0) return null;
        if (j < m && (rest.charAt(j) == 'e' || rest.charAt(j) == 'E')) {
            int k = j + 1;
            if (k < m && (rest.charAt(k) == '+' || rest.charAt(k) == '-')) k++;
            int ed = 0;
            while (k < m && isDigit(rest.charAt(k))) { k++; ed++; }
            if (ed == 0) return null;
            j = k;
        }
        if (j != m) return null;
        try {
            double d = Double.parseDouble(rest);
            return neg ? -d : d;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Double parseHexFloat(boolean neg, String hex) {
        if (hex.isEmpty()) return null;
        try {
            String t = hex.toLowerCase(java.util.Locale.ROOT);
            if (!t.contains("p")) t = t + "p0";
            double d = Double.parseDouble("0x" + t);
            return neg ? -d : d;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static final MathContext MC17 = new MathContext(17, RoundingMode.HALF_EVEN);

    /** C's {@code printf("%.17g", d)}, as Redis 7.0 uses for double replies. */
    public static String formatDouble(double d) {
        // glibc prints the sign of a NaN too (0/0 computed by the CPU is negative).
        if (Double.isNaN(d)) return Double.doubleToRawLongBits(d) < 0 ? "-nan" : "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == Math.rint(d) && Math.abs(d) < 1e17) {
            long l = (long) d;
            if (l == 0 && Double.doubleToRawLongBits(d) != 0) return "-0";
            return Long.toString(l);
        }
        return formatG(d, 17);
    }

    /** C's %.{precision}g for finite d. */
    public static String formatG(double d, int precision) {
        if (d == 0) return (Double.doubleToRawLongBits(d) != 0) ? "-0" : "0";
        BigDecimal bd = new BigDecimal(d).round(new MathContext(precision, RoundingMode.HALF_EVEN));
        // exponent X of the rounded value in scientific form
        int x = bd.precision() - bd.scale() - 1;
        String out;
        if (x < -4 || x >= precision) {
            String unscaled = bd.unscaledValue().abs().toString();
            // mantissa digits, strip trailing zeros
            String mant = unscaled.length() > 1 ? unscaled.charAt(0) + "." + unscaled.substring(1) : unscaled;
            mant = stripZeros(mant);
            String exp = (x < 0 ? "-" : "+") + (Math.abs(x) < 10 ? "0" : "") + Math.abs(x);
            out = (bd.signum() < 0 ? "-" : "") + mant + "e" + exp;
        } else {
            int frac = precision - 1 - x;
            String plain = bd.setScale(Math.max(frac, 0), RoundingMode.HALF_EVEN).toPlainString();
            out = stripZeros(plain);
        }
        return out;
    }

    private static String stripZeros(String s) {
        if (s.indexOf('.') < 0) return s;
        int e = s.length();
        while (e > 0 && s.charAt(e - 1) == '0') e--;
        if (e > 0 && s.charAt(e - 1) == '.') e--;
        return s.substring(0, e);
    }

    /** Writes a long in decimal ASCII; returns the number of bytes. */
    public static int longToAscii(long v, byte[] dst, int pos) {
        if (v == Long.MIN_VALUE) {
            byte[] s = "-9223372036854775808".getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(s, 0, dst, pos, s.length);
            return s.length;
        }
        int start = pos;
        if (v < 0) {
            dst[pos++] = '-';
            v = -v;
        }
        int digits = digitCount(v);
        int end = pos + digits;
        int p = end;
        do {
            dst[--p] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
        return end - start;
    }

    /** Number of decimal digits of a non-negative long. */
    public static int digitCount(long v) {
        int n = 1;
        while (v >= 10) {
            v /= 10;
            n++;
        }
        return n;
    }

    public static byte[] longBytes(long v) {
        byte[] b = new byte[20];
        int n = longToAscii(v, b, 0);
        return java.util.Arrays.copyOf(b, n);
    }

    /**
     * C's atoi/atoll as Redis calls them on text it reads (DEBUG arguments,
     * manifest fields): leading spaces, an optional sign, then digits;
     * whatever follows is ignored and no digits read as 0.
     */
    public static long atoll(String s) {
        int i = 0, n = s.length();
        while (i < n && Character.isWhitespace(s.charAt(i))) i++;
        boolean neg = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) neg = s.charAt(i++) == '-';
        long v = 0;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') v = v * 10 + (s.charAt(i++) - '0');
        return neg ? -v : v;
    }
}
