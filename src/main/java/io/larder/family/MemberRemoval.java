package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.config.KeyspaceEvents;
import io.larder.protocol.Args;
import io.larder.store.Database;
import java.util.function.IntSupplier;

/**
 * HDEL and SREM (ZREM has the same shape): remove the members named by
 * arguments 2.., stop and delete the key as soon as it is empty, then one
 * event for the command and "del" if the key went, as Redis does.
 */
final class MemberRemoval {
    private MemberRemoval() {}

    interface Remover {
        boolean remove(byte[] b, int off, int len);
    }

    /** Runs the removal on the collection {@code c.lookup()} addresses and replies with the count. */
    static void removeArgs(CommandContext c, Database db, Remover remover, IntSupplier size, int eventClass,
                           String event) {
        Args a = c.args();
        long deleted = 0;
        boolean removed = false;
        for (int i = 2; i < a.count(); i++) {
            if (remover.remove(a.buf(), a.off(i), a.len(i))) {
                deleted++;
                if (size.getAsInt() == 0) {
                    db.remove(c.lookup());
                    removed = true;
                    break;
                }
            }
        }
        if (deleted > 0) {
            if (!removed) db.updated(c.lookup());
            c.keyModified(db, 1);
            c.notify(eventClass, event, db, 1);
            if (removed) c.notify(KeyspaceEvents.GENERIC, "del", db, 1);
            c.dirty(deleted);
        }
        c.reply().integer(deleted);
    }
}
