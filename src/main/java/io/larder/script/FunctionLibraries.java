package io.larder.script;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.Errors;
import io.larder.protocol.Args;
import io.larder.protocol.RequestParser;
import io.larder.server.LarderServer;
import io.larder.server.ScriptExecutor;
import io.larder.util.Crc64;
import io.larder.util.Lzf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Redis 7 functions (function.c, function_lua.c): libraries of Lua functions
 * loaded with FUNCTION LOAD from "#!lua name=..." code, registered with
 * redis.register_function, called with FCALL. One Lua state holds every
 * library. The set of libraries is an immutable snapshot replaced on every
 * change, so FUNCTION LIST, DUMP, STATS and FCALL's lookup read it from any
 * thread; changes and calls happen on the script thread.
 */
public final class FunctionLibraries {
    /** A registered function. */
    public record Function(String name, int ref, String description, long flags, Library library) {}

    /** A library: its name, its full code (shebang included) and its functions in registration order. */
    public static final class Library {
        public final String name;
        public final byte[] code;
        final Map<String, Function> functions = new LinkedHashMap<>();

        Library(String name, byte[] code) {
            this.name = name;
            this.code = code;
        }

        public List<Function> functions() {
            return List.copyOf(functions.values());
        }
    }

    /** The libraries (by name) and functions (by lower-case name: FCALL ignores case). */
    private record State(Map<String, Library> libraries, Map<String, Function> functions) {}

    private static final String NAME_ERROR =
            "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

    private final LarderServer server;
    private volatile State state = new State(Map.of(), Map.of());
    private RedisLua lua;
    private volatile long luaMemory;

    public FunctionLibraries(LarderServer server) {
        this.server = server;
        var m = server.metrics();
        m.register("number_of_functions", () -> state.functions().size());
        m.register("number_of_libraries", () -> state.libraries().size());
        m.register("used_memory_vm_functions", () -> luaMemory);
        m.register("used_memory_functions", this::overhead);
    }

    private RedisLua lua() {
        if (lua == null) {
            lua = new RedisLua(server, RedisLua.Mode.FUNCTION);
            luaMemory = lua.memory();
        }
        return lua;
    }

    /** Memory of the libraries' metadata and code (INFO used_memory_functions), approximately as Redis counts it. */
    private long overhead() {
        long n = 0;
        for (Library l : state.libraries().values()) n += 64 + l.code.length + 96L * l.functions.size();
        return n;
    }

    public Function function(String name) {
        return state.functions().get(name.toLowerCase(Locale.ROOT));
    }

    public List<Library> libraries() {
        return List.copyOf(state.libraries().values());
    }

    public int functionCount() {
        return state.functions().size();
    }

    // ------------------------------------------------------------ FUNCTION LOAD

    /** FUNCTION LOAD [REPLACE]: returns the library's name; errors are the command's (script thread). */
    public String load(byte[] code, boolean replace) {
        State s = state;
        Map<String, Library> libs = new LinkedHashMap<>(s.libraries());
        Map<String, Function> fns = new LinkedHashMap<>(s.functions());
        Library lib = create(code, replace, libs, fns, RedisLua.LOAD_TIMEOUT_MS);
        link(lib, libs, fns);
        state = new State(Collections.unmodifiableMap(libs), Collections.unmodifiableMap(fns));
        return lib.name;
    }

    /**
     * Redis's functionsCreateWithLibraryCtx: compiles and runs the library's
     * code into {@code libs}/{@code fns} (a replaced library is removed from
     * them). Throws with Redis's message; on failure nothing is left behind.
     */
    private Library create(byte[] code, boolean replace, Map<String, Library> libs, Map<String, Function> fns,
            long timeoutMs) {
        String[] meta = metadata(code);
        String name = meta[0], engine = meta[1];
        int codeStart = Integer.parseInt(meta[2]);
        if (!validName(name)) throw Errors.err(NAME_ERROR);
        if (!engine.equalsIgnoreCase("LUA")) throw Errors.err("Engine '" + engine + "' not found");
        Library old = libs.get(name);
        if (old != null && !replace) throw Errors.err("Library '" + name + "' already exists");
        if (old != null) unlink(old, libs, fns);
        Library lib = new Library(name, code);
        boolean ok = false;
        try {
            RedisLua l = lua();
            String err = l.loadLibrary(code, codeStart, code.length - codeStart, (fname, ref, desc, flags) -> {
                if (!validName(fname)) return NAME_ERROR;
                String key = fname.toLowerCase(Locale.ROOT);
                if (lib.functions.containsKey(key)) return "Function already exists in the library";
                lib.functions.put(key, new Function(fname, ref, desc, flags, lib));
                return null;
            }, timeoutMs);
            if (err != null) throw new CommandError("ERR " + err);
            if (lib.functions.isEmpty()) throw Errors.err("No functions registered");
            for (Function f : lib.functions.values()) {
                if (fns.containsKey(f.name().toLowerCase(Locale.ROOT))) {
                    throw Errors.err("Function " + f.name() + " already exists");
                }
            }
            ok = true;
            return lib;
        } finally {
            if (!ok) {
                drop(lib);
                if (old != null) link(old, libs, fns);
            }
            luaMemory = lua == null ? 0 : lua.memory();
        }
    }

    /** Redis's functionExtractLibMetaData: {name, engine, offset of the code after the shebang line}. */
    static String[] metadata(byte[] code) {
        if (code.length < 2 || code[0] != '#' || code[1] != '!') throw Errors.err("Missing library metadata");
        int nl = -1;
        for (int i = 0; i < code.length; i++) {
            if (code[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) throw Errors.err("Invalid library metadata");
        List<String> parts = RequestParser.splitLine(new String(code, 0, nl, StandardCharsets.ISO_8859_1));
        if (parts == null || parts.isEmpty()) throw Errors.err("Invalid library metadata");
        String engine = parts.get(0).substring(Math.min(2, parts.get(0).length()));
        String name = null;
        for (int i = 1; i < parts.size(); i++) {
            String p = parts.get(i);
            if (p.regionMatches(true, 0, "name=", 0, 5)) {
                if (name != null) throw Errors.err("Invalid metadata value, name argument was given multiple times");
                name = p.substring(5);
                continue;
            }
            throw Errors.err("Invalid metadata value given: " + p);
        }
        if (name == null) throw Errors.err("Library name was not given");
        return new String[] {name, engine, String.valueOf(nl)};
    }

    /** Redis's functionsVerifyName: letters, digits and underscores, at least one. */
    static boolean validName(String name) {
        if (name.isEmpty()) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
        }
        return true;
    }

    private static void link(Library lib, Map<String, Library> libs, Map<String, Function> fns) {
        libs.put(lib.name, lib);
        for (Map.Entry<String, Function> e : lib.functions.entrySet()) fns.put(e.getKey(), e.getValue());
    }

    private static void unlink(Library lib, Map<String, Library> libs, Map<String, Function> fns) {
        libs.remove(lib.name);
        for (String k : lib.functions.keySet()) fns.remove(k);
    }

    /** Releases a library's compiled functions. */
    private void drop(Library lib) {
        if (lua == null) return;
        for (Function f : lib.functions.values()) lua.unref(f.ref());
    }

    // ------------------------------------------------------------ DELETE, FLUSH

    public void delete(String name) {
        State s = state;
        Library lib = s.libraries().get(name);
        if (lib == null) throw Errors.err("Library not found");
        Map<String, Library> libs = new LinkedHashMap<>(s.libraries());
        Map<String, Function> fns = new LinkedHashMap<>(s.functions());
        unlink(lib, libs, fns);
        state = new State(Collections.unmodifiableMap(libs), Collections.unmodifiableMap(fns));
        drop(lib);
        if (lua != null) lua.collect();
        luaMemory = lua == null ? 0 : lua.memory();
    }

    /** FUNCTION FLUSH: every library goes, with the Lua state. */
    public void flush() {
        state = new State(Map.of(), Map.of());
        if (lua != null) {
            lua.close();
            lua = null;
        }
        luaMemory = 0;
    }

    // ------------------------------------------------------------ DUMP, RESTORE

    private static final int OPCODE_FUNCTION_PRE_GA = 246, OPCODE_FUNCTION2 = 245;
    /** RDB_VERSION of Redis 7.0: DUMP payloads carry it. */
    public static final int RDB_VERSION = 10;

    /**
     * FUNCTION DUMP: Redis's payload (each library as RDB_OPCODE_FUNCTION2
     * and its code as an RDB string, LZF-compressed when that saves space,
     * then the RDB version and a CRC64), so dumps move between Redis and Larder.
     */
    public byte[] dump() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Library l : state.libraries().values()) {
            out.write(OPCODE_FUNCTION2);
            writeRdbString(out, l.code);
        }
        out.write(RDB_VERSION & 0xff);
        out.write(RDB_VERSION >> 8);
        byte[] body = out.toByteArray();
        long crc = Crc64.of(body, 0, body.length);
        for (int i = 0; i < 8; i++) out.write((int) (crc >>> (8 * i)) & 0xff);
        return out.toByteArray();
    }

    /** Redis's rdbSaveRawString: integer encoding for short numbers, LZF above 20 bytes, else verbatim. */
    static void writeRdbString(ByteArrayOutputStream out, byte[] s) {
        if (s.length <= 11) {
            byte[] enc = intEncoding(s);
            if (enc != null) {
                out.writeBytes(enc);
                return;
            }
        }
        if (s.length > 20) {
            // Compressed only if it saves at least 4 bytes (rdbSaveLzfStringObject).
            if (s.length > 4) {
                byte[] comp = new byte[s.length - 4];
                int clen = Lzf.compress(s, s.length, comp);
                if (clen > 0) {
                    out.write(0xC0 | 3);
                    writeLength(out, clen);
                    writeLength(out, s.length);
                    out.write(comp, 0, clen);
                    return;
                }
            }
        }
        writeLength(out, s.length);
        out.writeBytes(s);
    }

    /** rdbTryIntegerEncoding: a string that is a canonical integer in 32 bits. */
    private static byte[] intEncoding(byte[] s) {
        String str = new String(s, StandardCharsets.ISO_8859_1);
        long v;
        try {
            v = Long.parseLong(str);
        } catch (NumberFormatException e) {
            return null;
        }
        if (!Long.toString(v).equals(str)) return null;
        if (v >= -(1 << 7) && v <= (1 << 7) - 1) return new byte[] {(byte) 0xC0, (byte) v};
        if (v >= -(1 << 15) && v <= (1 << 15) - 1) return new byte[] {(byte) 0xC1, (byte) v, (byte) (v >> 8)};
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            return new byte[] {(byte) 0xC2, (byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
        }
        return null;
    }

    /** rdbSaveLen. */
    static void writeLength(ByteArrayOutputStream out, long len) {
        if (len < (1 << 6)) {
            out.write((int) len);
        } else if (len < (1 << 14)) {
            out.write((int) ((len >> 8) | 0x40));
            out.write((int) len & 0xff);
        } else if (len <= 0xFFFFFFFFL) {
            out.write(0x80);
            for (int i = 3; i >= 0; i--) out.write((int) (len >>> (8 * i)) & 0xff);
        } else {
            out.write(0x81);
            for (int i = 7; i >= 0; i--) out.write((int) (len >>> (8 * i)) & 0xff);
        }
    }

    /** Reads RDB data: lengths and strings. */
    private static final class RdbReader {
        final byte[] b;
        int pos;
        final int end;

        RdbReader(byte[] b, int end) {
            this.b = b;
            this.end = end;
        }

        int u8() {
            if (pos >= end) throw new IllegalArgumentException("truncated");
            return b[pos++] & 0xff;
        }

        /** rdbLoadLen; encoded[0] tells whether it was an encoding type rather than a length. */
        long length(boolean[] encoded) {
            int t = u8();
            int kind = (t & 0xC0) >> 6;
            encoded[0] = false;
            switch (kind) {
                case 0:
                    return t & 0x3F;
                case 1:
                    return ((long) (t & 0x3F) << 8) | u8();
                case 3:
                    encoded[0] = true;
                    return t & 0x3F;
                default:
                    if (t == 0x80) {
                        long v = 0;
                        for (int i = 0; i < 4; i++) v = (v << 8) | u8();
                        return v;
                    }
                    if (t == 0x81) {
                        long v = 0;
                        for (int i = 0; i < 8; i++) v = (v << 8) | u8();
                        return v;
                    }
                    throw new IllegalArgumentException("bad length");
            }
        }

        byte[] string() {
            boolean[] enc = new boolean[1];
            long len = length(enc);
            if (enc[0]) {
                switch ((int) len) {
                    case 0:
                        return Long.toString((byte) u8()).getBytes(StandardCharsets.ISO_8859_1);
                    case 1: {
                        int v = u8() | (u8() << 8);
                        return Long.toString((short) v).getBytes(StandardCharsets.ISO_8859_1);
                    }
                    case 2: {
                        int v = u8() | (u8() << 8) | (u8() << 16) | (u8() << 24);
                        return Long.toString(v).getBytes(StandardCharsets.ISO_8859_1);
                    }
                    case 3: {
                        long clen = length(enc);
                        long ulen = length(enc);
                        if (clen > end - pos || ulen > Integer.MAX_VALUE) throw new IllegalArgumentException("bad lzf");
                        byte[] out = Lzf.decompress(b, pos, (int) clen, (int) ulen);
                        if (out == null) throw new IllegalArgumentException("bad lzf");
                        pos += (int) clen;
                        return out;
                    }
                    default:
                        throw new IllegalArgumentException("bad encoding");
                }
            }
            if (len > end - pos) throw new IllegalArgumentException("truncated");
            byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + (int) len);
            pos += (int) len;
            return out;
        }
    }

    /** FUNCTION RESTORE's policies. */
    public enum RestorePolicy { APPEND, REPLACE, FLUSH }

    /** FUNCTION RESTORE (script thread). */
    public void restore(byte[] payload, RestorePolicy policy) {
        if (!verifyPayload(payload)) throw Errors.err("DUMP payload version or checksum are wrong");
        Map<String, Library> loaded = new LinkedHashMap<>();
        Map<String, Function> loadedFns = new LinkedHashMap<>();
        int end = payload.length - 10;
        RdbReader r = new RdbReader(payload, end);
        try {
            while (r.pos < end) {
                int type = r.u8();
                if (type == OPCODE_FUNCTION_PRE_GA) throw Errors.err("Pre-GA function format not supported");
                if (type != OPCODE_FUNCTION2) throw Errors.err("given type is not a function");
                byte[] code;
                try {
                    code = r.string();
                } catch (IllegalArgumentException e) {
                    throw Errors.err("failed loading the given functions payload");
                }
                Library lib = create(code, false, loaded, loadedFns, 0);
                link(lib, loaded, loadedFns);
            }
        } catch (RuntimeException e) {
            for (Library l : loaded.values()) drop(l);
            throw e;
        }
        State s = state;
        if (policy == RestorePolicy.FLUSH) {
            for (Library l : s.libraries().values()) drop(l);
            state = new State(Collections.unmodifiableMap(loaded), Collections.unmodifiableMap(loadedFns));
            luaMemory = lua == null ? 0 : lua.memory();
            return;
        }
        Map<String, Library> libs = new LinkedHashMap<>(s.libraries());
        Map<String, Function> fns = new LinkedHashMap<>(s.functions());
        List<Library> replaced = new ArrayList<>();
        for (Library l : loaded.values()) {
            Library old = libs.get(l.name);
            if (old == null) continue;
            if (policy != RestorePolicy.REPLACE) {
                for (Library x : loaded.values()) drop(x);
                throw Errors.err("Library " + l.name + " already exists");
            }
            unlink(old, libs, fns);
            replaced.add(old);
        }
        for (Function f : loadedFns.values()) {
            if (fns.containsKey(f.name().toLowerCase(Locale.ROOT))) {
                for (Library x : loaded.values()) drop(x);
                throw Errors.err("Function " + f.name() + " already exists");
            }
        }
        for (Library l : loaded.values()) link(l, libs, fns);
        state = new State(Collections.unmodifiableMap(libs), Collections.unmodifiableMap(fns));
        for (Library old : replaced) drop(old);
        luaMemory = lua == null ? 0 : lua.memory();
    }

    /** Redis's verifyDumpPayload: version not newer than ours and a matching CRC64. */
    static boolean verifyPayload(byte[] p) {
        if (p.length < 10) return false;
        int ver = (p[p.length - 10] & 0xff) | (p[p.length - 9] & 0xff) << 8;
        if (ver > RDB_VERSION) return false;
        long crc = Crc64.of(p, 0, p.length - 8);
        long stored = 0;
        for (int i = 7; i >= 0; i--) stored = (stored << 8) | (p[p.length - 8 + i] & 0xff);
        return crc == stored;
    }

    // ------------------------------------------------------------ FCALL

    /** Runs a function for the client of {@code c} (script thread, keyspace exclusive). */
    public void call(CommandContext c, Function f, boolean readOnly, Args a, int numKeys) {
        ScriptExecutor.Run busy = new ScriptExecutor.Run(false, f.name(), c.client(), a);
        try {
            lua().call(c, f.ref(), busy, readOnly, f.flags(), a, 3, numKeys);
        } finally {
            luaMemory = lua.memory();
        }
    }
}
