package io.larder.store.zset;

import io.larder.store.Varint;
import java.util.Arrays;

/**
 * The small encoding (Redis's listpack): every element in one byte array,
 * ordered by (score, member), each as
 *
 * <pre>
 *   member length (varint) | member bytes | tag | score bytes
 * </pre>
 *
 * The tag says how the score is stored: 0..8 bytes of a little-endian
 * two's-complement integer, or 9 for the 8 bytes of a double. Integral
 * scores are stored as integers as a listpack stores them, which has one
 * visible effect that Redis shows too: -0 becomes 0. Operations are linear
 * in the number of elements, as a listpack's are; the array is sized
 * exactly, so nothing is wasted.
 *
 * <p>Static functions over the array: a small sorted set is then just its
 * {@link SortedSet} object and this array (the element count lives in the
 * SortedSet), which matters when there are millions of small sets.
 */
final class PackedZset {
    private PackedZset() {}

    static final byte[] EMPTY = new byte[0];
    private static final int DOUBLE_TAG = 9;

    // ------------------------------------------------------------ entry layout

    /** Offset of the member bytes of the entry at p. */
    static int memberOff(byte[] buf, int p) {
        while ((buf[p] & 0x80) != 0) p++;
        return p + 1;
    }

    static int memberLen(byte[] buf, int p) {
        return Varint.read(buf, p);
    }

    private static int tagPos(byte[] buf, int p) {
        return memberOff(buf, p) + memberLen(buf, p);
    }

    static double score(byte[] buf, int p) {
        int t = tagPos(buf, p);
        int tag = buf[t];
        if (tag == DOUBLE_TAG) return Double.longBitsToDouble(readLong(buf, t + 1, 8));
        if (tag == 0) return 0;
        long v = readLong(buf, t + 1, tag);
        int shift = 64 - 8 * tag;
        return (double) ((v << shift) >> shift);
    }

    /** The score as a listpack would print it: an integer in decimal, else %.17g. */
    static String scoreText(byte[] buf, int p) {
        int t = tagPos(buf, p);
        int tag = buf[t];
        if (tag == DOUBLE_TAG) return io.larder.util.Numbers.formatDouble(score(buf, p));
        if (tag == 0) return "0";
        long v = readLong(buf, t + 1, tag);
        int shift = 64 - 8 * tag;
        return Long.toString((v << shift) >> shift);
    }

    /** Offset of the entry after p (== buf.length at the end). */
    static int next(byte[] buf, int p) {
        int t = tagPos(buf, p);
        int tag = buf[t];
        return t + 1 + (tag == DOUBLE_TAG ? 8 : tag);
    }

    private static long readLong(byte[] buf, int p, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | (buf[p + i] & 0xFF);
        return v;
    }

    static boolean memberEquals(byte[] buf, int p, byte[] m, int off, int len) {
        int mo = memberOff(buf, p);
        return memberLen(buf, p) == len && Arrays.equals(buf, mo, mo + len, m, off, off + len);
    }

    static int compareMember(byte[] buf, int p, byte[] m, int off, int len) {
        int mo = memberOff(buf, p);
        return Arrays.compareUnsigned(buf, mo, mo + memberLen(buf, p), m, off, off + len);
    }

    /** Offsets of every entry, in order (for reverse walks and positional access). */
    static int[] offsets(byte[] buf, int count) {
        int[] o = new int[count];
        int p = 0;
        for (int i = 0; i < count; i++) {
            o[i] = p;
            p = next(buf, p);
        }
        return o;
    }

    static int offsetOfRank(byte[] buf, int rank) {
        int p = 0;
        for (int i = 0; i < rank; i++) p = next(buf, p);
        return p;
    }

    // ------------------------------------------------------------ queries

    /** Offset of the member's entry, or -1. */
    static int find(byte[] buf, byte[] m, int off, int len) {
        int p = 0, end = buf.length;
        while (p < end) {
            if (memberEquals(buf, p, m, off, len)) return p;
            p = next(buf, p);
        }
        return -1;
    }

    /** 0-based rank of the entry at offset p. */
    static int rankOf(byte[] buf, int p) {
        int q = 0, r = 0;
        while (q < p) {
            q = next(buf, q);
            r++;
        }
        return r;
    }

    // ------------------------------------------------------------ updates

    /** Bytes a score takes after its tag, or -1 for a double. */
    private static int intBytes(double s) {
        if (!(s >= -0x1p62 && s <= 0x1p62) || s != (long) s) return -1;
        long v = (long) s;
        if (v == 0) return 0;
        int n = 1;
        while (n < 8 && (v << (64 - 8 * n)) >> (64 - 8 * n) != v) n++;
        return n;
    }

    /** Inserts a member that is not present, at its ordered place (zzlInsert). */
    static byte[] insert(byte[] buf, double score, byte[] m, int off, int len) {
        int p = 0, end = buf.length;
        while (p < end) {
            double s = score(buf, p);
            if (s > score || (s == score && compareMember(buf, p, m, off, len) > 0)) break;
            p = next(buf, p);
        }
        return insertAt(buf, p, score, m, off, len);
    }

    private static byte[] insertAt(byte[] buf, int p, double score, byte[] m, int off, int len) {
        int ib = intBytes(score);
        int size = Varint.size(len) + len + 1 + (ib < 0 ? 8 : ib);
        byte[] n = new byte[buf.length + size];
        System.arraycopy(buf, 0, n, 0, p);
        System.arraycopy(buf, p, n, p + size, buf.length - p);
        int q = Varint.write(n, p, len);
        System.arraycopy(m, off, n, q, len);
        q += len;
        long bits;
        int nb;
        if (ib < 0) {
            n[q++] = DOUBLE_TAG;
            bits = Double.doubleToRawLongBits(score);
            nb = 8;
        } else {
            n[q++] = (byte) ib;
            bits = (long) score;
            nb = ib;
        }
        for (int i = 0; i < nb; i++) n[q++] = (byte) (bits >>> (8 * i));
        return n;
    }

    /** Appends an element known to sort after every present one (conversions, stores). */
    static byte[] append(byte[] buf, double score, byte[] m, int off, int len) {
        return insertAt(buf, buf.length, score, m, off, len);
    }

    /** Removes the entries from offset p (inclusive) to q (exclusive). */
    static byte[] deleteRange(byte[] buf, int p, int q) {
        byte[] b = new byte[buf.length - (q - p)];
        System.arraycopy(buf, 0, b, 0, p);
        System.arraycopy(buf, q, b, p, buf.length - q);
        return b;
    }

    static byte[] delete(byte[] buf, int p) {
        return deleteRange(buf, p, next(buf, p));
    }
}
