package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandSpec;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.config.KeyspaceEvents;
import io.larder.persist.DumpPayload;
import io.larder.persist.KeyRecords;
import io.larder.persist.LoadOptions;
import io.larder.persist.RdbException;
import io.larder.protocol.Args;
import io.larder.server.LarderServer;
import io.larder.store.Database;
import io.larder.store.Lookup;
import io.larder.store.StoredValue;

/**
 * DUMP and RESTORE (values in RDB form, between Larder and Redis); SAVE and
 * BGSAVE ask {@link io.larder.persist.Persistence} for a snapshot.
 */
public final class PersistenceCommands {
    private static final CommandError BUSYKEY = new CommandError("BUSYKEY Target key name already exists.");
    private static final CommandError BAD_PAYLOAD = Errors.err("DUMP payload version or checksum are wrong");
    private static final CommandError BAD_FORMAT = Errors.err("Bad data format");

    private final LarderServer server;

    public PersistenceCommands(LarderServer server) {
        this.server = server;
        // Redis's writeCommandsDeniedByDiskError: after a failed background save (with save points and
        // stop-writes-on-bgsave-error), writes and PING are refused with -MISCONF.
        server.dispatcher().addCheck((client, cmd) -> {
            if (server.persistenceRefusals() == 0) return null;
            String denied = server.writeDeniedError();
            return denied != null && (server.dispatcher().hasFlag(client, cmd, CommandSpec.WRITE)
                    || cmd.fullName.equals("ping")) ? denied : null;
        });
    }

    /** While a dump loads, commands without the "loading" flag are refused (added in processCommand's order). */
    public static void addLoadingCheck(LarderServer server) {
        server.dispatcher().addCheck((client, cmd) -> server.persistenceRefusals() != 0 && server.loading()
                && server.dispatcher().lacksFlag(client, cmd, CommandSpec.LOADING) ? "LOADING Redis is loading the dataset in memory" : null);
    }

    public void register(CommandTable t) {
        t.add("dump", this::dump);
        t.add("restore", this::restore);
        // Both need the whole keyspace for a moment: SAVE writes it all (blocking everyone, as Redis's
        // SAVE does); BGSAVE only takes its snapshot, then writes it on a thread of its own.
        t.add("save", this::save).exclusive();
        t.add("bgsave", this::bgsave).exclusive();
        // Exclusive for the instant the rewrite starts: its new INCR file and its snapshot begin together.
        t.add("bgrewriteaof", this::bgrewriteaof).exclusive();
    }

    /** BGREWRITEAOF: inside a transaction Redis schedules it (server.in_exec); so does Larder. */
    void bgrewriteaof(CommandContext c) {
        String r = server.persistence().aof().bgrewriteaofCommand(c.callDepth() > 1);
        if (r.startsWith("+")) c.reply().simple(r.substring(1));
        else c.reply().error(r.substring(1));
    }

    /** SAVE: a synchronous save; "-ERR" alone if it failed (the reason is in the log), as Redis. */
    void save(CommandContext c) {
        String err = server.persistence().saveCommand();
        if (err == null) c.reply().ok();
        else c.reply().error(err);
    }

    /** BGSAVE [SCHEDULE]. Inside a transaction Redis schedules it rather than forking; so does Larder. */
    void bgsave(CommandContext c) {
        Args a = c.args();
        boolean schedule = false;
        if (a.count() > 1) {
            if (a.count() == 2 && a.is(1, "schedule")) schedule = true;
            else throw Errors.SYNTAX;
        }
        String r = server.persistence().bgsaveCommand(schedule, c.callDepth() > 1);
        if (r.startsWith("+")) c.reply().simple(r.substring(1));
        else c.reply().error(r.substring(1));
    }

    /** DUMP key: the value's RDB serialization with version and checksum, or nil. */
    void dump(CommandContext c) {
        Object e = c.read(1);
        if (e == null) {
            c.reply().nullBulk();
            return;
        }
        byte[] p = DumpPayload.create(e, server.config().getBool("rdbcompression"));
        c.reply().bulk(p, 0, p.length);
    }

    /** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency], as restoreCommand. */
    void restore(CommandContext c) {
        Args a = c.args();
        boolean replace = false, absttl = false;
        long idle = -1, freq = -1;
        for (int j = 4; j < a.count(); j++) {
            int additional = a.count() - j - 1;
            if (a.is(j, "replace")) {
                replace = true;
            } else if (a.is(j, "absttl")) {
                absttl = true;
            } else if (a.is(j, "idletime") && additional >= 1 && freq == -1) {
                idle = c.longArg(j + 1);
                if (idle < 0) throw Errors.err("Invalid IDLETIME value, must be >= 0");
                j++;
            } else if (a.is(j, "freq") && additional >= 1 && idle == -1) {
                freq = c.longArg(j + 1);
                if (freq < 0 || freq > 255) throw Errors.err("Invalid FREQ value, must be >= 0 and <= 255");
                j++;
            } else {
                throw Errors.SYNTAX;
            }
        }
        Database db = c.db();
        Lookup l = c.lookup();
        Object existing = c.write(1);
        if (!replace && existing != null) throw BUSYKEY;
        long ttl = c.longArg(2);
        if (ttl < 0) throw Errors.err("Invalid TTL value, must be >= 0");
        byte[] buf = a.buf();
        int off = a.off(3), len = a.len(3);
        if (!DumpPayload.verify(buf, off, len, false)) throw BAD_PAYLOAD;
        Object value;
        try {
            value = DumpPayload.read(buf, off, len, LoadOptions.from(server.config()));
        } catch (RdbException | IllegalStateException e) {
            throw BAD_FORMAT;
        }
        boolean deleted = false;
        if (replace && existing != null) {
            db.remove(l);
            deleted = true;
        }
        if (ttl != 0 && !absttl) ttl += c.now();
        // checkAlreadyExpired: not while loading, where the key's later commands are replayed against it.
        if (ttl != 0 && ttl <= c.now() && !server.loading()) {
            // Already expired: the key is not created (and a replaced one is simply gone: propagated as DEL).
            if (deleted) {
                c.keyModified(db, 1);
                c.notify(KeyspaceEvents.GENERIC, "del", db, 1);
                c.dirty(1);
                Propagated.asDeletion(c, "lazyfree-lazy-server-del", 1);
            }
            c.reply().ok();
            return;
        }
        byte[] key = a.bytes(1);
        Object entry = KeyRecords.entry(c.keyspace(), key, value, ttl != 0 ? ttl : StoredValue.NO_EXPIRE, c.now(),
                (int) freq, idle);
        c.insert(db, l, entry);
        c.keyModified(db, 1);
        c.notify(KeyspaceEvents.GENERIC, "restore", db, 1);
        c.reply().ok();
        c.dirty(1);
        if (ttl != 0 && !absttl && c.propagating()) {
            // A relative TTL is propagated as the absolute time, with ABSTTL added at the end.
            c.propagateArg(2, io.larder.journal.Resp.number(ttl));
            c.propagateArg(a.count(), Propagated.ascii("ABSTTL"));
        }
    }
}
