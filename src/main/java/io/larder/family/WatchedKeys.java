package io.larder.family;

import io.larder.server.Client;
import io.larder.server.LarderServer;
import io.larder.store.Database;
import io.larder.store.DbKey;
import io.larder.store.Entries;
import io.larder.store.StoredValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * WATCH's bookkeeping, Redis's db->watched_keys: which clients watch which
 * key, and making them "dirty" (EXEC will fail) when the key changes, is
 * deleted, expires, or its database is flushed or swapped.
 *
 * <p>Writers call {@link #keyModified} holding the key's stripe lock (every
 * write goes through {@code CommandContext.keyModified}, expiry included), so
 * an EXEC holding the stripes of its watched keys sees every earlier change
 * and no later one. The index itself is sharded, each shard guarded by its
 * own monitor, so UNWATCH, DISCARD and disconnects need no stripe lock (they
 * must work while a long script holds the keyspace).
 *
 * <p>Like Redis 7, a key that had already expired when it was watched is
 * remembered as such: deleting it (lazily, actively, DEL, FLUSHDB) is no
 * logical change and does not fail EXEC, while a key that expires after
 * WATCH does.
 */
final class WatchedKeys implements LarderServer.KeyListener, LarderServer.FlushListener {
    private static final int SHARDS = 64;

    /** One key watched by one client in one database (Redis's watchedKey). */
    static final class Watched {
        final Client client;
        final DbKey key;
        /** The key was already expired when watched (Redis's wk->expired). Guarded by the shard. */
        boolean expired;
        /**
         * The key was in the database (expired or not) at the last event this
         * watcher saw. While the client is clean this is what Redis's
         * dictFind would answer just before a FLUSHDB or SWAPDB, which the
         * flush listener, called after the change, can no longer ask.
         */
        boolean present;

        Watched(Client client, DbKey key) {
            this.client = client;
            this.key = key;
        }
    }

    @SuppressWarnings("unchecked")
    private final Map<DbKey, List<Watched>>[] shards = new Map[SHARDS];
    /** Watched entries in the index; 0 lets every write skip WATCH work with one read. */
    private final AtomicInteger count = new AtomicInteger();

    WatchedKeys() {
        for (int i = 0; i < SHARDS; i++) shards[i] = new HashMap<>();
    }

    private Map<DbKey, List<Watched>> shard(DbKey k) {
        int h = k.hashCode();
        return shards[(h ^ (h >>> 16)) & (SHARDS - 1)];
    }

    /**
     * Adds a watcher. The caller holds the key's stripe lock, so the key's
     * state read here cannot change before the watcher is in the index.
     */
    Watched watch(Client client, Database db, byte[] key, long now) {
        Watched w = new Watched(client, new DbKey(db.id, key));
        Object e = db.peek(key);
        w.present = e != null;
        w.expired = e != null && isExpired(e, now);
        Map<DbKey, List<Watched>> m = shard(w.key);
        synchronized (m) {
            m.computeIfAbsent(w.key, k -> new ArrayList<>(2)).add(w);
        }
        count.incrementAndGet();
        return w;
    }

    /** Removes a watcher (UNWATCH, EXEC, DISCARD, disconnect). */
    void unwatch(Watched w) {
        Map<DbKey, List<Watched>> m = shard(w.key);
        synchronized (m) {
            List<Watched> l = m.get(w.key);
            if (l == null || !l.remove(w)) return;
            if (l.isEmpty()) m.remove(w.key);
        }
        count.decrementAndGet();
    }

    /**
     * Redis's isWatchedKeyExpired for one watcher: the key expired since it
     * was watched. The caller holds the key's stripe lock (EXEC).
     */
    boolean expiredSinceWatch(Watched w, Database db, long now) {
        Map<DbKey, List<Watched>> m = shard(w.key);
        synchronized (m) {
            if (w.expired) return false;
        }
        Object e = db.peek(w.key.key);
        return e != null && isExpired(e, now);
    }

    /** Redis's keyIsExpired, with the rule Larder's lookups expire by. */
    static boolean isExpired(Object entry, long now) {
        long at = Entries.expireAt(entry);
        return at != StoredValue.NO_EXPIRE && at <= now;
    }

    @Override
    public boolean active() {
        return count.get() != 0;
    }

    /**
     * Redis's touchWatchedKey. A client already dirty is skipped: Redis
     * unwatched it when it became dirty. Called holding the key's stripe
     * lock (or the keyspace), so looking the key up is safe.
     */
    @Override
    public void keyModified(Database db, byte[] key) {
        if (count.get() == 0) return;
        DbKey k = new DbKey(db.id, key);
        Map<DbKey, List<Watched>> m = shard(k);
        synchronized (m) {
            List<Watched> l = m.get(k);
            if (l == null) return;
            for (Watched w : l) {
                if (w.client.has(Client.DIRTY_CAS)) continue;
                if (w.expired) {
                    if (db.peek(key) == null) {
                        // The already expired key was deleted: logically no change.
                        w.expired = false;
                        w.present = false;
                        continue;
                    }
                    // Redis leaves the loop here, sparing the watchers after this one.
                    break;
                }
                w.client.setFlag(Client.DIRTY_CAS, true);
            }
        }
    }

    /**
     * Redis's touchAllWatchedKeysInDb(emptied, replaced_with) for a database
     * whose content was just replaced: emptied by FLUSHDB/FLUSHALL, or
     * exchanged by SWAPDB. The keyspace is held exclusively.
     */
    @Override
    public void flushed(Database db) {
        if (count.get() == 0) return;
        long now = System.currentTimeMillis();
        for (Map<DbKey, List<Watched>> m : shards) {
            synchronized (m) {
                for (Iterator<Map.Entry<DbKey, List<Watched>>> it = m.entrySet().iterator(); it.hasNext();) {
                    Map.Entry<DbKey, List<Watched>> en = it.next();
                    DbKey k = en.getKey();
                    if (k.db != db.id) continue;
                    Object replacement = db.peek(k.key);
                    for (Watched w : en.getValue()) {
                        if (w.client.has(Client.DIRTY_CAS)) continue;
                        touchReplaced(w, replacement, now);
                    }
                }
            }
        }
    }

    private static void touchReplaced(Watched w, Object replacement, long now) {
        boolean existed = w.present;
        boolean exists = replacement != null;
        if (!existed && !exists) return;
        w.present = exists;
        if (w.expired) {
            if (!exists) {
                // The expired key is gone: no logical change.
                w.expired = false;
                return;
            }
            if (isExpired(replacement, now)) return; // expired before, expired now
        } else if (!existed && isExpired(replacement, now)) {
            // A missing key replaced by an expired one: still logically missing.
            w.expired = true;
            return;
        }
        w.client.setFlag(Client.DIRTY_CAS, true);
    }
}
