package io.larder.script;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * The {@code cjson} library Redis ships (lua-cjson 2.1.0): JSON encoding
 * and decoding with its exact output and errors. Numbers are printed with
 * "%.14g" (Lua's own number format, so Lua formats them), empty tables
 * encode as objects ({}), tables are arrays when every key is a positive
 * integer (excessively sparse ones are refused), "/" is escaped, JSON null
 * decodes to cjson.null (a NULL light userdata), and numbers decode to Lua
 * numbers (doubles, so large integers lose precision exactly as in Redis).
 */
final class LuaCjson {
    /**
     * The settings of one module table (lua-cjson keeps them per module;
     * cjson.new makes another): a Lua table, the closures' second upvalue, so
     * modules cost Java nothing and are collected with their table.
     */
    private static final int SPARSE_CONVERT = 1, SPARSE_RATIO = 2, SPARSE_SAFE = 3, ENCODE_MAX_DEPTH = 4,
            DECODE_MAX_DEPTH = 5, PRECISION = 6, KEEP_BUFFER = 7, ENCODE_INVALID = 8, DECODE_INVALID = 9;
    private static final int[] DEFAULTS = {0, 0, 2, 10, 1000, 1000, 14, 1, 0, 1};
    private static final String[] NAMES = {"encode", "decode", "encode_sparse_array", "encode_max_depth",
        "decode_max_depth", "encode_number_precision", "encode_keep_buffer", "encode_invalid_numbers",
        "decode_invalid_numbers", "new"};

    /** The functions, registered once per Lua state. */
    private final int[] ids = new int[NAMES.length];

    /** The settings the running call reads (one call at a time: the script thread). */
    private int sparseConvert, sparseRatio, sparseSafe, encodeMaxDepth, decodeMaxDepth, precision;
    private int encodeInvalidNumbers;
    private boolean decodeInvalidNumbers;

    private LuaCjson(Lua lua) {
        Lua.JavaFunction[] fs = {this::encode, this::decode, this::encodeSparseArray,
            l -> intOption(l, ENCODE_MAX_DEPTH, 1, Integer.MAX_VALUE),
            l -> intOption(l, DECODE_MAX_DEPTH, 1, Integer.MAX_VALUE), l -> intOption(l, PRECISION, 1, 14),
            l -> boolOption(l, KEEP_BUFFER), this::encodeInvalidNumbers, l -> boolOption(l, DECODE_INVALID),
            l -> {
                pushModule(l);
                return 1;
            }};
        for (int i = 0; i < fs.length; i++) ids[i] = lua.register(fs[i]);
    }

    /** Registers the library in a Lua state and pushes its module table (the global cjson). */
    static void push(Lua lua) {
        new LuaCjson(lua).pushModule(lua);
    }

    private void pushModule(Lua lua) {
        lua.newTable(0, 14);
        lua.newTable(DEFAULTS.length - 1, 0);
        for (int k = 1; k < DEFAULTS.length; k++) {
            lua.pushNumber(DEFAULTS[k]);
            lua.rawSetI(-2, k);
        }
        // Every function of the module shares its settings table.
        for (int i = 0; i < NAMES.length; i++) {
            lua.pushValue(-1);
            lua.pushClosure(ids[i], 1);
            lua.rawSetField(-3, NAMES[i]);
        }
        lua.pop(1);
        lua.pushLightUserdata(MemorySegment.NULL);
        lua.rawSetField(-2, "null");
        lua.pushString("cjson");
        lua.rawSetField(-2, "_NAME");
        lua.pushString("2.1.0");
        lua.rawSetField(-2, "_VERSION");
    }

    private static int setting(Lua l, int slot) {
        l.rawGetI(Lua.upvalue(2), slot);
        int v = (int) l.toNumber(-1);
        l.pop(1);
        return v;
    }

    private static void set(Lua l, int slot, int v) {
        l.pushNumber(v);
        l.rawSetI(Lua.upvalue(2), slot);
    }

    // ------------------------------------------------------------ configuration

    /** json_arg_init: at most {@code max} arguments. */
    private static void checkArgs(Lua l, int max) {
        if (l.top() > max) throw l.argError(max + 1, "found too many arguments");
    }

    private static boolean isNil(Lua l, int arg) {
        return l.type(arg) <= LuaNative.TNIL;
    }

    /** json_enum_option's parsing: a boolean (on/off), or one of the option names. */
    private static int enumOption(Lua l, int arg, String[] options) {
        if (l.type(arg) == LuaNative.TBOOLEAN) return l.toBoolean(arg) ? 1 : 0;
        byte[] b = l.checkBytes(arg);
        String s = new String(b, StandardCharsets.ISO_8859_1);
        for (int i = 0; i < options.length; i++) if (options[i].equals(s)) return i;
        throw l.argError(arg, "invalid option '" + s + "'");
    }

    /**
     * json_integer_option: an optional integer within [min, max] (its range
     * error always names argument 1, as lua-cjson's does); pushes the setting.
     */
    private static void intOption(Lua l, int arg, int slot, int min, int max) {
        if (!isNil(l, arg)) {
            int v = (int) (long) l.checkNumber(arg);
            if (v < min || v > max) throw l.argError(1, "expected integer between " + min + " and " + max);
            set(l, slot, v);
        }
        l.pushNumber(setting(l, slot));
    }

    private static int intOption(Lua l, int slot, int min, int max) {
        checkArgs(l, 1);
        intOption(l, 1, slot, min, max);
        return 1;
    }

    private static int boolOption(Lua l, int slot) {
        checkArgs(l, 1);
        if (!isNil(l, 1)) set(l, slot, enumOption(l, 1, new String[] {"off", "on"}));
        l.pushBoolean(setting(l, slot) == 1);
        return 1;
    }

    private int encodeInvalidNumbers(Lua l) {
        checkArgs(l, 1);
        if (!isNil(l, 1)) set(l, ENCODE_INVALID, enumOption(l, 1, new String[] {"off", "on", "null"}));
        int v = setting(l, ENCODE_INVALID);
        if (v == 2) l.pushString("null");
        else l.pushBoolean(v == 1);
        return 1;
    }

    private int encodeSparseArray(Lua l) {
        checkArgs(l, 3);
        if (!isNil(l, 1)) set(l, SPARSE_CONVERT, enumOption(l, 1, new String[] {"off", "on"}));
        l.pushBoolean(setting(l, SPARSE_CONVERT) != 0);
        intOption(l, 2, SPARSE_RATIO, 0, Integer.MAX_VALUE);
        intOption(l, 3, SPARSE_SAFE, 0, Integer.MAX_VALUE);
        // The three settings are the last three values on the stack.
        return 3;
    }

    // ------------------------------------------------------------ encoding

    private int encode(Lua l) {
        if (l.top() != 1) throw l.argError(1, "expected 1 argument");
        sparseConvert = setting(l, SPARSE_CONVERT);
        sparseRatio = setting(l, SPARSE_RATIO);
        sparseSafe = setting(l, SPARSE_SAFE);
        encodeMaxDepth = setting(l, ENCODE_MAX_DEPTH);
        precision = setting(l, PRECISION);
        encodeInvalidNumbers = setting(l, ENCODE_INVALID);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        appendData(l, out, 0);
        l.pushBytes(out.toByteArray());
        return 1;
    }

    private LuaError encodeError(Lua l, int index, String reason) {
        return l.error("Cannot serialise " + Lua.typeName(l.type(index)) + ": " + reason);
    }

    /** Appends the value on top of the stack (left there). */
    private void appendData(Lua l, ByteArrayOutputStream out, int depth) {
        switch (l.type(-1)) {
            case LuaNative.TSTRING -> appendString(out, l.toBytes(-1));
            case LuaNative.TNUMBER -> appendNumber(l, out, -1);
            case LuaNative.TBOOLEAN -> out.writeBytes(ascii(l.toBoolean(-1) ? "true" : "false"));
            case LuaNative.TTABLE -> {
                depth++;
                if (depth > encodeMaxDepth || !l.checkStack(3)) {
                    throw l.error("Cannot serialise, excessive nesting (" + depth + ")");
                }
                int len = arrayLength(l);
                if (len > 0) appendArray(l, out, depth, len);
                else appendObject(l, out, depth);
            }
            case LuaNative.TNIL -> out.writeBytes(ascii("null"));
            case LuaNative.TLIGHTUSERDATA -> {
                if (l.toUserdata(-1).address() == 0) {
                    out.writeBytes(ascii("null"));
                    break;
                }
                throw encodeError(l, -1, "type not supported");
            }
            default -> throw encodeError(l, -1, "type not supported");
        }
    }

    private void appendNumber(Lua l, ByteArrayOutputStream out, int index) {
        double d = l.toNumber(index);
        if (encodeInvalidNumbers == 0) {
            if (Double.isInfinite(d) || Double.isNaN(d)) throw encodeError(l, index, "must not be NaN or Inf");
        } else if (encodeInvalidNumbers == 1) {
            if (Double.isNaN(d)) {
                out.writeBytes(ascii("nan"));
                return;
            }
        } else if (Double.isInfinite(d) || Double.isNaN(d)) {
            out.writeBytes(ascii("null"));
            return;
        }
        out.writeBytes(formatNumber(l, d, precision));
    }

    /** "%.{precision}g": Lua's own formatting when it is 14 (LUA_NUMBER_FMT), else Java's equivalent. */
    static byte[] formatNumber(Lua l, double d, int precision) {
        if (precision == 14) {
            l.pushNumber(d);
            byte[] b = l.toBytes(-1);
            l.pop(1);
            return b;
        }
        if (Double.isInfinite(d)) return ascii(d > 0 ? "inf" : "-inf");
        if (Double.isNaN(d)) return ascii(Double.doubleToRawLongBits(d) < 0 ? "-nan" : "nan");
        return ascii(io.larder.util.Numbers.formatG(d, precision));
    }

    private static final String[] ESCAPES = new String[256];

    static {
        for (int c = 0; c < 32; c++) ESCAPES[c] = String.format("\\u%04x", c);
        ESCAPES['\b'] = "\\b";
        ESCAPES['\t'] = "\\t";
        ESCAPES['\n'] = "\\n";
        ESCAPES['\f'] = "\\f";
        ESCAPES['\r'] = "\\r";
        ESCAPES['"'] = "\\\"";
        ESCAPES['\\'] = "\\\\";
        ESCAPES['/'] = "\\/";
        ESCAPES[127] = "\\u007f";
    }

    private static void appendString(ByteArrayOutputStream out, byte[] s) {
        out.write('"');
        for (byte x : s) {
            String e = ESCAPES[x & 0xFF];
            if (e != null) out.writeBytes(ascii(e));
            else out.write(x);
        }
        out.write('"');
    }

    /** lua_array_length: the array size, 0 for an empty table, -1 when it is not an array. */
    private int arrayLength(Lua l) {
        int max = 0;
        int items = 0;
        l.pushNil();
        while (l.next(-2)) {
            if (l.type(-2) == LuaNative.TNUMBER) {
                double k = l.toNumber(-2);
                if (k != 0 && Math.floor(k) == k && k >= 1) {
                    if (k > max) max = (int) Math.min(k, Integer.MAX_VALUE);
                    items++;
                    l.pop(1);
                    continue;
                }
            }
            l.pop(2);
            return -1;
        }
        if (sparseRatio > 0 && max > (long) items * sparseRatio && max > sparseSafe) {
            if (sparseConvert == 0) throw encodeError(l, -1, "excessively sparse array");
            return -1;
        }
        return max;
    }

    private void appendArray(Lua l, ByteArrayOutputStream out, int depth, int len) {
        out.write('[');
        for (int i = 1; i <= len; i++) {
            if (i > 1) out.write(',');
            l.rawGetI(-1, i);
            appendData(l, out, depth);
            l.pop(1);
        }
        out.write(']');
    }

    private void appendObject(Lua l, ByteArrayOutputStream out, int depth) {
        out.write('{');
        boolean comma = false;
        l.pushNil();
        while (l.next(-2)) {
            if (comma) out.write(',');
            else comma = true;
            int kt = l.type(-2);
            if (kt == LuaNative.TNUMBER) {
                out.write('"');
                appendNumber(l, out, -2);
                out.writeBytes(ascii("\":"));
            } else if (kt == LuaNative.TSTRING) {
                // Copy the key before reading it: lua_next must see it unchanged.
                l.pushValue(-2);
                appendString(out, l.toBytes(-1));
                l.pop(1);
                out.write(':');
            } else {
                throw encodeError(l, -2, "table key must be a number or string");
            }
            appendData(l, out, depth);
            l.pop(1);
        }
        out.write('}');
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------ decoding

    private static final int T_OBJ_BEGIN = 0, T_OBJ_END = 1, T_ARR_BEGIN = 2, T_ARR_END = 3, T_STRING = 4,
            T_NUMBER = 5, T_BOOLEAN = 6, T_NULL = 7, T_COLON = 8, T_COMMA = 9, T_END = 10, T_WHITESPACE = 11,
            T_ERROR = 12, T_UNKNOWN = 13;
    private static final String[] TOKEN_NAMES = {"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING",
        "T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END", "T_WHITESPACE", "T_ERROR", "T_UNKNOWN"};
    private static final int[] CH2TOKEN = new int[256];

    static {
        java.util.Arrays.fill(CH2TOKEN, T_ERROR);
        CH2TOKEN['{'] = T_OBJ_BEGIN;
        CH2TOKEN['}'] = T_OBJ_END;
        CH2TOKEN['['] = T_ARR_BEGIN;
        CH2TOKEN[']'] = T_ARR_END;
        CH2TOKEN[','] = T_COMMA;
        CH2TOKEN[':'] = T_COLON;
        CH2TOKEN[0] = T_END;
        CH2TOKEN[' '] = T_WHITESPACE;
        CH2TOKEN['\t'] = T_WHITESPACE;
        CH2TOKEN['\n'] = T_WHITESPACE;
        CH2TOKEN['\r'] = T_WHITESPACE;
        for (char c : "\"+-0123456789fiInNt".toCharArray()) CH2TOKEN[c] = T_UNKNOWN;
    }

    /** The parser over the string's bytes, NUL-terminated as lua-cjson sees them. */
    private final class Parser {
        final Lua l;
        final byte[] data;
        int ptr;
        int depth;
        // the current token
        int type;
        int index;
        String error;
        byte[] string;
        double number;
        boolean bool;

        Parser(Lua l, byte[] s) {
            this.l = l;
            this.data = java.util.Arrays.copyOf(s, s.length + 1);
        }

        int at(int i) {
            return i < data.length ? data[i] & 0xFF : 0;
        }

        void next() {
            int ch;
            while (true) {
                ch = at(ptr);
                type = CH2TOKEN[ch];
                if (type != T_WHITESPACE) break;
                ptr++;
            }
            index = ptr;
            if (type == T_ERROR) {
                setError("invalid token");
                return;
            }
            if (type == T_END) return;
            if (type != T_UNKNOWN) {
                ptr++;
                return;
            }
            if (ch == '"') {
                stringToken();
            } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
                if (!decodeInvalidNumbers && invalidNumber()) {
                    setError("invalid number");
                    return;
                }
                numberToken();
            } else if (startsWith("true")) {
                type = T_BOOLEAN;
                bool = true;
                ptr += 4;
            } else if (startsWith("false")) {
                type = T_BOOLEAN;
                bool = false;
                ptr += 5;
            } else if (startsWith("null")) {
                type = T_NULL;
                ptr += 4;
            } else if (decodeInvalidNumbers && invalidNumber()) {
                numberToken();
            } else {
                setError("invalid token");
            }
        }

        void setError(String e) {
            type = T_ERROR;
            index = ptr;
            error = e;
        }

        boolean startsWith(String s) {
            for (int i = 0; i < s.length(); i++) if (at(ptr + i) != s.charAt(i)) return false;
            return true;
        }

        boolean startsWithIgnoreCase(int p, String s) {
            for (int i = 0; i < s.length(); i++) if (Character.toLowerCase(at(p + i)) != s.charAt(i)) return false;
            return true;
        }

        boolean invalidNumber() {
            int p = ptr;
            if (at(p) == '+') return true;
            if (at(p) == '-') p++;
            if (at(p) == '0') {
                int ch2 = at(p + 1);
                return (ch2 | 0x20) == 'x' || (ch2 >= '0' && ch2 <= '9');
            } else if (at(p) <= '9') {
                return false;
            }
            return startsWithIgnoreCase(p, "inf") || startsWithIgnoreCase(p, "nan");
        }

        void numberToken() {
            int[] end = new int[1];
            double d = Strtod.parse(data, ptr, end);
            type = T_NUMBER;
            number = d;
            if (end[0] == ptr) setError("invalid number");
            else ptr = end[0];
        }

        void stringToken() {
            ptr++;
            ByteArrayOutputStream tmp = new ByteArrayOutputStream();
            int ch;
            while ((ch = at(ptr)) != '"') {
                if (ch == 0) {
                    setError("unexpected end of string");
                    return;
                }
                if (ch == '\\') {
                    int e = at(ptr + 1);
                    int t = switch (e) {
                        case '"' -> '"';
                        case '\\' -> '\\';
                        case '/' -> '/';
                        case 'b' -> '\b';
                        case 't' -> '\t';
                        case 'n' -> '\n';
                        case 'f' -> '\f';
                        case 'r' -> '\r';
                        case 'u' -> 'u';
                        default -> 0;
                    };
                    if (t == 'u') {
                        if (unicodeEscape(tmp)) continue;
                        setError("invalid unicode escape code");
                        return;
                    }
                    if (t == 0) {
                        setError("invalid escape code");
                        return;
                    }
                    ptr++;
                    ch = t;
                }
                tmp.write(ch);
                ptr++;
            }
            ptr++;
            type = T_STRING;
            string = tmp.toByteArray();
        }

        int hex4(int p) {
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int c = at(p + i);
                int d = Character.digit(c, 16);
                if (d < 0 || c > 127) return -1;
                v = v << 4 | d;
            }
            return v;
        }

        boolean unicodeEscape(ByteArrayOutputStream tmp) {
            int cp = hex4(ptr + 2);
            int escapeLen = 6;
            if (cp < 0) return false;
            if ((cp & 0xF800) == 0xD800) {
                if ((cp & 0x400) != 0) return false;
                if (at(ptr + escapeLen) != '\\' || at(ptr + escapeLen + 1) != 'u') return false;
                int low = hex4(ptr + 2 + escapeLen);
                if (low < 0 || (low & 0xFC00) != 0xDC00) return false;
                cp = (((cp & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
                escapeLen = 12;
            }
            if (cp <= 0x7F) {
                tmp.write(cp);
            } else if (cp <= 0x7FF) {
                tmp.write(0xC0 | (cp >> 6));
                tmp.write(0x80 | (cp & 0x3F));
            } else if (cp <= 0xFFFF) {
                tmp.write(0xE0 | (cp >> 12));
                tmp.write(0x80 | ((cp >> 6) & 0x3F));
                tmp.write(0x80 | (cp & 0x3F));
            } else if (cp <= 0x1FFFFF) {
                tmp.write(0xF0 | (cp >> 18));
                tmp.write(0x80 | ((cp >> 12) & 0x3F));
                tmp.write(0x80 | ((cp >> 6) & 0x3F));
                tmp.write(0x80 | (cp & 0x3F));
            } else {
                return false;
            }
            ptr += escapeLen;
            return true;
        }

        LuaError parseError(String expected) {
            String found = type == T_ERROR ? error : TOKEN_NAMES[type];
            return l.error("Expected " + expected + " but found " + found + " at character " + (index + 1));
        }

        void descend(int slots) {
            depth++;
            if (depth <= decodeMaxDepth && l.checkStack(slots)) return;
            throw l.error("Found too many nested data structures (" + depth + ") at character " + ptr);
        }

        void value() {
            switch (type) {
                case T_STRING -> l.pushBytes(string);
                case T_NUMBER -> l.pushNumber(number);
                case T_BOOLEAN -> l.pushBoolean(bool);
                case T_OBJ_BEGIN -> object();
                case T_ARR_BEGIN -> array();
                case T_NULL -> l.pushLightUserdata(MemorySegment.NULL);
                default -> throw parseError("value");
            }
        }

        void object() {
            descend(3);
            l.newTable(0, 0);
            next();
            if (type == T_OBJ_END) {
                depth--;
                return;
            }
            while (true) {
                if (type != T_STRING) throw parseError("object key string");
                l.pushBytes(string);
                next();
                if (type != T_COLON) throw parseError("colon");
                next();
                value();
                l.rawset(-3);
                next();
                if (type == T_OBJ_END) {
                    depth--;
                    return;
                }
                if (type != T_COMMA) throw parseError("comma or object end");
                next();
            }
        }

        void array() {
            descend(2);
            l.newTable(0, 0);
            next();
            if (type == T_ARR_END) {
                depth--;
                return;
            }
            for (int i = 1;; i++) {
                value();
                l.rawSetI(-2, i);
                next();
                if (type == T_ARR_END) {
                    depth--;
                    return;
                }
                if (type != T_COMMA) throw parseError("comma or array end");
                next();
            }
        }
    }

    private int decode(Lua l) {
        if (l.top() != 1) throw l.argError(1, "expected 1 argument");
        decodeMaxDepth = setting(l, DECODE_MAX_DEPTH);
        decodeInvalidNumbers = setting(l, DECODE_INVALID) == 1;
        byte[] s = l.checkBytes(1);
        if (s.length >= 2 && (s[0] == 0 || s[1] == 0)) throw l.error("JSON parser does not support UTF-16 or UTF-32");
        Parser p = new Parser(l, s);
        p.next();
        p.value();
        p.next();
        if (p.type != T_END) throw p.parseError("the end");
        return 1;
    }
}
