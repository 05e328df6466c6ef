package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.larder.testing.LarderTestServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * BullMQ, the Node.js job queue built on Lua scripts, MULTI/EXEC and streams,
 * against Larder: jobs, bulk jobs, delayed jobs, retries with backoff,
 * failures, priorities (src/test/resources/bullmq/bullmq-test.mjs).
 *
 * <p>The package comes from npm, installed once into a cache directory
 * (~/.cache/larder-tests/bullmq-VERSION, or $LARDER_TEST_CACHE) so later runs
 * start at once. Needs node and npm on the PATH (.ci/run installs them).
 */
class BullMqTest {
    private static final String BULLMQ = "6.7.0", IOREDIS = "5.11.1";

    @Test
    void jobsDelayedJobsAndRetries() throws Exception {
        assumeTrue(onPath("node") && onPath("npm"), "node and npm are needed (installed by .ci/run)");
        Path dir = install();
        Path script = dir.resolve("bullmq-test.mjs");
        try (InputStream in = BullMqTest.class.getResourceAsStream("/bullmq/bullmq-test.mjs")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        try (LarderTestServer larder = LarderTestServer.start()) {
            Process p = new ProcessBuilder("node", script.toString(), String.valueOf(larder.port()))
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "node did not finish");
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("BULLMQ OK"), out);
        }
    }

    /** The cache directory with bullmq and ioredis installed (npm install on first use). */
    private static Path install() throws IOException, InterruptedException {
        String base = System.getenv("LARDER_TEST_CACHE");
        Path root = base != null ? Path.of(base) : Path.of(System.getProperty("user.home"), ".cache", "larder-tests");
        Path dir = root.resolve("bullmq-" + BULLMQ);
        if (Files.isDirectory(dir.resolve("node_modules/bullmq")) && Files.isDirectory(dir.resolve("node_modules/ioredis"))) {
            return dir;
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("package.json"), "{\"private\": true}\n");
        Process p = new ProcessBuilder(List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error",
                "bullmq@" + BULLMQ, "ioredis@" + IOREDIS)).directory(dir.toFile()).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "npm install did not finish");
        assertEquals(0, p.exitValue(), "npm install failed: " + out);
        return dir;
    }

    private static boolean onPath(String tool) {
        try {
            Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
