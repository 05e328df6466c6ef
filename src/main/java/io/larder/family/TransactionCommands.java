package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandSpec;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.protocol.Args;
import io.larder.server.Client;
import io.larder.server.Dispatcher;
import io.larder.server.LarderServer;
import io.larder.store.Database;
import io.larder.store.ExecutionGate;
import io.larder.store.KeyHash;
import io.larder.store.Keyspace;
import java.util.concurrent.ConcurrentHashMap;

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH with Redis's semantics (multi.c):
 * commands are queued (+QUEUED) after passing the dispatcher's checks, a
 * rejected command fails the transaction (-EXECABORT), runtime errors inside
 * EXEC do not roll back, and EXEC answers a null array when a watched key
 * changed.
 *
 * <p>EXEC is atomic across threads: it takes the stripe locks of every key of
 * every queued command and of every watched key (ascending, from the key
 * specs), checks the watches, and runs the queue back to back through
 * {@link Dispatcher#call}, so nobody on any thread sees part of it. When a
 * queued command's keys cannot be known that way (exclusive commands, keyless
 * commands that read the keyspace, scripts) EXEC takes the keyspace
 * exclusively instead.
 */
public final class TransactionCommands {
    private static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";

    private final LarderServer server;
    private final Keyspace keyspace;
    private final WatchedKeys watches = new WatchedKeys();
    /** Clients with an open MULTI or watched keys. */
    private final ConcurrentHashMap<Long, Transaction> states = new ConcurrentHashMap<>();

    public TransactionCommands(LarderServer server) {
        this.server = server;
        this.keyspace = server.keyspace();
        server.addKeyListener(watches);
        server.addFlushListener(watches);
        server.addClientListener(this::discardTransaction);
        server.addResetListener(this::discardTransaction);
        server.setRejectHook(this::rejected);
        server.dispatcher().addInterceptor(this::intercept);
        // EXEC is judged by its queue (mstate.cmd_flags) in the OOM, MISCONF and LOADING checks.
        server.dispatcher().setQueuedFlags(new Dispatcher.QueuedFlags() {
            @Override
            public long flags(Client c) {
                Transaction t = states.get(c.id);
                return t == null ? 0 : t.flags;
            }

            @Override
            public long invFlags(Client c) {
                Transaction t = states.get(c.id);
                return t == null ? 0 : t.invFlags;
            }
        });
        server.pause().setExecWrites(c -> {
            Transaction t = states.get(c.id);
            return t != null && (t.flags & (CommandSpec.WRITE | CommandSpec.MAY_REPLICATE)) != 0;
        });
    }

    public void register(CommandTable t) {
        t.add("multi", this::multi).noKeyspace();
        // EXEC locks what its queue needs itself.
        t.add("exec", this::exec).noKeyspace();
        t.add("discard", this::discard).noKeyspace();
        // WATCH locks its keys itself: inside MULTI it must answer at once, even while a script holds the keyspace.
        t.add("watch", this::watch).noKeyspace();
        // UNWATCH only edits WATCH's own index (no stripe lock): it works while a script runs.
        t.add("unwatch", this::unwatch).noKeyspace();
    }

    private Transaction state(Client c) {
        return states.computeIfAbsent(c.id, id -> new Transaction(c));
    }

    // ------------------------------------------------------------ queueing

    /**
     * Redis's processCommand tail: inside MULTI every command but EXEC,
     * DISCARD, MULTI, WATCH, QUIT and RESET is queued, once it has passed the
     * checks (so an unknown command or a wrong arity fails the transaction
     * instead). A transaction already doomed queues nothing more.
     */
    private boolean intercept(Client client, Args a, CommandSpec cmd, CommandContext c) {
        if (!client.has(Client.MULTI)) return false;
        CommandSpec top = cmd.parent != null ? cmd.parent : cmd;
        switch (top.name) {
            case "exec", "discard", "multi", "watch", "quit", "reset" -> {
                return false;
            }
            default -> { }
        }
        if (!client.has(Client.DIRTY_CAS) && !client.has(Client.DIRTY_EXEC)) {
            Transaction t = state(client);
            t.queue(cmd, a.copy());
            // getCommandFlags: a queued script's own flags count too (EXEC of a writing script is denyoom).
            t.flags |= server.maxMemory().commandFlags(cmd, a);
        }
        client.reply().simple("QUEUED");
        return true;
    }

    /**
     * Redis's flagTransaction and execCommandAbort: a command rejected
     * inside MULTI fails the transaction; a rejected EXEC ends it with the
     * reason.
     */
    private boolean rejected(Client client, CommandSpec cmd, String error) {
        if (cmd != null && cmd.parent == null && cmd.name.equals("exec")) {
            discardTransaction(client);
            // Redis prints the reason without the "ERR " its generic rejections add.
            String reason = error.startsWith("ERR ") ? error.substring(4) : error;
            client.reply().error("EXECABORT Transaction discarded because of: " + reason);
            return true;
        }
        if (client.has(Client.MULTI)) client.setFlag(Client.DIRTY_EXEC, true);
        return false;
    }

    // ------------------------------------------------------------ commands

    void multi(CommandContext c) {
        Client cl = c.client();
        if (cl.has(Client.MULTI)) throw Errors.err("MULTI calls can not be nested");
        state(cl);
        cl.multiQueued = 0;
        cl.setFlag(Client.MULTI, true);
        c.reply().ok();
    }

    void discard(CommandContext c) {
        Client cl = c.client();
        if (!cl.has(Client.MULTI)) throw Errors.err("DISCARD without MULTI");
        discardTransaction(cl);
        c.reply().ok();
    }

    void watch(CommandContext c) {
        Client cl = c.client();
        if (cl.has(Client.MULTI)) throw Errors.err("WATCH inside MULTI is not allowed");
        // No point in watching once the client is dirty: EXEC fails anyway.
        if (!cl.has(Client.DIRTY_CAS)) {
            Transaction t = state(cl);
            Database db = c.db();
            Args a = c.args();
            int[] stripes = new int[a.count() - 1];
            for (int i = 1; i < a.count(); i++) {
                stripes[i - 1] = keyspace.segmentOf(a.hash(i), a.buf(), a.off(i), a.len(i));
            }
            int n = Dispatcher.sortUnique(stripes, stripes.length);
            ExecutionGate.Worker w = c.worker();
            server.dispatcher().enter(c, c.command());
            try {
                for (int i = 0; i < n; i++) keyspace.locks.lock(stripes[i]);
                try {
                    for (int i = 1; i < a.count(); i++) {
                        byte[] key = a.bytes(i);
                        io.larder.store.DbKey k = new io.larder.store.DbKey(db.id, key);
                        if (t.watched.containsKey(k)) continue;
                        WatchedKeys.Watched wk = watches.watch(cl, db, key, c.now());
                        t.watched.put(k, wk);
                        t.watchOrder.add(wk);
                    }
                } finally {
                    for (int i = n - 1; i >= 0; i--) keyspace.locks.unlock(stripes[i]);
                }
            } finally {
                keyspace.gate.exit(w);
            }
        }
        c.reply().ok();
    }

    void unwatch(CommandContext c) {
        Client cl = c.client();
        Transaction t = states.get(cl.id);
        if (t != null) {
            unwatchAll(t);
            forgetIfEmpty(t);
        }
        cl.setFlag(Client.DIRTY_CAS, false);
        c.reply().ok();
    }

    void exec(CommandContext c) {
        Client cl = c.client();
        if (!cl.has(Client.MULTI)) throw Errors.err("EXEC without MULTI");
        Transaction t = state(cl);
        if (cl.has(Client.DIRTY_EXEC)) {
            discardTransaction(cl);
            throw new CommandError(EXECABORT);
        }
        Locking plan;
        // EXEC may run on the script thread while the client's own loop handles its disconnection.
        synchronized (t) {
            plan = plan(t);
        }
        if (plan.scripts && !server.scripts().onScriptThread()) {
            // Lua runs on the script thread: the whole transaction goes there, keyspace exclusive.
            server.scripts().offload(c, this::exec, true);
            return;
        }
        Dispatcher dispatcher = server.dispatcher();
        ExecutionGate gate = keyspace.gate;
        ExecutionGate.Worker w = c.worker();
        boolean tookExclusive = false;
        if (plan.stripes == null) {
            if (!gate.isExclusiveOwner(w)) {
                dispatcher.enterExclusive(c, c.command());
                c.setExclusive(true);
                tookExclusive = true;
            }
        } else {
            dispatcher.enter(c, c.command());
            for (int s : plan.stripes) keyspace.locks.lock(s);
        }
        boolean denied = cl.has(Client.DENY_BLOCKING);
        try {
            Transaction.Queued[] queue;
            synchronized (t) {
                if (!cl.has(Client.DIRTY_CAS) && watchedKeyExpired(t, c.now())) cl.setFlag(Client.DIRTY_CAS, true);
                if (cl.has(Client.DIRTY_CAS)) {
                    c.reply().nullArray();
                    return;
                }
                unwatchAll(t);
                queue = t.queue.toArray(new Transaction.Queued[0]);
            }
            // Blocking commands must not block inside a transaction: they answer as if timed out.
            cl.setFlag(Client.DENY_BLOCKING, true);
            c.reply().array(queue.length);
            c.setKeysLocked(plan.stripes != null);
            for (Transaction.Queued q : queue) dispatcher.call(c, cl, q.args(), q.cmd());
        } finally {
            // Under EXEC's locks: the queue's writes enter the journal, in one MULTI/EXEC if more than one.
            if (server.journal().active()) server.journal().commandDone(c);
            c.setKeysLocked(false);
            if (!denied) cl.setFlag(Client.DENY_BLOCKING, false);
            if (plan.stripes == null) {
                if (tookExclusive) {
                    c.setExclusive(false);
                    gate.exitExclusive(w);
                }
            } else {
                for (int i = plan.stripes.length - 1; i >= 0; i--) keyspace.locks.unlock(plan.stripes[i]);
                gate.exit(w);
            }
            discardTransaction(cl);
        }
    }

    // ------------------------------------------------------------ EXEC's locks

    /**
     * What EXEC must hold: these stripes (ascending), or the whole keyspace
     * when null; a transaction with a script runs on the script thread.
     */
    private record Locking(int[] stripes, boolean scripts) {}

    private static final Locking EXCLUSIVE = new Locking(null, false);
    private static final Locking SCRIPTS = new Locking(null, true);

    /**
     * The stripes of every key of every queued command and every watched
     * key. Commands whose keys the key specs cannot give (exclusive ones,
     * keyless commands that read the keyspace such as DBSIZE or SCAN, scripts,
     * arguments the specs do not match) make EXEC take the keyspace instead.
     */
    private Locking plan(Transaction t) {
        int n = 0;
        int[] stripes = new int[16];
        int[] pos = new int[8];
        for (Transaction.Queued q : t.queue) {
            CommandSpec cmd = q.cmd();
            // Scripts, and the commands that change the Lua states, run on the script thread.
            if (server.scripts().runsHere(cmd)) return SCRIPTS;
            if (cmd.noKeyspace()) {
                // CLIENT UNBLOCK locks the stripes of the client it unblocks: not under ours.
                if (cmd.fullName.equals("client|unblock")) return EXCLUSIVE;
                continue;
            }
            Args a = q.args();
            // SORT ... BY/GET patterns read keys no spec names.
            if (cmd.exclusive(a) || !cmd.hasKeys()) return EXCLUSIVE;
            if (pos.length < a.count()) pos = new int[a.count()];
            int k = cmd.keys(a, pos);
            if (k <= 0) return EXCLUSIVE;
            for (int i = 0; i < k; i++) {
                if (n == stripes.length) stripes = java.util.Arrays.copyOf(stripes, n * 2);
                int p = pos[i];
                stripes[n++] = keyspace.segmentOf(a.hash(p), a.buf(), a.off(p), a.len(p));
            }
        }
        for (WatchedKeys.Watched w : t.watchOrder) {
            if (n == stripes.length) stripes = java.util.Arrays.copyOf(stripes, n * 2);
            byte[] k = w.key.key;
            stripes[n++] = keyspace.segmentOf(KeyHash.hash(k), k, 0, k.length);
        }
        n = Dispatcher.sortUnique(stripes, n);
        return new Locking(java.util.Arrays.copyOf(stripes, n), false);
    }

    /** Redis's isWatchedKeyExpired: a watched key expired after WATCH (EXEC holds its stripe). */
    private boolean watchedKeyExpired(Transaction t, long now) {
        for (WatchedKeys.Watched w : t.watchOrder) {
            if (watches.expiredSinceWatch(w, keyspace.db(w.key.db), now)) return true;
        }
        return false;
    }

    // ------------------------------------------------------------ state

    private void unwatchAll(Transaction t) {
        if (t.watchOrder.isEmpty()) return;
        for (WatchedKeys.Watched w : t.watchOrder) watches.unwatch(w);
        t.watchOrder.clear();
        t.watched.clear();
    }

    /**
     * Redis's discardTransaction: forgets the queue, leaves MULTI, clears the
     * dirty flags and unwatches everything. Also on RESET and disconnect.
     */
    private void discardTransaction(Client cl) {
        Transaction t = states.get(cl.id);
        if (t != null) {
            synchronized (t) {
                t.clearQueue();
                unwatchAll(t);
            }
            states.remove(cl.id, t);
        }
        cl.setFlag(Client.MULTI, false);
        cl.setFlag(Client.DIRTY_CAS, false);
        cl.setFlag(Client.DIRTY_EXEC, false);
        cl.multiQueued = -1;
    }

    private void forgetIfEmpty(Transaction t) {
        if (t.isEmpty()) states.remove(t.client.id, t);
    }

    /** Number of clients with transaction state (tests: nothing is left behind). */
    int openStates() {
        return states.size();
    }
}
