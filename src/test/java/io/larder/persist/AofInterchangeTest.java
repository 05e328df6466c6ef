package io.larder.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AOF directories move between Redis 7.0 and Larder both ways: a BASE
 * (an RDB preamble, or commands with aof-use-rdb-preamble no) and INCR
 * files written by one load into the other with every key of every type,
 * expiry, database and stream group intact. The reference is what the
 * writer itself loads back (DEBUG LOADAOF), so both sides compare the same
 * replay.
 */
class AofInterchangeTest {
    @TempDir
    Path tmp;

    static final long EXPIRE_AT = System.currentTimeMillis() + 3_600_000;

    static void awaitRewrite(RespClient c) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            String info = (String) c.call("INFO", "persistence");
            if (info.contains("\r\naof_rewrite_in_progress:0\r\n") && info.contains("\r\naof_rewrite_scheduled:0\r\n")) {
                return;
            }
            sleep(20);
        }
        throw new AssertionError("rewrite did not finish");
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Writes half the data set, rewrites, writes the rest and more changes: a BASE and an INCR file. */
    static void write(RespClient c) {
        List<byte[][]> cmds = Datasets.commands(7, EXPIRE_AT);
        int half = cmds.size() / 2;
        Datasets.apply(c, cmds.subList(0, half));
        assertEquals("Background append only file rewriting started", c.call("BGREWRITEAOF"));
        awaitRewrite(c);
        // Make sure the database of the second half is selected again after the rewrite.
        int db = 0;
        for (byte[][] x : cmds.subList(0, half)) {
            if (Datasets.s(x[0]).equals("SELECT")) db = Integer.parseInt(Datasets.s(x[1]));
        }
        c.call("SELECT", Integer.toString(db));
        Datasets.apply(c, cmds.subList(half, cmds.size()));
        Datasets.apply(c, List.of(Datasets.cmd("SELECT", "3"), Datasets.cmd("SET", "late", "1"),
                Datasets.cmd("INCRBYFLOAT", "late", "0.5"), Datasets.cmd("RPUSH", "late:l", "a", "b"),
                Datasets.cmd("LPOP", "late:l"), Datasets.cmd("EXPIRE", "late:l", "3600"),
                Datasets.cmd("MULTI"), Datasets.cmd("SADD", "late:s", "x"), Datasets.cmd("HSET", "late:h", "f", "v"),
                Datasets.cmd("EXEC"), Datasets.cmd("SELECT", "0")));
    }

    /** A second INCR file (as one failed rewrite leaves behind) with its own commands, added to the manifest. */
    static void addIncr(Path aofDir) throws IOException {
        Path mf = aofDir.resolve("appendonly.aof.manifest");
        long seq = 0;
        for (String line : Files.readAllLines(mf)) {
            String[] w = line.split(" ");
            if (w[5].equals("i")) seq = Math.max(seq, Long.parseLong(w[3]));
        }
        String name = "appendonly.aof." + (seq + 1) + ".incr.aof";
        Files.writeString(aofDir.resolve(name), "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*3\r\n$3\r\nSET\r\n$5\r\nextra\r\n$1\r\n1\r\n"
                + "*2\r\n$4\r\nINCR\r\n$5\r\nextra\r\n");
        Files.writeString(mf, "file " + name + " seq " + (seq + 1) + " type i\n", StandardOpenOption.APPEND);
    }

    static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "no"})
    void redisDirectoryLoadsIntoLarder(String preamble) throws Exception {
        Path rdir = Files.createDirectories(tmp.resolve("redis"));
        Path ldir = Files.createDirectories(tmp.resolve("larder"));
        String[] opts = {"--appendonly", "yes", "--aof-use-rdb-preamble", preamble, "--enable-debug-command", "yes",
                "--aof-timestamp-enabled", preamble.equals("no") ? "yes" : "no"};
        Map<String, String> expected;
        try (RedisOracle redis = RedisOracle.start(withDir(rdir, opts)); RespClient rc = redis.client()) {
            write(rc);
            addIncr(rdir.resolve("appendonlydir"));
            assertEquals("OK", rc.call("DEBUG", "LOADAOF"));
            expected = Datasets.describe(rc);
        }
        assertTrue(expected.size() > 900, "keys: " + expected.size());
        assertTrue(Files.exists(rdir.resolve("appendonlydir").resolve("appendonly.aof.2.base."
                + (preamble.equals("yes") ? "rdb" : "aof"))));
        copyDir(rdir.resolve("appendonlydir"), ldir.resolve("appendonlydir"));
        try (LarderTestServer larder = LarderTestServer.start(withDir(ldir, opts)); RespClient lc = larder.client()) {
            RdbInterchangeTest.awaitLoaded(lc);
            assertEquals(expected, Datasets.describe(lc));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "no"})
    void larderDirectoryLoadsIntoRedis(String preamble) throws Exception {
        Path rdir = Files.createDirectories(tmp.resolve("redis"));
        Path ldir = Files.createDirectories(tmp.resolve("larder"));
        String[] opts = {"--appendonly", "yes", "--aof-use-rdb-preamble", preamble, "--enable-debug-command", "yes",
                "--aof-timestamp-enabled", preamble.equals("no") ? "yes" : "no"};
        Map<String, String> expected;
        try (LarderTestServer larder = LarderTestServer.start(withDir(ldir, opts)); RespClient lc = larder.client()) {
            RdbInterchangeTest.awaitLoaded(lc);
            write(lc);
            addIncr(ldir.resolve("appendonlydir"));
            assertEquals("OK", lc.call("DEBUG", "LOADAOF"));
            expected = Datasets.describe(lc);
        }
        assertTrue(expected.size() > 900, "keys: " + expected.size());
        Path base = ldir.resolve("appendonlydir").resolve("appendonly.aof.2.base." + (preamble.equals("yes") ? "rdb" : "aof"));
        assertTrue(Files.exists(base));
        if (preamble.equals("no")) assertTrue(Files.readString(base, java.nio.charset.StandardCharsets.ISO_8859_1)
                .startsWith("#TS:"));
        copyDir(ldir.resolve("appendonlydir"), rdir.resolve("appendonlydir"));
        try (RedisOracle redis = RedisOracle.start(withDir(rdir, opts)); RespClient rc = redis.client()) {
            RdbInterchangeTest.awaitLoaded(rc);
            assertEquals(expected, Datasets.describe(rc));
        }
    }

    static String[] withDir(Path dir, String... opts) {
        String[] all = new String[opts.length + 2];
        all[0] = "--dir";
        all[1] = dir.toString();
        System.arraycopy(opts, 0, all, 2, opts.length);
        return all;
    }
}
