package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.DifferentialTestBase;
import io.larder.testing.Encodings;
import io.larder.testing.RespClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * SPOP, SRANDMEMBER and HRANDFIELD: their picks cannot be compared with
 * Redis's, so these tests check the properties Redis documents (distinct
 * members for a positive count, repeats for a negative one, the whole
 * collection when the count exceeds it, consistent field/value pairs,
 * uniform choice) on both encodings, and compare reply shapes with Redis.
 */
class CollectionRandomTest extends DifferentialTestBase {

    private static List<String> strings(Object reply) {
        List<String> out = new ArrayList<>();
        List<?> items = reply instanceof RespClient.RespSet s ? s.items() : (List<?>) reply;
        for (Object o : items) out.add((String) o);
        return out;
    }

    /** The reply's structure with values erased: types and lengths only. */
    private static String shape(Object v) {
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder("*[");
            for (Object o : l) b.append(shape(o)).append(',');
            return b.append(']').toString();
        }
        if (v instanceof RespClient.RespSet s) return "~" + shape(s.items());
        if (v instanceof RespClient.RespMap m) return "%" + shape(m.entries());
        if (v == null) return "nil";
        return v.getClass().getSimpleName();
    }

    private void sameShape(String... cmd) {
        assertEquals(shape(d.redis().call(cmd)), shape(d.larder().call(cmd)), String.join(" ", cmd));
    }

    private void makeSets(int n) {
        List<String> ints = new ArrayList<>(List.of("SADD", "ints"));
        List<String> strs = new ArrayList<>(List.of("SADD", "strs"));
        for (int i = 0; i < n; i++) {
            ints.add(String.valueOf(i));
            strs.add("m" + i);
        }
        d.exec(ints.toArray(new String[0]));
        d.exec(strs.toArray(new String[0]));
    }

    private static Set<String> universe(String key, int n) {
        Set<String> u = new HashSet<>();
        for (int i = 0; i < n; i++) u.add(key.equals("ints") ? String.valueOf(i) : "m" + i);
        return u;
    }

    @Test
    void srandmemberCounts() {
        for (int n : new int[] {10, 300, 2000}) {
            d.exec("FLUSHALL");
            makeSets(n);
            for (String key : new String[] {"ints", "strs"}) {
                Set<String> all = universe(key, n);
                RespClient c = d.larder();
                // Both strategies for distinct picks: count*3 > size and count*3 <= size.
                for (int count : new int[] {1, 2, n / 4, n / 3 + 1, n - 1, n, n + 5}) {
                    List<String> got = strings(c.call("SRANDMEMBER", key, String.valueOf(count)));
                    assertEquals(Math.min(count, n), got.size(), key + " " + count);
                    assertEquals(got.size(), new HashSet<>(got).size(), "distinct");
                    assertTrue(all.containsAll(got));
                }
                List<String> rep = strings(c.call("SRANDMEMBER", key, String.valueOf(-3 * n)));
                assertEquals(3 * n, rep.size());
                assertTrue(all.containsAll(rep));
                if (n == 10) assertTrue(new HashSet<>(rep).size() < rep.size(), "repeats allowed");
                assertEquals(n, ((Long) c.call("SCARD", key)).intValue(), "SRANDMEMBER does not remove");
            }
            assertEquals(n <= 512 ? "intset" : "hashtable", Encodings.larder(larder, "ints"));
        }
    }

    @Test
    void spopCountsAndStrategies() {
        for (String key : new String[] {"ints", "strs"}) {
            for (int count : new int[] {1, 3, 15, 40, 49, 50, 80}) {
                d.exec("FLUSHALL");
                makeSets(50);
                Set<String> all = universe(key, 50);
                List<String> got = strings(d.larder().call("SPOP", key, String.valueOf(count)));
                assertEquals(Math.min(count, 50), got.size());
                assertEquals(got.size(), new HashSet<>(got).size());
                assertTrue(all.containsAll(got));
                List<String> rest = count >= 50 ? List.of() : strings(d.larder().call("SMEMBERS", key));
                assertEquals(50 - got.size(), rest.size());
                Set<String> union = new HashSet<>(got);
                union.addAll(rest);
                assertEquals(all, union, "popped and remaining make the original set");
                assertEquals(count >= 50 ? 0L : 1L, d.larder().call("EXISTS", key));
            }
        }
    }

    @Test
    void singleChoicesAreUniform() {
        makeSets(20);
        d.exec("HSET", "h", "f0", "v0", "f1", "v1", "f2", "v2", "f3", "v3", "f4", "v4");
        List<String> big = new ArrayList<>(List.of("HSET", "hbig"));
        for (int i = 0; i < 600; i++) {
            big.add("f" + i);
            big.add("v" + i);
        }
        d.exec(big.toArray(new String[0]));
        assertEquals("hashtable", Encodings.larder(larder, "hbig"));
        RespClient c = d.larder();
        uniform(c, 20, "SRANDMEMBER", "ints", "-20000");
        uniform(c, 20, "SRANDMEMBER", "strs", "-20000");
        uniform(c, 5, "HRANDFIELD", "h", "-10000");
        uniform(c, 600, "HRANDFIELD", "hbig", "-120000");
        // SPOP of one member at a time, put back each time.
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 4000; i++) {
            String m = (String) c.call("SPOP", "strs");
            counts.merge(m, 1, Integer::sum);
            c.call("SADD", "strs", m);
        }
        chiSquare(counts, 20, 4000);
    }

    private static void uniform(RespClient c, int n, String... cmd) {
        List<String> got = strings(c.call(cmd));
        Map<String, Integer> counts = new HashMap<>();
        for (String s : got) counts.merge(s, 1, Integer::sum);
        chiSquare(counts, n, got.size());
    }

    private static void chiSquare(Map<String, Integer> counts, int n, int draws) {
        assertEquals(n, counts.size(), "every element drawn at least once");
        double e = (double) draws / n, chi2 = 0;
        for (int x : counts.values()) chi2 += (x - e) * (x - e) / e;
        // Mean n-1, sd sqrt(2(n-1)): 6 sd is essentially never exceeded by a uniform choice.
        double limit = (n - 1) + 6 * Math.sqrt(2.0 * (n - 1));
        assertTrue(chi2 < limit, "chi2 " + chi2 + " limit " + limit);
    }

    @Test
    void hrandfieldPairsAndOrder() {
        List<String> cmd = new ArrayList<>(List.of("HSET", "h"));
        for (int i = 0; i < 30; i++) {
            cmd.add("f" + i);
            cmd.add("v" + i);
        }
        d.exec(cmd.toArray(new String[0]));
        List<String> bigCmd = new ArrayList<>(cmd);
        bigCmd.set(1, "hbig");
        for (int i = 30; i < 700; i++) {
            bigCmd.add("f" + i);
            bigCmd.add("v" + i);
        }
        d.exec(bigCmd.toArray(new String[0]));
        RespClient c = d.larder();
        for (String key : new String[] {"h", "hbig"}) {
            int n = key.equals("h") ? 30 : 700;
            for (int count : new int[] {1, 5, n / 3 + 1, n - 1, n, n + 1, -7, -3 * n}) {
                List<String> got = strings(c.call("HRANDFIELD", key, String.valueOf(count), "WITHVALUES"));
                int expected = count < 0 ? -count : Math.min(count, n);
                assertEquals(2 * expected, got.size());
                List<Integer> indices = new ArrayList<>();
                for (int i = 0; i < got.size(); i += 2) {
                    String f = got.get(i);
                    assertEquals("v" + f.substring(1), got.get(i + 1), "pair");
                    indices.add(Integer.parseInt(f.substring(1)));
                }
                if (count > 0) {
                    assertEquals(indices.size(), new HashSet<>(indices).size(), "distinct");
                    // A listpack gives distinct fields in its own (insertion) order, as Redis does.
                    if (key.equals("h")) {
                        List<Integer> sorted = new ArrayList<>(indices);
                        sorted.sort(null);
                        assertEquals(sorted, indices);
                    }
                }
                List<String> fields = strings(c.call("HRANDFIELD", key, String.valueOf(count)));
                assertEquals(expected, fields.size());
            }
        }
    }

    @Test
    void resp3ReplyShapesMatchRedis() {
        d.exec("SADD", "s", "1", "2", "3");
        d.exec("SADD", "t", "a", "b", "c", "d", "e", "f", "g");
        d.exec("HSET", "h", "a", "1", "b", "2", "c", "3");
        for (int resp = 2; resp <= 3; resp++) {
            if (resp == 3) d.resp3();
            for (String key : new String[] {"s", "t", "nokey"}) {
                sameShape("SRANDMEMBER", key);
                sameShape("SRANDMEMBER", key, "2");
                sameShape("SRANDMEMBER", key, "-5");
                sameShape("SRANDMEMBER", key, "1");
                sameShape("SRANDMEMBER", key, "50");
            }
            for (String key : new String[] {"h", "nokey"}) {
                sameShape("HRANDFIELD", key);
                sameShape("HRANDFIELD", key, "2");
                sameShape("HRANDFIELD", key, "1", "WITHVALUES");
                sameShape("HRANDFIELD", key, "2", "WITHVALUES");
                sameShape("HRANDFIELD", key, "-4", "WITHVALUES");
                sameShape("HRANDFIELD", key, "10", "WITHVALUES");
            }
            sameShape("SPOP", "t");
            sameShape("SPOP", "t", "2");
            sameShape("SPOP", "t", "1");
            sameShape("SPOP", "s", "10");
            sameShape("SPOP", "nokey", "2");
            sameShape("SPOP", "nokey");
            d.exec("SADD", "s", "1", "2", "3");
        }
    }
}
