package io.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.RespClient;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process as users start it (./larder, which sizes the JVM from
 * maxmemory) stays under its documented resident-memory bound while ten
 * times maxmemory is written through it, and eviction keeps used_memory at
 * maxmemory meanwhile.
 */
class MemoryBoundTest {
    @TempDir
    Path tmp;

    /** docs/configuration.md, "Memory": the resident set stays under 2.1 * maxmemory + 384 MB. */
    static long bound(long maxmemory) {
        return maxmemory * 21 / 10 + 384L * 1024 * 1024;
    }

    static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (Exception e) {
            // The process is gone: nothing resident.
        }
        return 0;
    }

    @Test
    void residentMemoryStaysBoundedWhileTenTimesMaxmemoryIsWritten() throws Exception {
        long maxmemory = 64L * 1024 * 1024;
        int port = ServerProcessTest.freePort();
        ProcessBuilder pb = new ProcessBuilder(ServerProcessTest.ROOT.resolve("larder").toString(), "--port",
                Integer.toString(port), "--save", "", "--dir", tmp.toString(), "--maxmemory",
                Long.toString(maxmemory), "--maxmemory-policy", "allkeys-lru").directory(tmp.toFile());
        pb.environment().put("LARDER_CLASSPATH", ServerProcessTest.CLASSPATH);
        pb.redirectErrorStream(true).redirectOutput(tmp.resolve("out.txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        try {
            ServerProcessTest.awaitServer(port, p);
            AtomicBoolean done = new AtomicBoolean();
            AtomicLong peak = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (!done.get()) {
                    peak.accumulateAndGet(rss(p.pid()), Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            byte[] value = "v".repeat(1000).getBytes(StandardCharsets.ISO_8859_1);
            long written = 0;
            int key = 0;
            long maxUsed = 0;
            try (RespClient c = new RespClient(port)) {
                while (written < 10 * maxmemory) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    for (int i = 0; i < 1000; i++, key++) {
                        out.writeBytes(RespClient.encode("SET".getBytes(), ("key:" + key).getBytes(), value));
                    }
                    c.sendRaw(out.toByteArray());
                    for (int i = 0; i < 1000; i++) {
                        Object r = RespClient.decode(c.readRaw());
                        assertEquals("OK", r, "writes are never refused: eviction makes room");
                    }
                    written += 1000L * value.length;
                    if (key % 50_000 == 0) maxUsed = Math.max(maxUsed, used(c));
                }
                done.set(true);
                sampler.join();
                long evicted = Long.parseLong(field(c.callString("INFO", "stats"), "evicted_keys"));
                assertTrue(evicted > key / 2, "evicted " + evicted + " of " + key);
                // Eviction runs before each command: at most one command's worth over, plus client buffers.
                assertTrue(maxUsed <= maxmemory + 4 * 1024 * 1024, "used_memory " + maxUsed);
                assertEquals(new String(value, StandardCharsets.ISO_8859_1), c.callString("GET", "key:" + (key - 1)));
            }
            System.out.printf("maxmemory %d MB: peak RSS %d MB, bound %d MB%n", maxmemory >> 20, peak.get() >> 20,
                    bound(maxmemory) >> 20);
            assertTrue(peak.get() > 0, "RSS was sampled");
            assertTrue(peak.get() <= bound(maxmemory), "peak RSS " + (peak.get() >> 20) + " MB over the bound "
                    + (bound(maxmemory) >> 20) + " MB");
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    private static long used(RespClient c) {
        return Long.parseLong(field(c.callString("INFO", "memory"), "used_memory"));
    }

    private static String field(String info, String name) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(name + ":")) return line.substring(name.length() + 1);
        }
        throw new AssertionError(name);
    }
}
