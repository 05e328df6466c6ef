package io.larder.store.zset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Both encodings against a simple model (a TreeSet in Redis's order plus a
 * map), under random adds, updates, removals and range deletions, with the
 * tree's structural invariants checked as it grows and shrinks.
 */
class SortedSetModelTest {
    private static byte[] m(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static final class Model {
        final TreeSet<byte[]> order = new TreeSet<>(ZEntry::compare);
        final Map<String, Double> scores = new HashMap<>();

        void put(String member, double score) {
            Double old = scores.put(member, score);
            if (old != null) order.remove(ZEntry.of(old, m(member), 0, member.length()));
            order.add(ZEntry.of(score, m(member), 0, member.length()));
        }

        void remove(String member) {
            Double old = scores.remove(member);
            if (old != null) order.remove(ZEntry.of(old, m(member), 0, member.length()));
        }

        List<byte[]> list() {
            return new ArrayList<>(order);
        }
    }

    private static void check(SortedSet z, Model model) {
        z.verify();
        List<byte[]> want = model.list();
        assertEquals(want.size(), z.size());
        int[] i = {0};
        z.forEach((b, off, len, s) -> {
            byte[] e = want.get(i[0]++);
            assertTrue(ZEntry.memberEquals(e, b, off, len), "member at " + (i[0] - 1));
            assertEquals(ZEntry.score(e), s, 0.0);
        });
        // Ranks and positional access agree with the model at a few places.
        for (int r = 0; r < want.size(); r += Math.max(1, want.size() / 17)) {
            byte[] e = want.get(r);
            assertEquals(r, z.rank(e, ZEntry.HEADER, e.length - ZEntry.HEADER, false));
            ZCursor c = z.cursor(r);
            assertTrue(ZEntry.memberEquals(e, c.buf(), c.off(), c.len()));
        }
    }

    @Test
    void randomOperationsAgainstModel() {
        for (long seed = 1; seed <= 6; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            boolean startPacked = seed % 2 == 0;
            long maxEntries = startPacked ? 100 : 0;
            SortedSet z = startPacked ? SortedSet.packed() : SortedSet.large(4);
            Model model = new Model();
            int universe = seed <= 2 ? 150 : 6000;
            for (int step = 0; step < 40_000; step++) {
                int op = rnd.nextInt(100);
                String member = "m" + rnd.nextInt(universe);
                double score = rnd.nextInt(8) == 0 ? rnd.nextInt(5) : rnd.nextDouble() * 1000 - 500;
                byte[] mb = m(member);
                if (op < 55) {
                    int out = z.add(score, mb, 0, mb.length, 0, maxEntries, 64);
                    boolean had = model.scores.containsKey(member);
                    assertEquals(had, (out & SortedSet.OUT_ADDED) == 0);
                    model.put(member, score);
                } else if (op < 85) {
                    boolean had = model.scores.containsKey(member);
                    assertEquals(had, z.remove(mb, 0, mb.length));
                    model.remove(member);
                } else if (op < 90 && z.size() > 0) {
                    int a = rnd.nextInt(z.size());
                    int b = Math.min(z.size() - 1, a + rnd.nextInt(200));
                    List<byte[]> l = model.list();
                    for (int r = a; r <= b; r++) model.remove(new String(ZEntry.member(l.get(r)), StandardCharsets.ISO_8859_1));
                    assertEquals(b - a + 1, z.removeRanks(a, b));
                } else if (op < 93) {
                    double lo = rnd.nextDouble() * 1000 - 500, hi = lo + rnd.nextDouble() * 50;
                    ScoreRange r = new ScoreRange(lo, rnd.nextBoolean(), hi, rnd.nextBoolean());
                    List<String> gone = new ArrayList<>();
                    for (byte[] e : model.order) {
                        if (r.gteMin(e) && r.lteMax(e)) gone.add(new String(ZEntry.member(e), StandardCharsets.ISO_8859_1));
                    }
                    assertEquals(gone.size(), z.countInRange(r));
                    assertEquals(gone.size(), z.removeRange(r));
                    for (String g : gone) model.remove(g);
                } else if (op < 96) {
                    double s = z.score(mb, 0, mb.length);
                    Double want = model.scores.get(member);
                    if (want == null) assertTrue(Double.isNaN(s));
                    else assertEquals(want, s, 0.0);
                } else if (op < 97 && startPacked) {
                    z = z.copy();
                } else if (op < 98) {
                    z.convertToTree();
                }
                if (step % 997 == 0) check(z, model);
            }
            check(z, model);
        }
    }

    @Test
    void bulkBuildAndMassDeletionKeepTreeValid() {
        int n = 100_000;
        byte[][] all = new byte[n][];
        for (int i = 0; i < n; i++) all[i] = ZEntry.of(i / 3, m("k" + i), 0, ("k" + i).length());
        java.util.Arrays.sort(all, ZEntry::compare);
        SortedSet z = SortedSet.fromSorted(all, n, 128, 64);
        z.verify();
        assertEquals(n, z.size());
        // Remove most members from the middle, leaf by leaf, then from both ends.
        assertEquals(80_000, z.removeRanks(10_000, 89_999));
        z.verify();
        for (int i = 0; i < 9_000; i++) z.removeRanks(0, 0);
        for (int i = 0; i < 9_000; i++) z.removeRanks(z.size() - 1, z.size() - 1);
        z.verify();
        assertEquals(2_000, z.size());
        assertEquals(2_000, z.removeRanks(0, 1_999));
        assertEquals(0, z.size());
        z.verify();
    }

    @Test
    void appendsKeepLeavesFull() {
        SortedSet z = SortedSet.large(16);
        for (int i = 0; i < 64 * 100; i++) {
            byte[] b = m("x" + i);
            z.add(i, b, 0, b.length, 0, 0, 64);
        }
        z.verify();
        // Appending splits unevenly: 100 full leaves, not 200 half-full ones.
        assertEquals(100, z.leafCount());
    }

    @Test
    void packedScoresRoundTrip() {
        byte[] p = PackedZset.EMPTY;
        double[] values = {0, -0.0, 1, -1, 127, 128, -128, -129, 1L << 40, -(1L << 40), 0x1p62, -0x1p62, 0x1p62 + 2048,
            0.5, 1e300, -1e-300, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 4.9e-324, 123456789012345678.0};
        for (int i = 0; i < values.length; i++) p = PackedZset.insert(p, values[i], m("v" + i), 0, 2 + (i >= 10 ? 1 : 0));
        assertEquals(values.length, PackedZset.offsets(p, values.length).length);
        for (int i = 0; i < values.length; i++) {
            byte[] mb = m("v" + i);
            int off = PackedZset.find(p, mb, 0, mb.length);
            double want = values[i] == 0 ? 0.0 : values[i];
            assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(PackedZset.score(p, off)),
                    "value " + values[i]);
        }
    }
}
