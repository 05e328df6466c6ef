package io.larder.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.BlockingTarget;
import io.larder.testing.BlockingTestBase;
import io.larder.testing.RespClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Blocking commands with real clients: what can be compared with Redis is
 * run as the same scenario against both servers (each step waits until the
 * server reports the expected number of blocked clients, so the order of
 * arrival is fixed); concurrency, timing and cleanup are checked on Larder.
 */
class BlockingControllerTest extends BlockingTestBase {
    /** Runs a scenario on both servers; the observations must be identical. */
    void sameAsRedis(Function<BlockingTarget, List<String>> scenario) {
        List<String> expected = scenario.apply(redisTarget);
        List<String> actual = scenario.apply(larderTarget);
        assertEquals(expected, actual);
    }

    static String reply(RespClient c) {
        return new String(c.readRaw(), StandardCharsets.ISO_8859_1);
    }

    static String call(RespClient c, String... args) {
        return new String(c.callRaw(args), StandardCharsets.ISO_8859_1);
    }

    static long clientId(RespClient c) {
        @SuppressWarnings("unchecked")
        List<Object> hello = (List<Object>) c.call("HELLO", "2");
        return (Long) hello.get(hello.indexOf("id") + 1);
    }

    // ------------------------------------------------------------ compared with Redis

    @Test
    void waitersAreServedFirstComeFirstServed() {
        sameAsRedis(t -> {
            List<RespClient> waiters = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                RespClient w = t.client();
                // Waiter 2 also waits on another key first; waiter 4 on the key twice.
                if (i == 2) w.send("BLPOP", "other", "k", "0");
                else if (i == 4) w.send("BRPOP", "k", "k", "0");
                else w.send("BLPOP", "k", "0");
                t.awaitBlocked(i + 1);
                waiters.add(w);
            }
            RespClient p = t.client();
            List<String> out = new ArrayList<>();
            out.add(call(p, "RPUSH", "k", "a", "b", "c"));
            t.awaitBlocked(2);
            out.add(call(p, "LPUSH", "k", "d", "e", "f"));
            t.awaitBlocked(0);
            for (RespClient w : waiters) out.add(reply(w));
            out.add(call(p, "LRANGE", "k", "0", "-1"));
            return out;
        });
    }

    @Test
    void blmoveChainsWakeTheNextWaiter() {
        sameAsRedis(t -> {
            RespClient a = t.client(), b = t.client(), c = t.client(), p = t.client();
            a.send("BLMOVE", "a", "b", "LEFT", "RIGHT", "0");
            t.awaitBlocked(1);
            b.send("BRPOPLPUSH", "b", "c", "0");
            t.awaitBlocked(2);
            c.send("BLMPOP", "0", "2", "x", "c", "LEFT", "COUNT", "5");
            t.awaitBlocked(3);
            List<String> out = new ArrayList<>();
            out.add(call(p, "RPUSH", "a", "v1", "v2"));
            for (RespClient w : List.of(a, b, c)) out.add(reply(w));
            out.add(call(p, "LRANGE", "a", "0", "-1"));
            out.add(call(p, "EXISTS", "b", "c"));
            return out;
        });
    }

    @Test
    void blmoveIntoWrongTypeUnblocksWithAnErrorAndKeepsTheElement() {
        sameAsRedis(t -> {
            RespClient w1 = t.client(), w2 = t.client(), p = t.client();
            p.call("SET", "dst", "string");
            w1.send("BLMOVE", "src", "dst", "LEFT", "RIGHT", "0");
            t.awaitBlocked(1);
            w2.send("BLPOP", "src", "0");
            t.awaitBlocked(2);
            List<String> out = new ArrayList<>();
            out.add(call(p, "RPUSH", "src", "x", "y"));
            out.add(reply(w1));
            out.add(reply(w2));
            out.add(call(p, "LRANGE", "src", "0", "-1"));
            return out;
        });
    }

    @Test
    void pushedAndEmptiedKeyLeavesNoTrace() {
        sameAsRedis(t -> {
            RespClient w = t.client(), p = t.client();
            w.send("BLPOP", "k", "0");
            t.awaitBlocked(1);
            List<String> out = new ArrayList<>();
            out.add(call(p, "LPUSH", "k", "only"));
            out.add(reply(w));
            out.add(call(p, "EXISTS", "k"));
            out.add(call(p, "DBSIZE"));
            return out;
        });
        assertEquals(0, larder.server().blocking().waitedKeys());
    }

    @Test
    void pipelinedCommandsWaitForTheBlockedOne() {
        sameAsRedis(t -> {
            RespClient w = t.client(), p = t.client();
            w.sendRaw(new String(RespClient.encode(RespClient.bytes("BLPOP", "k", "0")), StandardCharsets.ISO_8859_1)
                    + "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nLLEN\r\n$1\r\nk\r\n");
            t.awaitBlocked(1);
            w.setTimeout(200);
            String early = null;
            try {
                early = reply(w);
            } catch (AssertionError timedOut) {
                // nothing: the PING must wait behind the blocked BLPOP
            }
            w.setTimeout(15_000);
            List<String> out = new ArrayList<>();
            out.add(String.valueOf(early));
            out.add(call(p, "RPUSH", "k", "a", "b"));
            out.add(reply(w));
            out.add(reply(w));
            out.add(reply(w));
            return out;
        });
    }

    @Test
    void clientUnblockRepliesAsRedis() {
        sameAsRedis(t -> {
            List<String> out = new ArrayList<>();
            RespClient admin = t.client();
            String[][] cmds = {{"BLPOP", "k", "0"}, {"BLMOVE", "a", "b", "LEFT", "RIGHT", "0"},
                {"BLMPOP", "0", "1", "a", "LEFT"}, {"BRPOPLPUSH", "a", "b", "0"}};
            for (String mode : new String[] {null, "TIMEOUT", "ERROR", "timeout", "error"}) {
                for (String[] cmd : cmds) {
                    RespClient w = t.client();
                    long id = clientId(w);
                    w.send(cmd);
                    w.send("PING");
                    t.awaitBlocked(1);
                    String r = mode == null ? call(admin, "CLIENT", "UNBLOCK", "" + id)
                            : call(admin, "CLIENT", "UNBLOCK", "" + id, mode);
                    out.add(r + reply(w) + reply(w));
                    out.add(call(admin, "CLIENT", "UNBLOCK", "" + id));
                    t.awaitBlocked(0);
                }
            }
            return out;
        });
    }

    @Test
    void resp3ClientsGetResp3Replies() {
        sameAsRedis(t -> {
            RespClient w = t.client(), p = t.client();
            w.call("HELLO", "3");
            List<String> out = new ArrayList<>();
            out.add(call(w, "BLPOP", "k", "0.01"));
            w.send("BLMPOP", "0", "1", "k", "RIGHT", "COUNT", "2");
            t.awaitBlocked(1);
            p.call("RPUSH", "k", "1", "2", "3");
            out.add(reply(w));
            long id = clientId(w);
            w.call("HELLO", "3");
            w.send("BLMOVE", "none", "x", "LEFT", "LEFT", "0");
            t.awaitBlocked(1);
            p.call("CLIENT", "UNBLOCK", "" + id);
            out.add(reply(w));
            return out;
        });
    }

    @Test
    void waitersOnOtherDatabasesAreNotServed() {
        sameAsRedis(t -> {
            RespClient w1 = t.client(), w0 = t.client(), p = t.client();
            w1.call("SELECT", "1");
            w1.send("BLPOP", "k", "0");
            t.awaitBlocked(1);
            w0.send("BLPOP", "k", "0");
            t.awaitBlocked(2);
            List<String> out = new ArrayList<>();
            out.add(call(p, "RPUSH", "k", "db0"));
            out.add(reply(w0));
            p.call("SELECT", "1");
            out.add(call(p, "RPUSH", "k", "db1"));
            out.add(reply(w1));
            return out;
        });
    }

    // ------------------------------------------------------------ Larder only: timing, concurrency, cleanup

    @Test
    void timeoutsHaveSubSecondPrecision() {
        RespClient w = larderTarget.client();
        for (double secs : new double[] {0.05, 0.2, 0.35}) {
            long t0 = System.nanoTime();
            String r = call(w, "BLPOP", "k", Double.toString(secs));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("*-1\r\n", r);
            assertTrue(ms >= secs * 1000 - 2 && ms < secs * 1000 + 150, secs + "s timeout took " + ms + "ms");
        }
        // After a timeout the client is a normal client again.
        assertEquals("+PONG\r\n", call(w, "PING"));
    }

    @Test
    void disconnectingABlockedClientLeavesNoWaiter() {
        RespClient w = larder.client();
        w.send("BLPOP", "k", "j", "0");
        larderTarget.awaitBlocked(1);
        assertEquals(2, larder.server().blocking().waitedKeys());
        w.close();
        larderTarget.awaitBlocked(0);
        poll(() -> larder.server().blocking().waitedKeys() == 0, "waited keys removed");
        RespClient p = larderTarget.client();
        p.call("RPUSH", "k", "v");
        assertEquals(1L, p.call("LLEN", "k"), "nobody took the element");
    }

    /** A timeout racing a push: each client gets exactly one reply and no element is lost or duplicated. */
    @Test
    void timeoutRacingPushIsExactlyOnce() {
        RespClient p = larderTarget.client();
        int rounds = 200;
        int served = 0;
        for (int i = 0; i < rounds; i++) {
            RespClient w = larderTarget.client();
            w.send("BLPOP", "race", "0.02");
            // Push around the deadline (not waiting to see it blocked: with a 20 ms timeout that
            // observation itself would race).
            try {
                Thread.sleep(15 + (i % 10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            p.call("RPUSH", "race", "e" + i);
            String r = reply(w);
            if (r.startsWith("*2")) {
                assertEquals("*2\r\n$4\r\nrace\r\n$" + ("e" + i).length() + "\r\ne" + i + "\r\n", r);
                served++;
                assertEquals(0L, p.call("EXISTS", "race"));
            } else {
                assertEquals("*-1\r\n", r);
                assertEquals("e" + i, p.call("LPOP", "race"));
            }
            assertEquals("+PONG\r\n", call(w, "PING"), "exactly one reply");
            w.close();
            open.remove(w);
            larderTarget.awaitBlocked(0);
        }
        assertTrue(served >= 0 && served <= rounds);
    }

    /** 200 blocked clients, 20 pushers, 40 keys: every element is delivered exactly once. */
    @Test
    void manyBlockersAndPushersDeliverEveryElementExactlyOnce() throws Exception {
        int keys = 40, blockers = 200, pushers = 20, perPusher = 500;
        int total = pushers * perPusher;
        Map<String, Integer> received = new ConcurrentHashMap<>();
        AtomicInteger count = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(blockers);
        for (int b = 0; b < blockers; b++) {
            final int id = b;
            threads.add(Thread.ofPlatform().start(() -> {
                try (RespClient c = larder.client()) {
                    String[] cmd = {"BLPOP", "key" + id % keys, "key" + (id * 7 + 3) % keys, "key" + (id * 13 + 5) % keys,
                        "0.3"};
                    ready.countDown();
                    while (count.get() < total && failure.get() == null) {
                        Object r = c.call(cmd);
                        if (r == null) continue;
                        @SuppressWarnings("unchecked")
                        String v = (String) ((List<Object>) r).get(1);
                        if (received.merge(v, 1, Integer::sum) != 1) throw new AssertionError("duplicate " + v);
                        count.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        ready.await();
        List<Thread> pushThreads = new ArrayList<>();
        for (int p = 0; p < pushers; p++) {
            final int id = p;
            pushThreads.add(Thread.ofPlatform().start(() -> {
                Random r = new Random(id);
                try (RespClient c = larder.client()) {
                    for (int i = 0; i < perPusher; i++) {
                        String key = "key" + r.nextInt(keys);
                        if (r.nextInt(4) == 0) c.call("LPUSH", key, "p" + id + "-" + i);
                        else c.call("RPUSH", key, "p" + id + "-" + i);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        for (Thread t : pushThreads) t.join();
        for (Thread t : threads) t.join(60_000);
        if (failure.get() != null) throw new AssertionError(failure.get());
        assertEquals(total, count.get());
        assertEquals(total, received.size());
        for (int p = 0; p < pushers; p++) {
            for (int i = 0; i < perPusher; i++) assertEquals(1, received.get("p" + p + "-" + i));
        }
        RespClient c = larderTarget.client();
        assertEquals(0L, c.call("DBSIZE"));
    }

    /** Concurrent BLMOVE rings: elements circulate between lists and none is lost. */
    @Test
    void concurrentMovesConserveElements() throws Exception {
        int lists = 8, movers = 24, elements = 200;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger moves = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int m = 0; m < movers; m++) {
            final int id = m;
            threads.add(Thread.ofPlatform().start(() -> {
                try (RespClient c = larder.client()) {
                    Random r = new Random(id);
                    for (int i = 0; i < 150 && failure.get() == null; i++) {
                        int from = r.nextInt(lists);
                        Object v = c.call("BLMOVE", "ring" + from, "ring" + (from + 1) % lists,
                                r.nextBoolean() ? "LEFT" : "RIGHT", r.nextBoolean() ? "LEFT" : "RIGHT", "0.05");
                        if (v != null) moves.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        try (RespClient c = larder.client()) {
            for (int i = 0; i < elements; i++) c.call("RPUSH", "ring" + i % lists, "e" + i);
        }
        for (Thread t : threads) t.join(60_000);
        if (failure.get() != null) throw new AssertionError(failure.get());
        List<String> all = new ArrayList<>();
        RespClient c = larderTarget.client();
        for (int i = 0; i < lists; i++) {
            @SuppressWarnings("unchecked")
            List<Object> items = (List<Object>) c.call("LRANGE", "ring" + i, "0", "-1");
            for (Object o : items) all.add((String) o);
        }
        Collections.sort(all);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < elements; i++) expected.add("e" + i);
        Collections.sort(expected);
        assertEquals(expected, all);
        assertTrue(moves.get() > 0);
    }

    /**
     * Where blocking is denied (EXEC, scripts set Client.DENY_BLOCKING) the
     * commands answer at once what Redis answers for them inside MULTI/EXEC.
     */
    @Test
    void deniedBlockingRepliesAtOnceAsInsideExec() {
        RespClient r = redisTarget.client();
        r.call("MULTI");
        String[][] cmds = {{"BLPOP", "k", "0"}, {"BRPOP", "k", "j", "0"}, {"BLMOVE", "a", "b", "LEFT", "LEFT", "0"},
            {"BRPOPLPUSH", "a", "b", "0"}, {"BLMPOP", "0", "1", "a", "LEFT"}};
        for (String[] cmd : cmds) r.call(cmd);
        @SuppressWarnings("unchecked")
        List<Object> inExec = (List<Object>) RespClient.decode(r.callRaw("EXEC"));
        RespClient w = larderTarget.client();
        Client cl = larder.server().clients().get(clientId(w));
        cl.setFlag(Client.DENY_BLOCKING, true);
        try {
            for (int i = 0; i < cmds.length; i++) {
                assertEquals(String.valueOf(inExec.get(i)), String.valueOf(RespClient.decode(w.callRaw(cmds[i]))));
            }
            // The raw bytes too: a null array for the pops, a null bulk for the moves.
            assertEquals("*-1\r\n", call(w, "BLPOP", "k", "0"));
            assertEquals("$-1\r\n", call(w, "BLMOVE", "a", "b", "LEFT", "LEFT", "0"));
        } finally {
            cl.setFlag(Client.DENY_BLOCKING, false);
        }
        assertEquals(0, larder.server().blocking().blockedClients());
    }

    @Test
    void blockedClientsAreFlaggedAndCounted() {
        RespClient w = larderTarget.client();
        long id = clientId(w);
        w.send("BLPOP", "k", "0");
        larderTarget.awaitBlocked(1);
        Client cl = larder.server().clients().get(id);
        assertTrue(cl.has(Client.BLOCKED));
        assertEquals(List.of(cl), larder.server().blocking().waitersOf(larder.server().keyspace().db(0),
                "k".getBytes(StandardCharsets.ISO_8859_1)));
        RespClient p = larderTarget.client();
        p.call("RPUSH", "k", "v");
        assertEquals("*2\r\n$1\r\nk\r\n$1\r\nv\r\n", reply(w));
        poll(() -> !cl.has(Client.BLOCKED), "BLOCKED flag cleared");
        assertNull(p.call("LPOP", "k"));
    }
}
