package io.larder.store.zset;

/**
 * The large encoding's parts: the order ({@link ScoreTree}) and the member
 * index ({@link MemberIndex}) over the same entries, plus the bytes those
 * entries take (kept current so memory accounting stays O(1)).
 */
final class TreeZset {
    final ScoreTree tree = new ScoreTree();
    final MemberIndex index;
    long entryBytes;

    TreeZset(int expected) {
        index = new MemberIndex(expected);
    }

    int size() {
        return tree.size();
    }

    static int hash(byte[] e) {
        return MemberIndex.hash(e, ZEntry.HEADER, e.length - ZEntry.HEADER);
    }

    /** Builds from entries already in order. */
    static TreeZset of(byte[][] sorted, int n) {
        TreeZset t = new TreeZset(n);
        t.tree.build(sorted, n);
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            t.index.insert(sorted[i], hash(sorted[i]));
            bytes += io.larder.store.StoredValue.arrayBytes(sorted[i].length);
        }
        t.entryBytes = bytes;
        return t;
    }

    /** Every entry, in order. */
    byte[][] entries() {
        byte[][] all = new byte[tree.size()][];
        int i = 0;
        for (ScoreTree.Leaf l = tree.head(); l != null; l = l.next) {
            System.arraycopy(l.e, 0, all, i, l.n);
            i += l.n;
        }
        return all;
    }

    long bytes() {
        return 48 + tree.nodeBytes() + index.bytes() + entryBytes;
    }
}
