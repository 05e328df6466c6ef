package io.larder.family;

import io.larder.testing.Diff;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random points all over the globe (with extra weight near the poles'
 * limits, on the antimeridian and on shared spots, so distances tie) and
 * random searches of every kind, with fixed seeds, against Redis byte for
 * byte in RESP2 and RESP3. Stored results are read back with ZRANGE
 * WITHSCORES, so STOREDIST compares every distance to the last bit. The
 * sets switch between the listpack and skiplist encodings between runs.
 */
class GeoRandomTest {
    private static LarderTestServer larder;
    private static RedisOracle redis;

    @BeforeAll
    static void start() {
        larder = LarderTestServer.start();
        redis = RedisOracle.start();
    }

    @AfterAll
    static void stop() {
        if (larder != null) larder.close();
        if (redis != null) redis.close();
    }

    private static final double LAT_LIMIT = 85.05112878;
    private static final String[] KEYS = {"g1", "g2", "g3"};
    private static final String[] UNITS = {"m", "km", "mi", "ft", "KM"};

    private SplittableRandom rnd;
    private final List<double[]> spots = new ArrayList<>();

    private double between(double lo, double hi) {
        return lo + (hi - lo) * rnd.nextDouble();
    }

    private double longitude() {
        return switch (rnd.nextInt(20)) {
            case 0 -> rnd.nextBoolean() ? 180 : -180;
            case 1 -> between(179.9, 180);
            case 2 -> between(-180, -179.9);
            default -> between(-180, 180);
        };
    }

    private double latitude() {
        return switch (rnd.nextInt(20)) {
            case 0 -> rnd.nextBoolean() ? LAT_LIMIT : -LAT_LIMIT;
            case 1 -> between(84, LAT_LIMIT);
            case 2 -> between(-LAT_LIMIT, -84);
            case 3 -> between(-0.001, 0.001);
            default -> between(-LAT_LIMIT, LAT_LIMIT);
        };
    }

    /** A position: usually fresh, sometimes one of a few shared spots (ties), sometimes near one. */
    private double[] position() {
        int r = rnd.nextInt(10);
        if (r < 2 && !spots.isEmpty()) return spots.get(rnd.nextInt(spots.size()));
        double[] p = {longitude(), latitude()};
        if (r == 2 && !spots.isEmpty()) {
            double[] s = spots.get(rnd.nextInt(spots.size()));
            p[0] = Math.max(-180, Math.min(180, s[0] + between(-0.01, 0.01)));
            p[1] = Math.max(-LAT_LIMIT, Math.min(LAT_LIMIT, s[1] + between(-0.01, 0.01)));
        }
        if (spots.size() < 12 && rnd.nextInt(4) == 0) spots.add(p);
        return p;
    }

    private String number(double v) {
        return switch (rnd.nextInt(3)) {
            case 0 -> Double.toString(v);
            case 1 -> String.format(Locale.ROOT, "%.6f", v);
            default -> String.format(Locale.ROOT, "%.3f", v);
        };
    }

    private String member() {
        return "m" + rnd.nextInt(600);
    }

    private String distance() {
        double[] choices = {0, 0.5, 1, 10, 100, 500, 1000, 2500, 5000, 10000, 20000, 40000};
        double d = rnd.nextInt(3) == 0 ? between(0, 20000) : choices[rnd.nextInt(choices.length)];
        return String.format(Locale.ROOT, "%.6g", d);
    }

    private void options(List<String> cmd, boolean with, boolean countAllowed) {
        if (with) {
            for (String o : new String[] {"WITHDIST", "WITHCOORD", "WITHHASH"}) if (rnd.nextInt(3) == 0) cmd.add(o);
        }
        if (rnd.nextBoolean()) cmd.add(rnd.nextBoolean() ? "ASC" : "DESC");
        if (countAllowed && rnd.nextInt(5) < 2) {
            cmd.add("COUNT");
            int[] counts = {1, 2, 3, 5, 7, 10, 41, 100, 5000};
            cmd.add(String.valueOf(counts[rnd.nextInt(counts.length)]));
            if (rnd.nextInt(4) == 0) cmd.add("ANY");
        }
    }

    private void from(List<String> cmd) {
        if (rnd.nextInt(10) < 7) {
            double[] p = rnd.nextInt(3) == 0 ? position() : new double[] {longitude(), latitude()};
            cmd.addAll(List.of("FROMLONLAT", number(p[0]), number(p[1])));
        } else {
            cmd.addAll(List.of("FROMMEMBER", member()));
        }
    }

    private void shape(List<String> cmd) {
        String unit = rnd.nextInt(5) == 0 ? UNITS[rnd.nextInt(UNITS.length)] : "km";
        if (rnd.nextBoolean()) cmd.addAll(List.of("BYRADIUS", distance(), unit));
        else cmd.addAll(List.of("BYBOX", distance(), distance(), unit));
    }

    /** The next command(s) of the sequence, each a list of arguments. */
    private List<List<String>> next() {
        List<List<String>> out = new ArrayList<>();
        List<String> cmd = new ArrayList<>();
        String key = rnd.nextInt(12) == 0 ? "nokey" : KEYS[rnd.nextInt(KEYS.length)];
        int op = rnd.nextInt(100);
        if (op < 12) {
            cmd.addAll(List.of("GEOADD", key));
            if (rnd.nextInt(6) == 0) cmd.add(new String[] {"NX", "XX", "CH"}[rnd.nextInt(3)]);
            int n = 1 + rnd.nextInt(4);
            for (int i = 0; i < n; i++) {
                double[] p = position();
                cmd.addAll(List.of(number(p[0]), number(p[1]), member()));
            }
        } else if (op < 40) {
            cmd.addAll(List.of("GEOSEARCH", key));
            from(cmd);
            shape(cmd);
            options(cmd, true, true);
        } else if (op < 50) {
            cmd.addAll(List.of("GEOSEARCHSTORE", "dst", key));
            from(cmd);
            shape(cmd);
            options(cmd, false, true);
            if (rnd.nextBoolean()) cmd.add("STOREDIST");
            out.add(cmd);
            cmd = new ArrayList<>(List.of("ZRANGE", "dst", "0", "-1", "WITHSCORES"));
        } else if (op < 60) {
            double[] p = {longitude(), latitude()};
            cmd.addAll(List.of(rnd.nextBoolean() ? "GEORADIUS" : "GEORADIUS_RO", key, number(p[0]), number(p[1]),
                    distance(), UNITS[rnd.nextInt(UNITS.length)]));
            options(cmd, true, true);
        } else if (op < 68) {
            cmd.addAll(List.of(rnd.nextBoolean() ? "GEORADIUSBYMEMBER" : "GEORADIUSBYMEMBER_RO", key, member(),
                    distance(), "km"));
            options(cmd, true, true);
        } else if (op < 74) {
            cmd.addAll(List.of(rnd.nextBoolean() ? "GEORADIUS" : "GEORADIUSBYMEMBER", key));
            if (cmd.get(0).equals("GEORADIUS")) cmd.addAll(List.of(number(longitude()), number(latitude())));
            else cmd.add(member());
            cmd.addAll(List.of(distance(), "km"));
            options(cmd, false, true);
            cmd.addAll(List.of(rnd.nextBoolean() ? "STORE" : "STOREDIST", "dst"));
            out.add(cmd);
            cmd = new ArrayList<>(List.of("ZRANGE", "dst", "0", "-1", "WITHSCORES"));
        } else if (op < 86) {
            cmd.addAll(List.of("GEODIST", key, member(), member()));
            if (rnd.nextBoolean()) cmd.add(UNITS[rnd.nextInt(UNITS.length)]);
        } else if (op < 94) {
            cmd.addAll(List.of(rnd.nextBoolean() ? "GEOPOS" : "GEOHASH", key));
            for (int i = 0; i < 4; i++) cmd.add(member());
        } else if (op < 97) {
            cmd.addAll(List.of("ZREM", key, member(), member()));
        } else {
            cmd.addAll(List.of("OBJECT", "ENCODING", key));
        }
        out.add(cmd);
        return out;
    }

    private void run(long seed, int points, int steps, String maxEntries) {
        rnd = new SplittableRandom(seed);
        spots.clear();
        try (Diff d2 = new Diff(larder.port(), redis.port()); Diff d3 = new Diff(larder.port(), redis.port())) {
            d3.resp3();
            d2.exec("FLUSHALL");
            d2.exec("CONFIG", "SET", "zset-max-listpack-entries", maxEntries);
            // Bulk of the points first, so searches find plenty.
            for (int i = 0; i < points; i++) {
                double[] p = position();
                d2.exec("GEOADD", KEYS[rnd.nextInt(KEYS.length)], number(p[0]), number(p[1]), member());
            }
            for (int i = 0; i < steps; i++) {
                Diff d = rnd.nextInt(4) == 0 ? d3 : d2;
                for (List<String> cmd : next()) d.check(cmd.toArray(new String[0]));
            }
            d2.exec("CONFIG", "SET", "zset-max-listpack-entries", "128");
        }
    }

    @Test
    void smallSetsListpack() {
        run(20240601L, 150, 1500, "128");
    }

    @Test
    void largeSetsSkiplist() {
        run(7L, 3000, 2500, "128");
    }

    @Test
    void mixedEncodings() {
        run(424242L, 400, 2000, "64");
    }
}
