package io.larder.util;

/**
 * LZF, as Redis compresses strings in RDB files and DUMP payloads (liblzf
 * 3.6 with Redis's settings: HLOG 16, VERY_FAST). {@link #compress} follows
 * lzf_compress step by step, so the output matches Redis's for the same
 * input (Redis leaves its hash table uninitialised, so it can occasionally
 * find other, equally valid matches); {@link #decompress} reads any LZF data.
 */
public final class Lzf {
    private Lzf() {}

    private static final int HLOG = 16, HSIZE = 1 << HLOG;
    private static final int MAX_LIT = 1 << 5, MAX_OFF = 1 << 13, MAX_REF = (1 << 8) + (1 << 3);

    private static int idx(int h) {
        return ((h >>> (3 * 8 - HLOG)) - h * 5) & (HSIZE - 1);
    }

    /**
     * Compresses in[0..len) into out; returns the compressed length, or 0
     * when it does not fit in out (Redis then stores the string as is).
     */
    public static int compress(byte[] in, int len, byte[] out) {
        int outLen = out.length;
        if (len == 0 || outLen == 0) return 0;
        // Positions, 0 meaning none: position 0 can never be a match (lzf checks ref > in_data).
        int[] htab = new int[HSIZE];
        int ip = 0, op = 0, lit = 0;
        op++; // start run
        int hval = ((in[0] & 0xff) << 8) | (len > 1 ? in[1] & 0xff : 0);
        while (ip < len - 2) {
            hval = (hval << 8) | (in[ip + 2] & 0xff);
            int slot = idx(hval);
            int ref = htab[slot];
            htab[slot] = ip;
            int off;
            if (ref > 0 && (off = ip - ref - 1) < MAX_OFF && in[ref + 2] == in[ip + 2]
                    && in[ref] == in[ip] && in[ref + 1] == in[ip + 1]) {
                int l = 2;
                int maxlen = len - ip - l;
                if (maxlen > MAX_REF) maxlen = MAX_REF;
                if (op + 3 + 1 >= outLen && op - (lit == 0 ? 1 : 0) + 3 + 1 >= outLen) return 0;
                out[op - lit - 1] = (byte) (lit - 1); // stop run
                op -= lit == 0 ? 1 : 0; // undo run if length is zero
                // lzf's loop, unrolled 16 times when more than 16 bytes may match: it can then
                // overshoot maxlen by up to two bytes, which are still within the input.
                boolean mismatch = false;
                if (maxlen > 16) {
                    for (int k = 0; k < 16; k++) {
                        l++;
                        if (in[ref + l] != in[ip + l]) {
                            mismatch = true;
                            break;
                        }
                    }
                }
                if (!mismatch) {
                    do {
                        l++;
                    } while (l < maxlen && in[ref + l] == in[ip + l]);
                }
                l -= 2; // now #octets - 1
                ip++;
                if (l < 7) {
                    out[op++] = (byte) ((off >>> 8) + (l << 5));
                } else {
                    out[op++] = (byte) ((off >>> 8) + (7 << 5));
                    out[op++] = (byte) (l - 7);
                }
                out[op++] = (byte) off;
                lit = 0;
                op++; // start run
                ip += l + 1;
                if (ip >= len - 2) break;
                ip -= 2;
                hval = ((in[ip] & 0xff) << 8) | (in[ip + 1] & 0xff);
                hval = (hval << 8) | (in[ip + 2] & 0xff);
                htab[idx(hval)] = ip;
                ip++;
                hval = (hval << 8) | (in[ip + 2] & 0xff);
                htab[idx(hval)] = ip;
                ip++;
            } else {
                if (op >= outLen) return 0;
                lit++;
                out[op++] = in[ip++];
                if (lit == MAX_LIT) {
                    out[op - lit - 1] = (byte) (lit - 1);
                    lit = 0;
                    op++;
                }
            }
        }
        if (op + 3 > outLen) return 0;
        while (ip < len) {
            lit++;
            out[op++] = in[ip++];
            if (lit == MAX_LIT) {
                out[op - lit - 1] = (byte) (lit - 1);
                lit = 0;
                op++;
            }
        }
        out[op - lit - 1] = (byte) (lit - 1); // end run
        op -= lit == 0 ? 1 : 0;
        return op;
    }

    /** Decompresses into exactly {@code outLen} bytes; null if the data is corrupt. */
    public static byte[] decompress(byte[] in, int off, int len, int outLen) {
        byte[] out = new byte[outLen];
        int ip = off, end = off + len, op = 0;
        while (ip < end) {
            int ctrl = in[ip++] & 0xff;
            if (ctrl < (1 << 5)) {
                ctrl++;
                if (op + ctrl > outLen || ip + ctrl > end) return null;
                System.arraycopy(in, ip, out, op, ctrl);
                op += ctrl;
                ip += ctrl;
            } else {
                int l = ctrl >> 5;
                int ref = op - ((ctrl & 0x1f) << 8) - 1;
                if (ip >= end) return null;
                if (l == 7) {
                    l += in[ip++] & 0xff;
                    if (ip >= end) return null;
                }
                ref -= in[ip++] & 0xff;
                l += 2;
                if (op + l > outLen || ref < 0) return null;
                for (int i = 0; i < l; i++) out[op++] = out[ref++];
            }
        }
        return op == outLen ? out : null;
    }
}
