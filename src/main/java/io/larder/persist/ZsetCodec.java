package io.larder.persist;

import io.larder.store.Listpack;
import io.larder.store.ValueType;
import io.larder.store.zset.SortedSet;
import io.larder.store.zset.ZCursor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Sorted sets: RDB_TYPE_ZSET_LISTPACK (member, score pairs in a listpack,
 * the score as Redis's d2string prints it, so integers become integer
 * entries) or RDB_TYPE_ZSET_2 (count, then member and binary double, from
 * the greatest element down, as Redis writes them). Reading also takes the
 * textual doubles of RDB_TYPE_ZSET and ziplists. The loaded encoding follows
 * rdbLoadObject: a skiplist set becomes a listpack when small enough, a
 * listpack or ziplist one becomes a skiplist only when it has too many
 * elements. Duplicate members and NaN scores are refused.
 */
final class ZsetCodec implements RdbTypeCodec {
    @Override
    public int valueType() {
        return ValueType.ZSET;
    }

    @Override
    public int[] rdbTypes() {
        return new int[] {Rdb.TYPE_ZSET, Rdb.TYPE_ZSET_2, Rdb.TYPE_ZSET_ZIPLIST, Rdb.TYPE_ZSET_LISTPACK};
    }

    @Override
    public int rdbType(Object entry) {
        return ((SortedSet) entry).isPacked() ? Rdb.TYPE_ZSET_LISTPACK : Rdb.TYPE_ZSET_2;
    }

    @Override
    public void write(RdbOutput out, Object entry) {
        SortedSet z = (SortedSet) entry;
        if (z.isPacked()) {
            ListCodec.EntryBuilder b = new ListCodec.EntryBuilder(64);
            z.forEachPackedText((buf, off, len, score) -> {
                b.string(buf, off, len);
                byte[] s = score.getBytes(StandardCharsets.ISO_8859_1);
                b.string(s, 0, s.length);
            });
            HashCodec.writeListpack(out, b.buf, b.len, b.count);
            return;
        }
        out.writeLen(z.size());
        // From the greatest down: Redis's loader then always inserts at the head of its skiplist.
        for (ZCursor c = z.cursor(z.size() - 1); c.valid(); c.prev()) {
            out.writeString(c.buf(), c.off(), c.len());
            out.writeBinaryDouble(c.score());
        }
    }

    @Override
    public Object read(int rdbType, RdbInput in, LoadOptions opts) {
        return switch (rdbType) {
            case Rdb.TYPE_ZSET, Rdb.TYPE_ZSET_2 -> readPairs(rdbType, in, opts);
            default -> {
                byte[] blob = in.readString();
                ListCodec.EntryBuilder b = new ListCodec.EntryBuilder(blob.length);
                int n = rdbType == Rdb.TYPE_ZSET_LISTPACK ? Blobs.readListpack(blob, 0, blob.length, b)
                        : Blobs.readZiplist(blob, 0, blob.length, b);
                String what = rdbType == Rdb.TYPE_ZSET_LISTPACK ? "Zset listpack" : "Zset ziplist";
                if (n < 0 || (n & 1) != 0 || HashCodec.hasDuplicateFields(b.buf, 0, b.len)) {
                    throw in.corrupt(what + " integrity check failed.");
                }
                if (n == 0) yield null;
                byte[][] entries = new byte[n / 2][];
                int p = 0;
                for (int i = 0; i < n / 2; i++) {
                    byte[] member = Listpack.value(b.buf, p);
                    p += Listpack.entrySize(b.buf, p);
                    double score = score(b.buf, p, in, what);
                    p += Listpack.entrySize(b.buf, p);
                    entries[i] = SortedSet.entry(score, member, 0, member.length);
                }
                Arrays.sort(entries, SortedSet::compareEntries);
                // Only the element count decides here, as in rdbLoadObject (no length check: that is O(N)).
                yield SortedSet.fromSorted(entries, entries.length, opts.zsetMaxListpackEntries(), Long.MAX_VALUE);
            }
        };
    }

    /** A score stored in a listpack: an integer entry, or a string strtod reads. */
    private static double score(byte[] b, int p, RdbInput in, String what) {
        if (!Listpack.isString(b, p)) return Listpack.intValue(b, p);
        String s = new String(b, Listpack.strOffset(b, p), Listpack.strLength(b, p), StandardCharsets.ISO_8859_1);
        double d;
        try {
            d = parseDouble(s);
        } catch (NumberFormatException e) {
            throw in.corrupt(what + " integrity check failed.");
        }
        if (Double.isNaN(d)) throw in.corrupt("Zset with NAN score detected");
        return d;
    }

    /** strtod's reading of a score: also "inf", "-inf" in any case. */
    static double parseDouble(String s) {
        String t = s.strip();
        String l = t.toLowerCase(java.util.Locale.ROOT);
        switch (l) {
            case "inf", "+inf", "infinity", "+infinity" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf", "-infinity" -> {
                return Double.NEGATIVE_INFINITY;
            }
            case "nan", "+nan", "-nan" -> {
                return Double.NaN;
            }
            default -> {
                return Double.parseDouble(t);
            }
        }
    }

    /** RDB_TYPE_ZSET_2 (binary doubles) or RDB_TYPE_ZSET (textual ones). */
    private static SortedSet readPairs(int rdbType, RdbInput in, LoadOptions opts) {
        long n = in.readCount();
        if (n == 0) return null;
        byte[][] entries = new byte[(int) Math.min(n, SetCodec.PRESIZE_LIMIT)][];
        Set<BytesKey> seen = new HashSet<>();
        int count = 0;
        for (long i = 0; i < n; i++) {
            byte[] member = in.readString();
            double score = rdbType == Rdb.TYPE_ZSET_2 ? in.readBinaryDouble() : in.readTextDouble();
            if (Double.isNaN(score)) throw in.corrupt("Zset with NAN score detected");
            if (!seen.add(new BytesKey(member))) throw in.corrupt("Duplicate zset fields detected");
            if (count == entries.length) entries = Arrays.copyOf(entries, count * 2);
            entries[count++] = SortedSet.entry(score, member, 0, member.length);
        }
        Arrays.sort(entries, 0, count, SortedSet::compareEntries);
        return SortedSet.fromSorted(entries, count, opts.zsetMaxListpackEntries(), opts.zsetMaxListpackValue());
    }
}
