package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.DifferentialTestBase;
import io.larder.testing.RespClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What cannot be compared byte for byte: ZSCAN over the large encoding (the
 * cursors are Larder's own) and ZRANDMEMBER's random choices. Both are
 * checked for the properties Redis guarantees, and against Redis where the
 * outcome is determined (the set of elements a full scan returns).
 */
class SortedSetPropertiesTest extends DifferentialTestBase {

    private static void fill(RespClient c, String key, int n) {
        List<String> cmd = new ArrayList<>(List.of("ZADD", key));
        for (int i = 0; i < n; i++) {
            cmd.add(i % 7 == 0 ? "-0" : String.valueOf(i * 0.5));
            cmd.add("member:" + i);
        }
        c.call(cmd.toArray(new String[0]));
    }

    /** A full ZSCAN: every (member, score) pair returned, and how many calls it took. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> scanAll(RespClient c, String key, String... opts) {
        Map<String, String> seen = new TreeMap<>();
        String cursor = "0";
        int calls = 0;
        do {
            List<String> cmd = new ArrayList<>(List.of("ZSCAN", key, cursor));
            cmd.addAll(List.of(opts));
            List<Object> r = (List<Object>) c.call(cmd.toArray(new String[0]));
            cursor = (String) r.get(0);
            List<Object> items = (List<Object>) r.get(1);
            for (int i = 0; i < items.size(); i += 2) seen.put((String) items.get(i), (String) items.get(i + 1));
            assertTrue(++calls < 100_000, "scan does not terminate");
        } while (!cursor.equals("0"));
        return seen;
    }

    @Test
    void zscanOverTheLargeEncodingReturnsWhatRedisReturns() {
        fill(d.larder(), "z", 1000);
        fill(d.redis(), "z", 1000);
        assertEquals(scanAll(d.redis(), "z"), scanAll(d.larder(), "z"));
        assertEquals(scanAll(d.redis(), "z", "COUNT", "3"), scanAll(d.larder(), "z", "COUNT", "3"));
        assertEquals(scanAll(d.redis(), "z", "MATCH", "*7*", "COUNT", "50"),
                scanAll(d.larder(), "z", "MATCH", "*7*", "COUNT", "50"));
        assertEquals(1000, scanAll(d.larder(), "z", "COUNT", "1000000").size());
    }

    @SuppressWarnings("unchecked")
    @Test
    void zscanReturnsElementsPresentThroughoutDespiteChanges() {
        RespClient c = d.larder();
        fill(c, "z", 2000);
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        int step = 0;
        do {
            List<Object> r = (List<Object>) c.call("ZSCAN", "z", cursor, "COUNT", "20");
            cursor = (String) r.get(0);
            List<Object> items = (List<Object>) r.get(1);
            for (int i = 0; i < items.size(); i += 2) seen.add((String) items.get(i));
            // Grow and shrink the set between calls (forcing index resizes).
            if (step % 3 == 0) {
                List<String> add = new ArrayList<>(List.of("ZADD", "z"));
                for (int i = 0; i < 300; i++) add.addAll(List.of("1", "extra:" + step + ":" + i));
                c.call(add.toArray(new String[0]));
            } else {
                c.call("ZREMRANGEBYLEX", "z", "[extra:", "[extra:\u00ff");
            }
            step++;
        } while (!cursor.equals("0"));
        for (int i = 0; i < 2000; i++) assertTrue(seen.contains("member:" + i), "missed member:" + i);
    }

    @SuppressWarnings("unchecked")
    private static List<String> members(Object reply, boolean withScores, boolean resp3) {
        List<String> out = new ArrayList<>();
        List<Object> l = (List<Object>) reply;
        if (!withScores) {
            for (Object o : l) out.add((String) o);
        } else if (resp3) {
            for (Object o : l) out.add((String) ((List<Object>) o).get(0));
        } else {
            for (int i = 0; i < l.size(); i += 2) out.add((String) l.get(i));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    @Test
    void zrandmemberProperties() {
        RespClient c = d.larder();
        for (int size : new int[] {5, 100, 1000}) {
            c.call("DEL", "z");
            fill(c, "z", size);
            Map<String, String> scores = scanAll(c, "z");
            // Positive count: distinct members, min(count, size) of them.
            for (int count : new int[] {1, 2, size / 3, size / 2, size - 1, size, size + 5}) {
                if (count <= 0) continue;
                List<String> got = members(c.call("ZRANDMEMBER", "z", String.valueOf(count)), false, false);
                assertEquals(Math.min(count, size), got.size());
                assertEquals(got.size(), new HashSet<>(got).size(), "repeated member");
                assertTrue(scores.keySet().containsAll(got));
            }
            // Negative count: exactly |count| members, repetitions allowed, all present.
            List<String> rep = members(c.call("ZRANDMEMBER", "z", "-50"), false, false);
            assertEquals(50, rep.size());
            assertTrue(scores.keySet().containsAll(rep));
            // WITHSCORES pairs each member with its own score.
            List<Object> ws = (List<Object>) c.call("ZRANDMEMBER", "z", "-20", "WITHSCORES");
            assertEquals(40, ws.size());
            for (int i = 0; i < ws.size(); i += 2) {
                assertEquals(scores.get((String) ws.get(i)), ws.get(i + 1));
            }
            List<Object> ws2 = (List<Object>) c.call("ZRANDMEMBER", "z", String.valueOf(size / 2), "WITHSCORES");
            for (int i = 0; i < ws2.size(); i += 2) assertEquals(scores.get((String) ws2.get(i)), ws2.get(i + 1));
            // A single member is one of them.
            assertTrue(scores.containsKey((String) c.call("ZRANDMEMBER", "z")));
        }
        // Roughly uniform: each of 5 members drawn about 1/5 of 5000 times.
        c.call("DEL", "u");
        c.call("ZADD", "u", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e");
        Map<String, Integer> freq = new HashMap<>();
        for (String m : members(c.call("ZRANDMEMBER", "u", "-5000"), false, false)) freq.merge(m, 1, Integer::sum);
        assertEquals(5, freq.size());
        for (int f : freq.values()) assertTrue(f > 800 && f < 1200, "skewed: " + freq);
        // And for distinct samples of a large set, every member gets picked eventually.
        Set<String> picked = new HashSet<>();
        for (int i = 0; i < 400; i++) picked.addAll(members(c.call("ZRANDMEMBER", "z", "10"), false, false));
        assertTrue(picked.size() > 900, "only " + picked.size() + " distinct members picked");
    }

    @SuppressWarnings("unchecked")
    @Test
    void zrandmemberResp3Shape() {
        RespClient c = d.larder();
        c.call("HELLO", "3");
        c.call("ZADD", "z", "1", "a", "2", "b", "3", "c");
        List<Object> r = (List<Object>) c.call("ZRANDMEMBER", "z", "-4", "WITHSCORES");
        assertEquals(4, r.size());
        for (Object o : r) assertEquals(2, ((List<Object>) o).size());
    }
}
