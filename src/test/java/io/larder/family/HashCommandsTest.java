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

class HashCommandsTest extends DifferentialTestBase {

    private void encoding(String... keys) {
        for (String k : keys) Encodings.check(d, larder, k);
    }

    @Test
    void setAndGet() {
        d.script("""
                HSET h f v
                HSET h f v2 g w
                HGET h f
                HGET h g
                HGET h missing
                HGET nokey f
                HSET h a
                HSET h a 1 b
                HSET h
                HMSET h x 1 y 2
                HMSET h x
                HMSET h x 1 y
                HMGET h f g x nofield
                HMGET nokey a b
                HMGET h
                HSETNX h f other
                HSETNX h new 1
                HSETNX h2 f v
                HGET h new
                HSETNX h f
                HLEN h
                HLEN nokey
                HEXISTS h f
                HEXISTS h nofield
                HEXISTS nokey f
                HSTRLEN h f
                HSTRLEN h x
                HSTRLEN h nofield
                HSTRLEN nokey f
                HSET h empty ""
                HGET h empty
                HSTRLEN h empty
                HSET h "" emptyfield
                HGET h ""
                HGETALL h
                HKEYS h
                HVALS h
                HSET dup f 1 f 2 g 3 f 4
                HGETALL dup
                HMSET dup g 5 g 6
                HGETALL dup
                """);
        encoding("h");
    }

    @Test
    void integerLikeValuesRoundTrip() {
        d.script("""
                HSET h a 1 b -1 c 007 d 9223372036854775807 e -9223372036854775808 f 9223372036854775808 g 1.5
                HSET h h " 1" i 0 j -0 k +1 l 12345678901234567890
                HGETALL h
                HSTRLEN h c
                HSTRLEN h e
                HSTRLEN h j
                HMGET h a b c d e f g h i j k l
                """);
    }

    @Test
    void wrongType() {
        d.script("""
                SET s v
                HSET s f v
                HMSET s f v
                HSETNX s f v
                HGET s f
                HMGET s f
                HGETALL s
                HKEYS s
                HVALS s
                HDEL s f
                HEXISTS s f
                HLEN s
                HSTRLEN s f
                HINCRBY s f 1
                HINCRBY s f x
                HRANDFIELD s
                HRANDFIELD s 1
                HRANDFIELD s -1 WITHVALUES
                HRANDFIELD s x
                HSCAN s 0
                HSCAN s x
                HSCAN s 0 COUNT 0
                GET s
                """);
    }

    @Test
    void getAllOrderAndResp3() {
        d.script("""
                HGETALL nokey
                HKEYS nokey
                HVALS nokey
                HSET h z 1 a 2 m 3 b 4
                HGETALL h
                HKEYS h
                HVALS h
                HSET h a 5
                HDEL h z
                HSET h z 6
                HGETALL h
                """);
        d.resp3();
        d.script("""
                HGETALL nokey
                HKEYS nokey
                HVALS nokey
                HGETALL h
                HKEYS h
                HVALS h
                HMGET h a nofield
                HGET h nofield
                HMGET nokey a
                """);
    }

    @Test
    void delete() {
        d.script("""
                HDEL nokey f
                HSET h a 1 b 2 c 3
                HDEL h x
                HDEL h a a
                HDEL h b x c
                EXISTS h
                HSET h a 1 b 2
                HDEL h a b c
                EXISTS h
                HDEL h
                """);
    }

    @Test
    void incrBy() {
        d.script("""
                HINCRBY h f 5
                HINCRBY h f -10
                HINCRBY h f 0
                HGET h f
                HINCRBY h g x
                HINCRBY h g 1.5
                HINCRBY h g 99999999999999999999
                EXISTS h2
                HINCRBY h2 f x
                EXISTS h2
                HSET h s abc n 007 big 9223372036854775807 small -9223372036854775808 sp " 1"
                HINCRBY h s 1
                HINCRBY h n 1
                HINCRBY h sp 1
                HINCRBY h big 1
                HINCRBY h big 0
                HINCRBY h big -1
                HINCRBY h small -1
                HINCRBY h small 1
                HINCRBY h new -9223372036854775808
                HINCRBY h new -1
                HGETALL h
                HINCRBY h f
                """);
        encoding("h");
    }

    @Test
    void incrByFloat() {
        d.script("""
                HINCRBYFLOAT h f 10.5
                HINCRBYFLOAT h f 0.1
                HINCRBYFLOAT h f -5
                HINCRBYFLOAT h f 1e3
                HINCRBYFLOAT h f 5.0e3
                HINCRBYFLOAT h f 1e-20
                HINCRBYFLOAT h f -0.0000000001
                HINCRBYFLOAT h f 0x10
                HINCRBYFLOAT h f +1.5
                HINCRBYFLOAT h f .5
                HINCRBYFLOAT h f 5.
                HINCRBYFLOAT h f x
                HINCRBYFLOAT h f ""
                HINCRBYFLOAT h f " 1"
                HINCRBYFLOAT h f "1 "
                HINCRBYFLOAT h f inf
                HINCRBYFLOAT h f -inf
                HINCRBYFLOAT h f Infinity
                HINCRBYFLOAT h f nan
                HINCRBYFLOAT h f 1e5000
                HGET h f
                HSET h s abc i 5 neg -7 sp " 2" inf inf z 0
                HINCRBYFLOAT h s 1
                HINCRBYFLOAT h sp 1
                HINCRBYFLOAT h i 1.5
                HINCRBYFLOAT h neg 0.25
                HINCRBYFLOAT h inf 1
                HINCRBYFLOAT h z -0
                HINCRBYFLOAT h z -0.0
                HINCRBYFLOAT h big 1e308
                HINCRBYFLOAT h big 1e308
                HINCRBYFLOAT h big 1e4930
                HINCRBYFLOAT h big 1e4932
                HINCRBYFLOAT h big -1e4932
                HINCRBYFLOAT h tiny 1e-4950
                HINCRBYFLOAT h m 9223372036854775807
                HINCRBYFLOAT h m 1
                ~~ HGETALL h
                EXISTS h2
                HINCRBYFLOAT h2 f x
                HINCRBYFLOAT h2 f inf
                EXISTS h2
                SET str v
                HINCRBYFLOAT str f 1
                HINCRBYFLOAT str f x
                HINCRBYFLOAT h f
                """);
        encoding("h");
        d.check("HINCRBYFLOAT", "long", "f".repeat(70), "1.5");
        encoding("long");
        d.resp3();
        d.check("HINCRBYFLOAT", "h", "i", "0.5");
    }

    @Test
    void incrByFloatRandomSums() {
        java.util.Random rnd = new java.util.Random(314);
        for (int i = 0; i < 400; i++) {
            String v = switch (rnd.nextInt(4)) {
                case 0 -> String.valueOf(rnd.nextInt(2000) - 1000);
                case 1 -> String.valueOf(rnd.nextDouble() * 1000 - 500);
                case 2 -> (rnd.nextInt(200) - 100) + "." + rnd.nextInt(1000);
                default -> rnd.nextInt(9) + "e" + (rnd.nextInt(40) - 20);
            };
            d.check("HINCRBYFLOAT", "h", "f" + rnd.nextInt(5), v);
        }
        d.check("HGETALL", "h");
    }

    @Test
    void listpackThresholdsAtDefaults() {
        String v64 = "v".repeat(64), v65 = "v".repeat(65);
        d.check("HSET", "a", "f", v64);
        encoding("a");
        d.check("HSET", "a", "g", v65);
        encoding("a");
        d.check("HSET", "b", "f".repeat(64), "v");
        encoding("b");
        d.check("HSET", "c", "f".repeat(65), "v");
        encoding("c");
        // A long argument converts even when it only updates, and even when it is not the first pair.
        d.check("HSET", "d", "f", "v", "g", "w");
        d.check("HSET", "d", "f", "v", "g", v65);
        encoding("d");
        // HSETNX converts only when it sets.
        d.check("HSET", "e", "f", "v");
        d.check("HSETNX", "e", "f", v65);
        encoding("e");
        d.check("HSETNX", "e", "g", v65);
        encoding("e");
        // HINCRBY on a long field name converts (hashTypeSet's own check).
        d.check("HINCRBY", "i", "f".repeat(70), "1");
        encoding("i");
        d.check("HGETALL", "i");
        for (int i = 0; i < 512; i++) d.exec("HSET", "n", "f" + i, "v" + i);
        encoding("n");
        d.check("HGETALL", "n");
        d.check("HSET", "n", "f0", "again");
        encoding("n");
        d.check("HSET", "n", "f512", "v");
        encoding("n");
        d.checkUnorderedPairs("HGETALL", "n");
        d.check("HDEL", "n", "f512", "f511");
        encoding("n");
        d.check("HLEN", "n");
    }

    @Test
    void listpackThresholdsFollowConfig() {
        try {
            TestConfig.set(d, larder, "hash-max-listpack-entries", "3");
            TestConfig.set(d, larder, "hash-max-listpack-value", "5");
            d.check("HSET", "a", "1", "1", "2", "2", "3", "3");
            encoding("a");
            d.check("HSET", "a", "4", "4");
            encoding("a");
            d.check("HSET", "b", "1", "1", "2", "2", "3", "3", "4", "4");
            encoding("b");
            d.check("HSET", "c", "12345", "12345");
            encoding("c");
            d.check("HSET", "c", "x", "123456");
            encoding("c");
            d.check("HINCRBY", "e", "f", "99999");
            encoding("e");
            d.check("HINCRBY", "e", "f", "1");
            encoding("e");
            TestConfig.set(d, larder, "hash-max-listpack-entries", "0");
            d.check("HSET", "z", "f", "v");
            encoding("z");
            d.check("HSETNX", "y", "f", "v");
            encoding("y");
            d.check("HINCRBY", "x", "f", "1");
            encoding("x");
            // Existing listpacks convert only when written to.
            TestConfig.set(d, larder, "hash-max-listpack-entries", "1");
            d.check("HSET", "w", "f", "v");
            encoding("w");
            TestConfig.set(d, larder, "hash-max-listpack-entries", "0");
            encoding("w");
            d.check("HSET", "w", "f", "v2");
            encoding("w");
            d.check("HSET", "w", "g", "v");
            encoding("w");
        } finally {
            TestConfig.set(d, larder, "hash-max-listpack-entries", "512");
            TestConfig.set(d, larder, "hash-max-listpack-value", "64");
        }
    }

    @Test
    void typeCopyAndRename() {
        StringBuilder big = new StringBuilder("HSET big");
        for (int i = 0; i < 600; i++) big.append(" f").append(i).append(" v").append(i);
        d.script(big.toString());
        d.script("""
                HSET small a 1 b 2
                TYPE small
                TYPE big
                COPY small small2
                COPY big big2
                HSET small a changed
                HSET big f1 changed
                HDEL big f2
                HGETALL small2
                HGET big2 f1
                HGET big2 f2
                HLEN big2
                RENAME small2 small3
                HGETALL small3
                """);
        encoding("small", "big", "big2", "small3");
    }

    @Test
    void hashtableEncodingCommands() {
        StringBuilder cmd = new StringBuilder("HSET big");
        for (int i = 0; i < 600; i++) cmd.append(" f").append(i).append(' ').append(i);
        d.script(cmd.toString());
        encoding("big");
        d.script("""
                HLEN big
                HGET big f10
                HGET big f599
                HGET big f600
                HMGET big f1 f2 nofield f3
                HEXISTS big f300
                HSTRLEN big f300
                HINCRBY big f5 10
                HSETNX big f5 1
                HSETNX big new 1
                HDEL big f1 f2 nofield
                HLEN big
                ~~ HGETALL big
                ~ HKEYS big
                ~ HVALS big
                """);
        d.resp3();
        d.script("""
                ~~ HGETALL big
                ~ HKEYS big
                """);
    }

    @Test
    void randomFieldDeterministicReplies() {
        d.script("""
                HRANDFIELD nokey
                HRANDFIELD nokey 5
                HRANDFIELD nokey -5
                HRANDFIELD nokey 0 WITHVALUES
                HRANDFIELD nokey 5 WITHVALUES
                HSET h a 1 b 2 c 3
                HRANDFIELD h 0
                HRANDFIELD h 0 WITHVALUES
                HRANDFIELD h 3
                HRANDFIELD h 10
                HRANDFIELD h 3 WITHVALUES
                HRANDFIELD h 100 WITHVALUES
                HRANDFIELD h 9223372036854775807
                HRANDFIELD h x
                HRANDFIELD h 1.5
                HRANDFIELD h -0
                HRANDFIELD h 01
                HRANDFIELD h -9223372036854775808
                HRANDFIELD h 1 WITHVALUE
                HRANDFIELD h 1 WITHVALUES x
                HRANDFIELD h 4611686018427387903 WITHVALUES
                HRANDFIELD h 4611686018427387904 WITHVALUES
                HRANDFIELD h -4611686018427387904 WITHVALUES
                HRANDFIELD nokey 4611686018427387904 WITHVALUES
                HRANDFIELD nokey x
                """);
        d.resp3();
        d.script("""
                HRANDFIELD nokey
                HRANDFIELD nokey 5
                HRANDFIELD h 0
                HRANDFIELD h 10
                HRANDFIELD h 10 WITHVALUES
                """);
        d.exec("HSET", "one", "f", "v");
        d.script("""
                HRANDFIELD one
                HRANDFIELD one 1
                HRANDFIELD one -3
                HRANDFIELD one 1 WITHVALUES
                HRANDFIELD one -2 WITHVALUES
                """);
    }

    @Test
    void scanCompactEncoding() {
        d.script("""
                HSCAN nokey 0
                HSCAN nokey 0 COUNT 0
                HSCAN nokey x
                HSET h a 1 b 2 ab 3 ba 4
                HSCAN h 0
                HSCAN h 5
                HSCAN h 0 MATCH a*
                HSCAN h 0 MATCH *a
                HSCAN h 0 MATCH nothing
                HSCAN h 0 MATCH *
                HSCAN h 0 COUNT 1
                HSCAN h 0 COUNT 1 MATCH b* COUNT 100
                HSCAN h 0 COUNT 0
                HSCAN h 0 COUNT -1
                HSCAN h 0 COUNT x
                HSCAN h 0 COUNT
                HSCAN h 0 MATCH
                HSCAN h 0 FOO bar
                HSCAN h 0 TYPE string
                HSCAN h -1
                HSCAN h +0
                HSCAN h ""
                HSCAN h " 0"
                HSCAN h 0x
                HSCAN h 18446744073709551615
                HSCAN h 18446744073709551616
                HSCAN h -18446744073709551615
                HSCAN h 1.5
                HSCAN h -
                """);
        d.resp3();
        d.script("""
                HSCAN h 0
                HSCAN nokey 0
                """);
    }

    @Test
    void scanHashtableReturnsEverythingOnce() {
        int n = 1000;
        for (int i = 0; i < n; i += 100) {
            List<String> cmd = new ArrayList<>(List.of("HSET", "h"));
            for (int j = i; j < i + 100; j++) {
                cmd.add("field:" + j);
                cmd.add("value:" + j);
            }
            d.exec(cmd.toArray(new String[0]));
        }
        encoding("h");
        for (String count : new String[] {"1", "10", "100", "5000"}) {
            Set<String> seen = new HashSet<>();
            String cursor = "0";
            int calls = 0;
            do {
                List<?> reply = (List<?>) d.larder().call("HSCAN", "h", cursor, "COUNT", count);
                cursor = (String) reply.get(0);
                List<?> items = (List<?>) reply.get(1);
                for (int i = 0; i < items.size(); i += 2) {
                    String f = (String) items.get(i);
                    assertEquals("value:" + f.substring(6), items.get(i + 1));
                    assertTrue(seen.add(f), "returned twice: " + f + " count " + count + " cursor " + cursor + " call " + calls);
                }
                calls++;
            } while (!cursor.equals("0"));
            assertEquals(n, seen.size());
            if (count.equals("10")) assertTrue(calls > 20 && calls < 400, "calls " + calls);
        }
        // MATCH filters what COUNT visited; the union still equals Redis's.
        Set<String> larderMatched = scanAll(d.larder(), "HSCAN", "h", "field:1*");
        Set<String> redisMatched = scanAll(d.redis(), "HSCAN", "h", "field:1*");
        assertEquals(redisMatched, larderMatched);
        assertEquals(111, larderMatched.size() / 2);
    }

    static Set<String> scanAll(io.larder.testing.RespClient c, String cmd, String key, String pattern) {
        Set<String> all = new HashSet<>();
        String cursor = "0";
        do {
            List<?> reply = (List<?>) c.call(cmd, key, cursor, "MATCH", pattern, "COUNT", "7");
            cursor = (String) reply.get(0);
            for (Object o : (List<?>) reply.get(1)) all.add((String) o);
        } while (!cursor.equals("0"));
        return all;
    }

    @Test
    void randomizedSequenceMatchesRedis() {
        Random rnd = new Random(20261126);
        String[] keys = {"h1", "h2", "h3"};
        for (int step = 0; step < 3000; step++) {
            String k = keys[rnd.nextInt(keys.length)];
            String f = field(rnd);
            switch (rnd.nextInt(12)) {
                case 0, 1 -> d.check("HSET", k, f, value(rnd), field(rnd), value(rnd));
                case 2 -> d.check("HSETNX", k, f, value(rnd));
                case 3 -> d.check("HGET", k, f);
                case 4 -> d.check("HDEL", k, f, field(rnd));
                case 5 -> d.check("HINCRBY", k, "n" + rnd.nextInt(5), String.valueOf(rnd.nextInt(200) - 100));
                case 6 -> d.check("HMGET", k, f, field(rnd), "n1");
                case 7 -> d.check("HLEN", k);
                case 8 -> d.check("HSTRLEN", k, f);
                case 9 -> d.check("HEXISTS", k, f);
                case 10 -> {
                    if ("listpack".equals(Encodings.larder(larder, k))) d.check("HGETALL", k);
                    else d.checkUnorderedPairs("HGETALL", k);
                }
                default -> {
                    if (rnd.nextInt(20) == 0) d.check("DEL", k);
                    else d.check("HSET", k, f, "x".repeat(rnd.nextInt(80)));
                }
            }
            if (step % 50 == 0) {
                for (String key : keys) encoding(key);
            }
        }
    }

    private static String field(Random rnd) {
        return rnd.nextInt(10) == 0 ? "f" + rnd.nextInt(1000) : "f" + rnd.nextInt(30);
    }

    private static String value(Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> String.valueOf(rnd.nextInt(1000) - 500);
            case 1 -> "v" + rnd.nextInt(100);
            case 2 -> "";
            default -> "x".repeat(rnd.nextInt(70));
        };
    }
}
