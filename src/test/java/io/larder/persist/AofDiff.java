package io.larder.persist;

import io.larder.testing.Diff;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The differential AOF harness: Larder and a real redis-server, both with
 * appendonly yes and appendfsync always (so a command is in the file before
 * its reply), run the same commands; the replies must match, and so must
 * what each wrote into its INCR file, except for what legitimately differs:
 * absolute times derived from the clock (PXAT, PEXPIREAT, XCLAIM TIME,
 * stream IDs made by "*") are compared to within a few seconds of each other.
 */
final class AofDiff implements AutoCloseable {
    final RedisOracle redis;
    final LarderTestServer larder;
    final Diff d;

    private AofDiff(RedisOracle redis, LarderTestServer larder) {
        this.redis = redis;
        this.larder = larder;
        this.d = new Diff(larder.port(), redis.port());
    }

    static AofDiff start(String... options) {
        List<String> opts = new ArrayList<>(List.of("--appendonly", "yes", "--appendfsync", "always",
                "--enable-debug-command", "yes"));
        opts.addAll(List.of(options));
        String[] o = opts.toArray(new String[0]);
        RedisOracle r = RedisOracle.start(o);
        LarderTestServer l = LarderTestServer.start(o);
        AofDiff a = new AofDiff(r, l);
        // Both create their base and first INCR file at start; wait until Larder has (it loads in the background).
        a.await(() -> Files.exists(a.larderIncr()) && !a.larder.server().loading(), "Larder's INCR file");
        return a;
    }

    Path redisDir() {
        return redis.dir().resolve("appendonlydir");
    }

    Path larderDir() {
        return larder.server().persistence().aof().dir();
    }

    Path redisIncr() {
        return lastIncr(redisDir());
    }

    Path larderIncr() {
        return lastIncr(larderDir());
    }

    /** The INCR file the manifest names last. */
    static Path lastIncr(Path dir) {
        try {
            Path mf = dir.resolve("appendonly.aof.manifest");
            if (!Files.exists(mf)) return dir.resolve("appendonly.aof.1.incr.aof");
            String name = null;
            for (String line : Files.readAllLines(mf)) {
                String[] w = line.split(" ");
                if (w.length >= 6 && w[5].equals("i")) name = w[1];
            }
            return dir.resolve(name == null ? "appendonly.aof.1.incr.aof" : name);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    void script(String s) {
        d.script(s);
    }

    /** Both files' commands, one string per command ("SET k v"), annotations as they are. */
    static List<String> commands(Path file) {
        try {
            return parse(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> parse(byte[] data) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < data.length) {
            if (data[i] == '#') {
                int j = indexOf(data, (byte) '\n', i);
                out.add(new String(data, i, j - i - 1, StandardCharsets.ISO_8859_1));
                i = j + 1;
                continue;
            }
            if (data[i] != '*') throw new IllegalStateException("not a command at " + i + ": " + show(data, i));
            int j = indexOf(data, (byte) '\r', i);
            int n = Integer.parseInt(new String(data, i + 1, j - i - 1, StandardCharsets.US_ASCII));
            i = j + 2;
            StringBuilder b = new StringBuilder();
            for (int k = 0; k < n; k++) {
                j = indexOf(data, (byte) '\r', i);
                int len = Integer.parseInt(new String(data, i + 1, j - i - 1, StandardCharsets.US_ASCII));
                i = j + 2;
                if (k > 0) b.append(' ');
                b.append(quote(new String(data, i, len, StandardCharsets.ISO_8859_1)));
                i += len + 2;
            }
            out.add(b.toString());
        }
        return out;
    }

    private static String show(byte[] d, int from) {
        return new String(d, from, Math.min(40, d.length - from), StandardCharsets.ISO_8859_1);
    }

    private static int indexOf(byte[] d, byte b, int from) {
        for (int i = from; i < d.length; i++) if (d[i] == b) return i;
        throw new IllegalStateException("truncated");
    }

    private static String quote(String s) {
        boolean plain = !s.isEmpty();
        for (char c : s.toCharArray()) if (c <= ' ' || c > '~' || c == '"') plain = false;
        if (plain) return s;
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < ' ' || c > '~') b.append(String.format("\\x%02x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    private static final Pattern TIME = Pattern.compile("(?<![\\w-])(1[5-9]\\d{11})(?:-(\\d+))?(?![\\w-])");

    /**
     * Replaces clock-derived times with "T" after checking each pair is
     * close: returns the normalised lines of Larder's list, throwing if a
     * time differs by more than {@code toleranceMs}.
     */
    static List<String> alignTimes(List<String> larderCmds, List<String> redisCmds, long toleranceMs) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < larderCmds.size(); i++) {
            String l = larderCmds.get(i);
            String r = i < redisCmds.size() ? redisCmds.get(i) : "";
            List<long[]> lt = times(l), rt = times(r);
            if (lt.size() == rt.size()) {
                for (int k = 0; k < lt.size(); k++) {
                    if (Math.abs(lt.get(k)[0] - rt.get(k)[0]) > toleranceMs) {
                        throw new AssertionError("times too far apart in command " + i + ":\n  larder: " + l
                                + "\n  redis:  " + r);
                    }
                }
            }
            out.add(normalize(l));
        }
        return out;
    }

    static String normalize(String s) {
        if (s.startsWith("#TS:")) return "#TS:T";
        Matcher m = TIME.matcher(s);
        return m.replaceAll(x -> x.group(2) == null ? "T" : "T-S");
    }

    private static List<long[]> times(String s) {
        List<long[]> out = new ArrayList<>();
        Matcher m = TIME.matcher(s);
        while (m.find()) out.add(new long[] {Long.parseLong(m.group(1))});
        return out;
    }

    /** The INCR files must say the same, times aligned. */
    void assertSameAof() {
        assertSameAof(5000);
    }

    void assertSameAof(long toleranceMs) {
        List<String> r = commands(redisIncr());
        List<String> l = commands(larderIncr());
        List<String> rn = new ArrayList<>();
        for (String s : r) rn.add(normalize(s));
        List<String> ln = alignTimes(l, r, toleranceMs);
        if (!rn.equals(ln)) {
            StringBuilder b = new StringBuilder("AOF differs\n");
            int n = Math.max(rn.size(), ln.size());
            for (int i = 0; i < n; i++) {
                String a = i < ln.size() ? ln.get(i) : "<none>", c = i < rn.size() ? rn.get(i) : "<none>";
                b.append(a.equals(c) ? "   " : " X ").append(String.format("%-60s | %s%n", a, c));
            }
            throw new AssertionError(b.toString());
        }
    }

    /** Polls until the INCR files have the same number of commands (asynchronous expiry ...). */
    void awaitSameLength() {
        await(() -> commands(redisIncr()).size() == commands(larderIncr()).size(), "the same number of commands");
    }

    void await(BooleanSupplier cond, String what) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    RespClient redisClient() {
        return redis.client();
    }

    RespClient larderClient() {
        return larder.client();
    }

    @Override
    public void close() {
        d.close();
        larder.close();
        redis.close();
    }
}
