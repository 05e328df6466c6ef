package io.larder.family;

import io.larder.testing.Diff;
import io.larder.testing.DifferentialTestBase;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import org.junit.jupiter.api.Test;

/**
 * Overwriting a string with a value of the same length writes over the old
 * entry in place (no allocation): every way a SET-like command changes the
 * value, expiry, encoding and access clock must still answer as Redis does.
 */
class StringOverwriteTest extends DifferentialTestBase {

    @Test
    void sameLengthOverwritesAnswerAsRedis() {
        d.script("""
                SET k aaa
                SET k bbb
                GET k
                SET k 123
                OBJECT ENCODING k
                GET k
                SET k abc
                OBJECT ENCODING k
                INCR k
                SET k 999
                INCR k
                GET k
                SET k 5
                OBJECT ENCODING k
                OBJECT REFCOUNT k
                SET k x
                OBJECT ENCODING k
                SET t aaa EX 100
                SET t bbb EX 200
                TTL t
                GET t
                SET t ccc PX 5000000
                TTL t
                SET t ddd KEEPTTL
                TTL t
                GET t
                SET t eee
                TTL t
                GET t
                SET t fff EX 100
                SET t ggg GET
                TTL t
                SET t hhh XX GET
                SET t iii NX
                GET t
                SETEX t 50 jjj
                TTL t
                PSETEX t 50000 kkk
                TTL t
                GETSET t lll
                TTL t
                GET t
                MSET a 111 b 222 a 333
                MGET a b
                MSET a 444 b 555
                MGET a b
                SET a 66
                GET a
                APPEND a 7
                SET a 888
                OBJECT ENCODING a
                GET a
                STRLEN a
                SETRANGE a 0 xy
                SET a 999
                OBJECT ENCODING a
                GET a
                """);
        String big = "x".repeat(5000), big2 = "y".repeat(5000);
        d.check("SET", "big", big);
        d.check("SET", "big", big2);
        d.check("GET", "big");
        d.check("OBJECT", "ENCODING", "big");
    }

    @Test
    void sameLayoutOverwritesAllocateNothing() {
        try (LarderTestServer l = LarderTestServer.start(); var c = l.client()) {
            var db = l.server().keyspace().db(0);
            byte[] k = "k".getBytes();
            c.call("SET", "k", "aaa", "EX", "100");
            Object first = db.peek(k, 0, 1, io.larder.store.KeyHash.hash(k));
            c.call("SET", "k", "bbb", "EX", "200");
            c.call("SETEX", "k", "300", "ccc");
            c.call("MSET", "k", "ddd", "x", "1");
            // MSET drops the TTL: another layout, a new entry.
            Object afterPersist = db.peek(k, 0, 1, io.larder.store.KeyHash.hash(k));
            c.call("SET", "k", "eee");
            Object last = db.peek(k, 0, 1, io.larder.store.KeyHash.hash(k));
            org.junit.jupiter.api.Assertions.assertNotSame(first, afterPersist);
            org.junit.jupiter.api.Assertions.assertSame(afterPersist, last);
            org.junit.jupiter.api.Assertions.assertEquals("eee", c.call("GET", "k"));
        }
    }

    @Test
    void overwritesKeepTheLfuCounterAsRedis() {
        String[] options = {"--maxmemory-policy", "allkeys-lfu", "--lfu-log-factor", "0"};
        try (LarderTestServer l = LarderTestServer.start(options);
             RedisOracle r = RedisOracle.start(options);
             Diff x = new Diff(l.port(), r.port())) {
            x.script("""
                    SET k aaa
                    GET k
                    GET k
                    OBJECT FREQ k
                    SET k bbb
                    OBJECT FREQ k
                    SET k ccc EX 100
                    OBJECT FREQ k
                    SET k ddd EX 100
                    OBJECT FREQ k
                    GET k
                    """);
        }
    }
}
