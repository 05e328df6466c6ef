package io.larder.testing;

import io.larder.protocol.RequestParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The differential harness: sends the same commands to Larder and to a real
 * redis-server over two connections and requires identical replies, byte for
 * byte unless a check says the order of elements is unspecified (SMEMBERS,
 * HGETALL of a hash table...).
 */
public final class Diff implements AutoCloseable {
    private final RespClient larder;
    private final RespClient redis;
    private int checks;

    public Diff(int larderPort, int redisPort) {
        this.larder = new RespClient(larderPort);
        this.redis = new RespClient(redisPort);
    }

    public RespClient larder() {
        return larder;
    }

    public RespClient redis() {
        return redis;
    }

    public int checks() {
        return checks;
    }

    /** Switches both connections to RESP3 (HELLO 3), checking the replies agree in shape. */
    public void resp3() {
        larder.call("HELLO", "3");
        redis.call("HELLO", "3");
    }

    /** Runs a command on both servers without comparing replies (set-up steps). */
    public void exec(String... cmd) {
        larder.callRaw(cmd);
        redis.callRaw(cmd);
    }

    /** Runs a command on both; the raw replies must be identical. Returns the decoded reply. */
    public Object check(String... cmd) {
        return check(RespClient.bytes(cmd));
    }

    public Object check(byte[]... cmd) {
        byte[] l = larder.callRaw(cmd);
        byte[] r = redis.callRaw(cmd);
        checks++;
        if (!Arrays.equals(l, r)) {
            throw new AssertionError("reply differs for " + show(cmd) + "\n  larder: " + show(l) + "\n  redis:  " + show(r));
        }
        return RespClient.decode(l);
    }

    /**
     * Sends a command to both and compares the next {@code n} replies of each
     * in order (SUBSCRIBE a b c answers three times). Returns the decoded replies.
     */
    public List<Object> checkN(int n, String... cmd) {
        byte[][] b = RespClient.bytes(cmd);
        larder.send(b);
        redis.send(b);
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(next("reply " + (i + 1) + " of " + show(b)));
        return out;
    }

    /**
     * Reads the next reply or pushed message of both connections (a message
     * some other connection's command caused) and compares them.
     */
    public Object next() {
        return next("next message");
    }

    private Object next(String what) {
        byte[] l = larder.readRaw();
        byte[] r = redis.readRaw();
        checks++;
        if (!Arrays.equals(l, r)) {
            throw new AssertionError(what + " differs\n  larder: " + show(l) + "\n  redis:  " + show(r));
        }
        return RespClient.decode(l);
    }

    /**
     * Reads the next {@code n} messages of both connections: the same
     * messages, in any order (Redis delivers a message matched by several
     * patterns in its hash table's order).
     */
    public void nextUnordered(int n) {
        List<String> l = new ArrayList<>(), r = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(show(larder.readRaw()));
            r.add(show(redis.readRaw()));
        }
        checks++;
        l.sort(Comparator.naturalOrder());
        r.sort(Comparator.naturalOrder());
        if (!l.equals(r)) throw new AssertionError("messages differ (ignoring order)\n  larder: " + l + "\n  redis:  " + r);
    }

    /** Like {@link #check} but the top-level elements may come in any order. */
    public void checkUnordered(String... cmd) {
        compareNormalized(cmd, 1);
    }

    /** Like {@link #check} but the top-level (field, value) pairs may come in any order. */
    public void checkUnorderedPairs(String... cmd) {
        compareNormalized(cmd, 2);
    }

    private void compareNormalized(String[] cmd, int group) {
        byte[][] b = RespClient.bytes(cmd);
        byte[] l = larder.callRaw(b);
        byte[] r = redis.callRaw(b);
        checks++;
        Object lv = normalize(RespClient.decode(l), group);
        Object rv = normalize(RespClient.decode(r), group);
        if (!String.valueOf(lv).equals(String.valueOf(rv)) || l[0] != r[0]) {
            throw new AssertionError("reply differs (ignoring order) for " + show(b) + "\n  larder: " + show(l)
                    + "\n  redis:  " + show(r));
        }
    }

    private static Object normalize(Object v, int group) {
        List<Object> items;
        if (v instanceof List<?> l) items = new ArrayList<>(l);
        else if (v instanceof RespClient.RespSet s) items = new ArrayList<>(s.items());
        else if (v instanceof RespClient.RespMap m) {
            items = new ArrayList<>(m.entries());
            group = 2;
        } else return v;
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < items.size(); i += group) {
            groups.add(String.valueOf(items.subList(i, Math.min(items.size(), i + group))));
        }
        groups.sort(Comparator.naturalOrder());
        return groups;
    }

    /** Sends raw bytes to both and compares the next reply of each. */
    public void checkRaw(String raw) {
        byte[] b = raw.getBytes(StandardCharsets.ISO_8859_1);
        larder.sendRaw(b);
        redis.sendRaw(b);
        byte[] l = larder.readRaw();
        byte[] r = redis.readRaw();
        checks++;
        if (!Arrays.equals(l, r)) {
            throw new AssertionError("reply differs for raw " + show(b) + "\n  larder: " + show(l) + "\n  redis:  " + show(r));
        }
    }

    /**
     * Runs a script, one command per line (quoted like redis-cli). A line
     * starting with "~ " compares ignoring element order, "~~ " ignoring
     * pair order, "! " runs without comparing; "#" starts a comment.
     */
    public void script(String text) {
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int mode = 0;
            if (line.startsWith("~~ ")) {
                mode = 2;
                line = line.substring(3);
            } else if (line.startsWith("~ ")) {
                mode = 1;
                line = line.substring(2);
            } else if (line.startsWith("! ")) {
                mode = 3;
                line = line.substring(2);
            }
            List<String> args = RequestParser.splitLine(line);
            if (args == null) throw new IllegalArgumentException("unbalanced quotes: " + line);
            String[] a = args.toArray(new String[0]);
            switch (mode) {
                case 1 -> checkUnordered(a);
                case 2 -> checkUnorderedPairs(a);
                case 3 -> exec(a);
                default -> check(a);
            }
        }
    }

    static String show(byte[][] cmd) {
        StringBuilder b = new StringBuilder();
        for (byte[] a : cmd) {
            if (b.length() > 0) b.append(' ');
            b.append('"').append(escape(a, 200)).append('"');
        }
        return b.toString();
    }

    static String show(byte[] reply) {
        return escape(reply, 2000);
    }

    static String escape(byte[] b, int max) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, max); i++) {
            int c = b[i] & 0xFF;
            if (c == '\r') s.append("\\r");
            else if (c == '\n') s.append("\\n");
            else if (c < 32 || c > 126) s.append(String.format("\\x%02x", c));
            else s.append((char) c);
        }
        if (b.length > max) s.append("...(").append(b.length).append(" bytes)");
        return s.toString();
    }

    @Override
    public void close() {
        larder.close();
        redis.close();
    }
}
