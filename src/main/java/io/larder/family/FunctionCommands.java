package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.server.LarderServer;
import io.larder.server.ScriptExecutor;
import io.larder.script.EvalScripts;
import io.larder.script.FunctionLibraries;
import io.larder.script.RedisLua;
import io.larder.util.Glob;
import io.larder.util.Numbers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis 7 functions: FUNCTION LOAD, DELETE, FLUSH, LIST, DUMP, RESTORE,
 * STATS, KILL, HELP and FCALL, FCALL_RO (function.c). Commands that change
 * the libraries and FCALL run on the script thread; LIST, DUMP and STATS read
 * the current snapshot of the libraries wherever they arrive.
 */
public final class FunctionCommands {
    private final LarderServer server;
    private final ScriptExecutor executor;
    private final FunctionLibraries functions;

    public FunctionCommands(LarderServer server) {
        this.server = server;
        this.executor = server.scripts();
        this.functions = new FunctionLibraries(server);
        // Under maxmemory, FCALL of a function without allow-oom or no-writes is denyoom (fcallGetCommandFlags).
        server.maxMemory().addFlagsSource((cmd, a, declared) -> {
            if (!cmd.fullName.equals("fcall") && !cmd.fullName.equals("fcall_ro") || a.count() < 2) return declared;
            FunctionLibraries.Function f = functions.function(a.str(1));
            return f == null ? declared : EvalScripts.commandFlags(declared, f.flags());
        });
        server.metrics().register("used_memory_scripts",
                () -> server.metrics().getLong("used_memory_scripts_eval", 0)
                        + server.metrics().getLong("used_memory_functions", 0));
        // Libraries are saved in RDB files (FUNCTION2) and created again on load, on the script thread.
        server.persistence().setFunctions(new io.larder.persist.RdbFunctions() {
            @Override
            public List<byte[]> codes() {
                return functions.libraries().stream().map(l -> l.code).toList();
            }

            @Override
            public void load(byte[] code, boolean replace) throws Exception {
                executor.callOnScriptThread(() -> functions.load(code, replace));
            }

            @Override
            public void clear() {
                try {
                    executor.callOnScriptThread(() -> {
                        functions.flush();
                        return null;
                    });
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
    }

    /** The libraries (persistence saves and loads them with the data set). */
    public FunctionLibraries functions() {
        return functions;
    }

    public void register(CommandTable t) {
        executor.declare(t.add("fcall", c -> fcall(c, false)).noKeyspace().spec());
        executor.declare(t.add("fcall_ro", c -> fcall(c, true)).noKeyspace().spec());
        executor.declare(t.add("function|load", this::load).noKeyspace().spec());
        executor.declare(t.add("function|delete", this::delete).noKeyspace().spec());
        executor.declare(t.add("function|flush", this::flush).noKeyspace().spec());
        t.add("function|list", this::list).noKeyspace();
        t.add("function|dump", c -> c.reply().bulk(functions.dump())).noKeyspace();
        executor.declare(t.add("function|restore", this::restore).noKeyspace().spec());
        t.add("function|stats", this::stats).noKeyspace();
        t.add("function|kill", c -> {
            String err = executor.kill(false);
            if (err != null) throw new CommandError(err);
            c.reply().ok();
        }).noKeyspace();
        t.add("function|help", c -> ServerCommands.help(c, List.of(
                "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "LOAD [REPLACE] <FUNCTION CODE>",
                "    Create a new library with the given library name and code.",
                "DELETE <LIBRARY NAME>",
                "    Delete the given library.",
                "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
                "    Return general information on all the libraries:",
                "    * Library name",
                "    * The engine used to run the Library",
                "    * Library description",
                "    * Functions list",
                "    * Library code (if WITHCODE is given)",
                "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
                "STATS",
                "    Return information about the current function running:",
                "    * Function name",
                "    * Command used to run the function",
                "    * Duration in MS that the function is running",
                "    If no function is running, return nil",
                "    In addition, returns a list of available engines.",
                "KILL",
                "    Kill the current running function.",
                "FLUSH [ASYNC|SYNC]",
                "    Delete all the libraries.",
                "    When called without the optional mode argument, the behavior is determined by the",
                "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                "    * ASYNC: Asynchronously flush the libraries.",
                "    * SYNC: Synchronously flush the libraries.",
                "DUMP",
                "    Return a serialized payload representing the current libraries, can be restored using FUNCTION "
                        + "RESTORE command",
                "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
                "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
                "    control how to handle existing libraries (default APPEND):",
                "    * FLUSH: delete all existing libraries.",
                "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
                "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
                "      libraries with the new libraries (notice that even on this option there is a chance of failure",
                "      in case of functions name collision with another library).",
                "HELP",
                "    Prints this help."))).noKeyspace();
    }

    // ------------------------------------------------------------ FCALL

    /** Redis's fcallCommandGeneric: the function is looked up before numkeys is read. */
    void fcall(CommandContext c, boolean ro) {
        Args a = c.args();
        if (functions.function(a.str(1)) == null) throw Errors.err("Function not found");
        ScriptingCommands.numKeys(c, Errors.err("Bad number of keys provided"));
        executor.run(c, cc -> run(cc, ro), true);
    }

    private void run(CommandContext c, boolean ro) {
        Args a = c.args();
        FunctionLibraries.Function f = functions.function(a.str(1));
        if (f == null) throw Errors.err("Function not found");
        int numKeys = ScriptingCommands.numKeys(c, Errors.err("Bad number of keys provided"));
        boolean readOnly = EvalScripts.prepare(server, f.flags(), ro);
        functions.call(c, f, readOnly, a, numKeys);
    }

    // ------------------------------------------------------------ FUNCTION

    void load(CommandContext c) {
        Args a = c.args();
        boolean replace = false;
        int i = 2;
        for (; i < a.count() - 1; i++) {
            if (a.is(i, "REPLACE")) {
                replace = true;
                continue;
            }
            throw Errors.err("Unknown option given: " + a.str(i));
        }
        if (i != a.count() - 1) throw Errors.err("Function code is missing");
        boolean r = replace;
        executor.run(c, cc -> {
            Args x = cc.args();
            byte[] code = x.bytes(x.count() - 1);
            String name = functions.load(code, r);
            cc.dirty(1);
            cc.reply().bulk(name.getBytes(StandardCharsets.ISO_8859_1));
        }, false);
    }

    void delete(CommandContext c) {
        if (c.argc() != 3) throw Errors.subcommandSyntax(c.args());
        executor.run(c, cc -> {
            functions.delete(cc.args().str(2));
            cc.dirty(1);
            cc.reply().ok();
        }, false);
    }

    void flush(CommandContext c) {
        Args a = c.args();
        if (a.count() > 3) throw Errors.subcommandSyntax(a);
        if (a.count() == 3 && !a.is(2, "SYNC") && !a.is(2, "ASYNC")) {
            throw Errors.err("FUNCTION FLUSH only supports SYNC|ASYNC option");
        }
        executor.run(c, cc -> {
            functions.flush();
            cc.dirty(1);
            cc.reply().ok();
        }, false);
    }

    void restore(CommandContext c) {
        Args a = c.args();
        if (a.count() > 4) throw Errors.subcommandSyntax(a);
        FunctionLibraries.RestorePolicy policy = FunctionLibraries.RestorePolicy.APPEND;
        if (a.count() == 4) {
            if (a.is(3, "APPEND")) policy = FunctionLibraries.RestorePolicy.APPEND;
            else if (a.is(3, "REPLACE")) policy = FunctionLibraries.RestorePolicy.REPLACE;
            else if (a.is(3, "FLUSH")) policy = FunctionLibraries.RestorePolicy.FLUSH;
            else throw Errors.err("Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
        }
        FunctionLibraries.RestorePolicy p = policy;
        executor.run(c, cc -> {
            functions.restore(cc.args().bytes(2), p);
            cc.dirty(1);
            cc.reply().ok();
        }, false);
    }

    void list(CommandContext c) {
        Args a = c.args();
        boolean withCode = false;
        byte[] pattern = null;
        for (int i = 2; i < a.count(); i++) {
            if (!withCode && a.is(i, "WITHCODE")) {
                withCode = true;
                continue;
            }
            if (pattern == null && a.is(i, "LIBRARYNAME")) {
                if (i >= a.count() - 1) throw Errors.err("library name argument was not given");
                pattern = a.bytes(++i);
                continue;
            }
            throw Errors.err("Unknown argument " + a.str(i));
        }
        List<FunctionLibraries.Library> libs = new ArrayList<>();
        for (FunctionLibraries.Library l : functions.libraries()) {
            byte[] name = l.name.getBytes(StandardCharsets.ISO_8859_1);
            if (pattern == null || Glob.match(pattern, name, true)) libs.add(l);
        }
        Reply r = c.reply();
        r.array(libs.size());
        for (FunctionLibraries.Library l : libs) {
            r.map(withCode ? 4 : 3);
            r.bulk("library_name");
            r.bulk(l.name);
            r.bulk("engine");
            r.bulk("LUA");
            r.bulk("functions");
            List<FunctionLibraries.Function> fs = l.functions();
            r.array(fs.size());
            for (FunctionLibraries.Function f : fs) {
                r.map(3);
                r.bulk("name");
                r.bulk(f.name());
                r.bulk("description");
                if (f.description() != null) r.bulk(f.description());
                else r.nullBulk();
                r.bulk("flags");
                List<String> names = new ArrayList<>();
                for (int b = 0; b < 5; b++) {
                    if ((f.flags() & (1L << b)) != 0) names.add(flagName(b));
                }
                r.set(names.size());
                for (String n : names) r.simple(n);
            }
            if (withCode) {
                r.bulk("library_code");
                r.bulk(l.code);
            }
        }
    }

    private static String flagName(int bit) {
        long f = 1L << bit;
        if (f == RedisLua.FLAG_NO_WRITES) return "no-writes";
        if (f == RedisLua.FLAG_ALLOW_OOM) return "allow-oom";
        if (f == RedisLua.FLAG_ALLOW_STALE) return "allow-stale";
        if (f == RedisLua.FLAG_NO_CLUSTER) return "no-cluster";
        return "allow-cross-slot-keys";
    }

    void stats(CommandContext c) {
        ScriptExecutor.Run run = executor.awaitBusyOrIdle();
        if (run != null && run.eval) throw new CommandError(ScriptExecutor.BUSY_EVAL);
        Reply r = c.reply();
        r.map(2);
        r.bulk("running_script");
        if (run == null) {
            r.nullBulk();
        } else {
            r.map(3);
            r.bulk("name");
            r.bulk(run.name);
            r.bulk("command");
            r.array(run.args.count());
            for (int i = 0; i < run.args.count(); i++) r.bulk(run.args.buf(), run.args.off(i), run.args.len(i));
            r.bulk("duration_ms");
            r.integer(run.durationMs());
        }
        r.bulk("engines");
        r.map(1);
        r.bulk("LUA");
        r.map(2);
        r.bulk("libraries_count");
        r.integer(functions.libraries().size());
        r.bulk("functions_count");
        r.integer(functions.functionCount());
    }

    static long parseLong(Args a, int i) {
        try {
            return a.longAt(i);
        } catch (Numbers.Invalid e) {
            return Long.MIN_VALUE;
        }
    }
}
