package io.larder.store.zset;

import io.larder.store.KeyHash;
import java.util.function.Consumer;

/**
 * The member-to-entry half of a large sorted set (Redis's dict): ZSCORE,
 * ZADD's "is it there" and ZRANK's score lookup in O(1). Open addressing
 * with linear probing and deletion by backward shift, keyed by the
 * process-seeded {@link KeyHash} (clients cannot choose colliding members).
 *
 * <p>As in the keyspace's {@code Segment}, the home slot is a monotone
 * function of the 32-bit hash, so ZSCAN cursors are hash positions: an
 * element present for a whole iteration is returned however the table grows
 * or shrinks between calls.
 */
final class MemberIndex {
    private static final int MIN_CAPACITY = 8;
    /** Cursor space: hash positions 0 .. 2^32. */
    static final long HASH_SPACE = 1L << 32;

    private int[] hashes;
    private byte[][] entries;
    private int cap;
    private int size;

    MemberIndex(int expected) {
        cap = Math.max(MIN_CAPACITY, expected + expected / 2 + 1);
        hashes = new int[cap];
        entries = new byte[cap][];
    }

    static int hash(byte[] m, int off, int len) {
        return (int) (KeyHash.hash(m, off, len) >>> 32);
    }

    private int home(int h) {
        return (int) (((h & 0xFFFFFFFFL) * cap) >>> 32);
    }

    int size() {
        return size;
    }

    long bytes() {
        return 2 * (16 + 4L * cap);
    }

    /** Slot of the member, or -1. */
    int find(byte[] m, int off, int len, int h) {
        int i = home(h);
        while (true) {
            byte[] e = entries[i];
            if (e == null) return -1;
            if (hashes[i] == h && ZEntry.memberEquals(e, m, off, len)) return i;
            if (++i == cap) i = 0;
        }
    }

    byte[] entry(int slot) {
        return entries[slot];
    }

    /** Replaces the entry in a slot with one for the same member. */
    void set(int slot, byte[] e) {
        entries[slot] = e;
    }

    /** Adds an entry whose member is absent. */
    void insert(byte[] e, int h) {
        if ((size + 1) * 4L > cap * 3L) rehash(cap * 2);
        place(e, h);
        size++;
    }

    private void place(byte[] e, int h) {
        int i = home(h);
        while (entries[i] != null) {
            if (++i == cap) i = 0;
        }
        entries[i] = e;
        hashes[i] = h;
    }

    void removeAt(int slot) {
        int i = slot, j = slot;
        while (true) {
            if (++j == cap) j = 0;
            byte[] e = entries[j];
            if (e == null) break;
            int k = home(hashes[j]);
            boolean stays = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
            if (stays) continue;
            entries[i] = e;
            hashes[i] = hashes[j];
            i = j;
        }
        entries[i] = null;
        hashes[i] = 0;
        size--;
        if (cap > 64 && size * 8L < cap) rehash(Math.max(MIN_CAPACITY, size * 2));
    }

    /** Removes the member of an entry (which must be present). */
    void remove(byte[] e) {
        int len = e.length - ZEntry.HEADER;
        int slot = find(e, ZEntry.HEADER, len, hash(e, ZEntry.HEADER, len));
        if (slot >= 0) removeAt(slot);
    }

    private void rehash(int newCap) {
        int[] oh = hashes;
        byte[][] oe = entries;
        cap = newCap;
        hashes = new int[newCap];
        entries = new byte[newCap][];
        for (int s = 0; s < oe.length; s++) {
            if (oe[s] != null) place(oe[s], oh[s]);
        }
    }

    /** Visits every entry whose hash position is in [from, to), each once (see the class comment). */
    void scan(long from, long to, Consumer<byte[]> v) {
        if (size == 0 || from >= to) return;
        int first = (int) ((from * cap) >>> 32);
        int lastHome = (int) (((to - 1) * cap) >>> 32);
        int span = lastHome - first;
        for (int s = 0; s < cap; s++) {
            int i = first + s;
            if (i >= cap) i -= cap;
            byte[] e = entries[i];
            if (e == null) {
                if (s > span) break;
                continue;
            }
            long h = hashes[i] & 0xFFFFFFFFL;
            if (h >= from && h < to) v.accept(e);
        }
    }

    /** How wide a hash range holds about count entries. */
    long widthFor(int count) {
        if (size == 0) return HASH_SPACE;
        long w = (long) ((double) HASH_SPACE * count / size);
        return Math.max(1, Math.min(HASH_SPACE, w));
    }
}
