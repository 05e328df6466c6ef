package io.larder.persist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading the AOF at start-up: a damaged directory (torn or corrupt
 * files, missing files, a bad manifest, a bad RDB base) is refused with a
 * message naming the file (and the offset) and left exactly as it was;
 * a torn tail of the last file loads with aof-load-truncated (cut back as
 * Redis cuts it, to the same bytes); clients get -LOADING and INFO shows
 * loading:1 while a large AOF loads; appendonly yes ignores dump.rdb; an
 * old-style appendonly.aof is moved into a new AOF directory.
 */
class AofLoadingTest {
    @TempDir
    Path tmp;

    static final String SELECT = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n";

    static String set(String k, String v) {
        return "*3\r\n$3\r\nSET\r\n$" + k.length() + "\r\n" + k + "\r\n$" + v.length() + "\r\n" + v + "\r\n";
    }

    /** A directory Redis wrote: an RDB base with keys, and an INCR file. */
    private Map<String, byte[]> redisDirectory() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        try (RedisOracle r = RedisOracle.start("--dir", src.toString(), "--appendonly", "yes"); RespClient c = r.client()) {
            for (int i = 0; i < 20; i++) c.call("SET", "base" + i, "v" + i);
            c.call("BGREWRITEAOF");
            AofInterchangeTest.awaitRewrite(c);
            for (int i = 0; i < 20; i++) c.call("SET", "incr" + i, "v" + i);
        }
        return contents(src.resolve("appendonlydir"));
    }

    static Map<String, byte[]> contents(Path d) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        if (!Files.isDirectory(d)) return out;
        try (Stream<Path> s = Files.list(d)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) out.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        return out;
    }

    private Path dirWith(String name, Map<String, byte[]> files) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(name).resolve("appendonlydir"));
        for (Map.Entry<String, byte[]> e : files.entrySet()) Files.write(d.resolve(e.getKey()), e.getValue());
        return d.getParent();
    }

    /** Starts Larder on the directory; returns the outcome if it exits within the time, else null (running). */
    private RdbCorruptionTest.Outcome larderExits(Path dir, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", Integer.toString(RdbCorruptionTest.freePort()),
                "--dir", dir.toString(), "--save", "", "--appendonly", "yes"));
        args.addAll(List.of(more));
        return RdbCorruptionTest.run(RdbCorruptionTest.larder(args.toArray(new String[0])), 60);
    }

    private int redisExits(Path dir, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of(RedisOracle.binary(), "--port",
                Integer.toString(RdbCorruptionTest.freePort()), "--dir", dir.toString(), "--save", "",
                "--appendonly", "yes", "--daemonize", "no"));
        args.addAll(List.of(more));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    @Test
    void damagedDirectoriesAreRefusedAndLeftAlone() throws Exception {
        Map<String, byte[]> good = redisDirectory();
        String incr = "appendonly.aof.2.incr.aof", base = "appendonly.aof.2.base.rdb", mf = "appendonly.aof.manifest";
        List<Map<String, byte[]>> cases = new ArrayList<>();
        List<String> expect = new ArrayList<>();
        // A format error in the INCR file.
        Map<String, byte[]> m = new TreeMap<>(good);
        byte[] inc = good.get(incr).clone();
        // The first byte of the second command.
        inc[new String(inc, StandardCharsets.ISO_8859_1).indexOf("\r\n*", 4) + 2] = 'X';
        m.put(incr, inc);
        cases.add(m);
        expect.add("Bad file format reading the append only file " + incr);
        // A torn INCR file, with aof-load-truncated no (below).
        // The RDB base damaged.
        m = new TreeMap<>(good);
        byte[] b = good.get(base).clone();
        b[b.length - 3] ^= 0x55;
        m.put(base, b);
        cases.add(m);
        expect.add("Error reading the RDB base file " + base + ", AOF loading aborted");
        // A file the manifest names is missing.
        m = new TreeMap<>(good);
        m.remove(incr);
        cases.add(m);
        expect.add("Unable to obtain the AOF file " + incr + " length");
        // A bad manifest.
        m = new TreeMap<>(good);
        m.put(mf, "file x seq 1 type z\n".getBytes(StandardCharsets.ISO_8859_1));
        cases.add(m);
        expect.add("Unknown AOF file type");
        // An unknown command.
        m = new TreeMap<>(good);
        m.put(incr, (SELECT + "*1\r\n$7\r\nNOSUCHX\r\n").getBytes(StandardCharsets.ISO_8859_1));
        cases.add(m);
        expect.add("Unknown command 'NOSUCHX' reading the append only file " + incr);
        // A torn INCR file that is not the last one.
        m = new TreeMap<>(good);
        m.put(incr, java.util.Arrays.copyOf(good.get(incr), good.get(incr).length - 5));
        m.put("appendonly.aof.3.incr.aof", (SELECT + set("x", "1")).getBytes(StandardCharsets.ISO_8859_1));
        m.put(mf, (new String(good.get(mf), StandardCharsets.ISO_8859_1) + "file appendonly.aof.3.incr.aof seq 3 type i\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        cases.add(m);
        expect.add("Fatal error: the truncated file is not the last file");
        for (int i = 0; i < cases.size(); i++) {
            Path ld = dirWith("larder" + i, cases.get(i)), rd = dirWith("redis" + i, cases.get(i));
            RdbCorruptionTest.Outcome o = larderExits(ld);
            assertEquals(1, o.status(), "case " + i + ":\n" + o.output());
            assertTrue(o.output().contains(expect.get(i)), "case " + i + ":\n" + o.output());
            assertEquals(1, redisExits(rd), "Redis agrees that case " + i + " cannot load");
            Map<String, byte[]> after = contents(ld.resolve("appendonlydir"));
            assertEquals(cases.get(i).keySet(), after.keySet(), "case " + i);
            for (String f : after.keySet()) assertArrayEquals(cases.get(i).get(f), after.get(f), "case " + i + " " + f);
        }
        // Torn with aof-load-truncated no: refused, untouched.
        m = new TreeMap<>(good);
        m.put(incr, java.util.Arrays.copyOf(good.get(incr), good.get(incr).length - 5));
        Path ld = dirWith("torn", m);
        RdbCorruptionTest.Outcome o = larderExits(ld, "--aof-load-truncated", "no");
        assertEquals(1, o.status(), o.output());
        assertTrue(o.output().contains("Unexpected end of file reading the append only file " + incr), o.output());
        assertArrayEquals(m.get(incr), Files.readAllBytes(ld.resolve("appendonlydir").resolve(incr)));
    }

    @Test
    void tornTailLoadsAndIsCutBackAsRedisCutsIt() throws Exception {
        Map<String, byte[]> good = redisDirectory();
        String incr = "appendonly.aof.2.incr.aof";
        byte[] full = good.get(incr);
        String tail = new String(full, StandardCharsets.ISO_8859_1)
                + "*1\r\n$5\r\nMULTI\r\n" + set("inmulti", "1") + "*1\r\n$4\r\nEXEC\r\n"
                + "*1\r\n$5\r\nMULTI\r\n" + set("unfinished", "1");
        for (int cut : new int[] {5, 17, 30, 0}) {
            byte[] torn = cut == 0 ? tail.getBytes(StandardCharsets.ISO_8859_1)
                    : java.util.Arrays.copyOf(full, full.length - cut);
            Map<String, byte[]> m = new TreeMap<>(good);
            m.put(incr, torn);
            Path ld = dirWith("l" + cut, m), rd = dirWith("r" + cut, m);
            java.util.Map<String, String> expected;
            try (RedisOracle r = RedisOracle.start("--dir", rd.toString(), "--appendonly", "yes"); RespClient c = r.client()) {
                RdbInterchangeTest.awaitLoaded(c);
                expected = Datasets.describe(c);
            }
            try (LarderTestServer l = LarderTestServer.start("--dir", ld.toString(), "--appendonly", "yes");
                    RespClient c = l.client()) {
                RdbInterchangeTest.awaitLoaded(c);
                assertEquals(expected, Datasets.describe(c), "cut " + cut);
            }
            // Both cut the file to the same length (Redis's one has been appended to after loading: compare the prefix).
            byte[] mine = Files.readAllBytes(ld.resolve("appendonlydir").resolve(incr));
            byte[] theirs = Files.readAllBytes(rd.resolve("appendonlydir").resolve(incr));
            assertTrue(mine.length < torn.length, "cut back");
            assertArrayEquals(java.util.Arrays.copyOf(theirs, Math.min(theirs.length, mine.length)),
                    java.util.Arrays.copyOf(mine, Math.min(theirs.length, mine.length)), "cut " + cut);
        }
    }

    @Test
    void clientsGetLoadingWhileALargeAofLoads() throws Exception {
        StringBuilder b = new StringBuilder(SELECT);
        for (int i = 0; i < 3000; i++) b.append(set("k" + i, "v" + i));
        Path d = dirWith("big", Map.of("appendonly.aof.1.incr.aof", b.toString().getBytes(StandardCharsets.ISO_8859_1),
                "appendonly.aof.manifest", "file appendonly.aof.1.incr.aof seq 1 type i\n".getBytes(StandardCharsets.ISO_8859_1)));
        // One millisecond per command: three seconds of loading.
        try (LarderTestServer l = LarderTestServer.start("--dir", d.toString(), "--appendonly", "yes",
                "--key-load-delay", "1000"); RespClient c = l.client()) {
            String info = (String) c.call("INFO", "persistence");
            assertTrue(info.contains("\r\nloading:1\r\n"), info);
            // The loader measures the files first: the total appears a moment after loading starts.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!info.contains("\r\nloading_total_bytes:" + b.length() + "\r\n") && System.nanoTime() < deadline) {
                Thread.sleep(10);
                info = (String) c.call("INFO", "persistence");
            }
            assertTrue(info.contains("\r\nloading:1\r\n"), info);
            assertTrue(info.contains("\r\nloading_total_bytes:" + b.length() + "\r\n"), info);
            Object r = c.call("GET", "k1");
            assertEquals(new RespClient.Error("LOADING Redis is loading the dataset in memory"), r);
            RdbInterchangeTest.awaitLoaded(c);
            assertEquals(3000L, c.call("DBSIZE"));
            assertEquals("v2999", c.call("GET", "k2999"));
        }
    }

    @Test
    void appendonlyIgnoresTheDumpAndMovesAnOldStyleFile() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("old"));
        // A dump.rdb with a key, and an old-style appendonly.aof (as Redis < 7 wrote it) with another.
        try (LarderTestServer l = LarderTestServer.start("--dir", d.toString()); RespClient c = l.client()) {
            c.call("SET", "fromdump", "1");
            c.call("SAVE");
        }
        Files.writeString(d.resolve("appendonly.aof"), SELECT + set("fromaof", "1"));
        try (LarderTestServer l = LarderTestServer.start("--dir", d.toString(), "--appendonly", "yes");
                RespClient c = l.client()) {
            RdbInterchangeTest.awaitLoaded(c);
            assertEquals(List.of("fromaof"), c.call("KEYS", "*"));
        }
        assertTrue(Files.exists(d.resolve("appendonlydir/appendonly.aof")));
        assertTrue(!Files.exists(d.resolve("appendonly.aof")));
        String manifest = Files.readString(d.resolve("appendonlydir/appendonly.aof.manifest"));
        assertEquals("file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n", manifest);
    }
}
