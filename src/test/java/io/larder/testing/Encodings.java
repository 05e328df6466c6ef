package io.larder.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.larder.store.Database;
import io.larder.store.Entries;
import io.larder.store.KeyHash;
import io.larder.store.Keyspace;
import io.larder.store.Lookup;
import java.nio.charset.StandardCharsets;

/**
 * Compares a key's OBJECT ENCODING on both servers, and reads Larder's
 * encodings and expiries from the in-process keyspace (under the key's
 * stripe lock) where a test must decide how to compare replies.
 */
public final class Encodings {
    private Encodings() {}

    /** Larder's encoding name for a key of db 0, or null if it does not exist. */
    public static String larder(LarderTestServer s, String key) {
        Object e = entry(s, key);
        return e == null ? null : Entries.encoding(e);
    }

    /** The expiry (ms) Larder holds for a key of db 0, -1 for none, -2 if the key does not exist. */
    public static long expireAt(LarderTestServer s, String key) {
        Object e = entry(s, key);
        return e == null ? -2 : Entries.expireAt(e);
    }

    private static Object entry(LarderTestServer s, String key) {
        byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
        Keyspace ks = s.server().keyspace();
        long h = KeyHash.hash(k);
        int stripe = ks.segmentOf(h, k, 0, k.length);
        ks.locks.lock(stripe);
        try {
            Database db = ks.db(0);
            return db.find(new Lookup(), k, System.currentTimeMillis());
        } finally {
            ks.locks.unlock(stripe);
        }
    }

    /**
     * Asserts both servers report the same encoding for a key of db 0, through
     * OBJECT ENCODING and through Larder's keyspace directly.
     */
    public static void check(Diff d, LarderTestServer s, String key) {
        Object r = d.check("OBJECT", "ENCODING", key);
        assertEquals(r, larder(s, key), "OBJECT ENCODING " + key);
    }
}
