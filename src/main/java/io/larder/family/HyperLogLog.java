package io.larder.family;

import io.larder.store.StringValue;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Redis's HyperLogLog representation (hyperloglog.c), byte for byte, so a
 * value written by either server is read by the other and GET returns the
 * same bytes. An HLL is a string:
 *
 * <pre>
 *   "HYLL" | encoding (0 dense, 1 sparse) | 3 unused bytes | cached cardinality (8 bytes LE) | registers
 * </pre>
 *
 * The cached cardinality is stale when bit 7 of its last byte is set. The
 * 16384 registers (P = 14) hold the longest run of zeros + 1 seen in the
 * 50 hash bits above the register index.
 *
 * <ul>
 * <li><b>dense</b>: 6 bits per register, packed from the least significant
 *     bit of each byte, 12288 bytes;
 * <li><b>sparse</b>: run-length opcodes, ZERO {@code 00xxxxxx} (1..64 zero
 *     registers), XZERO {@code 01xxxxxx yyyyyyyy} (1..16384 zero registers),
 *     VAL {@code 1vvvvvxx} (1..4 registers of value 1..32). A sparse HLL turns
 *     dense when a register needs a value above 32 or the string would grow
 *     past hll-sparse-max-bytes.
 * </ul>
 *
 * Every algorithm here follows Redis's step by step, including where it
 * splits and merges opcodes, because the exact bytes are visible to clients
 * (GET, DUMP, replication to a real Redis). Where Redis reads one byte past
 * the end (sds strings end with a NUL) we read 0.
 */
final class HyperLogLog {
    private HyperLogLog() {}

    static final int HDR_SIZE = 16;
    static final int P = 14;
    static final int Q = 64 - P;
    static final int REGISTERS = 1 << P;
    static final int P_MASK = REGISTERS - 1;
    static final int BITS = 6;
    static final int REGISTER_MAX = (1 << BITS) - 1;
    static final int DENSE_SIZE = HDR_SIZE + (REGISTERS * BITS + 7) / 8;
    static final int DENSE = 0;
    static final int SPARSE = 1;
    static final int ENCODING = 4;
    static final int CARD = 8;

    private static final int XZERO_BIT = 0x40;
    private static final int VAL_BIT = 0x80;
    private static final int VAL_MAX_VALUE = 32;
    private static final int VAL_MAX_LEN = 4;
    private static final int ZERO_MAX_LEN = 64;
    private static final int XZERO_MAX_LEN = 16384;
    /** 0.5 / ln(2): the limit of alpha as m grows (Ertl's estimator). */
    private static final double ALPHA_INF = 0.721347520444481703680;
    private static final long SEED = 0xadc83b19L;

    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    // ------------------------------------------------------------ validation and creation

    /** Redis's isHLLObjectOrReply on a string's bytes: magic, known encoding, dense length. */
    static boolean isValid(byte[] a, int off, int len) {
        if (len < HDR_SIZE) return false;
        if (a[off] != 'H' || a[off + 1] != 'Y' || a[off + 2] != 'L' || a[off + 3] != 'L') return false;
        int enc = a[off + ENCODING] & 0xFF;
        if (enc > SPARSE) return false;
        return enc != DENSE || len == DENSE_SIZE;
    }

    /** createHLLObject: a sparse HLL of 16384 zero registers (one XZERO), cache valid at 0. */
    static byte[] createSparse() {
        int len = HDR_SIZE + ((REGISTERS + (XZERO_MAX_LEN - 1)) / XZERO_MAX_LEN) * 2;
        byte[] a = new byte[len];
        a[0] = 'H';
        a[1] = 'Y';
        a[2] = 'L';
        a[3] = 'L';
        a[ENCODING] = SPARSE;
        int p = HDR_SIZE;
        for (int aux = REGISTERS; aux > 0; ) {
            int xzero = Math.min(XZERO_MAX_LEN, aux);
            setXzero(a, p, xzero);
            p += 2;
            aux -= xzero;
        }
        return a;
    }

    static boolean cacheValid(byte[] a, int off) {
        return (a[off + CARD + 7] & 0x80) == 0;
    }

    static void invalidateCache(byte[] a, int off) {
        a[off + CARD + 7] |= (byte) 0x80;
    }

    static long cachedCard(byte[] a, int off) {
        return (long) LONG_LE.get(a, off + CARD);
    }

    static void setCachedCard(byte[] a, int off, long card) {
        LONG_LE.set(a, off + CARD, card);
    }

    static int encoding(byte[] a, int off) {
        return a[off + ENCODING] & 0xFF;
    }

    // ------------------------------------------------------------ hashing

    /** MurmurHash64A as Redis has it (endian-neutral, little-endian words). */
    static long murmurHash64A(byte[] key, int off, int len, long seed) {
        final long m = 0xc6a4a7935bd1e995L;
        final int r = 47;
        long h = seed ^ (len * m);
        int end = off + (len - (len & 7));
        for (int p = off; p < end; p += 8) {
            long k = (long) LONG_LE.get(key, p);
            k *= m;
            k ^= k >>> r;
            k *= m;
            h ^= k;
            h *= m;
        }
        switch (len & 7) {
            case 7: h ^= (long) (key[end + 6] & 0xFF) << 48; // fall through
            case 6: h ^= (long) (key[end + 5] & 0xFF) << 40; // fall through
            case 5: h ^= (long) (key[end + 4] & 0xFF) << 32; // fall through
            case 4: h ^= (long) (key[end + 3] & 0xFF) << 24; // fall through
            case 3: h ^= (long) (key[end + 2] & 0xFF) << 16; // fall through
            case 2: h ^= (long) (key[end + 1] & 0xFF) << 8; // fall through
            case 1:
                h ^= key[end] & 0xFF;
                h *= m;
                break;
            default:
                break;
        }
        h ^= h >>> r;
        h *= m;
        h ^= h >>> r;
        return h;
    }

    /** The element's hash, from which {@link #index} and {@link #runLength} derive (hllPatLen). */
    static long hash(byte[] ele, int off, int len) {
        return murmurHash64A(ele, off, len, SEED);
    }

    static int index(long hash) {
        return (int) (hash & P_MASK);
    }

    /** Length of the "000..1" pattern in the hash bits above the index, 1..Q+1. */
    static int runLength(long hash) {
        return Long.numberOfTrailingZeros((hash >>> P) | (1L << Q)) + 1;
    }

    // ------------------------------------------------------------ dense registers

    /** Register {@code reg} of dense registers starting at {@code base}. */
    static int denseGet(byte[] a, int base, int reg) {
        int bit = reg * BITS;
        int b = base + (bit >>> 3);
        int fb = bit & 7;
        int v = (a[b] & 0xFF) >>> fb;
        // Registers at bit 0 or 2 of a byte fit in it; only the others read the next byte.
        if (fb > 2) v |= (a[b + 1] & 0xFF) << (8 - fb);
        return v & REGISTER_MAX;
    }

    static void denseSetRegister(byte[] a, int base, int reg, int val) {
        int bit = reg * BITS;
        int b = base + (bit >>> 3);
        int fb = bit & 7;
        a[b] = (byte) ((a[b] & ~(REGISTER_MAX << fb)) | (val << fb));
        if (fb > 2) {
            int fb8 = 8 - fb;
            a[b + 1] = (byte) ((a[b + 1] & ~(REGISTER_MAX >>> fb8)) | (val >>> fb8));
        }
    }

    /** hllDenseSet: raises the register to {@code count}; 1 if it changed. */
    static int denseSet(byte[] a, int base, int reg, int count) {
        if (count > denseGet(a, base, reg)) {
            denseSetRegister(a, base, reg, count);
            return 1;
        }
        return 0;
    }

    // ------------------------------------------------------------ sparse opcodes

    private static boolean isZero(int op) {
        return (op & 0xC0) == 0;
    }

    private static boolean isXzero(int op) {
        return (op & 0xC0) == XZERO_BIT;
    }

    private static boolean isVal(int op) {
        return (op & VAL_BIT) != 0;
    }

    /** The byte at {@code i}, or the NUL that ends an sds string when {@code i} is past the end. */
    private static int at(byte[] a, int i, int end) {
        return i < end ? a[i] & 0xFF : 0;
    }

    private static int xzeroLen(byte[] a, int p, int end) {
        return (((a[p] & 0x3F) << 8) | at(a, p + 1, end)) + 1;
    }

    private static int valValue(int op) {
        return ((op >>> 2) & 0x1F) + 1;
    }

    private static int valLen(int op) {
        return (op & 0x3) + 1;
    }

    private static void setVal(byte[] a, int p, int val, int len) {
        a[p] = (byte) (((val - 1) << 2 | (len - 1)) | VAL_BIT);
    }

    private static void setZero(byte[] a, int p, int len) {
        a[p] = (byte) (len - 1);
    }

    private static void setXzero(byte[] a, int p, int len) {
        int l = len - 1;
        a[p] = (byte) ((l >>> 8) | XZERO_BIT);
        a[p + 1] = (byte) (l & 0xFF);
    }

    /**
     * hllSparseToDense: replaces a sparse value by its dense form (header
     * and cached cardinality kept). False if the sparse opcodes do not add
     * up to exactly 16384 registers (the value is then left as it was); a
     * VAL run past the last register fails at once, as in Redis since its
     * 2019 fix, so registers are never written out of range.
     */
    static boolean sparseToDense(StringValue s) {
        byte[] a = s.data();
        if (a[ENCODING] == DENSE) return true;
        byte[] dense = new byte[DENSE_SIZE];
        System.arraycopy(a, 0, dense, 0, HDR_SIZE);
        dense[ENCODING] = DENSE;
        long idx = 0;
        int p = HDR_SIZE, end = s.length();
        while (p < end) {
            int op = a[p] & 0xFF;
            if (isZero(op)) {
                idx += (op & 0x3F) + 1;
                p++;
            } else if (isXzero(op)) {
                idx += xzeroLen(a, p, end);
                p += 2;
            } else {
                int runlen = valLen(op), regval = valValue(op);
                if (runlen + idx > REGISTERS) return false;
                while (runlen-- > 0) denseSetRegister(dense, HDR_SIZE, (int) idx++, regval);
                p++;
            }
        }
        if (idx != REGISTERS) return false;
        s.adopt(dense, DENSE_SIZE);
        return true;
    }

    /**
     * hllSparseSet: raises register {@code index} to {@code count} in a
     * sparse value, splitting the opcode that covers it and merging equal
     * neighbours afterwards, or promoting to dense when the value does not
     * fit (count above 32, or the string would exceed {@code sparseMaxBytes}).
     * Returns 1 if the register changed, 0 if not, -1 if the value is corrupt.
     */
    static int sparseSet(StringValue s, int index, int count, long sparseMaxBytes) {
        if (count > VAL_MAX_VALUE) return promote(s, index, count);
        // Room for the worst split (XZERO -> XZERO VAL XZERO, 3 more bytes), plus
        // the terminator byte Redis's sds keeps and its code may write into.
        s.ensureCapacity(s.length() + 4);
        byte[] a = s.data();
        int sparse = HDR_SIZE;
        int end = s.length();
        int p = sparse;
        long first = 0, span = 0;
        int prev = -1;
        while (p < end) {
            int op = a[p] & 0xFF;
            int oplen = 1;
            if (isZero(op)) {
                span = (op & 0x3F) + 1;
            } else if (isVal(op)) {
                span = valLen(op);
            } else {
                span = xzeroLen(a, p, end);
                oplen = 2;
            }
            if (index <= first + span - 1) break;
            prev = p;
            p += oplen;
            first += span;
        }
        if (span == 0 || p >= end) return -1;

        int op = a[p] & 0xFF;
        int next = isXzero(op) ? p + 2 : p + 1;
        if (next >= end) next = -1;
        boolean zero = isZero(op), xzero = isXzero(op), val = !zero && !xzero;
        long runlen = zero ? (op & 0x3F) + 1 : xzero ? xzeroLen(a, p, end) : valLen(op);

        updated:
        {
            if (val) {
                int oldcount = valValue(op);
                if (oldcount >= count) return 0;
                if (runlen == 1) {
                    setVal(a, p, count, 1);
                    break updated;
                }
            }
            if (zero && runlen == 1) {
                setVal(a, p, count, 1);
                break updated;
            }
            // General case: replace the opcode by up to three (at most 5 bytes).
            byte[] seq = new byte[5];
            int n = 0;
            long last = first + span - 1;
            if (zero || xzero) {
                if (index != first) {
                    int len = (int) (index - first);
                    if (len > ZERO_MAX_LEN) {
                        setXzero(seq, n, len);
                        n += 2;
                    } else {
                        setZero(seq, n++, len);
                    }
                }
                setVal(seq, n++, count, 1);
                if (index != last) {
                    int len = (int) (last - index);
                    if (len > ZERO_MAX_LEN) {
                        setXzero(seq, n, len);
                        n += 2;
                    } else {
                        setZero(seq, n++, len);
                    }
                }
            } else {
                int curval = valValue(op);
                if (index != first) setVal(seq, n++, curval, (int) (index - first));
                setVal(seq, n++, count, 1);
                if (index != last) setVal(seq, n++, curval, (int) (last - index));
            }
            int oldlen = xzero ? 2 : 1;
            int deltalen = n - oldlen;
            if (deltalen > 0 && (long) s.length() + deltalen > sparseMaxBytes) return promote(s, index, count);
            if (deltalen != 0 && next >= 0) System.arraycopy(a, next, a, next + deltalen, end - next);
            s.setLength(s.length() + deltalen);
            System.arraycopy(seq, 0, a, p, n);
            end += deltalen;
        }

        // Merge adjacent VAL opcodes of equal value, scanning up to 5 opcodes from prev.
        p = prev >= 0 ? prev : sparse;
        int scanlen = 5;
        while (p < end && scanlen-- != 0) {
            int o = a[p] & 0xFF;
            if (isXzero(o)) {
                p += 2;
                continue;
            } else if (isZero(o)) {
                p++;
                continue;
            }
            if (p + 1 < end && isVal(a[p + 1] & 0xFF)) {
                int o2 = a[p + 1] & 0xFF;
                int v1 = valValue(o), v2 = valValue(o2);
                if (v1 == v2) {
                    int len = valLen(o) + valLen(o2);
                    if (len <= VAL_MAX_LEN) {
                        setVal(a, p + 1, v1, len);
                        System.arraycopy(a, p + 1, a, p, end - p);
                        s.setLength(s.length() - 1);
                        end--;
                        continue;
                    }
                }
            }
            p++;
        }
        invalidateCache(a, 0);
        return 1;
    }

    private static int promote(StringValue s, int index, int count) {
        if (!sparseToDense(s)) return -1;
        int r = denseSet(s.data(), HDR_SIZE, index, count);
        assert r == 1;
        return r;
    }

    /** hllAdd: adds an element to a writable HLL; 1 if a register changed, 0 if not, -1 if corrupt. */
    static int add(StringValue s, byte[] ele, int off, int len, long sparseMaxBytes) {
        long h = hash(ele, off, len);
        return set(s, index(h), runLength(h), sparseMaxBytes);
    }

    /** Raises one register whatever the encoding. */
    static int set(StringValue s, int index, int count, long sparseMaxBytes) {
        byte[] a = s.data();
        return switch (a[ENCODING]) {
            case DENSE -> denseSet(a, HDR_SIZE, index, count);
            case SPARSE -> sparseSet(s, index, count, sparseMaxBytes);
            default -> -1;
        };
    }

    // ------------------------------------------------------------ merging and counting

    /**
     * hllMerge: {@code max[i] = max(max[i], register i)} for a valid HLL in
     * {@code a[off, off+len)}. False if a sparse HLL is corrupt.
     */
    static boolean merge(byte[] max, byte[] a, int off, int len) {
        if (encoding(a, off) == DENSE) {
            int base = off + HDR_SIZE;
            for (int i = 0; i < REGISTERS; i++) {
                int v = denseGet(a, base, i);
                if (v > max[i]) max[i] = (byte) v;
            }
            return true;
        }
        int p = off + HDR_SIZE, end = off + len;
        long i = 0;
        while (p < end) {
            int op = a[p] & 0xFF;
            if (isZero(op)) {
                i += (op & 0x3F) + 1;
                p++;
            } else if (isXzero(op)) {
                i += xzeroLen(a, p, end);
                p += 2;
            } else {
                int runlen = valLen(op), regval = valValue(op);
                if (runlen + i > REGISTERS) return false;
                while (runlen-- > 0) {
                    if (regval > max[(int) i]) max[(int) i] = (byte) regval;
                    i++;
                }
                p++;
            }
        }
        return i == REGISTERS;
    }

    /** The register histogram of a valid HLL; false if a sparse HLL is corrupt. */
    static boolean histogram(byte[] a, int off, int len, int[] reghisto) {
        if (encoding(a, off) == DENSE) {
            // 16 registers in every 12 bytes.
            int r = off + HDR_SIZE;
            for (int j = 0; j < 1024; j++, r += 12) {
                int b0 = a[r] & 0xFF, b1 = a[r + 1] & 0xFF, b2 = a[r + 2] & 0xFF, b3 = a[r + 3] & 0xFF;
                int b4 = a[r + 4] & 0xFF, b5 = a[r + 5] & 0xFF, b6 = a[r + 6] & 0xFF, b7 = a[r + 7] & 0xFF;
                int b8 = a[r + 8] & 0xFF, b9 = a[r + 9] & 0xFF, b10 = a[r + 10] & 0xFF, b11 = a[r + 11] & 0xFF;
                reghisto[b0 & 63]++;
                reghisto[(b0 >>> 6 | b1 << 2) & 63]++;
                reghisto[(b1 >>> 4 | b2 << 4) & 63]++;
                reghisto[(b2 >>> 2) & 63]++;
                reghisto[b3 & 63]++;
                reghisto[(b3 >>> 6 | b4 << 2) & 63]++;
                reghisto[(b4 >>> 4 | b5 << 4) & 63]++;
                reghisto[(b5 >>> 2) & 63]++;
                reghisto[b6 & 63]++;
                reghisto[(b6 >>> 6 | b7 << 2) & 63]++;
                reghisto[(b7 >>> 4 | b8 << 4) & 63]++;
                reghisto[(b8 >>> 2) & 63]++;
                reghisto[b9 & 63]++;
                reghisto[(b9 >>> 6 | b10 << 2) & 63]++;
                reghisto[(b10 >>> 4 | b11 << 4) & 63]++;
                reghisto[(b11 >>> 2) & 63]++;
            }
            return true;
        }
        int p = off + HDR_SIZE, end = off + len;
        long idx = 0;
        while (p < end) {
            int op = a[p] & 0xFF;
            if (isZero(op)) {
                int runlen = (op & 0x3F) + 1;
                idx += runlen;
                reghisto[0] += runlen;
                p++;
            } else if (isXzero(op)) {
                int runlen = xzeroLen(a, p, end);
                idx += runlen;
                reghisto[0] += runlen;
                p += 2;
            } else {
                int runlen = valLen(op);
                idx += runlen;
                reghisto[valValue(op)] += runlen;
                p++;
            }
        }
        return idx == REGISTERS;
    }

    /** The histogram of registers held one per byte (PFCOUNT of several keys). */
    static void rawHistogram(byte[] registers, int[] reghisto) {
        for (byte r : registers) reghisto[r]++;
    }

    /**
     * Redis's hllCount estimator from the register histogram: Otmar Ertl's
     * "New cardinality estimation algorithms for HyperLogLog sketches"
     * (arXiv:1702.01284), with Redis's evaluation order so the double
     * arithmetic, and so the rounded result, is the same. The conversions at
     * the end mirror llroundl and the cast to uint64_t on x86-64, which give
     * 2^63 (LLONG_MIN as a reply) when the estimate is infinite.
     */
    static long estimate(int[] reghisto) {
        double m = REGISTERS;
        double z = m * tau((m - reghisto[Q + 1]) / m);
        for (int j = Q; j >= 1; --j) {
            z += reghisto[j];
            z *= 0.5;
        }
        z += m * sigma(reghisto[0] / m);
        double v = ALPHA_INF * m * m / z;
        if (Double.isNaN(v) || v >= 0x1p63) return Long.MIN_VALUE;
        double e = Math.round(v);
        return e >= 0x1p63 ? Long.MIN_VALUE : (long) e;
    }

    private static double sigma(double x) {
        if (x == 1.) return Double.POSITIVE_INFINITY;
        double zPrime;
        double y = 1;
        double z = x;
        do {
            x *= x;
            zPrime = z;
            z += x * y;
            y += y;
        } while (zPrime != z);
        return z;
    }

    private static double tau(double x) {
        if (x == 0. || x == 1.) return 0.;
        double zPrime;
        double y = 1.0;
        double z = 1 - x;
        do {
            x = Math.sqrt(x);
            zPrime = z;
            y *= 0.5;
            double d = 1 - x;
            z -= d * d * y; // Redis: pow(1 - x, 2) * y
        } while (zPrime != z);
        return z / 3;
    }

    /** Cardinality of a valid HLL, or -1 if it is a corrupt sparse one. */
    static long count(byte[] a, int off, int len) {
        int[] reghisto = new int[64];
        if (!histogram(a, off, len, reghisto)) return -1;
        return estimate(reghisto);
    }
}
