package io.larder.persist;

import io.larder.store.Listpack;

/**
 * The compact containers RDB stores as single strings: listpacks (Redis 7),
 * and the ziplists, zipmaps and intsets older versions wrote. Each reader
 * validates the whole blob (bounds, headers, back-lengths, counts, as
 * Redis's deep *ValidateIntegrity functions do) while handing its elements
 * to a visitor, so a corrupt payload is refused before anything is built
 * from it.
 */
public final class Blobs {
    private Blobs() {}

    /** Receives the elements of a container, in order. */
    public interface ElementVisitor {
        void string(byte[] b, int off, int len);

        void integer(long v);
    }

    /** Thrown inside the readers; the caller turns it into an RdbException with its own text. */
    static final class Invalid extends RuntimeException {
        Invalid() {
            super(null, null, false, false);
        }
    }

    private static final Invalid INVALID = new Invalid();

    private static int u16(byte[] b, int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8;
    }

    private static long u32(byte[] b, int p) {
        return ((b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (long) (b[p + 3] & 0xFF) << 24);
    }

    // ------------------------------------------------------------ listpack

    /** Listpack header: total bytes (4), element count (2). */
    public static final int LP_HEADER = 6;
    /** lpLength's "unknown" count. */
    static final int LP_COUNT_UNKNOWN = 65535;

    /**
     * Validates a listpack blob and visits its entries (v may be null).
     * Returns the number of entries, or -1 if the blob is invalid.
     */
    public static int readListpack(byte[] b, int off, int len, ElementVisitor v) {
        try {
            return listpack(b, off, len, v);
        } catch (Invalid e) {
            return -1;
        }
    }

    /** {@link #readListpack}, throwing {@link Invalid}. Entries lie in [off + LP_HEADER, off + len - 1). */
    static int listpack(byte[] b, int off, int len, ElementVisitor v) {
        if (len < LP_HEADER + 1) throw INVALID;
        if (u32(b, off) != len) throw INVALID;
        int end = off + len - 1;
        if ((b[end] & 0xFF) != 0xFF) throw INVALID;
        int declared = u16(b, off + 4);
        int p = off + LP_HEADER;
        int count = 0;
        while (p < end) {
            int size = lpEntrySize(b, p, end);
            if (v != null) {
                if (Listpack.isString(b, p)) v.string(b, Listpack.strOffset(b, p), Listpack.strLength(b, p));
                else v.integer(Listpack.intValue(b, p));
            }
            p += size;
            count++;
        }
        if (p != end) throw INVALID;
        if (declared != LP_COUNT_UNKNOWN && declared != count) throw INVALID;
        return count;
    }

    /** Size of the listpack entry at p, checked against end (the terminator) and its back-length. */
    static int lpEntrySize(byte[] b, int p, int end) {
        int e = b[p] & 0xFF;
        long body;
        if ((e & 0x80) == 0) body = 1;
        else if ((e & 0xC0) == 0x80) body = 1 + (e & 0x3F);
        else if ((e & 0xE0) == 0xC0) body = 2;
        else if ((e & 0xF0) == 0xE0) {
            if (p + 1 >= end) throw INVALID;
            body = 2 + (((e & 0x0F) << 8) | (b[p + 1] & 0xFF));
        } else {
            body = switch (e) {
                case 0xF1 -> 3;
                case 0xF2 -> 4;
                case 0xF3 -> 5;
                case 0xF4 -> 9;
                case 0xF0 -> {
                    if (p + 4 >= end) throw INVALID;
                    yield 5 + u32(b, p + 1);
                }
                default -> throw INVALID;
            };
        }
        int backlen = body <= 127 ? 1 : body < 16383 ? 2 : body < 2097151 ? 3 : body < 268435455 ? 4 : 5;
        long size = body + backlen;
        if (p + size > end) throw INVALID;
        // The back-length, read backwards as lpDecodeBacklen does, must give the body size.
        int q = (int) (p + size - 1);
        long val = 0;
        int shift = 0;
        for (int i = 0; i < backlen; i++, q--) {
            int x = b[q] & 0xFF;
            val |= (long) (x & 127) << shift;
            boolean more = (x & 128) != 0;
            if (more != (i < backlen - 1)) throw INVALID;
            shift += 7;
        }
        if (val != body) throw INVALID;
        return (int) size;
    }

    /** Writes a listpack header for entries of {@code entriesLen} bytes and {@code count} elements. */
    public static void writeListpackHeader(byte[] dst, int off, int entriesLen, int count) {
        long total = (long) LP_HEADER + entriesLen + 1;
        for (int i = 0; i < 4; i++) dst[off + i] = (byte) (total >>> (8 * i));
        int c = count < LP_COUNT_UNKNOWN ? count : LP_COUNT_UNKNOWN;
        dst[off + 4] = (byte) c;
        dst[off + 5] = (byte) (c >>> 8);
    }

    // ------------------------------------------------------------ ziplist

    /**
     * Validates a ziplist (ziplistValidateIntegrity, deep) and visits its
     * entries. Returns the number of entries, or -1 if invalid.
     */
    public static int readZiplist(byte[] b, int off, int len, ElementVisitor v) {
        try {
            return ziplist(b, off, len, v);
        } catch (Invalid e) {
            return -1;
        }
    }

    private static int ziplist(byte[] b, int off, int len, ElementVisitor v) {
        final int header = 10;
        if (len < header + 1) throw INVALID;
        if (u32(b, off) != len) throw INVALID;
        long tail = u32(b, off + 4);
        if (tail > len - 1) throw INVALID;
        int end = off + len - 1;
        if ((b[end] & 0xFF) != 0xFF) throw INVALID;
        int declared = u16(b, off + 8);
        int p = off + header;
        int count = 0;
        int prevSize = 0;
        int lastStart = -1;
        while (p < end) {
            int start = p;
            // prevlen
            int prevlen;
            if ((b[p] & 0xFF) < 254) {
                prevlen = b[p] & 0xFF;
                p += 1;
            } else {
                if (p + 5 > end) throw INVALID;
                long pl = u32(b, p + 1);
                if (pl > Integer.MAX_VALUE) throw INVALID;
                prevlen = (int) pl;
                p += 5;
            }
            if (prevlen != prevSize) throw INVALID;
            if (p >= end) throw INVALID;
            int enc = b[p] & 0xFF;
            if ((enc & 0xC0) == 0x00) {
                int l = enc & 0x3F;
                p += 1;
                if (p + l > end) throw INVALID;
                if (v != null) v.string(b, p, l);
                p += l;
            } else if ((enc & 0xC0) == 0x40) {
                if (p + 2 > end) throw INVALID;
                int l = ((enc & 0x3F) << 8) | (b[p + 1] & 0xFF);
                p += 2;
                if (p + l > end) throw INVALID;
                if (v != null) v.string(b, p, l);
                p += l;
            } else if (enc == 0x80) {
                if (p + 5 > end) throw INVALID;
                long l = ((long) (b[p + 1] & 0xFF) << 24) | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 8
                        | (b[p + 4] & 0xFF);
                p += 5;
                if (p + l > end) throw INVALID;
                if (v != null) v.string(b, p, (int) l);
                p += (int) l;
            } else {
                int n;
                long x;
                p += 1;
                switch (enc) {
                    case 0xC0 -> n = 2;
                    case 0xD0 -> n = 4;
                    case 0xE0 -> n = 8;
                    case 0xF0 -> n = 3;
                    case 0xFE -> n = 1;
                    default -> {
                        if (enc >= 0xF1 && enc <= 0xFD) n = 0;
                        else throw INVALID;
                    }
                }
                if (p + n > end) throw INVALID;
                if (n == 0) {
                    x = (enc & 0x0F) - 1;
                } else {
                    x = 0;
                    for (int i = 0; i < n; i++) x |= (long) (b[p + i] & 0xFF) << (8 * i);
                    int unused = 64 - 8 * n;
                    x = (x << unused) >> unused;
                }
                p += n;
                if (v != null) v.integer(x);
            }
            prevSize = p - start;
            lastStart = start;
            count++;
        }
        if (p != end) throw INVALID;
        if (count > 0 ? lastStart - off != tail : tail != header) throw INVALID;
        if (declared != 0xFFFF && declared != count) throw INVALID;
        return count;
    }

    // ------------------------------------------------------------ zipmap

    /** Receives the pairs of a zipmap. */
    public interface PairVisitor {
        void pair(byte[] b, int foff, int flen, int voff, int vlen);
    }

    /**
     * Validates a zipmap (Redis 2.4 and older hashes) and visits its pairs.
     * Returns the number of pairs, or -1 if invalid.
     */
    public static int readZipmap(byte[] b, int off, int len, PairVisitor v) {
        try {
            return zipmap(b, off, len, v);
        } catch (Invalid e) {
            return -1;
        }
    }

    private static int zipmap(byte[] b, int off, int len, PairVisitor v) {
        if (len < 2) throw INVALID;
        int end = off + len;
        int declared = b[off] & 0xFF;
        int p = off + 1;
        int count = 0;
        while (true) {
            if (p >= end) throw INVALID;
            if ((b[p] & 0xFF) == 0xFF) break;
            long[] fl = zipmapLen(b, p, end);
            p += (int) fl[1];
            int foff = p;
            if (p + fl[0] > end) throw INVALID;
            p += (int) fl[0];
            long[] vl = zipmapLen(b, p, end);
            p += (int) vl[1];
            if (p >= end) throw INVALID;
            int free = b[p] & 0xFF;
            p += 1;
            int voff = p;
            if (p + vl[0] + free > end) throw INVALID;
            p += (int) vl[0] + free;
            if (v != null) v.pair(b, foff, (int) fl[0], voff, (int) vl[0]);
            count++;
        }
        if (p != end - 1) throw INVALID;
        if (declared < 254 && declared != count) throw INVALID;
        return count;
    }

    /** A zipmap length at p: {value, bytes used}. */
    private static long[] zipmapLen(byte[] b, int p, int end) {
        if (p >= end) throw INVALID;
        int x = b[p] & 0xFF;
        if (x < 254) return new long[] {x, 1};
        if (x == 254) {
            if (p + 5 > end) throw INVALID;
            long l = u32(b, p + 1);
            if (l > Integer.MAX_VALUE) throw INVALID;
            return new long[] {l, 5};
        }
        throw INVALID;
    }

    // ------------------------------------------------------------ intset

    /**
     * Validates an intset blob (encoding, length, strictly ascending members,
     * as intsetValidateIntegrity with deep checks) and returns its element
     * width (2, 4 or 8), or -1 if invalid.
     */
    public static int intsetWidth(byte[] b, int off, int len) {
        if (len < 8) return -1;
        long enc = u32(b, off);
        long count = u32(b, off + 4);
        if (enc != 2 && enc != 4 && enc != 8) return -1;
        if (count == 0 || 8 + count * enc != len) return -1;
        int w = (int) enc;
        long prev = 0;
        for (int i = 0; i < count; i++) {
            long x = intsetGet(b, off + 8, w, i);
            if (i > 0 && x <= prev) return -1;
            prev = x;
        }
        return w;
    }

    static long intsetGet(byte[] b, int p, int w, int i) {
        int q = p + i * w;
        long x = 0;
        for (int k = 0; k < w; k++) x |= (long) (b[q + k] & 0xFF) << (8 * k);
        int unused = 64 - 8 * w;
        return (x << unused) >> unused;
    }
}
