package io.larder.persist;

import java.util.Arrays;

/**
 * LZF, the compression of RDB strings: a port of liblzf 3.6 as Redis builds
 * it (HLOG 16, VERY_FAST, not ULTRA_FAST), step for step, so Larder
 * compresses a value to exactly the bytes Redis does and DUMP payloads of the
 * two are identical. The one difference is the hash table: Redis leaves it
 * uninitialised on the stack (INIT_HTAB 0), where a stale slot may by chance
 * point into the input; here stale slots never match, which is what a zeroed
 * table gives and what Redis gives in practice.
 */
public final class Lzf {
    private static final int HLOG = 16;
    private static final int HSIZE = 1 << HLOG;
    private static final int MAX_LIT = 1 << 5;
    private static final int MAX_OFF = 1 << 13;
    private static final int MAX_REF = (1 << 8) + (1 << 3);

    /**
     * The hash table of one compressing thread. Slots hold {@code base + position};
     * each call moves {@code base} past the previous input, so slots left by
     * earlier calls are below it and never taken for matches, without
     * clearing 256 KB per call.
     */
    public static final class Table {
        final int[] slots = new int[HSIZE];
        int base;
    }

    private Lzf() {}

    private static int idx(int h) {
        return ((h >>> (3 * 8 - HLOG)) - h * 5) & (HSIZE - 1);
    }

    /**
     * Compresses {@code in[inOff, inOff + inLen)} into {@code out} from
     * {@code outOff}, using at most {@code outLen} bytes; returns the
     * compressed length, or 0 when the result would not fit (lzf_compress).
     * {@code out} needs {@code outLen + 1} bytes from {@code outOff}, as
     * Redis allocates.
     */
    public static int compress(Table t, byte[] in, int inOff, int inLen, byte[] out, int outOff, int outLen) {
        if (inLen == 0 || outLen == 0) return 0;
        if (inLen < 3) {
            // The main loop never runs; only the literal tail below.
            return literalTail(in, inOff, 0, inLen, out, outOff, outOff + 1, outOff + outLen, 0);
        }
        int[] htab = t.slots;
        if (t.base > Integer.MAX_VALUE - inLen - 2) {
            Arrays.fill(htab, 0);
            t.base = 0;
        }
        // A slot holds callBase + (position - inOff); earlier calls' values are all below callBase.
        final int callBase = t.base;
        t.base += inLen + 1;
        final int base = callBase - inOff;
        int ip = inOff;
        final int inEnd = inOff + inLen;
        int op = outOff;
        final int outEnd = outOff + outLen;
        int lit = 0;
        op++; // start run
        int hval = ((in[ip] & 0xFF) << 8) | (in[ip + 1] & 0xFF);
        while (ip < inEnd - 2) {
            hval = (hval << 8) | (in[ip + 2] & 0xFF);
            int slot = idx(hval);
            int refStored = htab[slot];
            htab[slot] = base + ip;
            int ref = refStored - base;
            int off = ip - ref - 1;
            // "ref > in_data": a slot of this call, and never the first byte.
            if (refStored > callBase && off < MAX_OFF
                    && in[ref + 2] == in[ip + 2] && in[ref] == in[ip] && in[ref + 1] == in[ip + 1]) {
                int len = 2;
                int maxlen = inEnd - ip - len;
                if (maxlen > MAX_REF) maxlen = MAX_REF;
                // A faster conservative test, then the exact one.
                if (op + 3 + 1 >= outEnd && op - (lit == 0 ? 1 : 0) + 3 + 1 >= outEnd) return 0;
                out[op - lit - 1] = (byte) (lit - 1); // stop run
                if (lit == 0) op--; // undo run if length is zero
                boolean done = false;
                if (maxlen > 16) {
                    // liblzf's unrolled comparisons, which do not check maxlen: kept so lengths match exactly.
                    for (int k = 0; k < 16; k++) {
                        len++;
                        if (in[ref + len] != in[ip + len]) {
                            done = true;
                            break;
                        }
                    }
                }
                if (!done) {
                    do {
                        len++;
                    } while (len < maxlen && in[ref + len] == in[ip + len]);
                }
                len -= 2; // now #octets - 1
                ip++;
                if (len < 7) {
                    out[op++] = (byte) ((off >>> 8) + (len << 5));
                } else {
                    out[op++] = (byte) ((off >>> 8) + (7 << 5));
                    out[op++] = (byte) (len - 7);
                }
                out[op++] = (byte) off;
                lit = 0;
                op++; // start run
                ip += len + 1;
                if (ip >= inEnd - 2) break;
                ip -= 2;
                hval = ((in[ip] & 0xFF) << 8) | (in[ip + 1] & 0xFF);
                hval = (hval << 8) | (in[ip + 2] & 0xFF);
                htab[idx(hval)] = base + ip;
                ip++;
                hval = (hval << 8) | (in[ip + 2] & 0xFF);
                htab[idx(hval)] = base + ip;
                ip++;
            } else {
                if (op >= outEnd) return 0;
                lit++;
                out[op++] = in[ip++];
                if (lit == MAX_LIT) {
                    out[op - lit - 1] = (byte) (lit - 1);
                    lit = 0;
                    op++;
                }
            }
        }
        return literalTail(in, inOff, ip - inOff, inLen, out, outOff, op, outEnd, lit);
    }

    /** The end of lzf_compress: the last (up to 2) input bytes as literals, then the run is closed. */
    private static int literalTail(byte[] in, int inOff, int ipRel, int inLen, byte[] out, int outOff, int op,
            int outEnd, int lit) {
        if (op + 3 > outEnd) return 0;
        int ip = inOff + ipRel, inEnd = inOff + inLen;
        while (ip < inEnd) {
            lit++;
            out[op++] = in[ip++];
            if (lit == MAX_LIT) {
                out[op - lit - 1] = (byte) (lit - 1);
                lit = 0;
                op++;
            }
        }
        out[op - lit - 1] = (byte) (lit - 1); // end run
        if (lit == 0) op--;
        return op - outOff;
    }

    /**
     * Decompresses into {@code out[outOff, outOff + outLen)}; returns the
     * decompressed length, or -1 if the input is corrupt or does not fit
     * (lzf_decompress with CHECK_INPUT).
     */
    public static int decompress(byte[] in, int inOff, int inLen, byte[] out, int outOff, int outLen) {
        int ip = inOff, inEnd = inOff + inLen;
        int op = outOff, outEnd = outOff + outLen;
        if (inLen == 0) return 0;
        do {
            int ctrl = in[ip++] & 0xFF;
            if (ctrl < (1 << 5)) {
                ctrl++;
                if (op + ctrl > outEnd || ip + ctrl > inEnd) return -1;
                System.arraycopy(in, ip, out, op, ctrl);
                op += ctrl;
                ip += ctrl;
            } else {
                int len = ctrl >>> 5;
                int ref = op - ((ctrl & 0x1f) << 8) - 1;
                if (ip >= inEnd) return -1;
                if (len == 7) {
                    len += in[ip++] & 0xFF;
                    if (ip >= inEnd) return -1;
                }
                ref -= in[ip++] & 0xFF;
                if (op + len + 2 > outEnd || ref < outOff) return -1;
                len += 2;
                for (int k = 0; k < len; k++) out[op++] = out[ref++];
            }
        } while (ip < inEnd);
        return op - outOff;
    }
}
