package io.larder.store;

import io.larder.util.Numbers;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A small string entry packed into one byte array, the most common record in
 * a cache, so it costs one array header and the table slot:
 *
 * <pre>
 *   [0..2]  LRU/LFU clock (24 bits)
 *   [3]     flags: bit 0 has-expiry, bits 1-2 the encoding form (see FORM_*)
 *   [4..]   key length (varint), key bytes
 *           expiry, 8 bytes little-endian ms, if has-expiry
 *           value bytes, to the end of the array
 * </pre>
 */
public final class StringBlob {
    private StringBlob() {}

    /** Values up to this size are stored inline; longer ones as {@link StringValue}. */
    public static final int MAX_INLINE = 4096;
    /** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT. */
    public static final int EMBSTR_MAX = 44;

    static final int FLAG_EXPIRE = 1;
    private static final int FORM_SHIFT = 1, FORM_MASK = 3 << FORM_SHIFT;

    /*
     * The encoding form records how Redis would have built the value, which
     * the bytes alone do not tell: OBJECT ENCODING and OBJECT REFCOUNT depend
     * on it.
     */
    /** As tryObjectEncoding leaves it: int (shared when 0..9999) if it looks like one, else embstr or raw by length. */
    public static final int FORM_AUTO = 0;
    /** Modified in place (APPEND, SETRANGE, SETBIT ...): raw whatever it holds. */
    public static final int FORM_RAW = 1;
    /** A plain string object (INCRBYFLOAT results): embstr or raw by length, never int. */
    public static final int FORM_STRING = 2;
    /** An int-encoded value that is not a shared integer (COPY, or built when sharing was off): refcount 1. */
    public static final int FORM_INT_UNSHARED = 3;
    private static final int HDR = 4;
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    static int varintSize(int v) {
        if (v < 0x80) return 1;
        if (v < 0x4000) return 2;
        if (v < 0x200000) return 3;
        if (v < 0x10000000) return 4;
        return 5;
    }

    public static byte[] create(byte[] k, int koff, int klen, byte[] v, int voff, int vlen, long expireAt,
                                boolean raw, int lru) {
        return create(k, koff, klen, v, voff, vlen, expireAt, raw ? FORM_RAW : FORM_AUTO, lru);
    }

    /** A blob with one of the FORM_* encoding forms. */
    public static byte[] create(byte[] k, int koff, int klen, byte[] v, int voff, int vlen, long expireAt,
                                int form, int lru) {
        boolean exp = expireAt != StoredValue.NO_EXPIRE;
        int vs = varintSize(klen);
        byte[] b = new byte[HDR + vs + klen + (exp ? 8 : 0) + vlen];
        b[0] = (byte) lru;
        b[1] = (byte) (lru >>> 8);
        b[2] = (byte) (lru >>> 16);
        b[3] = (byte) ((exp ? FLAG_EXPIRE : 0) | (form << FORM_SHIFT));
        int p = HDR;
        int x = klen;
        while (x >= 0x80) {
            b[p++] = (byte) (x | 0x80);
            x >>>= 7;
        }
        b[p++] = (byte) x;
        System.arraycopy(k, koff, b, p, klen);
        p += klen;
        if (exp) {
            LONG.set(b, p, expireAt);
            p += 8;
        }
        System.arraycopy(v, voff, b, p, vlen);
        return b;
    }

    /**
     * Writes a new value, expiry, form and clock over a blob of the same key
     * when the layout stays the same (value length, expiry present or not);
     * returns false, changing nothing, when it does not.
     */
    public static boolean overwrite(byte[] b, byte[] v, int voff, int vlen, long expireAt, int form, int lru) {
        boolean exp = expireAt != StoredValue.NO_EXPIRE;
        if (hasExpire(b) != exp) return false;
        int vo = valueOffset(b);
        if (b.length - vo != vlen) return false;
        setLru(b, lru);
        b[3] = (byte) ((exp ? FLAG_EXPIRE : 0) | (form << FORM_SHIFT));
        if (exp) LONG.set(b, vo - 8, expireAt);
        System.arraycopy(v, voff, b, vo, vlen);
        return true;
    }

    public static int keyLength(byte[] b) {
        int p = HDR, shift = 0, v = 0;
        while (true) {
            int c = b[p++];
            v |= (c & 0x7F) << shift;
            if ((c & 0x80) == 0) return v;
            shift += 7;
        }
    }

    public static int keyOffset(byte[] b) {
        int p = HDR;
        while ((b[p] & 0x80) != 0) p++;
        return p + 1;
    }

    public static boolean keyEquals(byte[] b, byte[] k, int off, int len) {
        int p = HDR, shift = 0, v = 0;
        while (true) {
            int c = b[p++];
            v |= (c & 0x7F) << shift;
            if ((c & 0x80) == 0) break;
            shift += 7;
        }
        if (v != len) return false;
        return java.util.Arrays.equals(b, p, p + len, k, off, off + len);
    }

    public static byte[] key(byte[] b) {
        int off = keyOffset(b);
        return java.util.Arrays.copyOfRange(b, off, off + keyLength(b));
    }

    public static boolean hasExpire(byte[] b) {
        return (b[3] & FLAG_EXPIRE) != 0;
    }

    public static boolean isRaw(byte[] b) {
        return form(b) == FORM_RAW;
    }

    public static int form(byte[] b) {
        return (b[3] & FORM_MASK) >>> FORM_SHIFT;
    }

    public static long expireAt(byte[] b) {
        if ((b[3] & FLAG_EXPIRE) == 0) return StoredValue.NO_EXPIRE;
        return (long) LONG.get(b, keyOffset(b) + keyLength(b));
    }

    public static int valueOffset(byte[] b) {
        int ko = keyOffset(b);
        return ko + keyLength(b) + (((b[3] & FLAG_EXPIRE) != 0) ? 8 : 0);
    }

    public static int valueLength(byte[] b) {
        return b.length - valueOffset(b);
    }

    public static int lru(byte[] b) {
        return (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16;
    }

    public static void setLru(byte[] b, int lru) {
        b[0] = (byte) lru;
        b[1] = (byte) (lru >>> 8);
        b[2] = (byte) (lru >>> 16);
    }

    /** The same entry with a different expiry (a new array when the layout changes). */
    public static byte[] withExpire(byte[] b, long expireAt) {
        return withExpire(b, expireAt, true);
    }

    /**
     * The same entry with a different expiry: written into {@code b} when the
     * layout allows and {@code inPlace} (a running snapshot may forbid it),
     * else a new array.
     */
    public static byte[] withExpire(byte[] b, long expireAt, boolean inPlace) {
        boolean had = hasExpire(b);
        boolean want = expireAt != StoredValue.NO_EXPIRE;
        int ko = keyOffset(b), kl = keyLength(b);
        if (had && want && inPlace) {
            LONG.set(b, ko + kl, expireAt);
            return b;
        }
        if (!had && !want && inPlace) return b;
        int vo = valueOffset(b);
        return create(b, ko, kl, b, vo, b.length - vo, expireAt, form(b), lru(b));
    }

    /** OBJECT ENCODING of a blob: int, embstr or raw, as Redis would have encoded it. */
    public static String encoding(byte[] b) {
        int vo = valueOffset(b), vl = b.length - vo;
        return encoding(form(b), b, vo, vl);
    }

    /** OBJECT ENCODING of a string value of the given form. */
    public static String encoding(int form, byte[] v, int off, int len) {
        if (form == FORM_RAW) return "raw";
        if (form != FORM_STRING && len <= 20 && Numbers.isLong(v, off, len)) return "int";
        return len <= EMBSTR_MAX ? "embstr" : "raw";
    }

    public static long memoryUsage(byte[] b) {
        return StoredValue.arrayBytes(b.length);
    }
}
