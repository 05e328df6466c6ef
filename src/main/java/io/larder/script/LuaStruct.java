package io.larder.script;

import java.io.ByteArrayOutputStream;

/**
 * The {@code struct} library Redis ships (Roberto Ierusalimschy's struct.c
 * 0.2 with Redis's overflow fixes): struct.pack, struct.unpack, struct.size
 * with C's sizes on a 64-bit platform (int 4, long and size_t 8) and its
 * alignment and error rules.
 */
final class LuaStruct {
    private LuaStruct() {}

    private static final int MAXINTSIZE = 32;
    private static final int MAXALIGN = 8;
    private static final boolean BIG = false, LITTLE = true;
    /** x86-64 and ARM are little-endian: the native order. */
    private static final boolean NATIVE = LITTLE;

    static void push(Lua lua) {
        lua.newTable(0, 3);
        lua.pushFunction(LuaStruct::pack);
        lua.rawSetField(-2, "pack");
        lua.pushFunction(LuaStruct::unpack);
        lua.rawSetField(-2, "unpack");
        lua.pushFunction(LuaStruct::size);
        lua.rawSetField(-2, "size");
    }

    /** Parsing state of a format string. */
    private static final class Fmt {
        final byte[] s;
        int pos;
        boolean endian = NATIVE;
        int align = 1;

        Fmt(byte[] s) {
            // A C string: the format ends at the first NUL.
            int n = 0;
            while (n < s.length && s[n] != 0) n++;
            this.s = java.util.Arrays.copyOf(s, n);
        }

        boolean more() {
            return pos < s.length;
        }

        int next() {
            return s[pos++] & 0xFF;
        }

        boolean digit() {
            return pos < s.length && s[pos] >= '0' && s[pos] <= '9';
        }
    }

    private static int getnum(Lua l, Fmt f, int dflt) {
        if (!f.digit()) return dflt;
        int a = 0;
        do {
            int d = f.s[f.pos] - '0';
            if (a > Integer.MAX_VALUE / 10 || a * 10 > Integer.MAX_VALUE - d) throw l.error("integral size overflow");
            a = a * 10 + d;
            f.pos++;
        } while (f.digit());
        return a;
    }

    private static long optsize(Lua l, int opt, Fmt f) {
        switch (opt) {
            case 'B', 'b':
                return 1;
            case 'H', 'h':
                return 2;
            case 'L', 'l', 'T':
                return 8;
            case 'f':
                return 4;
            case 'd':
                return 8;
            case 'x':
                return 1;
            case 'c':
                return getnum(l, f, 1);
            case 'i', 'I': {
                int sz = getnum(l, f, 4);
                if (sz > MAXINTSIZE) {
                    throw l.error("integral size " + sz + " is larger than limit of " + MAXINTSIZE);
                }
                return sz;
            }
            default:
                return 0;
        }
    }

    private static long gettoalign(long len, Fmt f, int opt, long size) {
        if (size == 0 || opt == 'c') return 0;
        if (size > f.align) size = f.align;
        return (size - (len & (size - 1))) & (size - 1);
    }

    private static void controloptions(Lua l, int opt, Fmt f) {
        switch (opt) {
            case ' ':
                return;
            case '>':
                f.endian = BIG;
                return;
            case '<':
                f.endian = LITTLE;
                return;
            case '!': {
                int a = getnum(l, f, MAXALIGN);
                if (a <= 0 || (a & (a - 1)) != 0) throw l.error("alignment " + a + " is not a power of 2");
                f.align = a;
                return;
            }
            default:
                throw l.argError(1, "invalid format option '" + (char) opt + "'");
        }
    }

    private static int pack(Lua l) {
        Fmt f = new Fmt(l.checkBytes(1));
        int arg = 2;
        long total = 0;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (f.more()) {
            int opt = f.next();
            long size = optsize(l, opt, f);
            long toalign = gettoalign(total, f, opt, size);
            total += toalign;
            while (toalign-- > 0) b.write(0);
            switch (opt) {
                case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I' -> putinteger(l, b, arg++, f.endian, (int) size);
                case 'x' -> b.write(0);
                case 'f' -> {
                    float v = (float) l.checkNumber(arg++);
                    long bits = Float.floatToRawIntBits(v) & 0xFFFFFFFFL;
                    writeOrdered(b, bits, 4, f.endian);
                }
                case 'd' -> {
                    double v = l.checkNumber(arg++);
                    writeOrdered(b, Double.doubleToRawLongBits(v), 8, f.endian);
                }
                case 'c', 's' -> {
                    byte[] s = l.checkBytes(arg++);
                    if (size == 0) size = s.length;
                    if (s.length < size) throw l.argError(arg, "string too short");
                    b.write(s, 0, (int) size);
                    if (opt == 's') {
                        b.write(0);
                        size++;
                    }
                }
                default -> controloptions(l, opt, f);
            }
            total += size;
        }
        l.pushBytes(b.toByteArray());
        return 1;
    }

    /** Writes the low n bytes of v in the given order. */
    private static void writeOrdered(ByteArrayOutputStream b, long v, int n, boolean endian) {
        byte[] buf = new byte[n];
        for (int i = 0; i < n; i++) {
            buf[endian == LITTLE ? i : n - 1 - i] = (byte) v;
            v >>>= 8;
        }
        b.write(buf, 0, n);
    }

    private static void putinteger(Lua l, ByteArrayOutputStream b, int arg, boolean endian, int size) {
        double n = l.checkNumber(arg);
        long value = n < 0 ? toLong(n) : toUnsigned(n);
        byte[] buf = new byte[size];
        for (int i = 0; i < size; i++) {
            buf[endian == LITTLE ? i : size - 1 - i] = (byte) value;
            value >>>= 8;
        }
        b.write(buf, 0, size);
    }

    /** C's (long) of a double on x86-64: out of range and NaN give LONG_MIN. */
    static long toLong(double d) {
        if (Double.isNaN(d) || d >= 9.223372036854775807E18 || d < -9.223372036854775808E18) return Long.MIN_VALUE;
        return (long) d;
    }

    /** C's (unsigned long) of a non-negative double, as gcc compiles it for x86-64. */
    private static long toUnsigned(double d) {
        if (d < 9.223372036854775807E18) return (long) d;
        return toLong(d - 9.223372036854775807E18) ^ Long.MIN_VALUE;
    }

    private static double getinteger(byte[] data, int pos, boolean endian, boolean signed, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            int k = endian == BIG ? i : size - 1 - i;
            v = (v << 8) | (data[pos + k] & 0xFF);
        }
        if (!signed) {
            return v >= 0 ? v : (double) (v >>> 1) * 2 + (v & 1);
        }
        if (size * 8 - 1 < 64) {
            long mask = -1L << (size * 8 - 1);
            if ((v & mask) != 0) v |= mask;
        }
        return v;
    }

    private static int unpack(Lua l) {
        Fmt f = new Fmt(l.checkBytes(1));
        byte[] data = l.checkBytes(2);
        long ld = data.length;
        long pos = (long) l.optNumber(3, 1) - 1;
        if (Long.compareUnsigned(pos, ld) > 0) throw l.argError(3, "offset must be 1 or greater");
        int n = 0;
        while (f.more()) {
            int opt = f.next();
            long size = optsize(l, opt, f);
            pos += gettoalign(pos, f, opt, size);
            if (!(Long.compareUnsigned(size, ld) <= 0 && Long.compareUnsigned(pos, ld - size) <= 0)) {
                throw l.argError(2, "data string too short");
            }
            if (!l.checkStack(2)) throw l.error("stack overflow (too many results)");
            switch (opt) {
                case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I' -> {
                    boolean signed = Character.isLowerCase(opt);
                    l.pushNumber(getinteger(data, (int) pos, f.endian, signed, (int) size));
                    n++;
                }
                case 'x' -> { }
                case 'f' -> {
                    long bits = readOrdered(data, (int) pos, 4, f.endian);
                    l.pushNumber(Float.intBitsToFloat((int) bits));
                    n++;
                }
                case 'd' -> {
                    l.pushNumber(Double.longBitsToDouble(readOrdered(data, (int) pos, 8, f.endian)));
                    n++;
                }
                case 'c' -> {
                    if (size == 0) {
                        if (n == 0 || !l.isNumber(-1)) throw l.error("format 'c0' needs a previous size");
                        size = (long) l.toNumber(-1);
                        l.pop(1);
                        n--;
                        if (!(Long.compareUnsigned(size, ld) <= 0 && Long.compareUnsigned(pos, ld - size) <= 0)) {
                            throw l.argError(2, "data string too short");
                        }
                    }
                    l.pushBytes(data, (int) pos, (int) size);
                    n++;
                }
                case 's' -> {
                    int e = (int) pos;
                    while (e < data.length && data[e] != 0) e++;
                    if (e >= data.length) throw l.error("unfinished string in data");
                    size = e - pos + 1;
                    l.pushBytes(data, (int) pos, (int) size - 1);
                    n++;
                }
                default -> controloptions(l, opt, f);
            }
            pos += size;
        }
        l.pushNumber(pos + 1);
        return n + 1;
    }

    private static long readOrdered(byte[] data, int pos, int n, boolean endian) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            int k = endian == LITTLE ? n - 1 - i : i;
            v = (v << 8) | (data[pos + k] & 0xFF);
        }
        return v;
    }

    private static int size(Lua l) {
        Fmt f = new Fmt(l.checkBytes(1));
        long pos = 0;
        while (f.more()) {
            int opt = f.next();
            long size = optsize(l, opt, f);
            pos += gettoalign(pos, f, opt, size);
            if (opt == 's') throw l.argError(1, "option 's' has no fixed size");
            else if (opt == 'c' && size == 0) throw l.argError(1, "option 'c0' has no fixed size");
            if (!Character.isLetterOrDigit(opt) || opt > 127) controloptions(l, opt, f);
            pos += size;
        }
        l.pushNumber(pos);
        return 1;
    }
}
