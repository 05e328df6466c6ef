package io.larder.family;

import io.larder.store.ValueType;
import io.larder.testing.DifferentialTestBase;
import org.junit.jupiter.api.Test;

class StringCommandsTest extends DifferentialTestBase {

    /** A one-element list under key, in both servers (WRONGTYPE checks). */
    private void list(String key) {
        ForeignValues.plant(larder, redis, 0, key, ValueType.LIST);
    }

    @Test
    void getAndSetOptions() {
        d.script("""
                GET missing
                SET a 1
                GET a
                SET a 2 NX
                SET a 3 XX
                GET a
                SET b 1 XX
                SET b 1 NX
                SET b 2 NX GET
                SET b 3 XX GET
                SET c 1 GET
                SET a 1 EX 100
                TTL a
                SET a 1 PX 100000 KEEPTTL
                SET a 1 KEEPTTL
                TTL a
                SET a 2
                TTL a
                SET a 1 EX 0
                SET a 1 EX -5
                SET a 1 EX abc
                SET a 1 PX 9223372036854775807
                SET a 1 EX 9223372036854775
                SET a 1 EX 9223372036854776
                SET a 1 EXAT 1
                GET a
                SET a 1 PXAT 99999999999999
                PEXPIRETIME a
                SET a 1 EXAT 99999999999
                EXPIRETIME a
                SET a 1 NX XX
                SET a 1 XX NX
                SET a 1 FOO
                SET a 1 EX
                SET a 1 EX 10 PX 10
                SET a 1 EX 10 EX 10
                SET a 1 KEEPTTL EX 10
                SET a 1 EX 10 KEEPTTL
                SET a 1 PERSIST
                SET a 1 nx get ex 100
                SET a 1 xx get get px 100000
                SET a
                GET a b
                """);
    }

    @Test
    void setGetOnWrongType() {
        d.script("""
                SET s hello
                SET s world GET
                GET s
                """);
        list("l");
        d.script("""
                SET l v GET
                TYPE l
                SET l v
                TYPE l
                """);
    }

    @Test
    void setVariants() {
        d.script("""
                SETNX k v
                SETNX k w
                GET k
                SETEX k 100 v2
                TTL k
                GET k
                SETEX k 0 v
                SETEX k -1 v
                SETEX k x v
                SETEX k 9223372036854775807 v
                PSETEX k 100000 v3
                TTL k
                PSETEX k 0 v
                PSETEX k -10 v
                PSETEX k 9223372036854775807 v
                SETNX k
                SETEX k 10
                GETSET k new
                TTL k
                GETSET nokey v
                GET nokey
                GETDEL k
                GETDEL k
                EXISTS k
                """);
    }

    @Test
    void getex() {
        d.script("""
                GETEX nokey
                GETEX nokey EX 100
                GETEX nokey EX abc
                SET k v
                GETEX k
                TTL k
                GETEX k EX 100
                TTL k
                GETEX k PX 200000
                TTL k
                GETEX k EXAT 99999999999
                EXPIRETIME k
                GETEX k PXAT 99999999999999
                PEXPIRETIME k
                GETEX k PERSIST
                TTL k
                GETEX k PERSIST
                GETEX k EX 0
                GETEX k EX -1
                GETEX k EX abc
                GETEX k PX 9223372036854775807
                GETEX k EX 100 PX 100
                GETEX k EX 100 PERSIST
                GETEX k PERSIST EX 100
                GETEX k NX
                GETEX k GET
                GETEX k KEEPTTL
                GETEX k EX
                GETEX k FOO
                GETEX k EXAT 1
                EXISTS k
                SET k v
                GETEX k PXAT 1
                EXISTS k
                """);
        list("l");
        d.script("""
                GETEX l
                GETEX l EX 10
                """);
    }

    @Test
    void mgetMset() {
        d.script("""
                MSET a 1 b 2 c 3
                MGET a b c d
                """);
        list("l");
        d.script("""
                MGET a l b
                MSET a
                MSET a 1 b
                MSET a 1 a 2
                GET a
                MSETNX a 1 x 2
                EXISTS x
                MSETNX x 1 y 2
                MGET x y
                MSETNX z 1 z 2
                GET z
                MSETNX l 1
                MSETNX q
                MSETNX q 1 r
                SET t v EX 100
                MSET t w
                TTL t
                """);
    }

    @Test
    void appendStrlenRanges() {
        d.script("""
                APPEND k hello
                APPEND k " world"
                GET k
                STRLEN k
                STRLEN nokey
                APPEND n 123
                OBJECT ENCODING n
                APPEND n 4
                OBJECT ENCODING n
                GET n
                SET t v EX 100
                APPEND t x
                TTL t
                GETRANGE k 0 4
                GETRANGE k -5 -1
                GETRANGE k 0 -1
                GETRANGE k 0 -100
                GETRANGE k -100 -200
                GETRANGE k -1 -5
                GETRANGE k 5 3
                GETRANGE k 100 200
                GETRANGE k -100 100
                GETRANGE k 3 3
                GETRANGE k 0 9223372036854775807
                GETRANGE k -9223372036854775808 -1
                GETRANGE k a 1
                GETRANGE k 1 b
                GETRANGE nokey 0 -1
                GETRANGE nokey a 0
                SUBSTR k 1 3
                SUBSTR k -3 -1
                SET e ""
                GETRANGE e 0 -1
                GETRANGE e -1 0
                SET i 12345
                GETRANGE i 1 2
                SETRANGE k 6 WORLD
                GET k
                SETRANGE k 20 x
                GET k
                STRLEN k
                SETRANGE k 0 ""
                SETRANGE new 0 ""
                EXISTS new
                SETRANGE new 3 abc
                GET new
                OBJECT ENCODING new
                SETRANGE new -1 x
                SETRANGE new x x
                SETRANGE i 0 9
                GET i
                OBJECT ENCODING i
                """);
        list("l");
        d.script("""
                APPEND l x
                STRLEN l
                GETRANGE l 0 1
                SETRANGE l 0 x
                SETRANGE l 0 ""
                SETRANGE nokey2 9223372036854775807 x
                SETRANGE nokey2 536870912 x
                SETRANGE nokey2 536870911 ""
                """);
    }

    @Test
    void counters() {
        d.script("""
                INCR c
                INCR c
                DECR c
                INCRBY c 10
                DECRBY c 3
                INCRBY c -100
                DECRBY c -5
                GET c
                INCRBY c x
                INCRBY c 1.5
                DECRBY c ""
                SET c 9223372036854775806
                INCR c
                INCR c
                GET c
                SET c -9223372036854775807
                DECR c
                DECR c
                DECRBY c 1
                SET c 0
                DECRBY c -9223372036854775808
                DECRBY nokey -9223372036854775808
                INCRBY c -9223372036854775808
                INCRBY c 9223372036854775807
                INCRBY c 1
                SET s abc
                INCR s
                SET s " 1"
                INCR s
                SET s "1 "
                INCR s
                SET s +1
                INCR s
                SET s 01
                INCR s
                SET s -0
                INCR s
                SET s 99999999999999999999
                INCR s
                SET s ""
                INCR s
                """);
        list("l");
        d.script("""
                INCR l
                DECRBY l 1
                SET t 5 EX 100
                INCR t
                TTL t
                SET u 999
                INCR u
                INCR u
                DECR u
                GET u
                OBJECT ENCODING u
                """);
    }

    @Test
    void incrbyfloatBasics() {
        d.script("""
                INCRBYFLOAT f 10.5
                INCRBYFLOAT f 0.1
                INCRBYFLOAT f -5
                INCRBYFLOAT f 1e3
                INCRBYFLOAT f 1.5e-3
                INCRBYFLOAT f abc
                INCRBYFLOAT f ""
                INCRBYFLOAT f " 1"
                INCRBYFLOAT f "1 "
                INCRBYFLOAT f nan
                INCRBYFLOAT f inf
                INCRBYFLOAT f -inf
                INCRBYFLOAT f Infinity
                INCRBYFLOAT f 1e5000
                INCRBYFLOAT f 1e-5000
                INCRBYFLOAT f 0x10
                INCRBYFLOAT f +1
                INCRBYFLOAT f 1.
                INCRBYFLOAT f .5
                INCRBYFLOAT f 1e
                INCRBYFLOAT f 1e+
                INCRBYFLOAT f e5
                INCRBYFLOAT f .
                GET f
                OBJECT ENCODING f
                SET s hello
                INCRBYFLOAT s 1
                SET s inf
                INCRBYFLOAT s 1
                SET s 1e4932
                INCRBYFLOAT s 1e4932
                SET i 5
                INCRBYFLOAT i 2
                OBJECT ENCODING i
                INCRBYFLOAT i 0
                INCR i
                """);
        list("l");
        d.script("""
                INCRBYFLOAT l 1
                SET t 1 EX 100
                INCRBYFLOAT t 1
                TTL t
                INCRBYFLOAT z -0
                INCRBYFLOAT z -1e-20
                INCRBYFLOAT z 1e-20
                INCRBYFLOAT m 1.7976931348623157e308
                INCRBYFLOAT m 1.7976931348623157e308
                INCRBYFLOAT big 1e4931
                INCRBYFLOAT big -1e4931
                INCRBYFLOAT tiny 1e-4940
                INCRBYFLOAT tiny 3.6e-4951
                """);
    }

    @Test
    void lcs() {
        d.script("""
                MSET a ohmytext b mynewtext
                LCS a b
                LCS a b LEN
                LCS a b IDX
                LCS a b IDX MINMATCHLEN 4
                LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN
                LCS a b IDX WITHMATCHLEN
                LCS a b idx minmatchlen -5
                LCS a b LEN IDX
                LCS a b MINMATCHLEN
                LCS a b MINMATCHLEN x
                LCS a b FOO
                LCS a b LEN MINMATCHLEN 100
                LCS a nokey
                LCS nokey a IDX
                LCS nokey nokey2 LEN
                LCS a a
                """);
        list("l");
        d.script("""
                LCS a l
                LCS l a LEN
                SET x aaaaaaaaaa
                SET y aaaaa
                LCS x y IDX
                SET x abcdefgxyzabc
                SET y zyxabcdefgzzabcx
                LCS x y IDX WITHMATCHLEN
                LCS y x IDX WITHMATCHLEN
                LCS x y
                """);
        d.resp3();
        d.script("""
                LCS a b IDX WITHMATCHLEN
                LCS x y IDX
                """);
    }

    @Test
    void resp3Replies() {
        d.resp3();
        d.script("""
                GET nothing
                SET k v
                GET k
                SET k v2 GET
                GETEX nothing
                GETDEL nothing
                MGET k nothing
                INCRBYFLOAT f 1.5
                SET x 1 NX
                """);
    }
}
