package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.DifferentialTestBase;
import io.larder.testing.RespClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * MEMORY against Redis: errors, HELP, DOCTOR and PURGE replies byte for
 * byte; USAGE and STATS by shape and field names (the figures are each
 * server's own); INFO memory and the eviction fields of INFO stats by name
 * and order; OOM replies under maxmemory byte for byte.
 */
class MemoryCommandsTest extends DifferentialTestBase {

    @Test
    void errorsAndHelpMatchRedis() {
        d.script("""
                SET k v
                MEMORY HELP
                MEMORY
                MEMORY FOO
                MEMORY USAGE
                MEMORY USAGE nokey
                MEMORY USAGE k SAMPLES
                MEMORY USAGE k SAMPLES x
                MEMORY USAGE k SAMPLES -1
                MEMORY USAGE k SAMPLES 99999999999999999999
                MEMORY USAGE k FOO 1
                MEMORY USAGE k SAMPLES 5 SAMPLES
                MEMORY USAGE nokey SAMPLES x
                MEMORY USAGE nokey SAMPLES 0
                MEMORY STATS extra
                MEMORY DOCTOR extra
                MEMORY PURGE extra
                MEMORY MALLOC-STATS extra
                MEMORY PURGE
                MEMORY DOCTOR
                """);
        d.resp3();
        d.script("""
                MEMORY DOCTOR
                MEMORY USAGE nokey
                """);
    }

    @Test
    void usageIsAnIntegerForEveryTypeAndTouchesNothing() {
        // Active expiry off on both: "gone" must stay because MEMORY USAGE leaves it, not because no cycle ran yet.
        d.script("""
                ! DEBUG SET-ACTIVE-EXPIRE 0
                ! SET s v
                ! SET big %s
                ! SET n 12345
                ! HSET h f v
                ! SADD set a b c
                ! ZADD z 1 a
                ! RPUSH l a b
                ! XADD x 1-1 f v
                ! SET gone v PX 1
                """.formatted("x".repeat(5000)));
        for (String k : List.of("s", "big", "n", "h", "set", "z", "l", "x")) {
            for (RespClient c : List.of(d.larder(), d.redis())) {
                Object r = c.call("MEMORY", "USAGE", k, "SAMPLES", "0");
                assertTrue(r instanceof Long n && n > 0, k + ": " + r);
            }
        }
        long small = (Long) d.larder().call("MEMORY", "USAGE", "s");
        long large = (Long) d.larder().call("MEMORY", "USAGE", "big");
        assertTrue(large >= small + 5000, "a 5000-byte value is counted: " + small + " / " + large);
        // Like Redis's dictFind: no lazy expiry (the key is still reported), no keyspace hit or miss.
        awaitExpired();
        for (RespClient c : List.of(d.larder(), d.redis())) {
            assertTrue(c.call("MEMORY", "USAGE", "gone") instanceof Long, "expired key still measured");
        }
        d.check("DBSIZE");
        d.script("! DEBUG SET-ACTIVE-EXPIRE 1");
        assertEquals(infoField(d.redis(), "stats", "keyspace_hits"), infoField(d.larder(), "stats", "keyspace_hits"));
    }

    private void awaitExpired() {
        long until = System.currentTimeMillis() + 5;
        while (System.currentTimeMillis() < until) Thread.onSpinWait();
    }

    static String infoField(RespClient c, String section, String field) {
        for (String line : ((String) c.call("INFO", section)).split("\r\n")) {
            if (line.startsWith(field + ":")) return line.substring(field.length() + 1);
        }
        throw new AssertionError(field);
    }

    /** The names of a flat map reply (RESP2 array of name, value), nested maps by their own names. */
    static List<String> names(Object reply) {
        List<Object> items = reply instanceof RespClient.RespMap m ? m.entries() : castList(reply);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i += 2) {
            String name = (String) items.get(i);
            out.add(name);
            Object v = items.get(i + 1);
            if (v instanceof List<?> || v instanceof RespClient.RespMap) {
                for (String inner : names(v)) out.add(name + "/" + inner);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(Object o) {
        return (List<Object>) o;
    }

    @Test
    void statsHasRedisFieldsPerDatabase() {
        d.script("""
                ! SET a 1
                ! SELECT 3
                ! SET b 2
                ! SELECT 0
                """);
        assertEquals(names(d.redis().call("MEMORY", "STATS")), names(d.larder().call("MEMORY", "STATS")));
        d.resp3();
        Object mine = d.larder().call("MEMORY", "STATS");
        Object theirs = d.redis().call("MEMORY", "STATS");
        assertEquals(names(theirs), names(mine));
        // Same value types in RESP3: integers where Redis has integers, doubles where it has doubles.
        List<Object> a = ((RespClient.RespMap) mine).entries(), b = ((RespClient.RespMap) theirs).entries();
        for (int i = 1; i < a.size(); i += 2) {
            assertEquals(b.get(i).getClass(), a.get(i).getClass(), "type of " + a.get(i - 1));
        }
    }

    @Test
    void infoMemoryAndEvictionFieldsMatchRedis() {
        d.exec("CONFIG", "SET", "maxmemory", "100mb");
        d.exec("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
        d.exec("SET", "k", "v");
        assertEquals(lines(d.redis(), "memory"), lines(d.larder(), "memory"));
        List<String> stats = lines(d.larder(), "stats");
        for (String f : List.of("evicted_keys", "evicted_clients", "total_eviction_exceeded_time",
                "current_eviction_exceeded_time", "expired_keys")) {
            assertTrue(stats.contains(f), f);
        }
        d.check("CONFIG", "GET", "maxmemory");
        assertEquals("104857600", infoField(d.larder(), "memory", "maxmemory"));
        assertEquals("100.00M", infoField(d.larder(), "memory", "maxmemory_human"));
        assertEquals("allkeys-lru", infoField(d.larder(), "memory", "maxmemory_policy"));
        d.exec("CONFIG", "SET", "maxmemory", "0");
        d.exec("CONFIG", "SET", "maxmemory-policy", "noeviction");
    }

    private static List<String> lines(RespClient c, String section) {
        List<String> out = new ArrayList<>();
        for (String line : ((String) c.call("INFO", section)).split("\r\n")) {
            if (line.indexOf(':') > 0) out.add(line.substring(0, line.indexOf(':')));
        }
        return out;
    }

    @Test
    void outOfMemoryRepliesMatchRedis() {
        // maxmemory 1: both servers use more than a byte whatever they hold, so the outcome is certain.
        d.script("""
                SET a 1
                SET b 2
                CONFIG SET maxmemory-policy noeviction
                CONFIG SET maxmemory 1
                SET c 3
                INCR a
                LPUSH l x
                GET a
                MGET a b
                EXISTS a
                DEL b
                EXPIRE a 100
                DBSIZE
                CONFIG SET maxmemory-policy volatile-lru
                SET c 3
                DBSIZE
                CONFIG SET maxmemory-policy allkeys-random
                DBSIZE
                SET c 3
                GET a
                CONFIG SET maxmemory 0
                SET c 3
                CONFIG SET maxmemory-policy noeviction
                """);
    }

    @Test
    void configValuesAsRedis() {
        d.script("""
                CONFIG SET maxmemory 2gb
                CONFIG GET maxmemory
                CONFIG SET maxmemory 1GB
                CONFIG GET maxmemory
                CONFIG SET maxmemory 100k
                CONFIG GET maxmemory
                CONFIG SET maxmemory -1
                CONFIG SET maxmemory 0
                CONFIG SET maxmemory-policy volatile-ttl
                CONFIG GET maxmemory-policy
                CONFIG SET maxmemory-policy nosuch
                CONFIG SET maxmemory-samples 0
                CONFIG SET maxmemory-samples 10
                CONFIG GET maxmemory-samples
                CONFIG SET maxmemory-eviction-tenacity 101
                CONFIG SET maxmemory-eviction-tenacity 100
                CONFIG GET maxmemory-eviction-tenacity
                CONFIG SET lfu-log-factor 1
                CONFIG SET lfu-decay-time 2
                ~~ CONFIG GET lfu-*
                CONFIG SET maxmemory-policy noeviction
                CONFIG SET maxmemory-samples 5
                CONFIG SET maxmemory-eviction-tenacity 10
                CONFIG SET lfu-log-factor 10
                CONFIG SET lfu-decay-time 1
                """);
        // Larder's own policy is accepted (and not listed in Redis's error text above).
        assertEquals("OK", d.larder().call("CONFIG", "SET", "maxmemory-policy", "allkeys-tinylfu"));
        assertEquals(List.of("maxmemory-policy", "allkeys-tinylfu"),
                d.larder().call("CONFIG", "GET", "maxmemory-policy"));
        d.larder().call("CONFIG", "SET", "maxmemory-policy", "noeviction");
    }
}
