package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.larder.testing.LarderTestServer;
import io.larder.testing.RespClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;

/**
 * The stream workload of the issue, with real clients: 4 producers add
 * 100,000 entries (Jedis, pipelined, IDs from the clock), 8 consumers in 2
 * groups read them with XREADGROUP BLOCK and acknowledge them with XACK.
 * One consumer is killed mid-way holding delivered, unacknowledged entries;
 * another takes them over with XAUTOCLAIM once they are idle long enough.
 * Afterwards every entry was processed and acknowledged exactly once per
 * group, by our own bookkeeping and by the server's (XPENDING, XINFO).
 */
class StreamWorkloadTest {
    static final int PRODUCERS = 4, PER_PRODUCER = 25_000, TOTAL = PRODUCERS * PER_PRODUCER;
    static final int CONSUMERS_PER_GROUP = 4;
    static final String[] GROUPS = {"g1", "g2"};
    /** Entries of the killed consumer are claimed once idle this long; live consumers ack far sooner. */
    static final long CLAIM_IDLE_MS = 3000;

    static LarderTestServer larder;

    @BeforeAll
    static void start() {
        larder = LarderTestServer.start();
    }

    @AfterAll
    static void stop() {
        if (larder != null) larder.close();
    }

    /** Per group: entry ID -> how many times a consumer processed it. */
    final Map<String, ConcurrentHashMap<String, AtomicInteger>> processed = new HashMap<>();
    final Map<String, AtomicInteger> done = new HashMap<>();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final AtomicBoolean stop = new AtomicBoolean();

    @Test
    void producersConsumersAndACrashedConsumer() throws Exception {
        try (RespClient admin = larder.client()) {
            admin.call("FLUSHALL");
            for (String g : GROUPS) {
                assertEquals("OK", admin.call("XGROUP", "CREATE", "work", g, "$", "MKSTREAM"));
                processed.put(g, new ConcurrentHashMap<>());
                done.put(g, new AtomicInteger());
            }
        }
        Set<String> produced = ConcurrentHashMap.newKeySet();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            int producer = p;
            threads.add(thread("producer-" + p, () -> produce(producer, produced)));
        }
        CountDownLatch killed = new CountDownLatch(1);
        AtomicReference<List<String>> orphans = new AtomicReference<>();
        for (String g : GROUPS) {
            for (int c = 0; c < CONSUMERS_PER_GROUP; c++) {
                String name = "c" + c;
                boolean victim = g.equals("g1") && c == 3;
                boolean claimer = g.equals("g1") && c == 0;
                threads.add(thread(g + "-" + name, () -> consume(g, name, victim, claimer, killed, orphans)));
            }
        }
        for (Thread t : threads) t.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                stop.set(true);
                fail("workload did not finish: " + t.getName() + " still running; processed "
                        + done.get("g1") + " / " + done.get("g2"));
            }
        }
        if (failure.get() != null) throw new AssertionError("a client failed", failure.get());

        // Our bookkeeping: every produced entry processed exactly once per group.
        assertEquals(TOTAL, produced.size());
        assertTrue(orphans.get() != null && !orphans.get().isEmpty(), "the killed consumer held no entries");
        for (String g : GROUPS) {
            ConcurrentHashMap<String, AtomicInteger> seen = processed.get(g);
            assertEquals(produced, seen.keySet(), g + ": processed entries differ from produced ones");
            for (Map.Entry<String, AtomicInteger> e : seen.entrySet()) {
                assertEquals(1, e.getValue().get(), g + ": entry " + e.getKey() + " processed more than once");
            }
        }
        // The claimed entries went to the claimer, once each.
        for (String id : orphans.get()) assertEquals(1, processed.get("g1").get(id).get());

        // The server's bookkeeping agrees.
        try (RespClient c = larder.client()) {
            assertEquals((long) TOTAL, c.call("XLEN", "work"));
            String last = lastId(c);
            for (String g : GROUPS) {
                List<?> summary = (List<?>) c.call("XPENDING", "work", g);
                assertEquals(0L, summary.get(0), g + ": entries left pending");
                assertNull(summary.get(1));
                Map<String, Object> info = groupInfo(c, g);
                assertEquals(0L, info.get("pending"));
                assertEquals((long) TOTAL, info.get("entries-read"));
                assertEquals(0L, info.get("lag"));
                assertEquals(last, info.get("last-delivered-id"));
                assertEquals((long) CONSUMERS_PER_GROUP, info.get("consumers"));
            }
            for (Object o : (List<?>) c.call("XINFO", "CONSUMERS", "work", "g1")) {
                List<?> consumer = (List<?>) o;
                assertEquals(0L, consumer.get(3), "consumer " + consumer.get(1) + " has pending entries");
            }
        }
    }

    private Thread thread(String name, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
                stop.set(true);
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    private void produce(int producer, Set<String> produced) {
        try (Jedis j = new Jedis("127.0.0.1", larder.port())) {
            int batch = 200;
            for (int i = 0; i < PER_PRODUCER && !stop.get(); i += batch) {
                Pipeline p = j.pipelined();
                List<Response<StreamEntryID>> ids = new ArrayList<>();
                for (int k = i; k < Math.min(PER_PRODUCER, i + batch); k++) {
                    ids.add(p.xadd("work", StreamEntryID.NEW_ENTRY,
                            Map.of("producer", "" + producer, "n", "" + k, "payload", "entry-" + producer + "-" + k)));
                }
                p.sync();
                for (Response<StreamEntryID> r : ids) {
                    if (!produced.add(r.get().toString())) throw new AssertionError("duplicate ID " + r.get());
                }
            }
        }
    }

    /**
     * One consumer: read new entries (blocking), process (record), ack.
     * The victim, after a while, takes a batch and dies without acking it.
     * The claimer, once that happened, claims idle entries with XAUTOCLAIM.
     */
    private void consume(String group, String name, boolean victim, boolean claimer, CountDownLatch killed,
            AtomicReference<List<String>> orphans) {
        RespClient c = larder.client();
        try {
            boolean claimed = false;
            long killedAt = 0;
            while (!stop.get() && done.get(group).get() < TOTAL) {
                if (claimer && !claimed && killed.getCount() == 0) {
                    if (killedAt == 0) killedAt = System.nanoTime();
                    if (System.nanoTime() - killedAt > TimeUnit.MILLISECONDS.toNanos(CLAIM_IDLE_MS)) {
                        claimAll(c, group, name);
                        claimed = true;
                    }
                }
                Object reply = c.call("XREADGROUP", "GROUP", group, name, "COUNT", "50", "BLOCK", "200", "STREAMS",
                        "work", ">");
                if (reply == null) continue;
                List<String> ids = entryIds(reply);
                if (victim && done.get(group).get() > TOTAL / 4 && !ids.isEmpty()) {
                    // Crash: the batch stays delivered to us and unacknowledged.
                    orphans.set(ids);
                    c.close();
                    killed.countDown();
                    return;
                }
                processAndAck(c, group, ids);
            }
        } finally {
            c.close();
        }
    }

    /** XAUTOCLAIM from the start until the cursor comes back to 0-0, processing what is claimed. */
    private void claimAll(RespClient c, String group, String name) {
        String cursor = "0-0";
        do {
            List<?> r = (List<?>) c.call("XAUTOCLAIM", "work", group, name, "" + CLAIM_IDLE_MS, cursor, "COUNT", "25");
            cursor = (String) r.get(0);
            List<String> ids = new ArrayList<>();
            for (Object e : (List<?>) r.get(1)) ids.add((String) ((List<?>) e).get(0));
            assertEquals(0, ((List<?>) r.get(2)).size(), "no entry was deleted");
            processAndAck(c, group, ids);
        } while (!cursor.equals("0-0"));
    }

    private void processAndAck(RespClient c, String group, List<String> ids) {
        if (ids.isEmpty()) return;
        for (String id : ids) processed.get(group).computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        List<String> ack = new ArrayList<>(List.of("XACK", "work", group));
        ack.addAll(ids);
        long acked = (Long) c.call(ack.toArray(new String[0]));
        // Every entry we processed was pending for us and is acknowledged now, once.
        assertEquals(ids.size(), acked, group + ": XACK acknowledged fewer entries than processed");
        done.get(group).addAndGet(ids.size());
    }

    private static List<String> entryIds(Object reply) {
        List<String> ids = new ArrayList<>();
        List<?> streams = (List<?>) reply;
        for (Object s : streams) {
            for (Object e : (List<?>) ((List<?>) s).get(1)) ids.add((String) ((List<?>) e).get(0));
        }
        return ids;
    }

    private static String lastId(RespClient c) {
        List<?> r = (List<?>) c.call("XREVRANGE", "work", "+", "-", "COUNT", "1");
        return (String) ((List<?>) r.get(0)).get(0);
    }

    private static Map<String, Object> groupInfo(RespClient c, String group) {
        for (Object o : (List<?>) c.call("XINFO", "GROUPS", "work")) {
            List<?> kv = (List<?>) o;
            Map<String, Object> m = new HashMap<>();
            for (int i = 0; i < kv.size(); i += 2) m.put((String) kv.get(i), kv.get(i + 1));
            if (group.equals(m.get("name"))) return m;
        }
        throw new AssertionError("no group " + group);
    }
}
