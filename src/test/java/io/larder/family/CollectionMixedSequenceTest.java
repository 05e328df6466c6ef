package io.larder.family;

import io.larder.testing.DifferentialTestBase;
import io.larder.testing.Encodings;
import io.larder.testing.TestConfig;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A fixed-seed random sequence mixing hash and set commands on shared keys
 * (so WRONGTYPE, key deletion when emptied and re-creation all interleave),
 * compared with Redis reply by reply, with OBJECT ENCODING checked along the
 * way. Small encoding limits make conversions frequent.
 */
class CollectionMixedSequenceTest extends DifferentialTestBase {

    @Test
    void mixedHashAndSetSequence() {
        try {
            TestConfig.set(d, larder, "hash-max-listpack-entries", "8");
            TestConfig.set(d, larder, "hash-max-listpack-value", "16");
            TestConfig.set(d, larder, "set-max-intset-entries", "10");
            run(new Random(424242), 6000);
        } finally {
            TestConfig.set(d, larder, "hash-max-listpack-entries", "512");
            TestConfig.set(d, larder, "hash-max-listpack-value", "64");
            TestConfig.set(d, larder, "set-max-intset-entries", "512");
        }
    }

    @Test
    void mixedSequenceAtDefaultLimits() {
        run(new Random(99), 3000);
    }

    private void run(Random rnd, int steps) {
        String[] keys = {"k1", "k2", "k3", "k4", "k5"};
        for (int step = 0; step < steps; step++) {
            String k = keys[rnd.nextInt(keys.length)];
            String k2 = keys[rnd.nextInt(keys.length)];
            String m = element(rnd);
            switch (rnd.nextInt(22)) {
                case 0, 1 -> d.check("HSET", k, m, element(rnd), element(rnd), element(rnd));
                case 2 -> d.check("HSETNX", k, m, element(rnd));
                case 3 -> d.check("HGET", k, m);
                case 4 -> d.check("HDEL", k, m, element(rnd));
                case 5 -> {
                    if (rnd.nextBoolean()) d.check("HINCRBY", k, m, String.valueOf(rnd.nextInt(21) - 10));
                    else d.check("HINCRBYFLOAT", k, m, (rnd.nextInt(21) - 10) + "." + rnd.nextInt(100));
                }
                case 6 -> d.check("HMGET", k, m, element(rnd));
                case 7 -> d.check("HLEN", k);
                case 8 -> d.check("HSTRLEN", k, m);
                case 9, 10 -> d.check("SADD", k, m, element(rnd));
                case 11 -> d.check("SREM", k, m, element(rnd));
                case 12 -> d.check("SISMEMBER", k, m);
                case 13 -> d.check("SMISMEMBER", k, m, element(rnd));
                case 14 -> d.check("SCARD", k);
                case 15 -> d.check("SMOVE", k, k2, m);
                case 16 -> d.check("SINTERCARD", "2", k, k2, "LIMIT", String.valueOf(rnd.nextInt(4)));
                case 17 -> d.check(new String[] {"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"}[rnd.nextInt(3)],
                        keys[rnd.nextInt(keys.length)], k, k2);
                case 18 -> d.check("HEXISTS", k, m);
                case 19 -> readWhole(k);
                case 20 -> d.check("EXISTS", k);
                default -> {
                    if (rnd.nextInt(10) == 0) d.check("DEL", k);
                    else d.check("SRANDMEMBER", k, "0");
                }
            }
            if (step % 40 == 0) {
                for (String key : keys) Encodings.check(d, larder, key);
            }
        }
    }

    /** The whole collection: byte for byte where Redis's order is defined, else as a set. */
    private void readWhole(String k) {
        String enc = Encodings.larder(larder, k);
        if (enc == null) {
            d.check("SMEMBERS", k);
            d.check("HGETALL", k);
        } else if (enc.equals("intset")) {
            d.check("SMEMBERS", k);
            d.check("SUNION", k);
            d.check("SRANDMEMBER", k, "1000");
        } else if (enc.equals("listpack")) {
            d.check("HGETALL", k);
            d.check("HKEYS", k);
            d.check("HRANDFIELD", k, "1000", "WITHVALUES");
            d.check("HSCAN", k, "0");
        } else {
            d.checkUnordered("SMEMBERS", k);
            d.checkUnorderedPairs("HGETALL", k);
            d.checkUnordered("HVALS", k);
        }
    }

    private static String element(Random rnd) {
        return switch (rnd.nextInt(5)) {
            case 0 -> String.valueOf(rnd.nextInt(30));
            case 1 -> String.valueOf(rnd.nextInt(2000) - 1000);
            case 2 -> "e" + rnd.nextInt(15);
            case 3 -> "long-" + "x".repeat(rnd.nextInt(20));
            default -> String.valueOf(rnd.nextInt(12));
        };
    }
}
