package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.server.Client;
import io.larder.store.Lookup;
import io.larder.store.StoredValue;
import io.larder.testing.BlockingTarget;
import io.larder.testing.BlockingTestBase;
import io.larder.testing.RespClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * XREAD and XREADGROUP with BLOCK, with real clients. Each scenario runs
 * against Redis and against Larder (every step waits until the server
 * reports the expected number of blocked clients, so arrival order is
 * fixed) and what the clients receive must be identical, byte for byte.
 */
class StreamBlockingTest extends BlockingTestBase {
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
        List<?> hello = (List<?>) c.call("HELLO", "2");
        return (Long) hello.get(hello.indexOf("id") + 1);
    }

    /** A reply with times blanked (XPENDING, XINFO), as a string. */
    static String timed(RespClient c, String... args) {
        return String.valueOf(StreamTesting.mask(RespClient.decode(c.callRaw(args))));
    }

    @Test
    void xreadWakesOnNewAndGrowingStreams() {
        sameAsRedis(t -> {
            RespClient w = t.client(), p = t.client();
            List<String> out = new ArrayList<>();
            w.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
            t.awaitBlocked(1);
            out.add(call(p, "XADD", "s", "1-1", "f", "v"));
            out.add(reply(w));
            w.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
            t.awaitBlocked(1);
            out.add(call(p, "XADD", "s", "2-1", "a", "1", "b", "2"));
            out.add(reply(w));
            // An ID given explicitly: only entries after it.
            w.send("XREAD", "BLOCK", "0", "STREAMS", "s", "5-0");
            t.awaitBlocked(1);
            out.add(call(p, "XADD", "s", "4-0", "f", "v"));
            out.add(call(p, "XADD", "s", "6-0", "f", "v"));
            out.add(reply(w));
            // Several keys: served from the one that grew, COUNT applies.
            w.send("XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "a", "b", "$", "0");
            t.awaitBlocked(1);
            out.add(call(p, "XADD", "b", "1-0", "x", "1"));
            out.add(reply(w));
            return out;
        });
    }

    @Test
    void everyXreadWaiterGetsTheNewEntry() {
        sameAsRedis(t -> {
            List<RespClient> waiters = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                RespClient w = t.client();
                w.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
                t.awaitBlocked(i + 1);
                waiters.add(w);
            }
            RespClient p = t.client();
            List<String> out = new ArrayList<>();
            out.add(call(p, "XADD", "s", "3-3", "f", "v"));
            for (RespClient w : waiters) out.add(reply(w));
            t.awaitBlocked(0);
            return out;
        });
    }

    @Test
    void xreadgroupWaitersShareEntriesFirstComeFirstServed() {
        sameAsRedis(t -> {
            RespClient p = t.client();
            List<String> out = new ArrayList<>();
            out.add(call(p, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"));
            RespClient a = t.client(), b = t.client(), n = t.client();
            a.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">");
            t.awaitBlocked(1);
            b.send("XREADGROUP", "GROUP", "g", "bob", "COUNT", "5", "BLOCK", "0", "STREAMS", "s", ">");
            t.awaitBlocked(2);
            n.send("XREADGROUP", "GROUP", "g", "nick", "NOACK", "BLOCK", "0", "STREAMS", "s", ">");
            t.awaitBlocked(3);
            out.add(call(p, "XADD", "s", "1-0", "f", "1"));
            out.add(reply(a));
            t.awaitBlocked(2);
            out.add(call(p, "XINFO", "GROUPS", "s"));
            out.add(call(p, "XADD", "s", "2-0", "f", "2"));
            out.add(reply(b));
            out.add(call(p, "XADD", "s", "3-0", "f", "3"));
            out.add(reply(n));
            t.awaitBlocked(0);
            out.add(call(p, "XPENDING", "s", "g"));
            out.add(timed(p, "XINFO", "CONSUMERS", "s", "g"));
            out.add(call(p, "XINFO", "GROUPS", "s"));
            return out;
        });
    }

    @Test
    void deletedOverwrittenOrFlushedStreamsUnblockGroupReaders() {
        sameAsRedis(t -> {
            RespClient p = t.client();
            List<String> out = new ArrayList<>();
            p.call("SELECT", "1");
            p.call("FLUSHDB");
            p.call("SELECT", "0");
            for (String[] kill : new String[][] {{"DEL", "s"}, {"SET", "s", "x"}, {"FLUSHALL"}, {"FLUSHDB"},
                {"UNLINK", "s"}, {"RENAME", "s", "t"}, {"MOVE", "s", "1"}, {"PEXPIRE", "s", "1"}}) {
                p.call("FLUSHALL");
                out.add(call(p, "XADD", "s", "1-0", "f", "v"));
                out.add(call(p, "XGROUP", "CREATE", "s", "g", "$"));
                RespClient g = t.client(), x = t.client();
                g.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
                t.awaitBlocked(1);
                x.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
                t.awaitBlocked(2);
                out.add(call(p, kill));
                out.add(reply(g));
                t.awaitBlocked(1);
                // The plain reader stays blocked: an older ID does not serve it, a newer one does.
                p.call("DEL", "s");
                out.add(call(p, "XADD", "s", "1-0", "f", "again"));
                out.add(call(p, "XADD", "s", "2-0", "f", "newer"));
                out.add(reply(x));
                t.awaitBlocked(0);
            }
            return out;
        });
    }

    @Test
    void swapdbServesOrUnblocksAsRedis() {
        sameAsRedis(t -> {
            RespClient p = t.client();
            List<String> out = new ArrayList<>();
            out.add(call(p, "SELECT", "1"));
            out.add(call(p, "FLUSHDB"));
            out.add(call(p, "XADD", "withgroup", "9-0", "f", "db1"));
            out.add(call(p, "XGROUP", "CREATE", "withgroup", "g", "0"));
            out.add(call(p, "XADD", "nogroup", "9-0", "f", "db1"));
            out.add(call(p, "SET", "string", "x"));
            out.add(call(p, "XADD", "plain", "9-0", "f", "db1"));
            out.add(call(p, "SELECT", "0"));
            List<RespClient> waiters = new ArrayList<>();
            for (String k : List.of("withgroup", "nogroup", "string", "missing")) {
                out.add(call(p, "XADD", k, "1-0", "f", "db0"));
                out.add(call(p, "XGROUP", "CREATE", k, "g", "$"));
                RespClient w = t.client();
                w.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", k, ">");
                t.awaitBlocked(waiters.size() + 1);
                waiters.add(w);
            }
            out.add(call(p, "XADD", "plain", "1-0", "f", "db0"));
            RespClient x = t.client();
            x.send("XREAD", "BLOCK", "0", "STREAMS", "plain", "$");
            t.awaitBlocked(5);
            out.add(call(p, "SWAPDB", "0", "1"));
            for (RespClient w : waiters) out.add(reply(w));
            out.add(reply(x));
            t.awaitBlocked(0);
            out.add(call(p, "FLUSHALL"));
            return out;
        });
    }

    @Test
    void destroyedGroupUnblocksItsReadersOnly() {
        sameAsRedis(t -> {
            RespClient p = t.client();
            List<String> out = new ArrayList<>();
            out.add(call(p, "XADD", "s", "1-0", "f", "v"));
            out.add(call(p, "XGROUP", "CREATE", "s", "g1", "$"));
            out.add(call(p, "XGROUP", "CREATE", "s", "g2", "$"));
            RespClient a = t.client(), b = t.client();
            a.send("XREADGROUP", "GROUP", "g1", "c", "BLOCK", "0", "STREAMS", "s", ">");
            t.awaitBlocked(1);
            b.send("XREADGROUP", "GROUP", "g2", "c", "BLOCK", "0", "STREAMS", "s", ">");
            t.awaitBlocked(2);
            out.add(call(p, "XGROUP", "DESTROY", "s", "g1"));
            out.add(reply(a));
            t.awaitBlocked(1);
            // Deleting the consumer does not unblock it; it is created again when served.
            out.add(call(p, "XGROUP", "DELCONSUMER", "s", "g2", "c"));
            out.add(call(p, "XADD", "s", "2-0", "f", "v"));
            out.add(reply(b));
            out.add(call(p, "XPENDING", "s", "g2"));
            return out;
        });
    }

    @Test
    void groupReadersFollowTheGroupsLastId() {
        sameAsRedis(t -> {
            RespClient p = t.client();
            List<String> out = new ArrayList<>();
            out.add(call(p, "XADD", "s", "1-0", "f", "v"));
            out.add(call(p, "XGROUP", "CREATE", "s", "g", "$"));
            RespClient a = t.client();
            a.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
            t.awaitBlocked(1);
            // SETID back: the group now has undelivered entries, but only a write to the key wakes readers.
            out.add(call(p, "XGROUP", "SETID", "s", "g", "0"));
            out.add(call(p, "XADD", "s", "2-0", "f", "w"));
            out.add(reply(a));
            // History IDs never block.
            out.add(call(a, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", "0"));
            return out;
        });
    }

    @Test
    void trimmedAwayEntriesStillWakeReaders() {
        sameAsRedis(t -> {
            RespClient p = t.client(), w = t.client();
            List<String> out = new ArrayList<>();
            out.add(call(p, "XADD", "s", "1-0", "f", "v"));
            w.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
            t.awaitBlocked(1);
            out.add(call(p, "XADD", "s", "MAXLEN", "0", "2-0", "f", "v"));
            out.add(reply(w));
            return out;
        });
    }

    @Test
    void timeoutsAndResp3() {
        sameAsRedis(t -> {
            RespClient w = t.client(), p = t.client();
            List<String> out = new ArrayList<>();
            out.add(call(w, "XREAD", "BLOCK", "20", "STREAMS", "s", "$"));
            out.add(call(p, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"));
            out.add(call(w, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "20", "STREAMS", "s", ">"));
            w.call("HELLO", "3");
            out.add(call(w, "XREAD", "BLOCK", "20", "STREAMS", "s", "$"));
            w.send("XREAD", "BLOCK", "0", "STREAMS", "s", "other", "$", "$");
            t.awaitBlocked(1);
            out.add(call(p, "XADD", "s", "1-0", "f", "v"));
            out.add(reply(w));
            out.add(call(w, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"));
            w.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
            t.awaitBlocked(1);
            out.add(call(p, "XADD", "s", "2-0", "f", "v"));
            out.add(reply(w));
            w.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
            t.awaitBlocked(1);
            out.add(call(p, "DEL", "s"));
            out.add(reply(w));
            return out;
        });
    }

    @Test
    void clientUnblockEndsAStreamWait() {
        sameAsRedis(t -> {
            RespClient w = t.client(), p = t.client();
            long id = clientId(w);
            List<String> out = new ArrayList<>();
            w.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
            t.awaitBlocked(1);
            out.add(call(p, "CLIENT", "UNBLOCK", "" + id));
            out.add(reply(w));
            w.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
            t.awaitBlocked(1);
            out.add(call(p, "CLIENT", "UNBLOCK", "" + id, "ERROR"));
            out.add(reply(w));
            return out;
        });
    }

    /** Where blocking is denied (inside MULTI/EXEC, scripts) BLOCK answers at once, as Redis does inside EXEC. */
    @Test
    void deniedBlockingRepliesAtOnce() {
        RespClient r = redisTarget.client();
        r.call("XADD", "s", "1-0", "f", "v");
        r.call("XGROUP", "CREATE", "s", "g", "$");
        r.call("MULTI");
        r.call("XREAD", "BLOCK", "0", "STREAMS", "s", "$");
        r.call("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
        String inExec = new String(r.callRaw("EXEC"), StandardCharsets.ISO_8859_1);
        RespClient w = larderTarget.client();
        w.call("XADD", "s", "1-0", "f", "v");
        w.call("XGROUP", "CREATE", "s", "g", "$");
        long id = clientId(w);
        Client cl = larder.server().clients().get(id);
        cl.setFlag(Client.DENY_BLOCKING, true);
        try {
            String a = call(w, "XREAD", "BLOCK", "0", "STREAMS", "s", "$");
            String b = call(w, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
            assertEquals(inExec, "*2\r\n" + a + b);
        } finally {
            cl.setFlag(Client.DENY_BLOCKING, false);
        }
        assertEquals(0, larder.server().blocking().blockedClients());
    }

    /** A stream that expires by the active expiry cycle (no command touches it) wakes its group readers. */
    @Test
    void expiredStreamUnblocksGroupReaders() {
        RespClient p = larderTarget.client(), w = larderTarget.client();
        p.call("XADD", "s", "1-0", "f", "v");
        p.call("XGROUP", "CREATE", "s", "g", "$");
        w.send("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
        larderTarget.awaitBlocked(1);
        var db = larder.server().keyspace().db(0);
        byte[] key = "s".getBytes(StandardCharsets.ISO_8859_1);
        // Set an expiry the way EXPIRE does (under the key's stripe lock, then account it).
        var ks = larder.server().keyspace();
        int stripe = ks.segmentOf(io.larder.store.KeyHash.hash(key), key, 0, key.length);
        ks.locks.lock(stripe);
        try {
            Lookup l = new Lookup();
            StoredValue v = (StoredValue) db.find(l, key, System.currentTimeMillis());
            v.setExpireAt(System.currentTimeMillis() + 30);
            db.updated(l);
        } finally {
            ks.locks.unlock(stripe);
        }
        assertEquals("-UNBLOCKED the stream key no longer exists\r\n", reply(w));
        assertEquals(0L, p.call("EXISTS", "s"));
    }

    @Test
    void timeoutsAreMilliseconds() {
        RespClient w = larderTarget.client();
        long start = System.nanoTime();
        assertEquals("*-1\r\n", call(w, "XREAD", "BLOCK", "150", "STREAMS", "s", "$"));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms >= 150 && ms < 1000, "blocked for " + ms + " ms");
    }
}
