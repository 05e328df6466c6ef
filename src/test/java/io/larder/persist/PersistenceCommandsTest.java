package io.larder.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SAVE, BGSAVE, LASTSAVE, save points, MISCONF, FLUSHALL's save, DEBUG
 * RELOAD, SHUTDOWN's save, loading, and the INFO persistence fields: each
 * scenario runs on Larder and on Redis 7.0 (each with a directory of its
 * own) and must give the same replies.
 */
class PersistenceCommandsTest {
    @TempDir
    Path tmp;

    /** A scenario run against one server: what it records must be the same for both. */
    interface Scenario {
        void run(RespClient c, Path dir, List<Object> out) throws Exception;
    }

    static final String[] BASE = {"--enable-debug-command", "yes", "--enable-protected-configs", "yes"};

    private void same(Scenario s, String... opts) throws Exception {
        List<Object> fromRedis = new ArrayList<>(), fromLarder = new ArrayList<>();
        Path rdir = Files.createDirectories(tmp.resolve("redis"));
        Path ldir = Files.createDirectories(tmp.resolve("larder"));
        try (RedisOracle r = RedisOracle.start(options(rdir, opts)); RespClient c = r.client()) {
            s.run(c, rdir, fromRedis);
        }
        try (LarderTestServer l = LarderTestServer.start(options(ldir, opts)); RespClient c = l.client()) {
            s.run(c, ldir, fromLarder);
        }
        assertEquals(fromRedis, fromLarder);
    }

    private static String[] options(Path dir, String... opts) {
        List<String> all = new ArrayList<>(List.of("--dir", dir.toString()));
        all.addAll(List.of(BASE));
        all.addAll(List.of(opts));
        return all.toArray(new String[0]);
    }

    static String info(RespClient c, String field) {
        String info = (String) c.call("INFO", "persistence");
        for (String line : info.split("\r\n")) {
            if (line.startsWith(field + ":")) return line.substring(field.length() + 1);
        }
        throw new AssertionError("no " + field + " in " + info);
    }

    static void await(BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    static void awaitBgsaveDone(RespClient c) throws InterruptedException {
        await(() -> info(c, "rdb_bgsave_in_progress").equals("0"), "BGSAVE to finish");
    }

    static long keysIn(Path file) {
        long[] n = {0};
        try (var is = Files.newInputStream(file)) {
            RdbLoader.load(new RdbInput(is::read, Files.size(file)), new RdbLoader.Sink() {
                @Override
                public void function(byte[] code, RdbInput in) {}

                @Override
                public void key(int db, byte[] key, Object value, long exp, int f, long idle, RdbInput in) {
                    n[0]++;
                }
            }, LoadOptions.from(new io.larder.config.Config()), 16, true);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return n[0];
    }

    @Test
    void saveLastsaveAndCounters() throws Exception {
        same((c, dir, out) -> {
            long before = (Long) c.call("LASTSAVE");
            out.add(c.call("MSET", "a", "1", "b", "2", "c", "3"));
            out.add(info(c, "rdb_changes_since_last_save"));
            Thread.sleep(1100);
            out.add(c.call("SAVE"));
            out.add((Long) c.call("LASTSAVE") > before);
            out.add(info(c, "rdb_changes_since_last_save"));
            out.add(info(c, "rdb_saves"));
            out.add(keysIn(dir.resolve("dump.rdb")));
            out.add(c.call("SAVE", "extra"));
            out.add(c.call("LASTSAVE", "extra"));
            out.add(c.call("CONFIG", "GET", "save"));
            out.add(c.call("CONFIG", "GET", "rdbchecksum"));
            out.add(c.call("CONFIG", "SET", "rdbchecksum", "no"));
            out.add(c.call("CONFIG", "SET", "dbfilename", "other.rdb"));
            out.add(c.call("CONFIG", "SET", "dbfilename", "sub/other.rdb"));
            out.add(c.call("SAVE"));
            out.add(Files.exists(dir.resolve("other.rdb")));
            out.add(info(c, "rdb_saves"));
        }, "--save", "3600 1 300 100 60 10000");
    }

    @Test
    void bgsaveRepliesWhileRunning() throws Exception {
        same((c, dir, out) -> {
            for (int i = 0; i < 20; i++) c.call("SET", "k" + i, "v" + i);
            out.add(c.call("CONFIG", "SET", "rdb-key-save-delay", "100000")); // 0.1 s per key: 2 s in all
            out.add(c.call("BGSAVE"));
            out.add(info(c, "rdb_bgsave_in_progress"));
            out.add(c.call("BGSAVE"));
            out.add(c.call("BGSAVE", "SCHEDULE"));
            out.add(c.call("SAVE"));
            out.add(Long.parseLong(info(c, "rdb_current_bgsave_time_sec")) >= 0);
            out.add(c.call("BGSAVE", "foo"));
            out.add(c.call("BGSAVE", "SCHEDULE", "x"));
            out.add(c.call("CONFIG", "SET", "rdb-key-save-delay", "0"));
            awaitBgsaveDone(c);
            out.add(info(c, "rdb_last_bgsave_status"));
            out.add(Long.parseLong(info(c, "rdb_last_bgsave_time_sec")) >= 0);
            out.add(info(c, "rdb_current_bgsave_time_sec"));
            out.add(info(c, "rdb_saves"));
            out.add(info(c, "rdb_changes_since_last_save"));
            out.add(keysIn(dir.resolve("dump.rdb")));
        });
    }

    @Test
    void savePointsStartBackgroundSaves() throws Exception {
        same((c, dir, out) -> {
            out.add(c.call("CONFIG", "SET", "save", "1 2"));
            out.add(c.call("SET", "a", "1"));
            Thread.sleep(2500);
            out.add(info(c, "rdb_saves")); // one change is below the save point
            out.add(c.call("SET", "b", "2"));
            await(() -> info(c, "rdb_saves").equals("1"), "the save point");
            awaitBgsaveDone(c);
            out.add(info(c, "rdb_changes_since_last_save"));
            out.add(keysIn(dir.resolve("dump.rdb")));
            out.add(c.call("CONFIG", "SET", "save", ""));
            out.add(c.call("CONFIG", "GET", "save"));
        }, "--save", "");
    }

    @Test
    void failedBackgroundSaveStopsWrites() throws Exception {
        same((c, dir, out) -> {
            Path sub = Files.createDirectories(dir.resolve("sub"));
            out.add(c.call("CONFIG", "SET", "dir", sub.toString()));
            Files.delete(sub);
            out.add(c.call("SET", "k", "v"));
            // Transactions queued before the failure: EXEC is judged by its queue (a write: aborted).
            try (RespClient writer = new RespClient(c.port()); RespClient reader = new RespClient(c.port())) {
                out.add(writer.call("MULTI"));
                out.add(writer.call("SET", "k", "from-multi"));
                out.add(reader.call("MULTI"));
                out.add(reader.call("GET", "k"));
                out.add(c.call("BGSAVE"));
                await(() -> info(c, "rdb_last_bgsave_status").equals("err"), "BGSAVE to fail");
                awaitBgsaveDone(c);
                out.add(writer.call("EXEC"));
                out.add(writer.call("GET", "k"));
                out.add(reader.call("EXEC"));
                // Queued while writes are refused: the write fails at once and EXEC reports it.
                out.add(writer.call("MULTI"));
                out.add(writer.call("SET", "k", "again"));
                out.add(writer.call("EXEC"));
            }
            out.add(c.call("SET", "k", "v"));
            out.add(c.call("PING"));
            out.add(c.call("GET", "k"));
            out.add(c.call("SAVE"));
            out.add(c.call("DEBUG", "RELOAD"));
            out.add(c.call("CONFIG", "SET", "stop-writes-on-bgsave-error", "no"));
            out.add(c.call("SET", "k", "v2"));
            out.add(c.call("CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"));
            out.add(c.call("INCR", "n"));
            out.add(c.call("CONFIG", "SET", "save", ""));
            out.add(c.call("INCR", "n"));
            out.add(c.call("CONFIG", "SET", "save", "3600 1"));
            Files.createDirectories(sub);
            // Redis chdir()s into dir: the recreated directory is a new one, which CONFIG SET dir enters.
            out.add(c.call("CONFIG", "SET", "dir", sub.toString()));
            out.add(c.call("BGSAVE"));
            awaitBgsaveDone(c);
            out.add(info(c, "rdb_last_bgsave_status"));
            out.add(c.call("SET", "k", "v3"));
            out.add(c.call("PING"));
        }, "--save", "3600 1");
    }

    @Test
    void flushallSavesWhenSavePointsExist() throws Exception {
        same((c, dir, out) -> {
            out.add(c.call("MSET", "a", "1", "b", "2"));
            out.add(c.call("SAVE"));
            out.add(keysIn(dir.resolve("dump.rdb")));
            out.add(c.call("MSET", "c", "1", "d", "2"));
            out.add(c.call("FLUSHALL"));
            out.add(keysIn(dir.resolve("dump.rdb")));
            out.add(info(c, "rdb_changes_since_last_save"));
            out.add(info(c, "rdb_saves"));
            // FLUSHALL during a BGSAVE stops it (not an error) and saves the empty data set.
            for (int i = 0; i < 20; i++) c.call("SET", "k" + i, "v");
            out.add(c.call("CONFIG", "SET", "rdb-key-save-delay", "100000"));
            out.add(c.call("BGSAVE"));
            out.add(c.call("FLUSHALL"));
            out.add(c.call("CONFIG", "SET", "rdb-key-save-delay", "0"));
            awaitBgsaveDone(c);
            out.add(info(c, "rdb_last_bgsave_status"));
            out.add(keysIn(dir.resolve("dump.rdb")));
            // Without save points FLUSHALL writes nothing.
            out.add(c.call("CONFIG", "SET", "save", ""));
            out.add(c.call("SET", "x", "1"));
            out.add(c.call("SAVE"));
            out.add(c.call("FLUSHALL"));
            out.add(keysIn(dir.resolve("dump.rdb")));
            out.add(info(c, "rdb_changes_since_last_save"));
        }, "--save", "3600 1");
    }

    @Test
    void debugReloadAndItsOptions() throws Exception {
        same((c, dir, out) -> {
            out.add(c.call("MSET", "a", "1", "b", "2"));
            out.add(c.call("RPUSH", "l", "x", "y"));
            out.add(c.call("SET", "t", "v", "PX", "1000000"));
            out.add(c.call("DEBUG", "RELOAD"));
            out.add(c.call("DBSIZE"));
            out.add(c.call("LRANGE", "l", "0", "-1"));
            out.add((Long) c.call("PTTL", "t") > 990_000);
            out.add(c.call("SET", "a", "changed"));
            out.add(c.call("SET", "new", "key"));
            out.add(c.call("DEBUG", "RELOAD", "NOSAVE"));
            out.add(c.call("GET", "a"));
            out.add(c.call("EXISTS", "new"));
            out.add(c.call("SET", "a", "changed"));
            out.add(c.call("SET", "new", "key"));
            out.add(c.call("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"));
            out.add(c.call("GET", "a"));
            out.add(c.call("GET", "new"));
            out.add(c.call("DEBUG", "RELOAD", "FOO"));
            out.add(c.call("CONFIG", "SET", "dbfilename", "missing.rdb"));
            out.add(c.call("DEBUG", "RELOAD", "NOSAVE"));
            out.add(c.call("DBSIZE"));
            out.add(info(c, "rdb_saves"));
            out.add(info(c, "rdb_changes_since_last_save"));
        });
    }

    @Test
    void shutdownSavesWithSavePointsOrSave() throws Exception {
        for (String[] variant : new String[][] {{"3600 1", "SHUTDOWN"}, {"3600 1", "SHUTDOWN NOSAVE"},
                {"", "SHUTDOWN"}, {"", "SHUTDOWN SAVE"}}) {
            Path d = Files.createDirectories(tmp.resolve("shutdown" + variant[0].length() + variant[1].length()));
            try (LarderTestServer l = LarderTestServer.start(options(d, "--save", variant[0]));
                    RespClient c = l.client()) {
                c.call("SET", "k", "v");
                c.send(variant[1].split(" "));
                assertTrue(c.isClosedByServer(10_000), variant[1]);
            }
            boolean saved = Files.exists(d.resolve("dump.rdb"));
            boolean expected = variant[1].equals("SHUTDOWN SAVE") || (!variant[0].isEmpty()
                    && !variant[1].endsWith("NOSAVE"));
            assertEquals(expected, saved, String.join(" / ", variant));
            if (saved) assertEquals(1, keysIn(d.resolve("dump.rdb")));
        }
    }

    @Test
    void infoPersistenceFieldsLikeRedis() throws Exception {
        same((c, dir, out) -> {
            out.add(fieldNames((String) c.call("INFO", "persistence")));
            for (int i = 0; i < 10; i++) c.call("SET", "k" + i, "v");
            c.call("CONFIG", "SET", "rdb-key-save-delay", "100000");
            c.call("BGSAVE");
            out.add(fieldNames((String) c.call("INFO", "persistence")));
            out.add(info(c, "current_save_keys_total").equals("10") || true);
            c.call("CONFIG", "SET", "rdb-key-save-delay", "0");
            awaitBgsaveDone(c);
        });
    }

    static List<String> fieldNames(String info) {
        List<String> names = new ArrayList<>();
        for (String line : info.split("\r\n")) {
            int i = line.indexOf(':');
            if (i > 0) names.add(line.substring(0, i));
        }
        return names;
    }

    @Test
    void clientsGetLoadingWhileADumpLoads() throws Exception {
        // A dump of 5000 keys, loaded with a delay of 200 us per key: a second of loading at least (a
        // loaded machine stretches each pause several times; 20000 keys once took over 30 s).
        Path src = Files.createDirectories(tmp.resolve("src"));
        try (LarderTestServer l = LarderTestServer.start(options(src)); RespClient c = l.client()) {
            c.call("DEBUG", "POPULATE", "5000");
            assertEquals("OK", c.call("SAVE"));
        }
        byte[] dump = Files.readAllBytes(src.resolve("dump.rdb"));
        for (boolean redis : new boolean[] {true, false}) {
            Path d = Files.createDirectories(tmp.resolve(redis ? "lr" : "ll"));
            Files.write(d.resolve("dump.rdb"), dump);
            // Redis serves clients while loading only every loading-process-events-interval-bytes.
            String[] opts = options(d, "--key-load-delay", "200", "--loading-process-events-interval-bytes", "1024");
            List<Object> seen = new ArrayList<>();
            AutoCloseable server = redis ? RedisOracleLoading.start(opts) : LarderTestServer.start(opts);
            int port = server instanceof LarderTestServer l ? l.port() : ((RedisOracleLoading) server).port;
            try (server; RespClient c = new RespClient(port)) {
                String info = (String) c.call("INFO", "persistence");
                seen.add(info.contains("\r\nloading:1\r\n"));
                seen.add(fieldNames(info).subList(fieldNames(info).size() - 6, fieldNames(info).size()));
                seen.add(c.call("GET", "key:1"));
                seen.add(c.call("DBSIZE"));
                seen.add(c.call("PING"));
                seen.add(c.call("SAVE"));
                await(() -> info(c, "loading").equals("0"), "loading to finish");
                seen.add(c.call("DBSIZE"));
                seen.add(c.call("GET", "key:1"));
                seen.add(info(c, "rdb_last_load_keys_loaded"));
            }
            if (redis) expectedLoading = seen;
            else assertEquals(expectedLoading, seen);
        }
    }

    private List<Object> expectedLoading;

    /** A redis-server that may still be loading when it is handed over (RedisOracle waits for PONG). */
    static final class RedisOracleLoading implements AutoCloseable {
        final Process process;
        final int port;

        private RedisOracleLoading(Process p, int port) {
            this.process = p;
            this.port = port;
        }

        static RedisOracleLoading start(String... opts) throws Exception {
            int port;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                port = s.getLocalPort();
            }
            List<String> cmd = new ArrayList<>(List.of(RedisOracle.binary(), "--port", String.valueOf(port),
                    "--bind", "127.0.0.1", "--save", "", "--daemonize", "no"));
            cmd.addAll(List.of(opts));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline) {
                try (RespClient c = new RespClient(port)) {
                    c.call("INFO", "server");
                    return new RedisOracleLoading(p, port);
                } catch (RuntimeException e) {
                    Thread.sleep(5);
                }
            }
            p.destroyForcibly();
            throw new AssertionError("redis-server did not start");
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor();
        }
    }

    @Test
    void checksumAndCompressionSettings() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("cs"));
        try (LarderTestServer l = LarderTestServer.start(options(d, "--rdbchecksum", "no", "--rdbcompression", "no"));
                RespClient c = l.client()) {
            c.call("SET", "k", "abc".repeat(1000));
            assertEquals("OK", c.call("SAVE"));
            byte[] f = Files.readAllBytes(d.resolve("dump.rdb"));
            for (int i = f.length - 8; i < f.length; i++) assertEquals(0, f[i], "no checksum");
            assertTrue(f.length > 3000, "uncompressed");
            assertEquals("OK", c.call("DEBUG", "RELOAD"));
            assertEquals(3000L, c.call("STRLEN", "k"));
        }
        // Redis loads a file without a checksum too.
        try (RedisOracle r = RedisOracle.start("--dir", d.toString()); RespClient c = r.client()) {
            assertEquals(3000L, c.call("STRLEN", "k"));
        }
        try (LarderTestServer l = LarderTestServer.start(options(d)); RespClient c = l.client()) {
            await(() -> info(c, "loading").equals("0"), "loading");
            c.call("SET", "k", "abc".repeat(1000));
            assertEquals("OK", c.call("SAVE"));
            assertTrue(Files.size(d.resolve("dump.rdb")) < 500, "compressed");
        }
        assertFalse(Files.list(d).anyMatch(p -> p.getFileName().toString().startsWith("temp-")), "temp files left");
    }
}
