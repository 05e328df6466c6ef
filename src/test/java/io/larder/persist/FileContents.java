package io.larder.persist;

import io.larder.store.HashValue;
import io.larder.store.ListValue;
import io.larder.store.SetValue;
import io.larder.store.StoredValue;
import io.larder.store.StringValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Reads an RDB file into plain Java values, for tests to check what a save wrote. */
final class FileContents {
    private FileContents() {}

    /** A key's value (String, List of String, Map, sorted Set) and expiry (-1 for none). */
    record Entry(Object value, long expireAt) {}

    static Map<String, Entry> read(Path file) throws Exception {
        Map<String, Entry> out = new HashMap<>();
        try (var is = Files.newInputStream(file)) {
            RdbLoader.load(new RdbInput(is::read, Files.size(file)), new RdbLoader.Sink() {
                @Override
                public void function(byte[] code, RdbInput in) {}

                @Override
                public void key(int db, byte[] key, Object value, long exp, int f, long idle, RdbInput in) {
                    out.put((db == 0 ? "" : db + "/") + s(key), new Entry(plain(value), exp));
                }
            }, LoadOptions.from(new io.larder.config.Config()), 16, true);
        }
        return out;
    }

    static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static Object plain(Object v) {
        if (v instanceof byte[] b) return s(b);
        StoredValue sv = (StoredValue) v;
        if (sv instanceof StringValue sv2) return new String(sv2.data(), 0, sv2.length(), StandardCharsets.ISO_8859_1);
        if (sv instanceof ListValue l) {
            List<String> x = new ArrayList<>();
            for (byte[] e : l.toArray()) x.add(s(e));
            return x;
        }
        if (sv instanceof HashValue h) {
            Map<String, String> m = new TreeMap<>();
            h.forEach((f, fo, fl, val, vo, vl) -> m.put(new String(f, fo, fl, StandardCharsets.ISO_8859_1),
                    new String(val, vo, vl, StandardCharsets.ISO_8859_1)));
            return m;
        }
        if (sv instanceof SetValue set) {
            TreeSet<String> m = new TreeSet<>();
            SetValue.Members it = new SetValue.Members().reset(set);
            while (it.next()) {
                it.bytes();
                m.add(new String(it.array, it.offset, it.length, StandardCharsets.ISO_8859_1));
            }
            return m;
        }
        if (sv instanceof io.larder.store.zset.SortedSet z) {
            Map<String, Double> m = new TreeMap<>();
            z.forEach((buf, off, len, score) -> m.put(new String(buf, off, len, StandardCharsets.ISO_8859_1), score));
            return m;
        }
        if (sv instanceof io.larder.store.StreamValue st) return st.length();
        throw new IllegalArgumentException(sv.getClass().toString());
    }
}
