package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.store.KeyHash;
import io.larder.store.Keyspace;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RespClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What cannot be compared with Redis byte for byte: SCAN cursors and order,
 * RANDOMKEY's choice, OBJECT IDLETIME. Checked as properties with real
 * clients, including SCAN's guarantee under concurrent writers that resize
 * the tables being scanned.
 */
class KeyspaceIterationTest {
    static LarderTestServer larder;

    @BeforeAll
    static void start() {
        larder = LarderTestServer.start();
    }

    @AfterAll
    static void stop() {
        larder.close();
    }

    @BeforeEach
    void flush() {
        try (RespClient c = larder.client()) {
            c.call("FLUSHALL");
        }
    }

    /** Pipelines one command per key, e.g. ("SET", "k:", 0, 1000, "v") sends SET k:0 v ... */
    static void pipeline(RespClient c, String cmd, String prefix, int from, int to, String... extra) {
        int batch = 2000;
        for (int start = from; start < to; start += batch) {
            int end = Math.min(to, start + batch);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (int i = start; i < end; i++) {
                byte[][] args = new byte[2 + extra.length][];
                args[0] = cmd.getBytes(StandardCharsets.ISO_8859_1);
                args[1] = (prefix + i).getBytes(StandardCharsets.ISO_8859_1);
                for (int j = 0; j < extra.length; j++) args[2 + j] = extra[j].getBytes(StandardCharsets.ISO_8859_1);
                out.writeBytes(RespClient.encode(args));
            }
            c.sendRaw(out.toByteArray());
            for (int i = start; i < end; i++) {
                Object r = RespClient.decode(c.readRaw());
                if (r instanceof RespClient.Error e) throw new AssertionError(e.message());
            }
        }
    }

    /** One full SCAN iteration; returns how often each key came back. */
    @SuppressWarnings("unchecked")
    static Map<String, Integer> scanAll(RespClient c, String... options) {
        Map<String, Integer> seen = new HashMap<>();
        String cursor = "0";
        int calls = 0;
        do {
            String[] cmd = new String[2 + options.length];
            cmd[0] = "SCAN";
            cmd[1] = cursor;
            System.arraycopy(options, 0, cmd, 2, options.length);
            List<Object> r = (List<Object>) c.call(cmd);
            cursor = (String) r.get(0);
            for (Object k : (List<Object>) r.get(1)) seen.merge((String) k, 1, Integer::sum);
            calls++;
        } while (!cursor.equals("0"));
        assertTrue(calls > 0);
        return seen;
    }

    @Test
    void scanReturnsEveryStableKeyOnceWhileWritersResizeTables() throws Exception {
        int stable = 20_000;
        try (RespClient c = larder.client()) {
            pipeline(c, "SET", "stable:", 0, stable, "v");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger rounds = new AtomicInteger();
            List<Thread> writers = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int t = 0; t < 2; t++) {
                String prefix = "churn:" + t + ":";
                Thread w = new Thread(() -> {
                    try (RespClient wc = larder.client()) {
                        while (!stop.get()) {
                            // ~50 extra keys per segment, then none: every segment grows and shrinks.
                            pipeline(wc, "SET", prefix, 0, 100_000, "x");
                            pipeline(wc, "DEL", prefix, 0, 100_000);
                            rounds.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                w.start();
                writers.add(w);
            }
            try {
                boolean overlapped = false;
                for (int pass = 0; pass < 30 && !overlapped; pass++) {
                    int before = rounds.get();
                    Map<String, Integer> seen = scanAll(c, "COUNT", "7");
                    for (int i = 0; i < stable; i++) {
                        assertEquals(1, seen.getOrDefault("stable:" + i, 0), "stable:" + i + " in pass " + pass);
                    }
                    // A writer finished a full grow-and-shrink round entirely inside this pass.
                    overlapped = rounds.get() - before >= 3;
                }
                assertTrue(overlapped, "no SCAN pass overlapped a full resize round");
            } finally {
                stop.set(true);
                for (Thread w : writers) w.join(60_000);
            }
            assertTrue(failures.isEmpty(), () -> "writer failed: " + failures);
        }
    }

    @Test
    void scanOptionsFilterAfterCollection() {
        try (RespClient c = larder.client()) {
            pipeline(c, "SET", "a:", 0, 3000, "v");
            pipeline(c, "SET", "b:", 0, 3000, "v");
            Map<String, Integer> all = scanAll(c);
            assertEquals(6000, all.size());
            assertTrue(all.values().stream().allMatch(n -> n == 1));
            Map<String, Integer> a = scanAll(c, "MATCH", "a:1*", "COUNT", "50");
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < 3000; i++) if (("a:" + i).startsWith("a:1")) expected.add("a:" + i);
            assertEquals(expected, a.keySet());
            assertEquals(6000, scanAll(c, "TYPE", "string", "COUNT", "1000").size());
            assertEquals(6000, scanAll(c, "TYPE", "String").size());
            assertEquals(0, scanAll(c, "TYPE", "list").size());
            // COUNT is a hint about elements visited per call, MATCH applies afterwards.
            @SuppressWarnings("unchecked")
            List<Object> one = (List<Object>) c.call("SCAN", "0", "COUNT", "100");
            int n = ((List<Object>) one.get(1)).size();
            assertTrue(n >= 30 && n <= 400, "COUNT 100 returned " + n);
            // A cursor past the keyspace ends the iteration.
            @SuppressWarnings("unchecked")
            List<Object> past = (List<Object>) c.call("SCAN", "18446744073709551615");
            assertEquals("0", past.get(0));
        }
    }

    @Test
    void scanSkipsAndDeletesExpiredKeys() {
        try (RespClient c = larder.client()) {
            pipeline(c, "SET", "live:", 0, 500, "v");
            pipeline(c, "SET", "dead:", 0, 500, "v", "PX", "1");
            long until = System.currentTimeMillis() + 3;
            while (System.currentTimeMillis() < until) Thread.onSpinWait();
            Map<String, Integer> seen = scanAll(c, "COUNT", "1000");
            assertEquals(500, seen.size());
            assertTrue(seen.keySet().stream().allMatch(k -> k.startsWith("live:")));
            assertEquals(500L, c.call("DBSIZE"));
        }
    }

    @Test
    void randomkeyIsUniformAcrossUnevenSegments() {
        Keyspace ks = larder.server().keyspace();
        // Eight keys sharing one segment and eight alone in theirs: a per-segment pick would favour the lone ones.
        Map<Integer, List<String>> bySegment = new HashMap<>();
        List<String> crowded = null;
        for (int i = 0; crowded == null; i++) {
            String k = "k:" + i;
            byte[] b = k.getBytes(StandardCharsets.ISO_8859_1);
            int seg = ks.segmentOf(KeyHash.hash(b), b, 0, b.length);
            List<String> l = bySegment.computeIfAbsent(seg, x -> new ArrayList<>());
            l.add(k);
            if (l.size() == 8) crowded = l;
        }
        List<String> keys = new ArrayList<>(crowded);
        for (List<String> l : bySegment.values()) {
            if (l != crowded && keys.size() < 16) keys.add(l.get(0));
        }
        try (RespClient c = larder.client()) {
            for (String k : keys) c.call("SET", k, "v");
            Map<String, Integer> counts = new HashMap<>();
            int calls = 8000;
            for (int i = 0; i < calls; i++) counts.merge((String) c.call("RANDOMKEY"), 1, Integer::sum);
            assertEquals(new HashSet<>(keys), counts.keySet());
            for (Map.Entry<String, Integer> e : counts.entrySet()) {
                // Expected 500 each (sd ~22): far from the 250 vs 750 a per-segment choice would give.
                assertTrue(e.getValue() > 380 && e.getValue() < 620, e + " of " + counts);
            }
        }
    }

    @Test
    void randomkeyNeverReturnsExpiredKeys() {
        try (RespClient c = larder.client()) {
            pipeline(c, "SET", "dead:", 0, 2000, "v", "PX", "1");
            c.call("SET", "alive", "v");
            long until = System.currentTimeMillis() + 3;
            while (System.currentTimeMillis() < until) Thread.onSpinWait();
            for (int i = 0; i < 50; i++) assertEquals("alive", c.call("RANDOMKEY"));
            c.call("DEL", "alive");
            assertNull(c.call("RANDOMKEY"));
        }
    }

    @Test
    void idletimeCountsSecondsSinceLastAccess() {
        try (RespClient c = larder.client()) {
            c.call("SET", "k", "v");
            assertTrue((Long) c.call("OBJECT", "IDLETIME", "k") <= 1);
            long deadline = System.currentTimeMillis() + 6000;
            long idle = 0;
            while (System.currentTimeMillis() < deadline && idle < 2) {
                idle = (Long) c.call("OBJECT", "IDLETIME", "k");
                // Commands that do not count as an access leave the clock alone.
                c.call("TTL", "k");
                c.call("TYPE", "k");
                c.call("EXISTS", "k");
            }
            assertTrue(idle >= 2, "idle time never reached 2 s");
            c.call("GET", "k");
            assertTrue((Long) c.call("OBJECT", "IDLETIME", "k") <= 1);
            assertNotEquals(0L, c.call("EXISTS", "k"));
        }
    }
}
