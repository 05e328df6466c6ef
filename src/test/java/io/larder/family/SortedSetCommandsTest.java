package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.larder.testing.DifferentialTestBase;
import org.junit.jupiter.api.Test;

/** Sorted set commands against Redis 7.0, reply for reply. */
class SortedSetCommandsTest extends DifferentialTestBase {

    @Test
    void zaddOptionsAndErrors() {
        d.script("""
                ZADD z 1 a 2 b 3 c
                ZADD z 1 a
                ZADD z CH 5 a 6 d
                ZADD z NX 10 a 7 e
                ZADD z XX 10 a 7 f
                ZADD z XX CH 11 a 12 b
                ZADD z GT 1 a 20 b
                ZADD z GT CH 1 a 21 b 30 g
                ZADD z LT CH 100 a 0 b
                ZADD z LT 100 h
                ZADD z INCR 5 a
                ZADD z INCR NX 5 a
                ZADD z INCR XX 5 a
                ZADD z INCR GT -100 a
                ZADD z INCR LT -100 a
                ZADD z INCR XX 5 nosuch
                ZADD z INCR NX 5 newone
                ZRANGE z 0 -1 WITHSCORES
                ZADD z NX XX 1 a
                ZADD z GT LT 1 a
                ZADD z GT NX 1 a
                ZADD z LT NX 1 a
                ZADD z INCR 1 a 2 b
                ZADD z 1
                ZADD z 1 a 2
                ZADD z
                ZADD z CH
                ZADD z NX
                ZADD z abc a
                ZADD z nan a
                ZADD z 1e400 a
                ZADD z -1e400 a
                ZADD z 1e-400 a
                ZADD z " 1" a
                ZADD z "1 " a
                ZADD z "" a
                ZADD z 1 a abc b
                ZADD z inf x -inf y +inf w 1e-310 u 0x10 v .5 t 5. s
                ZRANGE z 0 -1 WITHSCORES
                ZADD z INCR -inf x
                ZADD z INCR +inf y
                ZSCORE z x
                ZADD missing XX 1 a
                ZADD missing XX INCR 1 a
                EXISTS missing
                SET str v
                ZADD str 1 a
                ZADD str XX 1 a
                ZADD str nan a
                ZINCRBY z 2.5 a
                ZINCRBY z 2.5 newm
                ZINCRBY z abc a
                ZINCRBY z NX a
                ZINCRBY str 1 a
                ZINCRBY z -inf x
                ZINCRBY z inf x
                ZINCRBY z inf y
                ZINCRBY zz 1.1 m
                ZINCRBY zz 0.1 m
                ZINCRBY zz -1.2 m
                ZSCORE zz m
                """);
    }

    @Test
    void scoresFormatting() {
        d.script("""
                ZADD z 0.1 a 1e17 b 1e16 c 123456789012345678 d -0.0000001 e 3.14159265358979323846 f
                ZADD z 1.5e300 g -2.5e-300 h 4.9e-324 i 1.7976931348623157e308 j 100 k -100 l
                ZRANGE z 0 -1 WITHSCORES
                ZSCORE z a
                ZSCORE z d
                ZMSCORE z a b nosuch c
                ZMSCORE nosuch a b
                ZADD n -0 a
                ZSCORE n a
                ZRANGE n 0 -1 WITHSCORES
                ZADD n 0 b -0 c
                ZRANGE n 0 -1 WITHSCORES
                ZSCAN n 0
                ZSCAN z 0
                ZADD big 200000000000000000 a 4611686018427387904 b 4611686018427387905 c -4611686018427387904 d
                ZSCAN big 0
                ZRANGE big 0 -1 WITHSCORES
                """);
        d.resp3();
        d.script("""
                ZRANGE z 0 -1 WITHSCORES
                ZSCORE z a
                ZSCORE z nosuch
                ZMSCORE z a nosuch
                ZADD z INCR 1 a
                ZADD z XX INCR 1 nosuch
                ZINCRBY z inf j
                ZRANGE z 0 2 WITHSCORES
                ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 0 3
                ZREVRANGE z 0 2 WITHSCORES
                ZUNION 2 z n WITHSCORES
                ZPOPMIN z
                ZPOPMIN z 2
                ZPOPMAX z 0
                ZMPOP 1 z MAX COUNT 2
                ZMPOP 1 nosuch MAX
                ZRANDMEMBER nosuch
                ZRANDMEMBER z 100 WITHSCORES
                """);
    }

    @Test
    void zremZcardZrank() {
        d.script("""
                ZADD z 1 a 2 b 3 c 4 d
                ZCARD z
                ZCARD nosuch
                ZREM z a nosuch b
                ZREM z nosuch
                ZCARD z
                ZRANK z c
                ZRANK z d
                ZRANK z nosuch
                ZREVRANK z c
                ZREVRANK z d
                ZRANK nosuch a
                ZREVRANK nosuch a
                ZREM z c d x
                EXISTS z
                ZREM z a
                SET s v
                ZREM s a
                ZCARD s
                ZRANK s a
                ZSCORE s a
                ZMSCORE s a
                ZSCORE nosuch a
                ZADD z 1 a 1 b 1 c
                ZRANK z c
                ZREVRANK z a
                """);
    }

    @Test
    void zcountAndLexcount() {
        d.script("""
                ZADD z 1 a 2 b 3 c 4 d 5 e
                ZCOUNT z -inf +inf
                ZCOUNT z 2 4
                ZCOUNT z (2 4
                ZCOUNT z (2 (4
                ZCOUNT z 4 2
                ZCOUNT z (3 3
                ZCOUNT z 3 3
                ZCOUNT z "" 10
                ZCOUNT z ( 10
                ZCOUNT z " 1" 10
                ZCOUNT z "1 " 10
                ZCOUNT z " " 10
                ZCOUNT z nan 10
                ZCOUNT z 0x1p1 10
                ZCOUNT z 1e400 10
                ZCOUNT z -1e400 1e400
                ZCOUNT z a b
                ZCOUNT nosuch 1 2
                ZCOUNT nosuch a 2
                ZADD l 0 a 0 b 0 c 0 d 0 e
                ZLEXCOUNT l - +
                ZLEXCOUNT l [b [d
                ZLEXCOUNT l (b (d
                ZLEXCOUNT l [d [b
                ZLEXCOUNT l + -
                ZLEXCOUNT l - -
                ZLEXCOUNT l + +
                ZLEXCOUNT l [ +
                ZLEXCOUNT l ( +
                ZLEXCOUNT l (a (a
                ZLEXCOUNT l [a [a
                ZLEXCOUNT l a b
                ZLEXCOUNT l "" +
                ZLEXCOUNT l -x +
                ZLEXCOUNT l - +x
                ZLEXCOUNT nosuch - +
                ZLEXCOUNT nosuch a +
                SET s v
                ZCOUNT s 1 2
                ZLEXCOUNT s - +
                ZCOUNT s a 2
                """);
    }

    @Test
    void zrangeByRank() {
        d.script("""
                ZADD z 1 a 2 b 3 c 4 d 5 e
                ZRANGE z 0 -1
                ZRANGE z 0 -1 WITHSCORES
                ZRANGE z 1 3
                ZRANGE z -2 -1
                ZRANGE z -100 100
                ZRANGE z 3 1
                ZRANGE z 5 10
                ZRANGE z 0 0 REV
                ZRANGE z 0 -1 REV WITHSCORES
                ZRANGE z 1 2 rev withscores
                ZREVRANGE z 0 -1
                ZREVRANGE z 0 1 WITHSCORES
                ZREVRANGE z 0 1 REV
                ZRANGE z a 1
                ZRANGE z 0 b
                ZRANGE z 0 1 LIMIT 0 1
                ZRANGE z 0 1 LIMIT 0 -1
                ZRANGE z 0 1 LIMIT 0
                ZRANGE z 0 1 FOO
                ZRANGE z 0 -9223372036854775808
                ZRANGE z -9223372036854775808 9223372036854775807
                ZRANGE nosuch 0 -1
                ZRANGE nosuch 0 -1 WITHSCORES
                ZRANGE nosuch a b
                SET s v
                ZRANGE s 0 -1
                ZREVRANGE s 0 -1
                """);
    }

    @Test
    void zrangeByScore() {
        d.script("""
                ZADD z 1 a 2 b 3 c 4 d 5 e 5 f 5 g
                ZRANGEBYSCORE z -inf +inf
                ZRANGEBYSCORE z -inf +inf WITHSCORES
                ZRANGEBYSCORE z 2 4
                ZRANGEBYSCORE z (2 4
                ZRANGEBYSCORE z (2 (4
                ZRANGEBYSCORE z 4 2
                ZRANGEBYSCORE z 5 5
                ZRANGEBYSCORE z (5 5
                ZRANGEBYSCORE z -inf +inf LIMIT 0 2
                ZRANGEBYSCORE z -inf +inf LIMIT 2 2
                ZRANGEBYSCORE z -inf +inf LIMIT 2 -1
                ZRANGEBYSCORE z -inf +inf LIMIT 2 0
                ZRANGEBYSCORE z -inf +inf LIMIT -1 2
                ZRANGEBYSCORE z -inf +inf LIMIT 7 2
                ZRANGEBYSCORE z -inf +inf LIMIT 100 2
                ZRANGEBYSCORE z 3 +inf LIMIT 1 1 WITHSCORES
                ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 1 2 WITHSCORES
                ZRANGEBYSCORE z -inf +inf LIMIT 1
                ZRANGEBYSCORE z -inf +inf LIMIT a 1
                ZRANGEBYSCORE z -inf +inf REV
                ZRANGEBYSCORE z -inf +inf BYSCORE
                ZRANGEBYSCORE z a b
                ZRANGEBYSCORE z 1 b
                ZREVRANGEBYSCORE z +inf -inf
                ZREVRANGEBYSCORE z 4 2 WITHSCORES
                ZREVRANGEBYSCORE z (4 (2
                ZREVRANGEBYSCORE z 2 4
                ZREVRANGEBYSCORE z +inf -inf LIMIT 1 3
                ZREVRANGEBYSCORE z +inf -inf LIMIT 6 3
                ZREVRANGEBYSCORE z 5 5 LIMIT 1 1
                ZRANGE z 2 4 BYSCORE
                ZRANGE z 4 2 BYSCORE REV
                ZRANGE z 4 2 BYSCORE REV WITHSCORES LIMIT 1 1
                ZRANGE z (1 +inf BYSCORE LIMIT 1 2
                ZRANGE z 1 2 BYSCORE BYLEX
                ZRANGE z 1 2 BYSCORE BYSCORE
                ZRANGE z 1 2 REV REV
                ZRANGEBYSCORE nosuch 1 2
                ZRANGEBYSCORE nosuch a b
                SET s v
                ZRANGEBYSCORE s 1 2
                ZRANGEBYSCORE s a 2
                """);
    }

    @Test
    void zrangeByLex() {
        d.script("""
                ZADD z 0 a 0 b 0 c 0 d 0 e 0 f 0 g
                ZRANGEBYLEX z - +
                ZRANGEBYLEX z [b [d
                ZRANGEBYLEX z (b (d
                ZRANGEBYLEX z [d [b
                ZRANGEBYLEX z - [c
                ZRANGEBYLEX z (c +
                ZRANGEBYLEX z - + LIMIT 1 2
                ZRANGEBYLEX z - + LIMIT 1 -1
                ZRANGEBYLEX z - + LIMIT -1 2
                ZRANGEBYLEX z - + LIMIT 10 2
                ZRANGEBYLEX z - + WITHSCORES
                ZRANGEBYLEX z a b
                ZRANGEBYLEX z [a b
                ZRANGEBYLEX z +a -
                ZREVRANGEBYLEX z + -
                ZREVRANGEBYLEX z [d [b
                ZREVRANGEBYLEX z [b [d
                ZREVRANGEBYLEX z + - LIMIT 2 3
                ZRANGE z [b [e BYLEX
                ZRANGE z [e [b BYLEX REV
                ZRANGE z [e [b BYLEX REV LIMIT 1 2
                ZRANGE z - + BYLEX WITHSCORES
                ZADD m 1 a 2 b 3 c 0 d 5 e
                ZRANGEBYLEX m - +
                ZRANGEBYLEX m [b [d
                ZRANGEBYLEX m [a [c
                ZRANGEBYLEX m [c +
                ZREVRANGEBYLEX m [d [b
                ZLEXCOUNT m [b [d
                ZLEXCOUNT m [a [c
                ZRANGEBYLEX nosuch - +
                ZRANGEBYLEX nosuch a +
                SET s v
                ZRANGEBYLEX s - +
                """);
    }

    @Test
    void zrangestore() {
        d.script("""
                ZADD z 1 a 2 b 3 c 4 d 5 e
                ZRANGESTORE d z 0 2
                ZRANGE d 0 -1 WITHSCORES
                ZRANGESTORE d z 1 2 BYSCORE
                ZRANGE d 0 -1 WITHSCORES
                ZRANGESTORE d z 5 1 BYSCORE REV LIMIT 1 2
                ZRANGE d 0 -1 WITHSCORES
                ZRANGESTORE d z [a [c BYLEX
                ZRANGE d 0 -1 WITHSCORES
                ZRANGESTORE d z 0 -1 WITHSCORES
                ZRANGESTORE d z 10 20
                EXISTS d
                ZRANGESTORE d z 0 -1
                ZRANGESTORE d nosuch 0 -1
                EXISTS d
                SET s v
                ZRANGESTORE d s 0 -1
                ZRANGESTORE s z 0 1
                GET s
                ZRANGE s 0 -1
                ZRANGESTORE z z 1 2
                ZRANGE z 0 -1 WITHSCORES
                ZRANGESTORE d z 0 1 LIMIT 0 1
                ZRANGESTORE d z a b BYSCORE
                """);
    }

    @Test
    void zremrange() {
        d.script("""
                ZADD z 1 a 2 b 3 c 4 d 5 e 6 f 7 g
                ZREMRANGEBYRANK z 0 0
                ZREMRANGEBYRANK z -1 -1
                ZREMRANGEBYRANK z 3 1
                ZREMRANGEBYRANK z 10 20
                ZRANGE z 0 -1
                ZREMRANGEBYSCORE z (2 4
                ZRANGE z 0 -1
                ZREMRANGEBYSCORE z 10 20
                ZREMRANGEBYSCORE z a b
                ZREMRANGEBYRANK z a 1
                ZREMRANGEBYSCORE z -inf +inf
                EXISTS z
                ZADD z 0 a 0 b 0 c 0 d 0 e
                ZREMRANGEBYLEX z [b (d
                ZRANGE z 0 -1
                ZREMRANGEBYLEX z a b
                ZREMRANGEBYLEX z [z +
                ZREMRANGEBYLEX z - +
                EXISTS z
                ZREMRANGEBYRANK nosuch 0 1
                ZREMRANGEBYSCORE nosuch 0 1
                ZREMRANGEBYLEX nosuch - +
                ZREMRANGEBYLEX nosuch a +
                SET s v
                ZREMRANGEBYRANK s 0 1
                ZREMRANGEBYSCORE s 0 1
                ZREMRANGEBYLEX s - +
                ZADD z 1 a 2 b 3 c
                ZREMRANGEBYRANK z -100 100
                EXISTS z
                """);
    }

    @Test
    void setOperations() {
        d.script("""
                ZADD a 1 x 2 y 3 z
                ZADD b 10 y 20 z 30 w
                ZADD c 100 z
                ZUNION 2 a b
                ZUNION 2 a b WITHSCORES
                ZUNION 3 a b c WITHSCORES
                ZUNION 2 a b WEIGHTS 2 3 WITHSCORES
                ZUNION 2 a b AGGREGATE MIN WITHSCORES
                ZUNION 2 a b AGGREGATE MAX WITHSCORES
                ZUNION 2 a b WEIGHTS 1 -1 AGGREGATE SUM WITHSCORES
                ZUNION 2 a nosuch WITHSCORES
                ZUNION 1 nosuch
                ZINTER 2 a b WITHSCORES
                ZINTER 3 a b c WITHSCORES
                ZINTER 2 a b WEIGHTS 0.5 2 AGGREGATE MAX WITHSCORES
                ZINTER 2 a nosuch
                ZINTER 2 a a WITHSCORES
                ZINTER 2 a a WEIGHTS 1 2 WITHSCORES
                ZDIFF 2 a b
                ZDIFF 2 a b WITHSCORES
                ZDIFF 3 b a c WITHSCORES
                ZDIFF 2 a a
                ZDIFF 1 a WITHSCORES
                ZDIFF 2 nosuch a
                ZINTERCARD 2 a b
                ZINTERCARD 2 a b LIMIT 1
                ZINTERCARD 2 a b LIMIT 0
                ZINTERCARD 1 a LIMIT 2
                ZINTERCARD 2 a nosuch
                ZINTERCARD 2 a b LIMIT -1
                ZINTERCARD 2 a b LIMIT x
                ZINTERCARD 2 a b WITHSCORES
                ZINTERCARD 2 a b WEIGHTS 1 2
                ZINTERCARD 0 a
                ZINTERCARD 3 a b
                ZUNIONSTORE d 2 a b
                ZRANGE d 0 -1 WITHSCORES
                ZINTERSTORE d 2 a b WEIGHTS 2 2
                ZRANGE d 0 -1 WITHSCORES
                ZDIFFSTORE d 2 a b
                ZRANGE d 0 -1 WITHSCORES
                ZINTERSTORE d 2 a nosuch
                EXISTS d
                ZINTERSTORE d 2 a nosuch
                ZUNIONSTORE a 2 a b
                ZRANGE a 0 -1 WITHSCORES
                ZUNIONSTORE d 2 a b WITHSCORES
                ZDIFFSTORE d 2 a b WEIGHTS 1 2
                ZDIFF 2 a b AGGREGATE MIN
                ZUNION 2 a b WEIGHTS 1
                ZUNION 2 a b WEIGHTS 1 x
                ZUNION 2 a b WEIGHTS 1 nan
                ZUNION 2 a b AGGREGATE
                ZUNION 2 a b AGGREGATE avg
                ZUNION 2 a b FOO
                ZUNION 0 a
                ZUNION -1 a
                ZUNION x a
                ZUNION 3 a b
                ZUNIONSTORE d 0 a
                ZUNIONSTORE d 3 a b
                SET s v
                ZUNION 2 a s
                ZUNION 2 s a FOO
                ZINTER 2 nosuch s
                ZUNIONSTORE d 2 a s
                ZUNIONSTORE s 2 a b
                GET s
                ZADD i 1 x
                ZADD j -inf x
                ZADD k +inf x
                ZUNION 3 i j k WITHSCORES
                ZUNION 2 j k WITHSCORES
                ZINTER 2 j k WITHSCORES
                ZUNION 2 k k WEIGHTS 0 1 WITHSCORES
                ZUNION 1 k WEIGHTS 0 WITHSCORES
                ZINTER 2 i k WEIGHTS 1 0 WITHSCORES
                ZINTER 2 i k WEIGHTS 1 0 AGGREGATE MIN WITHSCORES
                ZINTER 2 i k WEIGHTS 1 0 AGGREGATE MAX WITHSCORES
                ZUNION 2 i k WEIGHTS inf -inf WITHSCORES
                """);
    }

    @Test
    void setOperationsWithPlainSets() {
        d.script("""
                ZADD z 1 a 2 b 3 1 4 10
                SADD ints 1 2 3 10
                SADD strs a c d
                ZUNION 2 z ints WITHSCORES
                ZUNION 2 ints strs WITHSCORES
                ZUNION 2 z strs WEIGHTS 2 5 WITHSCORES
                ZUNION 3 z ints strs AGGREGATE MAX WITHSCORES
                ZINTER 2 z ints WITHSCORES
                ZINTER 2 ints z WEIGHTS 3 1 AGGREGATE MIN WITHSCORES
                ZINTER 2 z strs WITHSCORES
                ZINTER 2 ints ints WITHSCORES
                ZINTER 1 strs WITHSCORES
                ZDIFF 2 z ints WITHSCORES
                ZDIFF 2 ints z WITHSCORES
                ZDIFF 2 strs z WITHSCORES
                ZDIFF 2 strs strs
                ZINTERCARD 2 z ints
                ZINTERCARD 2 strs z LIMIT 1
                ZUNIONSTORE d 2 ints strs
                ZRANGE d 0 -1 WITHSCORES
                ZINTERSTORE d 2 z strs WEIGHTS 2 2
                ZRANGE d 0 -1 WITHSCORES
                ZDIFFSTORE d 2 ints z
                ZRANGE d 0 -1 WITHSCORES
                ZUNIONSTORE ints 2 ints z
                ZRANGE ints 0 -1 WITHSCORES
                HSET h f v
                ZUNION 2 z h
                ZINTERSTORE d 2 h z
                RPUSH l x
                ZDIFF 2 z l
                """);
        // A set in the hashtable encoding (members in table order): compare as sets where order is the set's.
        d.script("""
                SADD big a b c d e f g h 1 2 3
                ZUNION 1 big WITHSCORES
                ZINTER 2 big z WITHSCORES
                ZDIFF 2 big z
                ZUNIONSTORE d 2 big z
                ZRANGE d 0 -1 WITHSCORES
                """);
    }

    @Test
    void genericKeyCommandsOnSortedSets() {
        try {
            genericKeyCommands();
        } finally {
            d.exec("CONFIG", "SET", "zset-max-listpack-entries", "128");
        }
    }

    private void genericKeyCommands() {
        d.script("""
                ZADD z 1 a 2 b
                TYPE z
                OBJECT ENCODING z
                COPY z c
                OBJECT ENCODING c
                ZADD c 3 c
                ZRANGE z 0 -1 WITHSCORES
                ZRANGE c 0 -1 WITHSCORES
                CONFIG SET zset-max-listpack-entries 1
                ZADD big 1 a 2 b 3 c
                COPY big bigcopy
                OBJECT ENCODING bigcopy
                ZREM big a
                ZRANGE bigcopy 0 -1 WITHSCORES
                ZRANGE big 0 -1 WITHSCORES
                RENAME big moved
                ZRANGE moved 0 -1 WITHSCORES
                OBJECT ENCODING moved
                """);
    }

    @Test
    void pops() {
        d.script("""
                ZADD z 1 a 2 b 3 c 4 d 5 e
                ZPOPMIN z
                ZPOPMAX z
                ZPOPMIN z 2
                ZPOPMAX z 0
                ZPOPMIN z 10
                EXISTS z
                ZPOPMIN z
                ZPOPMIN z 0
                ZPOPMIN nosuch 1
                ZPOPMIN z -1
                ZPOPMIN z a
                ZPOPMIN z 1 2
                SET s v
                ZPOPMIN s
                ZPOPMAX s 1
                ZADD z 1 a 2 b 3 c
                ZADD y 10 x
                ZMPOP 1 z MIN
                ZMPOP 2 nosuch z MAX COUNT 5
                EXISTS z
                ZMPOP 2 z y MIN COUNT 1
                ZMPOP 2 z y MIN
                ZMPOP 1 nosuch MIN
                ZMPOP 0 z MIN
                ZMPOP -1 z MIN
                ZMPOP x z MIN
                ZMPOP 2 z MIN
                ZMPOP 1 z FOO
                ZMPOP 1 z MIN COUNT 0
                ZMPOP 1 z MIN COUNT -1
                ZMPOP 1 z MIN COUNT x
                ZMPOP 1 z MIN COUNT 1 COUNT 2
                ZMPOP 1 z MIN COUNT
                ZMPOP 1 z MIN FOO
                ZMPOP 3 z MIN
                ZMPOP 1 s MIN
                ZMPOP 2 nosuch s MIN
                """);
    }

    @Test
    void zrandmemberDeterministicParts() {
        d.script("""
                ZRANDMEMBER nosuch
                ZRANDMEMBER nosuch 5
                ZRANDMEMBER nosuch -5 WITHSCORES
                ZADD z 1 a 2 b 3 c 4 d
                ZRANDMEMBER z 0
                ZRANDMEMBER z 4
                ZRANDMEMBER z 10 WITHSCORES
                ZRANDMEMBER z 10 withscores
                ZRANDMEMBER z a
                ZRANDMEMBER z 1 FOO
                ZRANDMEMBER z 1 WITHSCORES FOO
                ZRANDMEMBER z 9223372036854775807 WITHSCORES
                ZRANDMEMBER z -9223372036854775807 WITHSCORES
                ZRANDMEMBER z 4611686018427387904 WITHSCORES
                ZRANDMEMBER z -4611686018427387905 WITHSCORES
                SET s v
                ZRANDMEMBER s
                ZRANDMEMBER s 1
                ZADD one 5 only
                ZRANDMEMBER one
                ZRANDMEMBER one 1 WITHSCORES
                ZRANDMEMBER one -3 WITHSCORES
                ZRANDMEMBER one -3
                """);
        d.resp3();
        d.script("""
                ZRANDMEMBER z 10 WITHSCORES
                ZRANDMEMBER one -2 WITHSCORES
                """);
    }

    @Test
    void zscanSmall() {
        d.script("""
                ZADD z 1 a 2.5 b 3 c 1e20 d -inf e
                ZSCAN z 0
                ZSCAN z 123
                ZSCAN z 0 COUNT 1
                ZSCAN z 0 MATCH a*
                ZSCAN z 0 MATCH * COUNT 100
                ZSCAN z 0 COUNT 0
                ZSCAN z 0 COUNT -1
                ZSCAN z 0 COUNT x
                ZSCAN z 0 FOO
                ZSCAN z 0 TYPE zset
                ZSCAN z 0 MATCH
                ZSCAN z x
                ZSCAN z -1
                ZSCAN z " 1"
                ZSCAN z +1
                ZSCAN z ""
                ZSCAN z 18446744073709551615
                ZSCAN z 18446744073709551616
                ZSCAN nosuch 0
                ZSCAN nosuch 0 COUNT 0
                ZSCAN nosuch x
                SET s v
                ZSCAN s 0
                """);
    }

    /** Which lookups count as keyspace hits and misses (read lookups do, write lookups do not). */
    @Test
    void keyspaceHitAndMissCounting() {
        d.exec("ZADD", "a", "1", "x");
        String[] cmds = {
            "ZUNIONSTORE d 2 a nosuch", "ZUNION 2 a nosuch", "ZRANGESTORE d a 0 -1", "ZRANGESTORE d nosuch 0 -1",
            "ZPOPMIN nosuch", "ZMPOP 1 nosuch MIN", "ZADD nosuch XX 1 a", "ZREM nosuch a", "ZRANDMEMBER nosuch",
            "ZSCAN nosuch 0", "ZMSCORE nosuch a", "ZREMRANGEBYRANK nosuch 0 1", "SORT nosuch", "ZINTERCARD 2 a nosuch",
            "ZDIFFSTORE d 2 a nosuch", "ZSCORE a x", "ZRANK nosuch x", "ZCOUNT a 0 1", "SORT a BY nosort",
        };
        var stats = larder.server().stats();
        for (String cmd : cmds) {
            d.redis().call("CONFIG", "RESETSTAT");
            long h0 = stats.keyspaceHits(), m0 = stats.keyspaceMisses();
            d.exec(cmd.split(" "));
            String info = (String) d.redis().call("INFO", "stats");
            long rh = Long.parseLong(info.replaceAll("(?s).*keyspace_hits:(\\d+).*", "$1"));
            long rm = Long.parseLong(info.replaceAll("(?s).*keyspace_misses:(\\d+).*", "$1"));
            assertEquals(rh + "/" + rm, (stats.keyspaceHits() - h0) + "/" + (stats.keyspaceMisses() - m0), cmd);
        }
    }
}
