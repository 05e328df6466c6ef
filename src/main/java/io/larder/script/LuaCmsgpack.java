package io.larder.script;

import java.io.ByteArrayOutputStream;

/**
 * The {@code cmsgpack} library Redis ships (lua-cmsgpack 0.4.0): MessagePack
 * encoding of Lua values, byte for byte as the C library produces it
 * (integers in the smallest form, doubles as float32 when exact, tables as
 * arrays when their keys are exactly 1..n, nesting cut at 16 levels), and
 * decoding with its error messages.
 */
final class LuaCmsgpack {
    private LuaCmsgpack() {}

    private static final int MAX_NESTING = 16;

    static void push(Lua lua) {
        lua.newTable(0, 8);
        lua.pushFunction(LuaCmsgpack::pack);
        lua.rawSetField(-2, "pack");
        lua.pushFunction(l -> unpackFull(l, 0, 0));
        lua.rawSetField(-2, "unpack");
        lua.pushFunction(LuaCmsgpack::unpackOne);
        lua.rawSetField(-2, "unpack_one");
        lua.pushFunction(LuaCmsgpack::unpackLimit);
        lua.rawSetField(-2, "unpack_limit");
        lua.pushString("cmsgpack");
        lua.rawSetField(-2, "_NAME");
        lua.pushString("lua-cmsgpack 0.4.0");
        lua.rawSetField(-2, "_VERSION");
        lua.pushString("Copyright (C) 2012, Salvatore Sanfilippo");
        lua.rawSetField(-2, "_COPYRIGHT");
        lua.pushString("MessagePack C implementation for Lua");
        lua.rawSetField(-2, "_DESCRIPTION");
    }

    // ------------------------------------------------------------ encoding

    private static int pack(Lua l) {
        int nargs = l.top();
        if (nargs == 0) throw l.argError(0, "MessagePack pack needs input.");
        if (!l.checkStack(nargs)) throw l.argError(0, "Too many arguments for MessagePack pack.");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        for (int i = 1; i <= nargs; i++) {
            l.pushValue(i);
            encode(l, buf, 0);
        }
        l.pushBytes(buf.toByteArray());
        return 1;
    }

    /** Encodes the value on top of the stack and pops it. */
    private static void encode(Lua l, ByteArrayOutputStream b, int level) {
        int t = l.type(-1);
        if (t == LuaNative.TTABLE && level == MAX_NESTING) t = LuaNative.TNIL;
        switch (t) {
            case LuaNative.TSTRING -> {
                byte[] s = l.toBytes(-1);
                encodeBytes(b, s);
            }
            case LuaNative.TBOOLEAN -> b.write(l.toBoolean(-1) ? 0xc3 : 0xc2);
            case LuaNative.TNUMBER -> encodeNumber(b, l.toNumber(-1));
            case LuaNative.TTABLE -> encodeTable(l, b, level);
            default -> b.write(0xc0);
        }
        l.pop(1);
    }

    private static void encodeBytes(ByteArrayOutputStream b, byte[] s) {
        int len = s.length;
        if (len < 32) {
            b.write(0xa0 | len);
        } else if (len <= 0xff) {
            b.write(0xd9);
            b.write(len);
        } else if (len <= 0xffff) {
            b.write(0xda);
            be(b, len, 2);
        } else {
            b.write(0xdb);
            be(b, len, 4);
        }
        b.write(s, 0, len);
    }

    private static void be(ByteArrayOutputStream b, long v, int n) {
        for (int i = n - 1; i >= 0; i--) b.write((int) (v >>> (8 * i)) & 0xff);
    }

    private static void encodeNumber(ByteArrayOutputStream b, double n) {
        // IS_INT64_EQUIVALENT: (int64_t)n == n, with C's conversion of out-of-range values.
        if (!Double.isInfinite(n) && LuaStruct.toLong(n) == n) {
            encodeInt(b, (long) n);
            return;
        }
        float f = (float) n;
        if (n == (double) f) {
            b.write(0xca);
            be(b, Float.floatToRawIntBits(f) & 0xFFFFFFFFL, 4);
        } else {
            b.write(0xcb);
            be(b, Double.doubleToRawLongBits(n), 8);
        }
    }

    private static void encodeInt(ByteArrayOutputStream b, long n) {
        if (n >= 0) {
            if (n <= 127) {
                b.write((int) n);
            } else if (n <= 0xff) {
                b.write(0xcc);
                b.write((int) n);
            } else if (n <= 0xffff) {
                b.write(0xcd);
                be(b, n, 2);
            } else if (n <= 0xffffffffL) {
                b.write(0xce);
                be(b, n, 4);
            } else {
                b.write(0xcf);
                be(b, n, 8);
            }
        } else {
            if (n >= -32) {
                b.write((int) n & 0xff);
            } else if (n >= -128) {
                b.write(0xd0);
                b.write((int) n & 0xff);
            } else if (n >= -32768) {
                b.write(0xd1);
                be(b, n, 2);
            } else if (n >= -2147483648L) {
                b.write(0xd2);
                be(b, n, 4);
            } else {
                b.write(0xd3);
                be(b, n, 8);
            }
        }
    }

    private static void encodeTable(Lua l, ByteArrayOutputStream b, int level) {
        if (isArray(l)) {
            long len = l.objLen(-1);
            if (len <= 15) {
                b.write(0x90 | (int) len);
            } else if (len <= 0xffff) {
                b.write(0xdc);
                be(b, len, 2);
            } else {
                b.write(0xdd);
                be(b, len, 4);
            }
            for (long j = 1; j <= len; j++) {
                l.rawGetI(-1, (int) j);
                encode(l, b, level + 1);
            }
            return;
        }
        long len = 0;
        l.pushNil();
        while (l.next(-2)) {
            l.pop(1);
            len++;
        }
        if (len <= 15) {
            b.write(0x80 | (int) len);
        } else if (len <= 0xffff) {
            b.write(0xde);
            be(b, len, 2);
        } else {
            b.write(0xdf);
            be(b, len, 4);
        }
        l.pushNil();
        while (l.next(-2)) {
            l.pushValue(-2);
            encode(l, b, level + 1);
            encode(l, b, level + 1);
        }
    }

    /** Keys exactly 1..n (counted with C's int conversion, as table_is_an_array does). */
    private static boolean isArray(Lua l) {
        int count = 0, max = 0;
        l.pushNil();
        while (l.next(-2)) {
            l.pop(1);
            if (l.type(-1) != LuaNative.TNUMBER) {
                l.pop(1);
                return false;
            }
            double n = l.toNumber(-1);
            if (n <= 0 || (int) n != n) {
                l.pop(1);
                return false;
            }
            max = Math.max(max, (int) n);
            count++;
        }
        return max == count;
    }

    // ------------------------------------------------------------ decoding

    private static int unpackOne(Lua l) {
        int offset = (int) (long) l.optNumber(2, 0);
        l.settop(1);
        return unpackFull(l, 1, offset);
    }

    private static int unpackLimit(Lua l) {
        int limit = (int) (long) l.checkNumber(2);
        int offset = (int) (long) l.optNumber(3, 0);
        l.settop(1);
        return unpackFull(l, limit, offset);
    }

    /** Decoding position and error (lua-cmsgpack's mp_cur). */
    private static final class Cur {
        final byte[] p;
        int pos;
        int err; // 0, EOF, BADFMT

        Cur(byte[] p, int pos) {
            this.p = p;
            this.pos = pos;
        }

        int left() {
            return p.length - pos;
        }

        boolean need(long n) {
            if (left() < n) {
                err = 1;
                return false;
            }
            return true;
        }

        int u8(int off) {
            return p[pos + off] & 0xff;
        }

        long be(int off, int n) {
            long v = 0;
            for (int i = 0; i < n; i++) v = (v << 8) | u8(off + i);
            return v;
        }
    }

    private static int unpackFull(Lua l, int limit, int offset) {
        byte[] s = l.checkBytes(1);
        int len = s.length;
        boolean all = limit == 0 && offset == 0;
        if (offset < 0 || limit < 0) {
            throw l.error("Invalid request to unpack with offset of " + offset + " and limit of " + len + ".");
        } else if (offset > len) {
            throw l.error("Start offset " + offset + " greater than input length " + len + ".");
        }
        if (all) limit = Integer.MAX_VALUE;
        Cur c = new Cur(s, offset);
        int cnt;
        for (cnt = 0; c.left() > 0 && cnt < limit; cnt++) {
            decode(l, c);
            if (c.err == 1) throw l.error("Missing bytes in input.");
            if (c.err == 2) throw l.error("Bad data format in input.");
        }
        if (!all) {
            l.pushNumber(c.left() == 0 ? -1 : len - c.left());
            l.insert(2);
            cnt++;
        }
        return cnt;
    }

    private static void decode(Lua l, Cur c) {
        if (!c.need(1)) return;
        if (!l.checkStack(1)) {
            throw l.error("stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)");
        }
        int b = c.u8(0);
        switch (b) {
            case 0xcc -> number(l, c, 2, c.left() >= 2 ? c.u8(1) : 0);
            case 0xd0 -> number(l, c, 2, c.left() >= 2 ? (byte) c.u8(1) : 0);
            case 0xcd -> number(l, c, 3, c.left() >= 3 ? c.be(1, 2) : 0);
            case 0xd1 -> number(l, c, 3, c.left() >= 3 ? (short) c.be(1, 2) : 0);
            case 0xce -> number(l, c, 5, c.left() >= 5 ? c.be(1, 4) : 0);
            case 0xd2 -> number(l, c, 5, c.left() >= 5 ? (int) c.be(1, 4) : 0);
            case 0xcf -> {
                if (!c.need(9)) return;
                long v = c.be(1, 8);
                l.pushNumber(v >= 0 ? v : (double) (v >>> 1) * 2 + (v & 1));
                c.pos += 9;
            }
            case 0xd3 -> {
                if (!c.need(9)) return;
                l.pushNumber(c.be(1, 8));
                c.pos += 9;
            }
            case 0xc0 -> {
                l.pushNil();
                c.pos++;
            }
            case 0xc3, 0xc2 -> {
                l.pushBoolean(b == 0xc3);
                c.pos++;
            }
            case 0xca -> {
                if (!c.need(5)) return;
                l.pushNumber(Float.intBitsToFloat((int) c.be(1, 4)));
                c.pos += 5;
            }
            case 0xcb -> {
                if (!c.need(9)) return;
                l.pushNumber(Double.longBitsToDouble(c.be(1, 8)));
                c.pos += 9;
            }
            case 0xd9 -> raw(l, c, 1);
            case 0xda -> raw(l, c, 2);
            case 0xdb -> raw(l, c, 4);
            case 0xdc, 0xdd -> {
                int n = b == 0xdc ? 2 : 4;
                if (!c.need(1 + n)) return;
                long len = c.be(1, n);
                c.pos += 1 + n;
                array(l, c, len);
            }
            case 0xde, 0xdf -> {
                int n = b == 0xde ? 2 : 4;
                if (!c.need(1 + n)) return;
                long len = c.be(1, n);
                c.pos += 1 + n;
                map(l, c, len);
            }
            default -> {
                if ((b & 0x80) == 0) {
                    l.pushNumber(b);
                    c.pos++;
                } else if ((b & 0xe0) == 0xe0) {
                    l.pushNumber((byte) b);
                    c.pos++;
                } else if ((b & 0xe0) == 0xa0) {
                    int len = b & 0x1f;
                    if (!c.need(1 + len)) return;
                    l.pushBytes(c.p, c.pos + 1, len);
                    c.pos += 1 + len;
                } else if ((b & 0xf0) == 0x90) {
                    c.pos++;
                    array(l, c, b & 0xf);
                } else if ((b & 0xf0) == 0x80) {
                    c.pos++;
                    map(l, c, b & 0xf);
                } else {
                    c.err = 2;
                }
            }
        }
    }

    private static void number(Lua l, Cur c, int size, double v) {
        if (!c.need(size)) return;
        l.pushNumber(v);
        c.pos += size;
    }

    private static void raw(Lua l, Cur c, int n) {
        if (!c.need(1 + n)) return;
        long len = c.be(1, n);
        if (!c.need(1 + n + len)) return;
        l.pushBytes(c.p, c.pos + 1 + n, (int) len);
        c.pos += (int) (1 + n + len);
    }

    private static void array(Lua l, Cur c, long len) {
        l.newTable(0, 0);
        int index = 1;
        while (len-- > 0) {
            l.pushNumber(index++);
            decode(l, c);
            if (c.err != 0) return;
            l.rawset(-3);
        }
    }

    private static void map(Lua l, Cur c, long len) {
        l.newTable(0, 0);
        while (len-- > 0) {
            decode(l, c);
            if (c.err != 0) return;
            decode(l, c);
            if (c.err != 0) return;
            // lua_settable's own errors, which Redis's C code raises from inside the library.
            int kt = l.type(-2);
            if (kt == LuaNative.TNIL) throw LuaError.message("table index is nil");
            if (kt == LuaNative.TNUMBER && Double.isNaN(l.toNumber(-2))) throw LuaError.message("table index is NaN");
            l.rawset(-3);
        }
    }
}
