package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandSpec;
import io.larder.command.CommandTable;
import io.larder.server.Client;
import io.larder.server.LarderServer;

/**
 * MONITOR: the connection becomes a monitor (flagged as a replica, as in
 * Redis, so CLIENT LIST shows "O" and it may not touch the keyspace) and
 * receives every command the server runs; see {@link io.larder.server.MonitorFeed}.
 */
public final class MonitorCommand {
    private final LarderServer server;

    public MonitorCommand(LarderServer server) {
        this.server = server;
        server.dispatcher().addCheck(this::replicaCheck);
        server.addResetListener(cl -> {
            if (!cl.has(Client.MONITOR)) return;
            server.monitor().remove(cl);
            cl.setFlag(Client.MONITOR | Client.REPLICA, false);
        });
    }

    public void register(CommandTable t) {
        t.add("monitor", this::monitor).noKeyspace();
    }

    void monitor(CommandContext c) {
        Client cl = c.client();
        // A client that expects one reply per command (inside EXEC) cannot become a stream of lines.
        if (cl.has(Client.DENY_BLOCKING)) throw new CommandError("ERR MONITOR isn't allowed for DENY BLOCKING client");
        // Already a monitor (or a replica): ignored, without a reply.
        if (cl.has(Client.REPLICA)) return;
        cl.setFlag(Client.REPLICA | Client.MONITOR, true);
        server.monitor().add(cl);
        c.reply().ok();
    }

    /**
     * Redis's processCommand: a replica connection (and so a monitor) may not
     * run commands that read, write or may replicate, which would let it
     * bypass CLIENT PAUSE, from which replicas are exempt.
     */
    private String replicaCheck(Client client, CommandSpec cmd) {
        if (!client.has(Client.REPLICA)) return null;
        if (cmd.has(CommandSpec.WRITE | CommandSpec.READONLY | CommandSpec.MAY_REPLICATE)) {
            return "ERR Replica can't interact with the keyspace";
        }
        return null;
    }
}
