package io.larder.persist;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Builders for the encodings Redis versions before 7.0 wrote (ziplists,
 * zipmaps), so tests can make the files those versions made and check that
 * Larder loads them as Redis 7.0 does.
 */
final class OldEncodings {
    private OldEncodings() {}

    private static void u32(ByteArrayOutputStream o, long v) {
        for (int i = 0; i < 4; i++) o.write((int) (v >>> (8 * i)));
    }

    /** A ziplist of the elements, each encoded as Redis's zipTryEncoding / zipStoreEntryEncoding would. */
    static byte[] ziplist(List<String> elements) {
        ByteArrayOutputStream entries = new ByteArrayOutputStream();
        int prev = 0;
        int lastOffset = 10;
        for (String e : elements) {
            ByteArrayOutputStream x = new ByteArrayOutputStream();
            if (prev < 254) {
                x.write(prev);
            } else {
                x.write(254);
                u32(x, prev);
            }
            byte[] s = e.getBytes(StandardCharsets.ISO_8859_1);
            Long v = e.length() < 32 && RdbOutput.isCanonicalLong(s, 0, s.length) ? Long.parseLong(e) : null;
            if (v != null) {
                long n = v;
                if (n >= 0 && n <= 12) {
                    x.write(0xF1 + (int) n);
                } else if (n >= Byte.MIN_VALUE && n <= Byte.MAX_VALUE) {
                    x.write(0xFE);
                    x.write((int) n);
                } else if (n >= Short.MIN_VALUE && n <= Short.MAX_VALUE) {
                    x.write(0xC0);
                    x.write((int) n);
                    x.write((int) (n >> 8));
                } else if (n >= -(1 << 23) && n <= (1 << 23) - 1) {
                    x.write(0xF0);
                    for (int i = 0; i < 3; i++) x.write((int) (n >> (8 * i)));
                } else if (n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) {
                    x.write(0xD0);
                    for (int i = 0; i < 4; i++) x.write((int) (n >> (8 * i)));
                } else {
                    x.write(0xE0);
                    for (int i = 0; i < 8; i++) x.write((int) (n >> (8 * i)));
                }
            } else if (s.length < 64) {
                x.write(s.length);
                x.writeBytes(s);
            } else if (s.length < 16384) {
                x.write(0x40 | (s.length >> 8));
                x.write(s.length & 0xFF);
                x.writeBytes(s);
            } else {
                x.write(0x80);
                for (int i = 3; i >= 0; i--) x.write(s.length >> (8 * i));
                x.writeBytes(s);
            }
            lastOffset = 10 + entries.size();
            prev = x.size();
            entries.writeBytes(x.toByteArray());
        }
        ByteArrayOutputStream zl = new ByteArrayOutputStream();
        u32(zl, 10 + entries.size() + 1);
        u32(zl, elements.isEmpty() ? 10 : lastOffset);
        zl.write(Math.min(elements.size(), 0xFFFF) & 0xFF);
        zl.write(Math.min(elements.size(), 0xFFFF) >> 8);
        zl.writeBytes(entries.toByteArray());
        zl.write(0xFF);
        return zl.toByteArray();
    }

    /** A zipmap of field/value pairs (Redis 2.4 and older). */
    static byte[] zipmap(List<String> pairs) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int n = pairs.size() / 2;
        o.write(n < 254 ? n : 254);
        for (int i = 0; i < pairs.size(); i += 2) {
            byte[] f = pairs.get(i).getBytes(StandardCharsets.ISO_8859_1);
            byte[] v = pairs.get(i + 1).getBytes(StandardCharsets.ISO_8859_1);
            len(o, f.length);
            o.writeBytes(f);
            len(o, v.length);
            o.write(0); // free bytes after the value
            o.writeBytes(v);
        }
        o.write(0xFF);
        return o.toByteArray();
    }

    private static void len(ByteArrayOutputStream o, int l) {
        if (l < 254) {
            o.write(l);
        } else {
            o.write(254);
            u32(o, l);
        }
    }

    /** An intset blob of the given width. */
    static byte[] intset(int width, long... sorted) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        u32(o, width);
        u32(o, sorted.length);
        for (long v : sorted) for (int i = 0; i < width; i++) o.write((int) (v >> (8 * i)));
        return o.toByteArray();
    }
}
