package io.larder.persist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.RespClient;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A save is written to a temporary file, fsynced and renamed over the dump:
 * a process killed (SIGKILL) half way through SAVE or BGSAVE leaves the
 * previous dump byte for byte, and the next start loads it.
 */
class SaveCrashSafetyTest {
    @TempDir
    Path tmp;

    @Test
    void killedDuringSaveOrBgsaveTheOldDumpSurvives() throws Exception {
        for (String command : List.of("SAVE", "BGSAVE")) {
            Path dir = Files.createDirectories(tmp.resolve(command));
            int port = RdbCorruptionTest.freePort();
            Process p = start(dir, port);
            byte[] previous;
            try (RespClient c = new RespClient(port)) {
                for (int i = 0; i < 100; i++) c.call("SET", "old:" + i, "v" + i);
                assertEquals("OK", c.call("SAVE"));
                previous = Files.readAllBytes(dir.resolve("dump.rdb"));
                assertEquals("OK", c.call("DEBUG", "POPULATE", "20000", "new"));
                // One millisecond per key: the save would take 20 seconds.
                assertEquals("OK", c.call("CONFIG", "SET", "rdb-key-save-delay", "1000"));
                c.send(command);
                awaitTempFile(dir);
            }
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no final save
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertArrayEquals(previous, Files.readAllBytes(dir.resolve("dump.rdb")), command);
            Process again = start(dir, port);
            try (RespClient c = new RespClient(port)) {
                RdbInterchangeTest.awaitLoaded(c);
                assertEquals(100L, c.call("DBSIZE"), command);
                assertEquals("v7", c.call("GET", "old:7"));
            } finally {
                again.destroyForcibly();
                again.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void sigtermSavesWhenSavePointsExist() throws Exception {
        for (String save : List.of("3600 1", "")) {
            Path dir = Files.createDirectories(tmp.resolve("sigterm" + save.length()));
            int port = RdbCorruptionTest.freePort();
            Process p = new ProcessBuilder(RdbCorruptionTest.larder("--port", String.valueOf(port), "--dir",
                    dir.toString(), "--save", save)).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("log.txt").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            try (RespClient c = awaitClient(port, p)) {
                c.call("SET", "k", "v");
            }
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), Files.readString(dir.resolve("log.txt")));
            boolean saved = Files.exists(dir.resolve("dump.rdb"));
            assertEquals(!save.isEmpty(), saved, "save '" + save + "'");
            if (saved) assertEquals(1, PersistenceCommandsTest.keysIn(dir.resolve("dump.rdb")));
        }
    }

    private static RespClient awaitClient(int port, Process p) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new AssertionError("server exited");
            try {
                RespClient c = new RespClient(port);
                c.call("PING");
                return c;
            } catch (RuntimeException e) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("server did not start");
    }

    private static Process start(Path dir, int port) throws Exception {
        Process p = new ProcessBuilder(RdbCorruptionTest.larder("--port", String.valueOf(port), "--dir", dir.toString(),
                "--save", "", "--enable-debug-command", "yes")).redirectErrorStream(true)
                .redirectOutput(dir.resolve("log-" + System.nanoTime() + ".txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new AssertionError("server exited");
            try (RespClient c = new RespClient(port)) {
                c.call("INFO", "server");
                return p;
            } catch (RuntimeException e) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new AssertionError("server did not start");
    }

    /** Waits until the save has written part of its temporary file. */
    private static void awaitTempFile(Path dir) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    if (f.getFileName().toString().startsWith("temp-") && Files.size(f) > 64 * 1024) return;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no temporary file grew");
    }
}
