package io.larder.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;

/**
 * The 64-bit keyed hash of keys (and of hash fields and set members in
 * hashtable encodings). A wyhash-style construction: fast on short keys, and
 * seeded at random per process so that clients cannot choose keys that
 * collide (Redis uses SipHash for the same reason).
 *
 * <p>Bits are split between uses: the low bits choose the segment, the top
 * 24 bits are the in-table hash ({@link #h24}).
 */
public final class KeyHash {
    private KeyHash() {}

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private static final long S0 = 0xa0761d6478bd642fL;
    private static final long S1 = 0xe7037ed1a0b428dbL;
    private static final long S2 = 0x8ebc6af09c88c6e3L;
    private static final long S3 = 0x589965cc75374cc3L;

    private static final long SEED;

    static {
        long s = new SecureRandom().nextLong();
        String fixed = System.getProperty("larder.hashSeed");
        if (fixed != null) s = Long.parseLong(fixed);
        SEED = mix(s ^ S0, S1) ^ s;
    }

    private static long mix(long a, long b) {
        long lo = a * b;
        long hi = Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a); // unsigned high
        return lo ^ hi;
    }

    private static long r8(byte[] b, int p) {
        return (long) LONG.get(b, p);
    }

    private static long r4(byte[] b, int p) {
        return ((int) INT.get(b, p)) & 0xFFFFFFFFL;
    }

    public static long hash(byte[] b) {
        return hash(b, 0, b.length);
    }

    public static long hash(byte[] b, int off, int len) {
        long seed = SEED;
        long a, c;
        if (len <= 16) {
            if (len >= 4) {
                int q = (len >>> 3) << 2;
                a = (r4(b, off) << 32) | r4(b, off + q);
                c = (r4(b, off + len - 4) << 32) | r4(b, off + len - 4 - q);
            } else if (len > 0) {
                a = ((b[off] & 0xFFL) << 16) | ((b[off + (len >>> 1)] & 0xFFL) << 8) | (b[off + len - 1] & 0xFFL);
                c = 0;
            } else {
                a = c = 0;
            }
        } else {
            int i = len, p = off;
            if (i > 48) {
                long see1 = seed, see2 = seed;
                do {
                    seed = mix(r8(b, p) ^ S1, r8(b, p + 8) ^ seed);
                    see1 = mix(r8(b, p + 16) ^ S2, r8(b, p + 24) ^ see1);
                    see2 = mix(r8(b, p + 32) ^ S3, r8(b, p + 40) ^ see2);
                    p += 48;
                    i -= 48;
                } while (i > 48);
                seed ^= see1 ^ see2;
            }
            while (i > 16) {
                seed = mix(r8(b, p) ^ S1, r8(b, p + 8) ^ seed);
                i -= 16;
                p += 16;
            }
            a = r8(b, p + i - 16);
            c = r8(b, p + i - 8);
        }
        a ^= S1;
        c ^= seed;
        long lo = a * c;
        long hi = Math.multiplyHigh(a, c) + ((a >> 63) & c) + ((c >> 63) & a);
        return mix(lo ^ S0 ^ len, hi ^ S1);
    }

    /** The 24-bit in-table hash: the top bits, independent of the segment bits. */
    public static int h24(long hash) {
        return (int) (hash >>> 40);
    }
}
