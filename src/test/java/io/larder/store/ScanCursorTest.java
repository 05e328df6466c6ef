package io.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.util.Numbers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The SCAN guarantee at the data-structure level: an iteration over a
 * segment, in small steps, while the table is grown and shrunk between steps
 * by bulk inserts and deletes, returns every entry present for the whole
 * iteration exactly once.
 */
class ScanCursorTest {

    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static final class Table {
        final Segment s = new Segment();

        void add(String k) {
            byte[] b = key(k);
            int h = KeyHash.h24(KeyHash.hash(b));
            if (s.find(b, 0, b.length, h) >= 0) return;
            s.insert(h, StringBlob.create(b, 0, b.length, b, 0, 0, StoredValue.NO_EXPIRE, false, 0));
        }

        void remove(String k) {
            byte[] b = key(k);
            int slot = s.find(b, 0, b.length, KeyHash.h24(KeyHash.hash(b)));
            if (slot >= 0) s.removeAt(slot);
        }
    }

    @Test
    void everyStableEntryIsReturnedOnceAcrossResizes() {
        Random rnd = new Random(11);
        for (int round = 0; round < 20; round++) {
            Table t = new Table();
            List<String> stable = new ArrayList<>();
            int n = 20 + rnd.nextInt(300);
            for (int i = 0; i < n; i++) {
                stable.add("stable:" + round + ":" + i);
                t.add(stable.get(i));
            }
            Map<String, Integer> seen = new HashMap<>();
            int hash = 0;
            int capacities = 0, lastCap = t.s.capacity();
            int churn = 0;
            while (hash != Segment.HASH_SPACE) {
                hash = ScanCursor.step(t.s, hash, 1 + rnd.nextInt(5), (e, m) -> {
                    byte[] b = (byte[]) e;
                    String k = new String(b, StringBlob.keyOffset(b), StringBlob.keyLength(b), StandardCharsets.ISO_8859_1);
                    seen.merge(k, 1, Integer::sum);
                });
                // Between steps: grow the table a lot, or shrink it back, or mix.
                switch (rnd.nextInt(3)) {
                    case 0 -> {
                        int add = rnd.nextInt(2000);
                        for (int i = 0; i < add; i++) t.add("churn:" + (churn++));
                    }
                    case 1 -> {
                        for (int i = 0; i < churn; i++) t.remove("churn:" + i);
                    }
                    default -> {
                        for (int i = 0; i < 50; i++) {
                            if (rnd.nextBoolean()) t.add("churn:" + rnd.nextInt(churn + 1));
                            else t.remove("churn:" + rnd.nextInt(churn + 1));
                        }
                    }
                }
                if (t.s.capacity() != lastCap) {
                    capacities++;
                    lastCap = t.s.capacity();
                }
            }
            for (String k : stable) assertEquals(1, seen.getOrDefault(k, 0), k + " in round " + round);
            for (Map.Entry<String, Integer> e : seen.entrySet()) assertEquals(1, e.getValue(), e.getKey());
            assertTrue(capacities > 2, "the table was resized during the iteration");
        }
    }

    @Test
    void stepVisitsOnlyItsRangeAndCoversTheHashSpace() {
        Table t = new Table();
        Set<String> all = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            t.add("k" + i);
            all.add("k" + i);
        }
        Set<String> seen = new HashSet<>();
        int hash = 0, steps = 0;
        while (hash != Segment.HASH_SPACE) {
            int from = hash;
            int[] last = {-1};
            hash = ScanCursor.step(t.s, hash, 10, (e, m) -> {
                int h = m & 0xFFFFFF;
                assertTrue(h >= from, "hash before the cursor");
                byte[] b = (byte[]) e;
                assertTrue(seen.add(new String(b, StringBlob.keyOffset(b), StringBlob.keyLength(b),
                        StandardCharsets.ISO_8859_1)));
            });
            steps++;
        }
        assertEquals(all, seen);
        // COUNT is a hint: about 10 per step.
        assertTrue(steps > 200 && steps < 2000, "steps " + steps);
    }

    private static long parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return ScanCursor.parse(b, 0, b.length);
    }

    @Test
    void cursorsParseAsStrtoul() {
        assertEquals(0, parse("0"));
        assertEquals(0, parse(""));
        assertEquals(0, parse("\0"));
        assertEquals(5, parse("5\0junk"));
        assertEquals(123, parse("+123"));
        assertEquals(0, parse("-0"));
        assertEquals(-1L, parse("-1"));
        assertEquals(-1L, parse("18446744073709551615"));
        assertEquals(1L, parse("-18446744073709551615"));
        assertEquals(7, parse("0007"));
        for (String bad : new String[] {" 0", "0 ", "\t1", "x", "1x", "+", "-", "0x10", "18446744073709551616",
                "99999999999999999999", "1.5", "--1"}) {
            assertThrows(Numbers.Invalid.class, () -> parse(bad), bad);
        }
    }

    @Test
    void cursorEncodingRoundTrips() {
        assertEquals(0, ScanCursor.of(0, 0));
        long c = ScanCursor.of(4095, 0xFFFFFF);
        assertEquals(4095, ScanCursor.segment(c));
        assertEquals(0xFFFFFF, ScanCursor.hash(c));
        assertEquals(1L << 36, ScanCursor.of(4095, 0xFFFFFF) + 1);
    }
}
