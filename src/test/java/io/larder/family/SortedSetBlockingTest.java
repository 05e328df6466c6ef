package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.larder.testing.Diff;
import io.larder.testing.BlockingTarget;
import io.larder.testing.BlockingTestBase;
import io.larder.testing.RespClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * BZPOPMIN, BZPOPMAX and BZMPOP: the paths that do not block and every error
 * against Redis reply for reply, and blocking scenarios with real clients run
 * against both servers (each step waits until the server reports the
 * expected number of blocked clients, so arrival order is fixed).
 */
class SortedSetBlockingTest extends BlockingTestBase {
    void sameAsRedis(Function<BlockingTarget, List<String>> scenario) {
        List<String> expected = scenario.apply(redisTarget);
        flush();
        List<String> actual = scenario.apply(larderTarget);
        assertEquals(expected, actual);
    }

    static String reply(RespClient c) {
        return new String(c.readRaw(), StandardCharsets.ISO_8859_1);
    }

    static String call(RespClient c, String... args) {
        return new String(c.callRaw(args), StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------ no blocking

    @Test
    void immediateRepliesAndErrors() {
        try (Diff d = new Diff(larder.port(), redis.port())) {
            d.script("""
                    ZADD z 1 a 2 b 3 c
                    ZADD y 10 x
                    BZPOPMIN z 0
                    BZPOPMAX z 0
                    BZPOPMIN nosuch y z 0
                    ZADD z 5 e 6 f
                    BZPOPMAX z 0
                    BZMPOP 0 2 nosuch z MIN
                    ZADD z 1 a 2 b 3 c
                    BZMPOP 0 1 z MAX COUNT 10
                    ZADD z 1 a
                    BZPOPMIN z -1
                    BZPOPMIN z abc
                    BZPOPMIN z 1e400
                    BZPOPMIN z inf
                    BZPOPMIN z
                    BZMPOP 0 0 z MIN
                    BZMPOP 0 x z MIN
                    BZMPOP -1 1 z MIN
                    BZMPOP x 1 z MIN
                    BZMPOP 0 1 z FOO
                    BZMPOP x 1 z FOO
                    BZMPOP 0 2 z MIN
                    BZMPOP 0 1 z MIN COUNT 0
                    BZMPOP 0 1 z MIN COUNT
                    BZMPOP 0 1 z MIN COUNT 1 COUNT 1
                    SET s v
                    BZPOPMIN s 0
                    BZPOPMIN nosuch s 0
                    BZMPOP 0 2 nosuch s MAX
                    BZPOPMIN nosuch 0.01
                    BZMPOP 0.01 1 nosuch MIN
                    """);
            d.resp3();
            d.script("""
                    ZADD z 1 a 2 b
                    BZPOPMIN z 0
                    BZMPOP 0 1 z MAX COUNT 3
                    BZPOPMIN nosuch 0.01
                    """);
        }
    }

    // ------------------------------------------------------------ blocking, compared with Redis

    @Test
    void waitersAreServedInArrivalOrder() {
        sameAsRedis(t -> {
            List<RespClient> w = new ArrayList<>();
            String[][] cmds = {
                {"BZPOPMIN", "k", "0"},
                {"BZPOPMAX", "other", "k", "0"},
                {"BZMPOP", "0", "1", "k", "MIN", "COUNT", "2"},
                {"BZMPOP", "0", "2", "x", "k", "MAX"},
            };
            for (int i = 0; i < cmds.length; i++) {
                RespClient c = t.client();
                c.send(cmds[i]);
                t.awaitBlocked(i + 1);
                w.add(c);
            }
            RespClient p = t.client();
            List<String> out = new ArrayList<>();
            out.add(call(p, "ZADD", "k", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f"));
            t.awaitBlocked(0);
            for (RespClient c : w) out.add(reply(c));
            out.add(call(p, "ZRANGE", "k", "0", "-1", "WITHSCORES"));
            return out;
        });
    }

    @Test
    void storeCommandsAndIncrWakeWaiters() {
        sameAsRedis(t -> {
            RespClient a = t.client(), b = t.client(), c = t.client(), p = t.client();
            List<String> out = new ArrayList<>();
            out.add(call(p, "ZADD", "src", "1", "x", "2", "y"));
            a.send("BZPOPMIN", "u", "0");
            t.awaitBlocked(1);
            b.send("BZPOPMAX", "r", "0");
            t.awaitBlocked(2);
            c.send("BZMPOP", "0", "1", "i", "MIN");
            t.awaitBlocked(3);
            out.add(call(p, "ZUNIONSTORE", "u", "1", "src"));
            out.add(call(p, "ZRANGESTORE", "r", "src", "0", "-1"));
            out.add(call(p, "ZINCRBY", "i", "5", "m"));
            t.awaitBlocked(0);
            out.add(reply(a));
            out.add(reply(b));
            out.add(reply(c));
            out.add(call(p, "EXISTS", "i"));
            return out;
        });
    }

    @Test
    void aKeyOfAnotherTypeDoesNotServe() {
        sameAsRedis(t -> {
            RespClient w = t.client(), p = t.client();
            List<String> out = new ArrayList<>();
            w.send("BZPOPMIN", "k", "0");
            t.awaitBlocked(1);
            out.add(call(p, "RPUSH", "k", "x"));
            out.add(call(p, "DEL", "k"));
            out.add(call(p, "ZADD", "k", "7", "m"));
            t.awaitBlocked(0);
            out.add(reply(w));
            return out;
        });
    }

    @Test
    void resp3ShapesWhenServedLater() {
        sameAsRedis(t -> {
            RespClient a = t.client(), b = t.client(), p = t.client();
            a.call("HELLO", "3");
            b.call("HELLO", "3");
            a.send("BZPOPMAX", "k", "0");
            t.awaitBlocked(1);
            b.send("BZMPOP", "0", "1", "k", "MIN", "COUNT", "5");
            t.awaitBlocked(2);
            List<String> out = new ArrayList<>();
            out.add(call(p, "ZADD", "k", "1.5", "a", "2.5", "b", "3.5", "c"));
            t.awaitBlocked(0);
            out.add(reply(a));
            out.add(reply(b));
            return out;
        });
    }

    @Test
    void timeoutsReplyNullArray() {
        sameAsRedis(t -> {
            RespClient a = t.client(), b = t.client();
            a.send("BZPOPMIN", "k", "0.05");
            b.send("BZMPOP", "0.05", "1", "k", "MAX");
            return List.of(reply(a), reply(b));
        });
    }

    @Test
    void manyWaitersManyFeeders() throws Exception {
        // Larder only: 50 clients block, 10 feeders add 100 members in total; every member is popped once.
        List<RespClient> waiters = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            RespClient c = larderTarget.client();
            c.send("BZMPOP", "0", "2", "k1", "k2", i % 2 == 0 ? "MIN" : "MAX", "COUNT", "2");
            waiters.add(c);
        }
        larderTarget.awaitBlocked(50);
        List<Thread> feeders = new ArrayList<>();
        for (int f = 0; f < 10; f++) {
            int ff = f;
            Thread th = new Thread(() -> {
                try (RespClient p = larder.client()) {
                    for (int i = 0; i < 10; i++) p.call("ZADD", "k" + (1 + i % 2), String.valueOf(i), "m" + ff + ":" + i);
                }
            });
            th.start();
            feeders.add(th);
        }
        for (Thread th : feeders) th.join();
        java.util.Set<String> popped = new java.util.HashSet<>();
        int total = 0;
        for (RespClient c : waiters) {
            @SuppressWarnings("unchecked")
            List<Object> r = (List<Object>) RespClient.decode(c.readRaw());
            @SuppressWarnings("unchecked")
            List<Object> elems = (List<Object>) r.get(1);
            for (Object e : elems) {
                @SuppressWarnings("unchecked")
                String m = (String) ((List<Object>) e).get(0);
                popped.add(m);
                total++;
            }
        }
        try (RespClient p = larder.client()) {
            long left = p.callLong("ZCARD", "k1") + p.callLong("ZCARD", "k2");
            assertEquals(100, total + left);
            assertEquals(total, popped.size());
        }
    }
}
