package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.DifferentialTestBase;
import io.larder.testing.Encodings;
import io.larder.testing.TestConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SetCommandsTest extends DifferentialTestBase {

    private void encoding(String... keys) {
        for (String k : keys) Encodings.check(d, larder, k);
    }

    /** SMEMBERS compared byte for byte when Redis's order is defined (intset), else ignoring order. */
    private void members(String key) {
        if ("intset".equals(Encodings.larder(larder, key))) d.check("SMEMBERS", key);
        else d.checkUnordered("SMEMBERS", key);
    }

    @Test
    void addRemoveAndMembership() {
        d.script("""
                SADD s a b c
                SADD s a d
                SADD s a
                SCARD s
                SCARD nokey
                SISMEMBER s a
                SISMEMBER s z
                SISMEMBER nokey a
                SMISMEMBER s a z b
                SMISMEMBER nokey a b
                SREM s a z
                SREM s z
                SREM nokey a
                SREM s b c d
                EXISTS s
                SADD s x
                SREM s x y
                EXISTS s
                SADD s
                SREM s
                SISMEMBER s
                SMISMEMBER s
                SCARD
                SADD e ""
                SISMEMBER e ""
                SMEMBERS e
                SADD dup 3 3 1 3 1
                SMEMBERS dup
                SREM dup 3 3
                SMEMBERS dup
                """);
    }

    @Test
    void wrongType() {
        d.script("""
                SET str v
                HSET h f v
                SADD str a
                SREM str a
                SISMEMBER str a
                SMISMEMBER str a
                SCARD str
                SMEMBERS str
                SPOP str
                SPOP str 2
                SPOP str x
                SRANDMEMBER str
                SRANDMEMBER str 2
                SRANDMEMBER str x
                SSCAN str 0
                SSCAN str x
                SADD s a
                SINTER s str
                SINTER nokey str
                SINTER str nokey
                SINTERCARD 2 nokey str
                SINTERSTORE d s str
                SUNION s str
                SUNION nokey h
                SUNIONSTORE d s h
                SDIFF s str
                SDIFF str s
                SDIFF nokey str
                SDIFFSTORE d s str
                SMOVE str s a
                SMOVE s str a
                SMOVE nokey str a
                SMEMBERS s
                EXISTS d
                """);
    }

    @Test
    void intsetOrderAndEncodings() {
        d.script("""
                SADD s 5 -3 100 0 70000 -70000 3000000000 -3000000000 9223372036854775807 -9223372036854775808 7
                SMEMBERS s
                SISMEMBER s 70000
                SISMEMBER s 070000
                SISMEMBER s 3000000000
                SISMEMBER s x
                SREM s 070000 70000 x
                SMEMBERS s
                SADD i 1 2 3
                SADD i 32767
                SMEMBERS i
                SADD i -32768
                SMEMBERS i
                SADD i 2147483648
                SMEMBERS i
                SADD i -2147483649
                SMEMBERS i
                SADD n 9223372036854775808
                SADD z 007
                SADD m -0
                SADD p +1
                SADD q " 1"
                SADD r 1 a
                SADD t a 1
                ~ SMEMBERS r
                """);
        encoding("s", "i", "n", "z", "m", "p", "q", "r", "t");
        d.resp3();
        d.script("""
                SMEMBERS s
                SMEMBERS nokey
                ~ SMEMBERS t
                """);
    }

    @Test
    void intsetThresholdAtDefaultAndFromConfig() {
        for (int i = 0; i < 512; i++) d.exec("SADD", "s", String.valueOf(i * 7));
        encoding("s");
        d.check("SMEMBERS", "s");
        d.check("SADD", "s", "0");
        encoding("s");
        d.check("SADD", "s", "100000");
        encoding("s");
        d.checkUnordered("SMEMBERS", "s");
        d.check("SREM", "s", "100000", "0", "7");
        encoding("s");
        try {
            TestConfig.set(d, larder, "set-max-intset-entries", "3");
            d.check("SADD", "a", "1", "2", "3");
            encoding("a");
            d.check("SADD", "a", "4");
            encoding("a");
            d.check("SADD", "b", "1", "2", "3", "4");
            encoding("b");
            d.check("SADD", "c", "1");
            TestConfig.set(d, larder, "set-max-intset-entries", "0");
            encoding("c");
            d.check("SADD", "c", "1");
            encoding("c");
            d.check("SADD", "c", "2");
            encoding("c");
            d.check("SADD", "e", "5");
            encoding("e");
        } finally {
            TestConfig.set(d, larder, "set-max-intset-entries", "512");
        }
    }

    @Test
    void hashtableMembers() {
        StringBuilder cmd = new StringBuilder("SADD big");
        for (int i = 0; i < 700; i++) cmd.append(" m").append(i);
        d.script(cmd.toString());
        encoding("big");
        d.script("""
                SCARD big
                SISMEMBER big m5
                SISMEMBER big m700
                SMISMEMBER big m1 nope m699
                SREM big m1 m2 nope
                SCARD big
                ~ SMEMBERS big
                """);
        d.resp3();
        d.script("~ SMEMBERS big");
    }

    @Test
    void typeCopyAndRename() {
        d.exec("SADD", "i", "1", "2");
        d.exec("SADD", "t", "a", "b", "c");
        d.script("""
                TYPE i
                TYPE t
                COPY i i2
                COPY t t2
                SADD i 3
                SREM t a
                SMEMBERS i2
                ~ SMEMBERS t2
                SCARD t2
                COPY t i
                COPY t i REPLACE
                ~ SMEMBERS i
                RENAME t2 t3
                ~ SMEMBERS t3
                DEL t3 i2
                EXISTS t3 i2
                """);
        encoding("i", "t", "i2");
    }

    @Test
    void smove() {
        d.script("""
                SADD a 1 2 x
                SMOVE a b 1
                SMOVE a b 1
                SMOVE a b nope
                SMOVE nokey b 1
                SMOVE a a 2
                SMOVE a a nope
                SMEMBERS b
                SADD b 2
                SMOVE a b 2
                SMEMBERS b
                SMOVE a c x
                EXISTS a
                SMEMBERS c
                SMOVE c a x
                SMEMBERS a
                SADD d 10
                SMOVE d e 10
                EXISTS d
                SMEMBERS e
                SMOVE a b
                """);
        encoding("b", "c", "e");
        d.exec("SADD", "i", "1", "2");
        d.exec("SADD", "h", "a", "b");
        d.check("SMOVE", "h", "i", "a");
        encoding("i", "h");
        d.checkUnordered("SMEMBERS", "i");
    }

    @Test
    void intersection() {
        d.script("""
                SADD a 1 2 3 4 5
                SADD b 3 4 5 6
                SADD c 4 5 x
                SADD d x y
                SINTER a
                SINTER a b
                SINTER b a
                ~ SINTER a b c
                SINTER a nokey
                SINTER nokey a
                SINTER a a
                SINTER c d
                SINTER a d
                SINTERSTORE dst a b
                SMEMBERS dst
                SINTERSTORE dst a b c
                SMEMBERS dst
                SINTERSTORE dst a d
                EXISTS dst
                SINTERSTORE dst a nokey
                SINTERSTORE dst2 a nokey
                SET str v
                SINTERSTORE str a b
                SMEMBERS str
                SINTERSTORE dst c d
                SMEMBERS dst
                SINTERSTORE a a
                SMEMBERS a
                SINTER
                SINTERSTORE dst
                """);
        encoding("dst", "a");
        // The stored result has no TTL, whatever the target had.
        d.check("SET", "ttl", "v", "EX", "100");
        d.check("SINTERSTORE", "ttl", "a", "b");
        assertEquals(-1L, d.redis().call("TTL", "ttl"));
        assertEquals(-1L, Encodings.expireAt(larder, "ttl"));
        d.resp3();
        d.script("""
                SINTER a b
                SINTER a nokey
                SINTER c d
                """);
    }

    @Test
    void intersectionCardinality() {
        d.script("""
                SADD a 1 2 3 4 5
                SADD b 3 4 5 6
                SADD c a b c
                SINTERCARD 1 a
                SINTERCARD 2 a b
                SINTERCARD 2 a b LIMIT 0
                SINTERCARD 2 a b LIMIT 1
                SINTERCARD 2 a b LIMIT 2
                SINTERCARD 2 a b LIMIT 3
                SINTERCARD 2 a b LIMIT 100
                SINTERCARD 2 a b limit 1 LIMIT 2
                SINTERCARD 2 a nokey
                SINTERCARD 2 a c
                SINTERCARD 1 c LIMIT 2
                SINTERCARD 0 a
                SINTERCARD -1 a
                SINTERCARD x a
                SINTERCARD 3 a b
                SINTERCARD 2 a b LIMIT
                SINTERCARD 2 a b LIMIT -1
                SINTERCARD 2 a b LIMIT x
                SINTERCARD 2 a b FOO 1
                SINTERCARD 1 a b
                SINTERCARD 9223372036854775807 a
                SINTERCARD 1
                """);
    }

    @Test
    void unionAndDifference() {
        d.script("""
                SADD a 1 2 3
                SADD b 3 4 5
                SADD c 5 x
                SUNION a
                SUNION a b
                SUNION b a nokey
                SUNION nokey
                SDIFF a b
                SDIFF b a
                SDIFF a nokey
                SDIFF nokey a
                SDIFF a a
                SDIFF a b a
                SUNIONSTORE u a b
                SMEMBERS u
                SUNIONSTORE u nokey
                EXISTS u
                SDIFFSTORE df a b
                SMEMBERS df
                SDIFFSTORE df a a
                EXISTS df
                SUNION
                SDIFFSTORE df
                """);
        d.checkUnordered("SUNION", "a", "c");
        d.checkUnordered("SDIFF", "c", "a");
        d.check("SUNIONSTORE", "u", "a", "c");
        encoding("u");
        d.check("SDIFFSTORE", "df", "c", "a");
        encoding("df");
        d.resp3();
        d.script("""
                SUNION a b
                SDIFF a b
                SUNION nokey
                SDIFF nokey
                """);
    }

    @Test
    void differenceAlgorithmDecidesEncodingLikeRedis() {
        // Algorithm 2 (add the first set, remove the others) is chosen when the other
        // sets are small; a non-integer member that is then removed leaves a hashtable.
        d.exec("SADD", "a", "x", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        d.exec("SADD", "b", "x");
        d.exec("SADD", "c", "y");
        d.check("SDIFFSTORE", "r2", "a", "b", "c");
        encoding("r2");
        d.checkUnordered("SMEMBERS", "r2");
        // Algorithm 1 (probe the others) adds survivors only: an intset, sorted.
        d.exec("SADD", "big", "x", "y", "z", "w", "v", "u", "t", "s", "r", "q", "p", "o");
        d.check("SDIFFSTORE", "r1", "a", "big");
        encoding("r1");
        d.check("SDIFF", "a", "big");
        // A hashtable set of integers only: SUNION/SDIFF rebuild it as an intset (sorted reply),
        // SMEMBERS iterates the hashtable.
        d.exec("SADD", "h", "z", "30", "10", "20");
        d.exec("SREM", "h", "z");
        encoding("h");
        d.check("SUNION", "h");
        d.check("SDIFF", "h", "nokey");
        d.checkUnordered("SMEMBERS", "h");
        d.check("SUNIONSTORE", "hu", "h");
        encoding("hu");
    }

    @Test
    void popAndRandomMemberDeterministicReplies() {
        d.script("""
                SPOP nokey
                SPOP nokey 0
                SPOP nokey 3
                SPOP nokey -1
                SPOP nokey x
                SRANDMEMBER nokey
                SRANDMEMBER nokey 0
                SRANDMEMBER nokey 3
                SRANDMEMBER nokey -3
                SRANDMEMBER nokey x
                SADD s 3 1 2
                SPOP s 0
                SPOP s -1
                SPOP s x
                SPOP s 1.5
                SPOP s 1 2
                SPOP s 9223372036854775808
                SRANDMEMBER s 0
                SRANDMEMBER s 3
                SRANDMEMBER s 100
                SRANDMEMBER s 9223372036854775807
                SRANDMEMBER s -9223372036854775808
                SRANDMEMBER s -9223372036854775807x
                SRANDMEMBER s 1 2
                SRANDMEMBER s -0
                SPOP s -0
                SPOP s " 1"
                SRANDMEMBER s x
                SPOP s 3
                EXISTS s
                SADD s 3 1 2
                SPOP s 100
                EXISTS s
                SADD one only
                SPOP one
                EXISTS one
                SADD one only
                SRANDMEMBER one
                SRANDMEMBER one 1
                SRANDMEMBER one -3
                SPOP one 1
                EXISTS one
                """);
        d.resp3();
        d.script("""
                SPOP nokey
                SPOP nokey 0
                SPOP nokey 3
                SRANDMEMBER nokey
                SRANDMEMBER nokey 3
                SADD s 3 1 2
                SRANDMEMBER s 5
                SRANDMEMBER s 0
                SPOP s 0
                SPOP s 5
                SADD one only
                SPOP one 1
                SADD one only
                SRANDMEMBER one -2
                """);
    }

    @Test
    void popWithCountStrategiesLeaveRedisEncodings() {
        // A hashtable holding integers only: popping most of it (case 3) rebuilds the
        // remainder from its first member, an intset; popping a few (case 2) keeps it.
        for (String k : new String[] {"a", "b"}) {
            d.exec("SADD", k, "x");
            for (int i = 0; i < 20; i++) d.exec("SADD", k, String.valueOf(i));
            d.exec("SREM", k, "x");
        }
        d.exec("SPOP", "a", "18");
        d.exec("SPOP", "b", "2");
        encoding("a", "b");
        d.check("SCARD", "a");
        d.check("SCARD", "b");
        // Everything at once: the reply is the set rebuilt as SUNION would, sorted here.
        d.exec("SADD", "c", "x");
        for (int i = 0; i < 10; i++) d.exec("SADD", "c", String.valueOf(10 - i));
        d.exec("SREM", "c", "x");
        d.check("SPOP", "c", "10");
        d.check("EXISTS", "c");
    }

    @Test
    void scan() {
        d.script("""
                SSCAN nokey 0
                SADD i 3 1 2 10 20
                SSCAN i 0
                SSCAN i 0 MATCH 1*
                SSCAN i 0 MATCH *0 COUNT 1
                SSCAN i 7
                SSCAN i 0 COUNT 0
                SSCAN i 0 NOPE
                SSCAN i -1
                SSCAN i abc
                SADD h a b c ab
                """);
        // A small hashtable: everything in one call, in table order (compared as a set).
        assertEquals(HashCommandsTest.scanAll(d.redis(), "SSCAN", "h", "a*"),
                HashCommandsTest.scanAll(d.larder(), "SSCAN", "h", "a*"));
        d.resp3();
        d.script("SSCAN i 0");
        for (int i = 0; i < 1000; i++) d.exec("SADD", "big", "member:" + i);
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        do {
            List<?> reply = (List<?>) d.larder().call("SSCAN", "big", cursor, "COUNT", "25");
            cursor = (String) reply.get(0);
            for (Object o : (List<?>) reply.get(1)) assertTrue(seen.add((String) o), "twice: " + o);
        } while (!cursor.equals("0"));
        assertEquals(1000, seen.size());
        assertEquals(HashCommandsTest.scanAll(d.redis(), "SSCAN", "big", "member:2?"),
                HashCommandsTest.scanAll(d.larder(), "SSCAN", "big", "member:2?"));
    }

    /** SSCAN's guarantee while the set grows and shrinks between calls (resizes included). */
    @Test
    void scanReturnsStableMembersWhileTheSetChanges() {
        io.larder.testing.RespClient c = d.larder();
        List<String> add = new ArrayList<>(List.of("SADD", "s"));
        for (int i = 0; i < 3000; i++) add.add("stable:" + i);
        c.call(add.toArray(new String[0]));
        Random rnd = new Random(11);
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        int round = 0;
        do {
            List<?> reply = (List<?>) c.call("SSCAN", "s", cursor, "COUNT", "20");
            cursor = (String) reply.get(0);
            for (Object o : (List<?>) reply.get(1)) {
                assertTrue(seen.add((String) o), "twice: " + o);
            }
            // Grow to several times the size, then shrink back below it.
            List<String> churn = new ArrayList<>(List.of(round < 60 ? "SADD" : "SREM", "s"));
            for (int i = 0; i < 200; i++) churn.add("churn:" + rnd.nextInt(12000));
            c.call(churn.toArray(new String[0]));
            round++;
        } while (!cursor.equals("0"));
        for (int i = 0; i < 3000; i++) assertTrue(seen.contains("stable:" + i), "missed stable:" + i);
    }

    @Test
    void randomizedSequenceMatchesRedis() {
        Random rnd = new Random(7011);
        String[] keys = {"s1", "s2", "s3", "s4"};
        for (int step = 0; step < 3000; step++) {
            String k = keys[rnd.nextInt(keys.length)];
            String k2 = keys[rnd.nextInt(keys.length)];
            String k3 = keys[rnd.nextInt(keys.length)];
            switch (rnd.nextInt(14)) {
                case 0, 1, 2 -> d.check("SADD", k, member(rnd), member(rnd), member(rnd));
                case 3 -> d.check("SREM", k, member(rnd), member(rnd));
                case 4 -> d.check("SISMEMBER", k, member(rnd));
                case 5 -> d.check("SMISMEMBER", k, member(rnd), member(rnd));
                case 6 -> d.check("SCARD", k);
                case 7 -> d.check("SMOVE", k, k2, member(rnd));
                case 8 -> d.check("SINTERCARD", "2", k, k2);
                case 9 -> d.check("SINTERSTORE", "dst", k, k2);
                case 10 -> d.check(rnd.nextBoolean() ? "SUNIONSTORE" : "SDIFFSTORE", "dst", k, k2, k3);
                case 11 -> members(k);
                case 12 -> {
                    if (rnd.nextBoolean()) members("dst");
                    else d.check("SCARD", "dst");
                }
                default -> {
                    if ("intset".equals(Encodings.larder(larder, k))) d.check("SINTER", k, k);
                    else d.check("SCARD", k);
                }
            }
            if (step % 25 == 0) encoding("s1", "s2", "s3", "s4", "dst");
        }
    }

    private static String member(Random rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> "m" + rnd.nextInt(20);
            case 1 -> String.valueOf(rnd.nextInt(100000) - 50000);
            default -> String.valueOf(rnd.nextInt(40));
        };
    }

    @Test
    void largeSetOperationsAreFast() {
        // 200k members each (1M is in CollectionScaleTest): a pipelined build, then SINTER of
        // a small set with a large one must cost the small one's size.
        List<String> cmd = new ArrayList<>(List.of("SADD", "large"));
        for (int i = 0; i < 200_000; i++) cmd.add("m" + i);
        d.exec(cmd.toArray(new String[0]));
        d.exec("SADD", "small", "m5", "m77", "zzz");
        long t0 = System.nanoTime();
        for (int i = 0; i < 200; i++) d.larder().call("SINTER", "small", "large");
        long perCallUs = (System.nanoTime() - t0) / 200 / 1000;
        assertTrue(perCallUs < 2000, "SINTER small large took " + perCallUs + "us");
        d.checkUnordered("SINTER", "large", "small");
        d.check("SINTERCARD", "2", "large", "small");
    }
}
