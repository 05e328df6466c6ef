package io.larder.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server 7.0 (Debian's package) on a free port: the oracle the
 * differential tests compare Larder with. CI installs it (.ci/run); without
 * it these tests fail with a message saying so rather than pass vacuously.
 */
public final class RedisOracle implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path dir;

    private RedisOracle(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    public static String binary() {
        for (String p : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
            if (new File(p).canExecute()) return p;
        }
        throw new IllegalStateException("redis-server not found: install Debian's redis-server package "
                + "(apt-get install -y redis-server redis-tools); .ci/run does this");
    }

    public static RedisOracle start(String... options) {
        return startWithConfig(null, options);
    }

    /** A redis-server reading this config file first (the harness's options still override it). */
    public static RedisOracle startWithConfig(Path configFile, String... options) {
        String bin = binary();
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort();
            try {
                Path dir = Files.createTempDirectory("larder-oracle");
                List<String> cmd = new ArrayList<>(List.of(bin));
                if (configFile != null) cmd.add(configFile.toString());
                cmd.addAll(List.of("--port", String.valueOf(port), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--protected-mode", "no",
                        "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString()));
                cmd.addAll(Arrays.asList(options));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("stdout.log").toFile()).start();
                if (waitReady(port, p)) return new RedisOracle(p, port, dir);
                p.destroyForcibly();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("could not start redis-server");
    }

    static boolean waitReady(int port, Process p) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) return false;
            try (RespClient c = new RespClient(port)) {
                Object pong = c.call("PING");
                // A server started with requirepass answers NOAUTH: it is up all the same.
                if ("PONG".equals(pong) || (pong instanceof RespClient.Error e && e.message().startsWith("NOAUTH"))) {
                    return true;
                }
            } catch (RuntimeException e) {
                sleep(20);
            }
        }
        return false;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    public RespClient client() {
        return new RespClient(port);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
