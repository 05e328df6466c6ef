package io.larder.family;

import io.larder.command.CommandSpec;
import io.larder.protocol.Args;
import io.larder.server.Client;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One client's MULTI state (Redis's multiState plus its watched_keys list):
 * the queued commands and the keys it watches. Touched by the client's own
 * thread, or by the thread running its EXEC while the client waits.
 */
final class Transaction {
    /** A queued command: its own copy of the arguments (the query buffer moves on). */
    record Queued(CommandSpec cmd, Args args) {}

    final Client client;
    final List<Queued> queue = new ArrayList<>();
    /** OR of the queued commands' flags (Redis's mstate.cmd_flags): does EXEC write? */
    long flags;
    /** OR of the complements of their flags (mstate.cmd_inv_flags): does some queued command lack one? */
    long invFlags;
    /** The watched keys, in WATCH order, by (db, key). */
    final Map<io.larder.store.DbKey, WatchedKeys.Watched> watched = new HashMap<>();
    final List<WatchedKeys.Watched> watchOrder = new ArrayList<>();

    Transaction(Client client) {
        this.client = client;
    }

    void queue(CommandSpec cmd, Args args) {
        queue.add(new Queued(cmd, args));
        flags |= cmd.flags;
        invFlags |= ~cmd.flags;
        client.multiQueued = queue.size();
    }

    /** Forgets the queued commands (Redis's freeClientMultiState + initClientMultiState). */
    void clearQueue() {
        queue.clear();
        flags = 0;
        invFlags = 0;
    }

    boolean isEmpty() {
        return queue.isEmpty() && watchOrder.isEmpty() && !client.has(Client.MULTI);
    }
}
