package io.larder.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.Diff;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config files: loading quirks, rename-command, include, CONFIG REWRITE, compared with redis-server. */
class ConfigFileTest {
    @TempDir
    Path tmp;

    /** Options that make the in-process Larder look like the oracle harness's redis-server. */
    private static final String[] LIKE_ORACLE = {"--port", "0", "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--protected-mode", "no", "--daemonize", "no"};

    private Path write(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void multiArgumentDirectiveGivenAsOneQuotedArgumentIsSplitAsRedisDoes() {
        String[] opts = {"--client-output-buffer-limit", "normal 16mb 0 0", "--save", "900 1 300 10",
            "--latency-tracking-info-percentiles", "50 99.9"};
        try (LarderTestServer l = LarderTestServer.start(opts); RedisOracle r = RedisOracle.start(opts);
             Diff d = new Diff(l.port(), r.port())) {
            d.check("CONFIG", "GET", "client-output-buffer-limit");
            d.check("CONFIG", "GET", "save");
            d.check("CONFIG", "GET", "latency-tracking-info-percentiles");
        }
    }

    @Test
    void loadingQuirksMatchRedis() throws Exception {
        String conf = """
                # comment
                  save 900 1
                save 300 10
                save ""
                save 60 5
                list-max-ziplist-entries 5
                lua-replicate-commands yes
                slave-read-only no
                maxmemory 1mb
                maxmemory 2gb
                loglevel "verbose"
                hz 1000
                client-output-buffer-limit pubsub 1mb 1kb 5
                shutdown-on-sigterm save now
                """;
        Path a = write("a.conf", conf), b = write("b.conf", conf);
        try (LarderTestServer l = LarderTestServer.startWithConfig(a, LIKE_ORACLE);
             RedisOracle r = RedisOracle.startWithConfig(b);
             Diff d = new Diff(l.port(), r.port())) {
            d.script("""
                    ~~ CONFIG GET save
                    ~~ CONFIG GET replica-read-only
                    ~~ CONFIG GET maxmemory
                    ~~ CONFIG GET loglevel
                    ~~ CONFIG GET hz
                    ~~ CONFIG GET client-output-buffer-limit
                    ~~ CONFIG GET shutdown-on-sigterm
                    """);
        }
    }

    /** The first save line of a file replaces the defaults, later ones add to it, save "" clears. */
    @Test
    void saveLinesAccumulate() throws Exception {
        Config c = new Config();
        new ConfigFile(c).load(write("s.conf", "save 900 1\nsave 300 10\n").toString(), null);
        assertEquals("900 1 300 10", c.get("save"));
        c = new Config();
        new ConfigFile(c).load(write("s.conf", "save 900 1\nsave \"\"\nsave 60 5\n").toString(), "save 1 2\n");
        assertEquals("60 5 1 2", c.get("save"));
        c = new Config();
        new ConfigFile(c).load(write("s.conf", "save 900 1\n").toString(), ConfigFile.optionsToText(List.of("--save", "")));
        assertEquals("", c.get("save"));
        c = new Config();
        new ConfigFile(c).load(null, null);
        assertEquals("3600 1 300 100 60 10000", c.get("save"));
    }

    @Test
    void renameCommand() throws Exception {
        String conf = """
                rename-command flushall ""
                rename-command get myget
                rename-command myget get2
                """;
        Path a = write("a.conf", conf), b = write("b.conf", conf);
        try (LarderTestServer l = LarderTestServer.startWithConfig(a, LIKE_ORACLE);
             RedisOracle r = RedisOracle.startWithConfig(b);
             Diff d = new Diff(l.port(), r.port())) {
            d.script("""
                    SET k v
                    GET k
                    MYGET k
                    GET2 k
                    FLUSHALL
                    COMMAND INFO flushall get myget get2
                    COMMAND DOCS get2
                    COMMAND DOCS get
                    COMMAND GETKEYS get2 k
                    COMMAND GETKEYS get k
                    DEL k
                    """);
            // COMMAND COUNT and LIST leave the disabled command out and list renamed ones by their real name.
            long count = d.larder().callLong("COMMAND", "COUNT");
            assertEquals(l.server().commands().all().size() - 1, count);
            @SuppressWarnings("unchecked")
            List<String> names = (List<String>) d.larder().call("COMMAND", "LIST");
            assertTrue(names.contains("get") && !names.contains("flushall") && !names.contains("get2"));
        }
    }

    @Test
    void renameCommandErrors() throws Exception {
        for (String bad : List.of("rename-command nosuch x", "rename-command get set", "rename-command get",
                "rename-command get a\nrename-command get b")) {
            Path p = write("bad.conf", bad + "\n");
            Config c = new Config();
            ConfigFile cf = new ConfigFile(c);
            try {
                cf.load(p.toString(), null);
                throw new AssertionError("accepted: " + bad);
            } catch (ConfigFile.LoadError e) {
                String expected = bad.equals("rename-command get") ? "Bad directive or wrong number of arguments"
                        : bad.startsWith("rename-command nosuch") || bad.contains("\n") ? "No such command in rename-command"
                        : "Target command name already exists";
                assertEquals(expected, e.getMessage(), bad);
            }
        }
    }

    @Test
    void includeFilesAndPatterns() throws Exception {
        Files.createDirectories(tmp.resolve("conf.d"));
        write("conf.d/1.conf", "hz 20\n");
        write("conf.d/2.conf", "maxmemory-samples 7\n");
        write("extra.conf", "timeout 33\n");
        Path main = write("main.conf", "include " + tmp.resolve("extra.conf") + "\ninclude " + tmp.resolve("conf.d")
                + "/*.conf\ninclude " + tmp.resolve("none.d") + "/*.conf\n");
        Config c = new Config();
        new ConfigFile(c).load(main.toString(), null);
        assertEquals(33, c.getInt("timeout"));
        assertEquals(20, c.getInt("hz"));
        assertEquals(7, c.getInt("maxmemory-samples"));
        Path missing = write("missing.conf", "include " + tmp.resolve("nope.conf") + "\n");
        try {
            new ConfigFile(new Config()).load(missing.toString(), null);
            throw new AssertionError("missing include accepted");
        } catch (ConfigFile.LoadError e) {
            assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
        }
    }

    @Test
    void commandLineOptionsAsRedisServerReadsThem() {
        assertEquals("port \"7000\" ", ConfigFile.optionsToText(List.of("--port", "7000")));
        assertEquals("port 7000 ", ConfigFile.optionsToText(List.of("--port 7000")));
        assertEquals("save \"\"\nport \"1\" ", ConfigFile.optionsToText(List.of("--save", "--port", "1")));
        assertEquals("save \"\"", ConfigFile.optionsToText(List.of("--save")));
        assertEquals("requirepass \"--x\" ", ConfigFile.optionsToText(List.of("--requirepass", "--x")));
        assertEquals("bind \"a\" \"b c\" ", ConfigFile.optionsToText(List.of("--bind", "a", "b c")));
    }

    /**
     * CONFIG REWRITE keeps comments and unknown-but-valid directives in
     * place, replaces changed values where they were, blanks lines no longer
     * needed and appends the rest after the signature, as Redis does. The
     * appended lines come in hash order in Redis, so they compare as a set.
     */
    @Test
    void rewriteMatchesRedis() throws Exception {
        String conf = """
                # top comment
                  # indented comment


                save 900 1
                save 300 10
                Save 100 1
                rename-command FLUSHDB ""
                slave-read-only no
                maxmemory 1mb
                maxmemory 2mb
                loglevel "verbose"
                client-output-buffer-limit pubsub 32mb 8mb 60
                client-output-buffer-limit normal 1 2 3
                notify-keyspace-events ""
                oom-score-adj-values 0 200 800
                """;
        Path a = write("larder.conf", conf), b = write("redis.conf", conf);
        List<String> opts = new ArrayList<>(List.of(LIKE_ORACLE));
        opts.addAll(List.of("--logfile", tmp.resolve("larder.log").toString()));
        try (LarderTestServer l = LarderTestServer.startWithConfig(a, opts.toArray(new String[0]));
             RedisOracle r = RedisOracle.startWithConfig(b);
             Diff d = new Diff(l.port(), r.port())) {
            // Lines added to the files after start are read by the rewrite too.
            String later = "foo-unknown 1\nloadmodule /x.so\nsave \"unbalanced\nlist-max-ziplist-entries 5\n"
                    + "user alice on >pw ~* +@all\nSLAVEOF 1.2.3.4 5\n";
            Files.writeString(a, later, java.nio.file.StandardOpenOption.APPEND);
            Files.writeString(b, later, java.nio.file.StandardOpenOption.APPEND);
            d.script("""
                    CONFIG SET maxmemory 3mb timeout 5 appendfsync always
                    CONFIG SET client-output-buffer-limit "replica 1gb 0 0"
                    CONFIG SET maxmemory-clients 5%
                    CONFIG SET save "10 1 20 2"
                    CONFIG SET shutdown-on-sigterm "save now"
                    CONFIG SET requirepass "a\\"b c"
                    CONFIG SET latency-tracking-info-percentiles "50 99.5"
                    CONFIG SET masterauth ""
                    CONFIG REWRITE
                    CONFIG REWRITE
                    """);
        }
        List<String> mine = Files.readAllLines(a), theirs = Files.readAllLines(b);
        assertEquals(head(theirs), head(mine));
        assertEquals(tail(theirs), tail(mine));
    }

    @Test
    void rewriteOfAMissingFileCreatesIt() throws Exception {
        Path a = write("gone.conf", "hz 20\n");
        try (LarderTestServer l = LarderTestServer.startWithConfig(a, "--port", "0")) {
            Files.delete(a);
            assertEquals("OK", l.client().call("CONFIG", "REWRITE"));
            List<String> lines = Files.readAllLines(a);
            assertEquals(ConfigRewrite.SIGNATURE, lines.get(0));
            assertTrue(lines.contains("hz 20"), lines.toString());
        }
    }

    /** The lines before the signature, with each server's own port, directory and log file normalised. */
    private static List<String> head(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            if (l.equals(ConfigRewrite.SIGNATURE)) break;
            out.add(normalise(l));
        }
        return out;
    }

    private static TreeSet<String> tail(List<String> lines) {
        TreeSet<String> out = new TreeSet<>();
        boolean after = false;
        for (String l : lines) {
            if (after) out.add(normalise(l));
            if (l.equals(ConfigRewrite.SIGNATURE)) after = true;
        }
        return out;
    }

    private static String normalise(String l) {
        if (l.startsWith("port ")) return "port P";
        if (l.startsWith("dir ")) return "dir D";
        if (l.startsWith("logfile ")) return "logfile L";
        return l;
    }
}
