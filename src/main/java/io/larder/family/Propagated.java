package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.journal.Resp;
import io.larder.protocol.Args;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The propagated forms families share (what Redis 7.0 writes to the AOF and
 * sends to replicas instead of the command as received). Each family says
 * how its own command is propagated; these are the forms several use.
 */
final class Propagated {
    private Propagated() {}

    static final byte[] DEL = ascii("DEL"), UNLINK = ascii("UNLINK"), SET = ascii("SET"), PXAT = ascii("PXAT"),
            PEXPIREAT = ascii("PEXPIREAT"), PERSIST = ascii("PERSIST"), KEEPTTL = ascii("KEEPTTL");

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The key in argument {@code keyArg} was deleted by a command that is
     * propagated as its deletion: DEL, or UNLINK when the lazyfree parameter
     * ({@code lazyfree-lazy-user-del}, {@code -expire}, {@code -server-del})
     * is on, as Redis picks shared.unlink.
     */
    static void asDeletion(CommandContext c, String lazyParam, int keyArg) {
        if (!c.propagating()) return;
        boolean lazy = c.server().config().getBool(lazyParam);
        c.propagateAs(lazy ? UNLINK : DEL, c.args().bytes(keyArg));
    }

    /** An absolute expiry as PEXPIREAT key ms (GETEX, RESTORE-less cases). */
    static void asPexpireat(CommandContext c, int keyArg, long at) {
        if (c.propagating()) c.propagateAs(PEXPIREAT, c.args().bytes(keyArg), Resp.number(at));
    }

    /** The arguments without any "GET" after the value (SET ... GET is propagated without it). */
    static void withoutGet(CommandContext c) {
        if (!c.propagating()) return;
        Args a = c.args();
        List<byte[]> v = new ArrayList<>(a.count());
        for (int j = 0; j < a.count(); j++) {
            if (j >= 3 && a.len(j) == 3 && a.is(j, "get")) continue;
            v.add(a.bytes(j));
        }
        c.propagateAs(v.toArray(new byte[0][]));
    }
}
