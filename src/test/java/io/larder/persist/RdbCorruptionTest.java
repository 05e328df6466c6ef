package io.larder.persist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.larder.config.Config;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RespClient;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged files: truncated at every length, bytes changed at random, an
 * unknown version, too many databases. The loader must refuse each with an
 * RdbException naming the offset (never another exception, never an
 * allocation sized by garbage); start-up must stop with a message naming
 * the file and the offset and leave the file as it was; --check-rdb must
 * say what is wrong.
 */
class RdbCorruptionTest {
    @TempDir
    Path tmp;

    private byte[] good;

    @BeforeEach
    void makeFile() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("src"));
        try (LarderTestServer l = LarderTestServer.start("--dir", d.toString()); RespClient c = l.client()) {
            c.call("SET", "s", "value");
            c.call("SET", "n", "12345");
            c.call("SET", "z", "compress me ".repeat(20));
            c.call("SET", "big", "x".repeat(5000));
            c.call("SET", "e", "v", "PX", "100000000");
            c.call("RPUSH", "l", "a", "1", "b".repeat(100));
            c.call("HSET", "h", "f", "1", "g", "two");
            List<String> hb = new ArrayList<>(List.of("HSET", "hb"));
            for (int i = 0; i < 200; i++) {
                hb.add("f" + i);
                hb.add("v" + i);
            }
            c.call(hb.toArray(new String[0]));
            c.call("SADD", "si", "1", "2", "3");
            c.call("SADD", "ss", "a", "b", "c");
            c.call("ZADD", "zl", "1", "a", "2.5", "b");
            List<String> zb = new ArrayList<>(List.of("ZADD", "zb"));
            for (int i = 0; i < 200; i++) {
                zb.add(Integer.toString(i * 7 % 13));
                zb.add("m" + i);
            }
            c.call(zb.toArray(new String[0]));
            for (int i = 1; i <= 30; i++) c.call("XADD", "st", i + "-0", "f", "v" + i);
            c.call("XADD", "st", "31-0", "g", "other");
            c.call("XGROUP", "CREATE", "st", "grp", "0");
            c.call("XREADGROUP", "GROUP", "grp", "c1", "COUNT", "3", "STREAMS", "st", ">");
            c.call("SELECT", "3");
            c.call("SET", "other", "db");
            assertEquals("OK", c.call("SAVE"));
        }
        good = Files.readAllBytes(d.resolve("dump.rdb"));
    }

    private static RdbLoader.Result load(byte[] file, boolean checksum, int databases) {
        RdbInput in = new RdbInput(new java.io.ByteArrayInputStream(file)::read, file.length);
        return RdbLoader.load(in, new RdbLoader.Sink() {
            @Override
            public void function(byte[] code, RdbInput in) {}

            @Override
            public void key(int db, byte[] key, Object value, long exp, int f, long idle, RdbInput in) {}
        }, LoadOptions.from(new Config()), databases, checksum);
    }

    @Test
    void theGoodFileLoads() {
        assertTrue(load(good, true, 16).checksumVerified());
    }

    @Test
    void everyTruncationIsRefusedWithItsOffset() {
        for (int n = 0; n < good.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(good, n);
            try {
                load(cut, true, 16);
                fail("a file cut to " + n + " of " + good.length + " bytes loaded");
            } catch (RdbException e) {
                assertTrue(e.offset() <= n, "offset " + e.offset() + " beyond the end " + n);
            }
        }
    }

    @Test
    void changedBytesAreRefusedByTheChecksum() {
        // Not the version digits (bytes 5 to 8): atoi stops at a changed one, giving an older version.
        for (int i = 0; i < good.length - 8; i++) {
            if (i >= 5 && i <= 8) continue;
            byte[] bad = good.clone();
            bad[i] ^= 0x20;
            try {
                load(bad, true, 16);
                fail("byte " + i + " changed and the file loaded");
            } catch (RdbException e) {
                // refused, by the checksum or earlier
            }
        }
    }

    @Test
    void randomDamageNeverBreaksTheLoader() {
        Random r = new Random(7);
        int refused = 0;
        for (int round = 0; round < 20000; round++) {
            byte[] bad = good.clone();
            int changes = 1 + r.nextInt(3);
            for (int k = 0; k < changes; k++) {
                int at = 9 + r.nextInt(bad.length - 9);
                bad[at] = r.nextInt(4) == 0 ? (byte) 0xFF : (byte) r.nextInt(256);
            }
            try {
                // Without the checksum, so the damage reaches every parser.
                load(bad, false, 16);
            } catch (RdbException e) {
                refused++;
            } catch (Throwable e) {
                throw new AssertionError("damaged file broke the loader: " + e, e);
            }
        }
        assertTrue(refused > 1000, "refused " + refused);
    }

    @Test
    void unknownVersionsAndDatabasesAreRefused() {
        byte[] v11 = good.clone();
        v11[8] = '1';
        v11[7] = '1'; // REDIS0011
        RdbException e = expectRefusal(v11, 16);
        assertTrue(e.getMessage().contains("Can't handle RDB format version 11"), e.getMessage());
        byte[] sig = good.clone();
        sig[0] = 'X';
        assertTrue(expectRefusal(sig, 16).getMessage().contains("Wrong signature"));
        e = expectRefusal(good, 2);
        assertTrue(e.getMessage().contains("more than 2 databases"), e.getMessage());
    }

    private static RdbException expectRefusal(byte[] f, int databases) {
        try {
            load(f, true, databases);
        } catch (RdbException e) {
            return e;
        }
        throw new AssertionError("loaded");
    }

    // ------------------------------------------------------------ as a process

    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    static List<String> larder(String... args) {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-XX:+UseCompactObjectHeaders", "-cp",
                System.getProperty("java.class.path"), "io.larder.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    record Outcome(int status, String output) {}

    static Outcome run(List<String> cmd, long timeoutSec) throws Exception {
        Path out = Files.createTempFile("larder-out", ".txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(timeoutSec, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("still running: " + Files.readString(out));
        }
        return new Outcome(p.exitValue(), Files.readString(out));
    }

    @Test
    void startupRefusesADamagedFileAndLeavesItAlone() throws Exception {
        byte[][] damaged = {java.util.Arrays.copyOf(good, good.length / 2), flipped(good, good.length / 2)};
        for (byte[] bad : damaged) {
            Path d = Files.createDirectories(tmp.resolve("bad" + bad.length + "-" + bad[bad.length / 2]));
            Files.write(d.resolve("dump.rdb"), bad);
            Outcome o = run(larder("--port", String.valueOf(freePort()), "--dir", d.toString(), "--save", "1 0"), 60);
            assertEquals(1, o.status(), o.output());
            assertTrue(o.output().contains(d.resolve("dump.rdb").toString()) && o.output().contains("offset"),
                    o.output());
            assertArrayEquals(bad, Files.readAllBytes(d.resolve("dump.rdb")), "the damaged file was changed");
        }
    }

    private static byte[] flipped(byte[] f, int at) {
        byte[] b = f.clone();
        b[at] ^= 0x55;
        return b;
    }

    @Test
    void checkRdbReportsWhatIsWrong() throws Exception {
        Path ok = tmp.resolve("ok.rdb");
        Files.write(ok, good);
        Outcome o = run(larder("--check-rdb", ok.toString()), 60);
        assertEquals(0, o.status(), o.output());
        assertTrue(o.output().contains("RDB looks OK"), o.output());
        assertTrue(o.output().contains("[info] 14 keys read"), o.output());
        assertTrue(o.output().contains("[info] 1 expires"), o.output());
        Path cut = tmp.resolve("cut.rdb");
        Files.write(cut, java.util.Arrays.copyOf(good, good.length - 20));
        o = run(larder("--check-rdb", cut.toString()), 60);
        assertEquals(1, o.status(), o.output());
        assertTrue(o.output().contains("--- RDB ERROR DETECTED ---"), o.output());
        assertTrue(o.output().contains("Unexpected EOF reading RDB file"), o.output());
        // The in-process report gives the same verdict as redis-check-rdb on the same files.
        for (Path f : List.of(ok, cut)) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int status = RdbCheck.run(f.toString(), new PrintStream(b, true, StandardCharsets.UTF_8));
            Outcome redis = run(List.of("redis-check-rdb", f.toString()), 60);
            assertEquals(redis.status() == 0, status == 0, redis.output() + "\n---\n" + b);
        }
    }
}
