package io.larder.store;

import java.util.Arrays;

/**
 * A key in one database, as a hash-map key: what WATCH watches and blocked
 * clients wait on. The bytes are not copied; callers hand over an array
 * nobody changes.
 */
public final class DbKey {
    public final int db;
    public final byte[] key;
    private final int hash;

    public DbKey(int db, byte[] key) {
        this.db = db;
        this.key = key;
        this.hash = (int) KeyHash.hash(key) * 31 + db;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DbKey k && k.db == db && Arrays.equals(k.key, key);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
