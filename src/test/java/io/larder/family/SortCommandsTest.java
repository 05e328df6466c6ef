package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.larder.testing.DifferentialTestBase;
import org.junit.jupiter.api.Test;

/** SORT and SORT_RO against Redis 7.0, over lists and sorted sets. */
class SortCommandsTest extends DifferentialTestBase {

    @Test
    void numericAlphaOrderAndLimit() {
        d.script("""
                RPUSH l 3 1 2 10 -5 2.5 1e3 0x10 inf -inf
                SORT l
                SORT l DESC
                SORT l ASC
                SORT l LIMIT 0 3
                SORT l LIMIT 2 3 DESC
                SORT l LIMIT -5 2
                SORT l LIMIT 1 -5
                SORT l LIMIT 4 0
                SORT l LIMIT 100 1
                SORT l LIMIT 2 9223372036854775807
                SORT l LIMIT 9223372036854775807 1
                SORT l LIMIT 9223372036854775807 9223372036854775807
                SORT l LIMIT -9223372036854775808 -9223372036854775808
                SORT l ALPHA
                SORT l ALPHA DESC LIMIT 1 4
                SORT l LIMIT 1
                SORT l LIMIT a 1
                SORT l LIMIT 1 b
                SORT l FOO
                SORT l ASC DESC ASC
                RPUSH w b a c B A 10 9 "" " x"
                SORT w ALPHA
                SORT w ALPHA DESC
                SORT w
                RPUSH dup 3 1 3 2 1
                SORT dup
                SORT dup DESC
                RPUSH ties 01 1 1.0 +1 0x1 2
                SORT ties
                SORT ties DESC
                SORT nosuch
                SORT nosuch ALPHA LIMIT 0 10
                SET s v
                SORT s
                SORT s LIMIT a b
                SORT_RO l
                SORT_RO l DESC LIMIT 1 2
                SORT_RO l ALPHA
                SORT_RO l STORE x
                SORT_RO s
                SORT_RO nosuch
                """);
    }

    @Test
    void scoresThatDoNotConvert() {
        // Each conversion failure stands alone: Redis's errno stays ERANGE after a
        // range error until something else resets it, so those come last.
        d.script("""
                RPUSH a 1 "7 " 2
                SORT a
                RPUSH b 1 "  " 2
                SORT b
                RPUSH c 1 nan
                SORT c
                RPUSH d 1 1_000
                SORT d
                RPUSH e 1 abc
                SORT e
                SORT e ALPHA
                RPUSH f " 7" "" 0x1p-1074 -infinity
                SORT f
                RPUSH g 1 1e400
                SORT g
                """);
    }

    @Test
    void byAndGetPatterns() {
        d.script("""
                RPUSH l 1 2 3 4 5
                SET w_1 50
                SET w_2 40
                SET w_3 30
                SET w_4 30
                SET w_5 x
                SET o_1 one
                SET o_2 two
                SET o_3 three
                SET o_5 five
                SORT l BY w_*
                SORT l BY nosuchprefix_*
                SORT l BY nosuchprefix_* DESC
                SORT l BY w_* ALPHA
                SORT l BY w_* ALPHA DESC
                SORT l BY w_* ALPHA LIMIT 0 2
                SORT l BY nosort
                SORT l BY nosort DESC
                SORT l BY nosort LIMIT 1 2
                SORT l BY nosort DESC LIMIT 1 2
                SORT l BY nosort LIMIT 10 2
                SORT l GET o_*
                SORT l GET # GET o_*
                SORT l GET o_* GET # GET nosuch_* GET constant
                SORT l BY nosort GET o_* DESC
                SORT l BY w_*->field
                SORT l GET o_*->field
                SORT l GET o_*->
                SORT l BY w_* BY nosort
                SORT l GET
                SORT l BY
                RPUSH m 1 2 3 5
                SORT m BY w_*
                SET k_1_suffix c
                SET k_2_suffix a
                SET k_3_suffix b
                SORT l BY k_*_suffix ALPHA GET k_*_suffix
                RPUSH n a b c
                SORT n BY n_*
                SET n_a 3
                SET n_b 1
                SET n_c 2
                SORT n BY n_*
                SORT n BY n_* GET # GET n_*
                RPUSH lw ww
                SORT lw BY *
                SET ww 5
                SORT lw BY * GET *
                """);
    }

    @Test
    void sortedSetsSortByMemberUnlessNosort() {
        d.script("""
                ZADD z 3 1 1 5 2 2 9 4
                SORT z
                SORT z DESC
                SORT z BY nosort
                SORT z BY nosort DESC
                SORT z BY nosort LIMIT 1 2
                SORT z BY nosort DESC LIMIT 1 2
                SORT z BY nosort LIMIT 1 9223372036854775807
                SORT z ALPHA
                ZADD za 1 b 2 a 3 c
                SORT za
                SORT za ALPHA
                SORT za BY nosort
                SORT za BY nosort GET #
                SORT_RO za BY nosort DESC
                """);
    }

    @Test
    void store() {
        d.script("""
                RPUSH l 3 1 2
                SORT l STORE dst
                LRANGE dst 0 -1
                SORT l DESC STORE dst
                LRANGE dst 0 -1
                SET o_1 one
                SORT l GET # GET o_* STORE dst
                LRANGE dst 0 -1
                SORT l LIMIT 5 5 STORE dst
                EXISTS dst
                SORT l LIMIT 5 5 STORE dst
                SORT nosuch STORE dst
                SET str x
                SORT l STORE str
                LRANGE str 0 -1
                SORT l STORE a STORE b
                EXISTS a
                LRANGE b 0 -1
                SORT l STORE
                SORT l STORE l
                LRANGE l 0 -1
                ZADD z 2 b 1 a
                SORT z ALPHA STORE zl
                LRANGE zl 0 -1
                SORT z BY nosort STORE zl
                LRANGE zl 0 -1
                """);
    }

    @Test
    void sortConvertsAListpackSortedSetForGood() {
        d.script("""
                ZADD z 1 a 2 b
                OBJECT ENCODING z
                SORT z ALPHA
                OBJECT ENCODING z
                ZADD y 1 1 2 2
                SORT y LIMIT 5 5
                OBJECT ENCODING y
                ZADD x 1 a
                SORT x
                OBJECT ENCODING x
                ZADD w 1 a
                SORT_RO w BY nosort
                OBJECT ENCODING w
                """);
    }

    @Test
    void keysForLockingAndGetkeys() {
        d.script("""
                COMMAND GETKEYS SORT l
                COMMAND GETKEYS SORT l STORE dst
                COMMAND GETKEYS SORT l STORE a STORE b
                COMMAND GETKEYS SORT l LIMIT 0 1 STORE dst BY w_* GET o_*
                COMMAND GETKEYS SORT l GET store STORE x
                COMMAND GETKEYS SORT l BY store
                COMMAND GETKEYS SORT l STORE
                COMMAND GETKEYS SORT_RO l BY w_*
                """);
    }

    @Test
    void patternsMakeSortExclusive() {
        var spec = larder.server().commands().get("sort");
        var ro = larder.server().commands().get("sort_ro");
        assertEquals(false, spec.exclusive(io.larder.protocol.Args.of("SORT", "l")));
        assertEquals(false, spec.exclusive(io.larder.protocol.Args.of("SORT", "l", "BY", "nosort", "GET", "#")));
        assertEquals(false, spec.exclusive(io.larder.protocol.Args.of("SORT", "l", "LIMIT", "0", "1", "STORE", "x")));
        assertEquals(true, spec.exclusive(io.larder.protocol.Args.of("SORT", "l", "BY", "w_*")));
        assertEquals(true, spec.exclusive(io.larder.protocol.Args.of("SORT", "l", "DESC", "GET", "#", "GET", "o_*")));
        assertEquals(true, spec.exclusive(io.larder.protocol.Args.of("SORT", "l", "STORE", "x", "GET", "*->f")));
        assertEquals(false, spec.exclusive(io.larder.protocol.Args.of("SORT", "l", "FOO", "GET", "o_*")));
        assertEquals(true, ro.exclusive(io.larder.protocol.Args.of("SORT_RO", "l", "BY", "w_*")));
        assertEquals(false, ro.exclusive(io.larder.protocol.Args.of("SORT_RO", "l", "STORE", "x", "BY", "w_*")));
    }

    @Test
    void setsAndHashFields() {
        d.script("""
                SADD s 5 3 10 1
                SORT s
                SORT s DESC LIMIT 1 2
                SORT s ALPHA
                SORT s BY nosort
                SORT s BY nosort STORE dst
                LRANGE dst 0 -1
                SORT s BY nosort DESC STORE dst
                LRANGE dst 0 -1
                SADD t c a b 2 10
                SORT t ALPHA
                SORT t
                SORT t BY nosort STORE dst
                LRANGE dst 0 -1
                ~ SORT t BY nosort
                HSET h_1 w 30 name one
                HSET h_3 w 10 name three
                HSET h_5 w 20
                HSET h_10 name ten
                SORT s BY h_*->w
                SORT s BY h_*->w DESC GET # GET h_*->name
                SORT s BY h_*->nosuchfield GET h_*->name
                SORT s BY h_*->w ALPHA GET h_*->w
                SORT s GET h_*->name GET h_*-> GET h_*->w
                SORT s BY h_*->w GET h_*->name STORE dst
                LRANGE dst 0 -1
                SET str_1 x
                SORT s GET str_*->f
                SORT s BY str_*->f
                RPUSH l 10 3 1 5
                SORT l BY h_*->w GET h_*->name
                SORT l BY nosort GET h_*->w
                """);
    }

    @Test
    void resp3() {
        d.resp3();
        d.script("""
                RPUSH l 2 1
                SORT l
                SORT l GET nosuch_*
                SORT nosuch
                """);
    }
}
