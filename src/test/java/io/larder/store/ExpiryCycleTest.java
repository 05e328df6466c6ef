package io.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The removal pass of the active expiry cycle on single segments, against a direct recount. */
class ExpiryCycleTest {

    @Test
    void expireSegmentRemovesExactlyTheExpiredKeysAndRecomputesTheEarliestExpiry() {
        Random rnd = new Random(3);
        Keyspace ks = new Keyspace(1, false);
        Database d = ks.db(0);
        for (int round = 0; round < 300; round++) {
            Segment s = new Segment();
            int n = 1 + rnd.nextInt(400);
            long now = 1_000_000;
            int expired = 0;
            // From a few expired keys to nearly all, so removals also shrink the table mid-pass.
            double expiredShare = rnd.nextDouble();
            for (int i = 0; i < n; i++) {
                byte[] k = ("r" + round + ":" + i).getBytes(StandardCharsets.ISO_8859_1);
                double x = rnd.nextDouble();
                long exp = x < expiredShare ? now - rnd.nextInt(1000)
                        : x < (1 + expiredShare) / 2 ? now + 1 + rnd.nextInt(1000) : StoredValue.NO_EXPIRE;
                if (exp != StoredValue.NO_EXPIRE && exp <= now) expired++;
                s.insert(KeyHash.h24(KeyHash.hash(k)), StringBlob.create(k, 0, k.length, k, 0, 0, exp, false, 0));
            }
            int removed = ExpiryCycle.expireSegment(d, s, now);
            assertEquals(expired, removed);
            assertEquals(n - expired, s.size());
            long min = Long.MAX_VALUE;
            int volatiles = 0;
            for (int i = 0; i < s.capacity(); i++) {
                if (s.metaAt(i) == 0) continue;
                long exp = Entries.expireAt(s.entry(i));
                if (exp != StoredValue.NO_EXPIRE) {
                    volatiles++;
                    assertEquals(true, exp > now, "an expired key survived");
                    min = Math.min(min, exp);
                }
            }
            assertEquals(volatiles, s.volatileCount());
            assertEquals(min, s.minExpire, "earliest expiry of round " + round);
        }
    }
}
