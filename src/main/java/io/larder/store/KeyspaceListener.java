package io.larder.store;

/**
 * Receives what the keyspace does on its own: keys removed because they
 * expired (found by a lookup or the active expiry cycle). The server turns
 * this into the "expired" notification, DEL propagation and WATCH
 * invalidation, in one place.
 */
public interface KeyspaceListener {
    void expired(Database db, byte[] key);

    KeyspaceListener NONE = (db, key) -> {};
}
