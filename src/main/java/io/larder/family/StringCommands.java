package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.config.KeyspaceEvents;
import io.larder.protocol.Args;
import io.larder.server.LarderServer;
import io.larder.store.Database;
import io.larder.store.Keyspace;
import io.larder.store.Lookup;
import io.larder.store.StoredValue;

/** The string family: GET, SET and friends. */
public final class StringCommands {
    private final LarderServer server;

    public StringCommands(LarderServer server) {
        this.server = server;
    }

    public void register(CommandTable t) {
        t.add("get", this::get);
        t.add("set", this::set);
    }

    void get(CommandContext c) {
        Object e = c.read(1);
        if (!Strings.check(e)) {
            c.reply().nullBulk();
            return;
        }
        Strings.writeBulk(c.reply(), e);
    }

    private static final int NX = 1, XX = 2, GET = 4, KEEPTTL = 8, EX = 16, PX = 32, EXAT = 64, PXAT = 128;

    void set(CommandContext c) {
        Args a = c.args();
        int flags = 0;
        int expireArg = -1;
        for (int j = 3; j < a.count(); j++) {
            boolean hasNext = j < a.count() - 1;
            if (a.is(j, "NX") && (flags & XX) == 0) {
                flags |= NX;
            } else if (a.is(j, "XX") && (flags & NX) == 0) {
                flags |= XX;
            } else if (a.is(j, "GET")) {
                flags |= GET;
            } else if (a.is(j, "KEEPTTL") && (flags & (EX | PX | EXAT | PXAT)) == 0) {
                flags |= KEEPTTL;
            } else if (a.is(j, "EX") && (flags & (KEEPTTL | PX | EXAT | PXAT)) == 0 && hasNext) {
                flags |= EX;
                expireArg = ++j;
            } else if (a.is(j, "PX") && (flags & (KEEPTTL | EX | EXAT | PXAT)) == 0 && hasNext) {
                flags |= PX;
                expireArg = ++j;
            } else if (a.is(j, "EXAT") && (flags & (KEEPTTL | EX | PX | PXAT)) == 0 && hasNext) {
                flags |= EXAT;
                expireArg = ++j;
            } else if (a.is(j, "PXAT") && (flags & (KEEPTTL | EX | PX | EXAT)) == 0 && hasNext) {
                flags |= PXAT;
                expireArg = ++j;
            } else {
                throw Errors.SYNTAX;
            }
        }
        long expireAt = StoredValue.NO_EXPIRE;
        if (expireArg > 0) {
            boolean seconds = (flags & (EX | EXAT)) != 0;
            expireAt = expireMillis(c, expireArg, seconds, (flags & (EX | PX)) != 0, "set");
        }
        Database db = c.db();
        Lookup l = c.lookup();
        Object old = c.write(1);
        boolean found = old != null;
        if ((flags & GET) != 0) {
            // Like Redis's getGenericCommand: the old value is the reply, whatever happens next.
            if (Strings.check(old)) Strings.writeBulk(c.reply(), old);
            else c.reply().nullBulk();
        }
        if (((flags & NX) != 0 && found) || ((flags & XX) != 0 && !found)) {
            if ((flags & GET) == 0) c.reply().nullBulk();
            return;
        }
        if ((flags & KEEPTTL) != 0 && found) expireAt = Strings.expireAt(old);
        Object entry = Strings.entry(a.buf(), a.off(1), a.len(1), a.buf(), a.off(2), a.len(2), expireAt, false,
                Keyspace.lruClock(c.now()));
        c.put(db, l, entry);
        c.dirty(1);
        c.keyModified(db, 1);
        c.notify(KeyspaceEvents.STRING, "set", db, 1);
        if (expireArg > 0) c.notify(KeyspaceEvents.GENERIC, "expire", db, 1);
        if ((flags & GET) == 0) c.reply().ok();
    }

    /**
     * Redis's getExpireMillisecondsOrReply: the expiry argument as an absolute
     * time in ms, with its checks and error texts.
     */
    static long expireMillis(CommandContext c, int arg, boolean seconds, boolean relative, String command) {
        long v = c.longArg(arg);
        if (v <= 0 || (seconds && v > Long.MAX_VALUE / 1000)) throw Errors.invalidExpire(command);
        if (seconds) v *= 1000;
        if (relative) v += c.now();
        if (v <= 0) throw Errors.invalidExpire(command);
        return v;
    }
}
