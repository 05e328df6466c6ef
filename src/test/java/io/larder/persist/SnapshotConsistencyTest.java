package io.larder.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.LarderTestServer;
import io.larder.testing.RespClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BGSAVE under a write load: the file must be the keyspace exactly as it
 * was when BGSAVE started. Writer threads change their own keys in every
 * way that modifies values in place or replaces them (SET, INCR on small
 * strings, APPEND and SETRANGE on large ones, PEXPIREAT, RPUSH, HSET,
 * SADD, DEL, MSET of pairs), numbering each write. For every key, the
 * version in the file must lie between the last write acknowledged before
 * BGSAVE was sent and the last write sent before BGSAVE's reply; the two
 * keys of an MSET pair must agree (one command is never split by the cut).
 * The snapshot is made slow (rdb-key-save-delay) so that writers reach
 * segments before the snapshot thread does and must capture them.
 */
class SnapshotConsistencyTest {
    @TempDir
    Path tmp;

    static final String[] GROUPS = {"s", "c", "a", "r", "e", "l", "h", "z", "d", "p", "o", "x", "t"};
    static final int KEYS_PER_GROUP = 60;
    static final long EXPIRE_BASE = System.currentTimeMillis() + 86_400_000L;

    /** One writer's writes to one key: version i was sent at sent[i] and acknowledged at acked[i]. */
    static final class History {
        long[] sent = new long[64];
        long[] acked = new long[64];
        int versions;

        void grow(int v) {
            if (v >= sent.length) {
                sent = java.util.Arrays.copyOf(sent, sent.length * 2);
                acked = java.util.Arrays.copyOf(acked, acked.length * 2);
            }
        }
    }

    @Test
    void backgroundSaveIsAPointInTime() throws Exception {
        for (int round = 0; round < 2; round++) runRound(round);
    }

    private void runRound(int round) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("r" + round));
        try (LarderTestServer l = LarderTestServer.start("--dir", dir.toString(), "--enable-debug-command", "yes"); RespClient admin = l.client()) {
            assertEquals("OK", admin.call("DEBUG", "POPULATE", "30000", "filler", "20"));
            int writers = 4;
            Map<String, History> histories = new ConcurrentHashMap<>();
            for (int w = 0; w < writers; w++) setUp(admin, w, histories);
            // About 1.5 s of saving, with writes all along.
            assertEquals("OK", admin.call("CONFIG", "SET", "rdb-key-save-delay", "-4"));
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            List<Throwable> errors = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                Thread t = new Thread(() -> {
                    try (RespClient c = l.client()) {
                        write(c, id, histories, stop, new Random(round * 100 + id));
                    } catch (Throwable e) {
                        synchronized (errors) {
                            errors.add(e);
                        }
                    }
                });
                t.start();
                threads.add(t);
            }
            Thread.sleep(300);
            long sentAt = System.nanoTime();
            assertEquals("Background saving started", admin.call("BGSAVE"));
            long repliedAt = System.nanoTime();
            PersistenceCommandsTest.awaitBgsaveDone(admin);
            String info = (String) admin.call("INFO", "persistence");
            Thread.sleep(100);
            stop.set(true);
            for (Thread t : threads) t.join();
            assertTrue(errors.isEmpty(), String.valueOf(errors));
            assertTrue(info.contains("rdb_last_bgsave_status:ok"), info);
            Map<String, FileContents.Entry> file = FileContents.read(dir.resolve("dump.rdb"));
            int checked = 0, afterReply = 0;
            for (var e : histories.entrySet()) {
                String key = e.getKey();
                History h = e.getValue();
                int low = 0, high = 0;
                for (int v = 1; v <= h.versions; v++) {
                    if (h.acked[v] < sentAt) low = v;
                    if (h.sent[v] < repliedAt) high = v;
                }
                // Written after the snapshot began (and before it finished, as writers ran all along).
                if (h.versions > high) afterReply++;
                if (key.startsWith("d:") && file.get(key) == null) {
                    // Deleted by an odd-numbered write: one of those must lie in the window.
                    boolean odd = false;
                    for (int v = low; v <= high; v++) odd |= v % 2 == 1;
                    assertTrue(odd, key + " missing from the file, expected a version in " + low + ".." + high);
                    checked++;
                    continue;
                }
                long version = versionIn(key, file.get(key));
                assertTrue(version >= low && version <= high, key + ": version " + version + " in the file, expected "
                        + low + ".." + high + " (" + h.versions + " writes)");
                checked++;
            }
            for (int w = 0; w < writers; w++) {
                for (int i = 0; i < KEYS_PER_GROUP; i++) {
                    FileContents.Entry a = file.get("p:" + w + ":" + i + ":a");
                    FileContents.Entry b = file.get("p:" + w + ":" + i + ":b");
                    assertEquals(a.value(), b.value(), "MSET pair split by the snapshot");
                }
            }
            assertEquals(30000, file.keySet().stream().filter(k -> k.startsWith("filler:")).count());
            assertTrue(afterReply > histories.size() / 2, "keys written after BGSAVE began: " + afterReply);
            assertTrue(checked > 1000);
            long peak = Long.parseLong(line(info, "rdb_last_cow_size"));
            assertTrue(peak > 0, "writers captured segments ahead of the snapshot thread");
        }
    }

    private static String line(String info, String field) {
        for (String s : info.split("\r\n")) if (s.startsWith(field + ":")) return s.substring(field.length() + 1);
        throw new AssertionError(field);
    }

    private static void setUp(RespClient c, int w, Map<String, History> histories) {
        // The source of SORT ... STORE (group "t"), which runs exclusive because BY names other keys.
        List<String> src = new ArrayList<>(List.of("SADD", "tsrc:" + w));
        for (int i = 0; i < 2000; i++) src.add(Integer.toString(i));
        c.call(src.toArray(new String[0]));
        for (String g : GROUPS) {
            for (int i = 0; i < KEYS_PER_GROUP; i++) {
                String k = g + ":" + w + ":" + i;
                switch (g) {
                    case "s" -> c.call("SET", k, "0");
                    case "c" -> c.call("SET", k, "0");
                    case "a" -> c.call("SET", k, "x".repeat(5000));
                    case "r" -> c.call("SET", k, "00000000" + "y".repeat(5000));
                    case "e" -> c.call("SET", k, "v", "PXAT", Long.toString(EXPIRE_BASE));
                    case "l" -> c.call("RPUSH", k, "0");
                    case "h" -> c.call("HSET", k, "ver", "0");
                    case "z" -> c.call("SADD", k, "0");
                    case "d" -> c.call("SET", k, "0");
                    case "p" -> c.call("MSET", k + ":a", "0", k + ":b", "0");
                    case "o" -> c.call("ZADD", k, "0", "m0");
                    case "x" -> c.call("XADD", k, "0-1", "v", "0");
                    case "t" -> c.call("RPUSH", k, "0");
                    default -> throw new AssertionError(g);
                }
                if (!g.equals("p")) histories.put(k, new History());
            }
        }
    }

    private static void write(RespClient c, int w, Map<String, History> histories, AtomicBoolean stop, Random r) {
        while (!stop.get()) {
            String g = GROUPS[r.nextInt(GROUPS.length)];
            int i = r.nextInt(KEYS_PER_GROUP);
            String k = g + ":" + w + ":" + i;
            if (g.equals("p")) {
                int v = r.nextInt(1_000_000);
                c.call("MSET", k + ":a", "" + v, k + ":b", "" + v);
                continue;
            }
            History h = histories.get(k);
            int v = h.versions + 1;
            h.grow(v);
            h.sent[v] = System.nanoTime();
            Object reply = switch (g) {
                case "s" -> c.call("SET", k, Integer.toString(v));
                case "c" -> c.call("INCR", k);
                case "a" -> c.call("APPEND", k, "x");
                case "r" -> c.call("SETRANGE", k, "0", String.format("%08d", v));
                case "e" -> c.call("PEXPIREAT", k, Long.toString(EXPIRE_BASE + v));
                case "l" -> c.call("RPUSH", k, Integer.toString(v));
                case "h" -> c.call("HSET", k, "ver", Integer.toString(v), "f" + (v % 50), "x");
                case "z" -> c.call("SADD", k, Integer.toString(v));
                case "d" -> v % 2 == 1 ? c.call("DEL", k) : c.call("SET", k, Integer.toString(v));
                case "o" -> c.call("ZADD", k, Integer.toString(v), "m" + v);
                case "x" -> c.call("XADD", k, v + "-1", "v", Integer.toString(v));
                case "t" -> c.call("SORT", "tsrc:" + w, "BY", "nokey_*", "LIMIT", "0", Integer.toString(v + 1),
                        "STORE", k);
                default -> throw new AssertionError(g);
            };
            if (reply instanceof RespClient.Error e) throw new AssertionError(e.message());
            h.acked[v] = System.nanoTime();
            h.versions = v;
        }
    }

    /** The version of a tracked key that the file holds. */
    @SuppressWarnings("unchecked")
    private static long versionIn(String key, FileContents.Entry e) {
        String g = key.substring(0, key.indexOf(':'));
        if (g.equals("d")) return Long.parseLong((String) e.value());
        assertNotNull(e, key + " missing from the file");
        return switch (g) {
            case "s", "c" -> Long.parseLong((String) e.value());
            case "a" -> ((String) e.value()).length() - 5000;
            case "r" -> Long.parseLong(((String) e.value()).substring(0, 8));
            case "e" -> e.expireAt() - EXPIRE_BASE;
            case "l", "t" -> ((List<String>) e.value()).size() - 1;
            case "h" -> Long.parseLong(((Map<String, String>) e.value()).get("ver"));
            case "z" -> ((Collection<String>) e.value()).size() - 1;
            case "o" -> ((Map<String, Double>) e.value()).size() - 1;
            case "x" -> (Long) e.value() - 1;
            default -> throw new AssertionError(g);
        };
    }
}
