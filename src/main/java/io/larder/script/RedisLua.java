package io.larder.script;

import io.larder.command.CommandContext;
import io.larder.command.CommandSpec;
import io.larder.command.CommandTable;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.server.Client;
import io.larder.server.LarderServer;
import io.larder.server.Log;
import io.larder.server.ScriptExecutor;
import io.larder.util.Numbers;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A Lua state set up as Redis 7.0 sets up its scripting engines: the
 * libraries (base, table, string, math, cjson, cmsgpack, bit, struct), the
 * redis table, Redis's pcall and error handler, the read-only sandbox
 * (prelude.lua), and the conversions between Lua values and RESP in both
 * directions (script_lua.c). EVAL scripts and FUNCTION libraries each get
 * their own state, as in Redis. Used on the script thread only.
 *
 * <p>The main Lua thread's stack keeps a few values at fixed slots for the
 * state's whole life (the globals proxy, the real globals table, the error
 * handler, the load-time API, the globals' metatable, the table of compiled
 * functions); everything above them is popped after each operation.
 */
public final class RedisLua implements AutoCloseable {
    /** Which engine this state serves. */
    public enum Mode { EVAL, FUNCTION }

    /** Script flags (shebang "flags=" for EVAL, register_function's flags for functions). */
    public static final long FLAG_NO_WRITES = 1, FLAG_ALLOW_OOM = 1 << 1, FLAG_ALLOW_STALE = 1 << 2,
            FLAG_NO_CLUSTER = 1 << 3, FLAG_ALLOW_CROSS_SLOT = 1 << 4, FLAG_EVAL_COMPAT = 1 << 5;
    static final String[] FLAG_NAMES = {"no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"};

    private static final int GLOBALS = 1, GREAL = 2, ERRH = 3, LOADG = 4, KILLER = 5, GMETA = 6, FNS = 7, BASE = 7;
    /**
     * Registry keys of the values Java functions and the hook need: stack
     * indices are relative to the running function's frame there, so the
     * fixed slots above serve only code that runs outside Lua.
     */
    private static final int REG_FNS = 1_000_001, REG_KILLER = 1_000_002;
    /** Lua instructions between two checks of the time limit and SCRIPT KILL (Redis's value). */
    private static final int HOOK_COUNT = 100_000;
    private static final String KILLED = "ERR Script killed by user with SCRIPT KILL...";
    private static final byte[] KEYS = ascii("KEYS"), ARGV = ascii("ARGV"), ERR = ascii("err"), OK = ascii("ok"),
            DOUBLE = ascii("double"), BIG_NUMBER = ascii("big_number"), VERBATIM = ascii("verbatim_string"),
            MAP = ascii("map"), SET = ascii("set"), IGNORE_STATS = ascii("ignore_error_stats_update");

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Receives redis.register_function calls while FUNCTION LOAD runs a library's code. */
    public interface Registrar {
        /** Registers a function whose Lua callback has the given ref; returns an error message or null. */
        String register(String name, int ref, String description, long flags);
    }

    private final LarderServer server;
    private final ScriptExecutor executor;
    private final Lua lua;
    private final Mode mode;
    /** Redis's fake client the script's commands run as: its own database and protocol. */
    private final Client scriptClient;
    private int nextRef = 1;
    /** The invocation in progress, or null between scripts. */
    private Invocation run;
    private Registrar loading;
    private long loadStartNanos, loadTimeoutMs;
    private volatile long memory;

    /** What redis.call needs while a script runs. */
    private static final class Invocation {
        final CommandContext ctx;
        final ScriptExecutor.Run busy;
        final boolean readOnly;
        /** Redis's SCRIPT_ALLOW_OOM: the script declared allow-oom (a shebang or function flag). */
        final boolean allowOom;

        Invocation(CommandContext ctx, ScriptExecutor.Run busy, boolean readOnly, boolean allowOom) {
            this.ctx = ctx;
            this.busy = busy;
            this.readOnly = readOnly;
            this.allowOom = allowOom;
        }
    }

    public RedisLua(LarderServer server, Mode mode) {
        this.server = server;
        this.executor = server.scripts();
        this.mode = mode;
        this.scriptClient = Client.detached(server);
        // Redis's CLIENT_SCRIPT: MONITOR shows its commands as coming from "lua".
        scriptClient.setFlag(Client.SCRIPT, true);
        this.lua = new Lua();
        try {
            lua.openLibrary(LuaNative.OPEN_BASE, "");
            lua.openLibrary(LuaNative.OPEN_TABLE, "table");
            lua.openLibrary(LuaNative.OPEN_STRING, "string");
            lua.openLibrary(LuaNative.OPEN_MATH, "math");
            lua.openLibrary(LuaNative.OPEN_DEBUG, "debug");
            lua.settop(0);
            byte[] prelude = prelude();
            if (lua.load(prelude, 0, prelude.length, Lua.INTERNAL_SOURCE) != 0) {
                throw new IllegalStateException("prelude.lua: " + lua.toLatin1(-1));
            }
            lua.pushLightUserdata(Lua.SENTINEL);
            pushJavaFunctions();
            lua.pushString(mode == Mode.EVAL ? "eval" : "function");
            if (lua.pcall(3, 5, 0) != 0) throw new IllegalStateException("prelude.lua: " + lua.toLatin1(-1));
            // Stack: globals proxy, real globals, error handler, load-time globals, killer.
            lua.getMetatable(GLOBALS);
            lua.newTable(0, 0);
            lua.pushValue(FNS);
            lua.rawSetI(LuaNative.REGISTRYINDEX, REG_FNS);
            lua.pushValue(KILLER);
            lua.rawSetI(LuaNative.REGISTRYINDEX, REG_KILLER);
            // Everything compiled from now on sees the read-only globals.
            lua.pushValue(GLOBALS);
            lua.replace(LuaNative.GLOBALSINDEX);
            lua.setHookHandler(this::hook);
            // The hook stays installed: between scripts it has nothing to do, and a script saves two calls.
            lua.setCountHook(HOOK_COUNT);
            updateMemory();
        } catch (RuntimeException e) {
            lua.close();
            throw e;
        }
    }

    private static byte[] prelude() {
        try (InputStream in = RedisLua.class.getResourceAsStream("prelude.lua")) {
            if (in == null) throw new IllegalStateException("prelude.lua missing from the classpath");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        lua.close();
    }

    /** Bytes the Lua state uses (INFO used_memory_lua / used_memory_vm_functions), updated after each use. */
    public long memory() {
        return memory;
    }

    private void updateMemory() {
        memory = lua.memory();
    }

    // ------------------------------------------------------------ compiling

    /** Compiles a chunk and keeps it; returns its ref. On a syntax error throws with Lua's message. */
    public int compile(byte[] code, int off, int len, String chunkName) {
        try {
            if (lua.load(code, off, len, chunkName) != 0) {
                String msg = lua.toLatin1(-1);
                throw new CompileError(msg == null ? "unknown error" : msg);
            }
            // Recompile with tail calls made plain calls: see Untail.
            byte[] chunk = Untail.patch(lua.dump());
            lua.pop(1);
            if (lua.load(chunk, 0, chunk.length, chunkName) != 0) {
                throw new IllegalStateException("cannot reload a compiled script: " + lua.toLatin1(-1));
            }
            return ref(-1);
        } finally {
            lua.settop(BASE);
            updateMemory();
        }
    }

    /** A chunk that did not compile: Lua's message. */
    public static final class CompileError extends RuntimeException {
        CompileError(String message) {
            super(message, null, false, false);
        }
    }

    /** Keeps the value at the given index in the table of compiled functions; returns its ref. */
    private int ref(int index) {
        int abs = lua.absIndex(index);
        int r = nextRef++;
        lua.rawGetI(LuaNative.REGISTRYINDEX, REG_FNS);
        lua.pushValue(abs);
        lua.rawSetI(-2, r);
        lua.pop(1);
        return r;
    }

    /** Forgets a compiled function (its memory is collected). */
    public void unref(int ref) {
        lua.rawGetI(LuaNative.REGISTRYINDEX, REG_FNS);
        lua.pushNil();
        lua.rawSetI(-2, ref);
        lua.pop(1);
    }

    /** Runs a full garbage collection (after SCRIPT FLUSH, FUNCTION DELETE). */
    public void collect() {
        lua.gc(LuaNative.GCCOLLECT, 0);
        updateMemory();
    }

    // ------------------------------------------------------------ running

    /**
     * Runs compiled function {@code ref} for the client of {@code c} and
     * writes its reply (or error) to {@code c.reply()}: Redis's
     * luaCallFunction. EVAL passes KEYS and ARGV as globals; functions get
     * them as their two arguments. The keyspace is held exclusively.
     */
    public void call(CommandContext c, int ref, ScriptExecutor.Run busy, boolean readOnly, long scriptFlags, Args a,
            int firstKey, int numKeys) {
        Client caller = c.client();
        scriptClient.setDb(caller.db());
        scriptClient.setResp(2);
        boolean multi = caller.has(Client.MULTI);
        if (scriptClient.has(Client.MULTI) != multi) scriptClient.setFlag(Client.MULTI, multi);
        // EVAL, EVALSHA and FCALL are skip_monitor: MONITOR shows them here, before their commands.
        server.monitor().feed(c, caller, a);
        boolean allowOom = (scriptFlags & FLAG_EVAL_COMPAT) == 0 && (scriptFlags & FLAG_ALLOW_OOM) != 0;
        Invocation inv = new Invocation(c, busy, readOnly, allowOom);
        run = inv;
        executor.begin(busy);
        Lua.setRunning(lua);
        try {
            lua.pushValue(ERRH);
            lua.rawGetI(FNS, ref);
            pushArray(a, firstKey, numKeys);
            pushArray(a, firstKey + numKeys, a.count() - firstKey - numKeys);
            int status;
            if (mode == Mode.EVAL) {
                lua.rawSetField(GREAL, ARGV);
                lua.rawSetField(GREAL, KEYS);
                status = lua.pcall(0, 1, BASE + 1);
            } else {
                status = lua.pcall(2, 1, BASE + 1);
            }
            gcStep();
            if (status != 0) {
                replyError(c.reply(), busy.name);
            } else {
                reply(c.reply(), 0);
            }
        } finally {
            c.pending().setTargets(io.larder.journal.Journal.ALL);
            Lua.setRunning(null);
            restoreHook();
            lua.settop(BASE);
            run = null;
            executor.end(busy);
        }
    }

    private int gcCalls;

    /**
     * Redis's LUA_GC_CYCLE_PERIOD: a GC step every 50 calls, rather than full
     * cycles at random times. The memory figure INFO shows is refreshed then.
     */
    private void gcStep() {
        if (++gcCalls == 50) {
            lua.gc(LuaNative.GCSTEP, 50);
            gcCalls = 0;
            updateMemory();
        }
    }

    private void pushArray(Args a, int from, int n) {
        lua.newTable(n, 0);
        for (int i = 0; i < n; i++) {
            lua.pushBytes(a.buf(), a.off(from + i), a.len(from + i));
            lua.rawSetI(-2, i + 1);
        }
    }

    /** The count hook: the time limit, SCRIPT KILL, FUNCTION KILL and shutdown. */
    private void hook() {
        watchMemory();
        Invocation inv = run;
        if (inv != null) {
            if (!executor.interrupt(inv.busy)) return;
            Log.warning("Lua script killed by user with SCRIPT KILL.");
        } else if (loading != null) {
            if (loadTimeoutMs <= 0 || (System.nanoTime() - loadStartNanos) / 1_000_000 <= loadTimeoutMs) return;
        } else {
            return;
        }
        // Java cannot raise a Lua error: a Lua line hook raises it, on every line, so the script
        // cannot catch it with pcall and carry on (Redis does the same).
        lua.rawGetI(LuaNative.REGISTRYINDEX, REG_KILLER);
        lua.pushString(inv != null ? KILLED : "ERR FUNCTION LOAD timeout");
        if (lua.pcall(1, 0, 0) != 0) lua.pop(1);
        killHook = true;
    }

    /** Lua memory above which a warning is logged (doubling after each warning). */
    private long memoryWarning = 256L << 20;

    /**
     * Lua's memory is native, outside the Java heap and maxmemory, as in
     * Redis: keep INFO's figure current while a script runs and say so in the
     * log when a script makes it grow large, so it cannot go unnoticed.
     */
    private void watchMemory() {
        long m = lua.memory();
        memory = m;
        if (m > memoryWarning) {
            Invocation inv = run;
            Log.warning("Lua scripting memory has reached " + (m >> 20) + " MB"
                    + (inv != null ? " (script " + inv.busy.name + ")" : "")
                    + "; a script that keeps allocating can be stopped with SCRIPT KILL or FUNCTION KILL.");
            memoryWarning *= 2;
        }
    }

    /** The kill hook replaced the count hook: put the count hook back once the script is over. */
    private boolean killHook;

    private void restoreHook() {
        if (killHook) {
            killHook = false;
            lua.setCountHook(HOOK_COUNT);
        }
    }

    static final long LOAD_TIMEOUT_MS = 500;

    // ------------------------------------------------------------ FUNCTION LOAD

    /**
     * Runs a library's code to let it register its functions, with the
     * load-time API (redis.register_function, redis.log) as its globals and
     * a time limit (FUNCTION LOAD: 500 ms; 0: none), as Redis's luaEngineCreate.
     * Returns null or the error.
     */
    public String loadLibrary(byte[] code, int off, int len, Registrar registrar, long timeoutMs) {
        // The library's code sees the load-time API; its functions later see the full one.
        lua.pushValue(LOADG);
        lua.rawSetField(GMETA, "__index");
        try {
            if (lua.load(code, off, len, "@user_function") != 0) {
                return "Error compiling function: " + lua.toLatin1(-1);
            }
            byte[] chunk = Untail.patch(lua.dump());
            lua.pop(1);
            if (lua.load(chunk, 0, chunk.length, "@user_function") != 0) {
                throw new IllegalStateException("cannot reload a compiled library: " + lua.toLatin1(-1));
            }
            loading = registrar;
            loadStartNanos = System.nanoTime();
            loadTimeoutMs = timeoutMs;
            Lua.setRunning(lua);
            if (lua.pcall(0, 0, 0) != 0) {
                return "Error registering functions: " + errorMessage(-1);
            }
            return null;
        } finally {
            Lua.setRunning(null);
            restoreHook();
            loading = null;
            lua.pushValue(GREAL);
            lua.rawSetField(GMETA, "__index");
            // A timed-out load left its kill hook behind.
            lua.settop(BASE);
            updateMemory();
        }
    }

    /** The message of an error value (luaExtractErrorInformation's msg). */
    private String errorMessage(int index) {
        if (lua.isString(index)) return "ERR " + lua.toLatin1(index);
        if (lua.type(index) == LuaNative.TTABLE) {
            lua.rawGetField(index, "err");
            String s = lua.isString(-1) ? lua.toLatin1(-1) : null;
            lua.pop(1);
            if (s != null) return s;
        }
        return "ERR unknown error";
    }

    // ------------------------------------------------------------ Java functions of the redis table

    private void pushJavaFunctions() {
        lua.newTable(0, 24);
        fn("call", l -> redisCall(l, true));
        fn("pcall", l -> redisCall(l, false));
        fn("log", this::log);
        fn("setresp", this::setresp);
        fn("sha1hex", this::sha1hex);
        fn("error_reply", this::errorReply);
        fn("status_reply", this::statusReply);
        fn("set_repl", this::setRepl);
        fn("acl_check_cmd", this::aclCheckCmd);
        fn("random", this::random);
        fn("randomseed", this::randomseed);
        fn("register_function", this::registerFunction);
        lua.pushString(LarderServer.REDIS_VERSION);
        lua.rawSetField(-2, "version");
        lua.pushNumber(versionNum(LarderServer.REDIS_VERSION));
        lua.rawSetField(-2, "version_num");
        LuaBit.push(lua);
        lua.rawSetField(-2, "bit");
        LuaStruct.push(lua);
        lua.rawSetField(-2, "struct");
        LuaCmsgpack.push(lua);
        lua.rawSetField(-2, "cmsgpack");
        LuaCjson.push(lua);
        lua.rawSetField(-2, "cjson");
    }

    private void fn(String name, Lua.JavaFunction f) {
        lua.pushFunction(f);
        lua.rawSetField(-2, name);
    }

    static int versionNum(String v) {
        String[] p = v.split("\\.");
        return Integer.parseInt(p[0]) << 16 | Integer.parseInt(p[1]) << 8 | Integer.parseInt(p[2]);
    }

    /** luaPushError + luaError: a Redis error table raised in the script. */
    private static LuaError raise(String message) {
        return LuaError.table(errorText(message), false);
    }

    /**
     * luaPushErrorBuff's text: "-CODE message" keeps its code, anything
     * else gets ERR; leading and trailing CR/LF are trimmed.
     */
    static String errorText(String buffer) {
        String code = "ERR";
        String msg = buffer;
        if (buffer.startsWith("-")) {
            int sp = buffer.indexOf(' ');
            if (sp < 0) {
                msg = buffer.substring(1);
            } else {
                code = buffer.substring(1, sp);
                msg = buffer.substring(sp + 1);
            }
        }
        int s = 0, e = msg.length();
        while (s < e && (msg.charAt(s) == '\r' || msg.charAt(s) == '\n')) s++;
        while (e > s && (msg.charAt(e - 1) == '\r' || msg.charAt(e - 1) == '\n')) e--;
        return code + " " + msg.substring(s, e);
    }

    private Invocation requireRun(String what) {
        Invocation inv = run;
        if (inv == null) throw raise(what + " can only be called inside a script invocation");
        return inv;
    }

    /** luaArgsToRedisArgv: strings as they are, numbers as "%.17g"; null after pushing an error. */
    private byte[][] commandArgs(Lua l) {
        int argc = l.top();
        if (argc == 0) throw new ArgsError("Please specify at least one argument for this redis lib call");
        byte[][] argv = new byte[argc][];
        for (int j = 0; j < argc; j++) {
            if (l.type(j + 1) == LuaNative.TNUMBER) {
                argv[j] = numberArg(l.toNumber(j + 1));
            } else {
                byte[] b = l.toBytes(j + 1);
                if (b == null) {
                    l.settop(0);
                    throw new ArgsError("Lua redis lib command arguments must be strings or integers");
                }
                argv[j] = b;
            }
        }
        l.settop(0);
        return argv;
    }

    /** An argument error of redis.call/pcall: raised by call, returned by pcall. */
    private static final class ArgsError extends RuntimeException {
        ArgsError(String message) {
            super(message, null, false, false);
        }
    }

    /** A Lua number as a command argument: C's "%.17g" (-nan keeps its sign, as glibc prints it). */
    static byte[] numberArg(double d) {
        String s;
        if (Double.isNaN(d)) s = Double.doubleToRawLongBits(d) < 0 ? "-nan" : "nan";
        else s = Numbers.formatDouble(d);
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** redis.call (raise) and redis.pcall: Redis's luaRedisGenericCommand and scriptCall. */
    private int redisCall(Lua l, boolean raise) {
        Invocation inv = run;
        if (inv == null) throw raise("redis.call/pcall can only be called inside a script invocation");
        byte[][] argv;
        try {
            argv = commandArgs(l);
        } catch (ArgsError e) {
            String err = errorText(e.getMessage());
            if (raise) throw LuaError.table(err, false);
            l.pushErrorTable(err, false);
            return 1;
        }
        Args a = Args.of(argv);
        CommandTable table = server.commands();
        CommandSpec cmd = table.lookup(a.buf(), a.off(0), a.len(0));
        if (cmd != null && cmd.isContainer() && a.count() >= 2) {
            cmd = cmd.subcommand(a.str(1).toLowerCase(Locale.ROOT));
        }
        String err = null;
        if (cmd == null || (cmd.arity > 0 && cmd.arity != a.count()) || a.count() < -cmd.arity) {
            err = cmd != null ? "Wrong number of args calling Redis command from script"
                    : "Unknown Redis command called from script";
        } else if (cmd.has(CommandSpec.NOSCRIPT)) {
            err = "This Redis command is not allowed from script";
        } else if (inv.readOnly && (cmd.has(CommandSpec.WRITE) || cmd.has(CommandSpec.MAY_REPLICATE))) {
            err = "Write commands are not allowed from read-only scripts.";
        } else if (cmd.has(CommandSpec.DENYOOM) && !inv.allowOom && !inv.busy.wrote
                && server.maxMemory().outOfMemoryAtCommandStart()) {
            // Redis's scriptVerifyOOM: over maxmemory when the script started, a command that may grow memory
            // is refused, unless the script wrote already (it cannot be stopped half-way).
            err = "-" + io.larder.command.Errors.OOM.getMessage();
        }
        if (err != null) {
            // Counted as an error reply of the script's client and a rejected call, as Redis does.
            String text = errorText(err);
            server.stats().recordError(text);
            if (cmd != null) inv.ctx.stats().rejected(cmd);
            if (raise) throw LuaError.table(text, true);
            l.pushErrorTable(text, true);
            return 1;
        }
        if (cmd.has(CommandSpec.WRITE)) inv.busy.wrote = true;
        server.dispatcher().call(inv.ctx, scriptClient, a, cmd);
        ByteBuf reply = scriptClient.reply().take();
        if (reply == null) {
            l.pushNil();
            return 1;
        }
        try {
            boolean error = reply.isReadable() && reply.getByte(reply.readerIndex()) == '-';
            if (error && raise) {
                int end = reply.indexOf(reply.readerIndex(), reply.writerIndex(), (byte) '\r');
                String text = reply.toString(reply.readerIndex(), end - reply.readerIndex(),
                        StandardCharsets.ISO_8859_1);
                throw LuaError.table(errorText(text), true);
            }
            new RespToLua(l, reply).value();
        } finally {
            reply.release();
        }
        return 1;
    }

    private int log(Lua l) {
        int argc = l.top();
        if (argc < 2) throw raise("redis.log() requires two arguments or more.");
        if (!l.isNumber(1)) throw raise("First argument must be a number (log level).");
        int level = (int) l.toNumber(1);
        if (level < Log.DEBUG || level > Log.WARNING) throw raise("Invalid debug level.");
        if (level < Log.level()) return 0;
        StringBuilder b = new StringBuilder();
        for (int j = 2; j <= argc; j++) {
            String s = l.toLatin1(j);
            if (s != null) {
                if (j != 2) b.append(' ');
                b.append(s);
            }
        }
        Log.log(level, b.toString());
        return 0;
    }

    private int setresp(Lua l) {
        requireRun("redis.setresp");
        if (l.top() != 1) throw raise("redis.setresp() requires one argument.");
        int resp = (int) l.toNumber(-1);
        if (resp != 2 && resp != 3) throw raise("RESP version must be 2 or 3.");
        scriptClient.setResp(resp);
        return 0;
    }

    private int sha1hex(Lua l) {
        if (l.top() != 1) throw raise("wrong number of arguments");
        byte[] s = l.toBytes(1);
        l.pushString(Sha1.hex(s == null ? new byte[0] : s));
        return 1;
    }

    /** A C string: the value up to its first NUL. */
    private static String cString(Lua l, int index) {
        String s = l.toLatin1(index);
        int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }

    private int errorReply(Lua l) {
        if (l.top() != 1 || l.type(-1) != LuaNative.TSTRING) {
            l.pushErrorTable(errorText("wrong number or type of arguments"), false);
            return 1;
        }
        String err = cString(l, -1);
        l.pushErrorTable(errorText(err.startsWith("-") ? err : "-" + err), false);
        return 1;
    }

    private int statusReply(Lua l) {
        if (l.top() != 1 || l.type(-1) != LuaNative.TSTRING) {
            l.pushErrorTable(errorText("wrong number or type of arguments"), false);
            return 1;
        }
        l.newTable(0, 1);
        l.pushString("ok");
        l.pushValue(-3);
        l.rawset(-3);
        return 1;
    }

    private int setRepl(Lua l) {
        requireRun("redis.set_repl");
        if (l.top() != 1) throw raise("redis.set_repl() requires two arguments.");
        int flags = (int) l.toNumber(-1);
        if ((flags & ~3) != 0) throw raise("Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
        // The commands the script runs from now on go only where the flags say (REPL_AOF is the journal's
        // AOF, REPL_REPLICA its replicas).
        run.ctx.pending().setTargets(flags);
        return 0;
    }

    private int aclCheckCmd(Lua l) {
        requireRun("redis.acl_check_cmd");
        byte[][] argv;
        try {
            argv = commandArgs(l);
        } catch (ArgsError e) {
            throw raise(e.getMessage());
        }
        Args a = Args.of(argv);
        CommandSpec cmd = server.commands().lookup(a.buf(), a.off(0), a.len(0));
        if (cmd != null && cmd.isContainer() && a.count() >= 2) {
            cmd = cmd.subcommand(a.str(1).toLowerCase(Locale.ROOT));
        }
        if (cmd == null) throw raise("Invalid command passed to redis.acl_check_cmd()");
        // Every user may run every command until ACLs exist.
        l.pushBoolean(true);
        return 1;
    }

    // ------------------------------------------------------------ math.random (Redis's rand48)

    /** Redis's redisLrand48 state, shared by every script as in Redis (not reseeded per script). */
    private static long rand48 = 0x1234ABCD330EL;

    private static synchronized int lrand48() {
        rand48 = (rand48 * 0x5DEECE66DL + 0xB) & ((1L << 48) - 1);
        return (int) (rand48 >>> 17);
    }

    private static synchronized void srand48(int seed) {
        rand48 = ((long) seed << 16 | 0x330E) & ((1L << 48) - 1);
    }

    private int random(Lua l) {
        if (run == null) throw l.error("math.random can only be called inside a script invocation");
        double r = (double) (lrand48() % Integer.MAX_VALUE) / (double) Integer.MAX_VALUE;
        switch (l.top()) {
            case 0 -> l.pushNumber(r);
            case 1 -> {
                int u = l.checkInt(1);
                if (!(1 <= u)) throw l.argError(1, "interval is empty");
                l.pushNumber(Math.floor(r * u) + 1);
            }
            case 2 -> {
                int lo = l.checkInt(1);
                int u = l.checkInt(2);
                if (!(lo <= u)) throw l.argError(2, "interval is empty");
                l.pushNumber(Math.floor(r * (u - lo + 1)) + lo);
            }
            default -> throw l.error("wrong number of arguments");
        }
        return 1;
    }

    private int randomseed(Lua l) {
        if (run == null) throw l.error("math.randomseed can only be called inside a script invocation");
        srand48(l.checkInt(1));
        return 0;
    }

    // ------------------------------------------------------------ redis.register_function

    private int registerFunction(Lua l) {
        Registrar r = loading;
        if (r == null) throw raise("redis.register_function can only be called on FUNCTION LOAD command");
        int argc = l.top();
        if (argc < 1 || argc > 2) throw raise("wrong number of arguments to redis.register_function");
        String name = null, desc = null;
        int ref = -1;
        long flags = 0;
        if (argc == 2) {
            if (!l.isString(1)) throw raise("first argument to redis.register_function must be a string");
            name = l.toLatin1(1);
            if (l.type(2) != LuaNative.TFUNCTION) {
                throw raise("second argument to redis.register_function must be a function");
            }
            ref = ref(2);
        } else {
            if (l.type(1) != LuaNative.TTABLE) {
                throw raise("calling redis.register_function with a single argument is only applicable to Lua table "
                        + "(representing named arguments).");
            }
            l.pushNil();
            while (l.next(1)) {
                if (!l.isString(-2)) throw raise("named argument key given to redis.register_function is not a string");
                l.pushValue(-2);
                String key = l.toLatin1(-1).toLowerCase(Locale.ROOT);
                l.pop(1);
                switch (key) {
                    case "function_name" -> {
                        if (!l.isString(-1)) {
                            throw raise("function_name argument given to redis.register_function must be a string");
                        }
                        name = l.toLatin1(-1);
                    }
                    case "description" -> {
                        if (!l.isString(-1)) {
                            throw raise("description argument given to redis.register_function must be a string");
                        }
                        desc = l.toLatin1(-1);
                    }
                    case "callback" -> {
                        if (l.type(-1) != LuaNative.TFUNCTION) {
                            throw raise("callback argument given to redis.register_function must be a function");
                        }
                        ref = ref(-1);
                    }
                    case "flags" -> {
                        if (l.type(-1) != LuaNative.TTABLE) {
                            throw raise("flags argument to redis.register_function must be a table representing "
                                    + "function flags");
                        }
                        long f = readFlags(l);
                        if (f < 0) throw raise("unknown flag given");
                        flags = f;
                    }
                    default -> throw raise("unknown argument given to redis.register_function");
                }
                l.pop(1);
            }
            if (name == null) throw raise("redis.register_function must get a function name argument");
            if (ref < 0) throw raise("redis.register_function must get a callback argument");
        }
        String err = r.register(name, ref, desc, flags);
        if (err != null) {
            unref(ref);
            throw raise(err);
        }
        return 0;
    }

    /** The flags table of register_function; -1 for an unknown flag. */
    private static long readFlags(Lua l) {
        long flags = 0;
        for (int j = 1;; j++) {
            l.rawGetI(-1, j);
            int t = l.type(-1);
            if (t == LuaNative.TNIL) {
                l.pop(1);
                return flags;
            }
            if (!l.isString(-1)) {
                l.pop(1);
                return -1;
            }
            String f = l.toLatin1(-1);
            l.pop(1);
            long bit = flagBit(f);
            if (bit == 0) return -1;
            flags |= bit;
        }
    }

    /** A script flag by name (case-insensitive), or 0. */
    static long flagBit(String name) {
        for (int i = 0; i < FLAG_NAMES.length; i++) if (FLAG_NAMES[i].equalsIgnoreCase(name)) return 1L << i;
        return 0;
    }

    // ------------------------------------------------------------ Lua value -> RESP

    /** Redis's luaReplyToRedisReply for the value on top of the stack (consumed). */
    private void reply(Reply r, int depth) {
        Lua l = lua;
        if (!l.checkStack(4)) {
            r.error("ERR reached lua stack limit");
            l.pop(1);
            return;
        }
        switch (l.type(-1)) {
            case LuaNative.TSTRING -> {
                byte[] b = l.toBytes(-1);
                r.bulk(b);
            }
            case LuaNative.TBOOLEAN -> {
                boolean v = l.toBoolean(-1);
                if (scriptClient.resp() == 2) {
                    if (v) r.integer(1);
                    else r.nullBulk();
                } else {
                    r.bool(v);
                }
            }
            case LuaNative.TNUMBER -> r.integer(LuaStruct.toLong(l.toNumber(-1)));
            case LuaNative.TTABLE -> {
                tableReply(r, depth);
                return;
            }
            default -> r.nullBulk();
        }
        l.pop(1);
    }

    private void tableReply(Reply r, int depth) {
        Lua l = lua;
        l.rawGetField(-1, ERR);
        if (l.type(-1) == LuaNative.TSTRING) {
            l.pop(1);
            boolean counted = statsCounted(-1);
            String msg = l.toLatin1(pushField(-1, "err"));
            l.pop(2);
            if (counted) r.errorUncounted(msg);
            else r.error(msg);
            return;
        }
        l.pop(1);
        l.rawGetField(-1, OK);
        if (l.type(-1) == LuaNative.TSTRING) {
            r.simple(cString(l, -1).replace('\r', ' ').replace('\n', ' '));
            l.pop(2);
            return;
        }
        l.pop(1);
        l.rawGetField(-1, DOUBLE);
        if (l.type(-1) == LuaNative.TNUMBER) {
            r.doubleValue(l.toNumber(-1));
            l.pop(2);
            return;
        }
        l.pop(1);
        l.rawGetField(-1, BIG_NUMBER);
        if (l.type(-1) == LuaNative.TSTRING) {
            r.bigNumber(l.toLatin1(-1).replace('\r', ' ').replace('\n', ' '));
            l.pop(2);
            return;
        }
        l.pop(1);
        l.rawGetField(-1, VERBATIM);
        if (l.type(-1) == LuaNative.TTABLE) {
            l.rawGetField(-1, "format");
            if (l.type(-1) == LuaNative.TSTRING) {
                String format = cString(l, -1);
                l.rawGetField(-2, "string");
                if (l.type(-1) == LuaNative.TSTRING) {
                    String text = l.toLatin1(-1);
                    r.verbatim(text, format.length() > 3 ? format.substring(0, 3) : format);
                    l.pop(4);
                    return;
                }
                l.pop(1);
            }
            l.pop(1);
        }
        l.pop(1);
        l.rawGetField(-1, MAP);
        if (l.type(-1) == LuaNative.TTABLE) {
            r.beginDeferred();
            int n = 0;
            l.pushNil();
            while (l.next(-2)) {
                l.pushValue(-2);
                reply(r, depth + 1);
                reply(r, depth + 1);
                n++;
            }
            r.endMap(n);
            l.pop(2);
            return;
        }
        l.pop(1);
        l.rawGetField(-1, SET);
        if (l.type(-1) == LuaNative.TTABLE) {
            r.beginDeferred();
            int n = 0;
            l.pushNil();
            while (l.next(-2)) {
                l.pop(1);
                l.pushValue(-1);
                reply(r, depth + 1);
                n++;
            }
            r.endSet(n);
            l.pop(2);
            return;
        }
        l.pop(1);
        r.beginDeferred();
        int n = 0;
        for (int j = 1;; j++) {
            l.rawGetI(-1, j);
            if (l.type(-1) == LuaNative.TNIL) {
                l.pop(1);
                break;
            }
            reply(r, depth + 1);
            n++;
        }
        r.endArray(n);
        l.pop(1);
    }

    /** Pushes t[name] (raw) and returns its index. */
    private int pushField(int index, String name) {
        lua.rawGetField(index, name);
        return lua.top();
    }

    /** The error table's ignore_error_stats_update: its error was already counted. */
    private boolean statsCounted(int index) {
        lua.rawGetField(index, IGNORE_STATS);
        boolean b = lua.type(-1) == LuaNative.TBOOLEAN && lua.toBoolean(-1);
        lua.pop(1);
        return b;
    }

    /**
     * The reply of a script that raised an error (luaCallFunction): the
     * error table's message with "script: name, on source:line." when the
     * handler found the position.
     */
    private void replyError(Reply r, String funcName) {
        Lua l = lua;
        if (l.type(-1) != LuaNative.TTABLE) {
            String msg = l.isString(-1) ? l.toLatin1(-1) : "execution failure";
            if (msg.length() > 100) msg = msg.substring(0, 100);
            r.error("ERR Error running script " + funcName + ", " + msg + " ");
            return;
        }
        String msg = null;
        if (l.isString(-1)) msg = "ERR " + l.toLatin1(-1);
        l.rawGetField(-1, "err");
        if (l.isString(-1)) msg = l.toLatin1(-1);
        l.pop(1);
        l.rawGetField(-1, "source");
        String source = l.isString(-1) ? l.toLatin1(-1) : null;
        l.pop(1);
        l.rawGetField(-1, "line");
        String line = l.isString(-1) ? l.toLatin1(-1) : null;
        l.pop(1);
        boolean counted = statsCounted(-1);
        // Redis 7.0 crashes on an error table without "err" (error({})); answer something sensible instead.
        if (msg == null) msg = "ERR Error running script " + funcName + ", the error object has no 'err' field";
        StringBuilder b = new StringBuilder(msg);
        if (line != null && source != null) {
            b.append(" script: ").append(funcName).append(", on ").append(source).append(':').append(line).append('.');
        }
        if (counted) r.errorUncounted(b.toString());
        else r.error(b.toString());
    }

    // ------------------------------------------------------------ RESP -> Lua value

    /** Redis's redisProtocolToLuaType: a command's reply as the Lua value redis.call returns. */
    private static final class RespToLua {
        private final Lua l;
        private final ByteBuf b;

        RespToLua(Lua l, ByteBuf b) {
            this.l = l;
            this.b = b;
        }

        private String line() {
            int start = b.readerIndex();
            int end = b.indexOf(start, b.writerIndex(), (byte) '\r');
            String s = b.toString(start, end - start, StandardCharsets.ISO_8859_1);
            b.readerIndex(end + 2);
            return s;
        }

        private byte[] bytes(int n) {
            byte[] out = new byte[n];
            b.readBytes(out);
            b.skipBytes(2);
            return out;
        }

        /** Pushes one value; attributes are skipped. */
        void value() {
            if (!l.checkStack(5)) throw LuaError.message("reached lua stack limit");
            byte type = b.readByte();
            switch (type) {
                case ':' -> l.pushNumber(Long.parseLong(line()));
                case '$' -> {
                    int n = Integer.parseInt(line());
                    if (n < 0) l.pushBoolean(false);
                    else l.pushBytes(bytes(n));
                }
                case '+' -> {
                    String s = line();
                    l.newTable(0, 1);
                    l.pushString("ok");
                    l.pushString(s);
                    l.rawset(-3);
                }
                case '-' -> {
                    String s = line();
                    l.pushErrorTable(errorText("-" + s), true);
                }
                case '*' -> {
                    int n = Integer.parseInt(line());
                    if (n < 0) {
                        l.pushBoolean(false);
                        return;
                    }
                    l.newTable(n, 0);
                    for (int j = 1; j <= n; j++) {
                        l.pushNumber(j);
                        value();
                        l.rawset(-3);
                    }
                }
                case '%' -> {
                    int n = Integer.parseInt(line());
                    l.newTable(0, 1);
                    l.pushString("map");
                    l.newTable(0, n);
                    for (int j = 0; j < n; j++) {
                        value();
                        value();
                        setChecked();
                    }
                    l.rawset(-3);
                }
                case '~' -> {
                    int n = Integer.parseInt(line());
                    l.newTable(0, 1);
                    l.pushString("set");
                    l.newTable(0, n);
                    for (int j = 0; j < n; j++) {
                        value();
                        l.pushBoolean(true);
                        setChecked();
                    }
                    l.rawset(-3);
                }
                case '_' -> {
                    line();
                    l.pushNil();
                }
                case '#' -> l.pushBoolean(line().equals("t"));
                case ',' -> {
                    String s = line();
                    l.newTable(0, 1);
                    l.pushString("double");
                    l.pushNumber(parseDouble(s));
                    l.rawset(-3);
                }
                case '(' -> {
                    String s = line();
                    l.newTable(0, 1);
                    l.pushString("big_number");
                    l.pushString(s);
                    l.rawset(-3);
                }
                case '=' -> {
                    int n = Integer.parseInt(line());
                    byte[] all = bytes(n);
                    l.newTable(0, 1);
                    l.pushString("verbatim_string");
                    l.newTable(0, 2);
                    l.pushString("string");
                    l.pushBytes(all, 4, n - 4);
                    l.rawset(-3);
                    l.pushString("format");
                    l.pushBytes(all, 0, 3);
                    l.rawset(-3);
                    l.rawset(-3);
                }
                case '|' -> {
                    int n = Integer.parseInt(line());
                    for (int j = 0; j < 2 * n; j++) {
                        value();
                        l.pop(1);
                    }
                    value();
                }
                case '>' -> {
                    // A push message cannot be a command's reply; read it as an array.
                    int n = Integer.parseInt(line());
                    l.newTable(n, 0);
                    for (int j = 1; j <= n; j++) {
                        l.pushNumber(j);
                        value();
                        l.rawset(-3);
                    }
                }
                default -> throw new IllegalStateException("unexpected reply type " + (char) type);
            }
        }

        /** lua_settable for map and set entries: a nil key (RESP3 null) is an error in Lua. */
        private void setChecked() {
            int kt = l.type(-2);
            if (kt == LuaNative.TNIL) throw LuaError.message("table index is nil");
            if (kt == LuaNative.TNUMBER && Double.isNaN(l.toNumber(-2))) throw LuaError.message("table index is NaN");
            l.rawset(-3);
        }

        private static double parseDouble(String s) {
            return switch (s) {
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                case "nan", "-nan" -> Double.NaN;
                default -> Double.parseDouble(s);
            };
        }
    }
}
