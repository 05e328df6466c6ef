package io.larder.family;

import io.larder.testing.Diff;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import org.junit.jupiter.api.Test;

/**
 * String and OBJECT behaviour that depends on configuration, each case with
 * its own pair of servers started with the same options: the
 * proto-max-bulk-len size limit, LFU counters (OBJECT FREQ, made
 * deterministic with lfu-log-factor 0), and integers that stop being shared
 * when maxmemory is set with an LRU policy (OBJECT REFCOUNT).
 */
class MemoryPolicyStringsTest {

    private static void withServers(String[] options, java.util.function.Consumer<Diff> test) {
        try (LarderTestServer larder = LarderTestServer.start(options);
             RedisOracle redis = RedisOracle.start(options);
             Diff d = new Diff(larder.port(), redis.port())) {
            test.accept(d);
        }
    }

    @Test
    void stringsAreBoundedByProtoMaxBulkLen() {
        withServers(new String[] {"--proto-max-bulk-len", "1mb"}, d -> {
            String big = "x".repeat(600);
            d.exec("SET", "la", big);
            d.exec("SET", "lb", big);
            d.script("""
                    LCS la lb LEN
                    LCS la lb
                    SETRANGE s 1048575 x
                    STRLEN s
                    SETRANGE s 1048576 x
                    SETRANGE s 1048575 xy
                    SETRANGE t 1048576 x
                    EXISTS t
                    SETRANGE t 1048575 ""
                    APPEND s x
                    STRLEN s
                    SET a 1234
                    SETRANGE a 1048572 xxxx
                    SETRANGE a 1048572 xxxxx
                    """);
            String half = "y".repeat(600_000);
            d.exec("SET", "h", half);
            d.check("APPEND", "h", half);
            d.check("STRLEN", "h");
        });
    }

    @Test
    void lfuCountersMatchRedis() {
        withServers(new String[] {"--maxmemory-policy", "allkeys-lfu", "--lfu-log-factor", "0"}, d -> d.script("""
                SET k v
                OBJECT FREQ k
                OBJECT IDLETIME k
                GET k
                OBJECT FREQ k
                GET k
                GET k
                MGET k k
                OBJECT FREQ k
                SET k v2
                OBJECT FREQ k
                GETSET k v3
                OBJECT FREQ k
                SET k v4 GET
                OBJECT FREQ k
                APPEND k x
                OBJECT FREQ k
                INCR n
                OBJECT FREQ n
                INCR n
                INCRBYFLOAT n 1.5
                OBJECT FREQ n
                EXISTS k
                TTL k
                TYPE k
                OBJECT ENCODING k
                STRLEN k
                OBJECT FREQ k
                TOUCH k
                OBJECT FREQ k
                COPY k k2
                OBJECT FREQ k
                OBJECT FREQ k2
                RENAME k2 k3
                OBJECT FREQ k3
                SET k3 v NX
                OBJECT FREQ k3
                EXPIRE k3 100
                PERSIST k3
                OBJECT FREQ k3
                SETRANGE k3 0 z
                OBJECT FREQ k3
                """));
    }

    @Test
    void integersAreNotSharedUnderMaxmemoryWithLru() {
        withServers(new String[] {"--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lru"}, d -> d.script("""
                SET i 5
                OBJECT REFCOUNT i
                OBJECT ENCODING i
                INCR i
                OBJECT REFCOUNT i
                MSET j 7 k 70000
                OBJECT REFCOUNT j
                OBJECT REFCOUNT k
                APPEND a 3
                OBJECT REFCOUNT a
                OBJECT FREQ a
                """));
        withServers(new String[] {"--maxmemory", "100mb", "--maxmemory-policy", "volatile-ttl"}, d -> d.script("""
                SET i 5
                OBJECT REFCOUNT i
                INCR i
                OBJECT REFCOUNT i
                """));
    }
}
