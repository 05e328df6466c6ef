package io.larder.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BGREWRITEAOF, CONFIG SET appendonly / appendfsync / aof-timestamp-enabled
 * at run time, automatic rewrites, SHUTDOWN, and the INFO persistence
 * fields, each scenario run on Larder and on Redis 7.0 with the same
 * replies, the same files in the AOF directory and the same manifest.
 */
class AofCommandsTest {
    @TempDir
    Path tmp;

    interface Scenario {
        void run(RespClient c, Path dir, List<Object> out) throws Exception;
    }

    static final String[] BASE = {"--enable-debug-command", "yes"};

    private void same(Scenario s, String... opts) throws Exception {
        List<Object> fromRedis = new ArrayList<>(), fromLarder = new ArrayList<>();
        Path rdir = Files.createDirectories(tmp.resolve("redis"));
        Path ldir = Files.createDirectories(tmp.resolve("larder"));
        try (RedisOracle r = RedisOracle.start(options(rdir, opts)); RespClient c = r.client()) {
            RdbInterchangeTest.awaitLoaded(c);
            s.run(c, rdir, fromRedis);
        }
        try (LarderTestServer l = LarderTestServer.start(options(ldir, opts)); RespClient c = l.client()) {
            RdbInterchangeTest.awaitLoaded(c);
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
        return PersistenceCommandsTest.info(c, field);
    }

    /** The files of the AOF directory (names) and the manifest's text. */
    static List<String> files(Path dir) throws Exception {
        Path d = dir.resolve("appendonlydir");
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(d)) return out;
        try (Stream<Path> s = Files.list(d)) {
            for (Path p : s.sorted().toList()) out.add(p.getFileName().toString());
        }
        Path mf = d.resolve("appendonly.aof.manifest");
        if (Files.exists(mf)) out.add(Files.readString(mf));
        return out;
    }

    static void await(BooleanSupplier cond, String what) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out: " + what);
            Thread.sleep(10);
        }
    }

    static void awaitRewrite(RespClient c) {
        AofInterchangeTest.awaitRewrite(c);
    }

    @Test
    void bgrewriteaofRepliesAndFiles() throws Exception {
        same((c, dir, out) -> {
            out.add(files(dir));
            c.call("DEBUG", "POPULATE", "50");
            c.call("SET", "x", "1");
            out.add(c.call("CONFIG", "SET", "rdb-key-save-delay", "100000"));
            out.add(c.call("BGREWRITEAOF"));
            out.add(c.call("BGREWRITEAOF"));
            out.add(c.call("BGSAVE"));
            out.add(c.call("BGSAVE", "SCHEDULE"));
            out.add(info(c, "aof_rewrite_in_progress"));
            out.add(info(c, "aof_rewrites"));
            out.add(c.call("CONFIG", "SET", "rdb-key-save-delay", "0"));
            awaitRewrite(c);
            await(() -> info(c, "rdb_bgsave_in_progress").equals("0") && info(c, "rdb_saves").equals("1"), "bgsave");
            out.add(files(dir));
            out.add(info(c, "aof_last_bgrewrite_status"));
            out.add(info(c, "aof_rewrite_scheduled"));
            c.call("MULTI");
            c.call("BGREWRITEAOF");
            out.add(c.call("EXEC"));
            awaitRewrite(c);
            out.add(info(c, "aof_rewrites"));
            out.add(files(dir));
            out.add(c.call("DEBUG", "LOADAOF"));
            out.add(c.call("DBSIZE"));
            out.add(c.call("GET", "x"));
        }, "--appendonly", "yes");
    }

    @Test
    void bgrewriteaofWithAppendonlyOffWritesABaseOnly() throws Exception {
        same((c, dir, out) -> {
            c.call("SET", "x", "1");
            out.add(c.call("BGREWRITEAOF"));
            awaitRewrite(c);
            out.add(files(dir));
            out.add(info(c, "aof_enabled"));
            out.add(c.call("BGREWRITEAOF"));
            awaitRewrite(c);
            out.add(files(dir));
        });
        // Started again on the same directories: the manifest continues the numbering, the history goes.
        same((c, dir, out) -> {
            out.add(files(dir));
            c.call("SET", "x", "1");
            out.add(c.call("BGREWRITEAOF"));
            awaitRewrite(c);
            out.add(files(dir));
        }, "--aof-use-rdb-preamble", "no");
    }

    @Test
    void configSetAppendonlyAtRunTime() throws Exception {
        same((c, dir, out) -> {
            c.call("SET", "before", "1");
            c.call("RPUSH", "l", "a", "b");
            out.add(info(c, "aof_enabled"));
            out.add(c.call("CONFIG", "SET", "appendonly", "yes"));
            out.add(info(c, "aof_enabled"));
            awaitRewrite(c);
            c.call("SET", "after", "2");
            out.add(files(dir));
            out.add(AofDiff.commands(dir.resolve("appendonlydir/appendonly.aof.1.incr.aof")));
            out.add(c.call("DEBUG", "LOADAOF"));
            out.add(c.call("MGET", "before", "after"));
            out.add(c.call("CONFIG", "SET", "appendonly", "no"));
            out.add(info(c, "aof_enabled"));
            c.call("SET", "off", "3");
            out.add(AofDiff.commands(dir.resolve("appendonlydir/appendonly.aof.1.incr.aof")));
            // On again: a new rewrite, the next base and INCR numbers.
            out.add(c.call("CONFIG", "SET", "appendonly", "yes"));
            awaitRewrite(c);
            out.add(files(dir));
            out.add(c.call("CONFIG", "SET", "appendfsync", "always"));
            out.add(c.call("CONFIG", "SET", "appendfsync", "no"));
            out.add(c.call("CONFIG", "SET", "appendfsync", "everysec"));
            out.add(c.call("CONFIG", "SET", "appendfsync", "sometimes"));
            out.add(c.call("CONFIG", "SET", "appenddirname", "other"));
            out.add(c.call("CONFIG", "SET", "appendfilename", "other.aof"));
            out.add(c.call("CONFIG", "GET", "appendonly"));
            out.add(c.call("CONFIG", "GET", "appendfsync"));
        });
    }

    @Test
    void infoFieldsAsRedis() throws Exception {
        same((c, dir, out) -> {
            out.add(fieldNames(c));
            c.call("SET", "k", "v");
            out.add(info(c, "aof_enabled"));
            out.add(info(c, "aof_last_write_status"));
            out.add(info(c, "aof_rewrites"));
            out.add(info(c, "aof_pending_rewrite"));
            out.add(info(c, "aof_buffer_length"));
            out.add(info(c, "aof_delayed_fsync"));
            // The current size is the files' sizes: base and INCR.
            long files = 0;
            try (Stream<Path> s = Files.list(dir.resolve("appendonlydir"))) {
                for (Path p : s.filter(p -> !p.toString().endsWith("manifest")).toList()) files += Files.size(p);
            }
            out.add(Long.parseLong(info(c, "aof_current_size")) == files);
        }, "--appendonly", "yes", "--appendfsync", "always");
        same((c, dir, out) -> out.add(fieldNames(c)));
    }

    /** The INFO persistence field names, in order. */
    static List<String> fieldNames(RespClient c) {
        List<String> out = new ArrayList<>();
        for (String line : ((String) c.call("INFO", "persistence")).split("\r\n")) {
            int i = line.indexOf(':');
            if (i > 0) out.add(line.substring(0, i));
        }
        return out;
    }

    @Test
    void automaticRewriteOnGrowth() throws Exception {
        same((c, dir, out) -> {
            out.add(c.call("CONFIG", "SET", "auto-aof-rewrite-min-size", "1kb"));
            out.add(c.call("CONFIG", "SET", "auto-aof-rewrite-percentage", "100"));
            for (int i = 0; i < 100; i++) c.call("SET", "key" + i, "value" + i);
            await(() -> info(c, "aof_rewrites").equals("1"), "an automatic rewrite");
            awaitRewrite(c);
            out.add(files(dir));
        }, "--appendonly", "yes");
    }

    @Test
    void timestampsAnnotateTheIncrFile() throws Exception {
        same((c, dir, out) -> {
            c.call("SET", "a", "1");
            Thread.sleep(1100);
            c.call("SET", "b", "2");
            out.add(c.call("CONFIG", "SET", "aof-timestamp-enabled", "no"));
            Thread.sleep(1100);
            c.call("SET", "c", "3");
            List<String> cmds = new ArrayList<>();
            for (String s : AofDiff.commands(dir.resolve("appendonlydir/appendonly.aof.1.incr.aof"))) {
                cmds.add(s.startsWith("#TS:") ? "#TS" : s);
            }
            out.add(cmds);
        }, "--appendonly", "yes", "--aof-timestamp-enabled", "yes", "--appendfsync", "always");
    }

    @Test
    void shutdownWritesTheBufferAndRestartLoadsIt() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("shutdown"));
        try (LarderTestServer l = LarderTestServer.start("--dir", d.toString(), "--appendonly", "yes",
                "--appendfsync", "no"); RespClient c = l.client()) {
            RdbInterchangeTest.awaitLoaded(c);
            for (int i = 0; i < 1000; i++) c.call("SET", "k" + i, "v" + i);
            assertTrue(l.server().prepareForShutdown(0));
        }
        try (LarderTestServer l = LarderTestServer.start("--dir", d.toString(), "--appendonly", "yes");
                RespClient c = l.client()) {
            RdbInterchangeTest.awaitLoaded(c);
            assertEquals(1000L, c.call("DBSIZE"));
        }
    }

    @Test
    void functionsAndScriptsSurviveRewritesAndReloads() throws Exception {
        String lib = "#!lua name=mylib\nredis.register_function('myincr', function(keys, args) "
                + "return redis.call('incr', keys[1]) end)";
        for (String preamble : List.of("yes", "no")) {
            same((c, dir, out) -> {
                out.add(c.call("FUNCTION", "LOAD", lib));
                out.add(c.call("FCALL", "myincr", "1", "n"));
                out.add(c.call("EVAL", "return redis.call('incrby', KEYS[1], 5)", "1", "n"));
                out.add(c.call("BGREWRITEAOF"));
                awaitRewrite(c);
                out.add(c.call("FCALL", "myincr", "1", "n"));
                out.add(c.call("DEBUG", "LOADAOF"));
                out.add(c.call("FUNCTION", "LIST"));
                out.add(c.call("GET", "n"));
                out.add(files(dir));
            }, "--appendonly", "yes", "--aof-use-rdb-preamble", preamble);
        }
    }

    private static String command(String... args) {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String x : args) b.append('$').append(x.length()).append("\r\n").append(x).append("\r\n");
        return b.toString();
    }

    @Test
    void anAofWithScriptsAndFunctionsLoads() throws Exception {
        // Older AOFs hold EVAL and FUNCTION commands as such; a command that fails (FCALL without its key)
        // is skipped and the file goes on, as Redis's fake client does.
        String aof = AofLoadingTest.SELECT
                + command("EVAL", "return redis.call('set', 'fromeval', 'x')", "0")
                + command("FUNCTION", "LOAD", "#!lua name=l1\nredis.register_function('f1', "
                        + "function(k, a) return redis.call('set', k[1], 'y') end)")
                + command("FCALL", "f1", "1")
                + command("FCALL", "f1", "1", "fromfn")
                + command("SET", "last", "1");
        for (String who : List.of("redis", "larder")) {
            Path d = Files.createDirectories(tmp.resolve(who).resolve("appendonlydir"));
            Files.writeString(d.resolve("appendonly.aof.1.incr.aof"), aof);
            Files.writeString(d.resolve("appendonly.aof.manifest"), "file appendonly.aof.1.incr.aof seq 1 type i\n");
        }
        same((c, dir, out) -> {
            out.add(c.call("MGET", "fromeval", "fromfn", "last"));
            out.add(c.call("FUNCTION", "LIST"));
        }, "--appendonly", "yes");
    }
}
