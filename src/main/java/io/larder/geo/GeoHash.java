package io.larder.geo;

/**
 * Redis's geohash (geohash.c): a position is the cell number of a grid of
 * 2^step by 2^step cells over longitude [-180, 180] and latitude
 * [-85.05112878, 85.05112878] (the Web Mercator limits), the longitude's
 * bits on the odd positions and the latitude's on the even ones. A sorted
 * set member's score is its step-26 cell (52 bits). Decoding returns the
 * cell's centre, which is why GEOPOS does not give back the coordinates
 * GEOADD was given.
 *
 * <p>Arithmetic is Redis's, operation for operation, in the same order, with
 * C's unsigned 32- and 64-bit semantics, so that every score, cell and
 * decoded coordinate is the same double.
 */
public final class GeoHash {
    private GeoHash() {}

    public static final int STEP_MAX = 26;
    public static final double LAT_MIN = -85.05112878;
    public static final double LAT_MAX = 85.05112878;
    public static final double LONG_MIN = -180;
    public static final double LONG_MAX = 180;

    /** The longitude or latitude is outside what GEOADD accepts (extractLongLatOrReply). */
    public static boolean invalid(double lon, double lat) {
        return lon < LONG_MIN || lon > LONG_MAX || lat < LAT_MIN || lat > LAT_MAX;
    }

    // ------------------------------------------------------------ bit interleaving

    /** interleave64: x's bits (32 at most) on the even positions, y's on the odd ones. */
    static long interleave(long x, long y) {
        x &= 0xFFFFFFFFL;
        y &= 0xFFFFFFFFL;
        x = (x | (x << 16)) & 0x0000FFFF0000FFFFL;
        y = (y | (y << 16)) & 0x0000FFFF0000FFFFL;
        x = (x | (x << 8)) & 0x00FF00FF00FF00FFL;
        y = (y | (y << 8)) & 0x00FF00FF00FF00FFL;
        x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FL;
        y = (y | (y << 4)) & 0x0F0F0F0F0F0F0F0FL;
        x = (x | (x << 2)) & 0x3333333333333333L;
        y = (y | (y << 2)) & 0x3333333333333333L;
        x = (x | (x << 1)) & 0x5555555555555555L;
        y = (y | (y << 1)) & 0x5555555555555555L;
        return x | (y << 1);
    }

    /** deinterleave64: the even bits in the low half, the odd bits in the high half. */
    static long deinterleave(long v) {
        long x = v;
        long y = v >>> 1;
        x = x & 0x5555555555555555L;
        y = y & 0x5555555555555555L;
        x = (x | (x >>> 1)) & 0x3333333333333333L;
        y = (y | (y >>> 1)) & 0x3333333333333333L;
        x = (x | (x >>> 2)) & 0x0F0F0F0F0F0F0F0FL;
        y = (y | (y >>> 2)) & 0x0F0F0F0F0F0F0F0FL;
        x = (x | (x >>> 4)) & 0x00FF00FF00FF00FFL;
        y = (y | (y >>> 4)) & 0x00FF00FF00FF00FFL;
        x = (x | (x >>> 8)) & 0x0000FFFF0000FFFFL;
        y = (y | (y >>> 8)) & 0x0000FFFF0000FFFFL;
        x = (x | (x >>> 16)) & 0x00000000FFFFFFFFL;
        y = (y | (y >>> 16)) & 0x00000000FFFFFFFFL;
        return x | (y << 32);
    }

    // ------------------------------------------------------------ encoding, decoding

    /**
     * geohashEncode over the given ranges: the cell of (lon, lat) at this
     * step. The caller has checked the coordinates (Redis fails only on
     * coordinates outside the ranges, which the commands refuse earlier).
     * The offsets are truncated to unsigned 32 bits as C converts them; at
     * the upper edge the offset is 2^step, one past the last cell, exactly
     * as in Redis (GEOADD of longitude 180 stores a score above 2^53).
     */
    static long encode(double longMin, double longMax, double latMin, double latMax, double lon, double lat,
                       int step) {
        double latOffset = (lat - latMin) / (latMax - latMin);
        double longOffset = (lon - longMin) / (longMax - longMin);
        latOffset *= (double) (1L << step);
        longOffset *= (double) (1L << step);
        return interleave((long) latOffset, (long) longOffset);
    }

    /** The step-n cell of a position in Redis's ranges (geohashEncodeWGS84). */
    static long encodeWGS84(double lon, double lat, int step) {
        return encode(LONG_MIN, LONG_MAX, LAT_MIN, LAT_MAX, lon, lat, step);
    }

    /** A position's sorted set score: its step-26 cell, aligned to 52 bits. */
    public static double score(double lon, double lat) {
        return (double) align52(encodeWGS84(lon, lat, STEP_MAX), STEP_MAX);
    }

    /**
     * geohashDecode in Redis's ranges: the cell's bounds as
     * {longitude min, longitude max, latitude min, latitude max}.
     */
    static void decode(long bits, int step, double[] area) {
        long sep = deinterleave(bits);
        double latScale = LAT_MAX - LAT_MIN;
        double longScale = LONG_MAX - LONG_MIN;
        long ilato = sep & 0xFFFFFFFFL;
        long ilono = sep >>> 32;
        double cells = (double) (1L << step);
        // ilato + 1 is unsigned 32-bit arithmetic in C: it wraps at 2^32.
        area[2] = LAT_MIN + (ilato * 1.0 / cells) * latScale;
        area[3] = LAT_MIN + (((ilato + 1) & 0xFFFFFFFFL) * 1.0 / cells) * latScale;
        area[0] = LONG_MIN + (ilono * 1.0 / cells) * longScale;
        area[1] = LONG_MIN + (((ilono + 1) & 0xFFFFFFFFL) * 1.0 / cells) * longScale;
    }

    /**
     * decodeGeohash: the position a sorted set score stands for, the centre
     * of its cell, clamped to the valid ranges. Any score decodes: Redis
     * converts it to 64 unsigned bits first ({@link #toUint64}), so members
     * added with ZADD have positions too. xy receives {longitude, latitude}.
     */
    public static void decodeScore(double score, double[] xy) {
        double[] area = new double[4];
        decode(toUint64(score), STEP_MAX, area);
        centre(area, xy);
    }

    /** geohashDecodeAreaToLongLat. */
    static void centre(double[] area, double[] xy) {
        double x = (area[0] + area[1]) / 2;
        if (x > LONG_MAX) x = LONG_MAX;
        if (x < LONG_MIN) x = LONG_MIN;
        double y = (area[2] + area[3]) / 2;
        if (y > LAT_MAX) y = LAT_MAX;
        if (y < LAT_MIN) y = LAT_MIN;
        xy[0] = x;
        xy[1] = y;
    }

    /**
     * C's (uint64_t) conversion of a double as GCC compiles it for x86-64
     * (what Redis's decodeGeohash does to a score): below 2^63 a signed
     * truncation (cvttsd2si: negative values wrap, values below -2^63 and
     * NaN give 2^63), from 2^63 on the value minus 2^63 with the top bit
     * flipped (so 2^64 and above, and +inf, give 0).
     */
    static long toUint64(double d) {
        if (!(d >= 0x1p63)) {
            if (Double.isNaN(d) || d < -0x1p63) return Long.MIN_VALUE;
            return (long) d;
        }
        double r = d - 0x1p63;
        long v = r >= 0x1p63 ? Long.MIN_VALUE : (long) r;
        return v ^ Long.MIN_VALUE;
    }

    /** geohashAlign52Bits: the cell number shifted to a 52-bit score. */
    static long align52(long bits, int step) {
        return bits << (52 - step * 2);
    }

    // ------------------------------------------------------------ neighbours

    /** geohash_move_x: one cell east (d > 0) or west (d < 0), wrapping around. */
    static long moveX(long bits, int step, int d) {
        return move(bits, step, d, 0xaaaaaaaaaaaaaaaaL);
    }

    /** geohash_move_y: one cell north (d > 0) or south (d < 0), wrapping around. */
    static long moveY(long bits, int step, int d) {
        return move(bits, step, d, 0x5555555555555555L);
    }

    /**
     * Adds or subtracts one on the coordinate whose bits are in {@code mask}
     * (the odd bits for longitude, the even ones for latitude): filling the
     * other coordinate's positions with ones makes the carry or borrow cross
     * them, then those positions and the bits above the step are masked off.
     */
    private static long move(long bits, int step, int d, long mask) {
        if (d == 0) return bits;
        long v = bits & mask;
        long other = bits & ~mask;
        long zz = ~mask >>> (64 - step * 2);
        if (d > 0) {
            v = v + (zz + 1);
        } else {
            v = v | zz;
            v = v - (zz + 1);
        }
        v &= mask >>> (64 - step * 2);
        return v | other;
    }

    // ------------------------------------------------------------ GEOHASH's text

    private static final byte[] ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * GEOHASH's 11 characters: the score's position re-encoded over the
     * standard ranges ([-180, 180] and [-90, 90]) at step 26, five bits per
     * character; the 11th character stands for bits Redis does not have and
     * is always '0'.
     */
    public static byte[] text(double score) {
        double[] xy = new double[2];
        decodeScore(score, xy);
        long bits = encode(-180, 180, -90, 90, xy[0], xy[1], STEP_MAX);
        byte[] out = new byte[11];
        for (int i = 0; i < 11; i++) {
            int idx = i == 10 ? 0 : (int) ((bits >>> (52 - (i + 1) * 5)) & 0x1f);
            out[i] = ALPHABET[idx];
        }
        return out;
    }
}
