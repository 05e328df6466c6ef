package io.larder.store;

/**
 * One segment of a database's keyspace: an open-addressing, linear-probing
 * hash table of entries, guarded by its stripe lock (held by the caller).
 *
 * <p>{@code meta[i]} packs the 24-bit hash fragment, the value type and flags;
 * 0 means empty. The home slot of a hash is {@code (h24 * capacity) >>> 24},
 * a monotone function of the hash, and deletion shifts later entries back
 * (no tombstones). Together these give {@link #scan} its guarantee: the
 * entries whose hashes lie in a range are exactly those found between the
 * range's first home slot and the next empty slot after its last home slot,
 * whatever the capacity. SCAN cursors are therefore hash positions, and a
 * resize between two SCAN calls cannot make an entry be missed.
 */
public final class Segment {
    static final int OCCUPIED = 1 << 31;
    static final int VOLATILE = 1 << 28;
    static final int TYPE_SHIFT = 24;
    static final int HASH_MASK = 0xFFFFFF;
    public static final int HASH_SPACE = 1 << 24;
    private static final int MIN_CAPACITY = 4;

    int[] meta;
    Object[] entries;
    int capacity;
    int size;
    int volatileCount;
    /** Heap bytes charged for the entries (not the table). */
    long memory;
    /** A lower bound of the earliest expiry in this segment (Long.MAX_VALUE if none). */
    long minExpire = Long.MAX_VALUE;
    /** Where changes of {@link #memory()} are added up (used_memory); null for a segment no database holds. */
    private final MemoryCounter counter;

    /** Heap bytes of a Segment object: header, three references, three ints, two longs. */
    static final long SELF_BYTES = HeapLayout.object(3, 3 * 4 + 2 * 8);

    /** A segment no database holds (tests, copies): its memory is not part of used_memory. */
    public Segment() {
        this(null);
    }

    /** A segment whose memory is added to {@code counter} (null: not accounted). */
    Segment(MemoryCounter counter) {
        this.counter = counter;
        account(SELF_BYTES);
    }

    private void account(long delta) {
        if (counter != null) counter.add(delta);
    }

    /** Heap bytes of the two arrays of a table of this capacity. */
    static long tableBytes(int capacity) {
        return capacity == 0 ? 0 : HeapLayout.ints(capacity) + HeapLayout.refs(capacity);
    }

    public int size() {
        return size;
    }

    public int volatileCount() {
        return volatileCount;
    }

    int home(int h24) {
        return (int) (((long) h24 * capacity) >>> 24);
    }

    /** The slot holding this key, or -1. */
    public int find(byte[] k, int off, int len, int h24) {
        if (size == 0) return -1;
        int[] m = meta;
        int cap = capacity;
        int i = home(h24);
        while (true) {
            int x = m[i];
            if (x == 0) return -1;
            if ((x & HASH_MASK) == h24 && Entries.keyEquals(entries[i], k, off, len)) return i;
            if (++i == cap) i = 0;
        }
    }

    /** The slot holding this very entry object (not an equal one), or -1: eviction candidates kept by reference. */
    int findIdentity(Object e, int h24) {
        if (size == 0) return -1;
        int[] m = meta;
        int cap = capacity;
        int i = home(h24);
        while (true) {
            int x = m[i];
            if (x == 0) return -1;
            if ((x & HASH_MASK) == h24 && entries[i] == e) return i;
            if (++i == cap) i = 0;
        }
    }

    public Object entry(int slot) {
        return entries[slot];
    }

    public int type(int slot) {
        return (meta[slot] >>> TYPE_SHIFT) & 0xF;
    }

    public boolean isVolatile(int slot) {
        return (meta[slot] & VOLATILE) != 0;
    }

    static int metaFor(int h24, Object e, long expireAt) {
        return OCCUPIED | h24 | (Entries.type(e) << TYPE_SHIFT)
                | (expireAt != StoredValue.NO_EXPIRE ? VOLATILE : 0);
    }

    /** Inserts an entry whose key is not present. Returns its slot. */
    public int insert(int h24, Object e) {
        if (meta == null) {
            capacity = MIN_CAPACITY;
            meta = new int[capacity];
            entries = new Object[capacity];
            account(tableBytes(capacity));
        } else if ((size + 1) * 16L > capacity * 13L) {
            // Grow by a quarter past 13/16 full: the table then stays between 65% and 81% full, about
            // 10 to 12 bytes of table per key (8 bytes a slot), where 1.5x growth past 3/4 costs 11 to 16.
            // Lookups read 24-bit hash fragments from the int array, so longer probe runs stay cheap.
            resize(capacity + Math.max(1, capacity >>> 2));
        }
        long exp = Entries.expireAt(e);
        int i = home(h24);
        while (meta[i] != 0) {
            if (++i == capacity) i = 0;
        }
        meta[i] = metaFor(h24, e, exp);
        entries[i] = e;
        size++;
        if (exp != StoredValue.NO_EXPIRE) {
            volatileCount++;
            if (exp < minExpire) minExpire = exp;
        }
        long c = charge(e);
        memory += c;
        account(c);
        return i;
    }

    private static long charge(Object e) {
        long n = Entries.memoryUsage(e);
        if (e instanceof StoredValue v) v.charged = n;
        return n;
    }

    private static long charged(Object e) {
        return (e instanceof StoredValue v) ? v.charged : Entries.memoryUsage(e);
    }

    /** Replaces the entry in a slot (same key), keeping accounting exact. */
    public void replace(int slot, Object e) {
        Object old = entries[slot];
        boolean wasVolatile = (meta[slot] & VOLATILE) != 0;
        long exp = Entries.expireAt(e);
        long d = charge(e) - charged(old);
        memory += d;
        account(d);
        meta[slot] = metaFor(meta[slot] & HASH_MASK, e, exp);
        entries[slot] = e;
        boolean isVolatile = exp != StoredValue.NO_EXPIRE;
        if (wasVolatile != isVolatile) volatileCount += isVolatile ? 1 : -1;
        if (isVolatile && exp < minExpire) minExpire = exp;
    }

    /** Re-reads a mutable value's size and expiry after it changed in place. */
    public void updated(int slot) {
        Object e = entries[slot];
        if (e instanceof StoredValue v) {
            long now = Entries.memoryUsage(v);
            memory += now - v.charged;
            account(now - v.charged);
            v.charged = now;
        }
        long exp = Entries.expireAt(e);
        boolean wasVolatile = (meta[slot] & VOLATILE) != 0;
        boolean isVolatile = exp != StoredValue.NO_EXPIRE;
        meta[slot] = metaFor(meta[slot] & HASH_MASK, e, exp);
        if (wasVolatile != isVolatile) volatileCount += isVolatile ? 1 : -1;
        if (isVolatile && exp < minExpire) minExpire = exp;
    }

    /** Removes the entry in a slot; later entries of the cluster shift back. */
    public Object removeAt(int slot) {
        Object removed = entries[slot];
        if ((meta[slot] & VOLATILE) != 0) volatileCount--;
        long c = charged(removed);
        memory -= c;
        account(-c);
        int i = slot;
        int j = slot;
        int cap = capacity;
        while (true) {
            if (++j == cap) j = 0;
            int m = meta[j];
            if (m == 0) break;
            int k = home(m & HASH_MASK);
            // The entry at j may move to i unless its home lies cyclically in (i, j].
            boolean stays = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
            if (stays) continue;
            meta[i] = m;
            entries[i] = entries[j];
            i = j;
        }
        meta[i] = 0;
        entries[i] = null;
        size--;
        if (size == 0) {
            minExpire = Long.MAX_VALUE;
            if (capacity > 64) {
                account(-tableBytes(capacity));
                meta = null;
                entries = null;
                capacity = 0;
            }
        } else if (capacity > 64 && size * 8L < capacity) {
            resize(Math.max(MIN_CAPACITY, size * 2));
        }
        return removed;
    }

    /** Grows the table so {@code n} entries fit without a resize (bulk loading). */
    public void reserve(int n) {
        int cap = (int) Math.min(Integer.MAX_VALUE - 8, (long) n * 4 / 3 + 2);
        if (cap <= capacity) return;
        if (meta == null) {
            capacity = cap;
            meta = new int[cap];
            entries = new Object[cap];
            account(tableBytes(cap));
        } else {
            resize(cap);
        }
    }

    private void resize(int newCap) {
        int[] om = meta;
        Object[] oe = entries;
        int oc = capacity;
        meta = new int[newCap];
        entries = new Object[newCap];
        capacity = newCap;
        account(tableBytes(newCap) - tableBytes(oc));
        for (int s = 0; s < oc; s++) {
            int m = om[s];
            if (m == 0) continue;
            int i = home(m & HASH_MASK);
            while (meta[i] != 0) {
                if (++i == newCap) i = 0;
            }
            meta[i] = m;
            entries[i] = oe[s];
        }
    }

    /** Removes everything (FLUSHDB of this segment). */
    public void clear() {
        account(-(memory + tableBytes(capacity)));
        meta = null;
        entries = null;
        capacity = 0;
        size = 0;
        volatileCount = 0;
        memory = 0;
        minExpire = Long.MAX_VALUE;
    }

    /** Everything this segment holds: entries, table and the segment itself. */
    public long memory() {
        return memory + tableBytes(capacity) + SELF_BYTES;
    }

    /** Heap bytes charged for the entries alone (MEMORY STATS: the data set). */
    public long entryMemory() {
        return memory;
    }

    /** This segment no longer belongs to a database (FLUSHDB replaced the table): its memory is released. */
    void released() {
        account(-memory());
    }

    /** Visitor for {@link #scan}. */
    public interface EntryVisitor {
        void visit(Object entry, int meta);
    }

    /**
     * Visits every entry whose 24-bit hash is in [from, to), each exactly once.
     * See the class comment for why this holds across resizes.
     */
    public void scan(int from, int to, EntryVisitor v) {
        if (size == 0 || from >= to) return;
        int first = home(from);
        int lastHome = home(to - 1);
        int span = lastHome - first;
        int cap = capacity;
        for (int s = 0; s < cap; s++) {
            int i = first + s;
            if (i >= cap) i -= cap;
            int m = meta[i];
            if (m == 0) {
                if (s > span) break;
                continue;
            }
            int h = m & HASH_MASK;
            if (h >= from && h < to) v.visit(entries[i], m);
        }
    }

    /**
     * Approximately how far {@code count} entries extend in hash space from
     * {@code from}, so SCAN COUNT returns about COUNT entries per call.
     */
    public int hashWidthFor(int count) {
        if (size == 0) return HASH_SPACE;
        long w = (long) HASH_SPACE * count / size;
        return (int) Math.max(1, Math.min(HASH_SPACE, w));
    }

    /** A random occupied slot (RANDOMKEY, eviction and expiry sampling), or -1 if empty. */
    public int randomSlot(java.util.random.RandomGenerator rnd) {
        if (size == 0) return -1;
        int i = rnd.nextInt(capacity);
        while (meta[i] == 0) {
            if (++i == capacity) i = 0;
        }
        return i;
    }

    public int capacity() {
        return capacity;
    }

    public int metaAt(int slot) {
        return meta[slot];
    }
}
