package io.larder.family;

import io.larder.store.ValueType;
import io.larder.testing.DifferentialTestBase;
import org.junit.jupiter.api.Test;

class KeyCommandsTest extends DifferentialTestBase {

    private void plant(int db, String key, int type) {
        ForeignValues.plant(larder, redis, db, key, type);
    }

    @Test
    void delExistsTypeTouch() {
        plant(0, "l", ValueType.LIST);
        plant(0, "s", ValueType.SET);
        plant(0, "z", ValueType.ZSET);
        plant(0, "h", ValueType.HASH);
        plant(0, "x", ValueType.STREAM);
        d.script("""
                MSET a 1 b 2 c 3
                EXISTS a
                EXISTS a b nokey a
                EXISTS nokey
                TYPE a
                TYPE l
                TYPE s
                TYPE z
                TYPE h
                TYPE x
                TYPE nokey
                TOUCH a b nokey l
                TOUCH nokey
                DEL a nokey a
                DEL b c l s z h x
                EXISTS a b c l
                UNLINK nokey
                SET u v
                UNLINK u u
                EXISTS
                DEL
                TYPE
                TYPE a b
                """);
    }

    @Test
    void rename() {
        plant(0, "l", ValueType.LIST);
        d.script("""
                SET a 1
                RENAME a b
                GET a
                GET b
                RENAME nokey x
                RENAMENX nokey x
                RENAME b b
                RENAMENX b b
                RENAME nokey nokey
                SET c 3 EX 100
                RENAME c d
                TTL d
                EXISTS c
                SET e 5
                RENAMENX d e
                RENAMENX d f
                TTL f
                RENAME f e
                GET e
                TTL e
                RENAME l ll
                TYPE ll
                OBJECT ENCODING ll
                RENAME e ll
                TYPE ll
                GET ll
                SET big 12345678901234567890123456789012345678901234567890
                RENAME big big2
                OBJECT ENCODING big2
                APPEND r x
                APPEND r y
                RENAME r r2
                OBJECT ENCODING r2
                RENAME a
                RENAMENX a b c
                """);
    }

    @Test
    void move() {
        plant(0, "l", ValueType.LIST);
        d.script("""
                SET a 1
                MOVE a 1
                EXISTS a
                SELECT 1
                GET a
                SET b 2
                SELECT 0
                SET b 3
                MOVE b 1
                GET b
                MOVE nokey 1
                MOVE b 0
                MOVE b 16
                MOVE b -1
                MOVE b x
                MOVE b 4294967296
                MOVE b 1.5
                SET t v EX 100
                MOVE t 2
                SELECT 2
                TTL t
                GET t
                SELECT 0
                MOVE l 3
                SELECT 3
                TYPE l
                SELECT 0
                EXISTS l
                """);
    }

    @Test
    void copy() {
        plant(0, "l", ValueType.LIST);
        d.script("""
                SET a hello
                COPY a b
                GET b
                COPY a b
                COPY a b REPLACE
                COPY a a
                COPY a a DB 0
                COPY a a DB 1
                SELECT 1
                GET a
                SELECT 0
                COPY nokey x
                COPY a c DB 16
                COPY a c DB -1
                COPY a c DB x
                COPY a c DB 4294967296
                COPY a c DB
                COPY a c FOO
                COPY a c REPLACE REPLACE DB 2 DB 3
                SELECT 3
                GET c
                SELECT 0
                SET t v PXAT 99999999999999
                COPY t t2
                PEXPIRETIME t2
                SET n 5
                COPY n n2
                OBJECT ENCODING n2
                OBJECT REFCOUNT n
                OBJECT REFCOUNT n2
                SET m 123456
                COPY m m2
                OBJECT REFCOUNT m2
                OBJECT ENCODING m2
                APPEND r ab
                COPY r r2
                OBJECT ENCODING r2
                INCRBYFLOAT fl 3
                COPY fl fl2
                OBJECT ENCODING fl2
                COPY l l2
                TYPE l2
                OBJECT ENCODING l2
                COPY a l REPLACE
                TYPE l
                GET l
                COPY a
                """);
    }

    @Test
    void realListsAreRenamedMovedAndCopied() {
        d.script("""
                RPUSH rl a b c
                COPY rl rl2
                LPUSH rl2 z
                LRANGE rl 0 -1
                LRANGE rl2 0 -1
                OBJECT ENCODING rl2
                RENAME rl rl3
                LRANGE rl3 0 -1
                EXPIRE rl3 100
                MOVE rl3 1
                SELECT 1
                LRANGE rl3 0 -1
                TTL rl3
                TYPE rl3
                COPY rl3 rl4 DB 0
                SELECT 0
                LRANGE rl4 0 -1
                SET s v
                RENAME rl4 s
                TYPE s
                GETEX s
                ~ KEYS *
                """);
    }

    @Test
    void keys() {
        d.script("""
                MSET one 1 two 2 three 3 four 4 "with space" 5 h*llo 6 hello 7 hallo 8 hxllo 9
                ~ KEYS *
                ~ KEYS t*
                ~ KEYS *o
                ~ KEYS ?????
                ~ KEYS h[ae]llo
                ~ KEYS h[^e]llo
                ~ KEYS h[a-f]llo
                ~ KEYS h\\*llo
                ~ KEYS *space
                ~ KEYS nothing
                ~ KEYS ""
                KEYS a b
                SET e v PX 1
                """);
        long until = System.currentTimeMillis() + 3;
        while (System.currentTimeMillis() < until) Thread.onSpinWait();
        d.script("""
                ~ KEYS *
                ~ KEYS e
                """);
    }

    @Test
    void objectEncodingsAndRefcounts() {
        d.script("""
                SET i 123
                OBJECT ENCODING i
                OBJECT REFCOUNT i
                SET i 9999
                OBJECT REFCOUNT i
                SET i 10000
                OBJECT REFCOUNT i
                SET i -1
                OBJECT REFCOUNT i
                OBJECT ENCODING i
                SET i 0
                OBJECT REFCOUNT i
                SET i 00
                OBJECT ENCODING i
                SET i -0
                OBJECT ENCODING i
                SET i 9223372036854775807
                OBJECT ENCODING i
                SET i 9223372036854775808
                OBJECT ENCODING i
                SET i -9223372036854775808
                OBJECT ENCODING i
                SET i " 1"
                OBJECT ENCODING i
                SET e abc
                OBJECT ENCODING e
                OBJECT REFCOUNT e
                SET e 12345678901234567890123456789012345678901234
                OBJECT ENCODING e
                SET e 123456789012345678901234567890123456789012345
                OBJECT ENCODING e
                SET e ""
                OBJECT ENCODING e
                APPEND a 1
                OBJECT ENCODING a
                OBJECT REFCOUNT a
                APPEND a 2
                OBJECT ENCODING a
                OBJECT REFCOUNT a
                INCR a
                OBJECT ENCODING a
                OBJECT REFCOUNT a
                INCRBY a 20000
                OBJECT REFCOUNT a
                SETRANGE s 0 5
                OBJECT ENCODING s
                INCRBYFLOAT f 1
                OBJECT ENCODING f
                INCRBYFLOAT f 1e50
                OBJECT ENCODING f
                MSET m1 1 m2 abc
                OBJECT ENCODING m1
                OBJECT ENCODING m2
                GETSET g 12
                GETSET g 13
                OBJECT ENCODING g
                SETEX x 100 77
                OBJECT ENCODING x
                GETEX x PERSIST
                OBJECT ENCODING x
                OBJECT ENCODING nokey
                OBJECT REFCOUNT nokey
                OBJECT IDLETIME nokey
                OBJECT FREQ nokey
                OBJECT IDLETIME i
                OBJECT FREQ i
                OBJECT HELP
                OBJECT help
                OBJECT HELP x
                OBJECT
                OBJECT foo
                OBJECT foo k
                OBJECT ENCODING
                OBJECT ENCODING a b
                """);
    }

    @Test
    void expireFamily() {
        d.script("""
                SET k v
                TTL k
                PTTL k
                EXPIRETIME k
                PEXPIRETIME k
                TTL nokey
                PTTL nokey
                EXPIRETIME nokey
                PEXPIRETIME nokey
                EXPIRE k 100
                TTL k
                EXPIRE k 100 NX
                EXPIRE k 200 XX
                TTL k
                EXPIRE k 100 GT
                EXPIRE k 300 GT
                TTL k
                EXPIRE k 400 LT
                EXPIRE k 50 LT
                TTL k
                EXPIRE k 10 nx xx
                EXPIRE k 10 xx nx
                EXPIRE k 10 gt lt
                EXPIRE k 10 nx gt
                EXPIRE k 10 nx lt
                EXPIRE k 10 xx gt lt
                EXPIRE k 10 foo
                EXPIRE k 10 nx foo
                EXPIRE k abc
                EXPIRE k abc foo
                EXPIRE k 1.5
                EXPIRE k 9223372036854775807
                EXPIRE k 9223372036854775
                EXPIRE k -9223372036854775808
                EXPIRE k -9223372036854776
                PEXPIRE k 9223372036854775807
                PEXPIRE k -9223372036854775808
                EXPIREAT k 9223372036854775808
                EXPIREAT k 9223372036854775
                EXPIRETIME k
                PEXPIREAT k 9223372036854775807
                PEXPIRETIME k
                EXPIRETIME k
                TTL nokey
                PERSIST k
                PERSIST k
                PERSIST nokey
                TTL k
                EXPIRE nokey 100
                EXPIRE nokey 100 XX
                EXPIRE k 100 XX
                EXPIRE k 100 GT
                EXPIRE k 100 LT
                PERSIST k
                EXPIRE k 100 NX
                EXPIRE k 0
                EXISTS k
                SET k v
                EXPIRE k -1
                EXISTS k
                SET k v
                PEXPIRE k 0
                EXISTS k
                SET k v
                EXPIREAT k 1
                EXISTS k
                SET k v
                PEXPIREAT k 1000
                EXISTS k
                SET k v
                EXPIRE k -10 GT
                EXPIRE k -10 LT
                EXISTS k
                SET k v
                PEXPIREAT k 99999999999999
                PEXPIRETIME k
                EXPIRETIME k
                PEXPIREAT k 99999999999499
                EXPIRETIME k
                PEXPIREAT k 99999999999500
                EXPIRETIME k
                EXPIREAT k 99999999999 GT
                EXPIREAT k 99999999999 LT
                EXPIRETIME k
                EXPIRE k
                TTL
                PERSIST
                """);
    }

    @Test
    void swapdb() {
        d.script("""
                SET a 0
                SELECT 1
                SET a 1
                SET b 1
                SWAPDB 0 1
                GET a
                GET b
                SELECT 0
                GET a
                GET b
                SWAPDB 0 0
                GET a
                SWAPDB 0 16
                SWAPDB -1 0
                SWAPDB a 0
                SWAPDB 0 b
                SWAPDB 0 4294967296
                SWAPDB 4294967296 0
                SWAPDB 0 1.5
                SWAPDB 0
                DBSIZE
                SELECT 1
                DBSIZE
                """);
    }

    @Test
    void randomkeyWithOneCandidate() {
        d.script("""
                RANDOMKEY
                SET only v
                RANDOMKEY
                SET gone v PX 1
                """);
        pollUntilExpired("gone");
        d.script("""
                RANDOMKEY
                RANDOMKEY x
                """);
    }

    @Test
    void scanErrorsAndSmallKeyspaces() {
        d.script("""
                SCAN 0
                MSET a 1 b 2 c 3
                """);
        sameWholeScan("SCAN", "0", "COUNT", "100");
        sameWholeScan("SCAN", "0", "MATCH", "[ab]", "COUNT", "100");
        sameWholeScan("SCAN", "0", "TYPE", "string", "COUNT", "100");
        sameWholeScan("SCAN", "0", "TYPE", "STRING", "COUNT", "100");
        d.script("""
                SCAN x
                SCAN " 0"
                SCAN "0 "
                SCAN 18446744073709551616
                SCAN -18446744073709551616
                SCAN 0x10
                SCAN +
                SCAN -
                SCAN 0 COUNT 0
                SCAN 0 COUNT -1
                SCAN 0 COUNT x
                SCAN 0 COUNT
                SCAN 0 MATCH
                SCAN 0 TYPE
                SCAN 0 FOO bar
                SCAN 0 COUNT 1 COUNT x
                SCAN 0 MATCH nothing* COUNT 100
                SCAN 0 TYPE list COUNT 100
                SCAN 0 TYPE foo COUNT 100
                SCAN
                """);
    }

    /** A SCAN that finishes in one call on both: cursor 0 and the same keys, in any order. */
    private void sameWholeScan(String... cmd) {
        Object l = d.larder().call(cmd), r = d.redis().call(cmd);
        org.junit.jupiter.api.Assertions.assertEquals(normalizeScan(r), normalizeScan(l), String.join(" ", cmd));
    }

    @SuppressWarnings("unchecked")
    private static Object normalizeScan(Object reply) {
        java.util.List<Object> top = (java.util.List<Object>) reply;
        java.util.List<String> keys = new java.util.ArrayList<>((java.util.List<String>) top.get(1));
        java.util.Collections.sort(keys);
        return java.util.List.of(top.get(0), keys);
    }

    /** Waits until a key with a short TTL has expired on both servers, without touching it. */
    private void pollUntilExpired(String key) {
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline) {
            Object l = d.larder().call("PTTL", key), r = d.redis().call("PTTL", key);
            if (Long.valueOf(-2).equals(l) && Long.valueOf(-2).equals(r)) return;
            Thread.onSpinWait();
        }
        throw new AssertionError(key + " did not expire");
    }
}
