package io.larder.family;

import static io.larder.family.BitmapCommandsTest.assumeCommand;

import io.larder.testing.DifferentialTestBase;
import io.larder.testing.RespClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HyperLogLogCommandsTest extends DifferentialTestBase {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Sets a key to the same raw bytes on both servers. */
    private void setRaw(String key, byte[] value) {
        d.check(new byte[][] {b("SET"), b(key), value});
    }

    private byte[] getFromRedis(String key) {
        return b((String) RespClient.decode(d.redis().callRaw("GET", key)));
    }

    private void setHllMaxBytes(long v) {
        try {
            larder.server().config().set("hll-sparse-max-bytes", List.of(String.valueOf(v)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        d.redis().call("CONFIG", "SET", "hll-sparse-max-bytes", String.valueOf(v));
    }

    @Test
    void pfaddPfcountBasics() {
        d.script("""
                PFCOUNT missing
                PFADD h
                GET h
                PFADD h
                PFCOUNT h
                GET h
                PFADD h a b c
                GET h
                PFADD h a b c
                PFADD h a d
                PFCOUNT h
                GET h
                PFCOUNT h
                PFADD h2
                PFCOUNT h2
                PFADD h3 x y z ""
                PFCOUNT h3
                PFDEBUG DECODE h3
                PFDEBUG ENCODING h3
                PFDEBUG GETREG h3
                PFDEBUG ENCODING h3
                GET h3
                PFDEBUG DECODE h3
                PFDEBUG TODENSE h3
                PFDEBUG TODENSE h
                PFDEBUG todense h
                PFDEBUG encoding h
                PFCOUNT h
                PFADD h e
                PFCOUNT h
                GET h
                PFADD
                PFCOUNT
                """);
    }

    @Test
    void manyElementsPromoteToDense() {
        Random r = new Random(1);
        for (int batch = 0; batch < 40; batch++) {
            List<String> cmd = new ArrayList<>(List.of("PFADD", "h"));
            for (int i = 0; i < 100; i++) cmd.add("e" + r.nextInt(1_000_000));
            d.check(cmd.toArray(new String[0]));
            d.check("PFDEBUG", "ENCODING", "h");
            d.check("PFCOUNT", "h");
            d.check("GET", "h");
        }
        d.check("PFDEBUG", "GETREG", "h");
    }

    @Test
    void pfcountOfSeveralKeysAndPfmerge() {
        d.script("""
                PFADD a 1 2 3 4 5
                PFADD b 4 5 6 7
                PFADD c 100
                PFCOUNT a b
                PFCOUNT a b c missing
                PFCOUNT missing missing2
                GET a
                PFMERGE m a b
                GET m
                PFCOUNT m
                PFMERGE m c
                GET m
                PFMERGE m
                GET m
                PFMERGE new
                GET new
                PFMERGE new2 missing
                GET new2
                PFMERGE a a
                GET a
                PFDEBUG TODENSE c
                PFMERGE m2 a c
                PFDEBUG ENCODING m2
                GET m2
                PFMERGE a b
                GET a
                PFCOUNT a c m m2
                PFMERGE
                """);
    }

    @Test
    void pfmergeIntoSparseDestinationFollowsRedisBytes() {
        // Enough registers that the merged sparse form needs splits, merges of VAL runs and XZEROs.
        Random r = new Random(3);
        for (int round = 0; round < 30; round++) {
            for (String k : new String[] {"x", "y"}) {
                List<String> cmd = new ArrayList<>(List.of("PFADD", k));
                for (int i = r.nextInt(60); i > 0; i--) cmd.add(Long.toString(r.nextLong(), 36));
                d.check(cmd.toArray(new String[0]));
            }
            d.check("PFMERGE", "dest", "x", "y");
            d.check("GET", "dest");
            d.check("PFDEBUG", "DECODE", "dest");
            d.check("PFCOUNT", "x", "y", "dest");
        }
    }

    @Test
    void errors() {
        d.script("""
                SET s hello
                PFADD s a
                PFCOUNT s
                PFCOUNT missing s
                PFMERGE d s
                PFMERGE s
                EXISTS d
                PFDEBUG GETREG s
                PFDEBUG GETREG missing
                PFDEBUG FOO missing
                PFDEBUG FOO s
                PFADD h a
                PFDEBUG FOO h
                PFDEBUG DECODE
                PFDEBUG GETREG h extra
                PFDEBUG TODENSE h
                PFDEBUG DECODE h
                SET shorthdr HYLL
                PFCOUNT shorthdr
                SET n 1234567890123456789
                PFADD n a
                SET badenc "HYLL\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"
                PFADD badenc a
                PFCOUNT badenc
                SET baddense "HYLL\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"
                PFCOUNT baddense
                SET badmagic "HYLX\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x7f\\xff"
                PFCOUNT badmagic
                """);
    }

    @Test
    void corruptSparseValues() {
        String hdr = "HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80";
        d.script("""
                SET empty "%1$s"
                PFCOUNT empty
                PFADD empty a
                PFCOUNT empty other
                PFMERGE d empty
                PFDEBUG DECODE empty
                PFDEBUG TODENSE empty
                SET short "%1$s\\x7f\\xfe"
                PFCOUNT short
                PFADD short a b c d e
                GET short
                PFDEBUG DECODE short
                SET long "%1$s\\x7f\\xff\\x40\\x05"
                PFCOUNT long
                PFADD long a
                GET long
                PFMERGE d2 long
                SET halfx "%1$s\\x7f\\xff\\x40"
                PFCOUNT halfx
                PFDEBUG DECODE halfx
                PFADD halfx a b c
                GET halfx
                SET vals "%1$s\\xfc\\xfc\\xfc\\x7f\\xf3"
                PFCOUNT vals
                PFDEBUG DECODE vals
                PFADD vals a b c
                GET vals
                PFDEBUG GETREG vals
                SET over "%1$s\\x7f\\xff\\xfc"
                PFCOUNT over
                PFCOUNT over missing
                PFMERGE d3 over
                PFADD over zz
                GET over
                PFDEBUG TODENSE over
                SET over2 "%1$s\\x7f\\xff\\xfc\\x00"
                PFCOUNT over2 missing
                PFDEBUG TODENSE over2
                PFADD over2 a b c d
                GET over2
                SET extra "%1$s\\x7f\\xff\\x00"
                PFCOUNT extra missing
                PFMERGE d4 extra
                PFDEBUG GETREG extra
                """.formatted(hdr));
    }

    @Test
    void cachedCardinality() {
        // PFCOUNT stores the estimate in the header; a valid cache is trusted as Redis trusts it.
        d.script("""
                PFADD h a b c
                GET h
                PFCOUNT h
                GET h
                SET fake "HYLL\\x01\\x00\\x00\\x00\\x2a\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x7f\\xff"
                PFCOUNT fake
                PFADD fake a
                PFCOUNT fake
                GET fake
                """);
    }

    @Test
    void saturatedRegistersGiveRedisOverflowValue() {
        // All registers at 63: the estimate is infinite and Redis answers LLONG_MIN.
        byte[] v = new byte[HyperLogLog.DENSE_SIZE];
        System.arraycopy(b("HYLL"), 0, v, 0, 4);
        v[15] = (byte) 0x80;
        for (int i = HyperLogLog.HDR_SIZE; i < v.length; i++) v[i] = (byte) 0xFF;
        setRaw("x", v);
        d.check("PFCOUNT", "x");
        d.check("GET", "x");
        d.check("PFCOUNT", "x", "missing");
        d.check("PFCOUNT", "x");
        // Registers at 51 make the estimator use its tau term.
        for (int i = 0; i < HyperLogLog.REGISTERS; i++) {
            HyperLogLog.denseSetRegister(v, HyperLogLog.HDR_SIZE, i, i % 3 == 0 ? 51 : i % 7);
        }
        v[15] = (byte) 0x80;
        setRaw("y", v);
        d.check("PFCOUNT", "y");
        d.check("PFCOUNT", "y", "x");
    }

    @Test
    void valuesMoveBetweenRedisAndLarder() {
        Random r = new Random(11);
        for (int n : new int[] {0, 1, 5, 50, 300, 3000, 20000}) {
            List<String> cmd = new ArrayList<>(List.of("PFADD", "src"));
            for (int i = 0; i < n; i++) cmd.add("el" + r.nextInt());
            d.exec("DEL", "src");
            d.check(cmd.toArray(new String[0]));
            // Redis's bytes into both servers under another key, then keep using them.
            byte[] fromRedis = getFromRedis("src");
            setRaw("copy", fromRedis);
            d.check("PFCOUNT", "copy");
            d.check("GET", "copy");
            d.check("PFADD", "copy", "more1", "more2", "more3");
            d.check("GET", "copy");
            d.check("PFMERGE", "m", "copy", "src");
            d.check("GET", "m");
            // And Larder's bytes into Redis.
            byte[] fromLarder = b((String) RespClient.decode(d.larder().callRaw("GET", "m")));
            setRaw("back", fromLarder);
            d.check("PFCOUNT", "back");
            d.check("GET", "back");
            d.exec("DEL", "m");
        }
    }

    @Test
    void sparseMaxBytesSetting() {
        try {
            for (long max : new long[] {0, 20, 100, 5000}) {
                setHllMaxBytes(max);
                d.exec("DEL", "h");
                Random r = new Random(max);
                for (int i = 0; i < 60; i++) {
                    d.check("PFADD", "h", "a" + r.nextInt(), "b" + r.nextInt(), "c" + r.nextInt());
                    d.check("PFDEBUG", "ENCODING", "h");
                    d.check("GET", "h");
                }
            }
        } finally {
            setHllMaxBytes(3000);
        }
    }

    @Test
    void selfTest() {
        d.check("PFSELFTEST");
        d.check("PFSELFTEST", "extra");
    }

    @Test
    void wrongType() {
        assumeCommand("lpush");
        d.script("""
                LPUSH l a
                PFADD l a
                PFCOUNT l
                PFCOUNT missing l
                PFMERGE l
                PFMERGE d l
                PFDEBUG GETREG l
                """);
    }

    @Test
    void resp3() {
        d.resp3();
        d.script("""
                PFADD h a b
                PFDEBUG ENCODING h
                PFDEBUG DECODE h
                PFCOUNT h
                PFMERGE h h
                """);
    }

    /**
     * Random elements added to several keys, counted, merged and read back
     * as raw bytes, compared with Redis at every step.
     */
    @Test
    void randomizedSequence() {
        Random r = new Random(424242);
        String[] keys = {"h1", "h2", "h3", "h4"};
        for (int step = 0; step < 1500; step++) {
            String k = keys[r.nextInt(keys.length)];
            switch (r.nextInt(10)) {
                case 0, 1, 2, 3 -> {
                    List<String> cmd = new ArrayList<>(List.of("PFADD", k));
                    int n = r.nextInt(10) == 0 ? 200 : r.nextInt(8);
                    // Small value ranges repeat elements; large ones grow the cardinality.
                    int range = r.nextBoolean() ? 50 : 1_000_000;
                    for (int i = 0; i < n; i++) cmd.add("v" + r.nextInt(range));
                    d.check(cmd.toArray(new String[0]));
                }
                case 4 -> d.check("PFCOUNT", k);
                case 5 -> d.check("PFCOUNT", k, keys[r.nextInt(keys.length)], keys[r.nextInt(keys.length)]);
                case 6 -> d.check("PFMERGE", k, keys[r.nextInt(keys.length)]);
                case 7 -> d.check("GET", k);
                case 8 -> d.check("PFDEBUG", r.nextBoolean() ? "ENCODING" : "DECODE", k);
                default -> {
                    if (r.nextInt(20) == 0) d.check("DEL", k);
                    else d.check("PFCOUNT", k);
                }
            }
        }
        for (String k : keys) d.check("GET", k);
    }
}
