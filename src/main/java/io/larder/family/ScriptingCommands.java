package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.protocol.Args;
import io.larder.server.LarderServer;
import io.larder.server.ScriptExecutor;
import io.larder.script.EvalScripts;
import io.larder.util.Numbers;
import java.util.List;

/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (Redis's eval.c). Argument
 * checks happen where the command arrives; the script itself runs on the
 * script thread ({@link ScriptExecutor}) with the keyspace to itself, so it is
 * atomic whatever keys it touches, declared or not.
 */
public final class ScriptingCommands {
    private final LarderServer server;
    private final ScriptExecutor executor;
    private final EvalScripts scripts;

    public ScriptingCommands(LarderServer server) {
        this.server = server;
        this.executor = server.scripts();
        this.scripts = new EvalScripts(server);
        // Under maxmemory, an EVAL whose script declares flags is denyoom unless they say allow-oom or no-writes.
        server.maxMemory().addFlagsSource((cmd, a, declared) -> switch (cmd.fullName) {
            case "eval", "eval_ro", "evalsha", "evalsha_ro" -> a.count() < 2 ? declared : EvalScripts.commandFlags(
                    declared, scripts.scriptFlags(cmd.fullName.startsWith("evalsha"), a.buf(), a.off(1), a.len(1)));
            default -> declared;
        });
    }

    public void register(CommandTable t) {
        // The handlers hand the script to the script thread: no keyspace work here.
        executor.declare(t.add("eval", c -> eval(c, false, false)).noKeyspace().spec());
        executor.declare(t.add("evalsha", c -> eval(c, true, false)).noKeyspace().spec());
        executor.declare(t.add("eval_ro", c -> eval(c, false, true)).noKeyspace().spec());
        executor.declare(t.add("evalsha_ro", c -> eval(c, true, true)).noKeyspace().spec());
        executor.declare(t.add("script|load", this::load).noKeyspace().spec());
        t.add("script|exists", this::exists).noKeyspace();
        executor.declare(t.add("script|flush", this::flush).noKeyspace().spec());
        t.add("script|kill", this::kill).noKeyspace();
        t.add("script|help", c -> ServerCommands.help(c, List.of(
                "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "EXISTS <sha1> [<sha1> ...]",
                "    Return information about the existence of the scripts in the script cache.",
                "FLUSH [ASYNC|SYNC]",
                "    Flush the Lua scripts cache. Very dangerous on replicas.",
                "    When called without the optional mode argument, the behavior is determined by the",
                "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                "    * ASYNC: Asynchronously flush the scripts cache.",
                "    * SYNC: Synchronously flush the scripts cache.",
                "KILL",
                "    Kill the currently executing Lua script.",
                "LOAD <script>",
                "    Load a script into the scripts cache without executing it.",
                "HELP",
                "    Prints this help."))).noKeyspace();
    }

    /** numkeys of EVAL and EVALSHA, with Redis's errors. */
    static int numKeys(CommandContext c, CommandError notInteger) {
        Args a = c.args();
        long n;
        try {
            n = a.longAt(2);
        } catch (Numbers.Invalid e) {
            throw notInteger;
        }
        if (n > a.count() - 3) throw Errors.err("Number of keys can't be greater than number of args");
        if (n < 0) throw Errors.err("Number of keys can't be negative");
        return (int) n;
    }

    /** Redis's evalGenericCommand, in its order of checks. */
    void eval(CommandContext c, boolean sha, boolean ro) {
        Args a = c.args();
        // EVALSHA with a string of the wrong length cannot name a script: answered before anything else.
        if (sha && a.len(1) != 40) throw EvalScripts.NOSCRIPT;
        numKeys(c, Errors.NOT_INTEGER);
        if (sha && scripts.get(a.str(1)) == null) throw EvalScripts.NOSCRIPT;
        // Inside EXEC this already runs on the script thread, with the keyspace exclusive.
        executor.run(c, cc -> run(cc, sha, ro), true);
    }

    private void run(CommandContext c, boolean sha, boolean ro) {
        Args a = c.args();
        int numKeys = numKeys(c, Errors.NOT_INTEGER);
        EvalScripts.Script s;
        if (sha) {
            s = scripts.get(a.str(1));
            if (s == null) throw EvalScripts.NOSCRIPT;
        } else {
            s = scripts.create(a.buf(), a.off(1), a.len(1));
        }
        boolean readOnly = EvalScripts.prepare(server, s.flags(), ro);
        scripts.run(c, s, readOnly, a, numKeys);
    }

    void load(CommandContext c) {
        executor.run(c, cc -> {
            Args a = cc.args();
            cc.reply().bulk(scripts.create(a.buf(), a.off(2), a.len(2)).sha());
        }, false);
    }

    void exists(CommandContext c) {
        Args a = c.args();
        c.reply().array(a.count() - 2);
        for (int i = 2; i < a.count(); i++) c.reply().integer(scripts.get(a.str(i)) != null ? 1 : 0);
    }

    void flush(CommandContext c) {
        Args a = c.args();
        if (a.count() > 3 || (a.count() == 3 && !a.is(2, "SYNC") && !a.is(2, "ASYNC"))) {
            throw Errors.err("SCRIPT FLUSH only support SYNC|ASYNC option");
        }
        executor.run(c, cc -> {
            scripts.flush();
            cc.reply().ok();
        }, false);
    }

    void kill(CommandContext c) {
        String err = executor.kill(true);
        if (err != null) throw new CommandError(err);
        c.reply().ok();
    }
}
