package io.larder.persist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code larder --check-aof} against Redis 7.0's redis-check-aof: the same
 * files (old-style, multi-part with RDB and RESP bases, damaged in every
 * way the tool distinguishes), the same arguments and answers to --fix's
 * question give the same report, the same exit status and the same file
 * afterwards.
 */
class AofCheckTest {
    @TempDir
    Path tmp;

    static final String PING = "*1\r\n$4\r\nPING\r\n";
    static final String SET = "*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n";
    static final String SELECT = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n";

    record Outcome(int status, String output, Map<String, byte[]> files) {}

    private static String tool() {
        for (String p : List.of("/usr/bin/redis-check-aof", "/usr/local/bin/redis-check-aof")) {
            if (new File(p).canExecute()) return p;
        }
        throw new IllegalStateException("redis-check-aof not found (Debian's redis-tools package)");
    }

    /** Runs both tools on copies of {@code files}, in directories of their own, and compares everything. */
    private void same(Map<String, byte[]> files, String stdin, String... args) throws Exception {
        Outcome theirs = redis(files, stdin, args);
        Outcome mine = larder(files, stdin, args);
        assertEquals(theirs.output(), mine.output(), String.join(" ", args));
        assertEquals(theirs.status(), mine.status(), String.join(" ", args) + "\n" + mine.output());
        assertEquals(theirs.files().keySet(), mine.files().keySet());
        for (String f : theirs.files().keySet()) assertArrayEquals(theirs.files().get(f), mine.files().get(f), f);
    }

    private Path setUp(String who, Map<String, byte[]> files) throws Exception {
        Path d = Files.createTempDirectory(tmp, who);
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Path p = d.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, e.getValue());
        }
        return d;
    }

    private static Map<String, byte[]> contents(Path d) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) out.put(d.relativize(p).toString(), Files.readAllBytes(p));
        }
        return out;
    }

    /** The serverLog prefix ("pid:C date # ") differs by nature. */
    private static String normalize(String s) {
        return s.replaceAll("(?m)^\\d+:C \\d\\d \\w+ \\d{4} [\\d:.]+ # ", "LOG # ");
    }

    private Outcome redis(Map<String, byte[]> files, String stdin, String... args) throws Exception {
        Path d = setUp("redis", files);
        List<String> cmd = new ArrayList<>(List.of(tool()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(d.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.ISO_8859_1));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        p.waitFor(30, TimeUnit.SECONDS);
        out = out.replace("Usage: " + tool(), "Usage: larder --check-aof");
        return new Outcome(p.exitValue(), normalize(out), contents(d));
    }

    private Outcome larder(Map<String, byte[]> files, String stdin, String... args) throws Exception {
        Path d = setUp("larder", files);
        // The tool takes paths relative to its working directory; resolve them like the C tool would.
        String[] a = args.clone();
        if (a.length > 0 && !a[a.length - 1].startsWith("-")) a[a.length - 1] = d.resolve(a[a.length - 1]).toString();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = AofCheck.run(a, new PrintStream(bytes, true, StandardCharsets.ISO_8859_1),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.ISO_8859_1)));
        String out = bytes.toString(StandardCharsets.ISO_8859_1).replace(d.toString() + "/", "");
        return new Outcome(status, normalize(out), contents(d));
    }

    private static Map<String, byte[]> one(String name, String content) {
        return Map.of(name, content.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void oldStyleFiles() throws Exception {
        String valid = SELECT + SET + PING;
        same(one("a.aof", valid), "", "a.aof");
        same(one("a.aof", ""), "", "a.aof");
        same(Map.of(), "", "missing.aof");
        same(one("a.aof", valid), "", "--bogus", "a.aof");
        same(one("a.aof", valid), "");
        // Every prefix of a valid file: truncated in every place.
        String three = SELECT + SET + "*1\r\n$5\r\nMULTI\r\n" + SET + "*1\r\n$4\r\nEXEC\r\n" + PING;
        for (int cut = 1; cut < three.length(); cut += 3) same(one("a.aof", three.substring(0, cut)), "", "a.aof");
        // Damage of each kind.
        same(one("a.aof", SELECT + "GARBAGE\r\n" + SET), "", "a.aof");
        same(one("a.aof", "*1\r\n$-5\r\nab\r\n"), "", "a.aof");
        same(one("a.aof", "*1\r\n$3\r\nabcXY" + PING), "", "a.aof");
        same(one("a.aof", "*x\r\n" + PING), "", "a.aof");
        same(one("a.aof", "*1\r\n%4\r\nPING\r\n"), "", "a.aof");
        same(one("a.aof", "*1\r\n$4\r\nEXEC\r\n"), "", "a.aof");
        same(one("a.aof", "*1\r\n$5\r\nMULTI\r\n*1\r\n$5\r\nmulti\r\n"), "", "a.aof");
        same(one("a.aof", "*1\r\n$5\r\nMULTI\r\n" + SET), "", "a.aof");
        same(one("a.aof", "#TS:100\r\n" + PING + "#just a comment\r\n" + PING), "", "a.aof");
    }

    @Test
    void fixAsksThenTruncates() throws Exception {
        String torn = SELECT + SET + "*3\r\n$3\r\nset\r\n$1\r\nb\r\n$3\r\n12";
        same(one("a.aof", torn), "y\n", "--fix", "a.aof");
        same(one("a.aof", torn), "n\n", "--fix", "a.aof");
        same(one("a.aof", torn), "", "--fix", "a.aof");
        same(one("a.aof", SELECT + SET), "y\n", "--fix", "a.aof");
        same(one("a.aof", SELECT + "*1\r\n$5\r\nMULTI\r\n" + SET), "Y\n", "--fix", "a.aof");
    }

    @Test
    void truncateToTimestamp() throws Exception {
        String ts = "#TS:100\r\n" + PING + "#TS:200\r\n" + PING + "#TS:300\r\n" + SET;
        for (String t : List.of("50", "100", "150", "250", "300", "999", "abc", "12x", "-1")) {
            same(one("a.aof", ts), "", "--truncate-to-timestamp", t, "a.aof");
        }
        same(one("a.aof", "#TS:1x\r\n" + PING), "", "--truncate-to-timestamp", "5", "a.aof");
        same(one("a.aof", PING + "#TS:200\r\n" + PING), "", "--truncate-to-timestamp", "150", "a.aof");
    }

    /** A real multi-part directory written by Redis, then damaged. */
    @Test
    void multiPartDirectories() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        try (RedisOracle r = RedisOracle.start("--dir", src.toString(), "--appendonly", "yes",
                "--aof-timestamp-enabled", "yes"); RespClient c = r.client()) {
            for (int i = 0; i < 50; i++) c.call("SET", "k" + i, "v" + i);
            c.call("BGREWRITEAOF");
            AofInterchangeTest.awaitRewrite(c);
            // A new second, so the INCR file gets a timestamp annotation.
            Thread.sleep(1100);
            for (int i = 0; i < 50; i++) c.call("RPUSH", "l", "e" + i);
            c.call("MULTI");
            c.call("INCR", "n");
            c.call("EXEC");
        }
        Map<String, byte[]> good = new TreeMap<>();
        Path aof = src.resolve("appendonlydir");
        try (Stream<Path> s = Files.list(aof)) {
            for (Path p : s.toList()) good.put("appendonlydir/" + p.getFileName(), Files.readAllBytes(p));
        }
        String manifest = "appendonlydir/appendonly.aof.manifest";
        String base = "appendonlydir/appendonly.aof.2.base.rdb", incr = "appendonlydir/appendonly.aof.2.incr.aof";
        same(good, "", manifest);
        // The RDB base damaged.
        Map<String, byte[]> m = new TreeMap<>(good);
        byte[] b = good.get(base).clone();
        b[b.length - 3] ^= 0x55;
        m.put(base, b);
        same(m, "", manifest);
        // The last INCR file torn, then fixed.
        m = new TreeMap<>(good);
        byte[] inc = good.get(incr);
        m.put(incr, java.util.Arrays.copyOf(inc, inc.length - 7));
        same(m, "", manifest);
        same(m, "y\n", "--fix", manifest);
        // A torn INCR file that is not the last one cannot be fixed.
        m.put("appendonlydir/appendonly.aof.3.incr.aof", PING.getBytes(StandardCharsets.ISO_8859_1));
        m.put(manifest, (new String(good.get(manifest), StandardCharsets.ISO_8859_1)
                + "file appendonly.aof.3.incr.aof seq 3 type i\n").getBytes(StandardCharsets.ISO_8859_1));
        same(m, "y\n", "--fix", manifest);
        // Files missing, or an invalid manifest.
        m = new TreeMap<>(good);
        m.remove(incr);
        same(m, "", manifest);
        for (String bad : List.of("", "file x seq 1 type z\n", "file a/b seq 1 type b\n", "nonsense\n",
                "file a seq 1 type b\nfile b seq 2 type b\n", "file a seq 2 type i\nfile b seq 1 type i\n",
                "# only a comment\n", "file a seq 1 type b")) {
            m = new TreeMap<>(good);
            m.put(manifest, bad.getBytes(StandardCharsets.ISO_8859_1));
            same(m, "", manifest);
        }
        // Truncating to a timestamp inside the last INCR file.
        String incrText = new String(inc, StandardCharsets.ISO_8859_1);
        int at = incrText.indexOf("#TS:");
        String firstTs = incrText.substring(at + 4, incrText.indexOf('\r', at));
        same(good, "", "--truncate-to-timestamp", Long.toString(Long.parseLong(firstTs) - 1), manifest);
        same(good, "", "--truncate-to-timestamp", firstTs, manifest);
    }
}
