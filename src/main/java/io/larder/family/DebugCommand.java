package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandTable;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.server.LarderServer;
import io.larder.server.Log;
import io.larder.store.Database;
import io.larder.store.Keyspace;
import io.larder.store.Lookup;
import io.larder.store.StoredValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * DEBUG, guarded by enable-debug-command (the dispatcher refuses it, as
 * Redis does, unless the option allows this client). Larder implements the
 * subcommands that make sense for it and that tools and tests use: SLEEP,
 * SET-ACTIVE-EXPIRE, ERROR, LOG, PROTOCOL, POPULATE, RELOAD and
 * CONFIG-REWRITE-FORCE-ALL. The others (OBJECT, DIGEST, JMAP, the crash
 * tests ...) depend on Redis's C internals and answer like an unknown
 * subcommand; DEBUG HELP lists only what exists.
 */
public final class DebugCommand {
    private final LarderServer server;

    public DebugCommand(LarderServer server) {
        this.server = server;
    }

    public void register(CommandTable t) {
        // Exclusive: DEBUG SLEEP stops the keyspace for everyone, as it stops Redis.
        t.add("debug", this::debug).exclusive().protectedBy("enable-debug-command");
    }

    static final List<String> HELP = List.of(
            "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "AOF-FLUSH-SLEEP <microsec>",
            "    Server will sleep before flushing the AOF, this is used for testing.",
            "CONFIG-REWRITE-FORCE-ALL",
            "    Like CONFIG REWRITE but writes all configuration options, including",
            "    keywords not listed in original configuration file or default values.",
            "ERROR <string>",
            "    Return a Redis protocol error with <string> as message. Useful for clients",
            "    unit tests to simulate Redis errors.",
            "LOADAOF",
            "    Flush the AOF buffers on disk and reload the AOF in memory.",
            "LOG <message>",
            "    Write <message> to the server log.",
            "POPULATE <count> [<prefix>] [<size>]",
            "    Create <count> string keys named key:<num>. If <prefix> is specified then",
            "    it is used instead of the 'key' prefix. These are not propagated to",
            "    replicas. Cluster slots are not respected so keys not belonging to the",
            "    current node can be created in cluster mode.",
            "PROTOCOL <type>",
            "    Reply with a test value of the specified type. <type> can be: string,",
            "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
            "    true, false.",
            "RELOAD [option ...]",
            "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
            "    * MERGE: conflicting keys will be loaded from RDB.",
            "    * NOFLUSH: the existing database will not be removed before load, but",
            "      conflicting keys will generate an exception and kill the server.",
            "    * NOSAVE: the database will be loaded from an existing RDB file.",
            "    Examples:",
            "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
            "      the database.",
            "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
            "      existing RDB file.",
            "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
            "      file to the database.",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    Setting it to 0 disables expiring keys in background when they are not",
            "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
            "    default.",
            "SLEEP <seconds>",
            "    Stop the server for <seconds>. Decimals allowed.",
            "HELP",
            "    Prints this help.");

    void debug(CommandContext c) {
        Args a = c.args();
        int argc = a.count();
        String sub = a.str(1).toLowerCase(Locale.ROOT);
        switch (sub) {
            case "help" -> {
                if (argc == 2) {
                    ServerCommands.help(c, HELP);
                    return;
                }
            }
            case "sleep" -> {
                if (argc == 3) {
                    sleep(a.str(2));
                    c.reply().ok();
                    return;
                }
            }
            case "set-active-expire" -> {
                if (argc == 3) {
                    server.keyspace().setActiveExpire(atoi(a.str(2)) != 0);
                    c.reply().ok();
                    return;
                }
            }
            case "error" -> {
                if (argc == 3) {
                    c.reply().error(a.str(2));
                    return;
                }
            }
            case "log" -> {
                if (argc == 3) {
                    Log.warning("DEBUG LOG: " + a.str(2));
                    c.reply().ok();
                    return;
                }
            }
            case "protocol" -> {
                if (argc == 3) {
                    protocol(c, a.str(2));
                    return;
                }
            }
            case "reload" -> {
                reload(c);
                return;
            }
            case "aof-flush-sleep" -> {
                if (argc == 3) {
                    server.persistence().aof().setFlushSleep(atoi(a.str(2)));
                    c.reply().ok();
                    return;
                }
            }
            case "loadaof" -> {
                if (argc == 2) {
                    // Redis exits when the reloaded AOF is bad: the data set is gone by then.
                    if (!server.persistence().aof().debugLoadAof()) {
                        Log.warning("DEBUG LOADAOF could not load the AOF. Exiting.");
                        server.exit(1);
                    }
                    Log.warning("Append Only File loaded by DEBUG LOADAOF");
                    c.reply().ok();
                    return;
                }
            }
            case "populate" -> {
                if (argc >= 3 && argc <= 5) {
                    populate(c);
                    return;
                }
            }
            case "config-rewrite-force-all" -> {
                if (argc == 2) {
                    configRewriteForceAll(c);
                    return;
                }
            }
            default -> { }
        }
        throw ServerCommands.subcommandSyntaxError(c);
    }

    /**
     * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty the keyspace (and
     * the functions), load the dump back. Runs exclusive, like every DEBUG.
     * A duplicate key without MERGE fails the reload (Redis panics).
     */
    private void reload(CommandContext c) {
        Args a = c.args();
        boolean flush = true, save = true, merge = false;
        for (int j = 2; j < a.count(); j++) {
            if (a.is(j, "merge")) merge = true;
            else if (a.is(j, "noflush")) flush = false;
            else if (a.is(j, "nosave")) save = false;
            else throw new CommandError("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
        }
        io.larder.persist.Persistence p = server.persistence();
        if (p.loading()) throw new CommandError("LOADING Redis is loading the dataset in memory");
        if (save && !p.saveNow()) {
            c.reply().error("ERR");
            return;
        }
        if (flush) {
            // The running BGSAVE keeps its own copy of the segment tables; the dump it would write is
            // older than the one just saved, so it is stopped rather than allowed to replace it.
            p.abortBackgroundSave();
            for (int i = 0; i < server.keyspace().databases(); i++) {
                Database db = server.keyspace().db(i);
                db.clear();
                server.flushed(db);
            }
            p.functions().clear();
        }
        try {
            p.load(p.file(), merge, false);
        } catch (IOException | io.larder.persist.RdbException | java.io.UncheckedIOException e) {
            String where = e instanceof io.larder.persist.RdbException r ? " at offset " + r.offset() : "";
            Log.warning("Error loading " + p.file() + where + ": " + e.getMessage());
            throw new CommandError("ERR Error trying to load the RDB dump");
        }
        Log.warning("DB reloaded by DEBUG RELOAD");
        c.reply().ok();
    }

    /** C's atoi: optional spaces and sign, then digits, anything after ignored. */
    static long atoi(String s) {
        int i = 0, n = s.length();
        while (i < n && Character.isWhitespace(s.charAt(i))) i++;
        boolean neg = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) neg = s.charAt(i++) == '-';
        long v = 0;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') v = v * 10 + (s.charAt(i++) - '0');
        return neg ? -v : v;
    }

    /** strtod without error checking, as DEBUG SLEEP parses its argument: the longest numeric prefix, else 0. */
    static double lenientDouble(String s) {
        String t = s.strip();
        for (int end = t.length(); end > 0; end--) {
            try {
                return Double.parseDouble(t.substring(0, end));
            } catch (NumberFormatException ignored) {
                // try a shorter prefix
            }
        }
        return 0;
    }

    private static void sleep(String arg) {
        long micros = (long) (lenientDouble(arg) * 1_000_000);
        if (micros <= 0) return;
        try {
            Thread.sleep(micros / 1000, (int) (micros % 1000) * 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** DEBUG PROTOCOL: one sample of each reply type, as the client's protocol writes it. */
    private static void protocol(CommandContext c, String name) {
        Reply r = c.reply();
        switch (name.toLowerCase(Locale.ROOT)) {
            case "string" -> r.bulk("Hello World");
            case "integer" -> r.integer(12345);
            case "double" -> r.doubleValue(3.141);
            case "bignum" -> r.bigNumber("1234567999999999999999999999999999999");
            case "null" -> r.nullBulk();
            case "array" -> {
                r.array(3);
                for (int j = 0; j < 3; j++) r.integer(j);
            }
            case "set" -> {
                r.set(3);
                for (int j = 0; j < 3; j++) r.integer(j);
            }
            case "map" -> {
                r.map(3);
                for (int j = 0; j < 3; j++) {
                    r.integer(j);
                    r.bool(j == 1);
                }
            }
            case "attrib" -> {
                if (r.isResp3()) {
                    r.raw("|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                }
                r.bulk("Some real reply following the attribute");
            }
            case "push" -> {
                if (!r.isResp3()) throw new CommandError("ERR RESP2 is not supported by this command");
                r.push(2);
                r.bulk("server-cpu-usage");
                r.integer(42);
                r.bulk("Some real reply following the push reply");
            }
            case "true" -> r.bool(true);
            case "false" -> r.bool(false);
            case "verbatim" -> r.verbatim("This is a verbatim\nstring", "txt");
            default -> throw new CommandError("ERR Wrong protocol type name. Please use one of the following: "
                    + "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
        }
    }

    /**
     * DEBUG POPULATE count [prefix] [size]: string keys prefix:0 ... with
     * values "value:N" (zero-padded or cut to size when given); existing keys
     * are left alone. Runs exclusive, so it may touch any key.
     */
    private void populate(CommandContext c) {
        Args a = c.args();
        long keys = positive(a, 2);
        long size = a.count() == 5 ? positive(a, 4) : 0;
        String prefix = a.count() >= 4 ? a.str(3) : "key";
        Database db = c.db();
        Lookup l = c.lookup();
        long now = c.now();
        int lru = Keyspace.lruClock(now);
        for (long j = 0; j < keys; j++) {
            String k = prefix + ":" + j;
            // Redis formats the key into a 128-byte buffer.
            if (k.length() > 127) k = k.substring(0, 127);
            byte[] key = k.getBytes(StandardCharsets.ISO_8859_1);
            // Keys not declared to the dispatcher: let a running snapshot capture their stripe first.
            server.keyspace().beforeWrite(server.keyspace().segmentOf(io.larder.store.KeyHash.hash(key), key, 0,
                    key.length));
            if (db.find(l, key, now) != null) continue;
            byte[] text = ("value:" + j).getBytes(StandardCharsets.ISO_8859_1);
            byte[] val = text;
            if (size > 0) {
                val = new byte[(int) Math.min(size, Integer.MAX_VALUE - 16)];
                System.arraycopy(text, 0, val, 0, Math.min(text.length, val.length));
            }
            c.insert(db, l, Strings.entry(key, 0, key.length, val, 0, val.length, StoredValue.NO_EXPIRE, false, lru));
            c.keyModified(db, key);
        }
        // Like Redis, the keys are not counted as changes (DEBUG POPULATE is not propagated either).
        c.reply().ok();
    }

    private static long positive(Args a, int i) {
        long v;
        try {
            v = a.longAt(i);
        } catch (RuntimeException e) {
            v = -1;
        }
        if (v < 0) throw new CommandError("ERR value is out of range, must be positive");
        return v;
    }

    private void configRewriteForceAll(CommandContext c) {
        String path = server.configFile().path;
        if (path == null) throw new CommandError("ERR CONFIG-REWRITE-FORCE-ALL failed: Bad address");
        try {
            ConfigCommands.rewriteFile(server, Path.of(path), true);
        } catch (IOException e) {
            throw new CommandError("ERR CONFIG-REWRITE-FORCE-ALL failed: " + ConfigCommands.ioReason(e));
        }
        c.reply().ok();
    }
}
