package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.Encodings;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RespClient;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Million-member sets and hashes: operations keep Redis's complexity
 * (SINTER iterates the smallest set; SINTERCARD LIMIT stops early), HSCAN
 * and SSCAN visit each element once, and memory per element stays at or
 * below Redis's.
 */
class CollectionScaleTest {
    private static final int N = 1_000_000;
    private static LarderTestServer larder;
    private static RespClient c;

    @BeforeAll
    static void start() {
        larder = LarderTestServer.start();
        c = larder.client();
        c.setTimeout(120_000);
        // a = 0..N-1, b = N/2..3N/2-1 (half shared), h = N fields; pipelined in batches.
        fill("SADD", "a", 0, false);
        fill("SADD", "b", N / 2, false);
        fill("HSET", "h", 0, true);
    }

    private static void fill(String cmd, String key, int start, boolean pairs) {
        int batch = 1000;
        int sent = 0;
        for (int i = 0; i < N; i += batch) {
            List<String> args = new ArrayList<>(List.of(cmd, key));
            for (int j = i; j < i + batch; j++) {
                args.add("member:" + (start + j));
                if (pairs) args.add(String.valueOf(j));
            }
            c.send(args.toArray(new String[0]));
            sent++;
            if (sent == 50) {
                for (int k = 0; k < sent; k++) c.readRaw();
                sent = 0;
            }
        }
        for (int k = 0; k < sent; k++) c.readRaw();
    }

    @AfterAll
    static void stop() {
        if (c != null) c.close();
        if (larder != null) larder.close();
    }

    @Test
    void intersectionIteratesTheSmallestSet() {
        assertEquals((long) N, c.call("SCARD", "a"));
        assertEquals("hashtable", Encodings.larder(larder, "a"));
        c.call("SADD", "small", "member:3", "member:700000", "nope");
        long t0 = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            List<?> r = (List<?>) c.call("SINTER", "a", "b", "small");
            assertEquals(List.of("member:700000"), r);
        }
        long perCallUs = (System.nanoTime() - t0) / 1000 / 1000;
        assertTrue(perCallUs < 1000, "SINTER with a 3-member set took " + perCallUs + "us per call");
        t0 = System.nanoTime();
        assertEquals(10L, c.call("SINTERCARD", "2", "a", "b", "LIMIT", "10"));
        long limitedUs = (System.nanoTime() - t0) / 1000;
        assertTrue(limitedUs < 50_000, "SINTERCARD LIMIT 10 took " + limitedUs + "us");
        // The full intersection of two million-member sets: linear work, well under a few seconds.
        t0 = System.nanoTime();
        assertEquals((long) N / 2, c.call("SINTERCARD", "2", "a", "b"));
        List<?> all = (List<?>) c.call("SINTER", "a", "b");
        long fullMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(N / 2, all.size());
        assertTrue(fullMs < 5000, "SINTERCARD + SINTER of two 1M sets took " + fullMs + "ms");
        assertEquals((long) N / 2, c.call("SDIFFSTORE", "d", "a", "b"));
        assertEquals((long) N / 2 * 3, c.call("SUNIONSTORE", "u", "a", "b"));
        c.call("DEL", "d", "u");
    }

    @Test
    void scansVisitEveryElementOnce() {
        BitSet seen = new BitSet(N);
        String cursor = "0";
        int calls = 0;
        do {
            List<?> r = (List<?>) c.call("SSCAN", "a", cursor, "COUNT", "1000");
            cursor = (String) r.get(0);
            for (Object o : (List<?>) r.get(1)) {
                int i = Integer.parseInt(((String) o).substring(7));
                assertTrue(!seen.get(i), "twice " + o);
                seen.set(i);
            }
            calls++;
        } while (!cursor.equals("0"));
        assertEquals(N, seen.cardinality());
        assertTrue(calls > 500 && calls < 2000, "SSCAN COUNT 1000 calls " + calls);
        seen.clear();
        cursor = "0";
        do {
            List<?> r = (List<?>) c.call("HSCAN", "h", cursor, "COUNT", "5000");
            cursor = (String) r.get(0);
            List<?> items = (List<?>) r.get(1);
            for (int k = 0; k < items.size(); k += 2) {
                int i = Integer.parseInt(((String) items.get(k)).substring(7));
                assertEquals(String.valueOf(i), items.get(k + 1));
                assertTrue(!seen.get(i));
                seen.set(i);
            }
        } while (!cursor.equals("0"));
        assertEquals(N, seen.cardinality());
    }

    @Test
    void randomPicksOnLargeCollections() {
        assertEquals(1000, ((List<?>) c.call("SRANDMEMBER", "a", "1000")).size());
        assertEquals(N / 2, ((List<?>) c.call("SRANDMEMBER", "b", String.valueOf(N / 2))).size());
        assertEquals(2000, ((List<?>) c.call("HRANDFIELD", "h", "1000", "WITHVALUES")).size());
        assertEquals(5000, ((List<?>) c.call("HRANDFIELD", "h", "-5000")).size());
    }

    @Test
    void memoryPerElementAtOrBelowRedis() {
        // Redis 7.0.15 on the same data (used_memory before and after, jemalloc): 56.4 bytes
        // per member of "a" (dictEntry, sds, buckets) and 64.4 per field of "h".
        io.larder.store.Database db = larder.server().keyspace().db(0);
        long setBytes = memoryOf(db, "a"), hashBytes = memoryOf(db, "h");
        assertTrue(setBytes / N <= 56, "set bytes per member " + setBytes / N);
        assertTrue(hashBytes / N <= 64, "hash bytes per field " + hashBytes / N);
    }

    private static long memoryOf(io.larder.store.Database db, String key) {
        byte[] k = key.getBytes();
        io.larder.store.Keyspace ks = larder.server().keyspace();
        int stripe = ks.segmentOf(io.larder.store.KeyHash.hash(k), k, 0, k.length);
        ks.locks.lock(stripe);
        try {
            Object e = db.find(new io.larder.store.Lookup(), k, System.currentTimeMillis());
            return io.larder.store.Entries.memoryUsage(e);
        } finally {
            ks.locks.unlock(stripe);
        }
    }
}
