package io.larder.family;

import io.larder.store.ElementTable;
import java.util.random.RandomGenerator;

/**
 * Choosing distinct random elements for SRANDMEMBER, HRANDFIELD and SPOP with
 * a positive count, with the two strategies Redis uses: when the count is a
 * large part of the collection, shuffle a copy of every position and keep a
 * prefix; otherwise draw positions and discard repeats.
 */
final class RandomPicks {
    private RandomPicks() {}

    /** Redis's SRANDMEMBER_SUB_STRATEGY_MUL / HRANDFIELD_SUB_STRATEGY_MUL. */
    static final int SUB_STRATEGY_MUL = 3;

    /** {@code count} distinct indices in [0, n), count < n, in random order. */
    static int[] indices(int n, int count, RandomGenerator rnd) {
        if ((long) count * SUB_STRATEGY_MUL > n) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return shuffledPrefix(all, count, rnd);
        }
        return drawDistinct(count, () -> rnd.nextInt(n));
    }

    /** {@code count} distinct occupied slots of a table, count < size, in random order. */
    static int[] slots(ElementTable t, int count, RandomGenerator rnd) {
        if ((long) count * SUB_STRATEGY_MUL > t.size()) {
            int[] all = new int[t.size()];
            int k = 0;
            for (int i = 0, cap = t.capacity(); i < cap; i++) {
                if (t.entryAt(i) != null) all[k++] = i;
            }
            return shuffledPrefix(all, count, rnd);
        }
        return drawDistinct(count, () -> t.randomSlot(rnd));
    }

    /** Draws until {@code count} distinct values came out (count is at most a third of the choices). */
    private static int[] drawDistinct(int count, java.util.function.IntSupplier draw) {
        IntSet seen = new IntSet(count);
        int[] out = new int[count];
        int k = 0;
        while (k < count) {
            int v = draw.getAsInt();
            if (seen.add(v)) out[k++] = v;
        }
        return out;
    }

    private static int[] shuffledPrefix(int[] a, int count, RandomGenerator rnd) {
        for (int i = 0; i < count; i++) {
            int j = i + rnd.nextInt(a.length - i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return count == a.length ? a : java.util.Arrays.copyOf(a, count);
    }

    /** A small open-addressing set of non-negative ints. */
    private static final class IntSet {
        private final int[] slots;
        private final int mask;

        IntSet(int expected) {
            int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
            slots = new int[cap];
            java.util.Arrays.fill(slots, -1);
            mask = cap - 1;
        }

        boolean add(int v) {
            int i = (v * 0x9E3779B9) >>> 7 & mask;
            while (true) {
                int x = slots[i];
                if (x == v) return false;
                if (x < 0) {
                    slots[i] = v;
                    return true;
                }
                i = (i + 1) & mask;
            }
        }
    }
}
