package io.larder.persist;

import io.larder.store.ElementTable;
import io.larder.store.HashListpack;
import io.larder.store.HashValue;
import io.larder.store.Listpack;
import io.larder.store.ValueType;
import java.util.HashSet;
import java.util.Set;

/**
 * Hashes: RDB_TYPE_HASH_LISTPACK (the listpack as one string) or
 * RDB_TYPE_HASH (count, then field and value strings). Reading also takes
 * zipmaps (Redis 2.4 and older) and ziplists (before 7.0). Loaded hashes get
 * the encoding Redis's rdbLoadObject gives them under the current
 * hash-max-listpack-* settings; duplicate fields are refused.
 */
final class HashCodec implements RdbTypeCodec {
    @Override
    public int valueType() {
        return ValueType.HASH;
    }

    @Override
    public int[] rdbTypes() {
        return new int[] {Rdb.TYPE_HASH, Rdb.TYPE_HASH_ZIPMAP, Rdb.TYPE_HASH_ZIPLIST, Rdb.TYPE_HASH_LISTPACK};
    }

    @Override
    public int rdbType(Object entry) {
        return ((HashValue) entry).isListpack() ? Rdb.TYPE_HASH_LISTPACK : Rdb.TYPE_HASH;
    }

    @Override
    public void write(RdbOutput out, Object entry) {
        HashValue h = (HashValue) entry;
        if (h.isListpack()) {
            HashListpack lp = h.listpack();
            writeListpack(out, lp.rawEntries(), lp.usedBytes(), lp.count());
            return;
        }
        ElementTable t = h.table();
        out.writeLen(t.size());
        for (int i = 0, n = t.capacity(); i < n; i++) {
            byte[] e = t.entryAt(i);
            if (e == null) continue;
            int fo = ElementTable.fieldOffset(e), fl = ElementTable.fieldLength(e);
            out.writeString(e, fo, fl);
            out.writeString(e, fo + fl, e.length - fo - fl);
        }
    }

    /** A listpack blob (header, entries, terminator) saved with rdbSaveRawString. */
    static void writeListpack(RdbOutput out, byte[] entries, int used, int count) {
        int n = Blobs.LP_HEADER + used + 1;
        byte[] b = new byte[n];
        Blobs.writeListpackHeader(b, 0, used, count);
        System.arraycopy(entries, 0, b, Blobs.LP_HEADER, used);
        b[n - 1] = (byte) 0xFF;
        out.writeString(b, 0, n);
    }

    @Override
    public Object read(int rdbType, RdbInput in, LoadOptions opts) {
        return switch (rdbType) {
            case Rdb.TYPE_HASH -> readPairs(in, opts);
            case Rdb.TYPE_HASH_LISTPACK -> {
                byte[] lp = in.readString();
                int count = Blobs.readListpack(lp, 0, lp.length, null);
                if (count < 0 || (count & 1) != 0 || hasDuplicateFields(lp, count)) {
                    throw in.corrupt("Hash listpack integrity check failed.");
                }
                if (count == 0) yield null;
                byte[] entries = java.util.Arrays.copyOfRange(lp, Blobs.LP_HEADER, lp.length - 1);
                HashValue h = HashValue.ofListpack(HashListpack.of(entries, entries.length, count));
                if (h.size() > opts.hashMaxListpackEntries()) h.convertToTable();
                yield h;
            }
            case Rdb.TYPE_HASH_ZIPLIST -> {
                byte[] zl = in.readString();
                ListCodec.EntryBuilder b = new ListCodec.EntryBuilder(zl.length);
                int count = Blobs.readZiplist(zl, 0, zl.length, b);
                if (count < 0 || (count & 1) != 0 || hasDuplicateFields(b.buf, 0, b.len)) {
                    throw in.corrupt("Hash ziplist integrity check failed.");
                }
                if (count == 0) yield null;
                HashValue h = HashValue.ofListpack(HashListpack.of(java.util.Arrays.copyOf(b.buf, b.len), b.len, count));
                if (h.size() > opts.hashMaxListpackEntries()) h.convertToTable();
                yield h;
            }
            default -> {
                byte[] zm = in.readString();
                ListCodec.EntryBuilder b = new ListCodec.EntryBuilder(zm.length);
                int[] maxlen = {0};
                int pairs = Blobs.readZipmap(zm, 0, zm.length, (a, fo, fl, vo, vl) -> {
                    maxlen[0] = Math.max(maxlen[0], Math.max(fl, vl));
                    b.string(a, fo, fl);
                    b.string(a, vo, vl);
                });
                if (pairs < 0) throw in.corrupt("Zipmap integrity check failed.");
                if (hasDuplicateFields(b.buf, 0, b.len)) {
                    throw in.corrupt("Hash zipmap with dup elements, or big length (" + maxlen[0] + ")");
                }
                if (pairs == 0) yield null;
                HashValue h = HashValue.ofListpack(HashListpack.of(java.util.Arrays.copyOf(b.buf, b.len), b.len,
                        2 * pairs));
                if (h.size() > opts.hashMaxListpackEntries() || maxlen[0] > opts.hashMaxListpackValue()) {
                    h.convertToTable();
                }
                yield h;
            }
        };
    }

    /** RDB_TYPE_HASH, as rdbLoadObject: a listpack until a field or value or the count exceeds the limits. */
    private static HashValue readPairs(RdbInput in, LoadOptions opts) {
        long n = in.readCount();
        if (n == 0) return null;
        HashValue h = new HashValue();
        long maxEntries = opts.hashMaxListpackEntries(), maxValue = opts.hashMaxListpackValue();
        if (n > maxEntries) h.convertToTable();
        for (long i = 0; i < n; i++) {
            byte[] f = in.readString();
            byte[] v = in.readString();
            if (h.isListpack() && (f.length > maxValue || v.length > maxValue)) h.convertToTable();
            if (!h.set(f, 0, f.length, v, 0, v.length, Long.MAX_VALUE, Long.MAX_VALUE)) {
                throw in.corrupt("Duplicate hash fields detected");
            }
        }
        return h;
    }

    /** Whether listpack entries [off, off + len) hold a field twice (fields are the even entries). */
    static boolean hasDuplicateFields(byte[] b, int off, int len) {
        Set<BytesKey> seen = new HashSet<>();
        int p = off, end = off + len, i = 0;
        while (p < end) {
            if ((i & 1) == 0 && !seen.add(BytesKey.ofEntry(b, p))) return true;
            p += Listpack.entrySize(b, p);
            i++;
        }
        return false;
    }

    private static boolean hasDuplicateFields(byte[] lp, int count) {
        return count > 2 && hasDuplicateFields(lp, Blobs.LP_HEADER, lp.length - Blobs.LP_HEADER - 1);
    }
}
