package io.larder.store;

/**
 * Uniform access to the two entry forms a segment holds: a {@link StringBlob}
 * ({@code byte[]}) or a {@link StoredValue}.
 */
public final class Entries {
    private Entries() {}

    public static boolean keyEquals(Object e, byte[] k, int off, int len) {
        if (e instanceof byte[] b) return StringBlob.keyEquals(b, k, off, len);
        byte[] key = ((StoredValue) e).key;
        return key.length == len && java.util.Arrays.equals(key, 0, len, k, off, off + len);
    }

    /** A copy of the key (blob) or the value's own key array. */
    public static byte[] key(Object e) {
        if (e instanceof byte[] b) return StringBlob.key(b);
        return ((StoredValue) e).key;
    }

    public static int type(Object e) {
        return e instanceof byte[] ? ValueType.STRING : ((StoredValue) e).type();
    }

    public static long expireAt(Object e) {
        if (e instanceof byte[] b) return StringBlob.expireAt(b);
        return ((StoredValue) e).expireAt;
    }

    public static int lru(Object e) {
        if (e instanceof byte[] b) return StringBlob.lru(b);
        return ((StoredValue) e).lru;
    }

    public static void setLru(Object e, int lru) {
        if (e instanceof byte[] b) StringBlob.setLru(b, lru);
        else ((StoredValue) e).lru = lru;
    }

    /** Heap bytes charged for an entry, key included. */
    public static long memoryUsage(Object e) {
        if (e instanceof byte[] b) return StringBlob.memoryUsage(b);
        StoredValue v = (StoredValue) e;
        return 32 + StoredValue.arrayBytes(v.key.length) + v.memoryUsage();
    }

    public static String encoding(Object e) {
        if (e instanceof byte[] b) return StringBlob.encoding(b);
        return ((StoredValue) e).encoding();
    }

    /**
     * The entry under another key (RENAME, MOVE): the same value, expiry and
     * access clock. A blob is rebuilt around the new key; an object value
     * just changes its key, so the caller must have removed it from its old
     * position first.
     */
    public static Object rekey(Object e, byte[] key) {
        if (e instanceof byte[] b) {
            int vo = StringBlob.valueOffset(b);
            return StringBlob.create(key, 0, key.length, b, vo, b.length - vo, StringBlob.expireAt(b),
                    StringBlob.form(b), StringBlob.lru(b));
        }
        ((StoredValue) e).setKey(key);
        return e;
    }

    /**
     * An independent copy of the entry under a key (COPY): same value and
     * expiry, a fresh access clock. As Redis's dupStringObject, a copied int
     * is never a shared integer.
     */
    public static Object copy(Object e, byte[] key, int clock) {
        if (e instanceof byte[] b) {
            int vo = StringBlob.valueOffset(b);
            int form = StringBlob.form(b);
            if ("int".equals(StringBlob.encoding(b))) form = StringBlob.FORM_INT_UNSHARED;
            return StringBlob.create(key, 0, key.length, b, vo, b.length - vo, StringBlob.expireAt(b), form, clock);
        }
        StoredValue v = (StoredValue) e;
        StoredValue c = v.copy();
        c.init(key, v.expireAt, clock);
        return c;
    }
}
