package io.larder.family;

import io.larder.command.Errors;
import io.larder.protocol.Reply;
import io.larder.store.Database;
import io.larder.store.Keyspace;
import io.larder.store.Lookup;
import io.larder.store.StoredValue;
import io.larder.store.StringBlob;
import io.larder.store.StringValue;
import java.util.Arrays;

/** Reading and building string entries in either representation (blob or object). */
public final class Strings {
    private Strings() {}

    /** True when the entry is a string; throws WRONGTYPE for other types; false for null. */
    public static boolean check(Object e) {
        if (e == null) return false;
        if (e instanceof byte[] || e instanceof StringValue) return true;
        throw Errors.WRONGTYPE;
    }

    /** True when the entry is a string (no error for other types). */
    public static boolean isString(Object e) {
        return e instanceof byte[] || e instanceof StringValue;
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
            return Arrays.copyOfRange(b, vo, b.length);
        }
        StringValue s = (StringValue) e;
        return Arrays.copyOf(s.data(), s.length());
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
        return entry(k, koff, klen, v, voff, vlen, expireAt, raw ? StringBlob.FORM_RAW : StringBlob.FORM_AUTO, lru);
    }

    /**
     * {@link #entry}, written over {@code old} (the key's current entry, or
     * null) when that is a blob of exactly the new entry's layout: same
     * value length, expiry present or not alike. A cache overwriting its
     * keys with values of the same size then allocates nothing, and leaves
     * the collector no garbage. Not while a snapshot runs (it may hold the
     * old blob, see {@link Keyspace#snapshotRunning}). Under an LFU policy
     * the old counter stays, as Database.replace keeps it for a new entry.
     */
    public static Object entryOver(Keyspace ks, Object old, byte[] k, int koff, int klen, byte[] v, int voff,
                                   int vlen, long expireAt, int form, int lru) {
        if (old instanceof byte[] b && form != StringBlob.FORM_RAW && vlen <= StringBlob.MAX_INLINE
                && !ks.snapshotRunning()
                && StringBlob.overwrite(b, v, voff, vlen, expireAt, form, ks.lfu() ? StringBlob.lru(b) : lru)) {
            return b;
        }
        return entry(k, koff, klen, v, voff, vlen, expireAt, form, lru);
    }

    /** {@link #entry} with one of StringBlob's FORM_* encoding forms. */
    public static Object entry(byte[] k, int koff, int klen, byte[] v, int voff, int vlen, long expireAt,
                               int form, int lru) {
        if (vlen <= StringBlob.MAX_INLINE && form != StringBlob.FORM_RAW) {
            return StringBlob.create(k, koff, klen, v, voff, vlen, expireAt, form, lru);
        }
        byte[] data = Arrays.copyOfRange(v, voff, voff + vlen);
        StringValue s = new StringValue(data, vlen, form == StringBlob.FORM_RAW || vlen > StringBlob.EMBSTR_MAX
                ? StringBlob.FORM_RAW : form);
        s.init(Arrays.copyOfRange(k, koff, koff + klen), expireAt, lru);
        return s;
    }

    /**
     * The form of a value as Redis's tryObjectEncoding leaves it: an int in
     * 0..9999 is a shared object unless maxmemory with an LRU/LFU policy
     * disables sharing, in which case it is a private int (refcount 1).
     */
    public static int encodedForm(Keyspace ks, byte[] v, int off, int len) {
        if (ks.noSharedIntegers() && isSharedInteger(v, off, len)) return StringBlob.FORM_INT_UNSHARED;
        return StringBlob.FORM_AUTO;
    }

    /** The form of an integer result (INCR ...), by the same rule. */
    public static int integerForm(Keyspace ks, long value) {
        return ks.noSharedIntegers() && value >= 0 && value < SHARED_INTEGERS
                ? StringBlob.FORM_INT_UNSHARED : StringBlob.FORM_AUTO;
    }

    /** Redis's OBJ_SHARED_INTEGERS. */
    static final int SHARED_INTEGERS = 10000;

    private static boolean isSharedInteger(byte[] v, int off, int len) {
        if (len < 1 || len > 4) return false;
        for (int i = 0; i < len; i++) {
            if (v[off + i] < '0' || v[off + i] > '9') return false;
        }
        return len == 1 || v[off] != '0';
    }

    /** OBJECT REFCOUNT of a string: shared integers report INT_MAX, as in Redis. */
    public static long refcount(Object e) {
        int form;
        byte[] a;
        int off, len;
        if (e instanceof byte[] b) {
            form = StringBlob.form(b);
            off = StringBlob.valueOffset(b);
            len = b.length - off;
            a = b;
        } else {
            StringValue s = (StringValue) e;
            form = s.form();
            a = s.data();
            off = 0;
            len = s.length();
        }
        return form == StringBlob.FORM_AUTO && isSharedInteger(a, off, len) ? Integer.MAX_VALUE : 1;
    }

    public static long expireAt(Object e) {
        return e instanceof byte[] b ? StringBlob.expireAt(b) : ((StoredValue) e).expireAt();
    }
}
