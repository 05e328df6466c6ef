package io.larder.script;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.Errors;
import io.larder.protocol.Args;
import io.larder.protocol.RequestParser;
import io.larder.server.LarderServer;
import io.larder.server.ScriptExecutor;
import io.larder.persist.DumpPayload;
import io.larder.persist.RdbException;
import io.larder.persist.RdbInput;
import io.larder.persist.RdbOutput;
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

    private static final int OPCODE_FUNCTION_PRE_GA = io.larder.persist.Rdb.OPCODE_FUNCTION_PRE_GA,
            OPCODE_FUNCTION2 = io.larder.persist.Rdb.OPCODE_FUNCTION2;

    /**
     * FUNCTION DUMP: Redis's payload (each library as RDB_OPCODE_FUNCTION2
     * and its code as an RDB string, LZF-compressed when that saves space,
     * then the RDB version and a CRC64), so dumps move between Redis and Larder.
     */
    public byte[] dump() {
        RdbOutput out = new RdbOutput(server.config().getBool("rdbcompression"));
        for (Library l : state.libraries().values()) {
            out.writeByte(OPCODE_FUNCTION2);
            out.writeString(l.code);
        }
        return DumpPayload.seal(out);
    }

    /** FUNCTION RESTORE's policies. */
    public enum RestorePolicy { APPEND, REPLACE, FLUSH }

    /** FUNCTION RESTORE (script thread). */
    public void restore(byte[] payload, RestorePolicy policy) {
        if (!DumpPayload.verify(payload, 0, payload.length, false)) {
            throw Errors.err("DUMP payload version or checksum are wrong");
        }
        Map<String, Library> loaded = new LinkedHashMap<>();
        Map<String, Function> loadedFns = new LinkedHashMap<>();
        RdbInput r = new RdbInput(payload, 0, payload.length - DumpPayload.FOOTER);
        try {
            while (r.remaining() > 0) {
                int type = r.readByte();
                if (type == OPCODE_FUNCTION_PRE_GA) throw Errors.err("Pre-GA function format not supported");
                if (type != OPCODE_FUNCTION2) throw Errors.err("given type is not a function");
                byte[] code;
                try {
                    code = r.readString();
                } catch (RdbException e) {
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
