package io.larder.store.zset;

import io.larder.store.StoredValue;
import io.larder.store.ValueType;

/**
 * A sorted set value, in one of Redis's two encodings: "listpack" (a packed
 * array, {@link PackedZset}, for small sets) or "skiplist" (a
 * {@link ScoreTree} for order plus a {@link MemberIndex} for lookups, see
 * {@link TreeZset}). Conversions happen exactly where Redis converts, so
 * OBJECT ENCODING answers the same: from packed to tree when an added
 * member would exceed zset-max-listpack-entries or -value; back only when a
 * store command builds a small result ({@link #fromSorted}). The command
 * layer passes the limits in.
 *
 * <p>Elements are ordered by score, then by member bytes (memcmp). Ranks are
 * 0-based positions in that order.
 */
public final class SortedSet extends StoredValue {
    /** Listpacks refuse to grow past 1GB (lpSafeToAdd); such a set converts. */
    private static final long LISTPACK_SAFETY = 1L << 30;

    /** The packed array (byte[]) or the large encoding (TreeZset). */
    private Object data;
    /** Elements of the packed array. */
    private int count;

    private SortedSet(Object data) {
        this.data = data;
    }

    /** An empty set in the small encoding. */
    public static SortedSet packed() {
        return new SortedSet(PackedZset.EMPTY);
    }

    /** An empty set in the large encoding, sized for about n members. */
    public static SortedSet large(int n) {
        return new SortedSet(new TreeZset(n));
    }

    /**
     * The set ZADD creates for a new key: large right away when listpacks are
     * disabled or the first member is already too long (Redis checks only the
     * first member here; later ones convert on insertion).
     */
    public static SortedSet forAdd(long maxEntries, long maxValue, int firstMemberLength) {
        return maxEntries == 0 || maxValue < firstMemberLength ? large(16) : packed();
    }

    private byte[] buf() {
        return (byte[]) data;
    }

    private TreeZset big() {
        return (TreeZset) data;
    }

    // ------------------------------------------------------------ StoredValue

    @Override
    public int type() {
        return ValueType.ZSET;
    }

    @Override
    public String encoding() {
        return isPacked() ? "listpack" : "skiplist";
    }

    @Override
    public long memoryUsage() {
        return 40 + (data instanceof byte[] b ? arrayBytes(b.length) : big().bytes());
    }

    @Override
    public SortedSet copy() {
        SortedSet z;
        if (isPacked()) {
            z = new SortedSet(buf().clone());
            z.count = count;
        } else {
            // Entries are immutable, so the copy may share them.
            byte[][] all = big().entries();
            z = new SortedSet(TreeZset.of(all, all.length));
        }
        z.setExpireAt(expireAt());
        return z;
    }

    public boolean isPacked() {
        return data instanceof byte[];
    }

    public int size() {
        return isPacked() ? count : big().size();
    }

    // ------------------------------------------------------------ lookups

    /** The member's score, or NaN when absent (NaN is never a stored score). */
    public double score(byte[] m, int off, int len) {
        if (isPacked()) {
            int p = PackedZset.find(buf(), m, off, len);
            return p < 0 ? Double.NaN : PackedZset.score(buf(), p);
        }
        MemberIndex index = big().index;
        int slot = index.find(m, off, len, MemberIndex.hash(m, off, len));
        return slot < 0 ? Double.NaN : ZEntry.score(index.entry(slot));
    }

    /** 0-based rank of a member (from the top when reverse), or -1. */
    public long rank(byte[] m, int off, int len, boolean reverse) {
        int r;
        if (isPacked()) {
            int p = PackedZset.find(buf(), m, off, len);
            if (p < 0) return -1;
            r = PackedZset.rankOf(buf(), p);
        } else {
            MemberIndex index = big().index;
            int slot = index.find(m, off, len, MemberIndex.hash(m, off, len));
            if (slot < 0) return -1;
            r = big().tree.rank(index.entry(slot));
        }
        return reverse ? size() - 1 - r : r;
    }

    /** A cursor at a rank (invalid when out of range). */
    public ZCursor cursor(int rank) {
        return isPacked() ? new ZCursor.Packed(buf(), count, rank) : new ZCursor.Tree(big().tree, rank);
    }

    // ------------------------------------------------------------ ranges

    /**
     * Rank of the first element in the range, or -1: Redis's
     * zzlFirstInRange/zslFirstInRange (and the lex variants), including
     * their quick rejections, so that even a BYLEX range over members with
     * different scores answers as Redis does for a listpack.
     */
    public int firstInRange(ZRange r) {
        if (!mayIntersect(r)) return -1;
        int n = size();
        if (isPacked()) {
            byte[] b = buf();
            int[] offs = PackedZset.offsets(b, n);
            for (int i = 0; i < n; i++) {
                if (gteMin(r, b, offs[i])) return lteMax(r, b, offs[i]) ? i : -1;
            }
            return -1;
        }
        ScoreTree tree = big().tree;
        int i = tree.firstPassing(r::gteMinEntry);
        return i < n && r.lteMax(tree.at(i)) ? i : -1;
    }

    /** Rank of the last element in the range, or -1 (zzlLastInRange/zslLastInRange). */
    public int lastInRange(ZRange r) {
        if (!mayIntersect(r)) return -1;
        if (isPacked()) {
            byte[] b = buf();
            int[] offs = PackedZset.offsets(b, count);
            for (int i = count - 1; i >= 0; i--) {
                if (lteMax(r, b, offs[i])) return gteMin(r, b, offs[i]) ? i : -1;
            }
            return -1;
        }
        ScoreTree tree = big().tree;
        int i = tree.firstPassing((sc, e) -> !r.lteMaxEntry(sc, e)) - 1;
        return i >= 0 && r.gteMin(tree.at(i)) ? i : -1;
    }

    /**
     * Redis's zzlIsInRange/zslIsInRange (and lex forms): false when the range
     * is empty, or the last element is below it, or the first above it.
     */
    private boolean mayIntersect(ZRange r) {
        int n = size();
        if (r.empty() || n == 0) return false;
        ZCursor first = cursor(0), last = cursor(n - 1);
        return r.gteMin(last.score(), last.buf(), last.off(), last.len())
                && r.lteMax(first.score(), first.buf(), first.off(), first.len());
    }

    /**
     * How many elements from the first in range on stay within the upper
     * bound (ZCOUNT, ZLEXCOUNT, ZREMRANGEBYSCORE/LEX). The packed encoding
     * walks forward as a listpack does; the tree subtracts ranks.
     */
    public int countInRange(ZRange r) {
        int first = firstInRange(r);
        if (first < 0) return 0;
        if (isPacked()) {
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

    private static boolean gteMin(ZRange r, byte[] b, int p) {
        return r.gteMin(PackedZset.score(b, p), b, PackedZset.memberOff(b, p), PackedZset.memberLen(b, p));
    }

    private static boolean lteMax(ZRange r, byte[] b, int p) {
        return r.lteMax(PackedZset.score(b, p), b, PackedZset.memberOff(b, p), PackedZset.memberLen(b, p));
    }

    // ------------------------------------------------------------ updates

    public static final int IN_INCR = 1, IN_NX = 2, IN_XX = 4, IN_GT = 8, IN_LT = 16;
    public static final int OUT_NOP = 1, OUT_NAN = 2, OUT_ADDED = 4, OUT_UPDATED = 8;

    /**
     * Redis's zsetAdd: adds or updates one member under the NX/XX/GT/LT/INCR
     * flags; returns OUT_* flags (the resulting score is then the member's
     * score). Converts to the large encoding first when a new member would
     * not fit the listpack limits.
     */
    public int add(double score, byte[] m, int off, int len, int in, long maxEntries, long maxValue) {
        if (Double.isNaN(score)) return OUT_NAN;
        boolean incr = (in & IN_INCR) != 0, nx = (in & IN_NX) != 0, xx = (in & IN_XX) != 0;
        boolean gt = (in & IN_GT) != 0, lt = (in & IN_LT) != 0;
        if (isPacked()) {
            byte[] b = buf();
            int p = PackedZset.find(b, m, off, len);
            if (p >= 0) {
                if (nx) return OUT_NOP;
                double cur = PackedZset.score(b, p);
                if (incr) {
                    score += cur;
                    if (Double.isNaN(score)) return OUT_NAN;
                }
                if ((lt && score >= cur) || (gt && score <= cur)) return OUT_NOP;
                if (score != cur) {
                    data = PackedZset.insert(PackedZset.delete(b, p), score, m, off, len);
                    return OUT_UPDATED;
                }
                return 0;
            }
            if (xx) return OUT_NOP;
            if (count + 1L > maxEntries || len > maxValue || b.length + (long) len > LISTPACK_SAFETY) {
                convertToTree();
            } else {
                data = PackedZset.insert(b, score, m, off, len);
                count++;
                return OUT_ADDED;
            }
        }
        TreeZset t = big();
        int h = MemberIndex.hash(m, off, len);
        int slot = t.index.find(m, off, len, h);
        if (slot >= 0) {
            if (nx) return OUT_NOP;
            byte[] e = t.index.entry(slot);
            double cur = ZEntry.score(e);
            if (incr) {
                score += cur;
                if (Double.isNaN(score)) return OUT_NAN;
            }
            if ((lt && score >= cur) || (gt && score <= cur)) return OUT_NOP;
            if (score != cur) {
                t.tree.delete(e);
                byte[] u = ZEntry.withScore(e, score);
                t.tree.insert(u);
                t.index.set(slot, u);
                return OUT_UPDATED;
            }
            return 0;
        }
        if (xx) return OUT_NOP;
        byte[] e = ZEntry.of(score, m, off, len);
        t.tree.insert(e);
        t.index.insert(e, h);
        t.entryBytes += arrayBytes(e.length);
        return OUT_ADDED;
    }

    /** Removes a member; false if absent. */
    public boolean remove(byte[] m, int off, int len) {
        if (isPacked()) {
            int p = PackedZset.find(buf(), m, off, len);
            if (p < 0) return false;
            data = PackedZset.delete(buf(), p);
            count--;
            return true;
        }
        TreeZset t = big();
        int slot = t.index.find(m, off, len, MemberIndex.hash(m, off, len));
        if (slot < 0) return false;
        byte[] e = t.index.entry(slot);
        t.index.removeAt(slot);
        t.tree.delete(e);
        t.entryBytes -= arrayBytes(e.length);
        return true;
    }

    /** Removes the elements of ranks [start, end] (inclusive, in range); returns how many. */
    public int removeRanks(int start, int end) {
        int n = end - start + 1;
        if (n <= 0) return 0;
        if (isPacked()) {
            byte[] b = buf();
            int p = PackedZset.offsetOfRank(b, start);
            int q = p;
            for (int i = 0; i < n; i++) q = PackedZset.next(b, q);
            data = PackedZset.deleteRange(b, p, q);
            count -= n;
            return n;
        }
        TreeZset t = big();
        t.tree.deleteRange(start, n, e -> {
            t.index.remove(e);
            t.entryBytes -= arrayBytes(e.length);
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

    /** To the large encoding (ZADD growth; SORT, which converts for good in Redis). */
    public void convertToTree() {
        if (!isPacked()) return;
        byte[] b = buf();
        byte[][] all = new byte[count][];
        int p = 0;
        for (int i = 0; i < count; i++) {
            all[i] = ZEntry.of(PackedZset.score(b, p), b, PackedZset.memberOff(b, p), PackedZset.memberLen(b, p));
            p = PackedZset.next(b, p);
        }
        data = TreeZset.of(all, count);
        count = 0;
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
            byte[] b = PackedZset.EMPTY;
            for (int i = 0; i < n; i++) {
                byte[] e = sorted[i];
                b = PackedZset.append(b, ZEntry.score(e), e, ZEntry.HEADER, e.length - ZEntry.HEADER);
            }
            SortedSet z = new SortedSet(b);
            z.count = n;
            return z;
        }
        return new SortedSet(TreeZset.of(sorted, n));
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

    // ------------------------------------------------------------ iteration, scan

    /** Visits elements: (array, member offset, member length, score). */
    public interface ElementVisitor {
        void visit(byte[] buf, int off, int len, double score);
    }

    /** Every element, in order. */
    public void forEach(ElementVisitor v) {
        if (isPacked()) {
            byte[] b = buf();
            for (int p = 0; p < b.length; p = PackedZset.next(b, p)) {
                v.visit(b, PackedZset.memberOff(b, p), PackedZset.memberLen(b, p), PackedZset.score(b, p));
            }
            return;
        }
        for (ScoreTree.Leaf l = big().tree.head(); l != null; l = l.next) {
            for (int i = 0; i < l.n; i++) {
                byte[] e = l.e[i];
                v.visit(e, ZEntry.HEADER, e.length - ZEntry.HEADER, ZEntry.score(e));
            }
        }
    }

    /**
     * One ZSCAN step over the large encoding: visits the elements whose
     * member hash lies in [cursor, cursor + a width holding about count) and
     * returns the next cursor (0 when done). Only for {@code !isPacked()}: a
     * listpack is returned whole in one call, as Redis does.
     */
    public long scan(long cursor, long count, ElementVisitor v) {
        MemberIndex index = big().index;
        long width = index.widthFor((int) Math.min(count, Integer.MAX_VALUE));
        long to = Math.min(MemberIndex.HASH_SPACE, cursor + width);
        index.scan(cursor, to, e -> v.visit(e, ZEntry.HEADER, e.length - ZEntry.HEADER, ZEntry.score(e)));
        return to >= MemberIndex.HASH_SPACE ? 0 : to;
    }

    /** Whether a cursor is one this set's scan could have produced (else there is nothing to scan). */
    public static boolean validScanCursor(long cursor) {
        return cursor >= 0 && cursor < MemberIndex.HASH_SPACE;
    }

    public interface TextVisitor {
        void visit(byte[] buf, int off, int len, String score);
    }

    /**
     * Visits every element of the packed encoding with its score as the
     * listpack holds it (ZSCAN's text): integers in decimal, others as %.17g.
     */
    public void forEachPackedText(TextVisitor v) {
        byte[] b = buf();
        for (int p = 0; p < b.length; p = PackedZset.next(b, p)) {
            v.visit(b, PackedZset.memberOff(b, p), PackedZset.memberLen(b, p), PackedZset.scoreText(b, p));
        }
    }

    /** For tests: leaves of the tree (0 when packed). */
    int leafCount() {
        return isPacked() ? 0 : big().tree.leafCount();
    }

    /** For tests: the tree's structural invariants hold and agree with the index. */
    void verify() {
        if (isPacked()) return;
        TreeZset t = big();
        t.tree.verify();
        if (t.index.size() != t.tree.size()) throw new AssertionError("index " + t.index.size() + " != " + t.tree.size());
    }
}
