package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.store.ListValue;
import io.larder.store.Lookup;
import io.larder.testing.DifferentialTestBase;
import io.larder.testing.KeyEvents;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RespClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every list command, option and error path, compared with Redis 7.0. */
class ListCommandsTest extends DifferentialTestBase {

    @Test
    void pushAndPushx() {
        d.script("""
                LPUSH l a
                LPUSH l b c d
                RPUSH l e f
                LRANGE l 0 -1
                LPUSHX l x
                RPUSHX l y z
                LPUSHX missing x
                RPUSHX missing x
                EXISTS missing
                LRANGE l 0 -1
                LLEN l
                LLEN missing
                LPUSH n 1 -1 127 128 4095 4096 -4097 32767 32768 8388608 2147483648 9223372036854775807 -9223372036854775808
                RPUSH n 01 -0 +1 " 1" 1.5 9223372036854775808 ""
                LRANGE n 0 -1
                LPUSH
                LPUSH l
                RPUSHX l
                SET s v
                LPUSH s a
                RPUSH s a
                LPUSHX s a
                RPUSHX s a
                LLEN s
                """);
    }

    @Test
    void popWithAndWithoutCount() {
        d.script("""
                RPUSH l a b c d e f g
                LPOP l
                RPOP l
                LPOP l 2
                RPOP l 2
                LPOP l 0
                RPOP l 0
                LPOP l 10
                EXISTS l
                LPOP l
                RPOP l
                LPOP l 0
                RPOP l 3
                LPOP l -1
                LPOP l x
                LPOP l 1 2
                RPOP l 1 2
                RPUSH l 1 2 3
                RPOP l 5
                SET s v
                LPOP s
                RPOP s 1
                LPOP s 0
                LPOP s -1
                """);
    }

    @Test
    void rangeIndexAndSet() {
        d.script("""
                RPUSH l a b c d e
                LRANGE l 0 -1
                LRANGE l 1 2
                LRANGE l -2 -1
                LRANGE l -100 100
                LRANGE l 3 1
                LRANGE l 5 10
                LRANGE l -1 -2
                LRANGE l 0 -9223372036854775808
                LRANGE l -9223372036854775808 9223372036854775807
                LRANGE l a 1
                LRANGE l 0 b
                LRANGE missing 0 -1
                LRANGE missing a b
                LINDEX l 0
                LINDEX l -1
                LINDEX l 4
                LINDEX l 5
                LINDEX l -6
                LINDEX l abc
                LINDEX missing 0
                LINDEX missing abc
                LSET l 0 A
                LSET l -1 E
                LSET l 2 12345
                LSET l 5 x
                LSET l -6 x
                LSET l abc x
                LSET missing 0 x
                LRANGE l 0 -1
                SET s v
                LRANGE s 0 1
                LRANGE s a 1
                LINDEX s 0
                LINDEX s a
                LSET s 0 a
                LSET s a a
                """);
    }

    @Test
    void insertRemoveTrim() {
        d.script("""
                RPUSH l a b c b a
                LINSERT l BEFORE b x
                LINSERT l after b y
                LINSERT l before zz q
                LINSERT l middle a q
                LINSERT missing before a b
                LINSERT missing middle a b
                LRANGE l 0 -1
                LREM l 1 b
                LREM l -1 a
                LREM l 0 zz
                LRANGE l 0 -1
                RPUSH r a x a x a x a
                LREM r -2 a
                LRANGE r 0 -1
                LREM r 0 x
                LRANGE r 0 -1
                LREM r 0 a
                EXISTS r
                LREM r 1 a
                LREM r abc a
                LREM missing abc a
                RPUSH n 1 01 1 100 1
                LREM n 0 1
                LRANGE n 0 -1
                RPUSH t a b c d e f
                LTRIM t 1 -2
                LRANGE t 0 -1
                LTRIM t -2 100
                LRANGE t 0 -1
                LTRIM t 5 10
                EXISTS t
                LTRIM missing 0 1
                LTRIM missing a 1
                RPUSH t a b c
                LTRIM t a 1
                LTRIM t 0 b
                LTRIM t 2 1
                EXISTS t
                SET s v
                LINSERT s before a x
                LINSERT s middle a x
                LREM s 0 a
                LTRIM s 0 1
                """);
    }

    @Test
    void lposOptions() {
        d.script("""
                RPUSH l a b c a b c a 1 01 1
                LPOS l a
                LPOS l c
                LPOS l z
                LPOS l a RANK 2
                LPOS l a RANK -1
                LPOS l a RANK -3
                LPOS l a RANK 4
                LPOS l a COUNT 0
                LPOS l a COUNT 2
                LPOS l a COUNT 2 RANK 2
                LPOS l a COUNT 0 RANK -1
                LPOS l a COUNT 0 MAXLEN 4
                LPOS l a RANK -1 COUNT 2 MAXLEN 2
                LPOS l a MAXLEN 1
                LPOS l c MAXLEN 1
                LPOS l 1 COUNT 0
                LPOS l 01
                LPOS l z COUNT 3
                LPOS l a RANK 0
                LPOS l a RANK abc
                LPOS l a RANK 9223372036854775807
                LPOS l a RANK -9223372036854775808
                LPOS l a RANK -9223372036854775808 COUNT 1
                LPOS l a COUNT -1
                LPOS l a COUNT abc
                LPOS l a MAXLEN -1
                LPOS l a MAXLEN abc
                LPOS l a COUNT
                LPOS l a FOO 1
                LPOS l a count 1 count 2
                LPOS missing a
                LPOS missing a COUNT 1
                LPOS missing a RANK 0
                SET s v
                LPOS s a
                LPOS s a RANK 0
                """);
    }

    @Test
    void moveAndRpoplpush() {
        d.script("""
                RPUSH src a b c
                LMOVE src dst LEFT RIGHT
                LMOVE src dst RIGHT LEFT
                LMOVE src dst left left
                LRANGE dst 0 -1
                EXISTS src
                LMOVE src dst LEFT RIGHT
                LMOVE dst dst LEFT RIGHT
                LRANGE dst 0 -1
                LMOVE dst dst RIGHT LEFT
                LRANGE dst 0 -1
                RPOPLPUSH dst other
                RPOPLPUSH dst other
                RPOPLPUSH dst other
                RPOPLPUSH dst other
                LRANGE other 0 -1
                RPUSH one x
                RPOPLPUSH one one
                LMOVE one one LEFT LEFT
                LRANGE one 0 -1
                LMOVE one two MIDDLE LEFT
                LMOVE one two LEFT MIDDLE
                SET s v
                LMOVE s one LEFT LEFT
                LMOVE one s LEFT LEFT
                LMOVE missing s LEFT LEFT
                LMOVE one s MIDDLE LEFT
                RPOPLPUSH s one
                RPOPLPUSH one s
                LRANGE one 0 -1
                """);
    }

    @Test
    void lmpop() {
        d.script("""
                RPUSH a 1 2 3
                RPUSH b 4 5 6
                LMPOP 2 empty a LEFT
                LMPOP 2 a b RIGHT COUNT 2
                LMPOP 2 a b RIGHT COUNT 10
                LMPOP 1 b left count 1
                LMPOP 3 x y z LEFT
                LMPOP 0 a LEFT
                LMPOP -1 a LEFT
                LMPOP abc a LEFT
                LMPOP 2 a LEFT
                LMPOP 1 a UP
                LMPOP 1 a LEFT COUNT
                LMPOP 1 a LEFT COUNT 0
                LMPOP 1 a LEFT COUNT -1
                LMPOP 1 a LEFT COUNT x
                LMPOP 1 a LEFT COUNT 1 COUNT 1
                LMPOP 1 a LEFT FOO
                LMPOP 9223372036854775807 a LEFT
                LMPOP 4611686018427387904 a LEFT
                SET s v
                LMPOP 2 missing s LEFT
                RPUSH c x
                LMPOP 2 c s LEFT
                """);
    }

    @Test
    void blockingCommandsThatDoNotBlock() {
        // Data present, or an error: these reply at once, exactly like Redis.
        d.script("""
                RPUSH a 1 2 3 4 5 6 7 8
                BLPOP missing a 0
                BRPOP a 0
                BLPOP a 0.5
                BLMOVE a b LEFT RIGHT 0
                BRPOPLPUSH b a 0
                BLMPOP 0 2 missing a RIGHT COUNT 5
                EXISTS a
                LRANGE b 0 -1
                BLPOP k -1
                BLPOP k abc
                BLPOP k " 1"
                BLPOP k ""
                BLPOP k nan
                BLPOP k -inf
                BLPOP k inf
                BLPOP k 1e20
                BLPOP k 9223372036854775807
                BRPOP k -0.5
                BLMOVE a b MIDDLE LEFT 0
                BLMOVE a b LEFT MIDDLE abc
                BLMOVE a b LEFT LEFT abc
                BLMOVE a b LEFT LEFT -1
                BRPOPLPUSH a b x
                BLMPOP 0 0 a LEFT
                BLMPOP abc 0 a LEFT
                BLMPOP abc 1 a UP
                BLMPOP abc 1 a LEFT
                BLMPOP -1 1 a LEFT
                BLMPOP 0 2 a LEFT
                BLMPOP 0 1 a LEFT COUNT 0
                BLMPOP 0 1 a LEFT COUNT 2 COUNT 2
                BLMPOP 0 1 a LEFT COUNT
                BLPOP
                BLPOP k
                SET s v
                BLPOP s 0
                BLPOP missing s 0
                BRPOP s 0
                BLMOVE s b LEFT LEFT 0
                BRPOPLPUSH s b 0
                BLMPOP 0 1 s LEFT
                RPUSH c x
                BLMOVE c s LEFT LEFT 0
                LRANGE c 0 -1
                """);
    }

    @Test
    void blockingTimeoutsReplyLikeRedis() {
        d.script("""
                BLPOP k 0.01
                BRPOP k j 0.01
                BLMOVE a b LEFT LEFT 0.01
                BRPOPLPUSH a b 0.01
                BLMPOP 0.01 1 a LEFT
                BLPOP k 1.5e-3
                """);
        d.resp3();
        d.script("""
                BLPOP k 0.01
                BLMOVE a b LEFT LEFT 0.01
                BLMPOP 0.01 2 a b RIGHT COUNT 3
                """);
    }

    @Test
    void clientUnblockErrors() {
        d.script("""
                CLIENT UNBLOCK
                CLIENT UNBLOCK abc
                CLIENT UNBLOCK 999999
                CLIENT UNBLOCK 999999 timeout
                CLIENT UNBLOCK 999999 ERROR
                CLIENT UNBLOCK 999999 foo
                CLIENT UNBLOCK abc foo
                CLIENT UNBLOCK -1
                CLIENT UNBLOCK 1 2 3
                client Unblock 1 2 3
                """);
    }

    @Test
    void resp3Replies() {
        d.resp3();
        d.script("""
                RPUSH l a b 3
                LRANGE l 0 -1
                LPOP l
                LPOP l 5
                LPOP l
                LPOP l 2
                LINDEX l 0
                LPOS l a
                LPOS l a COUNT 0
                RPUSH l x
                LMPOP 1 l LEFT
                LMPOP 1 l LEFT
                LMOVE l m LEFT LEFT
                """);
    }

    @Test
    void binaryAndLargeValues() {
        byte[] big = new byte[100_000];
        new Random(7).nextBytes(big);
        byte[] mid = new byte[3000];
        new Random(8).nextBytes(mid);
        byte[] k = "bin".getBytes(StandardCharsets.ISO_8859_1);
        d.check("RPUSH".getBytes(), k, big, mid, new byte[] {0, 1, 2, '\r', '\n'}, new byte[0]);
        d.check("LRANGE".getBytes(), k, "0".getBytes(), "-1".getBytes());
        d.check("LPOS".getBytes(), k, mid);
        d.check("LINSERT".getBytes(), k, "BEFORE".getBytes(), mid, big);
        d.check("LREM".getBytes(), k, "0".getBytes(), big);
        d.check("LSET".getBytes(), k, "0".getBytes(), new byte[0]);
        d.check("LRANGE".getBytes(), k, "0".getBytes(), "-1".getBytes());
    }

    /** Long lists cross node boundaries: every operation near and across them, for several node sizes. */
    @Test
    void longListsAcrossNodes() {
        StringBuilder s = new StringBuilder("RPUSH big");
        for (int i = 0; i < 3000; i++) s.append(' ').append(i % 7 == 0 ? "value-" + i : Integer.toString(i));
        d.script(s + "\n" + """
                LLEN big
                LINDEX big 1500
                LINDEX big -1500
                LRANGE big 1000 1020
                LRANGE big -30 -1
                LSET big 1501 a-much-longer-value-than-before-to-force-the-node-to-grow-past-its-limit
                LINSERT big BEFORE value-700 inserted
                LINSERT big AFTER 2999 inserted
                LREM big 0 inserted
                LREM big -3 value-2996
                LPOS big 1400 RANK 1
                LPOS big 1 COUNT 0 MAXLEN 100
                LTRIM big 100 -100
                LRANGE big 0 5
                LRANGE big -5 -1
                LLEN big
                LPOP big 50
                RPOP big 50
                LMPOP 1 big RIGHT COUNT 700
                LLEN big
                """);
    }

    /** A fixed-seed random sequence of list commands against both servers. */
    @Test
    void randomizedSequence() {
        Random r = new Random(20261126);
        String[] keys = {"l1", "l2", "l3"};
        String[] vals = {"a", "b", "c", "1", "2", "100", "-5", "01", "x".repeat(70), "y".repeat(5000), ""};
        for (int step = 0; step < 3000; step++) {
            String k = keys[r.nextInt(keys.length)];
            String k2 = keys[r.nextInt(keys.length)];
            String v = vals[r.nextInt(vals.length)];
            String side = r.nextBoolean() ? "LEFT" : "RIGHT";
            String side2 = r.nextBoolean() ? "LEFT" : "RIGHT";
            int i = r.nextInt(30) - 15;
            int j = r.nextInt(30) - 15;
            List<String> cmd = switch (r.nextInt(20)) {
                case 0, 1, 2 -> List.of("RPUSH", k, v, vals[r.nextInt(vals.length)]);
                case 3, 4 -> List.of("LPUSH", k, v);
                case 5 -> List.of(r.nextBoolean() ? "LPUSHX" : "RPUSHX", k, v);
                case 6 -> r.nextBoolean() ? List.of("LPOP", k) : List.of("RPOP", k, "" + r.nextInt(4));
                case 7 -> List.of("LRANGE", k, "" + i, "" + j);
                case 8 -> List.of("LINDEX", k, "" + i);
                case 9 -> List.of("LSET", k, "" + i, v);
                case 10 -> List.of("LINSERT", k, r.nextBoolean() ? "BEFORE" : "AFTER", v, vals[r.nextInt(vals.length)]);
                case 11 -> List.of("LREM", k, "" + (r.nextInt(5) - 2), v);
                case 12 -> List.of("LTRIM", k, "" + i, "" + j);
                case 13 -> List.of("LPOS", k, v, "RANK", "" + (r.nextBoolean() ? 1 + r.nextInt(3) : -1 - r.nextInt(3)),
                        "COUNT", "" + r.nextInt(3), "MAXLEN", "" + r.nextInt(20));
                case 14 -> List.of("LMOVE", k, k2, side, side2);
                case 15 -> List.of("RPOPLPUSH", k, k2);
                case 16 -> List.of("LMPOP", "2", k, k2, side, "COUNT", "" + (1 + r.nextInt(3)));
                case 17 -> List.of("BLMPOP", "0", "2", k, k2, side);
                case 18 -> List.of("LLEN", k);
                default -> List.of("LRANGE", k, "0", "-1");
            };
            if (cmd.get(0).equals("BLMPOP")) {
                // Only when something is there: an empty BLMPOP would block for ever.
                long len = (Long) d.larder().call("LLEN", k) + (Long) d.larder().call("LLEN", k2);
                if (len == 0) continue;
            }
            d.check(cmd.toArray(new String[0]));
        }
        for (String k : keys) d.check("LRANGE", k, "0", "-1");
    }

    @Test
    void keyspaceEventsMatchRedis() throws Exception {
        var server = larder.server();
        server.config().set("notify-keyspace-events", "KEA");
        d.redis().call("CONFIG", "SET", "notify-keyspace-events", "KEA");
        try (KeyEvents larderEvents = new KeyEvents(larder.port()); KeyEvents redisEvents = new KeyEvents(redis.port())) {
            d.script("""
                    RPUSH l a b c d
                    LPUSH l z
                    LPUSHX l y
                    RPUSHX nol y
                    LPOP l
                    RPOP l 2
                    LSET l 0 q
                    LINSERT l BEFORE q p
                    LINSERT l BEFORE nothing p
                    LREM l 0 p
                    LREM l 0 nothing
                    LTRIM l 0 0
                    LMOVE l m LEFT RIGHT
                    RPUSH l a
                    RPOPLPUSH l l
                    LMOVE l m RIGHT LEFT
                    LMPOP 1 m LEFT COUNT 5
                    RPUSH t 1 2
                    LTRIM t 5 6
                    RPUSH b 1
                    BLPOP b 0
                    """);
            assertEquals(redisEvents.drain(), larderEvents.drain());
        } finally {
            server.config().set("notify-keyspace-events", "");
            d.redis().call("CONFIG", "SET", "notify-keyspace-events", "");
        }
    }

    /** Node size follows list-max-listpack-size; replies do not depend on it, and OBJECT ENCODING is always quicklist. */
    @Test
    void nodeSizeFollowsConfiguration() {
        for (String fill : List.of("-1", "-5", "1", "5", "0", "-10")) {
            try (LarderTestServer small = LarderTestServer.start("--list-max-listpack-size", fill);
                    RespClient c = small.client()) {
                List<String> cmd = new ArrayList<>(List.of("RPUSH", "k"));
                for (int i = 0; i < 2000; i++) cmd.add("element-" + i);
                c.call(cmd.toArray(new String[0]));
                c.call("LINSERT", "k", "BEFORE", "element-1000", "x".repeat(10_000));
                c.call("LSET", "k", "500", "y".repeat(100));
                var db = small.server().keyspace().db(0);
                ListValue l = (ListValue) db.find(new Lookup(), "k".getBytes(), System.currentTimeMillis());
                l.verify();
                int f = Integer.parseInt(fill);
                int nodes = l.nodeCount();
                if (f >= 0) assertTrue(nodes >= 2001 / Math.max(f, 1), fill + ": " + nodes + " nodes");
                else if (f == -1) assertTrue(nodes > 5 && nodes < 20, fill + ": " + nodes + " nodes");
                else assertTrue(nodes < 5, fill + ": " + nodes + " nodes");
                assertEquals("quicklist", l.encoding());
                assertEquals("element-1999", c.call("LINDEX", "k", "-1"));
                assertEquals(2001L, c.call("LLEN", "k"));
            }
        }
    }
}
