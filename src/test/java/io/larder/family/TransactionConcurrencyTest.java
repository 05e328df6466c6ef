package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.Concurrently;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RespClient;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Transactions under real concurrency: clients spread over every event loop
 * run WATCH-based check-and-set and MULTI/EXEC blocks on the same keys. The
 * counts must come out exact and no client may ever see half of a
 * transaction, whichever thread runs it.
 */
class TransactionConcurrencyTest {
    static LarderTestServer larder;

    @BeforeAll
    static void start() {
        // More loops than cores, so transactions really run on different threads at once.
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
    void watchCheckAndSetCountsExactly() throws Exception {
        try (RespClient c = larder.client()) {
            c.call("DEL", "counter");
        }
        int clients = 16, each = 150;
        AtomicLong retries = new AtomicLong();
        concurrently(clients, (c, w) -> {
            for (int i = 0; i < each; i++) {
                while (true) {
                    c.call("WATCH", "counter");
                    String v = (String) c.call("GET", "counter");
                    long n = v == null ? 0 : Long.parseLong(v);
                    c.call("MULTI");
                    c.call("SET", "counter", String.valueOf(n + 1));
                    Object r = c.call("EXEC");
                    if (r instanceof List<?>) break;
                    assertEquals(null, r);
                    retries.incrementAndGet();
                }
            }
        });
        try (RespClient c = larder.client()) {
            assertEquals(String.valueOf(clients * each), c.call("GET", "counter"));
        }
        // Sixteen clients on the same key: some must have had to retry, or WATCH was not tested.
        assertTrue(retries.get() > 0);
    }

    @Test
    void nobodySeesHalfATransaction() throws Exception {
        try (RespClient c = larder.client()) {
            c.call("SET", "x", "0");
            c.call("SET", "y", "0");
        }
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        concurrently(8, (c, w) -> {
            if (w < 4) {
                for (int i = 0; i < 300; i++) {
                    String v = w + ":" + i;
                    c.call("MULTI");
                    c.call("SET", "x", v);
                    c.call("LPUSH", "log", v);
                    c.call("LPUSH", "log", v);
                    c.call("SET", "y", v);
                    c.call("EXEC");
                }
                if (w == 0) done.set(true);
            } else {
                while (!done.get()) {
                    c.call("MULTI");
                    c.call("GET", "x");
                    c.call("GET", "y");
                    c.call("LRANGE", "log", "0", "1");
                    List<?> r = (List<?>) c.call("EXEC");
                    assertEquals(r.get(0), r.get(1));
                    List<?> head = (List<?>) r.get(2);
                    if (!head.isEmpty()) {
                        assertEquals(head.get(0), head.get(1));
                        assertEquals(r.get(0), head.get(0));
                    }
                    reads.incrementAndGet();
                }
            }
        });
        assertTrue(reads.get() > 0);
        try (RespClient c = larder.client()) {
            // Every transaction's two pushes are adjacent: nothing interleaved with them.
            List<?> log = (List<?>) c.call("LRANGE", "log", "0", "-1");
            assertEquals(4 * 300 * 2, log.size());
            for (int i = 0; i < log.size(); i += 2) assertEquals(log.get(i), log.get(i + 1));
        }
    }

    @Test
    void exclusiveTransactionsAreAtomicToo() throws Exception {
        // DBSIZE makes EXEC take the keyspace; a reader must still never see half.
        AtomicBoolean done = new AtomicBoolean();
        concurrently(4, (c, w) -> {
            if (w < 2) {
                for (int i = 0; i < 200; i++) {
                    String v = w + ":" + i;
                    c.call("MULTI");
                    c.call("SET", "p", v);
                    c.call("DBSIZE");
                    c.call("SET", "q", v);
                    c.call("EXEC");
                }
                if (w == 0) done.set(true);
            } else {
                while (!done.get()) {
                    c.call("MULTI");
                    c.call("GET", "p");
                    c.call("GET", "q");
                    List<?> r = (List<?>) c.call("EXEC");
                    assertEquals(r.get(0), r.get(1));
                }
            }
        });
    }
}
