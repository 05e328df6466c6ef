package io.larder.family;

import io.larder.store.ValueType;
import org.junit.jupiter.api.Test;

/**
 * Keyspace notifications and dirty counts of every string and key command,
 * compared with Redis: event names and order (set/expire, rename_from and
 * rename_to, move_from/move_to, copy_to, del for an expiry in the past,
 * new, keymiss ...) and what counts as a change.
 */
class KeyspaceSideEffectsTest extends SideEffectsTestBase {
    @Test
    void stringCommands() {
        s.script("""
                GET k
                SET k v
                SET k v2 EX 100
                SET k v3 KEEPTTL
                SET k v4 NX
                SET k v5 XX GET
                SET nk v XX
                SET k v EX abc
                SETNX k v
                SETNX k2 v
                SETEX k3 100 v
                PSETEX k4 100000 v
                GETSET k v6
                GETSET k5 v
                GETDEL k5
                GETDEL k5
                GETEX k
                GETEX k EX 100
                GETEX k PERSIST
                GETEX k PERSIST
                GETEX k PXAT 1
                GETEX missing EX 10
                MGET k k2 missing
                MSET a 1 b 2 a 3
                MSETNX a 1 c 2
                MSETNX c 1 d 2 c 3
                APPEND a x
                APPEND e x
                STRLEN a
                SETRANGE a 1 yy
                SETRANGE a 1 ""
                SETRANGE f 2 z
                GETRANGE f 0 -1
                INCR i
                INCRBY i 5
                DECR i
                DECRBY i 2
                INCR a
                INCRBYFLOAT g 1.5
                INCRBYFLOAT g x
                LCS a b
                """);
    }

    @Test
    void keyCommands() {
        ForeignValues.plant(larder, redis, 0, "list", ValueType.LIST);
        s.sync();
        s.script("""
                MSET a 1 b 2 c 3
                DEL a missing b
                UNLINK c
                EXISTS a missing
                TYPE missing
                TOUCH a missing
                SET r 1
                RENAME r r2
                SET r3 1
                RENAME r2 r3
                RENAMENX r3 r3
                RENAMENX r3 r4
                RENAME missing x
                RENAME list list2
                MOVE r4 1
                MOVE r4 1
                SET m v
                SELECT 1
                SET m w
                SELECT 0
                MOVE m 1
                COPY m m2
                COPY m m2
                COPY m m2 REPLACE
                COPY m m3 DB 2
                COPY list2 list3
                EXPIRE m 100
                EXPIRE m 100 NX
                PEXPIRE m 200000 GT
                EXPIREAT m 99999999999
                PEXPIREAT m 99999999999999
                TTL m
                PTTL missing
                EXPIRETIME m
                PERSIST m
                PERSIST m
                EXPIRE m -1
                EXPIRE missing 10
                SET p v
                PEXPIREAT p 1
                SET q v
                EXPIRE q 0
                OBJECT ENCODING missing
                OBJECT ENCODING m2
                SWAPDB 0 1
                SWAPDB 0 0
                DBSIZE
                """);
    }
}
