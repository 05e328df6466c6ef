package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandTable;
import io.larder.config.KeyspaceEvents;
import io.larder.protocol.Args;
import io.larder.server.LarderServer;
import io.larder.store.Database;
import io.larder.store.Lookup;

/** The generic keyspace family: DEL, EXISTS and friends. */
public final class KeyCommands {
    @SuppressWarnings("unused")
    private final LarderServer server;

    public KeyCommands(LarderServer server) {
        this.server = server;
    }

    public void register(CommandTable t) {
        t.add("del", this::del);
        t.add("exists", this::exists);
    }

    void del(CommandContext c) {
        Args a = c.args();
        Database db = c.db();
        Lookup l = c.lookup();
        long n = 0;
        for (int i = 1; i < a.count(); i++) {
            if (db.find(l, a, i, c.now()) != null) {
                db.remove(l);
                n++;
                c.keyModified(db, i);
                c.notify(KeyspaceEvents.GENERIC, "del", db, i);
            }
        }
        c.dirty(n);
        c.reply().integer(n);
    }

    void exists(CommandContext c) {
        Args a = c.args();
        Database db = c.db();
        Lookup l = c.lookup();
        long n = 0;
        for (int i = 1; i < a.count(); i++) {
            if (db.find(l, a, i, c.now()) != null) n++;
        }
        c.reply().integer(n);
    }
}
