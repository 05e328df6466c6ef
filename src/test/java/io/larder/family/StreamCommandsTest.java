package io.larder.family;

import io.larder.testing.DifferentialTestBase;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every stream command, option and error path compared with Redis 7.0, in
 * RESP2 and RESP3. Entry IDs are explicit (an ID from "*" is the clock);
 * replies carrying times are compared with the times masked
 * ({@link StreamTesting}, lines starting with "@ ").
 */
class StreamCommandsTest extends DifferentialTestBase {

    private void run(String script) {
        StreamTesting.script(d, script);
    }

    /** Sets a stream node limit on both servers. */
    private void nodeLimits(String maxBytes, String maxEntries) {
        try {
            larder.server().config().set("stream-node-max-bytes", List.of(maxBytes));
            larder.server().config().set("stream-node-max-entries", List.of(maxEntries));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        d.redis().call("CONFIG", "SET", "stream-node-max-bytes", maxBytes);
        d.redis().call("CONFIG", "SET", "stream-node-max-entries", maxEntries);
    }

    @AfterEach
    void defaultNodeLimits() {
        if (d != null) nodeLimits("4096", "100");
    }

    @Test
    void xaddIdsAndErrors() {
        run("""
                XADD s 1-1 f v
                XADD s 1-2 f v g w
                XADD s 1-2 f v
                XADD s 1-1 f v
                XADD s 0-5 f v
                XADD s 1 f v
                XADD s 2 f v
                XADD s 2-* f v
                XADD s 2-* f v
                XADD s 1-* f v
                XADD s 5-* f v
                XADD s 0-0 f v
                XADD new 0-0 f v
                XADD new 0-* f v
                XADD new 0-* f v
                XADD s 18446744073709551615-18446744073709551614 f v
                XADD s 18446744073709551615-* f v
                XADD s 18446744073709551615-* f v
                XADD s * f v
                XADD s 18446744073709551615-18446744073709551615 f v
                XADD s 18446744073709551616-0 f v
                XADD t 1-18446744073709551615 f v
                XADD t 1-* f v
                XADD t 2-18446744073709551616 f v
                XADD t " 3-1" f v
                XADD t "+4-1" f v
                XADD t 005-0007 f v
                XADD t -06-0 f v
                XADD t 7-+1 f v
                XADD t 7-\t2 f v
                XADD t 8-1- f v
                XADD t 8--1 f v
                XADD t 8-1x f v
                XADD t 0x9-0 f v
                XADD t - f v
                XADD t + f v
                XADD t 9-** f v
                XADD t *-1 f v
                XADD t ** f v
                XADD t "" f v
                XADD t 9.5 f v
                XADD t 1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111 f v
                XADD t 11111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111 f v
                XRANGE t - +
                XRANGE new - +
                XLEN s
                XLEN new
                XLEN missing
                XADD s 99-1 f
                XADD s 99-1 f v g
                XADD s 99-1
                XADD s
                XADD s maxlen
                XADD s maxlen 5
                XADD s nomkstream
                SET str x
                XADD str 1-1 f v
                XLEN str
                XADD missing NOMKSTREAM 1-1 f v
                EXISTS missing
                XADD missing NOMKSTREAM * f v
                XADD s NOMKSTREAM 100-1 f v
                XADD s nomkstream NOMKSTREAM 100-2 f v
                """);
    }

    /** IDs from "*" come from the clock: milliseconds near now, sequence 0, then incremented within a millisecond. */
    @Test
    void autoIdsComeFromTheClock() {
        for (var client : List.of(d.larder(), d.redis())) {
            long before = System.currentTimeMillis();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 200; i++) client.send("XADD", "auto", "*", "f", "" + i);
            for (int i = 0; i < 200; i++) ids.add((String) io.larder.testing.RespClient.decode(client.readRaw()));
            long after = System.currentTimeMillis();
            io.larder.store.StreamId prev = io.larder.store.StreamId.MIN;
            for (String id : ids) {
                String[] p = id.split("-");
                io.larder.store.StreamId cur = new io.larder.store.StreamId(Long.parseLong(p[0]), Long.parseLong(p[1]));
                org.junit.jupiter.api.Assertions.assertTrue(cur.compareTo(prev) > 0, id + " after " + prev);
                org.junit.jupiter.api.Assertions.assertTrue(cur.ms() >= before - 1000 && cur.ms() <= after + 1000, id);
                if (cur.ms() != prev.ms()) org.junit.jupiter.api.Assertions.assertEquals(0, cur.seq(), id);
                prev = cur;
            }
        }
        // A last ID in the future: "*" continues from it.
        run("""
                XADD future 99999999999999-5 f v
                XADD future * f v
                XADD future * f v
                XADD future 99999999999999-* f v
                XADD future 18446744073709551615-18446744073709551615 f v
                XADD future * f v
                """);
        d.resp3();
        run("""
                XADD missing NOMKSTREAM * f v
                XRANGE future - + COUNT 0
                XRANGE future + - 
                XADD future2 1-1 f v
                XRANGE future2 - +
                """);
    }

    @Test
    void xaddTrimmingOptions() {
        nodeLimits("4096", "4");
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 30; i++) sb.append("XADD s ").append(i).append("-1 f ").append(i).append('\n');
        run(sb + """
                XADD s MAXLEN 25 31-1 f v
                XLEN s
                XADD s MAXLEN = 24 32-1 f v
                XLEN s
                XADD s MAXLEN ~ 10 33-1 f v
                XLEN s
                @ XINFO STREAM s
                XADD s MAXLEN ~ 3 LIMIT 4 34-1 f v
                XLEN s
                XADD s MAXLEN ~ 3 LIMIT 0 35-1 f v
                XLEN s
                XADD s MINID 20 36-1 f v
                XRANGE s - + COUNT 3
                XADD s MINID = 21-1 37-1 f v
                XADD s MINID ~ 30 38-1 f v
                XRANGE s - +
                XADD s MINID ~ 36 LIMIT 2 39-1 f v
                XRANGE s - +
                XADD s LIMIT 5 MINID ~ 37 40-1 f v
                XADD s MAXLEN 0 41-1 f v
                XLEN s
                @ XINFO STREAM s
                XADD s MAXLEN 5 LIMIT 3 42-1 f v
                XADD s LIMIT 3 42-1 f v
                XADD s LIMIT 0 42-1 f v
                XADD s MAXLEN -1 42-1 f v
                XADD s MAXLEN abc 42-1 f v
                XADD s MAXLEN ~ -1 42-1 f v
                XADD s MAXLEN ~ 42-1 f v
                XADD s MAXLEN 1 MINID 1 42-1 f v
                XADD s MINID 1 MAXLEN 1 42-1 f v
                XADD s MINID abc 42-1 f v
                XADD s MINID - 42-1 f v
                XADD s MINID + 42-1 f v
                XADD s LIMIT -1 MAXLEN ~ 1 42-1 f v
                XADD s LIMIT abc MAXLEN ~ 1 42-1 f v
                XADD s maxlen ~ 1 limit 1 limit 2 42-1 f v
                XADD s MAXLEN 1 MAXLEN 2 42-1 f v
                XADD s MAXLEN 10 NOMKSTREAM 42-1 f v
                XADD s MAXLEN = 10 NOMKSTREAM 43-* f v
                XADD s MINID 0 44-1 f v
                XADD s MAXLEN 10 * f
                XLEN s
                XADD n MAXLEN 0 1-1 f v
                EXISTS n
                XLEN n
                @ XINFO STREAM n
                """);
    }

    @Test
    void rangesAndExclusiveIntervals() {
        run("""
                XADD s 1-0 a 1
                XADD s 1-1 b 2 c 3
                XADD s 2-0 a 4
                XADD s 3-5 a 5
                XADD s 18446744073709551615-0 a 6
                XRANGE s - +
                XREVRANGE s + -
                XRANGE s 1 1
                XRANGE s 1 2
                XRANGE s (1-0 +
                XRANGE s (1 +
                XRANGE s - (3-5
                XRANGE s - (3
                XRANGE s (1-1 (3-5
                XREVRANGE s (3-5 (1-0
                XREVRANGE s (18446744073709551615-0 -
                XRANGE s (0-0 +
                XRANGE s 2-0 1-0
                XRANGE s - + COUNT 2
                XRANGE s - + COUNT 0
                XRANGE s - + COUNT -3
                XREVRANGE s + - COUNT 2
                XREVRANGE s + - COUNT 0
                XRANGE s - + count 1 COUNT 3
                XRANGE s - + COUNT
                XRANGE s - + COUNT abc
                XRANGE s - + FOO 1
                XRANGE s - + COUNT 1 FOO
                XRANGE s (18446744073709551615-18446744073709551615 +
                XRANGE s - (0-0
                XRANGE s (- +
                XRANGE s - (+
                XRANGE s ( +
                XRANGE s - (
                XRANGE s abc +
                XRANGE s - abc
                XRANGE s 18446744073709551615 +
                XRANGE s 3-4 3-6
                XRANGE s 3-6 +
                XRANGE missing - +
                XRANGE missing - + COUNT 0
                XREVRANGE missing + -
                XRANGE missing abc +
                SET str x
                XRANGE str - +
                XRANGE str abc +
                XREVRANGE str + -
                XRANGE s
                XRANGE s -
                """);
    }

    @Test
    void fieldEncodingsAndBinaryValues() {
        run("""
                XADD s 1-1 f 1 g -1 h 127 i 128 j 4095 k 4096 l -4097 m 32767 n 32768 o 8388608
                XADD s 1-2 f 2147483648 g 9223372036854775807 h -9223372036854775808 i 9223372036854775808 j 01 k -0 l +1 m "" n 1.5 o " 1"
                XADD s 1-3 f a g b h c i d j e k f l g m h n i o j
                XADD s 1-4 1 a 2 b
                XADD s 1-5 1 c 2 d
                XADD s 1-6 2 c 1 d
                XADD s 1-7 "" ""
                XRANGE s - +
                XREVRANGE s + -
                """);
        byte[] big = new byte[70_000];
        new Random(3).nextBytes(big);
        byte[] mid = new byte[5000];
        new Random(4).nextBytes(mid);
        byte[] k = "bin".getBytes(StandardCharsets.ISO_8859_1);
        d.check("XADD".getBytes(), k, "1-1".getBytes(), big, mid, mid, big, new byte[] {0, '\r', '\n'}, new byte[0]);
        d.check("XADD".getBytes(), k, "1-2".getBytes(), big, mid, mid, big, new byte[] {0, '\r', '\n'}, new byte[0]);
        d.check("XADD".getBytes(), k, "1-3".getBytes(), big, new byte[0], mid, big, new byte[] {0}, new byte[0]);
        d.check("XRANGE".getBytes(), k, "-".getBytes(), "+".getBytes());
        d.check("XREVRANGE".getBytes(), k, "+".getBytes(), "-".getBytes());
        d.check("XINFO".getBytes(), "STREAM".getBytes(), k);
        // IDs and options read as C strings: a NUL ends them.
        d.check("XADD".getBytes(), k, "2-1\0junk".getBytes(), "f".getBytes(), "v".getBytes());
        d.check("XADD".getBytes(), k, "MAXLEN\0x".getBytes(), "=\0".getBytes(), "3".getBytes(),
                "18446744073709551615-0\0".getBytes(), "f".getBytes(), "v".getBytes());
        d.check("XLEN".getBytes(), k);
        d.check("XRANGE".getBytes(), k, "2\0-9".getBytes(), "+\0".getBytes());
        d.check("XDEL".getBytes(), k, "2-1\0".getBytes());
        d.check("XREAD".getBytes(), "COUNT".getBytes(), "1".getBytes(), "STREAMS".getBytes(), k, "$\0".getBytes());
        d.check("XGROUP".getBytes(), "CREATE".getBytes(), k, "g\0h".getBytes(), "0".getBytes());
        d.check("XGROUP".getBytes(), "CREATECONSUMER".getBytes(), k, "x\0y".getBytes(), "c".getBytes());
        d.check("XACK".getBytes(), "no\0key".getBytes(), "g".getBytes(), "1-1".getBytes());
        d.check("XPENDING".getBytes(), "no\0key".getBytes(), "g\0h".getBytes());
        d.check("XCLAIM".getBytes(), k, "g\0h".getBytes(), "c".getBytes(), "0".getBytes(), "1-1".getBytes(),
                "FOO\0BAR".getBytes());
        d.exec("XADD", "bin", "MAXLEN\0x", "~\0", "2", "*\0", "f", "v"); // "*": an ID from the clock
        d.check("XLEN", "bin");
    }

    @Test
    void nodesSplitAndCountLikeRedis() {
        for (String[] limits : new String[][] {{"4096", "100"}, {"60", "100"}, {"4096", "3"}, {"0", "5"},
                {"100", "0"}, {"1", "1"}, {"300", "7"}}) {
            nodeLimits(limits[0], limits[1]);
            d.exec("DEL", "s");
            Random r = new Random(limits[0].hashCode() * 31 + limits[1].hashCode());
            long ms = 1;
            for (int i = 0; i < 250; i++) {
                ms += r.nextInt(4) == 0 ? r.nextInt(100_000) : r.nextInt(3);
                String f = r.nextInt(5) == 0 ? "other" : "field";
                String v = r.nextInt(3) == 0 ? "" + r.nextInt(100_000) : "v".repeat(r.nextInt(40));
                d.check("XADD", "s", ms + "-" + i, f, v, "g", "" + i);
                if (r.nextInt(6) == 0) d.check("XDEL", "s", ms + "-" + r.nextInt(i + 1));
                if (i % 25 == 0) StreamTesting.checkTimed(d, "XINFO", "STREAM", "s");
            }
            StreamTesting.checkTimed(d, "XINFO", "STREAM", "s");
            d.check("XTRIM", "s", "MAXLEN", "~", "100");
            StreamTesting.checkTimed(d, "XINFO", "STREAM", "s");
            d.check("XTRIM", "s", "MAXLEN", "90");
            StreamTesting.checkTimed(d, "XINFO", "STREAM", "s");
            d.check("XRANGE", "s", "-", "+");
            d.check("XREVRANGE", "s", "+", "-", "COUNT", "7");
        }
    }

    @Test
    void xdelAndFirstLastIds() {
        nodeLimits("4096", "3");
        run("""
                XADD s 1-1 f v
                XADD s 2-1 f v
                XADD s 3-1 f v
                XADD s 4-1 f v
                XADD s 5-1 f v
                XDEL s 1-1
                @ XINFO STREAM s
                XDEL s 1-1
                XDEL s 3-1 2-1 3-1
                @ XINFO STREAM s
                XDEL s 9-9
                XDEL s 5-1
                @ XINFO STREAM s
                XDEL s 4-1
                @ XINFO STREAM s
                XLEN s
                EXISTS s
                XDEL s abc
                XDEL s 4-1 abc
                XDEL s - +
                XDEL s 1
                XDEL missing abc
                XDEL missing 1-1
                SET str x
                XDEL str abc
                XDEL s
                XADD s 6-1 f v
                XADD s 7-1 f v
                XDEL s 7-1
                @ XINFO STREAM s
                """);
    }

    @Test
    void xtrimOptionsAndErrors() {
        nodeLimits("4096", "5");
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 40; i++) sb.append("XADD s ").append(i).append("-0 f ").append(i).append('\n');
        run(sb + """
                XTRIM s MAXLEN 38
                XTRIM s MAXLEN = 37
                XTRIM s MAXLEN ~ 30
                XLEN s
                XTRIM s MAXLEN ~ 30
                XTRIM s MAXLEN ~ 20 LIMIT 5
                XLEN s
                XTRIM s MAXLEN ~ 20 LIMIT 4
                XLEN s
                XTRIM s MINID 20
                XTRIM s MINID = 21-0
                XTRIM s MINID ~ 30
                XRANGE s - + COUNT 2
                XTRIM s MINID ~ 35 LIMIT 1
                XTRIM s MINID 100
                XLEN s
                @ XINFO STREAM s
                XTRIM s MAXLEN 0
                XTRIM missing MAXLEN 0
                XTRIM missing FOO 1
                XTRIM s
                XTRIM s FOO 1
                XTRIM s MAXLEN
                XTRIM s MAXLEN abc
                XTRIM s MAXLEN -1
                XTRIM s MAXLEN 1 MINID 1
                XTRIM s MINID abc
                XTRIM s MINID -
                XTRIM s LIMIT 5
                XTRIM s LIMIT 0
                XTRIM s MAXLEN 1 LIMIT 5
                XTRIM s MAXLEN ~ 1 LIMIT -1
                XTRIM s MAXLEN ~ 1 LIMIT x
                XTRIM s NOMKSTREAM MAXLEN 1
                XTRIM s * MAXLEN 1
                XTRIM s MAXLEN 1 extra
                SET str x
                XTRIM str MAXLEN 1
                XTRIM str FOO
                """);
    }

    @Test
    void exactTrimKeepsFlaggedNodes() {
        // Exact trimming flags entries inside a node; approximate trimming then counts the node's live entries.
        nodeLimits("4096", "10");
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 35; i++) sb.append("XADD s ").append(i).append("-0 f ").append(i).append('\n');
        run(sb + """
                XTRIM s MAXLEN 33
                @ XINFO STREAM s
                XTRIM s MAXLEN ~ 20
                @ XINFO STREAM s
                XDEL s 12-0 13-0
                XTRIM s MINID 14
                @ XINFO STREAM s
                XTRIM s MINID ~ 30
                XADD s 36-0 f x
                XADD s 37-0 g x
                XADD s 38-0 f x
                XRANGE s - +
                XREVRANGE s + - COUNT 4
                @ XINFO STREAM s FULL
                """);
    }

    @Test
    void xsetid() {
        run("""
                XADD s 5-5 f v
                XSETID s 5-5
                XSETID s 5-4
                XSETID s 6
                XINFO STREAM s
                XSETID s 7-0 ENTRIESADDED 0
                XSETID s 7-0 ENTRIESADDED 1
                XSETID s 7-0 ENTRIESADDED 10 MAXDELETEDID 7-0
                XSETID s 7-0 MAXDELETEDID 7-1
                XINFO STREAM s
                XSETID s 6-9
                XSETID s 8-0 MAXDELETEDID 0-0
                XSETID s 8-0 ENTRIESADDED -1
                XSETID s 8-0 ENTRIESADDED abc
                XSETID s 8-0 MAXDELETEDID abc
                XSETID s 8-0 FOO
                XSETID s 8-0 ENTRIESADDED
                XSETID s abc
                XSETID s -
                XSETID s +
                XSETID missing 1-1
                XSETID missing abc
                XSETID missing 1-1 FOO
                SET str x
                XSETID str 1-1
                XDEL s 5-5
                XSETID s 1-1
                XINFO STREAM s
                XSETID s 9-9 ENTRIESADDED 0
                XINFO STREAM s
                XADD s 9-9 f v
                XADD s 9-* f v
                XADD s 18446744073709551615-18446744073709551615 f v
                XSETID s 18446744073709551615-18446744073709551615
                XADD s * f v
                XSETID s
                """);
    }

    @Test
    void xreadWithoutBlocking() {
        run("""
                XADD a 1-1 f 1
                XADD a 2-1 f 2
                XADD b 1-5 g 3
                XREAD STREAMS a 0
                XREAD STREAMS a b 0 0
                XREAD COUNT 1 STREAMS a b 0 0
                XREAD COUNT 1 STREAMS a b 1-1 1-5
                XREAD STREAMS a b $ $
                XREAD STREAMS a missing 1 0
                XREAD STREAMS missing $
                XREAD COUNT 0 STREAMS a 0
                XREAD COUNT -5 STREAMS a 0
                XREAD COUNT abc STREAMS a 0
                XREAD streams a 2
                XREAD STREAMS a 18446744073709551615-18446744073709551615
                XREAD STREAMS a 1-1 COUNT 1
                XREAD STREAMS a
                XREAD STREAMS a b 0
                XREAD COUNT 1 a 0
                XREAD GROUP g c STREAMS a 0
                XREAD NOACK STREAMS a 0
                XREAD STREAMS a >
                XREAD STREAMS a abc
                XREAD STREAMS a -
                XREAD STREAMS a +
                XREAD FOO STREAMS a 0
                XREAD BLOCK abc STREAMS a 0
                XREAD BLOCK -1 STREAMS a 0
                XREAD BLOCK 1.5 STREAMS a 0
                XREAD BLOCK 0 STREAMS a 0
                XREAD BLOCK 10 STREAMS a 0
                XREAD BLOCK 10 COUNT 1 STREAMS a b 0 0
                XREAD BLOCK 10 STREAMS missing 0
                XREAD BLOCK 10 STREAMS a $
                XREAD COUNT
                XREAD COUNT 1 STREAMS
                SET str x
                XREAD STREAMS str 0
                XREAD STREAMS a str 0 0
                XREAD STREAMS str a 0 abc
                XDEL a 2-1
                XREAD STREAMS a 1-1
                XREAD STREAMS a $
                """);
        d.resp3();
        run("""
                XREAD STREAMS a b 0 0
                XREAD STREAMS missing 0
                XREAD BLOCK 10 STREAMS missing 0
                XREAD COUNT 1 STREAMS a b 0 0
                """);
    }

    @Test
    void xgroupSubcommands() {
        run("""
                XADD s 1-1 f v
                XGROUP CREATE s g 0
                XGROUP CREATE s g 0
                XGROUP CREATE s g2 $
                XGROUP CREATE s g3 1-1 ENTRIESREAD 1
                XGROUP CREATE s g4 0 ENTRIESREAD -1
                XGROUP CREATE s g5 0 ENTRIESREAD -2
                XGROUP CREATE s g5 0 ENTRIESREAD abc
                XGROUP CREATE s g5 0 ENTRIESREAD
                XGROUP CREATE s g5 0 FOO
                XGROUP CREATE s g5 abc
                XGROUP CREATE s g5 -
                XGROUP CREATE s g5 +
                XGROUP CREATE s g5 5
                XGROUP CREATE s g6 0 MKSTREAM MKSTREAM MKSTREAM MKSTREAM
                XGROUP CREATE s g6 0 MKSTREAM ENTRIESREAD 5
                XGROUP CREATE missing g 0
                XGROUP CREATE missing g abc MKSTREAM
                EXISTS missing
                XGROUP CREATE missing g $ MKSTREAM
                XGROUP CREATE missing g $ MKSTREAM
                XGROUP CREATE missing2 g 7-7 MKSTREAM ENTRIESREAD 3
                XINFO STREAM missing
                XINFO GROUPS missing2
                XINFO GROUPS s
                XGROUP SETID s g 1-0
                XGROUP SETID s g $
                XGROUP SETID s g 0 ENTRIESREAD 0
                XGROUP SETID s g 0 ENTRIESREAD -1
                XGROUP SETID s g 0 ENTRIESREAD -2
                XGROUP SETID s g 0 ENTRIESREAD abc
                XGROUP SETID s g 0 FOO 1
                XGROUP SETID s g 0 ENTRIESREAD
                XGROUP SETID s g abc
                XGROUP SETID s nog 0
                XGROUP SETID missing3 g 0
                XINFO GROUPS s
                XGROUP CREATECONSUMER s g c1
                XGROUP CREATECONSUMER s g c1
                XGROUP CREATECONSUMER s nog c1
                XGROUP CREATECONSUMER missing3 g c1
                XGROUP CREATECONSUMER s g
                XGROUP DELCONSUMER s g c1
                XGROUP DELCONSUMER s g c1
                XGROUP DELCONSUMER s nog c1
                XGROUP DELCONSUMER missing3 g c1
                XGROUP DESTROY s g2
                XGROUP DESTROY s g2
                XGROUP DESTROY missing3 g2
                XGROUP DESTROY s g2 extra
                XGROUP HELP
                XGROUP help
                XGROUP HELP extra
                XGROUP
                XGROUP FOO
                XGROUP FOO s g
                XGROUP CREATE s
                XGROUP CREATE s g
                SET str x
                XGROUP CREATE str g 0
                XGROUP CREATE str g 0 MKSTREAM
                XGROUP DESTROY str g
                XINFO GROUPS s
                """);
        d.resp3();
        run("""
                XINFO GROUPS s
                XGROUP HELP
                """);
    }

    @Test
    void xreadgroupDeliversAndTracksPending() {
        run("""
                XADD s 1-1 f 1
                XADD s 2-1 f 2
                XADD s 3-1 f 3
                XGROUP CREATE s g 0
                XREADGROUP GROUP g alice COUNT 1 STREAMS s >
                XREADGROUP GROUP g bob STREAMS s >
                XREADGROUP GROUP g bob STREAMS s >
                XREADGROUP GROUP g alice STREAMS s 0
                XREADGROUP GROUP g bob STREAMS s 0
                XREADGROUP GROUP g bob COUNT 1 STREAMS s 2-1
                XREADGROUP GROUP g carol STREAMS s 0
                XPENDING s g
                @ XPENDING s g - + 10
                @ XINFO CONSUMERS s g
                XINFO GROUPS s
                XACK s g 1-1 1-1 9-9
                XPENDING s g
                XACK s g abc
                XACK s g 1-1 abc
                XACK s nog abc
                XACK missing g abc
                XADD s 4-1 f 4
                XREADGROUP GROUP g alice NOACK STREAMS s >
                XPENDING s g
                XINFO GROUPS s
                XDEL s 2-1
                XREADGROUP GROUP g bob STREAMS s 0
                XGROUP SETID s g 0
                XREADGROUP GROUP g alice COUNT 2 STREAMS s >
                XPENDING s g
                @ XPENDING s g - + 10
                XINFO GROUPS s
                XREADGROUP GROUP g alice STREAMS s $
                XREADGROUP GROUP nog alice STREAMS s >
                XREADGROUP GROUP g alice STREAMS missing >
                XREADGROUP GROUP g alice STREAMS s
                XREADGROUP GROUP g STREAMS s >
                XREADGROUP STREAMS s >
                XREADGROUP COUNT 1 STREAMS s >
                XREADGROUP GROUP g alice STREAMS s abc
                XREADGROUP GROUP g alice NOACK NOACK STREAMS s >
                XREADGROUP GROUP g alice FOO STREAMS s >
                XREADGROUP GROUP g alice BLOCK 10 STREAMS s 0
                XREADGROUP GROUP g alice BLOCK 10 STREAMS s >
                XREADGROUP GROUP g alice BLOCK abc STREAMS s >
                XREADGROUP GROUP g alice COUNT 0 STREAMS s 0
                XREADGROUP GROUP g alice STREAMS s 18446744073709551615-18446744073709551615
                XADD s2 1-1 f v
                XGROUP CREATE s2 g $
                XREADGROUP GROUP g dave STREAMS s s2 > >
                XREADGROUP GROUP g dave STREAMS s s2 0 0
                XREADGROUP GROUP g dave STREAMS s2 s 0 >
                SET str x
                XREADGROUP GROUP g alice STREAMS str >
                XREADGROUP GROUP g alice STREAMS s str > >
                @ XINFO CONSUMERS s g
                @ XINFO STREAM s FULL
                """);
        d.resp3();
        run("""
                XADD s 5-1 f 5
                XREADGROUP GROUP g erin STREAMS s >
                XREADGROUP GROUP g erin STREAMS s 0
                XREADGROUP GROUP g erin STREAMS s >
                XREADGROUP GROUP g erin BLOCK 10 STREAMS s >
                XPENDING s g
                XPENDING s nog
                @ XPENDING s g - + 10
                @ XINFO CONSUMERS s g
                @ XINFO STREAM s FULL
                @ XINFO STREAM s
                """);
    }

    @Test
    void historyShowsDeletedEntriesAsNil() {
        run("""
                XADD s 1-1 f 1
                XADD s 2-1 f 2
                XGROUP CREATE s g 0
                XREADGROUP GROUP g c STREAMS s >
                XDEL s 1-1
                XREADGROUP GROUP g c STREAMS s 0
                @ XPENDING s g - + 10
                """);
        d.resp3();
        run("""
                XREADGROUP GROUP g c STREAMS s 0
                """);
    }

    @Test
    void xpendingForms() {
        run("""
                XADD s 1-1 f 1
                XADD s 2-1 f 2
                XADD s 3-1 f 3
                XGROUP CREATE s g 0
                XPENDING s g
                XPENDING s g - + 10
                XREADGROUP GROUP g a COUNT 2 STREAMS s >
                XREADGROUP GROUP g b STREAMS s >
                XGROUP CREATECONSUMER s g idle
                XPENDING s g
                @ XPENDING s g - + 10
                @ XPENDING s g - + 10 a
                @ XPENDING s g - + 1 b
                XPENDING s g - + 10 nobody
                @ XPENDING s g (1-1 + 10
                @ XPENDING s g - (3-1 10
                @ XPENDING s g 2 2 10
                XPENDING s g - + 0
                XPENDING s g - + -1
                @ XPENDING s g IDLE 0 - + 10
                XPENDING s g IDLE 1000000 - + 10
                XPENDING s g IDLE 1000000 - + 10 a
                @ XPENDING s g IDLE -5 - + 10 a
                @ XPENDING s g - + 10 a extra args
                XPENDING s g - +
                XPENDING s g -
                XPENDING s g - + 10 a b c d
                XPENDING s g IDLE 5 - +
                XPENDING s g IDLE abc - + 10
                XPENDING s g - + abc
                XPENDING s g abc + 10
                XPENDING s g - abc 10
                XPENDING s g (- + 10
                XPENDING s g - (+ 10
                XPENDING s g (18446744073709551615-18446744073709551615 + 10
                XPENDING s g - (0-0 10
                XPENDING s nog
                XPENDING s nog - + 10
                XPENDING missing g
                XPENDING missing g - + abc
                SET str x
                XPENDING str g
                XPENDING s
                """);
        d.resp3();
        run("""
                XPENDING s g
                @ XPENDING s g - + 10
                XACK s g 1-1 2-1 3-1
                XPENDING s g
                """);
    }

    @Test
    void xclaimOptions() {
        run("""
                XADD s 1-1 f 1
                XADD s 2-1 f 2
                XADD s 3-1 f 3
                XADD s 4-1 f 4
                XGROUP CREATE s g 0
                XREADGROUP GROUP g a STREAMS s >
                XCLAIM s g b 0 1-1
                @ XPENDING s g - + 10
                XCLAIM s g b 0 1-1 2-1 JUSTID
                @ XPENDING s g - + 10
                XCLAIM s g c 100000000 3-1
                XCLAIM s g c 0 3-1 RETRYCOUNT 7
                @ XPENDING s g - + 10
                XCLAIM s g c 0 3-1 RETRYCOUNT 0 JUSTID
                XCLAIM s g c 0 4-1 IDLE 5000 JUSTID
                @ XPENDING s g IDLE 4000 - + 10
                XCLAIM s g c 0 4-1 TIME 1000 JUSTID
                @ XPENDING s g IDLE 100000 - + 10
                XCLAIM s g c 0 4-1 TIME 99999999999999 JUSTID
                XCLAIM s g c 0 4-1 IDLE -5 JUSTID
                XCLAIM s g c 0 4-1 TIME -5 JUSTID
                @ XPENDING s g IDLE 100000 - + 10
                XCLAIM s g d 0 9-9
                XCLAIM s g d 0 9-9 FORCE
                XADD s 5-1 f 5
                XCLAIM s g d 0 5-1
                XCLAIM s g d 0 5-1 FORCE
                @ XPENDING s g - + 10
                XADD s 6-1 f 6
                XCLAIM s g d 0 6-1 FORCE JUSTID
                XCLAIM s g d 0 6-1 FORCE RETRYCOUNT 3
                @ XPENDING s g - + 10
                XCLAIM s g d 0 1-1 LASTID 10-0 JUSTID
                XINFO GROUPS s
                XCLAIM s g d 0 1-1 LASTID 2-0 JUSTID
                XINFO GROUPS s
                XDEL s 2-1
                XCLAIM s g e 0 2-1 1-1
                XPENDING s g
                XCLAIM s g e 0 2-1 FORCE
                XCLAIM s g e 0 JUSTID
                XCLAIM s g e 0 1-1 FOO
                XCLAIM s g e 0 1-1 IDLE
                XCLAIM s g e 0 1-1 IDLE abc
                XCLAIM s g e 0 1-1 TIME abc
                XCLAIM s g e 0 1-1 RETRYCOUNT abc
                XCLAIM s g e 0 1-1 RETRYCOUNT -5 JUSTID
                @ XPENDING s g - + 10
                XCLAIM s g e 0 1-1 LASTID abc
                XCLAIM s g e 0 1-1 JUSTID 3-1
                XCLAIM s g e abc 1-1
                XCLAIM s g e -100 1-1 JUSTID
                XCLAIM s nog e 0 1-1
                XCLAIM missing g e 0 1-1
                XCLAIM missing g e abc 1-1
                SET str x
                XCLAIM str g e 0 1-1
                XCLAIM s g e 0
                @ XINFO CONSUMERS s g
                XINFO GROUPS s
                """);
        d.resp3();
        run("""
                XCLAIM s g f 0 1-1
                XCLAIM s g f 0 1-1 JUSTID
                XCLAIM s g f 0 9-9
                """);
    }

    @Test
    void xautoclaimCursorAndDeletedEntries() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 12; i++) sb.append("XADD s ").append(i).append("-0 f ").append(i).append('\n');
        run(sb + """
                XGROUP CREATE s g 0
                XREADGROUP GROUP g a STREAMS s >
                XAUTOCLAIM s g b 0 0 COUNT 3
                XAUTOCLAIM s g b 0 4 COUNT 3 JUSTID
                XAUTOCLAIM s g b 0 (6-0 COUNT 2
                XDEL s 9-0 10-0
                XAUTOCLAIM s g c 0 9 COUNT 3
                XPENDING s g
                XAUTOCLAIM s g c 0 0 COUNT 100 JUSTID
                XAUTOCLAIM s g c 0 12-0
                XAUTOCLAIM s g c 0 13-0
                XAUTOCLAIM s g d 100000000 0
                XAUTOCLAIM s g d 100000000 0 COUNT 1
                @ XINFO CONSUMERS s g
                @ XPENDING s g - + 100
                XDEL s 1-0 2-0 3-0 4-0 5-0
                XAUTOCLAIM s g d 100000000 0 COUNT 2
                XAUTOCLAIM s g d 100000000 0 COUNT 2
                XAUTOCLAIM s g d 100000000 0
                XAUTOCLAIM s g d -5 0 COUNT 1
                XAUTOCLAIM s g d 0 0 COUNT 0
                XAUTOCLAIM s g d 0 0 COUNT -1
                XAUTOCLAIM s g d 0 0 COUNT abc
                XAUTOCLAIM s g d 0 0 COUNT 576460752303423487 JUSTID
                XAUTOCLAIM s g d 0 0 COUNT 1000000000 JUSTID
                XAUTOCLAIM s nog d 0 0 COUNT 576460752303423487 JUSTID
                XAUTOCLAIM s g d 0 0 COUNT 576460752303423488
                XAUTOCLAIM s g d 0 0 COUNT
                XAUTOCLAIM s g d 0 0 FOO
                XAUTOCLAIM s g d 0 0 JUSTID JUSTID
                XAUTOCLAIM s g d abc 0
                XAUTOCLAIM s g d 0 abc
                XAUTOCLAIM s g d 0 (18446744073709551615-18446744073709551615
                XAUTOCLAIM s g d 0 -
                XAUTOCLAIM s g d 0 +
                XAUTOCLAIM s nog d 0 0
                XAUTOCLAIM missing g d 0 0
                XAUTOCLAIM missing g d 0 abc
                SET str x
                XAUTOCLAIM str g d 0 0
                XAUTOCLAIM s g d 0
                """);
        d.resp3();
        run("""
                XADD s 20-0 f 20
                XREADGROUP GROUP g a STREAMS s >
                XAUTOCLAIM s g e 0 0
                XAUTOCLAIM s g e 0 0 JUSTID
                """);
    }

    @Test
    void xinfoForms() {
        run("""
                XADD s 1-1 f 1
                XADD s 2-1 f 2 g 3
                XINFO STREAM s
                XINFO STREAM s FULL
                XINFO STREAM s full COUNT 1
                XINFO STREAM s FULL COUNT 0
                XINFO STREAM s FULL COUNT -1
                XINFO STREAM s FULL COUNT abc
                XINFO STREAM s FULL COUNT
                XINFO STREAM s FULL FOO 1
                XINFO STREAM s FOO
                XINFO STREAM s FULL COUNT 1 extra
                XINFO STREAM missing
                XINFO STREAM missing FOO
                XINFO GROUPS s
                XINFO GROUPS missing
                XINFO CONSUMERS s g
                XINFO CONSUMERS missing g
                XGROUP CREATE s g 0
                XINFO CONSUMERS s g
                XINFO CONSUMERS s g extra
                XINFO GROUPS s extra
                XINFO
                XINFO FOO
                XINFO FOO s
                XINFO HELP
                XINFO help extra
                XINFO STREAM
                SET str x
                XINFO STREAM str
                XINFO GROUPS str
                XINFO CONSUMERS str g
                XADD e 1-1 f v
                XDEL e 1-1
                XINFO STREAM e
                XINFO STREAM e FULL
                """);
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 30; i++) sb.append("XADD big ").append(i).append("-0 f ").append(i).append('\n');
        run(sb + """
                XGROUP CREATE big g1 0
                XGROUP CREATE big g2 5
                XREADGROUP GROUP g1 a COUNT 12 STREAMS big >
                XREADGROUP GROUP g1 b COUNT 3 STREAMS big >
                XGROUP CREATECONSUMER big g1 c
                @ XINFO STREAM big FULL
                @ XINFO STREAM big FULL COUNT 2
                @ XINFO STREAM big FULL COUNT 0
                XINFO GROUPS big
                """);
        d.resp3();
        run("""
                XINFO STREAM s
                XINFO STREAM e
                @ XINFO STREAM big FULL COUNT 3
                XINFO GROUPS big
                @ XINFO CONSUMERS big g1
                XINFO HELP
                """);
    }

    /** Generic key commands on streams: TYPE, OBJECT ENCODING, COPY (groups included, independent), RENAME, MOVE. */
    @Test
    void genericKeyCommandsOnStreams() {
        run("""
                XADD s 1-1 f v
                XADD s 2-1 f v g w
                XGROUP CREATE s g 0
                XREADGROUP GROUP g c COUNT 1 STREAMS s >
                TYPE s
                OBJECT ENCODING s
                COPY s t
                @ XINFO STREAM t FULL
                XADD t 3-1 f v
                XACK t g 1-1
                XDEL t 2-1
                @ XINFO STREAM s FULL
                @ XINFO STREAM t FULL
                XPENDING s g
                XPENDING t g
                RENAME t u
                XRANGE u - +
                EXISTS t
                MOVE u 1
                EXISTS u
                SELECT 1
                XRANGE u - +
                XINFO GROUPS u
                SELECT 0
                EXPIRE s 100
                TTL s
                XADD s 3-1 f v
                TTL s
                ~ SCAN 0 TYPE stream
                SET str x
                XADD str 1-1 f v
                TYPE str
                """);
    }

    /** entries-read and lag through deliveries, deletions, trimming and SETID (Redis 7.0's estimates). */
    @Test
    void lagAndEntriesRead() {
        run("""
                XGROUP CREATE s g0 $ MKSTREAM
                XINFO GROUPS s
                XADD s 1-0 f v
                XADD s 2-0 f v
                XADD s 3-0 f v
                XADD s 4-0 f v
                XADD s 5-0 f v
                XGROUP CREATE s g1 0
                XGROUP CREATE s g2 0 ENTRIESREAD 2
                XGROUP CREATE s g3 3-0
                XGROUP CREATE s g4 $
                XINFO GROUPS s
                XREADGROUP GROUP g1 c COUNT 2 STREAMS s >
                XREADGROUP GROUP g3 c COUNT 1 STREAMS s >
                XINFO GROUPS s
                XDEL s 4-0
                XINFO GROUPS s
                XREADGROUP GROUP g1 c COUNT 1 STREAMS s >
                XINFO GROUPS s
                XREADGROUP GROUP g1 c STREAMS s >
                XINFO GROUPS s
                XDEL s 1-0
                XINFO GROUPS s
                XTRIM s MAXLEN 1
                XINFO GROUPS s
                XADD s 6-0 f v
                XREADGROUP GROUP g2 c STREAMS s >
                XINFO GROUPS s
                XGROUP SETID s g2 0 ENTRIESREAD 1
                XINFO GROUPS s
                XGROUP SETID s g3 6-0
                XINFO GROUPS s
                XGROUP SETID s g3 7-0
                XINFO GROUPS s
                XDEL s 5-0 6-0
                XINFO GROUPS s
                XADD s 7-0 f v
                XINFO GROUPS s
                XREADGROUP GROUP g4 c STREAMS s >
                XINFO GROUPS s
                XSETID s 10-0 ENTRIESADDED 20 MAXDELETEDID 9-0
                XINFO GROUPS s
                XGROUP CREATE s g5 0
                XGROUP CREATE s g6 10-0
                XINFO GROUPS s
                XINFO STREAM s
                """);
    }

    /** A fixed-seed random sequence of stream commands with explicit IDs, compared with Redis step by step. */
    @Test
    void randomizedSequence() {
        nodeLimits("200", "6");
        Random r = new Random(20261204);
        String[] keys = {"s1", "s2"};
        String[] groups = {"g1", "g2", "g3"};
        String[] consumers = {"c1", "c2", "c3", "c4"};
        String[] fields = {"f", "g", "field", "1"};
        String[] values = {"v", "1", "-12", "x".repeat(30), "", "12345678901"};
        long[] nextMs = {1, 1};
        for (int step = 0; step < 4000; step++) {
            int ki = r.nextInt(keys.length);
            String k = keys[ki];
            String g = groups[r.nextInt(groups.length)];
            String c = consumers[r.nextInt(consumers.length)];
            String id = randomId(r, nextMs[ki]);
            String id2 = randomId(r, nextMs[ki]);
            List<String> cmd = new ArrayList<>();
            boolean timed = false;
            switch (r.nextInt(30)) {
                case 0, 1, 2, 3, 4, 5 -> {
                    cmd.addAll(List.of("XADD", k));
                    if (r.nextInt(8) == 0) cmd.addAll(List.of("MAXLEN", pick(r, "~", "=", ""), "" + r.nextInt(40)));
                    else if (r.nextInt(10) == 0) cmd.addAll(List.of("MINID", pick(r, "~", "=", ""), id2));
                    if (r.nextInt(20) == 0) cmd.addAll(List.of("LIMIT", "" + r.nextInt(10)));
                    nextMs[ki] += r.nextInt(3);
                    cmd.add(r.nextInt(6) == 0 ? nextMs[ki] + "-*" : nextMs[ki] + "-" + r.nextInt(3));
                    int pairs = 1 + r.nextInt(r.nextInt(5) == 0 ? 4 : 2);
                    for (int i = 0; i < pairs; i++) {
                        cmd.add(r.nextInt(4) == 0 ? pick(r, fields) : fields[i % fields.length]);
                        cmd.add(pick(r, values));
                    }
                    cmd.removeIf(String::isEmpty);
                    if (cmd.contains("LIMIT") && !cmd.contains("~")) cmd.add(2, "NOMKSTREAM");
                }
                case 6 -> cmd.addAll(List.of("XDEL", k, id, id2));
                case 7 -> {
                    cmd.addAll(List.of("XTRIM", k));
                    if (r.nextBoolean()) cmd.addAll(List.of("MAXLEN", pick(r, "~", "=", ""), "" + r.nextInt(30)));
                    else cmd.addAll(List.of("MINID", pick(r, "~", "=", ""), id));
                    if (cmd.contains("~") && r.nextBoolean()) cmd.addAll(List.of("LIMIT", "" + r.nextInt(12)));
                    cmd.removeIf(String::isEmpty);
                }
                case 8 -> cmd.addAll(List.of(r.nextBoolean() ? "XRANGE" : "XREVRANGE", k,
                        r.nextInt(4) == 0 ? "-" : (r.nextBoolean() ? "(" : "") + id,
                        r.nextInt(4) == 0 ? "+" : (r.nextBoolean() ? "(" : "") + id2, "COUNT", "" + r.nextInt(8)));
                case 9 -> cmd.addAll(List.of("XLEN", k));
                case 10 -> cmd.addAll(List.of("XGROUP", "CREATE", k, g, pick(r, "$", "0", id),
                        r.nextBoolean() ? "MKSTREAM" : "ENTRIESREAD", "" + (r.nextInt(5) - 1)));
                case 11 -> cmd.addAll(List.of("XGROUP", "SETID", k, g, pick(r, "$", "0", id)));
                case 12 -> cmd.addAll(List.of("XGROUP", r.nextInt(4) == 0 ? "DESTROY" : "CREATECONSUMER", k, g, c));
                case 13 -> cmd.addAll(List.of("XGROUP", "DELCONSUMER", k, g, c));
                case 14, 15, 16, 17 -> {
                    cmd.addAll(List.of("XREADGROUP", "GROUP", g, c, "COUNT", "" + r.nextInt(4)));
                    if (r.nextInt(5) == 0) cmd.add("NOACK");
                    cmd.addAll(List.of("STREAMS", k, r.nextInt(4) == 0 ? id : ">"));
                }
                case 18, 19 -> cmd.addAll(List.of("XACK", k, g, id, id2));
                case 20 -> cmd.addAll(List.of("XPENDING", k, g));
                case 21 -> {
                    cmd.addAll(List.of("XPENDING", k, g, "-", "+", "" + r.nextInt(6)));
                    if (r.nextBoolean()) cmd.add(c);
                    timed = true;
                }
                case 22 -> {
                    cmd.addAll(List.of("XCLAIM", k, g, c, "0", id, id2));
                    if (r.nextBoolean()) cmd.add("JUSTID");
                    if (r.nextInt(4) == 0) cmd.add("FORCE");
                    if (r.nextInt(4) == 0) cmd.addAll(List.of("RETRYCOUNT", "" + r.nextInt(5)));
                    if (r.nextInt(4) == 0) cmd.addAll(List.of("LASTID", id));
                }
                case 23 -> {
                    cmd.addAll(List.of("XAUTOCLAIM", k, g, c, "0", (r.nextBoolean() ? "(" : "") + id, "COUNT",
                            "" + (1 + r.nextInt(4))));
                    if (r.nextBoolean()) cmd.add("JUSTID");
                }
                case 24 -> {
                    cmd.addAll(List.of("XINFO", "STREAM", k));
                    if (r.nextBoolean()) cmd.addAll(List.of("FULL", "COUNT", "" + r.nextInt(4)));
                    timed = true;
                }
                case 25, 26 -> cmd.addAll(List.of("XINFO", "GROUPS", k));
                case 27 -> {
                    cmd.addAll(List.of("XINFO", "CONSUMERS", k, g));
                    timed = true;
                }
                case 28 -> cmd.addAll(List.of("XREAD", "COUNT", "" + r.nextInt(5), "STREAMS", k, id));
                default -> {
                    cmd.addAll(List.of("XSETID", k, r.nextBoolean() ? id : nextMs[ki] + "-" + r.nextInt(5)));
                    if (r.nextInt(3) == 0) cmd.addAll(List.of("ENTRIESADDED", "" + r.nextInt(200)));
                    if (r.nextInt(3) == 0) cmd.addAll(List.of("MAXDELETEDID", id2));
                }
            }
            String[] a = cmd.toArray(new String[0]);
            if (System.getenv("STREAM_DEBUG") != null) System.out.println("STEP " + step + ": " + String.join(" ", a));
            if (timed) StreamTesting.checkTimed(d, a);
            else d.check(a);
            // Group state after every step: a divergence shows where it starts.
            d.check("XINFO", "GROUPS", k);
            if (step % 500 == 499) {
                for (String key : keys) {
                    d.check("XRANGE", key, "-", "+");
                    StreamTesting.checkTimed(d, "XINFO", "STREAM", key, "FULL", "COUNT", "0");
                }
            }
        }
    }

    private static String randomId(Random r, long maxMs) {
        long ms = Math.max(0, maxMs - r.nextInt(6));
        return r.nextInt(3) == 0 ? "" + ms : ms + "-" + r.nextInt(3);
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... options) {
        return options[r.nextInt(options.length)];
    }
}
