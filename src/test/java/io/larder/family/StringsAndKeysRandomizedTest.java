package io.larder.family;

import io.larder.testing.Diff;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A long random sequence of string and key commands (fixed seed), run on
 * Larder and Redis side by side over a small keyspace in three databases so
 * that commands keep colliding: replies, keyspace events and dirty counts
 * must agree after every command. Relative TTLs are only observed as
 * "has a TTL" (their exact value depends on when each server ran), and
 * absolute times in the past are only used where Redis deletes at once, so
 * no key expires on its own during the run.
 */
class StringsAndKeysRandomizedTest {
    static LarderTestServer larder;
    static RedisOracle redis;

    @BeforeAll
    static void start() {
        larder = LarderTestServer.start(SideEffects.OPTIONS);
        redis = RedisOracle.start(SideEffects.OPTIONS);
    }

    @AfterAll
    static void stop() {
        if (larder != null) larder.close();
        if (redis != null) redis.close();
    }

    private static final String[] KEYS = {"k0", "k1", "k2", "k3", "k4", "k5", "bin\u0000key", "{tag}x"};
    private static final String[] VALUES = {"", "0", "1", "-5", "123", "9999", "10000", "abc", "3.5", "1e3",
            "-0", "007", "9223372036854775807", "-9223372036854775808", " 1", "hello world",
            "0123456789012345678901234567890123456789012345678901234567890"};

    private final Random rnd = new Random(20261126);

    private String key() {
        return KEYS[rnd.nextInt(KEYS.length)];
    }

    private String value() {
        return rnd.nextInt(8) == 0 ? Long.toString(rnd.nextLong() >> rnd.nextInt(64)) : VALUES[rnd.nextInt(VALUES.length)];
    }

    private String number() {
        return switch (rnd.nextInt(6)) {
            case 0 -> "1";
            case 1 -> "-3";
            case 2 -> Integer.toString(rnd.nextInt(20000) - 10000);
            case 3 -> "9223372036854775807";
            case 4 -> "abc";
            default -> Integer.toString(rnd.nextInt(100));
        };
    }

    private String floatArg() {
        return switch (rnd.nextInt(6)) {
            case 0 -> "0.1";
            case 1 -> "-2.5";
            case 2 -> "1e" + (rnd.nextInt(40) - 20);
            case 3 -> "inf";
            case 4 -> "x";
            default -> Integer.toString(rnd.nextInt(100));
        };
    }

    /** A time option: relative (seconds or ms), or absolute in the far future. */
    private void expiry(List<String> cmd) {
        switch (rnd.nextInt(4)) {
            case 0 -> cmd.addAll(List.of("EX", Integer.toString(100 + rnd.nextInt(1000))));
            case 1 -> cmd.addAll(List.of("PX", Integer.toString(100_000 + rnd.nextInt(1_000_000))));
            case 2 -> cmd.addAll(List.of("EXAT", Long.toString(9_000_000_000L + rnd.nextInt(1000))));
            default -> cmd.addAll(List.of("PXAT", Long.toString(9_000_000_000_000L + rnd.nextInt(1000000))));
        }
    }

    /** TTL replies: relative values depend on timing; only their sign class is compared. */
    private static final UnaryOperator<Object> TTL_CLASS = r -> r instanceof Long l && l > 0 ? "positive" : r;

    /** Replies whose element order is unspecified (KEYS, a one-call SCAN). */
    @SuppressWarnings("unchecked")
    private static final UnaryOperator<Object> SORTED = r -> {
        if (r instanceof List<?> l && l.size() == 2 && l.get(1) instanceof List<?> inner) {
            List<String> keys = new ArrayList<>((List<String>) inner);
            Collections.sort(keys);
            return List.of(l.get(0), keys);
        }
        if (r instanceof List<?> l) {
            List<String> keys = new ArrayList<>((List<String>) l);
            Collections.sort(keys);
            return keys;
        }
        return r;
    };

    @Test
    void randomStringAndKeyCommandsMatchRedis() {
        int steps = Boolean.getBoolean("larder.soak") ? 50_000 : 4000;
        try (Diff d = new Diff(larder.port(), redis.port())) {
            d.exec("FLUSHALL");
            try (SideEffects s = new SideEffects(larder, redis, d)) {
                for (int i = 0; i < steps; i++) {
                    List<String> cmd = new ArrayList<>();
                    UnaryOperator<Object> normalize = null;
                    String k = key();
                    switch (rnd.nextInt(44)) {
                        case 0, 1 -> {
                            cmd.addAll(List.of("SET", k, value()));
                            if (rnd.nextInt(3) == 0) cmd.add(rnd.nextBoolean() ? "NX" : "XX");
                            if (rnd.nextInt(3) == 0) cmd.add("GET");
                            int t = rnd.nextInt(4);
                            if (t == 0) expiry(cmd);
                            else if (t == 1) cmd.add("KEEPTTL");
                        }
                        case 2 -> cmd.addAll(List.of("SETNX", k, value()));
                        case 3 -> cmd.addAll(List.of(rnd.nextBoolean() ? "SETEX" : "PSETEX", k,
                                rnd.nextInt(10) == 0 ? "0" : Integer.toString(100_000 + rnd.nextInt(1000)), value()));
                        case 4, 5 -> cmd.addAll(List.of("GET", k));
                        case 6 -> {
                            cmd.addAll(List.of("GETEX", k));
                            int t = rnd.nextInt(4);
                            if (t == 0) expiry(cmd);
                            else if (t == 1) cmd.add("PERSIST");
                            else if (t == 2) cmd.addAll(List.of("PXAT", "1"));
                        }
                        case 7 -> cmd.addAll(List.of("GETDEL", k));
                        case 8 -> cmd.addAll(List.of("GETSET", k, value()));
                        case 9 -> cmd.addAll(List.of("MGET", k, key(), key()));
                        case 10 -> cmd.addAll(List.of(rnd.nextBoolean() ? "MSET" : "MSETNX", k, value(), key(), value()));
                        case 11, 12 -> cmd.addAll(List.of("APPEND", k, value()));
                        case 13 -> cmd.addAll(List.of("STRLEN", k));
                        case 14 -> cmd.addAll(List.of("SETRANGE", k, Integer.toString(rnd.nextInt(12) - 1), value()));
                        case 15 -> cmd.addAll(List.of(rnd.nextBoolean() ? "GETRANGE" : "SUBSTR", k,
                                Integer.toString(rnd.nextInt(20) - 10), Integer.toString(rnd.nextInt(20) - 10)));
                        case 16, 17 -> {
                            switch (rnd.nextInt(4)) {
                                case 0 -> cmd.addAll(List.of("INCR", k));
                                case 1 -> cmd.addAll(List.of("DECR", k));
                                case 2 -> cmd.addAll(List.of("INCRBY", k, number()));
                                default -> cmd.addAll(List.of("DECRBY", k, number()));
                            }
                        }
                        case 18 -> cmd.addAll(List.of("INCRBYFLOAT", k, floatArg()));
                        case 19 -> {
                            cmd.addAll(List.of("LCS", k, key()));
                            int o = rnd.nextInt(4);
                            if (o == 1) cmd.add("LEN");
                            if (o == 2) cmd.add("IDX");
                            if (o == 3) cmd.addAll(List.of("IDX", "MINMATCHLEN", "2", "WITHMATCHLEN"));
                        }
                        case 20, 21 -> cmd.addAll(List.of(rnd.nextBoolean() ? "DEL" : "UNLINK", k, key()));
                        case 22 -> cmd.addAll(List.of("EXISTS", k, key()));
                        case 23 -> cmd.addAll(List.of("TYPE", k));
                        case 24 -> cmd.addAll(List.of("TOUCH", k, key()));
                        case 25, 26 -> cmd.addAll(List.of(rnd.nextBoolean() ? "RENAME" : "RENAMENX", k, key()));
                        case 27 -> cmd.addAll(List.of("MOVE", k, Integer.toString(rnd.nextInt(3))));
                        case 28 -> {
                            cmd.addAll(List.of("COPY", k, key()));
                            if (rnd.nextBoolean()) cmd.addAll(List.of("DB", Integer.toString(rnd.nextInt(3))));
                            if (rnd.nextBoolean()) cmd.add("REPLACE");
                        }
                        case 29, 30 -> {
                            int which = rnd.nextInt(4);
                            cmd.add(new String[] {"EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"}[which]);
                            cmd.add(k);
                            boolean past = rnd.nextInt(5) == 0;
                            long t = switch (which) {
                                case 0 -> past ? -1 : 100 + rnd.nextInt(1000);
                                case 1 -> past ? 0 : 100_000 + rnd.nextInt(1_000_000);
                                case 2 -> past ? 1 : 9_000_000_000L + rnd.nextInt(1000);
                                default -> past ? 1000 : 9_000_000_000_000L + rnd.nextInt(1_000_000);
                            };
                            cmd.add(Long.toString(t));
                            if (rnd.nextInt(3) == 0) cmd.add(new String[] {"NX", "XX", "GT", "LT"}[rnd.nextInt(4)]);
                        }
                        case 31 -> {
                            cmd.addAll(List.of(new String[] {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}[rnd.nextInt(4)], k));
                            normalize = TTL_CLASS;
                        }
                        case 32 -> cmd.addAll(List.of("PERSIST", k));
                        case 33, 34 -> cmd.addAll(List.of("OBJECT", rnd.nextBoolean() ? "ENCODING" : "REFCOUNT", k));
                        case 35 -> cmd.addAll(List.of("SELECT", Integer.toString(rnd.nextInt(3))));
                        case 36 -> cmd.addAll(List.of("SWAPDB", Integer.toString(rnd.nextInt(3)),
                                Integer.toString(rnd.nextInt(3))));
                        case 37 -> cmd.add("DBSIZE");
                        case 38 -> {
                            cmd.addAll(List.of("KEYS", rnd.nextBoolean() ? "*" : "k[0-3]"));
                            normalize = SORTED;
                        }
                        case 39 -> {
                            cmd.addAll(List.of("SCAN", "0", "COUNT", "1000"));
                            if (rnd.nextBoolean()) cmd.addAll(List.of("MATCH", "k*"));
                            if (rnd.nextBoolean()) cmd.addAll(List.of("TYPE", "string"));
                            normalize = SORTED;
                        }
                        case 40 -> cmd.addAll(List.of("GETEX", k, "EX", rnd.nextBoolean() ? "abc" : "0"));
                        case 41 -> cmd.addAll(List.of("SET", k, value(), "EX", rnd.nextBoolean() ? "-1" : "x"));
                        case 42 -> cmd.addAll(List.of("EXISTS", k));
                        default -> cmd.addAll(List.of("RANDOMKEY"));
                    }
                    if (cmd.get(0).equals("RANDOMKEY")) {
                        // Only comparable when there is at most one candidate.
                        if (!Long.valueOf(0).equals(d.redis().call("DBSIZE"))) continue;
                    }
                    s.check(normalize, cmd.toArray(new String[0]));
                }
            }
        }
    }
}
