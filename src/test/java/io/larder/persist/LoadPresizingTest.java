package io.larder.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.store.Database;
import io.larder.store.KeyHash;
import io.larder.store.Keyspace;
import io.larder.store.Lookup;
import io.larder.store.Segment;
import io.larder.store.StoredValue;
import io.larder.store.StringBlob;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RespClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DEBUG RELOAD in the same process reads keys back in this process's hash
 * order. Segment slots are monotone in the hash, so inserting in that order
 * into growing tables piles each segment's keys into one cluster: every
 * insert probes to the cluster's end, and loading takes quadratic time. The
 * loader presizes segments from RESIZEDB, which keeps inserts next to their
 * home slots.
 */
class LoadPresizingTest {
    @TempDir
    Path tmp;

    /** Total distance from home slot of each key at the moment it was inserted, keys in hash order. */
    static long probeWork(int keys, boolean reserve) {
        Keyspace ks = new Keyspace(1, false);
        Database db = ks.db(0);
        byte[][] k = new byte[keys][];
        long[] h = new long[keys];
        for (int i = 0; i < keys; i++) {
            k[i] = ("key:" + i).getBytes(StandardCharsets.ISO_8859_1);
            h[i] = KeyHash.hash(k[i]);
        }
        Integer[] order = new Integer[keys];
        for (int i = 0; i < keys; i++) order[i] = i;
        // The order a dump of this process lists them in: by segment, then by in-table hash.
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> ks.segmentOf(h[i], k[i], 0, k[i].length))
                .thenComparingInt(i -> KeyHash.h24(h[i])));
        if (reserve) db.reserve(keys);
        Lookup l = new Lookup();
        long work = 0;
        for (int i : order) {
            db.find(l, k[i], 0, k[i].length, h[i], 0);
            db.insert(l, StringBlob.create(k[i], 0, k[i].length, k[i], 0, 0, StoredValue.NO_EXPIRE, false, 0));
            Segment s = db.segment(ks.segmentOf(h[i], k[i], 0, k[i].length));
            int h24 = KeyHash.h24(h[i]);
            int slot = s.find(k[i], 0, k[i].length, h24);
            int cap = s.capacity();
            int home = (int) (((long) h24 * cap) >>> 24);
            work += (slot - home + cap) % cap;
        }
        return work;
    }

    @Test
    void presizedSegmentsKeepHashOrderedInsertsNearHome() {
        int keys = 300_000;
        long presized = probeWork(keys, true);
        long growing = probeWork(keys, false);
        assertTrue(presized < keys, "probe steps with presizing: " + presized);
        // Without presizing: about 10 times more at 75 keys per segment (300 per segment: 25 times), and
        // the cost of each insert grows with the segment's size, so loading is quadratic.
        assertTrue(growing > 5 * presized, "growing " + growing + " vs presized " + presized);
    }

    @Test
    void debugReloadPresizesFromResizedb() throws Exception {
        try (LarderTestServer l = LarderTestServer.start("--dir", tmp.toString(), "--enable-debug-command", "yes");
                RespClient c = l.client()) {
            assertEquals("OK", c.call("DEBUG", "POPULATE", "200000"));
            assertEquals("OK", c.call("DEBUG", "RELOAD"));
            assertEquals(200000L, c.call("DBSIZE"));
            // Every segment got at least its share's capacity before the first key arrived.
            Keyspace ks = l.server().keyspace();
            int per = 200000 / Keyspace.SEGMENTS;
            for (int i = 0; i < Keyspace.SEGMENTS; i++) {
                ks.locks.lock(i);
                try {
                    assertTrue(ks.db(0).segment(i).capacity() >= per * 4 / 3, "segment " + i);
                } finally {
                    ks.locks.unlock(i);
                }
            }
        }
    }
}
