package io.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Larder as a real process, started the way users start it: start-up errors
 * in redis-server's format, the ./larder launcher from another directory
 * with a config file and overriding options, daemonize and its pid file,
 * SIGTERM, redis-cli and redis-benchmark against it.
 */
class ServerProcessTest {
    @TempDir
    Path tmp;

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    static final String CLASSPATH = System.getProperty("java.class.path");

    /** Output and exit status of a process that ran to its end. */
    record Outcome(int status, String stdout, String stderr) {}

    static Outcome run(Path cwd, Map<String, String> env, List<String> cmd, long timeoutSec) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().putAll(env);
        Path out = Files.createTempFile("larder-out", ".txt"), err = Files.createTempFile("larder-err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        if (!p.waitFor(timeoutSec, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not finish: " + cmd + "\n" + Files.readString(out) + Files.readString(err));
        }
        return new Outcome(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static List<String> larder(String... args) {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-XX:+UseCompactObjectHeaders", "-cp", CLASSPATH,
                "io.larder.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Waits until something answers on the port (PONG or NOAUTH). */
    static void awaitServer(int port, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (p != null && !p.isAlive()) throw new AssertionError("server exited with status " + p.exitValue());
            try (RespClient c = new RespClient(port)) {
                c.call("PING");
                return;
            } catch (RuntimeException e) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("no server on port " + port);
    }

    static String redisCli(int port, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port)));
        cmd.addAll(List.of(args));
        Outcome o = run(Path.of("/tmp"), Map.of(), cmd, 30);
        return o.stdout() + o.stderr();
    }

    /** The same bad start-ups: both print the FATAL block on stderr and exit with status 1. */
    @Test
    void configErrorsStopStartupLikeRedisServer() throws Exception {
        Files.writeString(tmp.resolve("unknown.conf"), "port 7777\n# comment\nfoo bar\n");
        Files.writeString(tmp.resolve("badvalue.conf"), "maxmemory abc\n");
        Files.writeString(tmp.resolve("quotes.conf"), "\nrequirepass \"abc\n");
        Files.writeString(tmp.resolve("ok.conf"), "port 7777\n");
        Files.writeString(tmp.resolve("arity.conf"), "hz 1 2\n");
        List<List<String>> cases = List.of(
                List.of(tmp.resolve("unknown.conf").toString()),
                List.of(tmp.resolve("badvalue.conf").toString()),
                List.of(tmp.resolve("quotes.conf").toString()),
                List.of(tmp.resolve("arity.conf").toString()),
                List.of(tmp.resolve("ok.conf").toString(), "--port", "1", "2"),
                List.of(tmp.resolve("ok.conf").toString(), "--bogus", "1"),
                List.of("--maxmemory", "abc"),
                List.of("--save", "10"),
                List.of("--loglevel", "chatty"),
                List.of("--rename-command", "nosuch", "x"));
        for (List<String> args : cases) {
            List<String> redis = new ArrayList<>(List.of(RedisOracle.binary()));
            redis.addAll(args);
            Outcome theirs = run(tmp, Map.of(), redis, 30);
            Outcome mine = run(tmp, Map.of(), larder(args.toArray(new String[0])), 60);
            assertEquals(1, theirs.status(), "redis-server " + args);
            assertEquals(1, mine.status(), "larder " + args + "\n" + mine.stderr() + mine.stdout());
            String normalised = mine.stderr().replaceFirst("Reading the configuration file .*?, at line",
                    "Reading the configuration file, at line");
            assertEquals(theirs.stderr(), normalised, String.valueOf(args));
            if (args.get(0).endsWith(".conf") && !args.get(0).endsWith("ok.conf")) {
                assertTrue(mine.stderr().contains("Reading the configuration file " + args.get(0) + ", at line"),
                        mine.stderr());
            }
        }
        Outcome missing = run(tmp, Map.of(), larder("/nonexistent/larder.conf"), 60);
        assertEquals(1, missing.status());
        assertTrue(missing.stdout().contains(
                "# Fatal error, can't open config file '/nonexistent/larder.conf': No such file or directory"),
                missing.stdout());
    }

    /**
     * ./larder run from another directory with a config file and options
     * that override it; redis-cli talks to it; files named relative to dir
     * land there; SHUTDOWN removes the pid file and ends the process.
     */
    @Test
    void launcherFromAnotherDirectory() throws Exception {
        int port = freePort();
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(work.resolve("larder.conf"), """
                port 1
                bind 127.0.0.1 -::1
                dir %s
                logfile larder.log
                pidfile larder.pid
                loglevel verbose
                requirepass fromfile
                rename-command flushall ""
                save ""
                """.formatted(data));
        ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("larder").toString(), "larder.conf", "--port",
                String.valueOf(port), "--requirepass", "override")
                .directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("launcher.out").toFile());
        pb.environment().put("LARDER_CLASSPATH", CLASSPATH);
        Process p = pb.start();
        try {
            awaitServer(port, p);
            assertTrue(redisCli(port, "PING").contains("NOAUTH"));
            assertEquals("PONG\n", redisCli(port, "--no-auth-warning", "-a", "override", "PING"));
            assertEquals("port\n" + port + "\n", redisCli(port, "--no-auth-warning", "-a", "override", "CONFIG", "GET", "port"));
            assertEquals("dir\n" + data.toRealPath() + "\n",
                    redisCli(port, "--no-auth-warning", "-a", "override", "CONFIG", "GET", "dir"));
            assertTrue(redisCli(port, "--no-auth-warning", "-a", "override", "FLUSHALL").contains("unknown command"));
            Path pid = data.resolve("larder.pid");
            assertEquals(p.pid() == pidOf(pid) || isChildOf(pidOf(pid), p.pid()), true);
            assertTrue(Files.readString(data.resolve("larder.log")).contains("Ready to accept connections"));
            redisCli(port, "--no-auth-warning", "-a", "override", "SHUTDOWN");
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
            assertFalse(Files.exists(pid), "pid file removed at shutdown");
            String log = Files.readString(data.resolve("larder.log"));
            assertTrue(log.contains("User requested shutdown...") && log.contains("is now ready to exit, bye bye"), log);
        } finally {
            p.destroyForcibly();
        }
    }

    private static long pidOf(Path pidfile) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(pidfile) && System.nanoTime() < deadline) Thread.sleep(20);
        return Long.parseLong(Files.readString(pidfile).trim());
    }

    /** The launcher execs java, so the pid is the launcher's own; allow a shell in between all the same. */
    private static boolean isChildOf(long pid, long parent) {
        return ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L) == parent;
    }

    /** daemonize yes: the started process exits at once, a detached server keeps running and writes its pid file. */
    @Test
    void daemonizeDetachesAndWritesThePidFile() throws Exception {
        int port = freePort();
        Path pidfile = tmp.resolve("d.pid");
        Outcome start = run(tmp, Map.of(), larder("--port", String.valueOf(port), "--daemonize", "yes",
                "--pidfile", pidfile.toString(), "--logfile", tmp.resolve("d.log").toString(), "--save", ""), 60);
        assertEquals(0, start.status(), start.stdout() + start.stderr());
        long pid = pidOf(pidfile);
        ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
        try {
            awaitServer(port, null);
            assertTrue(redisCli(port, "INFO", "server").contains("process_id:" + pid));
            assertEquals("daemonize\nyes\n", redisCli(port, "CONFIG", "GET", "daemonize"));
            redisCli(port, "SHUTDOWN", "NOSAVE");
            assertTrue(daemon.onExit().get(30, TimeUnit.SECONDS) != null);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Files.exists(pidfile) && System.nanoTime() < deadline) Thread.sleep(20);
            assertFalse(Files.exists(pidfile));
        } finally {
            daemon.destroyForcibly();
        }
    }

    @Test
    void sigtermShutsDownCleanly() throws Exception {
        int port = freePort();
        Path log = tmp.resolve("t.log");
        Process p = new ProcessBuilder(larder("--port", String.valueOf(port), "--logfile", log.toString(),
                "--pidfile", tmp.resolve("t.pid").toString()))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("t.out").toFile()).start();
        try {
            awaitServer(port, p);
            assertTrue(Files.exists(tmp.resolve("t.pid")));
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
            String text = Files.readString(log);
            assertTrue(text.contains("Received SIGTERM scheduling shutdown..."), text);
            // Default save points: a final save is attempted (Larder has no persistence yet, and says so).
            assertTrue(text.contains("Saving the final RDB snapshot before exiting."), text);
            assertFalse(Files.exists(tmp.resolve("t.pid")));
        } finally {
            p.destroyForcibly();
        }
    }

    /** redis-benchmark asks CONFIG GET save/appendonly first; then every request must succeed. */
    @Test
    void redisBenchmarkRunsWithoutErrors() throws Exception {
        int port = freePort();
        Process p = new ProcessBuilder(larder("--port", String.valueOf(port), "--save", ""))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("b.out").toFile()).start();
        try {
            awaitServer(port, p);
            List<String> tests = new ArrayList<>(List.of("ping", "set", "get"));
            // INCR and MSET come with the strings family; benchmark them once they exist.
            for (String t : List.of("incr", "mset")) {
                try (RespClient c = new RespClient(port)) {
                    if (!(c.call("COMMAND", "INFO", t) instanceof List<?> l && l.get(0) == null)) tests.add(t);
                }
            }
            Outcome o = run(tmp, Map.of(), List.of("redis-benchmark", "-p", String.valueOf(port), "-t",
                    String.join(",", tests), "-q", "-n", "2000", "-c", "10"), 120);
            assertEquals(0, o.status(), o.stdout() + o.stderr());
            assertFalse((o.stdout() + o.stderr()).toLowerCase().contains("error"), o.stdout() + o.stderr());
            for (String t : tests) {
                String name = t.equals("mset") ? "MSET (10 keys)" : t.equals("ping") ? "PING_INLINE" : t.toUpperCase();
                assertTrue(o.stdout().contains(name), o.stdout());
            }
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
