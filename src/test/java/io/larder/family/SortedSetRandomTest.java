package io.larder.family;

import io.larder.testing.Diff;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A long random mix of sorted set commands (fixed seeds) against Redis, with
 * small listpack limits so that sets cross between encodings all the time.
 * Every reply must be identical; ZRANDMEMBER appears only with counts that
 * return the whole set (deterministic), BYLEX only on a key whose scores are
 * all equal (Redis's lex order is otherwise unspecified).
 */
class SortedSetRandomTest {
    private static LarderTestServer larder;
    private static RedisOracle redis;

    @BeforeAll
    static void start() {
        String[] opts = {"--zset-max-listpack-entries", "8", "--zset-max-listpack-value", "16"};
        larder = LarderTestServer.start(opts);
        redis = RedisOracle.start(opts);
    }

    @AfterAll
    static void stop() {
        if (larder != null) larder.close();
        if (redis != null) redis.close();
    }

    private static final String[] KEYS = {"z1", "z2", "z3", "z4"};
    private static final String[] SCORES = {"0", "1", "2", "3", "-1", "1.5", "-0.25", "1e-5", "100", "inf", "-inf",
        "2.5", "7", "-7", "0.1", "3.0000000000000004", "-0"};

    private final List<String> cmd = new ArrayList<>();
    private SplittableRandom rnd;

    private String pick(String... xs) {
        return xs[rnd.nextInt(xs.length)];
    }

    private String key() {
        return KEYS[rnd.nextInt(KEYS.length)];
    }

    private String member() {
        int r = rnd.nextInt(100);
        if (r < 4) return "long-member-" + "x".repeat(20) + rnd.nextInt(3);
        return "m" + rnd.nextInt(24);
    }

    private String score() {
        return SCORES[rnd.nextInt(SCORES.length)];
    }

    private String bound() {
        String s = rnd.nextInt(6) == 0 ? pick("-inf", "+inf") : SCORES[rnd.nextInt(SCORES.length - 2)];
        return rnd.nextInt(3) == 0 && !s.endsWith("inf") ? "(" + s : s;
    }

    private String lexBound() {
        int r = rnd.nextInt(8);
        if (r == 0) return "-";
        if (r == 1) return "+";
        return (rnd.nextBoolean() ? "[" : "(") + "m" + rnd.nextInt(30);
    }

    private String[] next() {
        cmd.clear();
        int op = rnd.nextInt(30);
        String k = key();
        switch (op) {
            case 0, 1, 2, 3 -> {
                cmd.add("ZADD");
                cmd.add(k);
                int o = rnd.nextInt(10);
                if (o == 0) cmd.add("NX");
                if (o == 1) cmd.add("XX");
                if (o == 2) cmd.add("GT");
                if (o == 3) cmd.add("LT");
                if (rnd.nextInt(4) == 0) cmd.add("CH");
                int n = 1 + rnd.nextInt(o == 4 ? 1 : 6);
                if (o == 4) cmd.add("INCR");
                for (int i = 0; i < n; i++) {
                    cmd.add(score());
                    cmd.add(member());
                }
            }
            case 4 -> {
                cmd.add("ZADD");
                cmd.add("lex");
                for (int i = 0, n = 1 + rnd.nextInt(5); i < n; i++) {
                    cmd.add("0");
                    cmd.add("m" + rnd.nextInt(30));
                }
            }
            case 5 -> add("ZINCRBY", k, score(), member());
            case 6 -> {
                cmd.add("ZREM");
                cmd.add(k);
                for (int i = 0, n = 1 + rnd.nextInt(4); i < n; i++) cmd.add(member());
            }
            case 7 -> add(pick("ZCARD"), k);
            case 8 -> add(pick("ZSCORE", "ZRANK", "ZREVRANK"), k, member());
            case 9 -> add("ZMSCORE", k, member(), member(), member());
            case 10 -> add("ZCOUNT", k, bound(), bound());
            case 11 -> {
                add("ZRANGE", k, String.valueOf(rnd.nextInt(12) - 6), String.valueOf(rnd.nextInt(12) - 4));
                if (rnd.nextBoolean()) cmd.add("REV");
                if (rnd.nextBoolean()) cmd.add("WITHSCORES");
            }
            case 12 -> {
                boolean rev = rnd.nextBoolean();
                add(rev ? "ZREVRANGEBYSCORE" : "ZRANGEBYSCORE", k, bound(), bound());
                if (rnd.nextBoolean()) cmd.add("WITHSCORES");
                if (rnd.nextBoolean()) add("LIMIT", String.valueOf(rnd.nextInt(5) - 1), String.valueOf(rnd.nextInt(6) - 1));
            }
            case 13 -> {
                boolean rev = rnd.nextBoolean();
                add(rev ? "ZREVRANGEBYLEX" : "ZRANGEBYLEX", "lex", lexBound(), lexBound());
                if (rnd.nextBoolean()) add("LIMIT", String.valueOf(rnd.nextInt(5) - 1), String.valueOf(rnd.nextInt(6) - 1));
            }
            case 14 -> add("ZLEXCOUNT", "lex", lexBound(), lexBound());
            case 15 -> {
                int t = rnd.nextInt(3);
                if (t == 0) add("ZRANGESTORE", key(), k, String.valueOf(rnd.nextInt(8) - 2), String.valueOf(rnd.nextInt(20) - 3));
                else if (t == 1) add("ZRANGESTORE", key(), k, bound(), bound(), "BYSCORE");
                else add("ZRANGESTORE", key(), "lex", lexBound(), lexBound(), "BYLEX");
                if (rnd.nextInt(3) == 0 && t > 0) add("LIMIT", String.valueOf(rnd.nextInt(3)), String.valueOf(rnd.nextInt(12) - 1));
            }
            case 16 -> add("ZREMRANGEBYRANK", k, String.valueOf(rnd.nextInt(10) - 5), String.valueOf(rnd.nextInt(10) - 5));
            case 17 -> add("ZREMRANGEBYSCORE", k, bound(), bound());
            case 18 -> add("ZREMRANGEBYLEX", "lex", lexBound(), lexBound());
            case 19, 20, 21 -> {
                String c = pick("ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE");
                cmd.add(c);
                boolean store = c.endsWith("STORE");
                if (store) cmd.add(key());
                int n = 1 + rnd.nextInt(3);
                cmd.add(String.valueOf(n));
                for (int i = 0; i < n; i++) {
                    int r = rnd.nextInt(8);
                    cmd.add(r == 0 ? "lex" : r == 1 ? "iset" : key());
                }
                if (!c.startsWith("ZDIFF")) {
                    if (rnd.nextBoolean()) {
                        cmd.add("WEIGHTS");
                        for (int i = 0; i < n; i++) cmd.add(pick("1", "2", "-1", "0.5", "0", "inf"));
                    }
                    if (rnd.nextBoolean()) add("AGGREGATE", pick("SUM", "MIN", "MAX"));
                }
                if (!store && rnd.nextBoolean()) cmd.add("WITHSCORES");
            }
            case 22 -> {
                int n = 1 + rnd.nextInt(3);
                add("ZINTERCARD", String.valueOf(n));
                for (int i = 0; i < n; i++) cmd.add(key());
                if (rnd.nextBoolean()) add("LIMIT", String.valueOf(rnd.nextInt(4)));
            }
            case 23 -> {
                add(pick("ZPOPMIN", "ZPOPMAX"), k);
                if (rnd.nextBoolean()) cmd.add(String.valueOf(rnd.nextInt(4)));
            }
            case 24 -> {
                int n = 1 + rnd.nextInt(3);
                add("ZMPOP", String.valueOf(n));
                for (int i = 0; i < n; i++) cmd.add(key());
                cmd.add(pick("MIN", "MAX"));
                if (rnd.nextBoolean()) add("COUNT", String.valueOf(1 + rnd.nextInt(4)));
            }
            case 25 -> {
                add("ZRANDMEMBER", k, "1000");
                if (rnd.nextBoolean()) cmd.add("WITHSCORES");
            }
            case 26 -> {
                if (rnd.nextInt(3) == 0) add("SADD", "iset", String.valueOf(rnd.nextInt(5)), "m" + rnd.nextInt(24));
                else add("DEL", k);
            }
            case 27 -> add(pick("ZCARD", "ZRANGE"), "lex", "0", "-1");
            default -> add("ZRANGE", k, "0", "-1", "WITHSCORES");
        }
        return cmd.toArray(new String[0]);
    }

    private void add(String... xs) {
        cmd.addAll(List.of(xs));
    }

    @Test
    void randomSequencesMatchRedis() {
        for (long seed : new long[] {11, 23, 37}) {
            rnd = new SplittableRandom(seed);
            try (Diff d = new Diff(larder.port(), redis.port())) {
                d.exec("FLUSHALL");
                if (seed == 37) d.resp3();
                for (int i = 0; i < 4000; i++) {
                    String[] c = next();
                    try {
                        d.check(c);
                    } catch (AssertionError e) {
                        throw new AssertionError("seed " + seed + " step " + i + ": " + e.getMessage(), e);
                    }
                }
                for (String k : KEYS) d.check("ZRANGE", k, "0", "-1", "WITHSCORES");
            }
        }
    }
}
