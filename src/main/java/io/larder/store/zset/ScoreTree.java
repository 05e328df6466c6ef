package io.larder.store.zset;

import java.util.function.Consumer;

/**
 * The order of a large sorted set: a B+ tree of entries ({@link ZEntry})
 * ordered by (score, member), whose inner nodes count the entries below each
 * child. That gives what Redis's skiplist with spans gives, with
 * deterministic bounds: insert, delete, rank and access by rank in O(log N),
 * range starts in O(log N), then O(1) per element along the linked leaves.
 *
 * <p>Why not a skiplist: in Java every skiplist node would be an object with
 * two arrays (forward pointers and spans); leaves of 64 references cost about
 * 6 bytes per element instead. Nodes keep the scores of their entries (and
 * separators) in a double[] beside the references, so a descent compares
 * scores within one node's arrays and follows a reference to member bytes
 * only on a tie: a few cache misses per operation instead of one per
 * comparison. Appends at either end (increasing timestamps,
 * the common case) split leaves unevenly so they stay full. Leaves and inner
 * nodes that fall under a quarter full merge with a sibling when both fit in
 * one node, so memory follows the live size after mass deletions.
 */
final class ScoreTree {
    static final int MAX = 64;
    private static final int MIN = MAX / 4;
    private static final int MAX_HEIGHT = 16;

    static final class Leaf {
        final byte[][] e = new byte[MAX][];
        final double[] s = new double[MAX];
        int n;
        Leaf prev, next;
    }

    static final class Inner {
        final Object[] kid = new Object[MAX];
        final int[] cnt = new int[MAX];
        /** sep[i] (i >= 1) is at most the smallest entry under kid[i] and above every entry under kid[i-1]. */
        final byte[][] sep = new byte[MAX][];
        final double[] ss = new double[MAX];
        int n;
    }

    private Object root;
    private Leaf head, tail;
    private int size;
    private int leaves, inners;

    // Descent path, reused by every update (the tree is used under its key's lock).
    private final Inner[] pathNode = new Inner[MAX_HEIGHT];
    private final int[] pathIdx = new int[MAX_HEIGHT];

    int size() {
        return size;
    }

    int leafCount() {
        return leaves;
    }

    Leaf head() {
        return head;
    }

    Leaf tail() {
        return tail;
    }

    /** Heap bytes of the tree's own nodes (entries are counted by their owner). */
    long nodeBytes() {
        return leaves * (32L + 2 * 16 + 12L * MAX) + inners * (32L + 4 * 16 + 20L * MAX);
    }

    // ------------------------------------------------------------ search helpers

    /** Compares an element (score s, entry e) with x (score xs): scores first, members on a tie. */
    private static int cmp(double s, byte[] e, double xs, byte[] x) {
        if (s < xs) return -1;
        if (s > xs) return 1;
        return java.util.Arrays.compareUnsigned(e, ZEntry.HEADER, e.length, x, ZEntry.HEADER, x.length);
    }

    /** Index of the child of an inner node whose range holds x. */
    private static int childFor(Inner in, double xs, byte[] x) {
        int lo = 1, hi = in.n - 1; // find the last i >= 1 with sep[i] <= x, else 0
        int r = 0;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (cmp(in.ss[mid], in.sep[mid], xs, x) <= 0) {
                r = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return r;
    }

    /** First index in the leaf whose entry is greater than x. */
    private static int upperBound(Leaf l, double xs, byte[] x) {
        int lo = 0, hi = l.n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cmp(l.s[mid], l.e[mid], xs, x) <= 0) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** Index of x in the leaf, or -1. */
    private static int indexOf(Leaf l, double xs, byte[] x) {
        int i = upperBound(l, xs, x) - 1;
        return i >= 0 && cmp(l.s[i], l.e[i], xs, x) == 0 ? i : -1;
    }

    // ------------------------------------------------------------ queries

    /** 0-based rank of an entry known to be present (its exact array or an equal one). */
    int rank(byte[] x) {
        Object node = root;
        double xs = ZEntry.score(x);
        int r = 0;
        while (node instanceof Inner in) {
            int i = childFor(in, xs, x);
            for (int k = 0; k < i; k++) r += in.cnt[k];
            node = in.kid[i];
        }
        Leaf l = (Leaf) node;
        int i = indexOf(l, xs, x);
        return i < 0 ? -1 : r + i;
    }

    /** The leaf holding rank r (0 <= r < size) and, in idx[0], the index in it. */
    Leaf leafAt(int r, int[] idx) {
        Object node = root;
        while (node instanceof Inner in) {
            int k = 0;
            while (r >= in.cnt[k]) r -= in.cnt[k++];
            node = in.kid[k];
        }
        idx[0] = r;
        return (Leaf) node;
    }

    byte[] at(int r) {
        int[] idx = new int[1];
        Leaf l = leafAt(r, idx);
        return l.e[idx[0]];
    }

    /** A monotone test on elements (score, entry): false for a prefix of the order, true after. */
    interface Test {
        boolean test(double score, byte[] e);
    }

    /** Rank of the first entry passing a monotone test (size if none). */
    int firstPassing(Test t) {
        Object node = root;
        if (node == null) return 0;
        int r = 0;
        while (node instanceof Inner in) {
            int lo = 1, hi = in.n - 1, i = 0;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (!t.test(in.ss[mid], in.sep[mid])) {
                    i = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            for (int k = 0; k < i; k++) r += in.cnt[k];
            node = in.kid[i];
        }
        Leaf l = (Leaf) node;
        int lo = 0, hi = l.n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (t.test(l.s[mid], l.e[mid])) hi = mid;
            else lo = mid + 1;
        }
        return r + lo;
    }

    // ------------------------------------------------------------ insert

    void insert(byte[] x) {
        size++;
        double xs = ZEntry.score(x);
        if (root == null) {
            Leaf l = new Leaf();
            leaves++;
            l.e[0] = x;
            l.s[0] = xs;
            l.n = 1;
            root = head = tail = l;
            return;
        }
        Object node = root;
        int depth = 0;
        boolean rightmost = true;
        while (node instanceof Inner in) {
            int i = childFor(in, xs, x);
            pathNode[depth] = in;
            pathIdx[depth] = i;
            depth++;
            in.cnt[i]++;
            rightmost &= i == in.n - 1;
            node = in.kid[i];
        }
        Leaf leaf = (Leaf) node;
        int pos = upperBound(leaf, xs, x);
        if (leaf.n < MAX) {
            System.arraycopy(leaf.e, pos, leaf.e, pos + 1, leaf.n - pos);
            System.arraycopy(leaf.s, pos, leaf.s, pos + 1, leaf.n - pos);
            leaf.e[pos] = x;
            leaf.s[pos] = xs;
            leaf.n++;
            return;
        }
        // Split: MAX + 1 entries over two leaves. Appending at the far right
        // (or prepending at the far left) leaves the old leaf full.
        byte[][] all = new byte[MAX + 1][];
        double[] sc = new double[MAX + 1];
        System.arraycopy(leaf.e, 0, all, 0, pos);
        System.arraycopy(leaf.s, 0, sc, 0, pos);
        all[pos] = x;
        sc[pos] = xs;
        System.arraycopy(leaf.e, pos, all, pos + 1, MAX - pos);
        System.arraycopy(leaf.s, pos, sc, pos + 1, MAX - pos);
        int left;
        if (pos == MAX && leaf.next == null) left = MAX;
        else if (pos == 0 && leaf.prev == null) left = 1;
        else left = (MAX + 1) / 2;
        Leaf right = new Leaf();
        leaves++;
        System.arraycopy(all, 0, leaf.e, 0, left);
        System.arraycopy(sc, 0, leaf.s, 0, left);
        java.util.Arrays.fill(leaf.e, left, MAX, null);
        leaf.n = left;
        System.arraycopy(all, left, right.e, 0, MAX + 1 - left);
        System.arraycopy(sc, left, right.s, 0, MAX + 1 - left);
        right.n = MAX + 1 - left;
        right.next = leaf.next;
        right.prev = leaf;
        if (leaf.next != null) leaf.next.prev = right;
        else tail = right;
        leaf.next = right;
        addChild(depth - 1, leaf, left, right, right.n, right.e[0], right.s[0], rightmost);
    }

    /**
     * After node (now holding leftCount entries) split off right (rightCount,
     * smallest entry sep), links right into the parent at path depth d.
     */
    private void addChild(int d, Object node, int leftCount, Object right, int rightCount, byte[] sep,
                          double sepScore, boolean rightmost) {
        if (d < 0) {
            Inner r = new Inner();
            inners++;
            r.kid[0] = node;
            r.cnt[0] = leftCount;
            r.kid[1] = right;
            r.cnt[1] = rightCount;
            r.sep[1] = sep;
            r.ss[1] = sepScore;
            r.n = 2;
            root = r;
            return;
        }
        Inner p = pathNode[d];
        int i = pathIdx[d];
        p.cnt[i] = leftCount;
        int at = i + 1;
        if (p.n < MAX) {
            insertKid(p, at, right, rightCount, sep, sepScore);
            return;
        }
        // Split the inner node: MAX + 1 children over two nodes.
        Object[] kids = new Object[MAX + 1];
        int[] cnts = new int[MAX + 1];
        byte[][] seps = new byte[MAX + 1][];
        double[] sss = new double[MAX + 1];
        System.arraycopy(p.kid, 0, kids, 0, at);
        System.arraycopy(p.cnt, 0, cnts, 0, at);
        System.arraycopy(p.sep, 0, seps, 0, at);
        System.arraycopy(p.ss, 0, sss, 0, at);
        kids[at] = right;
        cnts[at] = rightCount;
        seps[at] = sep;
        sss[at] = sepScore;
        System.arraycopy(p.kid, at, kids, at + 1, MAX - at);
        System.arraycopy(p.cnt, at, cnts, at + 1, MAX - at);
        System.arraycopy(p.sep, at, seps, at + 1, MAX - at);
        System.arraycopy(p.ss, at, sss, at + 1, MAX - at);
        int left = (at == MAX && rightmost) ? MAX : (MAX + 1) / 2;
        Inner q = new Inner();
        inners++;
        int lsum = 0, rsum = 0;
        for (int k = 0; k <= MAX; k++) {
            if (k < left) lsum += cnts[k];
            else rsum += cnts[k];
        }
        System.arraycopy(kids, 0, p.kid, 0, left);
        System.arraycopy(cnts, 0, p.cnt, 0, left);
        System.arraycopy(seps, 0, p.sep, 0, left);
        System.arraycopy(sss, 0, p.ss, 0, left);
        java.util.Arrays.fill(p.kid, left, MAX, null);
        java.util.Arrays.fill(p.sep, left, MAX, null);
        java.util.Arrays.fill(p.cnt, left, MAX, 0);
        p.n = left;
        int rn = MAX + 1 - left;
        System.arraycopy(kids, left, q.kid, 0, rn);
        System.arraycopy(cnts, left, q.cnt, 0, rn);
        System.arraycopy(seps, left, q.sep, 0, rn);
        System.arraycopy(sss, left, q.ss, 0, rn);
        q.n = rn;
        byte[] up = q.sep[0];
        double upScore = q.ss[0];
        q.sep[0] = null;
        addChild(d - 1, p, lsum, q, rsum, up, upScore, rightmost);
    }

    private static void insertKid(Inner p, int at, Object kid, int cnt, byte[] sep, double sepScore) {
        int move = p.n - at;
        System.arraycopy(p.kid, at, p.kid, at + 1, move);
        System.arraycopy(p.cnt, at, p.cnt, at + 1, move);
        System.arraycopy(p.sep, at, p.sep, at + 1, move);
        System.arraycopy(p.ss, at, p.ss, at + 1, move);
        p.kid[at] = kid;
        p.cnt[at] = cnt;
        p.sep[at] = sep;
        p.ss[at] = sepScore;
        p.n++;
    }

    // ------------------------------------------------------------ delete

    /** Removes an entry equal to x; false if absent. */
    boolean delete(byte[] x) {
        Object node = root;
        if (node == null) return false;
        double xs = ZEntry.score(x);
        int depth = 0;
        while (node instanceof Inner in) {
            int i = childFor(in, xs, x);
            pathNode[depth] = in;
            pathIdx[depth] = i;
            depth++;
            node = in.kid[i];
        }
        Leaf leaf = (Leaf) node;
        int pos = indexOf(leaf, xs, x);
        if (pos < 0) return false;
        removeFromLeaf(leaf, depth, pos, 1);
        return true;
    }

    /**
     * Removes count entries starting at rank r (all must exist), handing each
     * to the consumer first. Works a leaf at a time: O(log N) per leaf
     * touched plus O(1) per entry.
     */
    void deleteRange(int r, int count, Consumer<byte[]> removed) {
        while (count > 0) {
            Object node = root;
            int depth = 0;
            int rr = r;
            while (node instanceof Inner in) {
                int k = 0;
                while (rr >= in.cnt[k]) rr -= in.cnt[k++];
                pathNode[depth] = in;
                pathIdx[depth] = k;
                depth++;
                node = in.kid[k];
            }
            Leaf leaf = (Leaf) node;
            int k = Math.min(count, leaf.n - rr);
            for (int j = 0; j < k; j++) removed.accept(leaf.e[rr + j]);
            removeFromLeaf(leaf, depth, rr, k);
            count -= k;
        }
    }

    private void removeFromLeaf(Leaf leaf, int depth, int pos, int k) {
        for (int d = 0; d < depth; d++) pathNode[d].cnt[pathIdx[d]] -= k;
        size -= k;
        System.arraycopy(leaf.e, pos + k, leaf.e, pos, leaf.n - pos - k);
        System.arraycopy(leaf.s, pos + k, leaf.s, pos, leaf.n - pos - k);
        java.util.Arrays.fill(leaf.e, leaf.n - k, leaf.n, null);
        leaf.n -= k;
        if (depth == 0) {
            if (leaf.n == 0) {
                root = head = tail = null;
                leaves = 0;
            }
            return;
        }
        Inner p = pathNode[depth - 1];
        int i = pathIdx[depth - 1];
        if (leaf.n == 0) {
            unlink(leaf);
            removeKid(p, i);
            leaves--;
            rebalanceInner(depth - 1);
        } else if (leaf.n < MIN && p.n > 1) {
            int li = i > 0 ? i - 1 : i; // merge the pair (li, li + 1)
            Leaf a = (Leaf) p.kid[li], b = (Leaf) p.kid[li + 1];
            if (a.n + b.n <= MAX) {
                System.arraycopy(b.e, 0, a.e, a.n, b.n);
                System.arraycopy(b.s, 0, a.s, a.n, b.n);
                a.n += b.n;
                p.cnt[li] += p.cnt[li + 1];
                unlink(b);
                removeKid(p, li + 1);
                leaves--;
                rebalanceInner(depth - 1);
            }
        }
    }

    private void unlink(Leaf l) {
        if (l.prev != null) l.prev.next = l.next;
        else head = l.next;
        if (l.next != null) l.next.prev = l.prev;
        else tail = l.prev;
    }

    private static void removeKid(Inner p, int i) {
        int move = p.n - i - 1;
        System.arraycopy(p.kid, i + 1, p.kid, i, move);
        System.arraycopy(p.cnt, i + 1, p.cnt, i, move);
        System.arraycopy(p.sep, i + 1, p.sep, i, move);
        System.arraycopy(p.ss, i + 1, p.ss, i, move);
        p.n--;
        p.kid[p.n] = null;
        p.sep[p.n] = null;
        p.cnt[p.n] = 0;
    }

    /** The inner node at path depth d lost a child: collapse, drop or merge it. */
    private void rebalanceInner(int d) {
        Inner in = pathNode[d];
        if (d == 0) {
            while (root instanceof Inner r && r.n == 1) {
                root = r.kid[0];
                inners--;
            }
            return;
        }
        Inner p = pathNode[d - 1];
        int i = pathIdx[d - 1];
        if (in.n == 0) {
            removeKid(p, i);
            inners--;
            rebalanceInner(d - 1);
            return;
        }
        if (in.n >= MIN || p.n < 2) return;
        int li = i > 0 ? i - 1 : i;
        Inner a = (Inner) p.kid[li], b = (Inner) p.kid[li + 1];
        if (a.n + b.n > MAX) return;
        System.arraycopy(b.kid, 0, a.kid, a.n, b.n);
        System.arraycopy(b.cnt, 0, a.cnt, a.n, b.n);
        System.arraycopy(b.sep, 0, a.sep, a.n, b.n);
        System.arraycopy(b.ss, 0, a.ss, a.n, b.n);
        a.sep[a.n] = p.sep[li + 1]; // b's first child was bounded by b's separator in the parent
        a.ss[a.n] = p.ss[li + 1];
        a.n += b.n;
        p.cnt[li] += p.cnt[li + 1];
        removeKid(p, li + 1);
        inners--;
        rebalanceInner(d - 1);
    }

    // ------------------------------------------------------------ bulk load

    /** Builds the tree from entries already in order (replaces any content). */
    void build(byte[][] sorted, int n) {
        root = head = tail = null;
        size = n;
        leaves = inners = 0;
        if (n == 0) return;
        int nl = (n + MAX - 1) / MAX;
        Object[] level = new Object[nl];
        int[] counts = new int[nl];
        byte[][] firsts = new byte[nl][];
        Leaf prev = null;
        for (int j = 0; j < nl; j++) {
            Leaf l = new Leaf();
            int from = j * MAX, k = Math.min(MAX, n - from);
            System.arraycopy(sorted, from, l.e, 0, k);
            for (int t = 0; t < k; t++) l.s[t] = ZEntry.score(l.e[t]);
            l.n = k;
            l.prev = prev;
            if (prev != null) prev.next = l;
            else head = l;
            prev = l;
            level[j] = l;
            counts[j] = k;
            firsts[j] = l.e[0];
        }
        tail = prev;
        leaves = nl;
        int len = nl;
        while (len > 1) {
            int np = (len + MAX - 1) / MAX;
            Object[] up = new Object[np];
            int[] ucnt = new int[np];
            byte[][] ufirst = new byte[np][];
            for (int j = 0; j < np; j++) {
                Inner in = new Inner();
                int from = j * MAX, k = Math.min(MAX, len - from);
                int sum = 0;
                for (int t = 0; t < k; t++) {
                    in.kid[t] = level[from + t];
                    in.cnt[t] = counts[from + t];
                    if (t > 0) {
                        in.sep[t] = firsts[from + t];
                        in.ss[t] = ZEntry.score(in.sep[t]);
                    }
                    sum += counts[from + t];
                }
                in.n = k;
                up[j] = in;
                ucnt[j] = sum;
                ufirst[j] = firsts[from];
            }
            inners += np;
            level = up;
            counts = ucnt;
            firsts = ufirst;
            len = np;
        }
        root = level[0];
    }

    /** Structural self-check for tests: counts, order, separators and links. */
    void verify() {
        if (root == null) {
            if (size != 0 || head != null || tail != null) throw new AssertionError("empty tree inconsistent");
            return;
        }
        int total = verify(root, null, null);
        if (total != size) throw new AssertionError("size " + size + " != " + total);
        int walked = 0;
        byte[] last = null;
        for (Leaf l = head; l != null; l = l.next) {
            if (l.n == 0) throw new AssertionError("empty leaf");
            for (int i = 0; i < l.n; i++) {
                if (last != null && ZEntry.compare(last, l.e[i]) >= 0) throw new AssertionError("order");
                last = l.e[i];
                walked++;
            }
            if (l.next == null && l != tail) throw new AssertionError("tail");
        }
        if (walked != size) throw new AssertionError("walk " + walked + " != " + size);
    }

    private int verify(Object node, byte[] lo, byte[] hi) {
        if (node instanceof Leaf l) {
            for (int i = 0; i < l.n; i++) {
                if (Double.doubleToRawLongBits(l.s[i]) != Double.doubleToRawLongBits(ZEntry.score(l.e[i]))) {
                    throw new AssertionError("leaf score");
                }
                if (lo != null && ZEntry.compare(l.e[i], lo) < 0) throw new AssertionError("below separator");
                if (hi != null && ZEntry.compare(l.e[i], hi) >= 0) throw new AssertionError("above separator");
            }
            return l.n;
        }
        Inner in = (Inner) node;
        if (in.n < 1) throw new AssertionError("empty inner");
        int sum = 0;
        for (int i = 0; i < in.n; i++) {
            if (i > 0 && Double.doubleToRawLongBits(in.ss[i]) != Double.doubleToRawLongBits(ZEntry.score(in.sep[i]))) {
                throw new AssertionError("separator score");
            }
            byte[] a = i == 0 ? lo : in.sep[i];
            byte[] b = i + 1 < in.n ? in.sep[i + 1] : hi;
            int c = verify(in.kid[i], a, b);
            if (c != in.cnt[i]) throw new AssertionError("count " + in.cnt[i] + " != " + c);
            sum += c;
        }
        return sum;
    }
}
