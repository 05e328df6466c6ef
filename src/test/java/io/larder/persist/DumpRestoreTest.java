package io.larder.persist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.DifferentialTestBase;
import io.larder.testing.Encodings;
import io.larder.testing.RespClient;
import io.larder.testing.TestConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * DUMP and RESTORE against Redis 7.0: payloads byte for byte where the
 * encoding fixes the order (strings, lists, listpack hashes, intsets), and
 * for hashtable encodings the values each server restores from the other's
 * payload; every option and error of RESTORE.
 */
class DumpRestoreTest extends DifferentialTestBase {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static String repeat(String x, int n) {
        return x.repeat(n);
    }

    private static String randomString(Random r, int n) {
        byte[] x = new byte[n];
        r.nextBytes(x);
        return s(x);
    }

    /** Both servers' DUMP of a key must be the same bytes. */
    private void sameDump(String key) {
        d.check("DUMP", key);
    }

    /** Each server restores the other's payload of a key to the same value (compared with cmp). */
    private void crossRestore(String key, String... cmp) {
        byte[] fromRedis = b((String) RespClient.decode(d.redis().callRaw("DUMP", key)));
        byte[] fromLarder = b((String) RespClient.decode(d.larder().callRaw("DUMP", key)));
        // Larder's payload into Redis and Redis's into Larder, under a second key on both.
        assertEquals("OK", RespClient.decode(d.redis().callRaw(b("RESTORE"), b(key + ":x"), b("0"), fromLarder)));
        assertEquals("OK", RespClient.decode(d.larder().callRaw(b("RESTORE"), b(key + ":x"), b("0"), fromRedis)));
        for (String c : cmp) {
            String[] parts = c.split(" ");
            String[] onCopy = parts.clone();
            for (int i = 0; i < onCopy.length; i++) if (onCopy[i].equals("$")) onCopy[i] = key + ":x";
            for (int i = 0; i < parts.length; i++) if (parts[i].equals("$")) parts[i] = key;
            Object orig = RespClient.decode(d.redis().callRaw(parts));
            Object inRedis = RespClient.decode(d.redis().callRaw(onCopy));
            Object inLarder = RespClient.decode(d.larder().callRaw(onCopy));
            assertEquals(normalize(orig), normalize(inRedis), "Larder's payload restored in Redis: " + c);
            assertEquals(normalize(orig), normalize(inLarder), "Redis's payload restored in Larder: " + c);
        }
        Encodings.check(d, larder, key + ":x");
    }

    @SuppressWarnings("unchecked")
    private static Object normalize(Object v) {
        if (v instanceof List<?> l) {
            List<String> x = new ArrayList<>();
            for (Object o : l) x.add(String.valueOf(o));
            x.sort(null);
            return x;
        }
        return v;
    }

    @Test
    void stringsDumpLikeRedis() {
        Random r = new Random(1);
        String[] values = {"", "a", "0", "123", "-5", "127", "128", "-128", "-129", "32767", "32768", "-32769",
                "2147483647", "2147483648", "-2147483648", "-2147483649", "12345678901", "9223372036854775807",
                "-9223372036854775808", "9223372036854775808", "007", "-0", "+1", "1.5", " 1", repeat("x", 20),
                repeat("x", 21), repeat("ab", 22), repeat("abc", 15), repeat("a", 100), repeat("hello world ", 50),
                randomString(r, 21), randomString(r, 100), repeat("z", 4097), repeat("lorem ipsum ", 1000),
                randomString(r, 10000), repeat("q", 1 << 20)};
        for (int i = 0; i < values.length; i++) {
            String k = "s" + i;
            d.exec("SET", k, values[i]);
            sameDump(k);
            crossRestore(k, "GET $", "OBJECT ENCODING $");
        }
        d.exec("SET", "n", "10");
        d.exec("INCRBY", "n", "1000000");
        sameDump("n");
        d.exec("SET", "ap", "abc");
        d.exec("APPEND", "ap", repeat("d", 100));
        sameDump("ap");
        crossRestore("ap", "GET $");
        d.exec("SETRANGE", "sr", "10", "x");
        sameDump("sr");
        d.check("DUMP", "missing");
    }

    @Test
    void stringsWithoutCompression() {
        TestConfig.set(d, larder, "rdbcompression", "no");
        try {
            d.exec("SET", "k", repeat("hello ", 100));
            sameDump("k");
            crossRestore("k", "GET $");
        } finally {
            TestConfig.set(d, larder, "rdbcompression", "yes");
        }
    }

    @Test
    void listsDumpLikeRedis() {
        Random r = new Random(2);
        d.exec("RPUSH", "l1", "a", "b", "1", "-1", "1000", "100000", "10000000000", repeat("x", 70), repeat("y", 5000));
        sameDump("l1");
        crossRestore("l1", "LRANGE $ 0 -1");
        List<String> args = new ArrayList<>(List.of("RPUSH", "l2"));
        for (int i = 0; i < 3000; i++) args.add(r.nextInt(3) == 0 ? Integer.toString(r.nextInt()) : "elem:" + i);
        d.exec(args.toArray(new String[0]));
        for (int i = 0; i < 200; i++) d.exec("LPUSH", "l2", "head" + i);
        sameDump("l2");
        // Larder splits and merges nodes in the middle of a list (LINSERT, LREM) by its own rules, so
        // node boundaries, and with them the payload bytes, may differ from Redis's; the values may not.
        d.exec("LINSERT", "l2", "BEFORE", "elem:1500", "inserted");
        d.exec("LREM", "l2", "0", "elem:10");
        crossRestore("l2", "LRANGE $ 0 -1", "LLEN $");
        d.exec("RPUSH", "l3", repeat("big", 4000), "small", repeat("big2", 4000));
        sameDump("l3");
        crossRestore("l3", "LRANGE $ 0 -1");
    }

    @Test
    void listNodeSizesFollowConfig() {
        TestConfig.set(d, larder, "list-max-listpack-size", "5");
        try {
            List<String> args = new ArrayList<>(List.of("RPUSH", "l"));
            for (int i = 0; i < 23; i++) args.add("v" + i);
            d.exec(args.toArray(new String[0]));
            sameDump("l");
            crossRestore("l", "LRANGE $ 0 -1");
        } finally {
            TestConfig.set(d, larder, "list-max-listpack-size", "-2");
        }
    }

    @Test
    void hashesDumpLikeRedis() {
        d.exec("HSET", "h1", "f1", "v1", "f2", "2", "3", "-4", "long", repeat("v", 60));
        sameDump("h1");
        crossRestore("h1", "HGETALL $", "OBJECT ENCODING $");
        d.exec("HSET", "h1", "f2", "changed");
        d.exec("HDEL", "h1", "3");
        sameDump("h1");
        // hashtable encodings: by size and by value length
        List<String> args = new ArrayList<>(List.of("HSET", "h2"));
        for (int i = 0; i < 300; i++) {
            args.add("field:" + i);
            args.add(Integer.toString(i * 7));
        }
        d.exec(args.toArray(new String[0]));
        crossRestore("h2", "HGETALL $", "HLEN $", "OBJECT ENCODING $");
        d.exec("HSET", "h3", "a", repeat("x", 65), "b", "c");
        crossRestore("h3", "HGETALL $", "OBJECT ENCODING $");
    }

    @Test
    void setsDumpLikeRedis() {
        d.exec("SADD", "s1", "3", "1", "2", "-7", "100000");
        sameDump("s1");
        crossRestore("s1", "SMEMBERS $", "OBJECT ENCODING $");
        d.exec("SADD", "s2", "1", "5000000000");
        d.exec("SREM", "s2", "5000000000");
        sameDump("s2"); // the intset stays 8 bytes wide
        crossRestore("s2", "SMEMBERS $", "OBJECT ENCODING $");
        d.exec("SADD", "s3", "a", "b", "c", "1");
        crossRestore("s3", "SMEMBERS $", "OBJECT ENCODING $");
        List<String> args = new ArrayList<>(List.of("SADD", "s4"));
        for (int i = 0; i < 600; i++) args.add(Integer.toString(i));
        d.exec(args.toArray(new String[0]));
        crossRestore("s4", "SMEMBERS $", "SCARD $", "OBJECT ENCODING $");
    }

    @Test
    void restoredEncodingsFollowThresholds() {
        d.exec("HSET", "h", "a", "1", "b", "2", "c", "3");
        d.exec("SADD", "s", "1", "2", "3");
        byte[] hp = b((String) RespClient.decode(d.redis().callRaw("DUMP", "h")));
        byte[] sp = b((String) RespClient.decode(d.redis().callRaw("DUMP", "s")));
        TestConfig.set(d, larder, "hash-max-listpack-entries", "2");
        TestConfig.set(d, larder, "set-max-intset-entries", "2");
        try {
            d.check(b("RESTORE"), b("h2"), b("0"), hp);
            d.check(b("RESTORE"), b("s2"), b("0"), sp);
            Encodings.check(d, larder, "h2");
            Encodings.check(d, larder, "s2");
        } finally {
            TestConfig.set(d, larder, "hash-max-listpack-entries", "128");
            TestConfig.set(d, larder, "set-max-intset-entries", "512");
        }
    }

    @Test
    void restoreOptionsAndErrors() {
        d.exec("SET", "src", "value");
        d.exec("SET", "taken", "x");
        byte[] p = b((String) RespClient.decode(d.redis().callRaw("DUMP", "src")));
        byte[][][] cases = {
            {b("RESTORE"), b("new"), b("0"), p},
            {b("RESTORE"), b("taken"), b("0"), p},
            {b("RESTORE"), b("taken"), b("notanumber"), p},
            {b("RESTORE"), b("taken"), b("0"), p, b("REPLACE")},
            {b("RESTORE"), b("t2"), b("-1"), p},
            {b("RESTORE"), b("t2"), b("x"), p},
            {b("RESTORE"), b("t3"), b("0"), p, b("IDLETIME"), b("-1")},
            {b("RESTORE"), b("t3"), b("0"), p, b("IDLETIME"), b("abc")},
            {b("RESTORE"), b("t3"), b("0"), p, b("IDLETIME")},
            {b("RESTORE"), b("t3"), b("0"), p, b("FREQ"), b("256")},
            {b("RESTORE"), b("t3"), b("0"), p, b("FREQ"), b("-1")},
            {b("RESTORE"), b("t3"), b("0"), p, b("IDLETIME"), b("5"), b("FREQ"), b("5")},
            {b("RESTORE"), b("t3"), b("0"), p, b("FREQ"), b("5"), b("IDLETIME"), b("5")},
            {b("RESTORE"), b("t3"), b("0"), p, b("NOPE")},
            {b("RESTORE"), b("taken"), b("0"), p, b("NOPE")},
            {b("RESTORE"), b("t4"), b("0"), b("short")},
            {b("RESTORE"), b("t4"), b("0"), b("")},
            {b("RESTORE"), b("t5"), b("0"), p, b("REPLACE"), b("ABSTTL"), b("IDLETIME"), b("10")},
            {b("RESTORE"), b("t6"), b("100000"), p},
            {b("RESTORE"), b("t7"), b("1"), p, b("ABSTTL")},
            {b("RESTORE"), b("taken"), b("1"), p, b("ABSTTL"), b("REPLACE")},
            {b("RESTORE"), b("t8"), b("99999999999999"), p, b("ABSTTL")},
        };
        for (byte[][] c : cases) d.check(c);
        d.check("EXISTS", "taken");
        d.check("GET", "t5");
        d.check("EXISTS", "t7");
        d.check("PEXPIRETIME", "t8");
        d.check("GET", "t6");
        long pttl = (Long) RespClient.decode(d.larder().callRaw("PTTL", "t6"));
        assertTrue(pttl > 90_000 && pttl <= 100_000, "PTTL after RESTORE with a ttl: " + pttl);
    }

    @Test
    void corruptPayloads() {
        d.exec("SET", "src", repeat("abc", 30));
        d.exec("RPUSH", "lst", "a", "b", "c");
        d.exec("HSET", "hs", "a", "1", "b", "2");
        for (String key : List.of("src", "lst", "hs")) {
            byte[] p = b((String) RespClient.decode(d.redis().callRaw("DUMP", key)));
            // wrong checksum, wrong version, truncated
            byte[] badCrc = p.clone();
            badCrc[badCrc.length - 1] ^= 1;
            d.check(b("RESTORE"), b("x"), b("0"), badCrc);
            byte[] newer = p.clone();
            newer[newer.length - 10] = 11;
            d.check(b("RESTORE"), b("x"), b("0"), newer);
            byte[] older = withFooter(java.util.Arrays.copyOf(p, p.length - 10), 9);
            d.check(b("RESTORE"), b("x"), b("0"), older);
            // every byte of the body changed, with a valid footer: "Bad data format" or a value, as Redis
            for (int i = 0; i < p.length - 10; i++) {
                for (int delta : new int[] {1, 0x80, 0x3F}) {
                    byte[] body = java.util.Arrays.copyOf(p, p.length - 10);
                    body[i] ^= (byte) delta;
                    byte[] q = withFooter(body, 10);
                    restoreBoth("c", q);
                }
            }
            // truncated bodies
            for (int n = 0; n < p.length - 10; n++) {
                restoreBoth("t", withFooter(java.util.Arrays.copyOf(p, n), 10));
            }
            // unknown type byte
            byte[] body = java.util.Arrays.copyOf(p, p.length - 10);
            for (int t : new int[] {8, 20, 21, 100, 250, 255}) {
                body[0] = (byte) t;
                restoreBoth("u", withFooter(body, 10));
            }
        }
    }

    /**
     * RESTORE of a damaged payload on both. Redis (sanitize-dump-payload no)
     * may accept payloads whose listpacks it does not inspect; Larder checks
     * every payload deeply, so it may refuse what Redis takes, never the
     * reverse, and what both take must hold the same value.
     */
    private void restoreBoth(String key, byte[] payload) {
        d.exec("DEL", key);
        Object rl = RespClient.decode(d.larder().callRaw(b("RESTORE"), b(key), b("0"), payload));
        Object rr = RespClient.decode(d.redis().callRaw(b("RESTORE"), b(key), b("0"), payload));
        if (rl instanceof RespClient.Error el) {
            assertEquals("ERR Bad data format", el.message().equals("ERR Bad data format") ? el.message() : rr == null
                    ? "" : String.valueOf(rr instanceof RespClient.Error er ? er.message() : rr), "payload " + show(payload));
            if (rr instanceof RespClient.Error er) assertEquals(er.message(), el.message());
            return;
        }
        assertEquals("OK", rl);
        assertEquals("OK", rr, "Larder accepted a payload Redis refused: " + show(payload));
        d.check("DUMP", key);
    }

    private static String show(byte[] p) {
        StringBuilder sb = new StringBuilder();
        for (byte x : p) sb.append(String.format("%02x", x & 0xFF));
        return sb.toString();
    }

    static byte[] withFooter(byte[] body, int version) {
        byte[] p = java.util.Arrays.copyOf(body, body.length + 10);
        p[body.length] = (byte) version;
        p[body.length + 1] = 0;
        long crc = Crc64.of(p, 0, body.length + 2);
        for (int i = 0; i < 8; i++) p[body.length + 2 + i] = (byte) (crc >>> (8 * i));
        return p;
    }

    @Test
    void idleTimeAndFrequency() {
        d.exec("SET", "src", "v");
        byte[] p = b((String) RespClient.decode(d.redis().callRaw("DUMP", "src")));
        d.check(b("RESTORE"), b("i"), b("0"), p, b("IDLETIME"), b("1000"));
        long idle = (Long) RespClient.decode(d.larder().callRaw("OBJECT", "IDLETIME", "i"));
        assertTrue(idle >= 1000 && idle <= 1002, "idle " + idle);
        TestConfig.set(d, larder, "maxmemory-policy", "allkeys-lfu");
        try {
            d.check(b("RESTORE"), b("f"), b("0"), p, b("FREQ"), b("77"));
            d.check("OBJECT", "FREQ", "f");
            d.check(b("RESTORE"), b("f2"), b("0"), p, b("IDLETIME"), b("77"));
            d.check("OBJECT", "FREQ", "f2");
        } finally {
            TestConfig.set(d, larder, "maxmemory-policy", "noeviction");
        }
    }

    @Test
    void crcOfRedisCheckString() {
        assertEquals(0xe9c6d914c4b8d9caL, Crc64.of(b("123456789"), 0, 9));
        byte[] x = new byte[1000];
        new Random(3).nextBytes(x);
        long whole = Crc64.of(x, 0, x.length);
        long parts = Crc64.update(Crc64.update(0, x, 0, 333), x, 333, 667);
        assertEquals(whole, parts);
    }

    @Test
    void lzfRoundTrips() {
        Random r = new Random(4);
        Lzf.Table t = new Lzf.Table();
        for (int n = 0; n < 3000; n++) {
            int len = r.nextInt(2000) + 1;
            byte[] in = new byte[len];
            int alphabet = 1 + r.nextInt(20);
            for (int i = 0; i < len; i++) in[i] = (byte) ('a' + r.nextInt(alphabet));
            byte[] out = new byte[len + 64];
            int c = Lzf.compress(t, in, 0, len, out, 0, len + 32);
            byte[] back = new byte[len];
            assertTrue(c > 0);
            assertEquals(len, Lzf.decompress(out, 0, c, back, 0, len));
            assertArrayEquals(in, back);
        }
    }

    @Test
    void sortedSetsDumpLikeRedis() {
        d.exec("ZADD", "z1", "1", "a", "2.5", "b", "-3", "c", "1e20", "d", "-inf", "e", "inf", "f", "0", "g",
                "123456789012", "h", "0.1", "i", "-0", "j");
        sameDump("z1");
        crossRestore("z1", "ZRANGE $ 0 -1 WITHSCORES", "OBJECT ENCODING $");
        List<String> args = new ArrayList<>(List.of("ZADD", "z2"));
        Random r = new Random(5);
        for (int i = 0; i < 300; i++) {
            args.add(r.nextBoolean() ? Integer.toString(r.nextInt(1000)) : Double.toString(r.nextDouble() * 100));
            args.add("member:" + i);
        }
        d.exec(args.toArray(new String[0]));
        crossRestore("z2", "ZRANGE $ 0 -1 WITHSCORES", "ZCARD $", "OBJECT ENCODING $");
        d.exec("ZADD", "z3", "1", "x".repeat(100), "2", "short");
        crossRestore("z3", "ZRANGE $ 0 -1 WITHSCORES", "OBJECT ENCODING $");
        // a skiplist small enough for a listpack is restored as one, as Redis's loader converts
        byte[] p = b((String) RespClient.decode(d.redis().callRaw("DUMP", "z3")));
        TestConfig.set(d, larder, "zset-max-listpack-value", "200");
        try {
            d.check(b("RESTORE"), b("z4"), b("0"), p);
            Encodings.check(d, larder, "z4");
            d.check("ZRANGE", "z4", "0", "-1", "WITHSCORES");
        } finally {
            TestConfig.set(d, larder, "zset-max-listpack-value", "64");
        }
    }

    @Test
    void streamsDumpLikeRedis() {
        for (int i = 1; i <= 250; i++) d.exec("XADD", "s1", i + "-1", "field", "v" + i, "n", Integer.toString(i));
        d.exec("XADD", "s1", "300-1", "other", "fields");
        d.exec("XDEL", "s1", "5-1", "6-1");
        sameDump("s1");
        crossRestore("s1", "XRANGE $ - +", "XLEN $", "XINFO STREAM $");
        d.exec("XADD", "s2", "1-1", "a", "1");
        d.exec("XADD", "s2", "2-1", "a", "2");
        d.exec("XADD", "s2", "3-1", "a", "3");
        d.exec("XGROUP", "CREATE", "s2", "g1", "0");
        d.exec("XGROUP", "CREATE", "s2", "g0", "$");
        d.exec("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "2", "STREAMS", "s2", ">");
        d.exec("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "1", "STREAMS", "s2", ">");
        d.exec("XACK", "s2", "g1", "1-1");
        d.exec("XGROUP", "CREATECONSUMER", "s2", "g1", "carol");
        crossRestore("s2", "XRANGE $ - +", "XINFO GROUPS $", "XPENDING $ g1");
        d.exec("XADD", "s3", "MAXLEN", "0", "5-5", "x", "y");
        crossRestore("s3", "XINFO STREAM $", "XLEN $");
    }
}
