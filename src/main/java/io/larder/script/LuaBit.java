package io.larder.script;

/**
 * The {@code bit} library Redis ships (LuaBitOp 1.0.2): 32-bit operations on
 * Lua numbers, with LuaBitOp's conversion (the number's low 32 bits after
 * rounding, through the 2^52+2^51 trick) and its argument errors.
 */
final class LuaBit {
    private LuaBit() {}

    /** Pushes the library's functions as a table of raw Java functions (prelude.lua wraps them). */
    static void push(Lua lua) {
        lua.newTable(0, 12);
        fn(lua, "tobit", l -> ret(l, arg(l, 1)));
        fn(lua, "bnot", l -> ret(l, ~arg(l, 1)));
        fn(lua, "band", l -> fold(l, 0));
        fn(lua, "bor", l -> fold(l, 1));
        fn(lua, "bxor", l -> fold(l, 2));
        fn(lua, "lshift", l -> {
            int b = arg(l, 1), n = arg(l, 2) & 31;
            return ret(l, b << n);
        });
        fn(lua, "rshift", l -> {
            int b = arg(l, 1), n = arg(l, 2) & 31;
            return ret(l, b >>> n);
        });
        fn(lua, "arshift", l -> {
            int b = arg(l, 1), n = arg(l, 2) & 31;
            return ret(l, b >> n);
        });
        fn(lua, "rol", l -> {
            int b = arg(l, 1), n = arg(l, 2) & 31;
            return ret(l, Integer.rotateLeft(b, n));
        });
        fn(lua, "ror", l -> {
            int b = arg(l, 1), n = arg(l, 2) & 31;
            return ret(l, Integer.rotateRight(b, n));
        });
        fn(lua, "bswap", l -> ret(l, Integer.reverseBytes(arg(l, 1))));
        fn(lua, "tohex", LuaBit::tohex);
    }

    private static void fn(Lua lua, String name, Lua.JavaFunction f) {
        lua.pushFunction(f);
        lua.rawSetField(-2, name);
    }

    /** LuaBitOp's barg. */
    static int arg(Lua l, int i) {
        double n = l.toNumber(i);
        long bits = Double.doubleToRawLongBits(n + 6755399441055744.0);
        int b = (int) bits;
        if (b == 0 && !l.isNumber(i)) throw l.typeError(i, "number");
        return b;
    }

    private static int ret(Lua l, int b) {
        l.pushNumber(b);
        return 1;
    }

    /** band/bor/bxor: the arguments are read from the last one down, as LuaBitOp does. */
    private static int fold(Lua l, int op) {
        int b = arg(l, 1);
        for (int i = l.top(); i > 1; i--) {
            int x = arg(l, i);
            b = switch (op) {
                case 0 -> b & x;
                case 1 -> b | x;
                default -> b ^ x;
            };
        }
        return ret(l, b);
    }

    private static int tohex(Lua l) {
        int b = arg(l, 1);
        int n = l.type(2) == LuaNative.TNONE ? 8 : arg(l, 2);
        String digits = "0123456789abcdef";
        if (n < 0) {
            n = -n;
            digits = "0123456789ABCDEF";
        }
        if (n > 8) n = 8;
        byte[] buf = new byte[Math.max(n, 0)];
        for (int i = n; --i >= 0;) {
            buf[i] = (byte) digits.charAt(b & 15);
            b >>>= 4;
        }
        l.pushBytes(buf);
        return 1;
    }
}
