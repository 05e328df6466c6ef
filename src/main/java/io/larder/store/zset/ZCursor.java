package io.larder.store.zset;

/**
 * A position in a sorted set's order, movable both ways: the current
 * element's member (as a slice of some array, never copied) and score.
 * Valid until the set is modified.
 */
public abstract class ZCursor {
    public abstract boolean valid();

    /** Array holding the current member; the member is [off(), off() + len()). */
    public abstract byte[] buf();

    public abstract int off();

    public abstract int len();

    public abstract double score();

    public abstract void next();

    public abstract void prev();

    /** Moves to a rank (0 <= rank < size). */
    public abstract void seek(int rank);

    /** A copy of the current member. */
    public byte[] member() {
        return java.util.Arrays.copyOfRange(buf(), off(), off() + len());
    }

    /** Over the packed encoding: entry offsets are listed once, then indexed. */
    static final class Packed extends ZCursor {
        private final byte[] b;
        private final int[] offs;
        private int i;

        Packed(byte[] b, int count, int rank) {
            this.b = b;
            this.offs = PackedZset.offsets(b, count);
            this.i = rank;
        }

        @Override
        public boolean valid() {
            return i >= 0 && i < offs.length;
        }

        @Override
        public byte[] buf() {
            return b;
        }

        @Override
        public int off() {
            return PackedZset.memberOff(b, offs[i]);
        }

        @Override
        public int len() {
            return PackedZset.memberLen(b, offs[i]);
        }

        @Override
        public double score() {
            return PackedZset.score(b, offs[i]);
        }

        @Override
        public void next() {
            i++;
        }

        @Override
        public void prev() {
            i--;
        }

        @Override
        public void seek(int rank) {
            i = rank;
        }
    }

    /** Over the tree: a leaf and an index in it, following the leaf links. */
    static final class Tree extends ZCursor {
        private ScoreTree.Leaf leaf;
        private int i;

        private final ScoreTree t;

        Tree(ScoreTree t, int rank) {
            this.t = t;
            seek(rank);
        }

        @Override
        public void seek(int rank) {
            if (rank >= 0 && rank < t.size()) {
                int[] idx = new int[1];
                leaf = t.leafAt(rank, idx);
                i = idx[0];
            } else {
                leaf = null;
            }
        }

        @Override
        public boolean valid() {
            return leaf != null;
        }

        private byte[] e() {
            return leaf.e[i];
        }

        @Override
        public byte[] buf() {
            return e();
        }

        @Override
        public int off() {
            return ZEntry.HEADER;
        }

        @Override
        public int len() {
            return e().length - ZEntry.HEADER;
        }

        @Override
        public double score() {
            return ZEntry.score(e());
        }

        @Override
        public void next() {
            if (++i == leaf.n) {
                leaf = leaf.next;
                i = 0;
            }
        }

        @Override
        public void prev() {
            if (--i < 0) {
                leaf = leaf.prev;
                if (leaf != null) i = leaf.n - 1;
            }
        }
    }
}
