package io.larder.journal;

import java.nio.charset.StandardCharsets;

/** RESP encoding of commands, as Redis writes them into the AOF and the replication stream. */
public final class Resp {
    private Resp() {}

    public static final byte[] MULTI = command("MULTI");
    public static final byte[] EXEC = command("EXEC");

    /** A whole command of ASCII words. */
    public static byte[] command(String... words) {
        byte[][] argv = new byte[words.length][];
        for (int i = 0; i < words.length; i++) argv[i] = words[i].getBytes(StandardCharsets.ISO_8859_1);
        return command(argv);
    }

    public static byte[] command(byte[]... argv) {
        int total = 16;
        for (byte[] b : argv) total += b.length + 16;
        byte[] out = new byte[total];
        int p = 0;
        out[p++] = '*';
        p = writeLong(out, p, argv.length);
        out[p++] = '\r';
        out[p++] = '\n';
        for (byte[] b : argv) {
            out[p++] = '$';
            p = writeLong(out, p, b.length);
            out[p++] = '\r';
            out[p++] = '\n';
            System.arraycopy(b, 0, out, p, b.length);
            p += b.length;
            out[p++] = '\r';
            out[p++] = '\n';
        }
        return java.util.Arrays.copyOf(out, p);
    }

    /** Writes the decimal digits of v at p; returns the position after them. */
    public static int writeLong(byte[] b, int p, long v) {
        if (v == 0) {
            b[p++] = '0';
            return p;
        }
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                byte[] s = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(s, 0, b, p, s.length);
                return p + s.length;
            }
            b[p++] = '-';
            v = -v;
        }
        int digits = 0;
        for (long t = v; t > 0; t /= 10) digits++;
        int end = p + digits;
        for (int i = end - 1; i >= p; i--) {
            b[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return end;
    }

    /** The decimal form of a number as a byte array (an argument of a rewritten command). */
    public static byte[] number(long v) {
        return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
    }
}
