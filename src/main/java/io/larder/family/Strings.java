package io.larder.family;

import io.larder.command.Errors;
import io.larder.protocol.Reply;
import io.larder.store.Database;
import io.larder.store.Lookup;
import io.larder.store.StoredValue;
import io.larder.store.StringBlob;
import io.larder.store.StringValue;

/** Reading and building string entries in either representation (blob or object). */
public final class Strings {
    private Strings() {}

    /** True when the entry is a string; throws WRONGTYPE for other types; false for null. */
    public static boolean check(Object e) {
        if (e == null) return false;
        if (e instanceof byte[] || e instanceof StringValue) return true;
        throw Errors.WRONGTYPE;
    }

    public static void writeBulk(Reply r, Object e) {
        if (e instanceof byte[] b) {
            int vo = StringBlob.valueOffset(b);
            r.bulk(b, vo, b.length - vo);
        } else {
            StringValue s = (StringValue) e;
            r.bulk(s.data(), 0, s.length());
        }
    }

    public static int length(Object e) {
        if (e instanceof byte[] b) return StringBlob.valueLength(b);
        return ((StringValue) e).length();
    }

    /** A copy of the value. */
    public static byte[] value(Object e) {
        if (e instanceof byte[] b) {
            int vo = StringBlob.valueOffset(b);
            return java.util.Arrays.copyOfRange(b, vo, b.length);
        }
        StringValue s = (StringValue) e;
        return java.util.Arrays.copyOf(s.data(), s.length());
    }

    /** The array holding the value and the value's offset in it (no copy). */
    public static byte[] array(Object e) {
        return e instanceof byte[] b ? b : ((StringValue) e).data();
    }

    public static int offset(Object e) {
        return e instanceof byte[] b ? StringBlob.valueOffset(b) : 0;
    }

    /**
     * The string at {@code l} made modifiable in place, as Redis's
     * dbUnshareStringValue followed by sdsgrowzero: a raw {@link StringValue}
     * at least {@code minLength} bytes long, the new bytes zero. A blob is
     * copied out at its exact length (so is Redis's embstr) and replaced in
     * the keyspace; growth follows sds (double below 1MB, else +1MB), so a
     * command never allocates more than Redis would for the same request.
     * The caller calls {@link Database#updated} after changing the bytes.
     */
    public static StringValue mutable(Database db, Lookup l, Object e, int minLength) {
        StringValue s;
        if (e instanceof StringValue v) {
            s = v;
            s.markRaw();
        } else {
            byte[] b = (byte[]) e;
            int vo = StringBlob.valueOffset(b), vl = b.length - vo;
            s = new StringValue(java.util.Arrays.copyOfRange(b, vo, b.length), vl, true);
            s.init(StringBlob.key(b), StringBlob.expireAt(b), StringBlob.lru(b));
            db.replace(l, s);
        }
        int len = s.length();
        if (minLength > len) {
            s.ensureCapacity(minLength);
            java.util.Arrays.fill(s.data(), len, minLength, (byte) 0);
            s.setLength(minLength);
            db.updated(l);
        }
        return s;
    }

    /**
     * Builds an entry for a key and value: an inline blob for small values, a
     * {@link StringValue} for large ones. {@code raw} marks values Redis
     * would report as "raw" encoding (modified in place).
     */
    public static Object entry(byte[] k, int koff, int klen, byte[] v, int voff, int vlen, long expireAt,
                               boolean raw, int lru) {
        if (vlen <= StringBlob.MAX_INLINE && !raw) {
            return StringBlob.create(k, koff, klen, v, voff, vlen, expireAt, false, lru);
        }
        byte[] data = java.util.Arrays.copyOfRange(v, voff, voff + vlen);
        StringValue s = new StringValue(data, vlen, raw || vlen > StringBlob.EMBSTR_MAX);
        s.init(java.util.Arrays.copyOfRange(k, koff, koff + klen), expireAt, lru);
        return s;
    }

    public static long expireAt(Object e) {
        return e instanceof byte[] b ? StringBlob.expireAt(b) : ((StoredValue) e).expireAt();
    }
}
