package io.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Model-based tests of the collection encodings: ElementTable, Listpack, IntSet. */
class CollectionEncodingsTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String s(byte[] a, int off, int len) {
        return new String(a, off, len, StandardCharsets.ISO_8859_1);
    }

    @Test
    void elementTableMatchesAHashSetThroughGrowthAndShrinking() {
        Random rnd = new Random(1);
        ElementTable t = new ElementTable(false, 0);
        Set<String> model = new HashSet<>();
        for (int step = 0; step < 200_000; step++) {
            // Phases of growth and of shrinking, so resizes happen both ways.
            boolean growing = (step / 20_000) % 2 == 0;
            String m = "m" + rnd.nextInt(5000);
            byte[] k = b(m);
            if (rnd.nextInt(10) < (growing ? 7 : 3)) {
                assertEquals(model.add(m), t.add(k, 0, k.length));
            } else {
                assertEquals(model.remove(m), t.remove(k, 0, k.length));
            }
            if (step % 5000 == 0) {
                assertEquals(model.size(), t.size());
                Set<String> inTable = new HashSet<>();
                for (int i = 0; i < t.capacity(); i++) {
                    byte[] e = t.entryAt(i);
                    if (e != null) assertTrue(inTable.add(s(e, 0, e.length)));
                }
                assertEquals(model, inTable);
                for (String x : model) assertTrue(t.find(b(x), 0, x.length()) >= 0);
                assertTrue(t.size() == 0 || t.size() * 4L >= t.capacity(), "load at least 1/4");
            }
        }
    }

    @Test
    void pairEntriesAndUpdates() {
        HashValue h = new HashValue();
        Map<String, String> model = new LinkedHashMap<>();
        Random rnd = new Random(2);
        Slice v = new Slice();
        for (int step = 0; step < 50_000; step++) {
            int n = rnd.nextInt(800);
            String f = rnd.nextBoolean() ? "f" + n : String.valueOf(n - 400);
            String val = rnd.nextBoolean() ? String.valueOf(step - 20_000) : "x".repeat(rnd.nextInt(200)) + step;
            if (rnd.nextInt(4) > 0) {
                byte[] fb = b(f), vb = b(val);
                assertEquals(model.put(f, val) == null, h.set(fb, 0, fb.length, vb, 0, vb.length, 128, 1000));
            } else {
                assertEquals(model.remove(f) != null, h.delete(b(f), 0, f.length()));
            }
            if (step % 1000 == 0) {
                assertEquals(model.size(), h.size());
                for (Map.Entry<String, String> e : model.entrySet()) {
                    assertTrue(h.get(b(e.getKey()), 0, e.getKey().length(), v));
                    assertEquals(e.getValue(), s(v.array, v.offset, v.length));
                }
                Map<String, String> seen = new LinkedHashMap<>();
                h.forEach((fa, fo, fl, va, vo, vl) -> seen.put(s(fa, fo, fl), s(va, vo, vl)));
                assertEquals(model, seen);
                // A listpack keeps insertion order, like Redis's.
                if (h.isListpack()) assertEquals(new ArrayList<>(model.keySet()), new ArrayList<>(seen.keySet()));
            }
        }
        assertFalse(h.isListpack());
    }

    @Test
    void hashListpackKeepsOrderAndRedisEntryBytes() {
        HashListpack lp = new HashListpack();
        List<String> model = new ArrayList<>();
        Random rnd = new Random(3);
        Slice v = new Slice();
        for (int step = 0; step < 20_000; step++) {
            int op = rnd.nextInt(3);
            String x = switch (rnd.nextInt(4)) {
                case 0 -> String.valueOf(rnd.nextLong() >> rnd.nextInt(64));
                case 1 -> "0" + rnd.nextInt(100);
                case 2 -> "y".repeat(rnd.nextInt(5000));
                default -> "e" + rnd.nextInt(100);
            };
            if (op == 0 || model.isEmpty()) {
                lp.append(b(x), 0, x.length());
                model.add(x);
            } else if (op == 1) {
                int i = rnd.nextInt(model.size());
                lp.replace(lp.seek(i), b(x), 0, x.length());
                model.set(i, x);
            } else {
                int i = rnd.nextInt(model.size());
                lp.delete(lp.seek(i), 1);
                model.remove(i);
            }
            assertEquals(model.size(), lp.count());
            if (step % 100 == 0) {
                List<String> got = new ArrayList<>();
                java.io.ByteArrayOutputStream redisLayout = new java.io.ByteArrayOutputStream();
                for (int p = lp.first(); p >= 0; p = lp.next(p)) {
                    lp.get(p, v);
                    got.add(s(v.array, v.offset, v.length));
                    assertEquals(v.length, lp.length(p));
                }
                for (String m : model) redisLayout.writeBytes(Listpack.encode(b(m)));
                assertEquals(model, got);
                assertTrue(java.util.Arrays.equals(redisLayout.toByteArray(), lp.entries()), "Redis's entry bytes");
            }
        }
    }

    @Test
    void intSetStaysSortedAcrossWidths() {
        Random rnd = new Random(4);
        IntSet is = new IntSet();
        TreeSet<Long> model = new TreeSet<>();
        long[] scales = {100, 40_000, 3_000_000_000L, Long.MAX_VALUE};
        for (int step = 0; step < 30_000; step++) {
            long scale = scales[Math.min(3, step / 6000)];
            long v = rnd.nextLong() % scale;
            if (rnd.nextInt(3) > 0) assertEquals(model.add(v), is.add(v));
            else assertEquals(model.remove(v), is.remove(v));
            if (step % 500 == 0) {
                assertEquals(model.size(), is.size());
                int i = 0;
                for (long x : model) assertEquals(x, is.get(i++));
            }
        }
        for (long x : new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1}) {
            is.add(x);
            assertTrue(is.contains(x));
        }
    }

    /**
     * SCAN's guarantee: an element present from the start to the end of a
     * scan is returned, however the table grows or shrinks between steps;
     * and since positions are hashes, nothing is returned twice.
     */
    @Test
    void scanReturnsStableElementsExactlyOnceAcrossResizes() {
        Random rnd = new Random(5);
        for (int round = 0; round < 30; round++) {
            ElementTable t = new ElementTable(false, 0);
            Set<String> stable = new HashSet<>();
            for (int i = 0; i < 2000; i++) {
                String m = "s" + round + ":" + i;
                t.add(b(m), 0, m.length());
                stable.add(m);
            }
            List<String> churn = new ArrayList<>();
            Map<String, Integer> returned = new HashMap<>();
            long cursor = 0;
            boolean grow = round % 2 == 0;
            do {
                long width = t.hashWidthFor(1 + rnd.nextInt(50));
                long to = Math.min(ElementTable.HASH_SPACE, cursor + width);
                t.scan(cursor, to, e -> returned.merge(s(e, 0, e.length), 1, Integer::sum));
                cursor = to >= ElementTable.HASH_SPACE ? 0 : to;
                // Between steps: add or remove enough to force resizes.
                for (int k = 0; k < 40; k++) {
                    if (grow || churn.isEmpty() && rnd.nextBoolean()) {
                        String m = "c" + round + ":" + rnd.nextInt(1_000_000);
                        if (t.add(b(m), 0, m.length())) churn.add(m);
                    } else if (!churn.isEmpty()) {
                        String m = churn.remove(churn.size() - 1);
                        t.remove(b(m), 0, m.length());
                    }
                }
                if (!grow && rnd.nextInt(4) == 0) {
                    // Remove stable elements too (they then need not be returned).
                    String victim = stable.iterator().next();
                    stable.remove(victim);
                    t.remove(b(victim), 0, victim.length());
                }
            } while (cursor != 0);
            for (String m : stable) assertEquals(1, returned.getOrDefault(m, 0), "stable " + m);
            for (Map.Entry<String, Integer> e : returned.entrySet()) assertEquals(1, e.getValue(), e.getKey());
        }
    }

    /** Copying a table in its own iteration order into a new one must stay linear (per-table salts). */
    @Test
    void insertingInAnotherTablesOrderStaysFast() {
        ElementTable a = new ElementTable(false, 0);
        int n = 300_000;
        for (int i = 0; i < n; i++) a.add(b("member:" + i), 0, ("member:" + i).length());
        long t0 = System.nanoTime();
        ElementTable copy = new ElementTable(false, 0);
        for (int round = 0; round < 3; round++) {
            copy = new ElementTable(false, 0);
            for (int i = 0; i < a.capacity(); i++) {
                byte[] e = a.entryAt(i);
                if (e != null) copy.add(e, 0, e.length);
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(n, copy.size());
        assertTrue(ms < 3000, "three ordered copies of " + n + " took " + ms + "ms");
    }

    @Test
    void randomSlotIsUniform() {
        ElementTable t = new ElementTable(false, 0);
        int n = 50;
        for (int i = 0; i < n; i++) t.add(b("m" + i), 0, ("m" + i).length());
        // Remove some so the table has gaps of different lengths.
        for (int i = 0; i < n; i += 3) t.remove(b("m" + i), 0, ("m" + i).length());
        Map<String, Integer> counts = new HashMap<>();
        Random rnd = new Random(6);
        int draws = 200_000;
        for (int i = 0; i < draws; i++) {
            byte[] e = t.entryAt(t.randomSlot(rnd));
            counts.merge(s(e, 0, e.length), 1, Integer::sum);
        }
        assertEquals(t.size(), counts.size());
        double expected = (double) draws / t.size();
        double chi2 = 0;
        for (int c : counts.values()) chi2 += (c - expected) * (c - expected) / expected;
        // 32 degrees of freedom: chi2 < 70 except with probability ~1e-4.
        assertTrue(chi2 < 70, "chi2 " + chi2);
    }

    @Test
    void memoryPerElementIsAtOrBelowRedis() {
        // Redis 7.0 hashtable set of 10-byte members: dictEntry 24 + sds 16 + bucket 8 at
        // load <= 1, about 50 bytes; hash fields with 10-byte values about 66.
        int n = 100_000;
        SetValue set = SetValue.emptyTable(0);
        HashValue hash = new HashValue();
        hash.convertToTable();
        for (int i = 0; i < n; i++) {
            byte[] m = b(String.format("member%04d", i % 10_000) + (char) ('a' + i / 10_000));
            set.add(m, 0, m.length, 512);
            hash.set(m, 0, m.length, m, 0, m.length, 512, 64);
        }
        double perMember = (double) set.memoryUsage() / n;
        double perField = (double) hash.memoryUsage() / n;
        assertTrue(perMember < 50, "bytes per set member " + perMember);
        assertTrue(perField < 66, "bytes per hash field " + perField);
    }
}
