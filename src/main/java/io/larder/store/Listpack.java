package io.larder.store;

import io.larder.util.Numbers;

/**
 * Redis's listpack entry format, byte for byte: an encoding byte (or two,
 * or five) that says "small integer", "integer of n bytes" or "string of
 * length l", the payload, then a backwards length so entries can be walked
 * from either end. Strings that are canonical 64-bit integers ("123", not
 * "0123" or "+1") are stored as integers, as Redis does, so "1000" costs
 * three bytes.
 *
 * <p>Only entries, not the listpack header (total bytes, count) or the 0xFF
 * terminator: containers ({@link ListValue}) keep those numbers in fields.
 * Because encoding is a bijection between strings and entry bytes, two
 * entries hold equal strings exactly when their bytes are equal; searches
 * (LREM, LPOS, LINSERT) compare encoded bytes with {@link #matches}.
 * An RDB writer can emit a node's entries as a listpack blob unchanged.
 */
public final class Listpack {
    private Listpack() {}

    static final int ENC_7BIT_UINT_MASK = 0x80;
    static final int ENC_6BIT_STR = 0x80;
    static final int ENC_13BIT_INT = 0xC0;
    static final int ENC_12BIT_STR = 0xE0;
    static final int ENC_16BIT_INT = 0xF1;
    static final int ENC_24BIT_INT = 0xF2;
    static final int ENC_32BIT_INT = 0xF3;
    static final int ENC_64BIT_INT = 0xF4;
    static final int ENC_32BIT_STR = 0xF0;

    /** Bytes of listpack header (total bytes u32, count u16) plus the terminator, for size limits. */
    public static final int OVERHEAD = 7;

    // ------------------------------------------------------------ encoding

    /**
     * True if the bytes are a string Redis stores as an integer
     * (lpStringToInt64: string2ll's canonical form). Never throws: most
     * values are not numbers and this runs on every push.
     */
    public static boolean isInt(byte[] s, int off, int len) {
        if (len == 0 || len > 20) return false;
        int c = s[off];
        if (c == '-') {
            if (len == 1) return false;
            c = s[off + 1];
        }
        if (c < '0' || c > '9') return false;
        if (c == '0' && len > 1) return false; // "0" alone only; "-0", "01" are strings
        for (int i = off + 1; i < off + len; i++) {
            int d = s[i];
            if (d < '0' || d > '9') return false;
        }
        if (len < 19) return true;
        return Numbers.isLong(s, off, len); // may overflow: let the exact parser decide
    }

    /** Size of the encoding plus payload of an integer (without the backlen). */
    static int intBodySize(long v) {
        if (v >= 0 && v <= 127) return 1;
        if (v >= -4096 && v <= 4095) return 2;
        if (v >= -32768 && v <= 32767) return 3;
        if (v >= -8388608 && v <= 8388607) return 4;
        if (v >= -2147483648L && v <= 2147483647L) return 5;
        return 9;
    }

    /** Size of the encoding plus payload of a string of this length (without the backlen). */
    static int strBodySize(int len) {
        if (len < 64) return 1 + len;
        if (len < 4096) return 2 + len;
        return 5 + len;
    }

    /** Bytes of the backwards length that follows a body of l bytes. */
    static int backlenSize(int l) {
        if (l <= 127) return 1;
        if (l < 16383) return 2;
        if (l < 2097151) return 3;
        if (l < 268435455) return 4;
        return 5;
    }

    /** The whole entry size (encoding, payload, backlen) a value encodes to. */
    public static int encodedSize(byte[] s, int off, int len) {
        int body = isInt(s, off, len) ? intBodySize(Numbers.parseLong(s, off, len)) : strBodySize(len);
        return body + backlenSize(body);
    }

    /** Writes the entry for a value at pos; returns its size. dst must have room for {@link #encodedSize}. */
    public static int write(byte[] dst, int pos, byte[] s, int off, int len) {
        if (isInt(s, off, len)) return writeIntEntry(dst, pos, Numbers.parseLong(s, off, len));
        return writeStrEntry(dst, pos, s, off, len);
    }

    /** Size of the whole entry for an integer. */
    static int intEntrySize(long v) {
        int body = intBodySize(v);
        return body + backlenSize(body);
    }

    /** Size of the whole entry for a string of this length. */
    static int strEntrySize(int len) {
        int body = strBodySize(len);
        return body + backlenSize(body);
    }

    static int writeIntEntry(byte[] d, int p, long v) {
        int body = writeInt(d, p, v);
        return body + writeBacklen(d, p + body, body);
    }

    static int writeStrEntry(byte[] d, int p, byte[] s, int off, int len) {
        int body = writeStr(d, p, s, off, len);
        return body + writeBacklen(d, p + body, body);
    }

    /** The encoded entry for a value, as a fresh array (search targets, moves). */
    public static byte[] encode(byte[] s, int off, int len) {
        byte[] b = new byte[encodedSize(s, off, len)];
        write(b, 0, s, off, len);
        return b;
    }

    public static byte[] encode(byte[] s) {
        return encode(s, 0, s.length);
    }

    private static int writeInt(byte[] d, int p, long v) {
        if (v >= 0 && v <= 127) {
            d[p] = (byte) v;
            return 1;
        }
        if (v >= -4096 && v <= 4095) {
            long u = v < 0 ? (1L << 13) + v : v;
            d[p] = (byte) ((u >>> 8) | ENC_13BIT_INT);
            d[p + 1] = (byte) u;
            return 2;
        }
        int n;
        int enc;
        if (v >= -32768 && v <= 32767) {
            n = 2;
            enc = ENC_16BIT_INT;
        } else if (v >= -8388608 && v <= 8388607) {
            n = 3;
            enc = ENC_24BIT_INT;
        } else if (v >= -2147483648L && v <= 2147483647L) {
            n = 4;
            enc = ENC_32BIT_INT;
        } else {
            n = 8;
            enc = ENC_64BIT_INT;
        }
        d[p] = (byte) enc;
        for (int i = 0; i < n; i++) d[p + 1 + i] = (byte) (v >>> (8 * i)); // two's complement, little endian
        return 1 + n;
    }

    private static int writeStr(byte[] d, int p, byte[] s, int off, int len) {
        int h;
        if (len < 64) {
            d[p] = (byte) (ENC_6BIT_STR | len);
            h = 1;
        } else if (len < 4096) {
            d[p] = (byte) ((len >>> 8) | ENC_12BIT_STR);
            d[p + 1] = (byte) len;
            h = 2;
        } else {
            d[p] = (byte) ENC_32BIT_STR;
            d[p + 1] = (byte) len;
            d[p + 2] = (byte) (len >>> 8);
            d[p + 3] = (byte) (len >>> 16);
            d[p + 4] = (byte) (len >>> 24);
            h = 5;
        }
        System.arraycopy(s, off, d, p + h, len);
        return h + len;
    }

    /** lpEncodeBacklen: the low 7 bits last, high bit set on every byte that has another before it. */
    private static int writeBacklen(byte[] d, int p, int l) {
        int n = backlenSize(l);
        for (int i = n - 1; i >= 0; i--) {
            int b = l & 127;
            if (i > 0) b |= 128;
            d[p + i] = (byte) b;
            l >>>= 7;
        }
        return n;
    }

    // ------------------------------------------------------------ decoding

    /** Size of the encoding and payload of the entry at p (without its backlen). */
    static int bodySize(byte[] b, int p) {
        int e = b[p] & 0xFF;
        if ((e & 0x80) == 0) return 1;
        if ((e & 0xC0) == ENC_6BIT_STR) return 1 + (e & 0x3F);
        if ((e & 0xE0) == ENC_13BIT_INT) return 2;
        if ((e & 0xF0) == ENC_12BIT_STR) return 2 + (((e & 0x0F) << 8) | (b[p + 1] & 0xFF));
        return switch (e) {
            case ENC_16BIT_INT -> 3;
            case ENC_24BIT_INT -> 4;
            case ENC_32BIT_INT -> 5;
            case ENC_64BIT_INT -> 9;
            case ENC_32BIT_STR -> 5 + str32Len(b, p);
            default -> throw new IllegalStateException("corrupt listpack entry 0x" + Integer.toHexString(e));
        };
    }

    private static int str32Len(byte[] b, int p) {
        return (b[p + 1] & 0xFF) | (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF) << 16 | (b[p + 4] & 0xFF) << 24;
    }

    /** Total size of the entry starting at p. */
    public static int entrySize(byte[] b, int p) {
        int body = bodySize(b, p);
        return body + backlenSize(body);
    }

    /** Start of the entry that ends just before {@code end} (walking backwards). */
    public static int prevEntry(byte[] b, int end) {
        int p = end - 1;
        int v = 0;
        int shift = 0;
        while (true) {
            int x = b[p] & 0xFF;
            v |= (x & 127) << shift;
            if ((x & 128) == 0) break;
            shift += 7;
            p--;
        }
        return end - backlenSize(v) - v;
    }

    /** True if the entry at p holds a string (else an integer). */
    public static boolean isString(byte[] b, int p) {
        int e = b[p] & 0xFF;
        return (e & 0xC0) == ENC_6BIT_STR || (e & 0xF0) == ENC_12BIT_STR || e == ENC_32BIT_STR;
    }

    /** Offset of a string entry's bytes. */
    public static int strOffset(byte[] b, int p) {
        int e = b[p] & 0xFF;
        if ((e & 0xC0) == ENC_6BIT_STR) return p + 1;
        if ((e & 0xF0) == ENC_12BIT_STR) return p + 2;
        return p + 5;
    }

    /** Length of a string entry's bytes. */
    public static int strLength(byte[] b, int p) {
        int e = b[p] & 0xFF;
        if ((e & 0xC0) == ENC_6BIT_STR) return e & 0x3F;
        if ((e & 0xF0) == ENC_12BIT_STR) return ((e & 0x0F) << 8) | (b[p + 1] & 0xFF);
        return str32Len(b, p);
    }

    /** The value of an integer entry. */
    public static long intValue(byte[] b, int p) {
        int e = b[p] & 0xFF;
        if ((e & 0x80) == 0) return e;
        if ((e & 0xE0) == ENC_13BIT_INT) {
            int u = ((e & 0x1F) << 8) | (b[p + 1] & 0xFF);
            return u >= 4096 ? u - 8192 : u;
        }
        int n = switch (e) {
            case ENC_16BIT_INT -> 2;
            case ENC_24BIT_INT -> 3;
            case ENC_32BIT_INT -> 4;
            case ENC_64BIT_INT -> 8;
            default -> throw new IllegalStateException("not an integer entry");
        };
        long v = 0;
        for (int i = 0; i < n; i++) v |= (long) (b[p + 1 + i] & 0xFF) << (8 * i);
        int unused = 64 - 8 * n;
        return (v << unused) >> unused; // sign-extend
    }

    /** Length of the string the entry at p holds (an integer's decimal digits and sign). */
    public static int rawLength(byte[] b, int p) {
        if (isString(b, p)) return strLength(b, p);
        long v = intValue(b, p);
        return v < 0 ? 1 + Numbers.digitCount(v == Long.MIN_VALUE ? Long.MAX_VALUE : -v) : Numbers.digitCount(v);
    }

    /** The value of the entry at p as a new byte array (integers in decimal). */
    public static byte[] value(byte[] b, int p) {
        if (isString(b, p)) {
            int o = strOffset(b, p);
            return java.util.Arrays.copyOfRange(b, o, o + strLength(b, p));
        }
        return Numbers.longBytes(intValue(b, p));
    }

    /** True if the entry at p is exactly the encoded entry {@code enc} (so holds the same string). */
    public static boolean matches(byte[] b, int p, byte[] enc) {
        int n = enc.length;
        if (b[p] != enc[0] || entrySize(b, p) != n) return false;
        return java.util.Arrays.equals(b, p, p + n, enc, 0, n);
    }
}
