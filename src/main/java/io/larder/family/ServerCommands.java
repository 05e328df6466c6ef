package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandDocs;
import io.larder.command.CommandError;
import io.larder.command.CommandSpec;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.server.LarderServer;
import io.larder.store.Database;
import io.larder.util.Glob;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Server introspection and administration: COMMAND, DBSIZE, FLUSHDB, FLUSHALL, TIME, LASTSAVE, SHUTDOWN. */
public final class ServerCommands {
    private final LarderServer server;

    public ServerCommands(LarderServer server) {
        this.server = server;
    }

    public void register(CommandTable t) {
        t.add("command", this::commandAll).noKeyspace();
        t.add("command|count", c -> c.reply().integer(server.commands().visible().size())).noKeyspace();
        t.add("command|info", this::commandInfo).noKeyspace();
        t.add("command|docs", this::commandDocs).noKeyspace();
        t.add("command|list", this::commandList).noKeyspace();
        t.add("command|getkeys", this::commandGetKeys).noKeyspace();
        t.add("command|help", c -> help(c, List.of(
                "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "(no subcommand)",
                "    Return details about all Redis commands.",
                "COUNT",
                "    Return the total number of commands in this Redis server.",
                "LIST",
                "    Return a list of all commands in this Redis server.",
                "INFO [<command-name> ...]",
                "    Return details about multiple Redis commands.",
                "    If no command names are given, documentation details for all",
                "    commands are returned.",
                "DOCS [<command-name> ...]",
                "    Return documentation details about multiple Redis commands.",
                "    If no command names are given, documentation details for all",
                "    commands are returned.",
                "GETKEYS <full-command>",
                "    Return the keys from a full Redis command.",
                "GETKEYSANDFLAGS <full-command>",
                "    Return the keys and the access flags from a full Redis command.",
                "HELP",
                "    Prints this help."))).noKeyspace();
        t.add("time", this::time).noKeyspace();
        t.add("lastsave", c -> c.reply().integer(server.lastSaveMs() / 1000)).noKeyspace();
        t.add("shutdown", this::shutdown).noKeyspace();
        t.add("dbsize", c -> c.reply().integer(c.db().size()));
        t.add("flushdb", this::flushdb).exclusive();
        t.add("flushall", this::flushall).exclusive();
    }

    /** Redis's addReplySubcommandSyntaxError, naming the subcommand and command as the client typed them. */
    public static CommandError subcommandSyntaxError(CommandContext c) {
        Args a = c.args();
        return new CommandError("ERR unknown subcommand or wrong number of arguments for '"
                + Errors.abbreviate(a.str(1)) + "'. Try " + a.str(0).toUpperCase(Locale.ROOT) + " HELP.");
    }

    /** TIME: seconds and microseconds, as bulk strings. */
    void time(CommandContext c) {
        java.time.Instant now = java.time.Instant.now();
        c.reply().array(2);
        c.reply().bulkLong(now.getEpochSecond());
        c.reply().bulkLong(now.getNano() / 1000);
    }

    /**
     * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. Larder has no replicas to
     * wait for, so a shutdown is never "in progress" for ABORT to cancel, and
     * NOW and FORCE only matter for the final save.
     */
    void shutdown(CommandContext c) {
        Args a = c.args();
        int flags = 0;
        boolean abort = false;
        for (int i = 1; i < a.count(); i++) {
            if (a.is(i, "nosave")) flags |= LarderServer.SHUTDOWN_NOSAVE;
            else if (a.is(i, "save")) flags |= LarderServer.SHUTDOWN_SAVE;
            else if (a.is(i, "now")) flags |= LarderServer.SHUTDOWN_NOW;
            else if (a.is(i, "force")) flags |= LarderServer.SHUTDOWN_FORCE;
            else if (a.is(i, "abort")) abort = true;
            else throw Errors.SYNTAX;
        }
        if ((abort && flags != 0)
                || ((flags & LarderServer.SHUTDOWN_NOSAVE) != 0 && (flags & LarderServer.SHUTDOWN_SAVE) != 0)) {
            throw Errors.SYNTAX;
        }
        if (abort) throw new CommandError("ERR No shutdown in progress.");
        if ((flags & LarderServer.SHUTDOWN_NOW) == 0 && c.client().has(io.larder.server.Client.DENY_BLOCKING)) {
            throw new CommandError("ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client");
        }
        // A busy script leaves the data half written: only SHUTDOWN NOSAVE may stop the server then.
        String busy = server.busyError();
        if (busy != null && (flags & LarderServer.SHUTDOWN_NOSAVE) == 0) throw new CommandError(busy);
        if (!server.prepareForShutdown(flags)) throw new CommandError("ERR Errors trying to SHUTDOWN. Check logs.");
        // The server is going away: no reply, the connection closes (as with Redis's exit()).
        c.client().closeAfterReply();
    }

    /** Replies with HELP lines as status strings, as Redis's addReplyHelp does. */
    public static void help(CommandContext c, List<String> lines) {
        Reply r = c.reply();
        r.array(lines.size());
        for (String l : lines) r.simple(l);
    }

    void commandAll(CommandContext c) {
        var all = server.commands().visible();
        c.reply().array(all.size());
        for (CommandSpec s : all) CommandDocs.writeInfo(c.reply(), s);
    }

    /** A command or "container|sub" by name, as COMMAND INFO/DOCS look them up. */
    private CommandSpec byName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        int bar = lower.indexOf('|');
        if (bar < 0) return registered(server.commands().get(lower));
        CommandSpec parent = server.commands().get(lower.substring(0, bar));
        if (parent == null) return null;
        return registered(parent.subcommand(lower.substring(bar + 1)));
    }

    private static CommandSpec registered(CommandSpec s) {
        return s != null && (s.handler() != null || s.isContainer()) ? s : null;
    }

    void commandInfo(CommandContext c) {
        Args a = c.args();
        Reply r = c.reply();
        if (a.count() == 2) {
            commandAll(c);
            return;
        }
        r.array(a.count() - 2);
        for (int i = 2; i < a.count(); i++) {
            CommandSpec s = byName(a.str(i));
            if (s == null) r.nullBulk();
            else CommandDocs.writeInfo(r, s);
        }
    }

    void commandDocs(CommandContext c) {
        Args a = c.args();
        Reply r = c.reply();
        List<CommandSpec> list = new ArrayList<>();
        if (a.count() == 2) {
            list.addAll(server.commands().visible());
        } else {
            for (int i = 2; i < a.count(); i++) {
                CommandSpec s = byName(a.str(i));
                if (s != null) list.add(s);
            }
        }
        r.map(list.size());
        for (CommandSpec s : list) {
            r.bulk(s.fullName);
            CommandDocs.writeDocs(r, s);
        }
    }

    void commandList(CommandContext c) {
        Args a = c.args();
        List<String> names = new ArrayList<>();
        if (a.count() == 2) {
            for (CommandSpec s : server.commands().visible()) addNames(names, s, x -> true);
        } else if (a.count() == 5 && a.is(2, "FILTERBY")) {
            String arg = a.str(4);
            java.util.function.Predicate<CommandSpec> p;
            if (a.is(3, "MODULE")) {
                p = s -> false;
            } else if (a.is(3, "ACLCAT")) {
                p = s -> s.aclCategories.contains("@" + arg.toLowerCase(Locale.ROOT));
            } else if (a.is(3, "PATTERN")) {
                byte[] pat = arg.getBytes(StandardCharsets.ISO_8859_1);
                p = s -> Glob.match(pat, s.fullName.getBytes(StandardCharsets.ISO_8859_1), true);
            } else {
                throw Errors.SYNTAX;
            }
            for (CommandSpec s : server.commands().visible()) addNames(names, s, p);
        } else {
            throw Errors.SYNTAX;
        }
        c.reply().bulkArray(names);
    }

    private static void addNames(List<String> out, CommandSpec s, java.util.function.Predicate<CommandSpec> p) {
        if (p.test(s)) out.add(s.fullName);
        for (CommandSpec sub : s.subcommands().values()) {
            if (sub.handler() != null && p.test(sub)) out.add(sub.fullName);
        }
    }

    void commandGetKeys(CommandContext c) {
        Args a = c.args();
        Args inner = a.slice(2);
        CommandSpec cmd = server.commands().get(inner.str(0).toLowerCase(Locale.ROOT));
        if (cmd != null && cmd.isContainer() && inner.count() >= 2) {
            cmd = cmd.subcommand(inner.str(1).toLowerCase(Locale.ROOT));
        }
        if (cmd == null || (cmd.handler() == null && !cmd.isContainer())) {
            throw new CommandError("ERR Invalid command specified");
        }
        if (!cmd.hasKeys()) throw new CommandError("ERR The command has no key arguments");
        int argc = inner.count();
        if ((cmd.arity > 0 && cmd.arity != argc) || argc < -cmd.arity) {
            throw new CommandError("ERR Invalid number of arguments specified for command");
        }
        int[] pos = new int[argc];
        int n = cmd.keys(inner, pos);
        if (n <= 0) {
            if (cmd.has(CommandSpec.NO_MANDATORY_KEYS)) {
                c.reply().emptyArray();
                return;
            }
            throw new CommandError("ERR Invalid arguments specified for command");
        }
        c.reply().array(n);
        for (int i = 0; i < n; i++) c.reply().bulk(inner.buf(), inner.off(pos[i]), inner.len(pos[i]));
    }

    private boolean parseFlushMode(CommandContext c) {
        Args a = c.args();
        if (a.count() == 1) return false;
        if (a.count() == 2 && (a.is(1, "ASYNC") || a.is(1, "SYNC"))) return a.is(1, "ASYNC");
        throw Errors.SYNTAX;
    }

    void flushdb(CommandContext c) {
        parseFlushMode(c);
        Database db = c.db();
        long n = db.size();
        db.clear();
        server.flushed(db);
        server.dataFlushed(db.id);
        c.dirty(n);
        // Propagated even when the database was empty already (forceCommandPropagation).
        c.forcePropagation();
        c.reply().ok();
    }

    void flushall(CommandContext c) {
        parseFlushMode(c);
        long n = 0;
        for (int i = 0; i < server.keyspace().databases(); i++) {
            Database db = server.keyspace().db(i);
            n += db.size();
            db.clear();
            server.flushed(db);
        }
        server.dataFlushed(-1);
        c.dirty(n);
        c.forcePropagation();
        // Redis 7.0: a running BGSAVE is killed, and with save points the empty dataset is saved at once.
        server.persistence().afterFlushAll(c.dirtyCount());
        c.reply().ok();
    }
}
