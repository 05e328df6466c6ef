package io.larder.geo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.util.LibcSort;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The pieces under the geo commands whose exactness the differential tests
 * rely on: the C library really is the one called, C's conversions and
 * printf formats, and the two sorts (their tie orders come from Redis).
 */
class GeoMathTest {
    @Test
    void distancesUseTheCLibrary() {
        // Without it distances differ from Redis's in the last bit now and then.
        assertTrue(LibM.isNative(), "libm sin/cos/asin not reachable through FFM; running on StrictMath");
        // glibc 2.36 values where StrictMath or Math differ (taken from a C program calling libm).
        assertEquals(Double.longBitsToDouble(0x3fd0f2c36cd3c798L), LibM.sin(Double.longBitsToDouble(0x3fd127253a136effL)));
    }

    @Test
    void uint64ConversionAsGccOnX86() {
        assertEquals(-1L, GeoHash.toUint64(-1.0));
        assertEquals(0L, GeoHash.toUint64(0.5));
        assertEquals(Long.MIN_VALUE, GeoHash.toUint64(Double.NEGATIVE_INFINITY));
        assertEquals(Long.MIN_VALUE, GeoHash.toUint64(-1e300));
        assertEquals(0L, GeoHash.toUint64(Double.POSITIVE_INFINITY));
        assertEquals(0L, GeoHash.toUint64(2e19));
        assertEquals(Long.parseUnsignedLong("10000000000000000000"), GeoHash.toUint64(1e19));
        assertEquals(Long.MIN_VALUE, GeoHash.toUint64(0x1p63));
        assertEquals(Long.MIN_VALUE, GeoHash.toUint64(Double.NaN));
    }

    @Test
    void scoresAndCentres() {
        // Redis 7.0.15: GEOADD k 13.361389 38.115556 Palermo; ZSCORE; GEOPOS.
        assertEquals(3479099956230698.0, GeoHash.score(13.361389, 38.115556));
        double[] xy = new double[2];
        GeoHash.decodeScore(3479099956230698.0, xy);
        assertEquals("13.36138933897018433", GeoFormat.human(xy[0]));
        assertEquals("38.11555639549629859", GeoFormat.human(xy[1]));
        assertEquals("sqc8b49rny0", new String(GeoHash.text(3479099956230698.0)));
        // The upper corner encodes one past the last cell, above 2^53.
        assertEquals(13510798882111488.0, GeoHash.score(180, 85.05112878));
    }

    @Test
    void printfFormats() {
        assertEquals("200.000000", GeoFormat.fixed(200, 6));
        assertEquals("-0.000000", GeoFormat.fixed(-0.0, 6));
        assertEquals("-0.000000", GeoFormat.fixed(-1e-9, 6));
        assertEquals("inf", GeoFormat.fixed(Double.POSITIVE_INFINITY, 6));
        assertEquals("0.12", GeoFormat.fixed(0.125, 2));
        assertEquals("0.38", GeoFormat.fixed(0.375, 2));
        assertEquals("0", GeoFormat.human(-1e-30));
        assertEquals("180", GeoFormat.human(180));
        assertEquals("0.00000268220901489", GeoFormat.human(2.682209014892578e-06));
        // The fast path of "%.4f" agrees with the exact one everywhere, ties included.
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 200_000; i++) {
            double d = switch (i % 4) {
                case 0 -> r.nextDouble() * 2e7;
                case 1 -> r.nextDouble() * 10;
                case 2 -> Math.floor(r.nextDouble() * 1e8) / 1e4 + 0.00005;
                default -> (Math.floor(r.nextDouble() * 1e6) + 0.5) / 10000;
            };
            assertEquals(GeoFormat.fixed(d, 4), GeoFormat.distance(d), "d=" + d);
        }
    }

    @Test
    void qsortIsGlibcsStableMergeSort() {
        SplittableRandom r = new SplittableRandom(2);
        for (int round = 0; round < 200; round++) {
            int n = r.nextInt(200);
            int[] key = new int[n];
            for (int i = 0; i < n; i++) key[i] = r.nextInt(10);
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            LibcSort.qsort(order, n, (a, b) -> Integer.compare(key[a], key[b]));
            for (int i = 1; i < n; i++) {
                assertTrue(key[order[i - 1]] < key[order[i]]
                        || (key[order[i - 1]] == key[order[i]] && order[i - 1] < order[i]));
            }
        }
    }

    @Test
    void pqsortSortsTheRequestedRange() {
        SplittableRandom r = new SplittableRandom(3);
        for (int round = 0; round < 500; round++) {
            int n = 1 + r.nextInt(150);
            int[] key = new int[n];
            for (int i = 0; i < n; i++) key[i] = r.nextInt(r.nextBoolean() ? 5 : 1000);
            int lo = r.nextInt(n), hi = lo + r.nextInt(n - lo);
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            LibcSort.pqsort(order, n, (a, b) -> Integer.compare(key[a], key[b]), lo, hi);
            int[] sorted = key.clone();
            Arrays.sort(sorted);
            for (int i = lo; i <= hi; i++) assertEquals(sorted[i], key[order[i]]);
            int[] all = Arrays.stream(order).sorted().toArray();
            for (int i = 0; i < n; i++) assertEquals(i, all[i]);
        }
    }

    /** A tie order observed on Redis 7.0.15 (GEOSEARCH ... COUNT 3 over these 16 distances). */
    @Test
    void pqsortTiesAsRedis() {
        double[] dist = {5573.9443, 5700.3445, 4769.7242, 5151.3859, 4618.0294, 4291.9677, 3520.6098, 3520.6098,
            5739.2419, 2953.4278, 0.0, 4049.8113, 4640.4258, 4774.0508, 6553.5147, 6697.4653};
        int[] order = new int[16];
        for (int i = 0; i < 16; i++) order[i] = i;
        LibcSort.pqsort(order, 16, (a, b) -> dist[a] > dist[b] ? 1 : dist[a] == dist[b] ? 0 : -1, 0, 2);
        // m151 m400 m159: the second of the two equal distances first.
        assertArrayEquals(new int[] {10, 9, 7}, Arrays.copyOf(order, 3));
    }
}
