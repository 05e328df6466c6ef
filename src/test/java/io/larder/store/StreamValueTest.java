package io.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.protocol.Args;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** StreamValue against a plain ordered map of entries, under random appends, deletions and trims. */
class StreamValueTest {

    /** Appends an entry to both and returns its ID. */
    private static void add(StreamValue s, NavigableMap<StreamId, List<String>> model, long ms, long seq,
            List<String> fv, long maxBytes, long maxEntries) {
        List<String> args = new ArrayList<>(List.of("XADD", "k", "id"));
        args.addAll(fv);
        s.append(ms, seq, Args.of(args.toArray(new String[0])), 3, fv.size() / 2, maxBytes, maxEntries);
        model.put(new StreamId(ms, seq), fv);
    }

    private static List<String> fields(StreamValue.Cursor c) {
        List<String> out = new ArrayList<>();
        c.beginFields();
        for (int i = 0; i < c.numFields(); i++) {
            out.add(str(c.buf(), c.nextField()));
            out.add(str(c.buf(), c.nextValue()));
        }
        return out;
    }

    private static String str(byte[] b, int p) {
        return new String(Listpack.value(b, p), StandardCharsets.ISO_8859_1);
    }

    private static void verify(StreamValue s, NavigableMap<StreamId, List<String>> model, Random r) {
        assertEquals(model.size(), s.length());
        long live = 0;
        for (StreamValue.Node n : s.nodes) {
            live += n.live;
            assertTrue(n.used <= n.lp.length);
        }
        assertEquals(model.size(), live, "node live counts");
        // Whole range, both ways.
        List<String> fwd = new ArrayList<>();
        for (StreamValue.Cursor c = s.cursor(StreamId.MIN, StreamId.MAX, false); c.next(); ) {
            fwd.add(new StreamId(c.ms(), c.seq()) + "=" + fields(c));
        }
        List<String> expected = new ArrayList<>();
        for (Map.Entry<StreamId, List<String>> e : model.entrySet()) expected.add(e.getKey() + "=" + e.getValue());
        assertEquals(expected, fwd);
        List<String> rev = new ArrayList<>();
        for (StreamValue.Cursor c = s.cursor(StreamId.MIN, StreamId.MAX, true); c.next(); ) {
            rev.add(new StreamId(c.ms(), c.seq()) + "=" + fields(c));
        }
        List<String> expectedRev = new ArrayList<>(expected);
        java.util.Collections.reverse(expectedRev);
        assertEquals(expectedRev, rev);
        // A random sub-range.
        StreamId a = new StreamId(r.nextInt(300), r.nextInt(3)), b = new StreamId(r.nextInt(300), r.nextInt(3));
        if (a.compareTo(b) > 0) {
            StreamId t = a;
            a = b;
            b = t;
        }
        List<StreamId> sub = new ArrayList<>();
        for (StreamValue.Cursor c = s.cursor(a, b, r.nextBoolean()); c.next(); ) sub.add(new StreamId(c.ms(), c.seq()));
        sub.sort(null);
        assertEquals(new ArrayList<>(model.subMap(a, true, b, true).keySet()), sub);
        // Edges and existence.
        if (model.isEmpty()) {
            assertEquals(StreamId.MAX, s.edge(true));
            assertEquals(StreamId.MIN, s.edge(false));
            assertEquals(StreamId.MIN, s.firstId());
        } else {
            assertEquals(model.firstKey(), s.edge(true));
            assertEquals(model.lastKey(), s.edge(false));
            assertEquals(model.firstKey(), s.firstId());
            StreamId some = new ArrayList<>(model.keySet()).get(r.nextInt(model.size()));
            assertTrue(s.exists(some.ms(), some.seq()));
        }
        assertFalse(s.exists(1_000_000, 0));
        assertEquals(raxNodesByTrie(s), s.radixTreeNodes(), "radix-tree-nodes");
    }

    @Test
    void randomOperationsMatchAnOrderedMap() {
        Random r = new Random(99);
        for (int round = 0; round < 40; round++) {
            long maxBytes = new long[] {0, 60, 200, 4096}[r.nextInt(4)];
            long maxEntries = new long[] {0, 1, 3, 10, 100}[r.nextInt(5)];
            StreamValue s = new StreamValue();
            TreeMap<StreamId, List<String>> model = new TreeMap<>();
            long ms = 0, seq = 0;
            for (int step = 0; step < 300; step++) {
                int op = r.nextInt(10);
                if (op < 6) {
                    if (r.nextBoolean()) {
                        ms += 1 + r.nextInt(3);
                        seq = r.nextInt(2);
                    } else {
                        seq++;
                    }
                    List<String> fv = new ArrayList<>();
                    int pairs = 1 + r.nextInt(3);
                    for (int i = 0; i < pairs; i++) {
                        fv.add(r.nextInt(4) == 0 ? "other" + i : "f" + i);
                        fv.add(r.nextBoolean() ? "" + r.nextInt(100_000) : "v".repeat(r.nextInt(80)));
                    }
                    add(s, model, ms, seq, fv, maxBytes, maxEntries);
                } else if (op < 8) {
                    List<StreamId> ids = new ArrayList<>();
                    for (int i = 0; i < 3; i++) ids.add(new StreamId(r.nextInt((int) ms + 1), r.nextInt(3)));
                    long expected = ids.stream().distinct().filter(model::containsKey).count();
                    assertEquals(expected, s.delete(ids));
                    ids.forEach(model::remove);
                } else {
                    boolean byMaxlen = r.nextBoolean();
                    long maxlen = r.nextInt(Math.max(1, model.size() + 5));
                    StreamId minId = new StreamId(r.nextInt((int) ms + 2), r.nextInt(3));
                    boolean approx = r.nextBoolean();
                    long limit = approx && r.nextBoolean() ? r.nextInt(20) : 0;
                    int before = model.size();
                    long n = s.trim(byMaxlen, maxlen, minId, approx, limit);
                    // Trimming removes a prefix of the live entries, never more than asked.
                    for (long i = 0; i < n; i++) {
                        StreamId first = model.firstKey();
                        if (!byMaxlen) assertTrue(first.compareTo(minId) < 0, "MINID removed " + first);
                        model.remove(first);
                    }
                    if (byMaxlen) assertTrue(model.size() >= Math.min(maxlen, before));
                    if (!approx && limit == 0) {
                        if (byMaxlen) assertEquals(Math.min(maxlen, before), model.size());
                        else assertTrue(model.isEmpty() || model.firstKey().compareTo(minId) >= 0);
                    }
                }
                verify(s, model, r);
            }
            // A copy is equal and independent.
            StreamValue copy = (StreamValue) s.copy();
            verify(copy, model, r);
            add(copy, new TreeMap<>(model), ms + 1, 0, List.of("x", "y"), maxBytes, maxEntries);
            verify(s, model, r);
        }
    }

    @Test
    void sameFieldsAreStoredOnceInTheMasterEntry() {
        StreamValue s = new StreamValue();
        TreeMap<StreamId, List<String>> model = new TreeMap<>();
        for (int i = 0; i < 100; i++) {
            add(s, model, 1_700_000_000_000L + i, 0, List.of("temperature", "" + (20 + i % 7), "humidity", "55"), 4096,
                    100);
        }
        StreamValue.Node n = s.nodes.first();
        assertEquals(1, s.nodes.size());
        // Per entry: flags, ms delta, seq delta, two small integers, lp-count: 6 two-byte elements (ms delta up to 99).
        int perEntry = (n.used - n.entriesStart) / 100;
        assertTrue(perEntry <= 12, "bytes per entry: " + perEntry);
        verify(s, model, new Random(1));
    }

    @Test
    void radixTreeNodesMatchATrie() {
        Random r = new Random(5);
        for (int round = 0; round < 200; round++) {
            StreamValue s = new StreamValue();
            TreeMap<StreamId, List<String>> model = new TreeMap<>();
            long ms = r.nextBoolean() ? 0 : r.nextLong() >>> 1;
            int n = r.nextInt(40);
            for (int i = 0; i < n; i++) {
                ms += r.nextInt(4) == 0 ? r.nextInt(1 << 20) : r.nextInt(300);
                add(s, model, ms, r.nextInt(4) == 0 ? r.nextLong() >>> 1 : r.nextInt(3), List.of("f", "v"), 0, 1);
            }
            assertEquals(raxNodesByTrie(s), s.radixTreeNodes(), "keys " + model.keySet());
        }
    }

    /** The node count of a canonical compressed trie over the 16-byte node keys, built explicitly. */
    static long raxNodesByTrie(StreamValue s) {
        TreeMap<Integer, Object> root = new TreeMap<>();
        for (StreamValue.Node n : s.nodes) {
            byte[] k = new byte[16];
            for (int i = 0; i < 8; i++) {
                k[i] = (byte) (n.ms >>> (56 - 8 * i));
                k[8 + i] = (byte) (n.seq >>> (56 - 8 * i));
            }
            TreeMap<Integer, Object> t = root;
            for (byte b : k) {
                @SuppressWarnings("unchecked")
                TreeMap<Integer, Object> next = (TreeMap<Integer, Object>) t.computeIfAbsent(b & 0xFF, x -> new TreeMap<>());
                t = next;
            }
        }
        return raxCount(root);
    }

    @SuppressWarnings("unchecked")
    private static long raxCount(TreeMap<Integer, Object> node) {
        if (node.isEmpty()) return 1; // a leaf (or the empty root)
        if (node.size() >= 2) {
            long n = 1;
            for (Object child : node.values()) n += raxCount((TreeMap<Integer, Object>) child);
            return n;
        }
        // One child: a compressed node running down to the first node with other than one child.
        TreeMap<Integer, Object> t = node;
        while (t.size() == 1) t = (TreeMap<Integer, Object>) t.firstEntry().getValue();
        return 1 + raxCount(t);
    }

    @Test
    void nodesFollowRedisSizeRules() {
        // 38-byte listpack after one entry of "f" -> 10 bytes; the next entry of 11 string bytes reaches 60.
        StreamValue s = new StreamValue();
        TreeMap<StreamId, List<String>> model = new TreeMap<>();
        for (int i = 1; i <= 9; i++) add(s, model, i, 0, List.of("f", "vvvvvvvvvv"), 60, 100);
        assertEquals(5, s.radixTreeKeys());
        assertEquals(38 + 20, s.nodes.first().lpBytes());
        // Entry counts include deleted entries.
        StreamValue t = new StreamValue();
        model.clear();
        add(t, model, 1, 0, List.of("f", "v"), 4096, 3);
        add(t, model, 2, 0, List.of("f", "v"), 4096, 3);
        t.delete(List.of(new StreamId(2, 0)));
        add(t, model, 3, 0, List.of("f", "v"), 4096, 3);
        add(t, model, 4, 0, List.of("f", "v"), 4096, 3);
        assertEquals(2, t.radixTreeKeys());
        assertEquals(Arrays.asList(3L, 2L), List.of(t.length(), t.radixTreeKeys()));
    }
}
