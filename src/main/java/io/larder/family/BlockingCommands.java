package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.protocol.Args;
import io.larder.server.LarderServer;

/** Commands about blocked clients themselves: CLIENT UNBLOCK. */
public final class BlockingCommands {
    private final LarderServer server;

    public BlockingCommands(LarderServer server) {
        this.server = server;
    }

    public void register(CommandTable t) {
        t.add("client|unblock", this::unblock).noKeyspace();
    }

    /** CLIENT UNBLOCK id [TIMEOUT|ERROR]: the reason is checked before the id, as in Redis. */
    void unblock(CommandContext c) {
        Args a = c.args();
        if (a.count() > 4) throw Errors.subcommandSyntax(a);
        boolean error = false;
        if (a.count() == 4) {
            if (a.is(3, "TIMEOUT")) error = false;
            else if (a.is(3, "ERROR")) error = true;
            else throw new CommandError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
        }
        long id = c.longArg(2);
        c.reply().integer(server.blocking().unblock(id, error) ? 1 : 0);
    }
}
