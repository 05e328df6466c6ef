package io.larder.util;

/**
 * Redis's CRC-64 (crc64.c: the Jones polynomial 0xad93d23594c935a9,
 * reflected, initial value 0), which checks DUMP and FUNCTION DUMP payloads
 * and RDB files. crc64(0, "123456789") is 0xe9c6d914c4b8d9ca.
 */
public final class Crc64 {
    private Crc64() {}

    private static final long[] TABLE = new long[256];

    static {
        long poly = Long.reverse(0xad93d23594c935a9L);
        for (int i = 0; i < 256; i++) {
            long crc = i;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >>> 1) ^ poly : crc >>> 1;
            TABLE[i] = crc;
        }
    }

    public static long update(long crc, byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) crc = TABLE[(int) (crc ^ b[i]) & 0xff] ^ (crc >>> 8);
        return crc;
    }

    public static long of(byte[] b, int off, int len) {
        return update(0, b, off, len);
    }
}
