package io.larder.script;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The Lua 5.1 C API of the real Lua interpreter, called through Java's
 * foreign function interface.
 *
 * <p>The interpreter is the one luajava ships on Maven Central
 * ({@code party.iroiro.luajava:lua51-platform}, natives for Linux, macOS and
 * Windows on x86-64 and ARM): plain Lua 5.1.5, which exports the whole C API
 * beside luajava's own JNI glue. Larder does not use luajava's Java API: it
 * converts strings through Java's modified UTF-8 and so is not binary safe,
 * while Redis values are arbitrary bytes. Binding the C API directly keeps
 * strings byte for byte, lets a C hook (the script time limit) and C
 * functions (redis.call and the libraries) be Java upcalls, and behaves
 * exactly like Redis's Lua: same number formatting, error messages and table
 * iteration order. See docs/architecture.md, "Scripting".
 *
 * <p>Calling rule: Lua reports errors with longjmp, which must never cross a
 * Java frame. Java therefore runs Lua code only through {@code lua_pcall}, and
 * inside upcalls uses only API functions that cannot raise (raw table access,
 * pushes). Java functions signal errors by return value; see {@link Lua}.
 */
final class LuaNative {
    private LuaNative() {}

    static final int REGISTRYINDEX = -10000;
    static final int GLOBALSINDEX = -10002;

    static final int TNONE = -1, TNIL = 0, TBOOLEAN = 1, TLIGHTUSERDATA = 2, TNUMBER = 3, TSTRING = 4, TTABLE = 5,
            TFUNCTION = 6, TUSERDATA = 7, TTHREAD = 8;
    static final int MULTRET = -1;
    static final int ERRRUN = 2, ERRSYNTAX = 3, ERRMEM = 4, ERRERR = 5;
    static final int GCSTOP = 0, GCRESTART = 1, GCCOLLECT = 2, GCCOUNT = 3, GCCOUNTB = 4, GCSTEP = 5;
    static final int MASKLINE = 1 << 2, MASKCOUNT = 1 << 3;
    /** sizeof(lua_Debug) on 64-bit platforms (LUA_IDSIZE 60), rounded up. */
    static final int DEBUG_SIZE = 128;
    static final long DEBUG_NAME = 8, DEBUG_NAMEWHAT = 16, DEBUG_WHAT = 24, DEBUG_SOURCE = 32, DEBUG_CURRENTLINE = 40;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIB = load();

    // Lua's own functions. Calls that may run Lua code (pcall, load) must not be "critical".
    static final MethodHandle newstate = h("luaL_newstate", FunctionDescriptor.of(ADDRESS));
    static final MethodHandle close = h("lua_close", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle atpanic = h("lua_atpanic", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle gettop = c("lua_gettop", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle settop = c("lua_settop", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    static final MethodHandle pushvalue = c("lua_pushvalue", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    static final MethodHandle remove = c("lua_remove", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    static final MethodHandle insert = c("lua_insert", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    static final MethodHandle replace = c("lua_replace", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    static final MethodHandle checkstack = h("lua_checkstack", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle type = c("lua_type", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle isnumber = c("lua_isnumber", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle isstring = c("lua_isstring", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle toboolean = c("lua_toboolean", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle tonumber = c("lua_tonumber", FunctionDescriptor.of(JAVA_DOUBLE, ADDRESS, JAVA_INT));
    static final MethodHandle tolstring = h("lua_tolstring", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
    static final MethodHandle objlen = c("lua_objlen", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT));
    static final MethodHandle touserdata = c("lua_touserdata", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle topointer = c("lua_topointer", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle rawequal = c("lua_rawequal", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    static final MethodHandle pushnil = c("lua_pushnil", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle pushnumber = c("lua_pushnumber", FunctionDescriptor.ofVoid(ADDRESS, JAVA_DOUBLE));
    static final MethodHandle pushboolean = c("lua_pushboolean", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    static final MethodHandle pushlightuserdata =
            c("lua_pushlightuserdata", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
    /** Heap access allowed: byte arrays are pushed without a copy through native memory. */
    static final MethodHandle pushlstring = LINKER.downcallHandle(sym("lua_pushlstring"),
            FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG), Linker.Option.critical(true));
    static final MethodHandle pushcclosure =
            h("lua_pushcclosure", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle createtable =
            h("lua_createtable", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT));
    static final MethodHandle rawget = h("lua_rawget", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    static final MethodHandle rawgeti = h("lua_rawgeti", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT));
    static final MethodHandle rawset = h("lua_rawset", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    static final MethodHandle rawseti = h("lua_rawseti", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT));
    static final MethodHandle next = h("lua_next", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle getmetatable = h("lua_getmetatable", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle setmetatable = h("lua_setmetatable", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle pcall =
            h("lua_pcall", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle loadbuffer =
            h("luaL_loadbuffer", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    static final MethodHandle gc = h("lua_gc", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    static final MethodHandle dump = h("lua_dump", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle sethook =
            h("lua_sethook", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
    static final MethodHandle getstack = h("lua_getstack", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    static final MethodHandle getinfo = h("lua_getinfo", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));

    /** The standard libraries Redis opens (not io, os, package). */
    static final MemorySegment OPEN_BASE = sym("luaopen_base"), OPEN_TABLE = sym("luaopen_table"),
            OPEN_STRING = sym("luaopen_string"), OPEN_MATH = sym("luaopen_math"), OPEN_DEBUG = sym("luaopen_debug");

    static Linker linker() {
        return LINKER;
    }

    private static MethodHandle h(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(sym(name), d);
    }

    /** Short calls that neither allocate much nor call back: no thread-state transition. */
    private static MethodHandle c(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(sym(name), d, Linker.Option.critical(false));
    }

    private static MemorySegment sym(String name) {
        return LIB.find(name).orElseThrow(() -> new IllegalStateException("Lua library lacks " + name));
    }

    /** The native library's file name inside the natives jar, for this platform. */
    static String libraryName() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
        if (os.contains("win")) return arm64 ? "lua51arm64.dll" : x64 ? "lua5164.dll" : "lua51.dll";
        if (os.contains("mac") || os.contains("darwin")) return arm64 ? "liblua51arm64.dylib" : "liblua5164.dylib";
        if (arm64) return "liblua51arm64.so";
        if (arch.startsWith("arm")) return "liblua51arm.so";
        return x64 ? "liblua5164.so" : "liblua51.so";
    }

    private static SymbolLookup load() {
        String name = libraryName();
        try (InputStream in = LuaNative.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("Lua native library " + name + " not on the classpath");
            String suffix = name.substring(name.lastIndexOf('.'));
            Path tmp = Files.createTempFile("larder-lua51-", suffix);
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return SymbolLookup.libraryLookup(tmp, Arena.global());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
