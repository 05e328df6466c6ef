package io.larder.persist;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Redis's CRC-64 ("Jones" coefficients: polynomial 0xad93d23594c935a9,
 * reflected, initial value 0, no final xor), which ends every RDB file and
 * every DUMP payload. Computed eight bytes at a time (slicing-by-8, as
 * Redis's crcspeed does): saving and loading checksum every byte of a
 * snapshot, so this runs at memory speed rather than a byte per step.
 */
public final class Crc64 {
    private Crc64() {}

    /** The reflected form of 0xad93d23594c935a9. */
    private static final long POLY = 0x95ac9329ac4bc9b5L;
    private static final long[][] T = new long[8][256];
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    static {
        for (int n = 0; n < 256; n++) {
            long c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >>> 1) ^ POLY : c >>> 1;
            T[0][n] = c;
        }
        for (int n = 0; n < 256; n++) {
            long c = T[0][n];
            for (int k = 1; k < 8; k++) {
                c = T[0][(int) (c & 0xFF)] ^ (c >>> 8);
                T[k][n] = c;
            }
        }
    }

    /** Continues a checksum over {@code len} bytes of {@code b} from {@code off}. */
    public static long update(long crc, byte[] b, int off, int len) {
        long[] t0 = T[0], t1 = T[1], t2 = T[2], t3 = T[3], t4 = T[4], t5 = T[5], t6 = T[6], t7 = T[7];
        int end = off + len;
        while (off + 8 <= end) {
            long x = crc ^ (long) LONG.get(b, off);
            crc = t7[(int) (x & 0xFF)] ^ t6[(int) ((x >>> 8) & 0xFF)] ^ t5[(int) ((x >>> 16) & 0xFF)]
                    ^ t4[(int) ((x >>> 24) & 0xFF)] ^ t3[(int) ((x >>> 32) & 0xFF)]
                    ^ t2[(int) ((x >>> 40) & 0xFF)] ^ t1[(int) ((x >>> 48) & 0xFF)] ^ t0[(int) (x >>> 56)];
            off += 8;
        }
        while (off < end) crc = t0[(int) ((crc ^ b[off++]) & 0xFF)] ^ (crc >>> 8);
        return crc;
    }

    public static long of(byte[] b, int off, int len) {
        return update(0, b, off, len);
    }
}
