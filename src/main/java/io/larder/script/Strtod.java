package io.larder.script;

import java.nio.charset.StandardCharsets;

/**
 * C's strtod in the C locale: the longest prefix that reads as a number
 * (decimal, hexadecimal with an optional binary exponent, inf, infinity,
 * nan), correctly rounded. cjson decodes JSON numbers with it, so "0x10",
 * "1e5" and "-Infinity" decode as Redis's cjson decodes them.
 */
final class Strtod {
    private Strtod() {}

    /** Parses from {@code start}; end[0] receives where parsing stopped ({@code start} if nothing was read). */
    static double parse(byte[] s, int start, int[] end) {
        int p = start;
        while (p < s.length && isSpace(s[p])) p++;
        boolean neg = false;
        if (p < s.length && (s[p] == '+' || s[p] == '-')) {
            neg = s[p] == '-';
            p++;
        }
        if (matches(s, p, "infinity")) {
            end[0] = p + 8;
            return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (matches(s, p, "inf")) {
            end[0] = p + 3;
            return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (matches(s, p, "nan")) {
            int q = p + 3;
            if (q < s.length && s[q] == '(') {
                int r = q + 1;
                while (r < s.length && (Character.isLetterOrDigit(s[r]) || s[r] == '_')) r++;
                if (r < s.length && s[r] == ')') q = r + 1;
            }
            end[0] = q;
            return neg ? -Double.NaN : Double.NaN;
        }
        if (p + 1 < s.length && s[p] == '0' && (s[p + 1] == 'x' || s[p + 1] == 'X')) {
            double h = hex(s, p + 2, neg, end);
            if (!Double.isNaN(h) || end[0] != -1) return h;
        }
        int q = p;
        int digits = 0;
        while (q < s.length && isDigit(s[q])) {
            q++;
            digits++;
        }
        if (q < s.length && s[q] == '.') {
            q++;
            while (q < s.length && isDigit(s[q])) {
                q++;
                digits++;
            }
        }
        if (digits == 0) {
            end[0] = start;
            return 0;
        }
        if (q < s.length && (s[q] == 'e' || s[q] == 'E')) {
            int r = q + 1;
            if (r < s.length && (s[r] == '+' || s[r] == '-')) r++;
            if (r < s.length && isDigit(s[r])) {
                while (r < s.length && isDigit(s[r])) r++;
                q = r;
            }
        }
        end[0] = q;
        String text = new String(s, p, q - p, StandardCharsets.ISO_8859_1);
        if (text.startsWith(".")) text = "0" + text;
        if (text.endsWith(".")) text = text + "0";
        text = text.replace(".e", ".0e").replace(".E", ".0E");
        double d = Double.parseDouble(text);
        return neg ? -d : d;
    }

    /** A hexadecimal float after "0x"; when no hex digit follows, the number is the "0" alone. */
    private static double hex(byte[] s, int p, boolean neg, int[] end) {
        int q = p;
        StringBuilder mant = new StringBuilder();
        while (q < s.length && Character.digit(s[q], 16) >= 0) mant.append((char) s[q++]);
        StringBuilder frac = new StringBuilder();
        if (q < s.length && s[q] == '.') {
            int r = q + 1;
            while (r < s.length && Character.digit(s[r], 16) >= 0) frac.append((char) s[r++]);
            if (mant.length() > 0 || frac.length() > 0) q = r;
        }
        if (mant.length() == 0 && frac.length() == 0) {
            end[0] = p - 1; // just the "0"
            return neg ? -0.0 : 0.0;
        }
        String exp = "0";
        if (q < s.length && (s[q] == 'p' || s[q] == 'P')) {
            int r = q + 1;
            int signAt = r;
            if (r < s.length && (s[r] == '+' || s[r] == '-')) r++;
            if (r < s.length && isDigit(s[r])) {
                while (r < s.length && isDigit(s[r])) r++;
                exp = new String(s, signAt, r - signAt, StandardCharsets.ISO_8859_1);
                q = r;
            }
        }
        end[0] = q;
        String text = "0x" + (mant.length() == 0 ? "0" : mant) + "." + (frac.length() == 0 ? "0" : frac) + "p" + exp;
        double d;
        try {
            d = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            d = Double.POSITIVE_INFINITY;
        }
        return neg ? -d : d;
    }

    private static boolean matches(byte[] s, int p, String word) {
        if (p + word.length() > s.length) return false;
        for (int i = 0; i < word.length(); i++) {
            if (Character.toLowerCase(s[p + i]) != word.charAt(i)) return false;
        }
        return true;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }
}
