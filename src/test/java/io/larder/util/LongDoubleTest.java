package io.larder.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.larder.testing.DifferentialTestBase;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The long double emulation against Redis's real x87 arithmetic: INCRBYFLOAT
 * of many generated values, compared byte for byte, including accumulated
 * rounding, extreme exponents and the error cases.
 */
class LongDoubleTest extends DifferentialTestBase {

    private static String sum(String a, String b) {
        byte[] x = a.getBytes(StandardCharsets.US_ASCII), y = b.getBytes(StandardCharsets.US_ASCII);
        byte[] r = LongDouble.addStrings(x, 0, x.length, y, 0, y.length);
        if (r == null) return null;
        if (r == LongDouble.NAN_OR_INF) return "naninf";
        return new String(r, StandardCharsets.US_ASCII);
    }

    @Test
    void knownValues() {
        assertEquals("10.6", sum("10.5", "0.1"));
        assertEquals("0.3", sum("0.1", "0.2"));
        assertEquals("5.1", sum("5", "0.1"));
        assertEquals("0", sum("-0", "-0"));
        assertEquals("0", sum("1e-20", "0"));
        assertEquals("0.125", sum("0", "0x1p-3"));
        assertEquals("naninf", sum("inf", "1"));
        assertEquals("naninf", sum("inf", "-inf"));
        assertNull(sum("nan", "1"));
        assertNull(sum("1e5000", "1"));
        assertNull(sum("1e-5000", "1"));
        assertNull(sum(" 1", "1"));
        assertEquals("18446744073709551614", sum("9223372036854775807", "9223372036854775807"));
    }

    /** A number in one of the shapes clients send. */
    private static String number(Random r) {
        String sign = r.nextInt(3) == 0 ? "-" : "";
        switch (r.nextInt(12)) {
            case 0:
                return sign + r.nextInt(1000);
            case 1:
                return sign + r.nextInt(1000) + "." + r.nextInt(1000);
            case 2:
                return sign + "0." + String.format("%0" + (1 + r.nextInt(18)) + "d", Math.abs(r.nextLong()) % 1000000000000000000L).replace(' ', '0');
            case 3:
                return sign + Math.abs(r.nextLong());
            case 4:
                return sign + (1 + r.nextInt(9)) + "." + r.nextInt(100000) + "e" + (r.nextInt(80) - 40);
            case 5:
                return sign + (1 + r.nextInt(9)) + "e" + (r.nextInt(700) - 350);
            case 6:
                return sign + (1 + r.nextInt(9)) + "." + r.nextInt(1000) + "e" + (4900 + r.nextInt(32));
            case 7:
                return sign + (1 + r.nextInt(9)) + "." + r.nextInt(1000) + "e-" + (4900 + r.nextInt(50));
            case 8:
                return sign + "0x" + Long.toHexString(r.nextLong() >>> r.nextInt(60)) + "p" + (r.nextInt(200) - 100);
            case 9:
                return sign + r.nextDouble();
            case 10: {
                StringBuilder b = new StringBuilder(sign);
                int n = 1 + r.nextInt(40);
                for (int i = 0; i < n; i++) b.append((char) ('0' + r.nextInt(10)));
                b.insert(sign.length() + r.nextInt(n) + (sign.isEmpty() ? 0 : 0), '.');
                return b.toString();
            }
            default:
                return sign + (r.nextInt(100) + 1) + ".5";
        }
    }

    @Test
    void randomSumsMatchRedis() {
        Random r = new Random(42);
        for (int i = 0; i < 1500; i++) {
            String a = number(r), b = number(r);
            d.exec("SET", "k", a);
            d.check("INCRBYFLOAT", "k", b);
            d.check("GET", "k");
        }
    }

    @Test
    void accumulatedRoundingMatchesRedis() {
        Random r = new Random(7);
        for (int chain = 0; chain < 20; chain++) {
            d.exec("DEL", "acc");
            for (int i = 0; i < 60; i++) {
                String inc = switch (r.nextInt(4)) {
                    case 0 -> "0.1";
                    case 1 -> "-0.3";
                    case 2 -> "1e-" + r.nextInt(25);
                    default -> number(r);
                };
                d.check("INCRBYFLOAT", "acc", inc);
            }
        }
    }

    @Test
    void edgeValuesMatchRedis() {
        String[] values = {"0", "-0", "1", "-1", "0.5", "1e4932", "-1e4932", "1.18973149535723176502e4932",
                "1.18973149535723176508e4932", "3.6e-4951", "1.8e-4951", "1.9e-4951", "3.3621e-4932", "1e-4950",
                "9223372036854775807", "-9223372036854775808", "18446744073709551615", "18446744073709551616",
                "0.00000000000000001", "0.000000000000000005", "0.000000000000000015", "123456789.123456789123456789",
                "0x1p16383", "0x1.fffffffffffffffep16383", "0x1p16384", "0x1p-16445", "0x1p-16446", "0x.8",
                "0X1P3", "INF", "-Infinity", "infinit", "nan(1)", "1.5e", "1e+", "+", "-", ".", "1..2", "1e1.5",
                "1_0", "1,5", "0x", "0xg", "1e999999999999", "1e-999999999999", "0e999999999999", "00012.5000"};
        for (String a : values) {
            for (String b : new String[] {"0", "1", "-1e-20", "0.1", "1e4931", "-1e-4950"}) {
                d.exec("SET", "k", a);
                d.check("INCRBYFLOAT", "k", b);
                d.exec("SET", "k", b);
                d.check("INCRBYFLOAT", "k", a);
            }
        }
    }
}
