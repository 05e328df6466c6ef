package io.larder.store.zset;

import io.larder.store.StoredValue;
import io.larder.store.ValueType;
import java.util.function.Consumer;

/**
 * A sorted set value, in one of Redis's two encodings: "listpack"
 * ({@link PackedZset}, for small sets) or "skiplist" (a {@link ScoreTree}
 * for order plus a {@link MemberIndex} for lookups). Conversions happen
 * exactly where Redis converts, so OBJECT ENCODING answers the same: from
 * packed to tree when an added member would exceed zset-max-listpack-entries
 * or -value; back only when a store command builds a small result
 * ({@link #fromSorted}). The command layer passes the limits in.
 *
 * <p>Elements are ordered by score, then by member bytes (memcmp). Ranks are
 * 0-based positions in that order.
 */
public final class SortedSet extends StoredValue {
    /** Listpacks refuse to grow past 1GB (lpSafeToAdd); such a set converts. */
    private static final long LISTPACK_SAFETY = 1L << 30;

    private PackedZset packed;
    private ScoreTree tree;
    private MemberIndex index;
    /** Heap bytes of the tree's entries (with the tree). */
    private long entryBytes;
    /** The score ZADD left a member with (Redis's newscore out-parameter). */
    private double lastScore;

    private SortedSet() {}

    /** An empty set in the small encoding. */
    public static SortedSet packed() {
        SortedSet z = new SortedSet();
        z.packed = new PackedZset();
        return z;
    }

    /** An empty set in the large encoding, sized for about n members. */
    public static SortedSet large(int n) {
        SortedSet z = new SortedSet();
        z.tree = new ScoreTree();
        z.index = new MemberIndex(n);
        return z;
    }

    /**
     * The set ZADD creates for a new key: large right away when listpacks are
     * disabled or the first member is already too long (Redis checks only the
     * first member here; later ones convert on insertion).
     */
    public static SortedSet forAdd(long maxEntries, long maxValue, int firstMemberLength) {
        return maxEntries == 0 || maxValue < firstMemberLength ? large(16) : packed();
    }

    // ------------------------------------------------------------ StoredValue

    @Override
    public int type() {
        return ValueType.ZSET;
    }

    @Override
    public String encoding() {
        return packed != null ? "listpack" : "skiplist";
    }

    @Override
    public long memoryUsage() {
        if (packed != null) return 48 + arrayBytes(packed.bytes());
        return 48 + 48 + tree.nodeBytes() + index.bytes() + entryBytes;
    }

    @Override
    public SortedSet copy() {
        SortedSet z;
        if (packed != null) {
            z = new SortedSet();
            z.packed = packed.copy();
        } else {
            // Entries are immutable, so the copy may share them.
            byte[][] all = entries();
            z = large(all.length);
            z.tree.build(all, all.length);
            for (byte[] e : all) z.index.insert(e, memberHash(e));
            z.entryBytes = entryBytes;
        }
        z.setExpireAt(expireAt());
        return z;
    }

    public boolean isPacked() {
        return packed != null;
    }

    public int size() {
        return packed != null ? packed.count : tree.size();
    }

    // ------------------------------------------------------------ lookups

    /** The member's score, or NaN when absent (NaN is never a stored score). */
    public double score(byte[] m, int off, int len) {
        if (packed != null) {
            int p = packed.find(m, off, len);
            return p < 0 ? Double.NaN : packed.score(p);
        }
        int slot = index.find(m, off, len, MemberIndex.hash(m, off, len));
        return slot < 0 ? Double.NaN : ZEntry.score(index.entry(slot));
    }

    /** 0-based rank of a member (from the top when reverse), or -1. */
    public long rank(byte[] m, int off, int len, boolean reverse) {
        int r;
        if (packed != null) {
            int p = packed.find(m, off, len);
            if (p < 0) return -1;
            r = packed.rankOf(p);
        } else {
            int slot = index.find(m, off, len, MemberIndex.hash(m, off, len));
            if (slot < 0) return -1;
            r = tree.rank(index.entry(slot));
        }
        return reverse ? size() - 1 - r : r;
    }

    /** A cursor at a rank (invalid when out of range). */
    public ZCursor cursor(int rank) {
        return packed != null ? new ZCursor.Packed(packed, rank) : new ZCursor.Tree(tree, rank);
    }

    // ------------------------------------------------------------ ranges

    /**
     * Rank of the first element in the range, or -1: Redis's
     * zzlFirstInRange/zslFirstInRange (and the lex variants), including
     * their quick rejections, so that even a BYLEX range over members with
     * different scores answers as Redis does for a listpack.
     */
    public int firstInRange(ZRange r) {
        int n = size();
        if (r.empty() || n == 0) return -1;
        if (packed != null) {
            int[] offs = packed.offsets();
            if (!gteMin(r, offs[n - 1]) || !lteMax(r, offs[0])) return -1;
            for (int i = 0; i < n; i++) {
                if (gteMin(r, offs[i])) return lteMax(r, offs[i]) ? i : -1;
            }
            return -1;
        }
        if (!r.gteMin(tree.at(n - 1)) || !r.lteMax(tree.at(0))) return -1;
        int i = tree.firstPassing(r::gteMin);
        return i < n && r.lteMax(tree.at(i)) ? i : -1;
    }

    /** Rank of the last element in the range, or -1 (zzlLastInRange/zslLastInRange). */
    public int lastInRange(ZRange r) {
        int n = size();
        if (r.empty() || n == 0) return -1;
        if (packed != null) {
            int[] offs = packed.offsets();
            if (!gteMin(r, offs[n - 1]) || !lteMax(r, offs[0])) return -1;
            for (int i = n - 1; i >= 0; i--) {
                if (lteMax(r, offs[i])) return gteMin(r, offs[i]) ? i : -1;
            }
            return -1;
        }
        if (!r.gteMin(tree.at(n - 1)) || !r.lteMax(tree.at(0))) return -1;
        int i = tree.firstPassing(e -> !r.lteMax(e)) - 1;
        return i >= 0 && r.gteMin(tree.at(i)) ? i : -1;
    }

    /**
     * How many elements from the first in range on stay within the upper
     * bound (ZCOUNT, ZLEXCOUNT, ZREMRANGEBYSCORE/LEX). The packed encoding
     * walks forward as a listpack does; the tree subtracts ranks.
     */
    public int countInRange(ZRange r) {
        int first = firstInRange(r);
        if (first < 0) return 0;
        if (packed != null) {
            int n = 0;
            for (ZCursor c = cursor(first); c.valid(); c.next()) {
                if (!r.lteMax(c.score(), c.buf(), c.off(), c.len())) break;
                n++;
            }
            return n;
        }
        int last = lastInRange(r);
        return last < first ? 0 : last - first + 1;
    }

    private boolean gteMin(ZRange r, int p) {
        return r.gteMin(packed.score(p), packed.buf, packed.memberOff(p), packed.memberLen(p));
    }

    private boolean lteMax(ZRange r, int p) {
        return r.lteMax(packed.score(p), packed.buf, packed.memberOff(p), packed.memberLen(p));
    }

    // ------------------------------------------------------------ updates

    public static final int IN_INCR = 1, IN_NX = 2, IN_XX = 4, IN_GT = 8, IN_LT = 16;
    public static final int OUT_NOP = 1, OUT_NAN = 2, OUT_ADDED = 4, OUT_UPDATED = 8;

    /**
     * Redis's zsetAdd: adds or updates one member under the NX/XX/GT/LT/INCR
     * flags; returns OUT_* flags. The resulting score is then
     * {@link #lastScore()}. Converts to the large encoding first when a new
     * member would not fit the listpack limits.
     */
    public int add(double score, byte[] m, int off, int len, int in, long maxEntries, long maxValue) {
        if (Double.isNaN(score)) return OUT_NAN;
        boolean incr = (in & IN_INCR) != 0, nx = (in & IN_NX) != 0, xx = (in & IN_XX) != 0;
        boolean gt = (in & IN_GT) != 0, lt = (in & IN_LT) != 0;
        if (packed != null) {
            int p = packed.find(m, off, len);
            if (p >= 0) {
                if (nx) return OUT_NOP;
                double cur = packed.score(p);
                if (incr) {
                    score += cur;
                    if (Double.isNaN(score)) return OUT_NAN;
                }
                if ((lt && score >= cur) || (gt && score <= cur)) return OUT_NOP;
                lastScore = score;
                if (score != cur) {
                    packed.delete(p);
                    packed.insert(score, m, off, len);
                    return OUT_UPDATED;
                }
                return 0;
            }
            if (xx) return OUT_NOP;
            if (packed.count + 1L > maxEntries || len > maxValue || packed.bytes() + (long) len > LISTPACK_SAFETY) {
                convertToTree();
            } else {
                packed.insert(score, m, off, len);
                lastScore = score;
                return OUT_ADDED;
            }
        }
        int h = MemberIndex.hash(m, off, len);
        int slot = index.find(m, off, len, h);
        if (slot >= 0) {
            if (nx) return OUT_NOP;
            byte[] e = index.entry(slot);
            double cur = ZEntry.score(e);
            if (incr) {
                score += cur;
                if (Double.isNaN(score)) return OUT_NAN;
            }
            if ((lt && score >= cur) || (gt && score <= cur)) return OUT_NOP;
            lastScore = score;
            if (score != cur) {
                tree.delete(e);
                byte[] u = ZEntry.withScore(e, score);
                tree.insert(u);
                index.set(slot, u);
                return OUT_UPDATED;
            }
            return 0;
        }
        if (xx) return OUT_NOP;
        byte[] e = ZEntry.of(score, m, off, len);
        tree.insert(e);
        index.insert(e, h);
        entryBytes += arrayBytes(e.length);
        lastScore = score;
        return OUT_ADDED;
    }

    public double lastScore() {
        return lastScore;
    }

    /** Removes a member; false if absent. */
    public boolean remove(byte[] m, int off, int len) {
        if (packed != null) {
            int p = packed.find(m, off, len);
            if (p < 0) return false;
            packed.delete(p);
            return true;
        }
        int slot = index.find(m, off, len, MemberIndex.hash(m, off, len));
        if (slot < 0) return false;
        byte[] e = index.entry(slot);
        index.removeAt(slot);
        tree.delete(e);
        entryBytes -= arrayBytes(e.length);
        return true;
    }

    /** Removes the elements of ranks [start, end] (inclusive, in range); returns how many. */
    public int removeRanks(int start, int end) {
        int n = end - start + 1;
        if (n <= 0) return 0;
        if (packed != null) {
            int p = packed.offsetOfRank(start);
            int q = p;
            for (int i = 0; i < n; i++) q = packed.next(q);
            packed.deleteRange(p, q, n);
            return n;
        }
        tree.deleteRange(start, n, e -> {
            index.remove(e);
            entryBytes -= arrayBytes(e.length);
        });
        return n;
    }

    /** Removes the elements of a score or lex range (ZREMRANGEBYSCORE/BYLEX). */
    public int removeRange(ZRange r) {
        int first = firstInRange(r);
        if (first < 0) return 0;
        return removeRanks(first, first + countInRange(r) - 1);
    }

    // ------------------------------------------------------------ encodings

    /** To the large encoding (ZADD growth, SORT, which converts destructively in Redis). */
    public void convertToTree() {
        if (packed == null) return;
        int n = packed.count;
        byte[][] all = new byte[n][];
        int p = 0;
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            byte[] e = ZEntry.of(packed.score(p), packed.buf, packed.memberOff(p), packed.memberLen(p));
            all[i] = e;
            bytes += arrayBytes(e.length);
            p = packed.next(p);
        }
        packed = null;
        tree = new ScoreTree();
        tree.build(all, n);
        index = new MemberIndex(n);
        for (byte[] e : all) index.insert(e, memberHash(e));
        entryBytes = bytes;
    }

    private static int memberHash(byte[] e) {
        return MemberIndex.hash(e, ZEntry.HEADER, e.length - ZEntry.HEADER);
    }

    private byte[][] entries() {
        byte[][] all = new byte[tree.size()][];
        int i = 0;
        for (ScoreTree.Leaf l = tree.head(); l != null; l = l.next) {
            System.arraycopy(l.e, 0, all, i, l.n);
            i += l.n;
        }
        return all;
    }

    /**
     * A set built from elements already in order (ZUNIONSTORE and friends):
     * small when Redis's zsetConvertToListpackIfNeeded would make it so.
     * The entries must come from {@link #entry}.
     */
    public static SortedSet fromSorted(byte[][] sorted, int n, long maxEntries, long maxValue) {
        long maxLen = 0, total = 0;
        for (int i = 0; i < n; i++) {
            int l = sorted[i].length - ZEntry.HEADER;
            maxLen = Math.max(maxLen, l);
            total += l;
        }
        if (n <= maxEntries && maxLen <= maxValue && total <= LISTPACK_SAFETY) {
            SortedSet z = packed();
            for (int i = 0; i < n; i++) {
                byte[] e = sorted[i];
                z.packed.append(ZEntry.score(e), e, ZEntry.HEADER, e.length - ZEntry.HEADER);
            }
            return z;
        }
        SortedSet z = large(n);
        z.tree.build(sorted, n);
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            z.index.insert(sorted[i], memberHash(sorted[i]));
            bytes += arrayBytes(sorted[i].length);
        }
        z.entryBytes = bytes;
        return z;
    }

    /** An element for {@link #fromSorted}. */
    public static byte[] entry(double score, byte[] m, int off, int len) {
        return ZEntry.of(score, m, off, len);
    }

    public static double entryScore(byte[] e) {
        return ZEntry.score(e);
    }

    /** Changes the score of an entry that is in no set yet (accumulators of ZUNION and friends). */
    public static void setEntryScore(byte[] e, double score) {
        ZEntry.setScore(e, score);
    }

    /** Orders entries as the set does. */
    public static int compareEntries(byte[] a, byte[] b) {
        return ZEntry.compare(a, b);
    }

    public static final int ENTRY_HEADER = ZEntry.HEADER;

    // ------------------------------------------------------------ iteration, scan, random

    /** Visits every element in order: (array, member offset, member length, score). */
    public interface ElementVisitor {
        void visit(byte[] buf, int off, int len, double score);
    }

    public void forEach(ElementVisitor v) {
        if (packed != null) {
            for (int p = 0, end = packed.buf.length; p < end; p = packed.next(p)) {
                v.visit(packed.buf, packed.memberOff(p), packed.memberLen(p), packed.score(p));
            }
            return;
        }
        for (ScoreTree.Leaf l = tree.head(); l != null; l = l.next) {
            for (int i = 0; i < l.n; i++) {
                byte[] e = l.e[i];
                v.visit(e, ZEntry.HEADER, e.length - ZEntry.HEADER, ZEntry.score(e));
            }
        }
    }

    /**
     * One ZSCAN step over the large encoding: visits the elements whose
     * member hash lies in [cursor, cursor + width for count) and returns the
     * next cursor (0 when done). Only for {@code !isPacked()}: a listpack is
     * returned whole in one call, as Redis does.
     */
    public long scan(long cursor, long count, ElementVisitor v) {
        long width = index.widthFor((int) Math.min(count, Integer.MAX_VALUE));
        long to = Math.min(MemberIndex.HASH_SPACE, cursor + width);
        index.scan(cursor, to, e -> v.visit(e, ZEntry.HEADER, e.length - ZEntry.HEADER, ZEntry.score(e)));
        return to >= MemberIndex.HASH_SPACE ? 0 : to;
    }

    /** Whether a cursor is one this set's scan could have produced (else it starts over). */
    public static boolean validScanCursor(long cursor) {
        return cursor >= 0 && cursor < MemberIndex.HASH_SPACE;
    }

    /**
     * Visits every element of the packed encoding with its score as the
     * listpack holds it (ZSCAN's text): integers in decimal, others as %.17g.
     */
    public void forEachPackedText(TextVisitor v) {
        for (int p = 0, end = packed.buf.length; p < end; p = packed.next(p)) {
            v.visit(packed.buf, packed.memberOff(p), packed.memberLen(p), packed.scoreText(p));
        }
    }

    public interface TextVisitor {
        void visit(byte[] buf, int off, int len, String score);
    }

    /** For tests: the tree's structural invariants hold and agree with the index. */
    void verify() {
        if (packed != null) return;
        tree.verify();
        if (index.size() != tree.size()) throw new AssertionError("index " + index.size() + " != " + tree.size());
    }
}
