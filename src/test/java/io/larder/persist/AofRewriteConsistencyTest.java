package io.larder.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.LarderTestServer;
import io.larder.testing.RespClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A rewrite runs while clients keep writing: the new BASE is the snapshot of
 * the instant its INCR file starts, so BASE + INCR always replays to exactly
 * the data set. Writers change strings, counters, lists, hashes, sets and
 * sorted sets (and expire and delete some) while rewrites follow one another
 * (slowed down so that many writes happen during each); afterwards the AOF
 * loaded back (DEBUG LOADAOF, and a restart) must equal the live data.
 */
class AofRewriteConsistencyTest {
    static final boolean SOAK = Boolean.getBoolean("larder.soak");

    @ParameterizedTest
    @ValueSource(strings = {"yes", "no"})
    void rewritesUnderWritesReplayToTheLiveData(String preamble) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("larder-aofrw");
        Map<String, String> live;
        try (LarderTestServer s = LarderTestServer.start("--dir", dir.toString(), "--appendonly", "yes",
                "--aof-use-rdb-preamble", preamble, "--enable-debug-command", "yes"); RespClient c = s.client()) {
            RdbInterchangeTest.awaitLoaded(c);
            for (int i = 0; i < 2000; i++) c.call("SET", "pre:" + i, "v" + i);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong ops = new AtomicLong();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int id = w;
                Thread t = new Thread(() -> {
                    java.util.Random r = new java.util.Random(id);
                    try (RespClient wc = s.client()) {
                        while (!stop.get()) {
                            int k = r.nextInt(300);
                            switch (r.nextInt(9)) {
                                case 0 -> wc.call("SET", "s:" + k, "v" + r.nextInt());
                                case 1 -> wc.call("INCR", "n:" + k);
                                case 2 -> wc.call("RPUSH", "l:" + k, "e" + r.nextInt(100));
                                case 3 -> wc.call("HSET", "h:" + k, "f" + r.nextInt(20), "v" + r.nextInt());
                                case 4 -> wc.call("SADD", "z:" + k, "m" + r.nextInt(50));
                                case 5 -> wc.call("ZADD", "o:" + k, Integer.toString(r.nextInt(100)), "m" + r.nextInt(30));
                                case 6 -> wc.call("DEL", "s:" + k, "l:" + k);
                                case 7 -> wc.call("EXPIRE", "h:" + k, "3600");
                                default -> wc.call("SPOP", "z:" + k);
                            }
                            ops.incrementAndGet();
                        }
                    }
                });
                t.start();
                writers.add(t);
            }
            // Each rewrite takes a while (a microsecond per key), so writes land in the middle of it.
            c.call("CONFIG", "SET", "rdb-key-save-delay", "200");
            int rewrites = SOAK ? 10 : 3;
            for (int i = 0; i < rewrites; i++) {
                assertEquals("Background append only file rewriting started", c.call("BGREWRITEAOF"));
                AofInterchangeTest.awaitRewrite(c);
            }
            stop.set(true);
            for (Thread t : writers) t.join();
            assertTrue(ops.get() > 100, "writes during the rewrites: " + ops.get());
            assertEquals(Integer.toString(rewrites), PersistenceCommandsTest.info(c, "aof_rewrites"));
            live = Datasets.describe(c);
            assertEquals("OK", c.call("DEBUG", "LOADAOF"));
            assertEquals(live, Datasets.describe(c));
        }
        try (LarderTestServer s = LarderTestServer.start("--dir", dir.toString(), "--appendonly", "yes");
                RespClient c = s.client()) {
            RdbInterchangeTest.awaitLoaded(c);
            assertEquals(live, Datasets.describe(c));
        }
    }
}
