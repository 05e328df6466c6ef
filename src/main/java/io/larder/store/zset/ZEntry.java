package io.larder.store.zset;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A member of a large sorted set as one array: the score's 8 bytes, then the
 * member bytes. One object per member (against Redis's skiplist node plus
 * sds plus dictEntry); the tree and the hash index share it. Entries are
 * immutable once in the tree: a new score means a new entry, because tree
 * separators may still refer to the old one.
 */
final class ZEntry {
    private ZEntry() {}

    static final int HEADER = 8;
    private static final VarHandle DOUBLE = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

    static byte[] of(double score, byte[] m, int off, int len) {
        byte[] e = new byte[HEADER + len];
        DOUBLE.set(e, 0, score);
        System.arraycopy(m, off, e, HEADER, len);
        return e;
    }

    /** The same member with another score. */
    static byte[] withScore(byte[] e, double score) {
        byte[] n = e.clone();
        DOUBLE.set(n, 0, score);
        return n;
    }

    static void setScore(byte[] e, double score) {
        DOUBLE.set(e, 0, score);
    }

    static double score(byte[] e) {
        return (double) DOUBLE.get(e, 0);
    }

    static int memberLength(byte[] e) {
        return e.length - HEADER;
    }

    static byte[] member(byte[] e) {
        return Arrays.copyOfRange(e, HEADER, e.length);
    }

    /**
     * Redis's skiplist order: by score, then by member as memcmp. Scores
     * compare with {@code <} and {@code ==}, so -0 and 0 tie and the member
     * decides, exactly as in zslInsert.
     */
    static int compare(byte[] a, byte[] b) {
        double sa = score(a), sb = score(b);
        if (sa < sb) return -1;
        if (sa > sb) return 1;
        return Arrays.compareUnsigned(a, HEADER, a.length, b, HEADER, b.length);
    }

    /** Compares (score, member) with an entry. */
    static int compare(double score, byte[] m, int off, int len, byte[] e) {
        double se = score(e);
        if (score < se) return -1;
        if (score > se) return 1;
        return Arrays.compareUnsigned(m, off, off + len, e, HEADER, e.length);
    }

    static boolean memberEquals(byte[] e, byte[] m, int off, int len) {
        return e.length - HEADER == len && Arrays.equals(e, HEADER, e.length, m, off, off + len);
    }
}
