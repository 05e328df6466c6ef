package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.script.Sha1;
import io.larder.testing.Concurrently;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RespClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scripts under concurrency: many clients on every event loop increment the
 * same key by script (read, compute, write: only atomic if the script is)
 * while others do WATCH-based check-and-set on it; the final count must be
 * exact. Scripts touching keys they did not declare are atomic too.
 */
class ScriptConcurrencyTest {
    static LarderTestServer larder;

    private static final String INCR = "local v = tonumber(redis.call('get', KEYS[1]) or '0') + 1 "
            + "redis.call('set', KEYS[1], v) return v";
    /** Touches keys it was not given (as job-queue libraries do): must still be atomic. */
    private static final String UNDECLARED = "local v = tonumber(redis.call('get', 'hidden') or '0') + 1 "
            + "redis.call('set', 'hidden', v) redis.call('rpush', 'hidden:log', v) redis.call('rpush', 'hidden:log', v) "
            + "return v";

    @BeforeAll
    static void start() {
        larder = LarderTestServer.start("--threads", "4");
    }

    @AfterAll
    static void stop() {
        larder.close();
    }

    static void concurrently(int n, Concurrently.Body body) throws InterruptedException {
        Concurrently.run(larder, n, body);
    }

    @Test
    void scriptIncrementsAndWatchCasCountExactly() throws Exception {
        try (RespClient c = larder.client()) {
            c.call("DEL", "counter");
            c.call("SCRIPT", "LOAD", INCR);
        }
        String sha = Sha1.hex(INCR.getBytes(StandardCharsets.ISO_8859_1));
        int scripters = 10, casers = 6, each = 200;
        AtomicLong casRetries = new AtomicLong();
        concurrently(scripters + casers, (c, w) -> {
            for (int i = 0; i < each; i++) {
                if (w < scripters) {
                    Object r = (i % 2 == 0) ? c.call("EVALSHA", sha, "1", "counter") : c.call("EVAL", INCR, "1", "counter");
                    assertTrue(r instanceof Long, String.valueOf(r));
                    continue;
                }
                while (true) {
                    c.call("WATCH", "counter");
                    String v = (String) c.call("GET", "counter");
                    long n = v == null ? 0 : Long.parseLong(v);
                    c.call("MULTI");
                    c.call("SET", "counter", String.valueOf(n + 1));
                    if (c.call("EXEC") instanceof List<?>) break;
                    casRetries.incrementAndGet();
                }
            }
        });
        try (RespClient c = larder.client()) {
            assertEquals(String.valueOf((scripters + casers) * each), c.call("GET", "counter"));
        }
        assertTrue(casRetries.get() > 0, "no WATCH ever failed: the test did not race");
    }

    @Test
    void scriptsWithUndeclaredKeysAreAtomic() throws Exception {
        try (RespClient c = larder.client()) {
            c.call("DEL", "hidden", "hidden:log");
        }
        AtomicBoolean done = new AtomicBoolean();
        concurrently(8, (c, w) -> {
            if (w < 6) {
                for (int i = 0; i < 150; i++) {
                    Object r = c.call("EVAL", UNDECLARED, "0");
                    assertTrue(r instanceof Long, String.valueOf(r));
                }
                if (w == 0) done.set(true);
            } else {
                // Readers on other loops, in transactions and plain: never half a script.
                while (!done.get()) {
                    c.call("MULTI");
                    c.call("GET", "hidden");
                    c.call("LRANGE", "hidden:log", "-2", "-1");
                    List<?> r = (List<?>) c.call("EXEC");
                    List<?> tail = (List<?>) r.get(1);
                    if (r.get(0) != null) {
                        assertEquals(List.of(r.get(0), r.get(0)), tail);
                    }
                    Object len = c.call("LLEN", "hidden:log");
                    assertEquals(0L, (Long) len % 2);
                }
            }
        });
        try (RespClient c = larder.client()) {
            assertEquals("900", c.call("GET", "hidden"));
            assertEquals(1800L, c.call("LLEN", "hidden:log"));
        }
    }

    @Test
    void transactionsWithScriptsAreAtomicAcrossThreads() throws Exception {
        try (RespClient c = larder.client()) {
            c.call("DEL", "a", "b");
        }
        AtomicBoolean done = new AtomicBoolean();
        concurrently(6, (c, w) -> {
            if (w < 3) {
                for (int i = 0; i < 100; i++) {
                    c.call("MULTI");
                    c.call("EVAL", INCR, "1", "a");
                    c.call("SET", "b", "x" + w + ":" + i);
                    c.call("EVAL", INCR, "1", "a");
                    List<?> r = (List<?>) c.call("EXEC");
                    assertEquals((Long) r.get(0) + 1, r.get(2));
                }
                if (w == 0) done.set(true);
            } else {
                while (!done.get()) {
                    c.call("MULTI");
                    c.call("GET", "a");
                    List<?> r = (List<?>) c.call("EXEC");
                    if (r.get(0) != null) assertEquals(0, Long.parseLong((String) r.get(0)) % 2);
                }
            }
        });
        try (RespClient c = larder.client()) {
            assertEquals("600", c.call("GET", "a"));
        }
    }
}
