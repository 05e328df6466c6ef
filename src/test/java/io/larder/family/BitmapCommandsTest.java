package io.larder.family;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.larder.testing.DifferentialTestBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BitmapCommandsTest extends DifferentialTestBase {

    /** Skips a test that needs a command another family provides, until it exists. */
    static void assumeCommand(String name) {
        assumeTrue(larder.server().commands().get(name) != null, name + " is not implemented yet");
    }

    @Test
    void setbitAndGetbit() {
        d.script("""
                GETBIT missing 0
                GETBIT missing 4294967295
                SETBIT b 7 1
                GET b
                GETBIT b 7
                GETBIT b 6
                GETBIT b 8
                GETBIT b 1000000
                SETBIT b 7 1
                SETBIT b 7 0
                SETBIT b 0 1
                GET b
                SETBIT b 100 1
                GET b
                SETBIT b 4294967295x 1
                SETBIT b 4294967296 1
                SETBIT b -1 1
                SETBIT b abc 1
                SETBIT b "" 1
                SETBIT b 1 2
                SETBIT b 1 -1
                SETBIT b 1 abc
                SETBIT b 1 ""
                SETBIT b -1 2
                GETBIT b -1
                GETBIT b 4294967296
                GETBIT b 4294967295
                GETBIT b x
                SETBIT b
                GETBIT b
                SETBIT b 1 1 1
                """);
    }

    @Test
    void bitsOfExistingStringsAndIntegers() {
        d.script("""
                SET s foobar
                GETBIT s 1
                GETBIT s 2
                GETBIT s 47
                GETBIT s 48
                SETBIT s 2 1
                GET s
                SET n 12345
                GETBIT n 2
                GETBIT n 3
                BITCOUNT n
                BITPOS n 1
                SETBIT n 3 0
                GET n
                SET n -7
                BITCOUNT n 0 0
                SET e ""
                GETBIT e 0
                BITCOUNT e
                BITPOS e 0
                BITPOS e 1
                BITPOS e 0 0 -1
                SETBIT e 3 1
                GET e
                SET t v EX 100
                SETBIT t 100 1
                ! SET t2 v
                BITOP NOT t t2
                """);
        // BITOP replaces the destination: its TTL goes with it; SETBIT keeps it.
        d.check("EXISTS", "t");
    }

    @Test
    void bitcountRanges() {
        d.script("""
                BITCOUNT missing
                BITCOUNT missing 0 -1
                BITCOUNT missing 0
                BITCOUNT missing a b
                BITCOUNT missing 0 1 BIT
                BITCOUNT missing 0 1 FOO
                SET s foobar
                BITCOUNT s
                BITCOUNT s 0 0
                BITCOUNT s 1 1
                BITCOUNT s 0 -1
                BITCOUNT s -1 -1
                BITCOUNT s -2 -1
                BITCOUNT s -100 100
                BITCOUNT s 100 -100
                BITCOUNT s 3 1
                BITCOUNT s -1 -5
                BITCOUNT s -1 -5 FOO
                BITCOUNT s 0 0 BYTE
                BITCOUNT s 0 0 byte
                BITCOUNT s 5 30 BIT
                BITCOUNT s 5 30 bit
                BITCOUNT s 0 47 BIT
                BITCOUNT s 0 48 BIT
                BITCOUNT s -8 -1 BIT
                BITCOUNT s -5 -3 BIT
                BITCOUNT s 1 1 BIT
                BITCOUNT s 2 2 BIT
                BITCOUNT s 9 14 BIT
                BITCOUNT s 14 9 BIT
                BITCOUNT s -1000 -1 BIT
                BITCOUNT s 0 9223372036854775807 BIT
                BITCOUNT s -9223372036854775808 -1 BIT
                BITCOUNT s 0 0 FOO
                BITCOUNT s 0
                BITCOUNT s a 1
                BITCOUNT s 1 a
                BITCOUNT s 1 2 BIT x
                BITCOUNT s 9223372036854775808 1
                BITCOUNT
                """);
    }

    @Test
    void bitposRules() {
        d.script("""
                BITPOS missing 0
                BITPOS missing 1
                BITPOS missing 2
                BITPOS missing x
                BITPOS missing 1 a b c
                BITPOS missing 0 5 10 BIT
                SET z "\\x00\\x00\\x00"
                BITPOS z 1
                BITPOS z 0
                BITPOS z 0 1
                BITPOS z 1 1 2
                SET f "\\xff\\xff\\xff"
                BITPOS f 0
                BITPOS f 0 1
                BITPOS f 0 0 -1
                BITPOS f 0 1 1
                BITPOS f 1
                BITPOS f 0 0 23 BIT
                BITPOS f 0 0 -1 BIT
                BITPOS f 0 3 BIT
                SET s "\\xff\\xf0\\x00"
                BITPOS s 0
                BITPOS s 1 2
                BITPOS s 1 2 -1
                BITPOS s 0 1 -1
                BITPOS s 0 -1
                BITPOS s 0 -100
                BITPOS s 0 100
                BITPOS s 1 100
                BITPOS s 0 2 1
                BITPOS s 0 0 0
                BITPOS s 0 1 1 BYTE
                BITPOS s 0 1 1 byte
                BITPOS s 0 7 15 BIT
                BITPOS s 0 7 11 BIT
                BITPOS s 0 12 15 BIT
                BITPOS s 1 3 5 BIT
                BITPOS s 1 9 11 BIT
                BITPOS s 1 12 15 BIT
                BITPOS s 1 12 23 BIT
                BITPOS s 0 -10 -1 BIT
                BITPOS s 1 -10 -1 BIT
                BITPOS s 1 -12 -9 BIT
                BITPOS s 0 -5 -9 BIT
                BITPOS s 0 3 BIT
                BITPOS s 0 0 100 BIT
                BITPOS s 1 a
                BITPOS s 1 0 a
                BITPOS s 1 0 a BIT
                BITPOS s 1 0 1 FOO
                BITPOS s 1 a 1 FOO
                BITPOS s 1 0 1 BIT x
                BITPOS s
                """);
    }

    @Test
    void bitposOnLongStrings() {
        StringBuilder ones = new StringBuilder();
        for (int i = 0; i < 100; i++) ones.append('\u00ff');
        d.exec("SET", "ones", ones.toString());
        d.exec("SET", "zeros", "\0".repeat(100) + "\u0001");
        for (String cmd : new String[] {"BITPOS ones 0", "BITPOS ones 0 0 -1", "BITPOS ones 1 50",
                "BITPOS zeros 1", "BITPOS zeros 1 0 99", "BITPOS zeros 1 0 -1 BIT", "BITPOS zeros 0 3 700 BIT",
                "BITPOS zeros 1 9 807 BIT", "BITPOS zeros 1 9 806 BIT", "BITPOS ones 0 13 -2 BIT",
                "BITCOUNT ones 13 -2 BIT", "BITCOUNT zeros 0 -1", "BITCOUNT ones 3 97"}) {
            d.check(cmd.split(" "));
        }
    }

    @Test
    void bitop() {
        d.script("""
                SET a "\\xff\\x0f\\x55"
                SET b "\\x0f\\xf0"
                SET c "\\x01"
                BITOP AND dest a b
                GET dest
                BITOP OR dest a b c
                GET dest
                BITOP XOR dest a b c
                GET dest
                BITOP NOT dest a
                GET dest
                BITOP not dest b
                GET dest
                BITOP and dest a missing
                GET dest
                BITOP or dest missing a
                GET dest
                BITOP NOT dest missing
                EXISTS dest
                SET dest x
                BITOP AND dest missing missing2
                EXISTS dest
                BITOP AND dest missing missing2
                BITOP OR dest a
                GET dest
                BITOP XOR a a b
                GET a
                BITOP NOT dest a b
                BITOP NOT dest
                BITOP FOO dest a
                BITOP AND dest
                BITOP
                SET e ""
                BITOP OR dest e
                EXISTS dest
                SET n 123
                BITOP AND dest n a
                GET dest
                """);
    }

    @Test
    void bitopOnLongInputs() {
        Random r = new Random(7);
        for (int round = 0; round < 20; round++) {
            for (String k : new String[] {"x", "y", "z"}) {
                int len = r.nextInt(5) == 0 ? 0 : r.nextInt(200);
                byte[] v = new byte[len];
                r.nextBytes(v);
                if (len == 0 && r.nextBoolean()) d.exec("DEL", k);
                else d.check(new byte[][] {"SET".getBytes(), k.getBytes(), v});
            }
            for (String op : new String[] {"AND", "OR", "XOR"}) {
                d.check("BITOP", op, "out", "x", "y", "z");
                d.check("GET", "out");
            }
            d.check("BITOP", "NOT", "out", "y");
            d.check("GET", "out");
        }
    }

    @Test
    void bitfieldOperations() {
        d.script("""
                BITFIELD missing
                BITFIELD missing GET u8 0
                EXISTS missing
                BITFIELD b SET u8 0 255 GET u8 0
                GET b
                BITFIELD b SET i8 0 -1 GET i8 0 GET u8 0 GET u4 0 GET i4 4 GET i1 0 GET u1 0
                BITFIELD b SET u2 100 2 GET u2 100
                GET b
                BITFIELD b INCRBY u2 100 1 INCRBY u2 100 1 INCRBY u2 100 1
                BITFIELD b OVERFLOW SAT INCRBY u2 102 1 INCRBY u2 102 1 INCRBY u2 102 1 INCRBY u2 102 -10
                BITFIELD b OVERFLOW FAIL INCRBY u2 104 1 INCRBY u2 104 1 INCRBY u2 104 1 INCRBY u2 104 1 GET u2 104
                BITFIELD b OVERFLOW WRAP INCRBY i8 200 127 INCRBY i8 200 1 INCRBY i8 200 -1 INCRBY i8 200 -300
                BITFIELD b OVERFLOW SAT INCRBY i8 200 1000 INCRBY i8 200 -1000 SET i8 200 500 SET i8 200 -500 GET i8 200
                BITFIELD b OVERFLOW FAIL SET i8 200 128 SET i8 200 -129 SET i8 200 -128 SET u8 200 256 SET u8 200 -1
                BITFIELD b OVERFLOW WRAP SET u8 200 256 SET u8 200 -1 SET i8 200 128 SET i8 200 -129 GET u8 200
                BITFIELD b SET u8 #0 1 SET u8 #1 2 SET u8 #2 3 GET u16 #0 GET u8 #2 GET u8 #3
                BITFIELD b GET u3 #5 GET i3 #5 SET u3 #5 7
                BITFIELD b overflow sat incrby u7 3 200 overflow wrap incrby u7 3 200 overflow fail incrby u7 3 200
                BITFIELD b get u1 0 set u1 0 1 incrby u1 0 1 get u1 0
                BITFIELD b SET i64 0 -1 GET i64 0 GET u63 0 GET u63 1 INCRBY i64 0 1
                BITFIELD b SET i64 64 9223372036854775807 INCRBY i64 64 1 INCRBY i64 64 -1
                BITFIELD b OVERFLOW SAT SET i64 64 9223372036854775807 INCRBY i64 64 1 INCRBY i64 64 -9223372036854775808
                BITFIELD b OVERFLOW SAT INCRBY i64 64 -9223372036854775808 INCRBY i64 64 -9223372036854775808
                BITFIELD b OVERFLOW FAIL SET i64 64 -9223372036854775808 INCRBY i64 64 -1 INCRBY i64 64 1
                BITFIELD b OVERFLOW WRAP INCRBY i64 64 -1 INCRBY i64 64 -9223372036854775808
                BITFIELD b SET u63 0 9223372036854775807 INCRBY u63 0 1 OVERFLOW SAT INCRBY u63 0 -1 INCRBY u63 0 9223372036854775807
                BITFIELD b OVERFLOW FAIL INCRBY u63 0 -9223372036854775808 INCRBY u63 0 9223372036854775807
                BITFIELD b SET u1 3 1 GET u64 0
                GET b
                BITFIELD b GET i5 1000 GET u13 100000 GET i64 99999
                BITFIELD c SET u8 1000 1
                GET c
                BITFIELD c2 OVERFLOW FAIL INCRBY u2 100 10
                EXISTS c2
                GET c2
                BITFIELD c3 GET u8 0 SET u8 0 0
                GET c3
                BITFIELD b OVERFLOW FAIL
                BITFIELD b OVERFLOW
                """);
    }

    @Test
    void bitfieldErrors() {
        d.script("""
                SET b hello
                BITFIELD b GET u64 0
                BITFIELD b GET i65 0
                BITFIELD b GET i0 0
                BITFIELD b GET u0 0
                BITFIELD b GET x8 0
                BITFIELD b GET "" 0
                BITFIELD b GET u 0
                BITFIELD b GET U8 0
                BITFIELD b GET i-1 0
                BITFIELD b GET u08 0
                BITFIELD b GET u8 -1
                BITFIELD b GET u8 #-1
                BITFIELD b GET u8 x
                BITFIELD b GET u8 #
                BITFIELD b GET u8 ##1
                BITFIELD b GET u8 4294967295
                BITFIELD b GET u8 4294967296
                BITFIELD b GET u8 #536870912
                BITFIELD b GET u8 #536870911
                BITFIELD b GET u8 #2305843009213693953
                BITFIELD b GET u8 #-2305843009213693951
                BITFIELD b SET u8 0
                BITFIELD b SET u8 0 x
                BITFIELD b SET u8 0 9223372036854775808
                BITFIELD b INCRBY u8 0 1.5
                BITFIELD b INCRBY u8 0
                BITFIELD b GET u8
                BITFIELD b GET
                BITFIELD b FOO u8 0
                BITFIELD b OVERFLOW BAD GET u8 0
                BITFIELD b GET u8 0 OVERFLOW BAD
                BITFIELD b GET u8 0 GET x 0
                BITFIELD b SET u8 0 1 GET u64 0
                GET b
                BITFIELD_RO b GET u8 0 GET i4 4
                BITFIELD_RO b GET u8 #1 OVERFLOW SAT GET u8 #2
                BITFIELD_RO b SET u8 0 1
                BITFIELD_RO b INCRBY u8 0 1
                BITFIELD_RO b GET u8 0 SET u8 0 x
                BITFIELD_RO b GET u64 0 SET u8 0 1
                BITFIELD_RO missing GET u8 0
                BITFIELD_RO missing SET u8 0 1
                BITFIELD_RO missing
                BITFIELD_RO b
                BITFIELD
                BITFIELD_RO
                """);
    }

    @Test
    void bitfieldTypeStopsAtNul() {
        // Redis reads the width as a C string, so "u8\0junk" is u8.
        d.check(new byte[][] {"BITFIELD".getBytes(), "k".getBytes(), "SET".getBytes(), "u8\0junk".getBytes(),
                "0".getBytes(), "200".getBytes()});
        d.check(new byte[][] {"BITFIELD".getBytes(), "k".getBytes(), "GET".getBytes(), "i\0".getBytes(),
                "0".getBytes()});
        d.check("GET", "k");
    }

    @Test
    void wrongTypeErrors() {
        assumeCommand("lpush");
        d.script("""
                LPUSH l a
                SETBIT l 0 1
                SETBIT l x 1
                GETBIT l 0
                BITCOUNT l
                BITCOUNT l 0 x
                BITPOS l 1
                BITPOS l 2
                BITOP AND d l
                BITOP AND d missing l
                BITOP NOT l l
                BITFIELD l GET u8 0
                BITFIELD l SET u8 0 1
                BITFIELD_RO l GET u8 0
                BITFIELD l GET u99 0
                """);
    }

    @Test
    void bitmapsAreStrings() {
        assumeCommand("strlen");
        assumeCommand("append");
        assumeCommand("setrange");
        d.script("""
                SETBIT b 20 1
                STRLEN b
                APPEND b xyz
                GET b
                SETBIT b 100 1
                STRLEN b
                SETRANGE b 30 abc
                GET b
                BITCOUNT b
                BITPOS b 1 10
                SET s 0
                SETBIT s 7 0
                GET s
                APPEND s 1
                GET s
                BITFIELD s INCRBY u8 0 1
                GET s
                """);
    }

    @Test
    void protoMaxBulkLenLimitsOffsets() throws Exception {
        larder.server().config().set("proto-max-bulk-len", List.of("1048576"));
        d.redis().call("CONFIG", "SET", "proto-max-bulk-len", "1048576");
        try {
            d.script("""
                    SETBIT b 8388607 1
                    SETBIT b 8388608 1
                    GETBIT b 8388608
                    BITFIELD b SET u8 #1048575 1
                    BITFIELD b SET u8 #1048576 1
                    BITFIELD b GET u8 8388608
                    BITCOUNT b
                    BITPOS b 1 -1
                    """);
        } finally {
            larder.server().config().set("proto-max-bulk-len", List.of("536870912"));
            d.redis().call("CONFIG", "SET", "proto-max-bulk-len", "536870912");
        }
    }

    @Test
    void resp3Replies() {
        d.resp3();
        d.script("""
                BITFIELD b OVERFLOW FAIL INCRBY u2 0 5 SET u8 8 3 GET u8 8
                BITFIELD_RO b GET u8 8
                BITPOS b 1
                BITCOUNT b
                """);
    }

    /** A fixed-seed random mix of every bitmap command over a few keys, compared reply by reply. */
    @Test
    void randomizedSequence() {
        Random r = new Random(20261126);
        String[] keys = {"k1", "k2", "k3"};
        String[] units = {"", "BIT", "BYTE"};
        for (int i = 0; i < 3000; i++) {
            String k = keys[r.nextInt(keys.length)];
            List<String> cmd = new ArrayList<>();
            switch (r.nextInt(9)) {
                case 0, 1 -> cmd.addAll(List.of("SETBIT", k, String.valueOf(r.nextInt(r.nextBoolean() ? 64 : 2000)),
                        String.valueOf(r.nextInt(2))));
                case 2 -> cmd.addAll(List.of("GETBIT", k, String.valueOf(r.nextInt(2100))));
                case 3 -> {
                    cmd.addAll(List.of("BITCOUNT", k));
                    if (r.nextInt(4) > 0) {
                        cmd.add(String.valueOf(r.nextInt(400) - 200));
                        cmd.add(String.valueOf(r.nextInt(400) - 200));
                        String u = units[r.nextInt(3)];
                        if (!u.isEmpty()) cmd.add(u);
                    }
                }
                case 4 -> {
                    cmd.addAll(List.of("BITPOS", k, String.valueOf(r.nextInt(2))));
                    int n = r.nextInt(4);
                    if (n >= 1) cmd.add(String.valueOf(r.nextInt(600) - 300));
                    if (n >= 2) cmd.add(String.valueOf(r.nextInt(600) - 300));
                    if (n >= 3) cmd.add(units[1 + r.nextInt(2)]);
                }
                case 5 -> {
                    String[] ops = {"AND", "OR", "XOR", "NOT"};
                    String op = ops[r.nextInt(4)];
                    cmd.addAll(List.of("BITOP", op, keys[r.nextInt(3)], k));
                    if (!op.equals("NOT")) {
                        for (int j = r.nextInt(3); j > 0; j--) cmd.add(keys[r.nextInt(3)]);
                    }
                }
                case 6, 7 -> {
                    cmd.addAll(List.of(r.nextInt(5) == 0 ? "BITFIELD_RO" : "BITFIELD", k));
                    for (int j = 1 + r.nextInt(4); j > 0; j--) {
                        String type = (r.nextBoolean() ? "i" : "u") + (1 + r.nextInt(63));
                        String off = r.nextInt(4) == 0 ? "#" + r.nextInt(40) : String.valueOf(r.nextInt(700));
                        switch (r.nextInt(4)) {
                            case 0 -> cmd.addAll(List.of("GET", type, off));
                            case 1 -> cmd.addAll(List.of("SET", type, off, String.valueOf(r.nextLong() >> r.nextInt(64))));
                            case 2 -> cmd.addAll(List.of("INCRBY", type, off, String.valueOf(r.nextLong() >> r.nextInt(64))));
                            default -> cmd.addAll(List.of("OVERFLOW", new String[] {"WRAP", "SAT", "FAIL"}[r.nextInt(3)]));
                        }
                    }
                }
                default -> cmd.addAll(List.of(r.nextInt(10) == 0 ? "DEL" : "GET", k));
            }
            d.check(cmd.toArray(new String[0]));
        }
        for (String k : keys) d.check("GET", k);
    }
}
