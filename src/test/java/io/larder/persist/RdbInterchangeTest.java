package io.larder.persist;

import static io.larder.persist.Datasets.b;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RDB files between Larder and a real Redis 7.0, both ways: every key,
 * value, encoding and expiry of a data set covering every type and
 * encoding, in several databases; LFU counters and LRU idle times; files
 * in the formats older Redis versions wrote (ziplists, zipmaps, linked
 * lists, RDB versions 6 to 9).
 */
class RdbInterchangeTest {
    @TempDir
    Path tmp;

    static final long EXPIRE_AT = System.currentTimeMillis() + 3_600_000;

    static void awaitLoaded(RespClient c) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            String info = (String) c.call("INFO", "persistence");
            if (info.contains("\r\nloading:0\r\n")) return;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("still loading");
    }

    static LarderTestServer larderFrom(Path dir, String file, String... more) {
        String[] opts = new String[6 + more.length];
        opts[0] = "--dir";
        opts[1] = dir.toString();
        opts[2] = "--dbfilename";
        opts[3] = file;
        opts[4] = "--enable-debug-command";
        opts[5] = "yes";
        System.arraycopy(more, 0, opts, 6, more.length);
        LarderTestServer s = LarderTestServer.start(opts);
        try (RespClient c = s.client()) {
            awaitLoaded(c);
        }
        return s;
    }

    static RedisOracle redisFrom(Path dir, String file, String... more) {
        String[] opts = new String[6 + more.length];
        opts[0] = "--dir";
        opts[1] = dir.toString();
        opts[2] = "--dbfilename";
        opts[3] = file;
        opts[4] = "--enable-debug-command";
        opts[5] = "yes";
        System.arraycopy(more, 0, opts, 6, more.length);
        RedisOracle r = RedisOracle.start(opts);
        try (RespClient c = r.client()) {
            awaitLoaded(c);
        }
        return r;
    }

    private static Map<String, String> describe(RespClient c) {
        return Datasets.describe(c);
    }

    @Test
    void redisFileLoadsIntoLarder() throws Exception {
        Path rdir = Files.createDirectories(tmp.resolve("redis"));
        Path ldir = Files.createDirectories(tmp.resolve("larder"));
        try (RedisOracle redis = redisFrom(rdir, "dump.rdb"); RespClient rc = redis.client()) {
            Datasets.apply(rc, Datasets.commands(1, EXPIRE_AT));
            assertEquals("OK", rc.call("SAVE"));
            // Redis's own view after loading its file is the reference (APPEND's raw strings load as embstr ...).
            assertEquals("OK", rc.call("DEBUG", "RELOAD"));
            Map<String, String> expected = describe(rc);
            assertTrue(expected.size() > 900, "keys: " + expected.size());
            Files.copy(rdir.resolve("dump.rdb"), ldir.resolve("from-redis.rdb"));
            try (LarderTestServer larder = larderFrom(ldir, "from-redis.rdb"); RespClient lc = larder.client()) {
                assertEquals(expected, describe(lc));
                String info = (String) lc.call("INFO", "persistence");
                assertTrue(info.contains("rdb_last_load_keys_loaded:" + expected.size()), info);
                // Larder's DUMP of each value restores in Redis to the same value.
                for (String k : List.of("0/db0:str:16", "1/db1:list:big", "5/db5:hash:big", "15/db15:set:bigints",
                        "0/db0:hash:small", "0/db0:set:wide")) {
                    String db = k.substring(0, k.indexOf('/')), key = k.substring(k.indexOf('/') + 1);
                    lc.call("SELECT", db);
                    rc.call("SELECT", db);
                    byte[] p = b((String) lc.call("DUMP", key));
                    long exp = (Long) lc.call("PEXPIRETIME", key);
                    assertEquals("OK", RespClient.decode(rc.callRaw(b("RESTORE"), b(key + ":copy"),
                            b(exp > 0 ? Long.toString(exp) : "0"), p, b("ABSTTL"))));
                    assertEquals(Datasets.describeKey(rc, key), Datasets.describeKey(rc, key + ":copy"));
                }
            }
        }
    }

    @Test
    void larderFileLoadsIntoRedis() throws Exception {
        Path ldir = Files.createDirectories(tmp.resolve("larder"));
        Path rdir = Files.createDirectories(tmp.resolve("redis"));
        Map<String, String> larderView;
        try (LarderTestServer larder = larderFrom(ldir, "dump.rdb"); RespClient lc = larder.client()) {
            Datasets.apply(lc, Datasets.commands(2, EXPIRE_AT));
            assertEquals("OK", lc.call("SAVE"));
            assertEquals("OK", lc.call("DEBUG", "RELOAD"));
            larderView = describe(lc);
        }
        Files.copy(ldir.resolve("dump.rdb"), rdir.resolve("from-larder.rdb"));
        try (RedisOracle redis = redisFrom(rdir, "from-larder.rdb"); RespClient rc = redis.client()) {
            assertEquals(larderView, describe(rc));
        }
        // and Redis's own data set, built the same way, is the same
        Path r2 = Files.createDirectories(tmp.resolve("redis2"));
        try (RedisOracle redis = redisFrom(r2, "dump.rdb"); RespClient rc = redis.client()) {
            Datasets.apply(rc, Datasets.commands(2, EXPIRE_AT));
            assertEquals("OK", rc.call("DEBUG", "RELOAD"));
            assertEquals(describe(rc), larderView);
        }
    }

    @Test
    void backgroundSaveAndShutdownFilesLoadIntoRedis() throws Exception {
        Path ldir = Files.createDirectories(tmp.resolve("larder"));
        Map<String, String> view;
        try (LarderTestServer larder = larderFrom(ldir, "dump.rdb", "--save", "3600 1");
                RespClient lc = larder.client()) {
            Datasets.apply(lc, Datasets.commands(3, EXPIRE_AT));
            assertEquals("Background saving started", lc.call("BGSAVE"));
            awaitBgsave(lc);
            Path bg = tmp.resolve("redis-bg");
            Files.createDirectories(bg);
            Files.copy(ldir.resolve("dump.rdb"), bg.resolve("dump.rdb"));
            assertEquals("OK", lc.call("DEBUG", "RELOAD", "NOSAVE"));
            view = describe(lc);
            try (RedisOracle redis = redisFrom(bg, "dump.rdb"); RespClient rc = redis.client()) {
                assertEquals(view, describe(rc));
            }
            lc.call("SET", "after", "shutdown");
            lc.send("SHUTDOWN");
            assertTrue(lc.isClosedByServer(10_000));
        }
        try (RedisOracle redis = redisFrom(ldir, "dump.rdb"); RespClient rc = redis.client()) {
            assertEquals("shutdown", rc.call("GET", "after"));
            assertEquals(view.size() + 1, describe(rc).size());
        }
    }

    static void awaitBgsave(RespClient c) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            String info = (String) c.call("INFO", "persistence");
            if (info.contains("rdb_bgsave_in_progress:0")) {
                assertTrue(info.contains("rdb_last_bgsave_status:ok"), info);
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("BGSAVE did not finish");
    }

    @Test
    void lfuCountersTravel() throws Exception {
        String[] lfu = {"--maxmemory-policy", "allkeys-lfu", "--lfu-log-factor", "0", "--lfu-decay-time", "0"};
        Path ldir = Files.createDirectories(tmp.resolve("larder"));
        Path rdir = Files.createDirectories(tmp.resolve("redis"));
        Map<String, Object> freqs = new TreeMap<>();
        try (LarderTestServer larder = larderFrom(ldir, "dump.rdb", lfu); RespClient lc = larder.client()) {
            for (int k = 0; k < 20; k++) {
                lc.call("SET", "k" + k, "v");
                lc.call("RPUSH", "l" + k, "v");
                for (int i = 0; i < k * 3; i++) {
                    lc.call("GET", "k" + k);
                    lc.call("LLEN", "l" + k);
                }
                freqs.put("k" + k, lc.call("OBJECT", "FREQ", "k" + k));
                freqs.put("l" + k, lc.call("OBJECT", "FREQ", "l" + k));
            }
            assertEquals("OK", lc.call("SAVE"));
        }
        Files.copy(ldir.resolve("dump.rdb"), rdir.resolve("dump.rdb"));
        try (RedisOracle redis = redisFrom(rdir, "dump.rdb", lfu); RespClient rc = redis.client()) {
            for (var e : freqs.entrySet()) assertEquals(e.getValue(), rc.call("OBJECT", "FREQ", e.getKey()), e.getKey());
            assertEquals("OK", rc.call("SAVE"));
        }
        Path back = Files.createDirectories(tmp.resolve("back"));
        Files.copy(rdir.resolve("dump.rdb"), back.resolve("dump.rdb"));
        try (LarderTestServer larder = larderFrom(back, "dump.rdb", lfu); RespClient lc = larder.client()) {
            for (var e : freqs.entrySet()) assertEquals(e.getValue(), lc.call("OBJECT", "FREQ", e.getKey()), e.getKey());
        }
    }

    @Test
    void lruIdleTimesTravel() throws Exception {
        String[] lru = {"--maxmemory-policy", "allkeys-lru"};
        Path rdir = Files.createDirectories(tmp.resolve("redis"));
        Path ldir = Files.createDirectories(tmp.resolve("larder"));
        try (RedisOracle redis = redisFrom(rdir, "dump.rdb", lru); RespClient rc = redis.client()) {
            rc.call("SET", "src", "v");
            byte[] p = b((String) rc.call("DUMP", "src"));
            for (int k = 1; k <= 10; k++) {
                RespClient.decode(rc.callRaw(b("RESTORE"), b("idle" + k), b("0"), p, b("IDLETIME"), b(k * 1000 + "")));
            }
            assertEquals("OK", rc.call("SAVE"));
        }
        Files.copy(rdir.resolve("dump.rdb"), ldir.resolve("dump.rdb"));
        try (LarderTestServer larder = larderFrom(ldir, "dump.rdb", lru); RespClient lc = larder.client()) {
            for (int k = 1; k <= 10; k++) {
                long idle = (Long) lc.call("OBJECT", "IDLETIME", "idle" + k);
                assertTrue(idle >= k * 1000L && idle <= k * 1000L + 5, "idle" + k + ": " + idle);
            }
            assertEquals("OK", lc.call("SAVE"));
        }
        Path back = Files.createDirectories(tmp.resolve("back"));
        Files.copy(ldir.resolve("dump.rdb"), back.resolve("dump.rdb"));
        try (RedisOracle redis = redisFrom(back, "dump.rdb", lru); RespClient rc = redis.client()) {
            for (int k = 1; k <= 10; k++) {
                long idle = (Long) rc.call("OBJECT", "IDLETIME", "idle" + k);
                assertTrue(idle >= k * 1000L && idle <= k * 1000L + 10, "idle" + k + ": " + idle);
            }
        }
    }

    @Test
    void loadedEncodingsFollowTheLoadersThresholds() throws Exception {
        Path rdir = Files.createDirectories(tmp.resolve("redis"));
        try (RedisOracle redis = redisFrom(rdir, "dump.rdb"); RespClient rc = redis.client()) {
            Datasets.apply(rc, Datasets.commands(4, EXPIRE_AT));
            assertEquals("OK", rc.call("SAVE"));
        }
        String[] small = {"--hash-max-listpack-entries", "2", "--hash-max-listpack-value", "3",
                "--set-max-intset-entries", "3", "--list-max-listpack-size", "7"};
        Path r2 = Files.createDirectories(tmp.resolve("redis2"));
        Path l2 = Files.createDirectories(tmp.resolve("larder2"));
        Files.copy(rdir.resolve("dump.rdb"), r2.resolve("dump.rdb"));
        Files.copy(rdir.resolve("dump.rdb"), l2.resolve("dump.rdb"));
        try (RedisOracle redis = redisFrom(r2, "dump.rdb", small); RespClient rc = redis.client();
                LarderTestServer larder = larderFrom(l2, "dump.rdb", small); RespClient lc = larder.client()) {
            assertEquals(describe(rc), describe(lc));
        }
    }

    // ------------------------------------------------------------ older formats

    /** An RDB file of the given version, as an older Redis wrote it, holding the values the writer adds. */
    static byte[] oldFile(int version, java.util.function.Consumer<RdbOutput> body) {
        RdbOutput out = new RdbOutput(false);
        byte[] magic = String.format("REDIS%04d", version).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.writeRaw(magic, 0, magic.length);
        if (version >= 7) RdbFile.aux(out, "redis-ver", "4.0.0");
        out.writeByte(Rdb.OPCODE_SELECTDB);
        out.writeLen(0);
        body.accept(out);
        out.writeByte(Rdb.OPCODE_EOF);
        if (version >= 5) out.writeLongLE(Crc64.of(out.buffer(), 0, out.size()));
        return out.toByteArray();
    }

    static void key(RdbOutput out, int type, String key, byte[] payloadString) {
        out.writeByte(type);
        out.writeString(b(key));
        out.writeString(payloadString, 0, payloadString.length);
    }

    static void oldValues(RdbOutput out) {
        // RDB_TYPE_LIST: a linked list of strings
        out.writeByte(Rdb.TYPE_LIST);
        out.writeString(b("linked"));
        out.writeLen(3);
        for (String s : List.of("a", "12", "c".repeat(100))) out.writeString(b(s));
        // RDB_TYPE_SET and RDB_TYPE_HASH: plain encodings
        out.writeByte(Rdb.TYPE_SET);
        out.writeString(b("plainset"));
        out.writeLen(3);
        for (String s : List.of("1", "2", "x")) out.writeString(b(s));
        out.writeByte(Rdb.TYPE_SET);
        out.writeString(b("plainintset"));
        out.writeLen(3);
        for (String s : List.of("3", "1", "2")) out.writeString(b(s));
        out.writeByte(Rdb.TYPE_HASH);
        out.writeString(b("plainhash"));
        out.writeLen(2);
        for (String s : List.of("f", "v", "g", "w".repeat(80))) out.writeString(b(s));
        // ziplists, zipmaps, intsets
        key(out, Rdb.TYPE_LIST_ZIPLIST, "zllist", OldEncodings.ziplist(List.of("a", "1", "-7", "300", "70000",
                "10000000", "5000000000", "x".repeat(70), "y".repeat(20000), "12")));
        key(out, Rdb.TYPE_HASH_ZIPLIST, "zlhash", OldEncodings.ziplist(List.of("f1", "v1", "2", "3", "f3",
                "z".repeat(100))));
        key(out, Rdb.TYPE_HASH_ZIPMAP, "zmhash", OldEncodings.zipmap(List.of("name", "larder", "n", "42",
                "long", "q".repeat(300))));
        key(out, Rdb.TYPE_SET_INTSET, "intset16", OldEncodings.intset(2, -5, 1, 300));
        key(out, Rdb.TYPE_SET_INTSET, "intset64", OldEncodings.intset(8, -5, 1, 6_000_000_000L));
        // quicklist (Redis 3.2 to 6.2): nodes that are ziplists
        out.writeByte(Rdb.TYPE_LIST_QUICKLIST);
        out.writeString(b("qlist"));
        out.writeLen(2);
        byte[] n1 = OldEncodings.ziplist(List.of("a", "b", "1"));
        byte[] n2 = OldEncodings.ziplist(List.of("c", "x".repeat(40), "-2"));
        out.writeString(n1, 0, n1.length);
        out.writeString(n2, 0, n2.length);
        // sorted sets: textual doubles (RDB_TYPE_ZSET) and ziplists
        out.writeByte(Rdb.TYPE_ZSET);
        out.writeString(b("oldzset"));
        out.writeLen(4);
        for (String[] e : new String[][] {{"a", "1.5"}, {"b", "+inf"}, {"c", "-3"}, {"d", "1e30"}}) {
            out.writeString(b(e[0]));
            if (e[1].equals("+inf")) {
                out.writeByte(254);
            } else {
                out.writeByte(e[1].length());
                out.writeRaw(b(e[1]), 0, e[1].length());
            }
        }
        key(out, Rdb.TYPE_ZSET_ZIPLIST, "zlzset", OldEncodings.ziplist(List.of("a", "1", "b", "2.5", "c", "100")));
        // an expiry in seconds (RDB_OPCODE_EXPIRETIME) and one in milliseconds
        out.writeByte(Rdb.OPCODE_EXPIRETIME);
        int secs = (int) (EXPIRE_AT / 1000);
        for (int i = 0; i < 4; i++) out.writeByte(secs >>> (8 * i));
        out.writeByte(Rdb.TYPE_STRING);
        out.writeString(b("expiring-seconds"));
        out.writeString(b("v"));
        out.writeByte(Rdb.OPCODE_EXPIRETIME_MS);
        out.writeMillis(EXPIRE_AT);
        out.writeByte(Rdb.TYPE_STRING);
        out.writeString(b("expiring-ms"));
        out.writeString(b("w"));
        // an expired key, dropped by both loaders
        out.writeByte(Rdb.OPCODE_EXPIRETIME_MS);
        out.writeMillis(1000);
        out.writeByte(Rdb.TYPE_STRING);
        out.writeString(b("long-gone"));
        out.writeString(b("v"));
    }

    @Test
    void olderFormatsLoadAsRedis70LoadsThem() throws Exception {
        for (int version : new int[] {6, 7, 8, 9, 10}) {
            byte[] file = oldFile(version, RdbInterchangeTest::oldValues);
            Path rdir = Files.createDirectories(tmp.resolve("redis" + version));
            Path ldir = Files.createDirectories(tmp.resolve("larder" + version));
            Files.write(rdir.resolve("dump.rdb"), file);
            Files.write(ldir.resolve("dump.rdb"), file);
            try (RedisOracle redis = redisFrom(rdir, "dump.rdb"); RespClient rc = redis.client();
                    LarderTestServer larder = larderFrom(ldir, "dump.rdb"); RespClient lc = larder.client()) {
                Map<String, String> expected = describe(rc);
                assertEquals(14, expected.size(), "version " + version + ": " + expected.keySet());
                assertEquals(expected, describe(lc), "RDB version " + version);
                // the same values as DUMP payloads of the old types, through RESTORE
                for (String k : List.of("zllist", "zlhash", "zmhash", "intset64", "qlist", "linked", "oldzset",
                        "zlzset")) {
                    byte[] p = b((String) rc.call("DUMP", k));
                    assertEquals("OK", RespClient.decode(lc.callRaw(b("RESTORE"), b(k + ":r"), b("0"), p)));
                    assertEquals(Datasets.describeKey(rc, k), Datasets.describeKey(lc, k + ":r"));
                }
            }
        }
    }

    /** A stream as Redis 5 and 6 wrote it (RDB_TYPE_STREAM_LISTPACKS): no first ID, tombstone or read counters. */
    static byte[] streamV1Payload() {
        ListCodec.EntryBuilder lp = new ListCodec.EntryBuilder(64);
        for (String e : List.of("2", "0", "1", "f", "0", // count, deleted, master: 1 field "f", terminator
                "2", "0", "0", "v1", "4", // SAMEFIELDS, delta 0-0, value, lp-count
                "2", "1", "0", "v2", "4")) { // SAMEFIELDS, delta 1-0
            byte[] x = b(e);
            lp.string(x, 0, x.length);
        }
        byte[] node = new byte[Blobs.LP_HEADER + lp.len + 1];
        Blobs.writeListpackHeader(node, 0, lp.len, lp.count);
        System.arraycopy(lp.buf, 0, node, Blobs.LP_HEADER, lp.len);
        node[node.length - 1] = (byte) 0xFF;
        RdbOutput out = new RdbOutput(false);
        out.writeByte(Rdb.TYPE_STREAM_LISTPACKS);
        out.writeLen(1);
        byte[] key = StreamCodec.idBytes(1, 0);
        out.writeString(key, 0, key.length);
        out.writeString(node, 0, node.length);
        out.writeLen(2); // length
        out.writeLen(2); // last ID 2-0
        out.writeLen(0);
        out.writeLen(2); // groups
        for (String g : List.of("g1", "g2")) {
            out.writeString(b(g));
            out.writeLen(g.equals("g1") ? 1 : 0); // last delivered 1-0 / 0-0
            out.writeLen(0);
            out.writeLen(g.equals("g1") ? 1 : 0); // PEL
            if (g.equals("g1")) {
                out.writeRaw(StreamCodec.idBytes(1, 0), 0, 16);
                out.writeMillis(System.currentTimeMillis());
                out.writeLen(3);
            }
            out.writeLen(g.equals("g1") ? 1 : 0); // consumers
            if (g.equals("g1")) {
                out.writeString(b("alice"));
                out.writeMillis(System.currentTimeMillis());
                out.writeLen(1);
                out.writeRaw(StreamCodec.idBytes(1, 0), 0, 16);
            }
        }
        return DumpRestoreTest.withFooter(out.toByteArray(), 9);
    }

    @Test
    void oldTypesThroughRestoreMatchRedis() throws Exception {
        Path rdir = Files.createDirectories(tmp.resolve("redis"));
        Path ldir = Files.createDirectories(tmp.resolve("larder"));
        // Redis checks payloads deeply only when asked to; Larder always does.
        try (RedisOracle redis = redisFrom(rdir, "dump.rdb", "--sanitize-dump-payload", "yes");
                RespClient rc = redis.client();
                LarderTestServer larder = larderFrom(ldir, "dump.rdb"); RespClient lc = larder.client()) {
            Object[][] payloads = {
                {Rdb.TYPE_LIST_ZIPLIST, OldEncodings.ziplist(List.of("a", "1", "b"))},
                {Rdb.TYPE_HASH_ZIPLIST, OldEncodings.ziplist(List.of("f", "1", "g", "2"))},
                {Rdb.TYPE_HASH_ZIPLIST, OldEncodings.ziplist(List.of("f", "1", "f", "2"))}, // duplicate field
                {Rdb.TYPE_HASH_ZIPLIST, OldEncodings.ziplist(List.of("f", "1", "g"))}, // odd count
                {Rdb.TYPE_HASH_ZIPMAP, OldEncodings.zipmap(List.of("a", "b", "c", "d"))},
                {Rdb.TYPE_HASH_ZIPMAP, OldEncodings.zipmap(List.of("a", "b", "a", "d"))}, // duplicate
                {Rdb.TYPE_SET_INTSET, OldEncodings.intset(4, 1, 2, 3)},
                {Rdb.TYPE_SET_INTSET, OldEncodings.intset(4, 3, 2, 1)}, // unsorted
                {Rdb.TYPE_SET_INTSET, OldEncodings.intset(2)}, // empty
                {Rdb.TYPE_LIST_ZIPLIST, OldEncodings.ziplist(List.of())}, // empty
            };
            byte[] v1 = streamV1Payload();
            assertEquals("OK", RespClient.decode(rc.callRaw(b("RESTORE"), b("stream1"), b("0"), v1)));
            assertEquals("OK", RespClient.decode(lc.callRaw(b("RESTORE"), b("stream1"), b("0"), v1)));
            assertEquals(Datasets.describeKey(rc, "stream1"), Datasets.describeKey(lc, "stream1"));
            int i = 0;
            for (Object[] p : payloads) {
                RdbOutput out = new RdbOutput(false);
                out.writeByte((Integer) p[0]);
                byte[] blob = (byte[]) p[1];
                out.writeString(blob, 0, blob.length);
                byte[] payload = DumpRestoreTest.withFooter(out.toByteArray(), 9);
                String k = "k" + i++;
                Object r1 = RespClient.decode(rc.callRaw(b("RESTORE"), b(k), b("0"), payload));
                Object r2 = RespClient.decode(lc.callRaw(b("RESTORE"), b(k), b("0"), payload));
                if (r1 instanceof RespClient.Error e1 && r2 instanceof RespClient.Error e2) {
                    assertEquals(e1.message(), e2.message());
                    continue;
                }
                assertEquals(r1, r2, "RESTORE of type " + p[0] + " #" + (i - 1));
                assertEquals(Datasets.describeKey(rc, k), Datasets.describeKey(lc, k));
            }
        }
    }

    @Test
    void manyKeysInManyDatabasesRoundTrip() throws Exception {
        Path ldir = Files.createDirectories(tmp.resolve("larder"));
        Map<String, String> before;
        try (LarderTestServer larder = larderFrom(ldir, "dump.rdb", "--databases", "32");
                RespClient lc = larder.client()) {
            for (int db = 0; db < 32; db++) {
                lc.call("SELECT", Integer.toString(db));
                for (int k = 0; k < 300; k++) lc.call("SET", "key:" + k, db + ":" + k);
            }
            lc.call("SELECT", "0");
            assertEquals("OK", lc.call("SAVE"));
            before = new TreeMap<>();
            for (int db = 0; db < 32; db++) {
                lc.call("SELECT", Integer.toString(db));
                before.put("db" + db, String.valueOf(lc.call("DBSIZE")));
            }
        }
        try (LarderTestServer larder = larderFrom(ldir, "dump.rdb", "--databases", "32");
                RespClient lc = larder.client()) {
            for (int db = 0; db < 32; db++) {
                lc.call("SELECT", Integer.toString(db));
                assertEquals(before.get("db" + db), String.valueOf(lc.call("DBSIZE")));
                assertEquals(db + ":7", lc.call("GET", "key:7"));
            }
        }
    }
}
