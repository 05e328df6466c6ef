package io.larder.script;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.larder.server.Log;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One Lua 5.1 state and the Java side of its C API: stack operations with
 * binary-safe strings, Java functions callable from Lua, and the debug
 * information Lua's own error messages use.
 *
 * <p>A state is used by one thread at a time (the script thread). Every call
 * works on the Lua thread currently running ({@link #L}): the main state, or
 * a coroutine while a Java function called from it runs.
 *
 * <h2>Java functions and errors</h2>
 * Java functions are C closures whose single upvalue names them; one upcall
 * stub dispatches them all. A Java function cannot raise a Lua error itself
 * (longjmp must not cross Java frames), so it throws {@link LuaError} and the
 * stub returns {@code (SENTINEL, error)}; each Java function is wrapped in a
 * small Lua function (see prelude.lua) that raises that error with
 * {@code error(e, 0)}. Messages are formatted here with luaL_where's position
 * of the first frame outside those wrappers, so they read exactly as when
 * Redis's C functions raise them.
 */
public final class Lua implements AutoCloseable {
    /** Source name of Larder's own Lua code: frames with it are skipped in error positions. */
    static final String INTERNAL_SOURCE = "=larder";

    /** A function implemented in Java, called from Lua. */
    @FunctionalInterface
    public interface JavaFunction {
        /** Reads arguments at 1..top(), pushes results and returns how many; throws LuaError to raise. */
        int call(Lua lua);
    }

    private static final Arena ARENA = Arena.global();
    private static final MemorySegment DISPATCH;
    private static final MemorySegment HOOK;
    private static final MemorySegment PANIC;
    private static final MemorySegment WRITER;
    /** Where the writer upcall appends lua_dump's output (one dump at a time: the script thread). */
    private static java.io.ByteArrayOutputStream dumpTarget;
    /** The first value a Java function returns to ask its wrapper to raise the second. */
    static final MemorySegment SENTINEL;
    private static final Lua[] ENGINES = new Lua[64];
    /** The state whose script is running (hooks find their engine through it). */
    private static Lua running;

    static {
        try {
            var lookup = MethodHandles.lookup();
            DISPATCH = LuaNative.linker().upcallStub(
                    lookup.findStatic(Lua.class, "dispatch", MethodType.methodType(int.class, MemorySegment.class)),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS), ARENA);
            HOOK = LuaNative.linker().upcallStub(lookup.findStatic(Lua.class, "hook",
                    MethodType.methodType(void.class, MemorySegment.class, MemorySegment.class)),
                    FunctionDescriptor.ofVoid(ADDRESS, ADDRESS), ARENA);
            PANIC = LuaNative.linker().upcallStub(
                    lookup.findStatic(Lua.class, "panic", MethodType.methodType(int.class, MemorySegment.class)),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS), ARENA);
            WRITER = LuaNative.linker().upcallStub(lookup.findStatic(Lua.class, "writer",
                    MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class, long.class,
                            MemorySegment.class)),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), ARENA);
            SENTINEL = ARENA.allocate(8);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The main state. */
    private final MemorySegment main;
    /** The Lua thread Java is working on now (the main state or a coroutine). */
    private MemorySegment L;
    private final int id;
    private final List<JavaFunction> functions = new ArrayList<>();
    private final MemorySegment sizeOut = ARENA.allocate(JAVA_LONG);
    private final MemorySegment debug = ARENA.allocate(LuaNative.DEBUG_SIZE);
    private Runnable hookHandler;
    private boolean closed;

    public Lua() {
        try {
            main = (MemorySegment) LuaNative.newstate.invokeExact();
            MemorySegment ignored = (MemorySegment) LuaNative.atpanic.invokeExact(main, PANIC);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot create a Lua state", e);
        }
        if (main.address() == 0) throw new IllegalStateException("cannot create a Lua state: out of memory");
        L = main;
        synchronized (ENGINES) {
            int free = -1;
            for (int i = 0; i < ENGINES.length; i++) {
                if (ENGINES[i] == null) {
                    free = i;
                    break;
                }
            }
            if (free < 0) throw new IllegalStateException("too many Lua states");
            ENGINES[free] = this;
            id = free;
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            LuaNative.close.invokeExact(main);
        } catch (Throwable e) {
            throw rethrow(e);
        }
        synchronized (ENGINES) {
            ENGINES[id] = null;
        }
    }

    // ------------------------------------------------------------ upcalls

    private static int dispatch(MemorySegment state) {
        Lua lua = null;
        MemorySegment saved = null;
        try {
            int code = (int) (double) LuaNative.tonumber.invokeExact(state, LuaNative.GLOBALSINDEX - 1);
            lua = ENGINES[code >>> 20];
            saved = lua.L;
            lua.L = state;
            JavaFunction f = lua.functions.get(code & 0xFFFFF);
            try {
                return f.call(lua);
            } catch (LuaError e) {
                return lua.raise(e);
            } catch (Throwable e) {
                Log.warning("Internal error in a Lua function implemented in Java: " + e);
                return lua.raise(LuaError.message("ERR internal error: " + e));
            }
        } catch (Throwable e) {
            // Never let an exception out of an upcall: the JVM would abort.
            Log.warning("Internal error calling Java from Lua: " + e);
            return 0;
        } finally {
            if (lua != null) lua.L = saved;
        }
    }

    /** Leaves (SENTINEL, error value) on the stack for the wrapper to raise. */
    private int raise(LuaError e) {
        settop(0);
        pushLightUserdata(SENTINEL);
        if (e.tableError != null) {
            pushErrorTable(e.tableError, e.statsCounted);
        } else {
            pushString(e.message);
        }
        return 2;
    }

    /** Pushes a Redis error table {err = "..."} (with ignore_error_stats_update when already counted). */
    void pushErrorTable(String err, boolean statsCounted) {
        newTable(0, 2);
        pushString("err");
        pushString(err);
        rawset(-3);
        if (statsCounted) {
            pushString("ignore_error_stats_update");
            pushBoolean(true);
            rawset(-3);
        }
    }

    private static void hook(MemorySegment state, MemorySegment ar) {
        Lua lua = running;
        if (lua == null || lua.hookHandler == null) return;
        MemorySegment saved = lua.L;
        lua.L = state;
        try {
            lua.hookHandler.run();
        } catch (Throwable e) {
            Log.warning("Internal error in the Lua hook: " + e);
        } finally {
            lua.L = saved;
        }
    }

    private static int writer(MemorySegment state, MemorySegment p, long size, MemorySegment ud) {
        try {
            byte[] b = new byte[(int) size];
            MemorySegment.copy(p.reinterpret(size), JAVA_BYTE, 0, b, 0, (int) size);
            dumpTarget.write(b, 0, b.length);
            return 0;
        } catch (Throwable e) {
            return 1;
        }
    }

    /** lua_dump of the function on top of the stack (left there): its precompiled chunk. */
    byte[] dump() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        dumpTarget = out;
        try {
            int r = (int) LuaNative.dump.invokeExact(L, WRITER, MemorySegment.NULL);
            if (r != 0) throw new IllegalStateException("lua_dump failed");
        } catch (Throwable e) {
            throw rethrow(e);
        } finally {
            dumpTarget = null;
        }
        return out.toByteArray();
    }

    private static int panic(MemorySegment state) {
        // Lua aborts the process after this returns, as Redis does on an unprotected error.
        Log.warning("Lua panic: an error outside any protected call; the server must stop.");
        return 0;
    }

    // ------------------------------------------------------------ Java functions

    /** Pushes a C closure that calls f (use the prelude's wrapper to make its errors real errors). */
    public void pushFunction(JavaFunction f) {
        pushClosure(register(f), 0);
    }

    /** Registers a Java function once; {@link #pushClosure} makes closures of it. */
    public int register(JavaFunction f) {
        int index = functions.size();
        if (index >= 1 << 20) throw new IllegalStateException("too many Java functions");
        functions.add(f);
        return index;
    }

    /**
     * Pushes a C closure of a registered Java function whose upvalues 2.. are
     * the {@code extra} values on top of the stack (popped); the function
     * reads them at {@link #upvalue}(2) and on.
     */
    public void pushClosure(int function, int extra) {
        pushNumber(((long) id << 20) | function);
        if (extra > 0) insert(-extra - 1);
        try {
            LuaNative.pushcclosure.invokeExact(L, DISPATCH, 1 + extra);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** The pseudo-index of upvalue n of the running C closure. */
    public static int upvalue(int n) {
        return LuaNative.GLOBALSINDEX - n;
    }

    /** Runs handler on every count hook while a script runs (see {@link #setRunning}). */
    void setHookHandler(Runnable handler) {
        this.hookHandler = handler;
    }

    /** Marks this state as the one running a script (hooks dispatch to it), or none. */
    static void setRunning(Lua lua) {
        running = lua;
    }

    /** Installs the count hook (every {@code count} instructions) on the main state, or removes it (count 0). */
    void setCountHook(int count) {
        // Locals: a conditional expression would reach invokeExact typed Object.
        MemorySegment fn = count > 0 ? HOOK : MemorySegment.NULL;
        int mask = count > 0 ? LuaNative.MASKCOUNT : 0;
        try {
            int ignored = (int) LuaNative.sethook.invokeExact(main, fn, mask, count);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    // ------------------------------------------------------------ stack

    public int top() {
        try {
            return (int) LuaNative.gettop.invokeExact(L);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public void settop(int i) {
        try {
            LuaNative.settop.invokeExact(L, i);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public void pop(int n) {
        settop(-n - 1);
    }

    public void pushValue(int i) {
        try {
            LuaNative.pushvalue.invokeExact(L, i);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public void remove(int i) {
        try {
            LuaNative.remove.invokeExact(L, i);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public void insert(int i) {
        try {
            LuaNative.insert.invokeExact(L, i);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public void replace(int i) {
        try {
            LuaNative.replace.invokeExact(L, i);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public boolean checkStack(int n) {
        try {
            return (int) LuaNative.checkstack.invokeExact(L, n) != 0;
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public int type(int i) {
        try {
            return (int) LuaNative.type.invokeExact(L, i);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** Lua's type names (lua_typename). */
    public static String typeName(int t) {
        return switch (t) {
            case LuaNative.TNONE -> "no value";
            case LuaNative.TNIL -> "nil";
            case LuaNative.TBOOLEAN -> "boolean";
            case LuaNative.TLIGHTUSERDATA, LuaNative.TUSERDATA -> "userdata";
            case LuaNative.TNUMBER -> "number";
            case LuaNative.TSTRING -> "string";
            case LuaNative.TTABLE -> "table";
            case LuaNative.TFUNCTION -> "function";
            case LuaNative.TTHREAD -> "thread";
            default -> "?";
        };
    }

    public boolean isNumber(int i) {
        try {
            return (int) LuaNative.isnumber.invokeExact(L, i) != 0;
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** True for strings and numbers (lua_isstring). */
    public boolean isString(int i) {
        try {
            return (int) LuaNative.isstring.invokeExact(L, i) != 0;
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public boolean toBoolean(int i) {
        try {
            return (int) LuaNative.toboolean.invokeExact(L, i) != 0;
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public double toNumber(int i) {
        try {
            return (double) LuaNative.tonumber.invokeExact(L, i);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /**
     * The bytes of a string (or a number, which Lua converts in place as
     * lua_tolstring does), or null for other types.
     */
    public byte[] toBytes(int i) {
        MemorySegment p = toLString(i);
        if (p == null) return null;
        int n = (int) sizeOut.get(JAVA_LONG, 0);
        byte[] b = new byte[n];
        MemorySegment.copy(p.reinterpret(n), JAVA_BYTE, 0, b, 0, n);
        return b;
    }

    /** A string value as Latin-1 text (every byte one char), or null. */
    public String toLatin1(int i) {
        byte[] b = toBytes(i);
        return b == null ? null : new String(b, StandardCharsets.ISO_8859_1);
    }

    /** lua_tolstring: the string's address (length in {@link #lastLength}), or null. */
    MemorySegment toLString(int i) {
        try {
            MemorySegment p = (MemorySegment) LuaNative.tolstring.invokeExact(L, i, sizeOut);
            return p.address() == 0 ? null : p;
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** The length of the string the last {@link #toLString} returned. */
    long lastLength() {
        return sizeOut.get(JAVA_LONG, 0);
    }

    /** lua_objlen: string length, table border (#t). */
    public long objLen(int i) {
        try {
            return (long) LuaNative.objlen.invokeExact(L, i);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public MemorySegment toUserdata(int i) {
        try {
            return (MemorySegment) LuaNative.touserdata.invokeExact(L, i);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** The identity of a table, function or userdata (lua_topointer), for cycle detection. */
    public long toPointer(int i) {
        try {
            return ((MemorySegment) LuaNative.topointer.invokeExact(L, i)).address();
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public boolean rawEqual(int a, int b) {
        try {
            return (int) LuaNative.rawequal.invokeExact(L, a, b) != 0;
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public void pushNil() {
        try {
            LuaNative.pushnil.invokeExact(L);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public void pushNumber(double d) {
        try {
            LuaNative.pushnumber.invokeExact(L, d);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public void pushBoolean(boolean b) {
        try {
            LuaNative.pushboolean.invokeExact(L, b ? 1 : 0);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public void pushLightUserdata(MemorySegment p) {
        try {
            LuaNative.pushlightuserdata.invokeExact(L, p);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public void pushBytes(byte[] b) {
        pushBytes(b, 0, b.length);
    }

    public void pushBytes(byte[] b, int off, int len) {
        try {
            LuaNative.pushlstring.invokeExact(L, MemorySegment.ofArray(b).asSlice(off, len), (long) len);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** Pushes Latin-1 text as a string. */
    public void pushString(String s) {
        pushBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Pushes a string from native memory. */
    void pushNative(MemorySegment p, long len) {
        try {
            LuaNative.pushlstring.invokeExact(L, p, len);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    // ------------------------------------------------------------ tables

    public void newTable(int narr, int nrec) {
        try {
            LuaNative.createtable.invokeExact(L, narr, nrec);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** t[k] without metamethods: t at index, k on top (popped), value pushed. */
    public void rawGet(int index) {
        try {
            LuaNative.rawget.invokeExact(L, index);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public void rawGetI(int index, int n) {
        try {
            LuaNative.rawgeti.invokeExact(L, index, n);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** t[k] = v without metamethods: t at index, k and v on top (popped). */
    public void rawset(int index) {
        try {
            LuaNative.rawset.invokeExact(L, index);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public void rawSetI(int index, int n) {
        try {
            LuaNative.rawseti.invokeExact(L, index, n);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** Pushes t[name] (raw) of the table at index. */
    public void rawGetField(int index, String name) {
        rawGetField(index, name.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Pushes t[name] (raw) for a name already in bytes (hot paths keep them). */
    public void rawGetField(int index, byte[] name) {
        int abs = absIndex(index);
        pushBytes(name);
        rawGet(abs);
    }

    /** t[name] = top (raw), popping the value. */
    public void rawSetField(int index, String name) {
        rawSetField(index, name.getBytes(StandardCharsets.ISO_8859_1));
    }

    public void rawSetField(int index, byte[] name) {
        int abs = absIndex(index);
        pushBytes(name);
        insert(-2);
        rawset(abs);
    }

    /** lua_next: pops a key, pushes the next key and value; false at the end (nothing pushed). */
    public boolean next(int index) {
        try {
            return (int) LuaNative.next.invokeExact(L, index) != 0;
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public boolean getMetatable(int index) {
        try {
            return (int) LuaNative.getmetatable.invokeExact(L, index) != 0;
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public void setMetatable(int index) {
        try {
            int ignored = (int) LuaNative.setmetatable.invokeExact(L, index);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** A relative index made absolute (pseudo-indices unchanged). */
    public int absIndex(int i) {
        return i > 0 || i <= LuaNative.REGISTRYINDEX ? i : top() + 1 + i;
    }

    // ------------------------------------------------------------ running code

    /** luaL_loadbuffer: compiles a chunk; 0, or an error code with the message on the stack. */
    public int load(byte[] code, int off, int len, String chunkName) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(1, len));
            MemorySegment.copy(code, off, buf, JAVA_BYTE, 0, len);
            MemorySegment name = a.allocateFrom(chunkName);
            return (int) LuaNative.loadbuffer.invokeExact(L, buf, (long) len, name);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    public int load(String code, String chunkName) {
        byte[] b = code.getBytes(StandardCharsets.ISO_8859_1);
        return load(b, 0, b.length, chunkName);
    }

    /** lua_pcall. Never lua_call: an error must not longjmp over Java frames. */
    public int pcall(int nargs, int nresults, int errfunc) {
        try {
            return (int) LuaNative.pcall.invokeExact(L, nargs, nresults, errfunc);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** Opens one of Lua's standard libraries (luaopen_* called through pcall, as luaL_openlibs does). */
    void openLibrary(MemorySegment opener, String name) {
        try {
            LuaNative.pushcclosure.invokeExact(L, opener, 0);
        } catch (Throwable e) {
            throw rethrow(e);
        }
        pushString(name);
        if (pcall(1, 0, 0) != 0) throw new IllegalStateException("cannot open Lua library " + name + ": " + toLatin1(-1));
    }

    public int gc(int what, int data) {
        try {
            return (int) LuaNative.gc.invokeExact(main, what, data);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** Bytes of memory the state uses (lua_gc COUNT and COUNTB). */
    public long memory() {
        return gc(LuaNative.GCCOUNT, 0) * 1024L + gc(LuaNative.GCCOUNTB, 0);
    }

    // ------------------------------------------------------------ debug information

    private boolean getStack(int level) {
        try {
            return (int) LuaNative.getstack.invokeExact(L, level, debug) != 0;
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private void getInfo(String what) {
        try (Arena a = Arena.ofConfined()) {
            int ignored = (int) LuaNative.getinfo.invokeExact(L, a.allocateFrom(what), debug);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private String debugString(long offset) {
        MemorySegment p = debug.get(ADDRESS, offset);
        return p.address() == 0 ? null : cString(p.reinterpret(Integer.MAX_VALUE), 0);
    }

    private static String cString(MemorySegment p, long off) {
        long n = 0;
        while (p.get(JAVA_BYTE, off + n) != 0) n++;
        byte[] b = new byte[(int) n];
        MemorySegment.copy(p, JAVA_BYTE, off, b, 0, (int) n);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The first stack level at or above {@code from} that is not Larder's own Lua code; -1 if none. */
    int userLevel(int from) {
        for (int level = from; getStack(level); level++) {
            getInfo("S");
            String source = debugString(LuaNative.DEBUG_SOURCE);
            // The wrappers' tail calls leave a "(tail call)" entry too.
            if (!INTERNAL_SOURCE.equals(source) && !"=(tail call)".equals(source)) return level;
        }
        return -1;
    }

    /** luaL_where: "chunk:line: " of a stack level, or "" for C functions and missing levels. */
    String where(int level) {
        if (level < 0 || !getStack(level)) return "";
        getInfo("Sl");
        int line = debug.get(JAVA_INT, LuaNative.DEBUG_CURRENTLINE);
        if (line > 0) return cString(debug, 56) + ":" + line + ": ";
        return "";
    }

    /**
     * luaL_error from a Java function: the message prefixed with the
     * position of the Lua code that called it (wrappers skipped).
     */
    public LuaError error(String message) {
        return LuaError.message(where(userLevel(1)) + message);
    }

    /** luaL_argerror: "bad argument #n to 'name' (extramsg)", named as the caller called it. */
    public LuaError argError(int narg, String extramsg) {
        if (!getStack(1)) return error("bad argument #" + narg + " (" + extramsg + ")");
        getInfo("n");
        String namewhat = debugString(LuaNative.DEBUG_NAMEWHAT);
        String name = debugString(LuaNative.DEBUG_NAME);
        if ("method".equals(namewhat)) {
            narg--;
            if (narg == 0) return error("calling '" + name + "' on bad self (" + extramsg + ")");
        }
        if (name == null) name = "?";
        return error("bad argument #" + narg + " to '" + name + "' (" + extramsg + ")");
    }

    /** luaL_typerror. */
    public LuaError typeError(int narg, String expected) {
        return argError(narg, expected + " expected, got " + typeName(type(narg)));
    }

    /** luaL_checknumber. */
    public double checkNumber(int narg) {
        double d = toNumber(narg);
        if (d == 0 && !isNumber(narg)) throw typeError(narg, "number");
        return d;
    }

    /** luaL_checkint: the number truncated to a C int, as (int) on a double does. */
    public int checkInt(int narg) {
        return (int) (long) checkNumber(narg);
    }

    /** luaL_optnumber. */
    public double optNumber(int narg, double dflt) {
        int t = type(narg);
        return t == LuaNative.TNONE || t == LuaNative.TNIL ? dflt : checkNumber(narg);
    }

    /** luaL_checklstring as bytes. */
    public byte[] checkBytes(int narg) {
        byte[] b = toBytes(narg);
        if (b == null) throw typeError(narg, "string");
        return b;
    }

    /** luaL_checkany. */
    public void checkAny(int narg) {
        if (type(narg) == LuaNative.TNONE) throw argError(narg, "value expected");
    }

    static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) return r;
        if (e instanceof Error err) throw err;
        return new IllegalStateException(e);
    }
}
