package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.Diff;
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
        d.script("""
                ! SET s v
                ! SET big %s
                ! SET n 12345
                ! HSET h f v
                ! SADD set a b c
                ! ZADD z 1 a
                ! RPUSH l a b
                ! XADD x 1-1 f v
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
        // MEMORY USAGE counts no keyspace hit or miss.
        for (String f : List.of("keyspace_hits", "keyspace_misses")) {
            assertEquals(infoField(d.redis(), "stats", f), infoField(d.larder(), "stats", f), f);
        }
    }

    @Test
    void usageLeavesAnExpiredKeyInPlace() {
        // Like Redis's dictFind: no lazy expiry. Active expiry is off (DEBUG, which the oracle does not allow),
        // so the key stays because MEMORY USAGE leaves it, not because no expiry cycle ran yet.
        try (var s = io.larder.testing.LarderTestServer.start("--enable-debug-command", "yes");
             RespClient c = s.client()) {
            assertEquals("OK", c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
            c.call("SET", "gone", "v", "PX", "1");
            awaitExpired();
            assertTrue(c.call("MEMORY", "USAGE", "gone") instanceof Long, "expired key still measured");
            assertEquals(1L, c.call("DBSIZE"));
            assertEquals(null, c.call("GET", "gone"));
            assertEquals(0L, c.call("DBSIZE"));
        }
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
    void transactionsAndScriptsUnderOutOfMemory() {
        d.exec("FUNCTION", "FLUSH");
        d.check("SET", "a", "1");
        d.check("FUNCTION", "LOAD", """
                #!lua name=oomlib
                redis.register_function('plain', function(k, a) return redis.call('set', 'y', '1') end)
                redis.register_function{function_name='allowed', callback=function(k, a)
                    return redis.call('set', 'y', '2') end, flags={'allow-oom'}}
                redis.register_function{function_name='reader', callback=function(k, a)
                    return redis.call('get', 'a') end, flags={'no-writes'}}
                """);
        d.check("SCRIPT", "LOAD", "#!lua\nreturn redis.call('get', 'a')");
        try (Diff other = new Diff(larder.port(), redis.port())) {
            // Queued before memory ran out: EXEC is refused while its queue holds a denyoom command.
            d.check("MULTI");
            d.check("SET", "b", "2");
            d.check("GET", "a");
            other.check("CONFIG", "SET", "maxmemory-policy", "noeviction");
            other.check("CONFIG", "SET", "maxmemory", "1");
            d.check("EXEC");
            d.check("EXEC");
            other.check("CONFIG", "SET", "maxmemory", "0");
            d.check("EXEC");
            // A read-only queue runs; queueing anything while out of memory fails the transaction.
            d.check("MULTI");
            d.check("GET", "a");
            other.check("CONFIG", "SET", "maxmemory", "1");
            d.check("EXEC");
            d.check("MULTI");
            d.check("GET", "a");
            d.check("DISCARD");
            // A script queued before memory ran out, then run by EXEC.
            other.check("CONFIG", "SET", "maxmemory", "0");
            d.check("MULTI");
            d.check("EVAL", "#!lua\nreturn 1", "0");
            d.check("EVAL", "return redis.call('get', 'a')", "0");
            other.check("CONFIG", "SET", "maxmemory", "1");
            d.check("EXEC");
            other.check("CONFIG", "SET", "maxmemory", "0");
            d.check("DISCARD");
            other.check("CONFIG", "SET", "maxmemory", "1");
            // Scripts: compatibility mode refuses its first denyoom call; declared flags decide up front.
            d.script("""
                    EVAL "return redis.call('set', 'x', '1')" 0
                    EVAL "return redis.pcall('set', 'x', '1')" 0
                    EVAL "return redis.call('get', 'a')" 0
                    EVAL "redis.call('del', 'nokey') return redis.call('set', 'x', '2')" 0
                    GET x
                    EVAL "redis.call('incr', 'a') return 1" 0
                    """);
            d.check("EVAL", "#!lua\nreturn redis.call('get', 'a')", "0");
            d.check("EVALSHA", "9aefcbc2762001bfca7aafeb9bd7f9aaf86c08b8", "0");
            d.check("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', 'a')", "0");
            d.check("EVAL_RO", "#!lua flags=no-writes\nreturn redis.call('get', 'a')", "0");
            d.check("EVAL", "#!lua flags=allow-oom\nreturn redis.call('set', 'x', '3')", "0");
            d.check("FCALL", "plain", "0");
            d.check("FCALL", "allowed", "0");
            d.check("FCALL", "reader", "0");
            d.check("FCALL_RO", "reader", "0");
            d.check("FUNCTION", "DELETE", "oomlib");
            other.check("CONFIG", "SET", "maxmemory", "0");
            d.check("GET", "x");
            d.check("FUNCTION", "DELETE", "oomlib");
        }
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
