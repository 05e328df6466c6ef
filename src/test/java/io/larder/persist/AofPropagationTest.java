package io.larder.persist;

import org.junit.jupiter.api.Test;

/**
 * What goes into the AOF is what Redis 7.0 writes there (and what a replica
 * would receive): each scenario runs on Larder and on redis-server with
 * appendonly yes, and both INCR files must hold the same commands (clock
 * times compared to within seconds).
 */
class AofPropagationTest {
    private static void same(String script, String... options) {
        try (AofDiff a = AofDiff.start(options)) {
            a.script(script);
            a.assertSameAof();
        }
    }

    @Test
    void strings() {
        same("""
                set k v
                set k v ex 100
                set k v px 100000 nx
                set k2 v px 100000 get
                set k3 v exat 4102444800
                set k3 v pxat 4102444800123 xx get
                set k4 v keepttl
                set k4 w keepttl get
                setex se 100 v
                psetex pe 100000 v
                setnx k v
                setnx nx v
                getset k w
                getdel k
                getdel nokey
                set n 10
                incr n
                incrby n 5
                decr n
                decrby n 2
                incrbyfloat n 1.5
                incrbyfloat n 1e3
                set f 3.0
                incrbyfloat f 0
                append n xyz
                append new abc
                setrange new 5 zz
                setrange new 0 ""
                mset a 1 b 2
                msetnx a 1 c 3
                msetnx c 3 d 4
                set g v ex 100
                getex g
                getex g ex 200
                getex g px 200000
                getex g exat 4102444800
                getex g pxat 4102444800123
                getex g persist
                getex g persist
                getex nokey ex 100
                getex g exat 1
                set s 1
                set s 2 exat 1
                get s
                """);
    }

    @Test
    void expiresAndKeys() {
        same("""
                set k v
                expire k 100
                expire k 100 nx
                expire k 200 xx
                expire k 50 gt
                expire k 300 gt
                expire k 10 lt
                pexpire k 100000
                expireat k 4102444800
                pexpireat k 4102444800123
                pexpireat k 4102444800123
                persist k
                persist k
                expire nokey 10
                set a 1
                expire a -1
                set b 1
                pexpireat b 1
                set c 1
                expireat c 100
                exists a b c
                set d 1
                del d nokey
                del nokey
                set e 1
                unlink e
                set r1 v
                rename r1 r2
                set r3 v
                renamenx r2 r3
                renamenx r2 r4
                set cp v
                copy cp cp2
                copy cp cp2
                copy cp cp2 replace
                copy cp cp3 db 2
                move cp 1
                move cp2 1
                swapdb 0 1
                select 1
                set x y
                flushdb
                select 0
                set y z
                flushall
                flushall
                """);
    }

    @Test
    void lists() {
        same("""
                rpush l a b c d e f
                lpush l z
                lpushx nol x
                rpushx l y
                lpop l
                rpop l 2
                lpop nol
                lmpop 2 nol l left count 2
                lmpop 1 l right
                lmpop 1 l right count 100
                rpush l 1 2 3 4
                lset l 0 x
                linsert l before x w
                lrem l 0 x
                ltrim l 0 1
                ltrim l 0 -1
                rpush s 1 2
                lmove s d left right
                rpoplpush s d
                rpoplpush s d
                rpush b 1 2 3
                blpop nob b 0
                brpop b 1
                blmove b d right left 0
                brpoplpush nob d 0.01
                rpush b 4 5 6
                blmpop 0 1 b left count 2
                blmpop 0 1 b right
                blpop b 0.01
                """);
    }

    @Test
    void sets() {
        same("""
                sadd s a
                sadd s a
                srem s nope
                spop s
                spop s
                sadd s a
                spop s 0
                spop s 5
                sadd t 1
                spop t 1
                sadd a 1 2 3
                sadd b 2 3 4
                sinterstore c a b
                sunionstore c a b
                sdiffstore c a b
                sdiffstore c a a
                smove a b 1
                smove a b 9
                ! srandmember b
                sintercard 2 a b
                """);
    }

    @Test
    void sortedSetsAndGeo() {
        same("""
                zadd z 1 a 2 b 3 c
                zadd z xx ch 5 a
                zadd z nx 1 a
                zadd z incr 2 b
                zincrby z 1.5 c
                zincrby z 0 c
                zrem z nope
                zpopmin z
                zpopmax z 5
                zpopmin z
                zadd z 1 a 2 b 3 c 4 d
                zmpop 1 z min count 2
                zmpop 2 noz z max
                zadd z 7 e 8 f
                bzpopmin noz z 0
                bzpopmax z 0
                zadd z 1 a 2 b 3 c
                bzmpop 0 1 z max count 5
                zadd z 1 a 2 b 3 c
                zrangestore dst z 0 -1
                zunionstore u 1 z
                zinterstore i 2 z u weights 1 2
                zdiffstore df 1 z
                zremrangebyscore z 1 1
                zremrangebyrank z 0 0
                zremrangebylex z - +
                geoadd g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
                geoadd g xx ch 13.361389 38.115556 Palermo
                geosearchstore gs g fromlonlat 15 37 byradius 200 km asc
                georadius g 15 37 200 km store gr
                georadius g 15 37 200 km storedist gd
                georadiusbymember g Palermo 10 km store gm
                """);
    }

    @Test
    void hashesBitmapsAndHyperLogLogs() {
        same("""
                hset h a 1 b 2
                hset h a 1
                hmset h c 3
                hsetnx h c 4
                hsetnx h d 4
                hincrby h a 10
                hincrbyfloat h b 1.5
                hincrbyfloat h n 3
                hincrbyfloat h b 0
                hdel h a nope
                hdel h nope
                setbit bm 7 1
                setbit bm 7 1
                bitfield bf set u8 0 255 get u8 0
                bitfield bf incrby u8 0 10 overflow fail incrby u8 0 300
                bitfield_ro bf get u8 0
                bitop and dest bm bf
                pfadd p a b c
                pfadd p a
                pfcount p
                pfcount p
                pfadd p2 x
                pfmerge p3 p p2
                pfcount p p2
                """);
    }

    @Test
    void streams() {
        same("""
                ! xadd s * a 1
                xadd s 5-* b 2
                ! xadd s maxlen ~ 1 * c 3
                ! xadd s nomkstream * d 4
                xadd nos nomkstream * d 4
                ! xadd s minid = 0 * e 5
                ! xadd s minid ~ 0 * e 6
                ! xadd s maxlen = 3 limit 0 * e 6
                xtrim s maxlen 2
                xtrim s maxlen ~ 0
                xtrim s minid ~ 0
                xadd t 1-1 a 1
                xadd t 2-1 b 2
                xadd t 3-1 c 3
                xgroup create t g 0
                xgroup create t g2 $ mkstream entriesread 1
                xgroup createconsumer t g alice
                xgroup createconsumer t g alice
                xreadgroup group g bob count 1 streams t >
                xreadgroup group g bob noack count 1 streams t >
                xreadgroup group g newc noack count 1 streams t >
                xreadgroup group g bob streams t 0
                xreadgroup group g bob streams t >
                xclaim t g carol 0 1-1
                xclaim t g carol 0 1-1 2-1 justid lastid 5-0
                xclaim t g carol 0 9-9
                xclaim t g carol 0 9-9 lastid 7-0
                xdel t 1-1
                xclaim t g dave 0 1
                xadd t 8-1 d 4
                xadd t 9-1 e 5
                xadd t 10-1 f 6
                xreadgroup group g bob count 5 streams t >
                xdel t 8-1
                xautoclaim t g erin 0 0 count 10
                xautoclaim t g erin 0 0 count 10 justid
                xack t g 10-1
                xgroup setid t g 0 entriesread 0
                xgroup delconsumer t g alice
                xgroup destroy t g2
                xsetid t 99-1
                xsetid t 99-2 entriesadded 10 maxdeletedid 8-1
                """);
    }

    @Test
    void blockedClientsServedLater() throws Exception {
        try (AofDiff a = AofDiff.start(); io.larder.testing.Diff b = new io.larder.testing.Diff(a.larder.port(),
                a.redis.port())) {
            String[][] cases = {
                    {"blpop k1 0", "rpush k1 a b"},
                    {"brpop k2 nokey 0", "lpush k2 a b"},
                    {"blmove k3 dst left right 0", "rpush k3 x"},
                    {"brpoplpush k4 dst 0", "rpush k4 y"},
                    {"blmpop 0 1 k5 left count 3", "rpush k5 1 2"},
                    {"blmpop 0 1 k6 right", "rpush k6 1 2"},
                    {"bzpopmin z1 0", "zadd z1 1 a 2 b"},
                    {"bzpopmax z2 0", "zadd z2 1 a 2 b"},
                    {"bzmpop 0 1 z3 min count 5", "zadd z3 1 a 2 b"},
                    {"xread block 0 streams s1 $", "xadd s1 1-1 a 1"},
                    {"xreadgroup group g c1 block 0 streams s2 >", "xadd s2 1-2 a 1"},
                    {"xreadgroup group g c2 noack block 0 streams s3 >", "xadd s3 1-3 a 1"},
            };
            a.d.exec("xgroup", "create", "s2", "g", "$", "mkstream");
            a.d.exec("xgroup", "create", "s3", "g", "$", "mkstream");
            for (String[] k : cases) {
                String[] block = k[0].split(" ");
                b.larder().send(block);
                b.redis().send(block);
                awaitBlocked(a, 1);
                a.d.check(k[1].split(" "));
                b.next();
                awaitBlocked(a, 0);
            }
            a.assertSameAof();
        }
    }

    /** Both servers report this many blocked clients. */
    static void awaitBlocked(AofDiff a, int n) {
        a.await(() -> blocked(a.larderClient()) == n && blocked(a.redisClient()) == n, n + " blocked clients");
    }

    private static int blocked(io.larder.testing.RespClient c) {
        try (c) {
            String info = (String) c.call("INFO", "clients");
            for (String line : info.split("\r\n")) {
                if (line.startsWith("blocked_clients:")) return Integer.parseInt(line.substring(16));
            }
            return -1;
        }
    }

    @Test
    void transactionsScriptsAndFunctions() {
        same("""
                multi
                set a 1
                exec
                multi
                set a 1
                incr a
                get a
                exec
                multi
                get a
                exec
                multi
                set x 1
                select 3
                set y 2
                exec
                select 0
                multi
                incr a
                incr nonint
                set nonint v
                incr nonint
                exec
                eval "redis.call('set', KEYS[1], '1')" 1 k
                eval "redis.call('set', KEYS[1], '1'); redis.call('incr', KEYS[1])" 1 k
                eval "return redis.call('get', KEYS[1])" 1 k
                eval "redis.call('set', 'e', 'v', 'ex', 100); redis.call('spop', 'nosuch'); return 1" 0
                eval "redis.call('sadd', 's', 'a'); return redis.call('spop', 's')" 0
                eval "redis.call('select', 5); redis.call('set', 'in5', 'v')" 0
                eval_ro "return redis.call('get', KEYS[1])" 1 k
                eval "redis.set_repl(redis.REPL_NONE); redis.call('set','r1','1'); redis.set_repl(redis.REPL_ALL); redis.call('set','r2','2')" 0
                eval "redis.set_repl(redis.REPL_REPLICA); redis.call('set','r3','1'); redis.call('set','r4','1')" 0
                eval "redis.set_repl(redis.REPL_AOF); redis.call('set','r5','1'); redis.call('set','r6','1')" 0
                eval "redis.set_repl(redis.REPL_SLAVE); redis.call('incr','r7'); redis.set_repl(redis.REPL_AOF); redis.call('incr','r7')" 0
                eval "redis.call('set','r8','1'); redis.set_repl(7)" 0
                script load "return 1"
                evalsha e0e1f9fabfc9d4800c877a703b823ac0578ff8db 0
                script flush
                function load "#!lua name=lib\\nredis.register_function('f', function(keys, args) return redis.call('incr', keys[1]) end)"
                fcall f 1 counter
                fcall f 1 counter
                function load replace "#!lua name=lib\\nredis.register_function('f', function(keys, args) redis.call('set', keys[1], '1'); return redis.call('incr', keys[1]) end)"
                fcall f 1 counter
                function delete lib
                function flush
                function flush async
                """);
    }

    @Test
    void restoreSortAndMore() {
        same("""
                set src v
                ! dump src
                rpush l 3 1 2
                sort l store sorted
                sort l desc store sorted
                sort_ro l
                set o 1
                object freq o
                publish ch msg
                spublish ch msg
                set t v
                touch t
                persist t
                lpush big a
                rename big big2
                """);
        // RESTORE with a payload made by DUMP (the same bytes on both).
        try (AofDiff a = AofDiff.start()) {
            a.d.exec("set", "src", "value");
            byte[] payload = (byte[]) null;
            Object dumped = a.d.larder().call("DUMP", "src");
            String p = dumped instanceof String s ? s : new String((byte[]) dumped, java.nio.charset.StandardCharsets.ISO_8859_1);
            a.d.check("RESTORE", "r1", "0", p);
            a.d.check("RESTORE", "r2", "100000", p);
            a.d.check("RESTORE", "r3", "4102444800123", p, "ABSTTL");
            a.d.check("RESTORE", "r1", "100000", p, "REPLACE");
            a.d.check("RESTORE", "r1", "1", p, "REPLACE", "ABSTTL");
            a.d.check("RESTORE", "r4", "0", p, "IDLETIME", "100");
            a.assertSameAof();
        }
    }

    @Test
    void expiredKeysAreDeleted() throws Exception {
        try (AofDiff a = AofDiff.start()) {
            a.d.exec("debug", "set-active-expire", "0");
            a.script("""
                    set k v px 1
                    set e v px 1
                    set m v px 1
                    set n v px 1
                    set o v px 1
                    hset h f v
                    pexpire h 1
                    """);
            Thread.sleep(20);
            a.script("""
                    set k v2
                    get e
                    multi
                    get m
                    incr n
                    exec
                    hget h f
                    eval "return redis.call('get', 'o')" 0
                    """);
            a.script("""
                    set a 1 px 1
                    set b 1 px 1
                    mset c 1 d 1
                    pexpire c 1
                    pexpire d 1
                    """);
            Thread.sleep(20);
            a.script("""
                    mget a b
                    del c d
                    """);
            a.assertSameAof();
            // SCAN and RANDOMKEY delete each expired key they meet on its own (no MULTI), in their own order.
            a.script("""
                    flushall
                    set s1 1 px 1
                    set s2 1 px 1
                    set s3 1 px 1
                    """);
            Thread.sleep(20);
            a.script("""
                    ! scan 0 count 1000
                    set r1 1 px 1
                    """);
            Thread.sleep(20);
            a.script("! randomkey");
            a.awaitSameLength();
            java.util.List<String> l = AofDiff.commands(a.larderIncr()), r = AofDiff.commands(a.redisIncr());
            org.junit.jupiter.api.Assertions.assertEquals(
                    r.subList(r.size() - 5, r.size()).stream().map(AofDiff::normalize).sorted().toList(),
                    l.subList(l.size() - 5, l.size()).stream().map(AofDiff::normalize).sorted().toList());
            org.junit.jupiter.api.Assertions.assertFalse(l.subList(l.size() - 5, l.size()).contains("MULTI"));
        }
    }

    @Test
    void activeExpiryPropagatesDel() throws Exception {
        try (AofDiff a = AofDiff.start()) {
            a.script("""
                    set a v px 30
                    set b v px 30
                    rpush c v
                    pexpire c 30
                    """);
            a.await(() -> a.d.larder().call("DBSIZE").equals(0L) && a.d.redis().call("DBSIZE").equals(0L),
                    "active expiry on both");
            a.awaitSameLength();
            // The cycle meets keys in its own order: the deletions are compared as a set.
            java.util.List<String> l = new java.util.ArrayList<>(), r = new java.util.ArrayList<>();
            for (String x : AofDiff.commands(a.larderIncr())) l.add(AofDiff.normalize(x));
            for (String x : AofDiff.commands(a.redisIncr())) r.add(AofDiff.normalize(x));
            org.junit.jupiter.api.Assertions.assertEquals(r.subList(0, 5), l.subList(0, 5));
            org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of("DEL a", "DEL b", "DEL c"),
                    l.subList(5, l.size()).stream().sorted().toList());
            org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of("DEL a", "DEL b", "DEL c"),
                    r.subList(5, r.size()).stream().sorted().toList());
        }
    }
}
