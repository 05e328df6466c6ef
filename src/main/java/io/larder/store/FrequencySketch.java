package io.larder.store;

import java.util.concurrent.locks.ReentrantLock;

/**
 * How often each key was asked for recently, resident or not: the TinyLFU
 * history behind maxmemory-policy allkeys-tinylfu (Einziger, Friedman and
 * Manes, "TinyLFU: A Highly Efficient Cache Admission Policy"; the layout is
 * Caffeine's FrequencySketch). A count-min sketch of 4-bit counters, four
 * per key, all four in one 64-byte block so an update costs one cache miss.
 * When the number of increments reaches ten times the table size, every
 * counter is halved, so the history follows the workload.
 *
 * <p>Updates come from every worker thread without a lock: a lost increment
 * now and then only blurs an estimate that is approximate anyway (Caffeine
 * buffers instead, which a server with no per-entry objects cannot afford).
 * Aging and resizing take a lock so they happen once.
 */
public final class FrequencySketch {
    private static final long RESET_MASK = 0x7777777777777777L;
    private static final long ONE_MASK = 0x1111111111111111L;

    private volatile long[] table;
    private volatile int blockMask;
    private volatile int sampleSize;
    /** Increments since the last aging (racy: only decides when to age). */
    private int additions;
    private final ReentrantLock maintenance = new ReentrantLock();

    /** A sketch for about {@code keys} distinct keys. */
    public FrequencySketch(long keys) {
        resize(keys);
    }

    /** Grows the table when the cache now holds more keys than it was sized for (history restarts). */
    public void ensureCapacity(long keys) {
        long want = tableLength(keys);
        if (want <= table.length) return;
        if (!maintenance.tryLock()) return;
        try {
            if (want > table.length) resize(keys);
        } finally {
            maintenance.unlock();
        }
    }

    private static long tableLength(long keys) {
        long n = Math.max(8, Math.min(1L << 30, keys));
        return Long.highestOneBit(n - 1) << 1;
    }

    private void resize(long keys) {
        int len = (int) tableLength(keys);
        additions = 0;
        sampleSize = (int) Math.min(Integer.MAX_VALUE, 10L * len);
        blockMask = (len >>> 3) - 1;
        table = new long[len];
    }

    /** The estimated frequency of a key, 0 to 15. */
    public int frequency(long keyHash) {
        long[] t = table;
        int mask = (t.length >>> 3) - 1;
        long h = spread(keyHash);
        int block = ((int) (h >>> 32) & mask) << 3;
        int counterHash = (int) h;
        int min = 15;
        for (int i = 0; i < 4; i++) {
            int x = counterHash >>> (i << 3);
            int index = (x >>> 1) & 15;
            int offset = x & 1;
            int c = (int) ((t[block + offset + (i << 1)] >>> (index << 2)) & 0xF);
            if (c < min) min = c;
        }
        return min;
    }

    /** Records an access to a key. */
    public void increment(long keyHash) {
        long[] t = table;
        int mask = (t.length >>> 3) - 1;
        long h = spread(keyHash);
        int block = ((int) (h >>> 32) & mask) << 3;
        int counterHash = (int) h;
        boolean added = false;
        for (int i = 0; i < 4; i++) {
            int x = counterHash >>> (i << 3);
            int index = (x >>> 1) & 15;
            int offset = x & 1;
            added |= incrementAt(t, block + offset + (i << 1), index);
        }
        if (added && ++additions >= sampleSize) age();
    }

    private static boolean incrementAt(long[] t, int i, int index) {
        int shift = index << 2;
        long m = 0xFL << shift;
        long v = t[i];
        if ((v & m) == m) return false;
        t[i] = v + (1L << shift);
        return true;
    }

    /** Halves every counter (Caffeine's reset): old accesses count for less and less. */
    private void age() {
        if (!maintenance.tryLock()) return;
        try {
            long[] t = table;
            if (additions < sampleSize) return;
            int odd = 0;
            for (int i = 0; i < t.length; i++) {
                odd += Long.bitCount(t[i] & ONE_MASK);
                t[i] = (t[i] >>> 1) & RESET_MASK;
            }
            additions = Math.max(0, (additions - (odd >>> 2)) >>> 1);
        } finally {
            maintenance.unlock();
        }
    }

    /** The key hash is already a keyed hash; this spreads it once more so block and counters are independent of the bits that choose segments. */
    private static long spread(long h) {
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 32);
    }

    /** Heap bytes of the table (INFO and MEMORY STATS count it as overhead). */
    public long bytes() {
        return HeapLayout.longs(table.length);
    }
}
