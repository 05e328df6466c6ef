package io.larder.persist;

import io.larder.testing.RespClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Test data for persistence: commands that build keys of every type and
 * encoding Larder has (strings of every form, quicklists, listpack and
 * hashtable hashes, intset and hashtable sets), with expiries, binary keys
 * and several databases; and a canonical description of a server's whole
 * keyspace (type, encoding, value, absolute expiry per key) to compare two
 * servers, or one server before and after a reload.
 */
final class Datasets {
    private Datasets() {}

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The commands that build the data set (the same list for Larder and Redis). */
    static List<byte[][]> commands(long seed, long expireAtMs) {
        Random r = new Random(seed);
        List<byte[][]> out = new ArrayList<>();
        int[] dbs = {0, 1, 5, 15};
        for (int db : dbs) {
            out.add(cmd("SELECT", Integer.toString(db)));
            String p = "db" + db + ":";
            // strings
            String[] values = {"", "0", "7", "-1", "127", "-129", "32768", "2147483648", "-9223372036854775808",
                    "123456789012", "007", "1.5", "x".repeat(44), "y".repeat(45), "hello ".repeat(40),
                    "z".repeat(4097), "abc".repeat(100_000)};
            for (int i = 0; i < values.length; i++) out.add(cmd("SET", p + "str:" + i, values[i]));
            byte[] random = new byte[3000];
            r.nextBytes(random);
            out.add(new byte[][] {b("SET"), b(p + "bin"), random});
            out.add(new byte[][] {b("SET"), b(p + "key\u0000with\u00ffbytes"), b("binary key")});
            out.add(cmd("SET", p + "appended", "base"));
            out.add(cmd("APPEND", p + "appended", "-more"));
            out.add(cmd("SETRANGE", p + "ranged", "5", "x"));
            out.add(cmd("INCRBYFLOAT", p + "float", "3.25"));
            for (int i = 0; i < 200; i++) out.add(cmd("SET", p + "many:" + i, "v" + r.nextInt(1000)));
            // lists
            out.add(cmd("RPUSH", p + "list:small", "a", "b", "3", "-4", "5000000000"));
            List<String> big = new ArrayList<>(List.of("RPUSH", p + "list:big"));
            for (int i = 0; i < 5000; i++) big.add(r.nextInt(4) == 0 ? Integer.toString(r.nextInt()) : "element-" + i);
            out.add(cmd(big.toArray(new String[0])));
            out.add(cmd("RPUSH", p + "list:huge-elements", "h".repeat(10_000), "small", "i".repeat(70_000)));
            for (int i = 0; i < 300; i++) out.add(cmd("LPUSH", p + "list:pushed", "head-" + i));
            // hashes
            out.add(cmd("HSET", p + "hash:small", "f1", "v1", "f2", "2", "3", "-4"));
            List<String> hbig = new ArrayList<>(List.of("HSET", p + "hash:big"));
            for (int i = 0; i < 500; i++) {
                hbig.add("field-" + i);
                hbig.add(r.nextBoolean() ? Integer.toString(i) : "value-" + r.nextInt());
            }
            out.add(cmd(hbig.toArray(new String[0])));
            out.add(cmd("HSET", p + "hash:longvalue", "f", "L".repeat(100), "g", "short"));
            // sets
            out.add(cmd("SADD", p + "set:ints", "5", "-3", "100", "70000"));
            out.add(cmd("SADD", p + "set:wide", "1", "9000000000"));
            out.add(cmd("SREM", p + "set:wide", "9000000000"));
            out.add(cmd("SADD", p + "set:strings", "a", "b", "c", "1"));
            List<String> sbig = new ArrayList<>(List.of("SADD", p + "set:bigints"));
            for (int i = 0; i < 1000; i++) sbig.add(Integer.toString(i * 3));
            out.add(cmd(sbig.toArray(new String[0])));
            // sorted sets
            out.add(cmd("ZADD", p + "zset:small", "1", "a", "2.5", "b", "-inf", "c", "1e300", "d"));
            List<String> zbig = new ArrayList<>(List.of("ZADD", p + "zset:big"));
            for (int i = 0; i < 400; i++) {
                zbig.add(Double.toString(r.nextGaussian() * 1000));
                zbig.add("member-" + i);
            }
            out.add(cmd(zbig.toArray(new String[0])));
            out.add(cmd("ZADD", p + "zset:longmember", "1", "M".repeat(100)));
            // streams, with consumer groups
            for (int i = 1; i <= 300; i++) {
                out.add(cmd("XADD", p + "stream", i + "-" + (i % 3), "field", "value-" + i, "n", Integer.toString(i)));
            }
            out.add(cmd("XADD", p + "stream", "400-0", "different", "fields", "x", "y"));
            out.add(cmd("XDEL", p + "stream", "10-1", "11-2"));
            out.add(cmd("XGROUP", "CREATE", p + "stream", "readers", "0"));
            out.add(cmd("XGROUP", "CREATE", p + "stream", "late", "$"));
            out.add(cmd("XREADGROUP", "GROUP", "readers", "r1", "COUNT", "5", "STREAMS", p + "stream", ">"));
            out.add(cmd("XREADGROUP", "GROUP", "readers", "r2", "COUNT", "3", "STREAMS", p + "stream", ">"));
            out.add(cmd("XACK", p + "stream", "readers", "1-1"));
            out.add(cmd("XADD", p + "stream:empty", "MAXLEN", "0", "1-1", "a", "b"));
            // expiries on every type
            for (String k : List.of("str:3", "str:13", "list:small", "hash:small", "hash:big", "set:ints",
                    "set:strings", "appended", "zset:small", "zset:big", "stream")) {
                out.add(cmd("PEXPIREAT", p + k, Long.toString(expireAtMs)));
            }
        }
        out.add(cmd("SELECT", "0"));
        return out;
    }

    static byte[][] cmd(String... a) {
        byte[][] x = new byte[a.length][];
        for (int i = 0; i < a.length; i++) x[i] = b(a[i]);
        return x;
    }

    static void apply(RespClient c, List<byte[][]> cmds) {
        for (byte[][] x : cmds) {
            Object r = RespClient.decode(c.callRaw(x));
            if (r instanceof RespClient.Error e) throw new AssertionError(s(x[0]) + " failed: " + e.message());
        }
    }

    /**
     * Every key of databases 0..15: "db/key" -> "type|encoding|expireAt|value",
     * the value canonical (sorted where the type has no order).
     */
    static Map<String, String> describe(RespClient c) {
        Map<String, String> all = new TreeMap<>();
        for (int db = 0; db < 16; db++) {
            c.call("SELECT", Integer.toString(db));
            String cursor = "0";
            do {
                @SuppressWarnings("unchecked")
                List<Object> reply = (List<Object>) c.call("SCAN", cursor, "COUNT", "1000");
                cursor = (String) reply.get(0);
                @SuppressWarnings("unchecked")
                List<Object> keys = (List<Object>) reply.get(1);
                for (Object k : keys) all.put(db + "/" + k, describeKey(c, (String) k));
            } while (!cursor.equals("0"));
        }
        c.call("SELECT", "0");
        return all;
    }

    @SuppressWarnings("unchecked")
    static String describeKey(RespClient c, String key) {
        String type = (String) c.call("TYPE", key);
        String enc = (String) c.call("OBJECT", "ENCODING", key);
        Object exp = c.call("PEXPIRETIME", key);
        String value = switch (type) {
            case "string" -> (String) c.call("GET", key);
            case "list" -> String.valueOf(c.call("LRANGE", key, "0", "-1"));
            case "hash" -> {
                List<Object> kv = (List<Object>) c.call("HGETALL", key);
                TreeMap<String, String> m = new TreeMap<>();
                for (int i = 0; i < kv.size(); i += 2) m.put((String) kv.get(i), (String) kv.get(i + 1));
                yield m.toString();
            }
            case "set" -> {
                List<String> m = new ArrayList<>();
                for (Object o : (List<Object>) c.call("SMEMBERS", key)) m.add((String) o);
                m.sort(null);
                yield m.toString();
            }
            case "zset" -> String.valueOf(c.call("ZRANGE", key, "0", "-1", "WITHSCORES"));
            case "stream" -> {
                StringBuilder b = new StringBuilder(String.valueOf(c.call("XRANGE", key, "-", "+")));
                List<Object> info = (List<Object>) c.call("XINFO", "STREAM", key);
                for (int i = 0; i < info.size(); i += 2) {
                    // The entries themselves are compared above; the counters and IDs here.
                    if (!String.valueOf(info.get(i)).endsWith("entry")) b.append(info.get(i)).append(info.get(i + 1));
                }
                for (Object g : (List<Object>) c.call("XINFO", "GROUPS", key)) {
                    b.append(g);
                    String name = (String) ((List<Object>) g).get(1);
                    b.append(c.call("XPENDING", key, name));
                    for (Object consumer : (List<Object>) c.call("XINFO", "CONSUMERS", key, name)) {
                        List<Object> f = (List<Object>) consumer;
                        b.append(f.get(1)).append(f.get(3)); // name, pending (not the times)
                    }
                }
                yield b.toString();
            }
            default -> "?";
        };
        return type + "|" + enc + "|" + exp + "|" + value.length() + "|" + Integer.toHexString(value.hashCode());
    }
}
