package io.larder.store;

/**
 * A keyspace entry that is an object rather than a {@link StringBlob}: large
 * or mutable strings and every collection type. It carries its own key,
 * expiry and LRU/LFU clock, so the segment table stays two arrays.
 */
public abstract class StoredValue {
    /** No expiry. */
    public static final long NO_EXPIRE = -1;

    byte[] key;
    long expireAt = NO_EXPIRE;
    int lru;
    /** The size last charged to the segment's memory count. */
    long charged;

    /**
     * Sets identity fields of a value about to be inserted. Expiry changes of a
     * stored value must be followed by {@link Database#updated} so the
     * segment's counters stay exact.
     */
    public final void init(byte[] key, long expireAt, int lru) {
        this.key = key;
        this.expireAt = expireAt;
        this.lru = lru;
    }

    public final void setKey(byte[] key) {
        this.key = key;
    }

    public final void setExpireAt(long t) {
        this.expireAt = t;
    }

    public final int lru() {
        return lru;
    }

    public final byte[] key() {
        return key;
    }

    public final long expireAt() {
        return expireAt;
    }

    /** One of {@link ValueType}'s codes. */
    public abstract int type();

    /** Redis's OBJECT ENCODING name for the current representation. */
    public abstract String encoding();

    /** An estimate of the heap bytes this value holds, excluding the key. */
    public abstract long memoryUsage();

    /** A deep copy (COPY, snapshots of mutable values). */
    public abstract StoredValue copy();

    /** Heap size of a byte array of the given length (see {@link HeapLayout}). */
    public static long arrayBytes(int len) {
        return HeapLayout.bytes(len);
    }
}
