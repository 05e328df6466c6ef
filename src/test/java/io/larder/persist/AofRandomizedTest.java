package io.larder.persist;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A randomized sequence (fixed seeds) of write commands of every family,
 * with options, relative and absolute expiries, transactions and scripts,
 * run on Larder and on Redis 7.0 with appendonly yes: the replies and the
 * INCR files must be the same (clock times within seconds). Relative
 * expiries are at least 50 seconds, so no key expires by time during a run
 * (each server's active cycle would delete it at its own moment, ordering
 * the files differently on a slow machine); past absolute times delete at
 * once. Commands whose outcome is a random choice (SPOP of several members,
 * SRANDMEMBER ...) are left out; their propagation has tests of its own.
 */
class AofRandomizedTest {
    static final boolean SOAK = Boolean.getBoolean("larder.soak");

    private static String pick(Random r, String... s) {
        return s[r.nextInt(s.length)];
    }

    static String command(Random r) {
        String k = "k" + r.nextInt(12), k2 = "k" + r.nextInt(12);
        String l = "l" + r.nextInt(4), h = "h" + r.nextInt(4), s = "s" + r.nextInt(4), z = "z" + r.nextInt(4);
        String x = "x" + r.nextInt(3);
        int n = r.nextInt(100);
        String v = "v" + r.nextInt(50);
        return switch (r.nextInt(48)) {
            case 0 -> "set " + k + " " + v;
            case 1 -> "set " + k + " " + v + " " + pick(r, "ex 100", "px 100000", "exat 4102444800", "pxat 4102444800123",
                    "keepttl", "nx", "xx", "get", "ex 50 get", "nx px 500000");
            case 2 -> "setex " + k + " " + (n + 200) + " " + v;
            case 3 -> "psetex " + k + " " + (n + 200) * 1000 + " " + v;
            case 4 -> "getset " + k + " " + v;
            case 5 -> "getdel " + k;
            case 6 -> "getex " + k + " " + pick(r, "ex 100", "px 100000", "exat 4102444800", "persist", "");
            case 7 -> "incr " + k;
            case 8 -> "incrbyfloat " + k + " " + pick(r, "1.5", "-0.25", "1e2", "0");
            case 9 -> "append " + k + " " + v;
            case 10 -> "setrange " + k + " " + r.nextInt(5) + " " + v;
            case 11 -> "mset " + k + " " + v + " " + k2 + " " + v;
            case 12 -> "msetnx " + k + " " + v + " " + k2 + " " + v;
            case 13 -> "expire " + k + " " + pick(r, "100", "200 nx", "300 xx", "50 gt", "500 lt", "-1");
            case 14 -> "pexpire " + k + " " + pick(r, "100000", "0");
            case 15 -> "expireat " + k + " " + pick(r, "4102444800", "100");
            case 16 -> "persist " + k;
            case 17 -> "del " + k + " " + k2;
            case 18 -> "rename " + k + " " + k2;
            case 19 -> "copy " + k + " " + k2 + pick(r, "", " replace");
            case 20 -> "rpush " + l + " " + v + " " + n;
            case 21 -> "lpush " + l + " " + v;
            case 22 -> pick(r, "lpop ", "rpop ") + l + pick(r, "", " 2");
            case 23 -> "lmpop 2 " + l + " l9 " + pick(r, "left", "right") + pick(r, "", " count 3");
            case 24 -> "lmove " + l + " l" + r.nextInt(4) + " " + pick(r, "left left", "right left", "left right");
            case 25 -> "blpop " + l + " 0.01";
            case 26 -> "blmove " + l + " l" + r.nextInt(4) + " right left 0.01";
            case 27 -> "ltrim " + l + " 0 " + r.nextInt(5);
            case 28 -> "hset " + h + " f" + r.nextInt(5) + " " + v;
            case 29 -> "hincrbyfloat " + h + " f" + r.nextInt(5) + " " + pick(r, "1.5", "2");
            case 30 -> "hincrby " + h + " n" + r.nextInt(3) + " " + n;
            case 31 -> "hdel " + h + " f" + r.nextInt(5);
            case 32 -> "sadd " + s + " m" + r.nextInt(6) + " m" + r.nextInt(6);
            case 33 -> "srem " + s + " m" + r.nextInt(6);
            case 34 -> "smove " + s + " s" + r.nextInt(4) + " m" + r.nextInt(6);
            case 35 -> "sunionstore " + s + " s" + r.nextInt(4) + " s" + r.nextInt(4);
            case 36 -> "zadd " + z + " " + pick(r, "", "nx ", "xx ", "gt ch ", "incr ") + n + " m" + r.nextInt(6);
            case 37 -> "zincrby " + z + " " + pick(r, "1.5", "-3") + " m" + r.nextInt(6);
            case 38 -> pick(r, "zpopmin ", "zpopmax ") + z + pick(r, "", " 2");
            case 39 -> "zmpop 1 " + z + " " + pick(r, "min", "max") + pick(r, "", " count 2");
            case 40 -> "bzpopmin " + z + " 0.01";
            case 41 -> "zrangestore " + z + " z" + r.nextInt(4) + " 0 -1";
            case 42 -> "xadd " + x + " " + pick(r, "", "maxlen 5 ", "minid 0 ") + (n + 1) + "-" + r.nextInt(3) + " f " + v;
            case 43 -> "xtrim " + x + " maxlen " + r.nextInt(4);
            case 44 -> "xdel " + x + " " + (n + 1) + "-0";
            case 45 -> "pfadd p" + r.nextInt(2) + " " + v;
            case 46 -> "setbit b" + r.nextInt(2) + " " + r.nextInt(64) + " " + r.nextInt(2);
            default -> "bitfield b" + r.nextInt(2) + " incrby u8 " + r.nextInt(16) + " " + n;
        };
    }

    /** A script of random commands, with some in transactions and scripts and some databases switched. */
    static String script(long seed, int n) {
        Random r = new Random(seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(20)) {
                case 0 -> {
                    lines.add("multi");
                    for (int j = r.nextInt(4); j >= 0; j--) lines.add(command(r));
                    lines.add("exec");
                }
                case 1 -> lines.add("eval \"redis.call('incr', KEYS[1]); redis.call('rpush', KEYS[2], ARGV[1]); "
                        + "return redis.call('expire', KEYS[1], 100)\" 2 k" + r.nextInt(12) + " l" + r.nextInt(4)
                        + " v" + r.nextInt(9));
                case 2 -> lines.add("select " + r.nextInt(3));
                default -> lines.add(command(r));
            }
        }
        return String.join("\n", lines);
    }

    @Test
    void randomWritesPropagateAsRedis() {
        int seeds = SOAK ? 20 : 3;
        for (long seed = 1; seed <= seeds; seed++) {
            try (AofDiff a = AofDiff.start()) {
                a.script(script(seed, SOAK ? 2000 : 400));
                a.assertSameAof();
            }
        }
    }
}
