package io.larder.geo;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * How Redis prints geo numbers: C's "%.Nf" (distances with 4 decimals,
 * coordinates in error messages with 6) and ld2string's LD_STR_HUMAN
 * (coordinates: "%.17Lf" without trailing zeros). printf rounds the exact
 * binary value half to even, which BigDecimal reproduces.
 */
public final class GeoFormat {
    private GeoFormat() {}

    /** C's printf("%.{decimals}f", d), including "inf", "-nan" and "-0.000000". */
    public static String fixed(double d, int decimals) {
        if (Double.isNaN(d)) return Double.doubleToRawLongBits(d) < 0 ? "-nan" : "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        boolean neg = Double.doubleToRawLongBits(d) < 0;
        String s = new BigDecimal(Math.abs(d)).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
        return neg ? "-" + s : s;
    }

    /**
     * "%.4f" of a distance (addReplyDoubleDistance). Distances are short
     * enough that d * 10^4 is within 2^-7 of the exact product; unless that
     * lands within 2^-6 of a rounding boundary, rounding it gives printf's
     * digits without BigDecimal.
     */
    public static String distance(double d) {
        if (Double.doubleToRawLongBits(d) >= 0 && d < 0x1p33) {
            double x = d * 10000;
            double floor = Math.floor(x);
            double frac = x - floor;
            if (Math.abs(frac - 0.5) > 0x1p-6) {
                long q = (long) floor + (frac > 0.5 ? 1 : 0);
                long whole = q / 10000, part = q % 10000;
                StringBuilder b = new StringBuilder(24).append(whole).append('.');
                if (part < 1000) b.append('0');
                if (part < 100) b.append('0');
                if (part < 10) b.append('0');
                return b.append(part).toString();
            }
        }
        return fixed(d, 4);
    }

    /**
     * addReplyHumanLongDouble's text: the value widened to long double (an
     * exact conversion) printed "%.17Lf", trailing zeros and a trailing '.'
     * removed, "-0" shown as "0".
     */
    public static String human(double d) {
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (Double.isNaN(d)) return Double.doubleToRawLongBits(d) < 0 ? "-nan" : "nan";
        String s = fixed(d, 17);
        int e = s.length();
        while (s.charAt(e - 1) == '0') e--;
        if (s.charAt(e - 1) == '.') e--;
        s = s.substring(0, e);
        return s.equals("-0") ? "0" : s;
    }
}
