package io.larder.script;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandSpec;
import io.larder.command.Errors;
import io.larder.protocol.Args;
import io.larder.protocol.RequestParser;
import io.larder.server.LarderServer;
import io.larder.server.ScriptExecutor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * EVAL's engine (Redis's eval.c): the script cache by SHA1, the Lua state the
 * scripts are compiled into, shebang flags, and the checks Redis makes
 * before a script runs. Lookups work from any thread; compiling and running
 * happen on the script thread.
 */
public final class EvalScripts {
    /** A cached script: its body, its compiled function and its shebang flags. */
    public record Script(String sha, byte[] body, int ref, long flags) {}

    public static final CommandError NOSCRIPT = new CommandError("NOSCRIPT No matching script. Please use EVAL.");

    private final LarderServer server;
    private final ConcurrentHashMap<String, Script> cache = new ConcurrentHashMap<>();
    /** The Lua state, created on first use (script thread only). */
    private volatile RedisLua lua;
    private volatile long bodiesMemory;

    public EvalScripts(LarderServer server) {
        this.server = server;
        var m = server.metrics();
        m.register("used_memory_lua", this::luaMemory);
        m.register("used_memory_vm_eval", this::luaMemory);
        m.register("number_of_cached_scripts", cache::size);
        m.register("used_memory_scripts_eval", () -> bodiesMemory);
    }

    /** Memory of the Lua state (refreshed by the state itself as scripts run). */
    private long luaMemory() {
        RedisLua l = lua;
        return l == null ? 0 : l.memory();
    }

    /** A cached script by its SHA1 (any case), or null. */
    public Script get(String sha) {
        return cache.get(sha.toLowerCase(java.util.Locale.ROOT));
    }

    private RedisLua lua() {
        if (lua == null) lua = new RedisLua(server, RedisLua.Mode.EVAL);
        return lua;
    }

    /**
     * Redis's luaCreateFunction: the cached script for this body, compiling
     * it if it is new. Shebang and syntax errors are the command's error.
     */
    public Script create(byte[] buf, int off, int len) {
        String sha = Sha1.hex(buf, off, len);
        Script s = cache.get(sha);
        if (s != null) return s;
        byte[] body = java.util.Arrays.copyOfRange(buf, off, off + len);
        long[] flags = new long[1];
        int shebang = shebang(body, flags);
        int ref;
        try {
            // The shebang line is skipped but its newline kept, so line numbers stay the user's.
            ref = lua().compile(body, shebang, body.length - shebang, "@user_script");
        } catch (RedisLua.CompileError e) {
            throw Errors.err("Error compiling script (new function): " + e.getMessage());
        }
        s = new Script(sha, body, ref, flags[0]);
        cache.put(sha, s);
        bodiesMemory += 48 + body.length;
        return s;
    }

    /**
     * Redis's evalExtractShebangFlags: the flags of a "#!lua flags=..." first
     * line (EVAL's compatibility mode without one); returns the shebang's length.
     */
    static int shebang(byte[] body, long[] flags) {
        flags[0] = RedisLua.FLAG_EVAL_COMPAT;
        if (body.length < 2 || body[0] != '#' || body[1] != '!') return 0;
        int nl = -1;
        for (int i = 0; i < body.length; i++) {
            if (body[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) throw Errors.err("Invalid script shebang");
        List<String> parts = RequestParser.splitLine(new String(body, 0, nl, StandardCharsets.ISO_8859_1));
        if (parts == null || parts.isEmpty()) throw Errors.err("Invalid engine in script shebang");
        if (!parts.get(0).equals("#!lua")) throw Errors.err("Unexpected engine in script shebang: " + parts.get(0));
        long f = 0;
        for (int j = 1; j < parts.size(); j++) {
            String p = parts.get(j);
            if (!p.startsWith("flags=")) throw Errors.err("Unknown lua shebang option: " + p);
            String list = p.substring(6);
            if (list.isEmpty()) continue;
            for (String name : list.split(",", -1)) {
                long bit = 0;
                for (int i = 0; i < RedisLua.FLAG_NAMES.length; i++) {
                    if (RedisLua.FLAG_NAMES[i].equals(name)) bit = 1L << i;
                }
                if (bit == 0) throw Errors.err("Unexpected flag in script shebang: " + name);
                f |= bit;
            }
        }
        flags[0] = f;
        return nl;
    }

    /**
     * Redis's scriptPrepareForRun checks, for EVAL and FCALL: whether a
     * script with these flags may run now. Returns whether it runs read-only.
     */
    public static boolean prepare(LarderServer server, long flags, boolean ro) {
        if ((flags & RedisLua.FLAG_EVAL_COMPAT) == 0) {
            if ((flags & RedisLua.FLAG_NO_CLUSTER) != 0 && server.keyspace().clusterMode()) {
                throw Errors.err("Can not run script on cluster, 'no-cluster' flag is set.");
            }
            if ((flags & RedisLua.FLAG_NO_WRITES) == 0 && ro) {
                throw Errors.err("Can not execute a script with write flag using *_ro command.");
            }
            // Over maxmemory when the command started: a script that may write must say allow-oom. (The
            // dispatcher refuses most such calls first, see commandFlags; this catches those it lets through,
            // a script queued in MULTI before memory ran out.)
            if ((flags & (RedisLua.FLAG_ALLOW_OOM | RedisLua.FLAG_NO_WRITES)) == 0
                    && server.maxMemory().outOfMemoryAtCommandStart()) {
                throw OOM_SCRIPT;
            }
        }
        return ro || ((flags & RedisLua.FLAG_EVAL_COMPAT) == 0 && (flags & RedisLua.FLAG_NO_WRITES) != 0);
    }

    private static final CommandError OOM_SCRIPT = new CommandError(
            "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'");

    /**
     * Redis's scriptFlagsToCmdFlags: the command flags an EVAL or FCALL has
     * for the dispatcher's checks when its script declares flags (a script
     * in EVAL's compatibility mode keeps the command's own).
     */
    public static long commandFlags(long declared, long scriptFlags) {
        if ((scriptFlags & RedisLua.FLAG_EVAL_COMPAT) != 0) return declared;
        long f = declared & ~(CommandSpec.STALE | CommandSpec.DENYOOM | CommandSpec.WRITE | CommandSpec.MAY_REPLICATE);
        if ((scriptFlags & (RedisLua.FLAG_ALLOW_OOM | RedisLua.FLAG_NO_WRITES)) == 0) f |= CommandSpec.DENYOOM;
        if ((scriptFlags & RedisLua.FLAG_NO_WRITES) == 0) f |= CommandSpec.WRITE;
        if ((scriptFlags & RedisLua.FLAG_ALLOW_STALE) != 0) f |= CommandSpec.STALE;
        return f;
    }

    /**
     * Redis's evalGetCommandFlags: the flags of the script an EVAL or EVALSHA
     * names (cached, or from the body's shebang), or FLAG_EVAL_COMPAT when it
     * names none or its shebang is invalid (EVAL then fails as usual).
     */
    public long scriptFlags(boolean sha, byte[] buf, int off, int len) {
        if (sha) {
            if (len != 40) return RedisLua.FLAG_EVAL_COMPAT;
            Script s = get(new String(buf, off, len, java.nio.charset.StandardCharsets.ISO_8859_1));
            return s == null ? RedisLua.FLAG_EVAL_COMPAT : s.flags();
        }
        long[] flags = new long[1];
        try {
            shebang(java.util.Arrays.copyOfRange(buf, off, off + len), flags);
        } catch (CommandError e) {
            return RedisLua.FLAG_EVAL_COMPAT;
        }
        return flags[0];
    }

    /** Runs a cached script for the client of {@code c} (script thread, keyspace exclusive). */
    public void run(CommandContext c, Script s, boolean readOnly, Args a, int numKeys) {
        ScriptExecutor.Run busy = new ScriptExecutor.Run(true, s.sha(), c.client(), a);
        lua().call(c, s.ref(), busy, readOnly, s.flags(), a, 3, numKeys);
    }

    /** SCRIPT FLUSH: forgets every script and starts a fresh Lua state, as Redis does. */
    public void flush() {
        cache.clear();
        bodiesMemory = 0;
        if (lua != null) {
            lua.close();
            lua = null;
        }
    }
}
