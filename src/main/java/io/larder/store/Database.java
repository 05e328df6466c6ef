package io.larder.store;

import io.larder.protocol.Args;

/**
 * One numbered database (SELECT n): its segments, and the key operations
 * commands use. The caller holds the stripe locks of the keys it passes (or
 * the gate exclusively). Lookups expire keys lazily, as Redis's
 * expireIfNeeded does.
 */
public final class Database {
    public final int id;
    final Keyspace keyspace;
    Segment[] segments;

    Database(int id, Keyspace keyspace) {
        this.id = id;
        this.keyspace = keyspace;
        this.segments = new Segment[Keyspace.SEGMENTS];
    }

    public Keyspace keyspace() {
        return keyspace;
    }

    /**
     * Finds a key, removing it first if it has expired. Fills {@code l} so the
     * entry can then be replaced, updated or removed without another probe;
     * returns the entry or null.
     */
    public Object find(Lookup l, byte[] k, int off, int len, long hash, long now) {
        int si = keyspace.segmentOf(hash, k, off, len);
        Segment s = segments[si];
        int h24 = KeyHash.h24(hash);
        l.segment = s;
        l.segmentIndex = si;
        l.h24 = h24;
        l.entry = null;
        if (s == null) {
            l.slot = -1;
            return null;
        }
        int slot = s.find(k, off, len, h24);
        l.slot = slot;
        if (slot < 0) return null;
        Object e = s.entries[slot];
        if ((s.meta[slot] & Segment.VOLATILE) != 0 && keyspace.expireLazily && !keyspace.expiryPaused) {
            long exp = Entries.expireAt(e);
            if (exp <= now) {
                s.removeAt(slot);
                l.slot = -1;
                keyspace.listener.expired(this, Entries.key(e));
                return null;
            }
        }
        l.entry = e;
        return e;
    }

    /**
     * The entry of a key as it is stored, without expiring it or touching
     * anything (Redis's plain dictFind: MEMORY USAGE, DEBUG OBJECT).
     */
    public Object peek(byte[] k, int off, int len, long hash) {
        Segment s = segments[keyspace.segmentOf(hash, k, off, len)];
        if (s == null) return null;
        int slot = s.find(k, off, len, KeyHash.h24(hash));
        return slot < 0 ? null : s.entries[slot];
    }

    public Object find(Lookup l, Args a, int i, long now) {
        return find(l, a.buf(), a.off(i), a.len(i), a.hash(i), now);
    }

    public Object find(Lookup l, byte[] key, long now) {
        return find(l, key, 0, key.length, KeyHash.hash(key), now);
    }

    /**
     * The entry stored for a key, expired or not, with no side effect: no
     * lazy expiry, no access clock (Redis's dictFind, for WATCH's
     * bookkeeping). The caller holds the key's stripe lock or the keyspace.
     */
    public Object peek(byte[] key) {
        long hash = KeyHash.hash(key);
        Segment s = segments[keyspace.segmentOf(hash, key, 0, key.length)];
        if (s == null) return null;
        int slot = s.find(key, 0, key.length, KeyHash.h24(hash));
        return slot < 0 ? null : s.entries[slot];
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.arrayElementVarHandle(long[].class);

    /**
     * Bit i set: segment i may hold keys with an expiry. Writers set it under
     * the segment's stripe lock; the expiry cycle clears it (under the same
     * lock) when the segment has none, so the cycle visits only segments
     * that can have something to expire.
     */
    long[] volatileSegments = new long[Keyspace.SEGMENTS / 64];

    private void markVolatile(Lookup l) {
        if (l.slot < 0 || !l.segment.isVolatile(l.slot)) return;
        int w = l.segmentIndex >>> 6;
        long m = 1L << l.segmentIndex;
        long[] bits = volatileSegments;
        if ((bits[w] & m) == 0) LONGS.getAndBitwiseOr(bits, w, m);
    }

    /**
     * Bit i set: segment i may hold keys. Set on insert under the segment's
     * stripe lock, cleared by the evictor under the same lock when it finds
     * the segment empty, so eviction finds keys without visiting thousands
     * of empty segments (or databases).
     */
    long[] occupiedSegments = new long[Keyspace.SEGMENTS / 64];

    /** Clears a segment's occupied bit; the caller holds its stripe lock and saw it empty. */
    void clearOccupied(int index) {
        LONGS.getAndBitwiseAnd(occupiedSegments, index >>> 6, ~(1L << index));
    }

    /** Clears a segment's volatile bit; the caller holds its stripe lock and saw no volatile key. */
    void clearVolatile(int index) {
        LONGS.getAndBitwiseAnd(volatileSegments, index >>> 6, ~(1L << index));
    }

    /** Inserts at the position of a failed {@link #find}. */
    public void insert(Lookup l, Object e) {
        Segment s = l.segment;
        if (s == null) {
            s = segments[l.segmentIndex];
            if (s == null) s = segments[l.segmentIndex] = new Segment(keyspace.memoryCounter);
            l.segment = s;
        }
        l.slot = s.insert(l.h24, e);
        l.entry = e;
        int w = l.segmentIndex >>> 6;
        long bit = 1L << l.segmentIndex;
        long[] occupied = occupiedSegments;
        if ((occupied[w] & bit) == 0) LONGS.getAndBitwiseOr(occupied, w, bit);
        markVolatile(l);
        keyspace.inserted(this, l.segmentIndex, l.h24, e);
    }

    /**
     * Replaces the entry of a successful {@link #find} (same key). Under an
     * LFU policy the new value inherits the old one's counter, as Redis's
     * dbOverwrite does, so overwriting a key does not reset its frequency.
     */
    public void replace(Lookup l, Object e) {
        if (keyspace.lfu() && l.entry != null && l.entry != e) Entries.setLru(e, Entries.lru(l.entry));
        l.segment.replace(l.slot, e);
        l.entry = e;
        markVolatile(l);
    }

    /**
     * Sets or removes ({@link StoredValue#NO_EXPIRE}) the expiry of the entry
     * of a successful {@link #find} (Redis's setExpire/removeExpire). The
     * lookup stays valid.
     */
    public void setExpire(Lookup l, long expireAt) {
        Object e = l.entry;
        if (e instanceof byte[] b) {
            // A running snapshot may hold this very array: then a changed expiry needs a new one.
            byte[] nb = StringBlob.withExpire(b, expireAt, !keyspace.snapshotRunning());
            if (nb != b) {
                l.segment.replace(l.slot, nb);
                l.entry = nb;
                markVolatile(l);
                return;
            }
        } else {
            ((StoredValue) e).setExpireAt(expireAt);
        }
        l.segment.updated(l.slot);
        markVolatile(l);
    }

    /**
     * Removes every expired key of one segment (the caller holds its stripe
     * lock); returns how many. For iterating commands that meet an expired
     * key: clearing the whole segment bounds the work when many expired.
     */
    public int expireSegment(int index, long now) {
        Segment s = segments[index];
        if (s == null || s.volatileCount == 0) return 0;
        return ExpiryCycle.expireSegment(this, s, now);
    }

    /** Inserts or replaces, depending on what the last find saw. */
    public void put(Lookup l, Object e) {
        if (l.slot >= 0) replace(l, e);
        else insert(l, e);
    }

    /** Accounts a value that changed in place (size, expiry). */
    public void updated(Lookup l) {
        l.segment.updated(l.slot);
        markVolatile(l);
    }

    /** Removes the entry of a successful {@link #find}; returns it. */
    public Object remove(Lookup l) {
        Object e = l.segment.removeAt(l.slot);
        l.slot = -1;
        l.entry = null;
        return e;
    }

    /** Number of keys (DBSIZE). Exact when the caller holds the gate exclusively. */
    public long size() {
        long n = 0;
        for (Segment s : segments) if (s != null) n += s.size;
        return n;
    }

    /** Keys with an expiry (INFO keyspace "expires"). */
    public long volatileSize() {
        long n = 0;
        for (Segment s : segments) if (s != null) n += s.volatileCount;
        return n;
    }

    public long memory() {
        long n = 0;
        for (Segment s : segments) if (s != null) n += s.memory();
        return n;
    }

    public Segment segment(int index) {
        return segments[index];
    }

    /**
     * A copy of the segment table: the segments themselves are shared. A
     * snapshot takes this (with the keyspace exclusive) so that FLUSHALL,
     * FLUSHDB and SWAPDB, which replace or swap whole tables, leave the
     * snapshot's segments alone.
     */
    public Segment[] segmentsCopy() {
        return segments.clone();
    }

    /**
     * Sizes every segment for its share of {@code keys} before a bulk load
     * (RDB RESIZEDB). Segment slots are a monotone function of the hash, so
     * keys that arrive in hash order (a dump this process wrote, as DEBUG
     * RELOAD reads it) would otherwise pile into one growing cluster at the
     * start of each table and take quadratic time.
     */
    public void reserve(long keys) {
        if (keys < Keyspace.SEGMENTS * 8L) return;
        double per = (double) keys / Keyspace.SEGMENTS;
        // A segment's share varies like a Poisson count: allow three standard deviations.
        long want = (long) Math.ceil(per + 3 * Math.sqrt(per));
        if (want > Integer.MAX_VALUE / 2) want = Integer.MAX_VALUE / 2;
        for (int i = 0; i < segments.length; i++) {
            Segment s = segments[i];
            // Held by this database: its memory counts in used_memory like any segment insert() creates.
            if (s == null) s = segments[i] = new Segment(keyspace.memoryCounter);
            s.reserve((int) want);
        }
    }

    /** Removes every key. Caller holds the gate exclusively. */
    public void clear() {
        for (Segment s : segments) if (s != null) s.released();
        segments = new Segment[Keyspace.SEGMENTS];
        volatileSegments = new long[Keyspace.SEGMENTS / 64];
        occupiedSegments = new long[Keyspace.SEGMENTS / 64];
    }

    /** Swaps contents with another database (SWAPDB). Caller holds the gate exclusively. */
    void swapWith(Database o) {
        Segment[] t = segments;
        segments = o.segments;
        o.segments = t;
        long[] v = volatileSegments;
        volatileSegments = o.volatileSegments;
        o.volatileSegments = v;
        long[] occ = occupiedSegments;
        occupiedSegments = o.occupiedSegments;
        o.occupiedSegments = occ;
    }

    /** Lazily expires a key found at a slot during iteration; true if it was removed. */
    boolean expireIfDue(Segment s, int slot, long now) {
        if ((s.meta[slot] & Segment.VOLATILE) == 0 || keyspace.expiryPaused) return false;
        Object e = s.entries[slot];
        if (Entries.expireAt(e) > now) return false;
        s.removeAt(slot);
        keyspace.listener.expired(this, Entries.key(e));
        return true;
    }
}
