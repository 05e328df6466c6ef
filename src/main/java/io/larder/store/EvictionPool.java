package io.larder.store;

/**
 * Redis's eviction pool (evict.c): the best eviction candidates seen so far,
 * kept in ascending order of score ("idle": idle time for LRU, 255 minus the
 * counter for LFU, an inverted expiry for volatile-ttl), best at the end.
 * Each round samples a few keys and keeps those better than the pool's
 * worst; the pool survives between rounds, so approximated LRU improves on
 * plain sampling. Entries are not kept up to date: one may be a ghost (the
 * key was deleted since) or stale, and is checked when picked.
 *
 * <p>One pool per thread that evicts (Redis has one thread). A candidate
 * names its key by database, segment, 24-bit hash and bytes, which is all a
 * lookup needs.
 */
final class EvictionPool {
    /** Redis's EVPOOL_SIZE. */
    static final int SIZE = 16;

    final long[] score = new long[SIZE];
    final byte[][] key = new byte[SIZE][];
    final int[] db = new int[SIZE];
    final int[] segment = new int[SIZE];
    final int[] h24 = new int[SIZE];

    /**
     * Where a candidate with this score would go (Redis's evictionPoolPopulate),
     * or -1 when the pool is full and it is worse than every entry. The caller
     * then calls {@link #insert} with that position, so it copies a key only
     * when it is kept.
     */
    int position(long s) {
        int k = 0;
        while (k < SIZE && key[k] != null && score[k] < s) k++;
        if (k == 0 && key[SIZE - 1] != null) return -1;
        return k;
    }

    /** Inserts at a position {@link #position} returned, shifting as Redis does. */
    void insert(int k, long s, int dbId, int seg, int hash24, byte[] k0) {
        if (k < SIZE && key[k] == null) {
            // An empty bucket: nothing to move.
        } else if (key[SIZE - 1] == null) {
            // Free space on the right: shift k..end right by one.
            shift(k, k + 1, SIZE - k - 1);
        } else {
            // Full: drop the worst (position 0) and insert just before k.
            k--;
            shift(1, 0, k);
        }
        score[k] = s;
        key[k] = k0;
        db[k] = dbId;
        segment[k] = seg;
        h24[k] = hash24;
    }

    private void shift(int from, int to, int n) {
        if (n <= 0) return;
        System.arraycopy(score, from, score, to, n);
        System.arraycopy(key, from, key, to, n);
        System.arraycopy(db, from, db, to, n);
        System.arraycopy(segment, from, segment, to, n);
        System.arraycopy(h24, from, h24, to, n);
    }

    /** The best candidate's position, or -1 if the pool is empty. */
    int best() {
        for (int k = SIZE - 1; k >= 0; k--) {
            if (key[k] != null) return k;
        }
        return -1;
    }

    void clear(int k) {
        key[k] = null;
        score[k] = 0;
    }

    /** Forgets every candidate (the policy changed, so their scores mean something else). */
    void reset() {
        for (int k = 0; k < SIZE; k++) clear(k);
    }
}
