package io.larder.util;

/** CRC16-CCITT (XModem), the checksum Redis Cluster uses for hash slots. */
public final class Crc16 {
    private Crc16() {}

    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int j = 0; j < 8; j++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            TABLE[i] = crc & 0xFFFF;
        }
    }

    public static int crc16(byte[] b, int off, int len) {
        int crc = 0;
        for (int i = off, end = off + len; i < end; i++) {
            crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ b[i]) & 0xFF]) & 0xFFFF;
        }
        return crc;
    }

    /** The cluster hash slot of a key, honouring {hash tags} as Redis does. */
    public static int slot(byte[] key, int off, int len) {
        int s;
        for (s = 0; s < len; s++) {
            if (key[off + s] == '{') break;
        }
        if (s == len) return crc16(key, off, len) & 16383;
        int e;
        for (e = s + 1; e < len; e++) {
            if (key[off + e] == '}') break;
        }
        if (e == len || e == s + 1) return crc16(key, off, len) & 16383;
        return crc16(key, off + s + 1, e - s - 1) & 16383;
    }
}
