package io.larder.server;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandSpec;
import io.larder.command.Errors;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.store.Database;
import io.larder.store.ExecutionGate;
import io.larder.store.KeyHash;
import io.larder.store.DbKey;
import io.larder.store.Keyspace;
import io.larder.util.Numbers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Clients blocked on keys (BLPOP and the other list, sorted set and stream
 * blocking commands), and waking them: Redis's blocked.c for a server that
 * executes commands on several threads at once.
 *
 * <h2>How a family uses it</h2>
 * A blocking command's handler first does what Redis does before blocking
 * (parse, {@link #deadline} for the timeout, try to serve itself from its
 * keys). When every key is empty it asks {@link #mayBlock}; if it may not
 * (inside MULTI/EXEC or a script) it replies with the timeout reply at once,
 * otherwise it calls {@link #block} with the keys it waits on and a
 * {@link BlockedCommand} and returns without replying. When a write creates
 * or feeds one of those keys it calls {@link CommandContext#keyReady} (new
 * lists, sorted sets and streams do so through {@link CommandContext#insert});
 * after the outermost command (after EXEC for a transaction) the dispatcher
 * calls {@link #serveReady}, which offers each ready key to its waiters,
 * first come first served, by calling {@link BlockedCommand#serve} as if the
 * blocked client were executing: {@code c.client()}, {@code c.args()} and
 * {@code c.db()} are the blocked client's, replies go to a private buffer
 * that is then written on the blocked client's own event loop.
 *
 * <h2>Concurrency</h2>
 * The waiters of a key live in a map owned by the key's stripe and are only
 * read or changed inside the execution gate holding that stripe's lock, so a
 * client registering sees the key empty and registers atomically with
 * respect to every writer of it. Serving a waiter, timing it out, CLIENT
 * UNBLOCK and disconnection all take the stripe locks of every key of the
 * blocked command (in ascending order), then check and change the waiter's
 * state: whichever comes first wins and the others see it done, so a client
 * gets exactly one reply even when a timeout races a push. Serving runs on
 * the pushing client's thread while its locks are held, so it is atomic with
 * respect to every other client; only the bytes of the reply travel to the
 * blocked client's loop.
 *
 * <p>A blocked client is suspended: its further pipelined commands wait in
 * its query buffer until it is unblocked, as in Redis.
 */
public final class BlockingController {
    /** What a blocked command does when a key it waits on may be able to serve it. */
    public interface BlockedCommand {
        /**
         * Tries to serve the blocked client from the key at argument index
         * {@code keyArg} of {@code c.args()}. Runs with the stripe locks of
         * all the command's keys held. Must reply (a value or an error) exactly
         * when it returns {@link Outcome#SERVED}, and reply nothing otherwise.
         */
        Outcome serve(CommandContext c, int keyArg);

        /** The reply on timeout and on CLIENT UNBLOCK ... TIMEOUT. Redis's is a null array for every key type. */
        default void timedOut(Reply r) {
            r.nullArray();
        }
    }

    /** The result of offering a key to a blocked client. */
    public enum Outcome {
        /** The client got its reply and is unblocked; the next waiter is offered the key too. */
        SERVED,
        /** This client cannot be served from the key now (wrong type, nothing new for it); try the next one. */
        NOT_SERVED,
        /** The key has nothing for anyone (gone or empty): stop offering it. */
        EXHAUSTED
    }

    private static final int WAITING = 0, DONE = 1;

    /** One blocked client. */
    static final class Waiter {
        final Client client;
        final Database db;
        final Args args;
        final CommandSpec cmd;
        final int[] waitArgs;
        final byte[][] waitKeys;
        /** Stripes of every key of the command, ascending: all locked while the waiter is served or cancelled. */
        final int[] stripes;
        final BlockedCommand handler;
        /** WAITING or DONE; changed only with all of {@link #stripes} locked. */
        int state = WAITING;
        volatile ScheduledFuture<?> timer;

        Waiter(Client client, Database db, Args args, CommandSpec cmd, int[] waitArgs, byte[][] waitKeys,
                int[] stripes, BlockedCommand handler) {
            this.client = client;
            this.db = db;
            this.args = args;
            this.cmd = cmd;
            this.waitArgs = waitArgs;
            this.waitKeys = waitKeys;
            this.stripes = stripes;
            this.handler = handler;
        }

        int argOf(byte[] key) {
            for (int i = 0; i < waitKeys.length; i++) {
                if (Arrays.equals(waitKeys[i], key)) return waitArgs[i];
            }
            return -1;
        }
    }

    private final LarderServer server;
    private final Keyspace keyspace;
    /** Per stripe: the waiters of each key in that stripe, in arrival order. Guarded by the stripe lock. */
    @SuppressWarnings("unchecked")
    private final Map<DbKey, ArrayDeque<Waiter>>[] byStripe = new Map[Keyspace.SEGMENTS];
    /** Blocked clients by client id (CLIENT UNBLOCK, disconnects, INFO). */
    private final ConcurrentHashMap<Long, Waiter> byClient = new ConcurrentHashMap<>();
    /**
     * Number of registered waiters. Incremented under the stripe locks of
     * the waiter's keys, so a writer holding a key's lock that reads 0 knows
     * nobody waits on that key.
     */
    private final AtomicInteger waiting = new AtomicInteger();
    private final FastThreadLocal<Reply> serveReply = new FastThreadLocal<>() {
        @Override
        protected Reply initialValue() {
            Reply r = new Reply(PooledByteBufAllocator.DEFAULT);
            r.setErrorListener(server.stats()::recordError);
            return r;
        }
    };

    BlockingController(LarderServer server) {
        this.server = server;
        this.keyspace = server.keyspace();
        server.addClientListener(this::clientClosed);
        // A flushed database deletes streams XREADGROUP clients may be blocked on (signalDeletedKeyAsReady).
        server.addFlushListener(db -> signalDatabase(server.context(), db));
    }

    // ------------------------------------------------------------ for handlers

    /**
     * Redis's getTimeoutFromObjectOrReply for a timeout in seconds (a float):
     * the absolute deadline in ms, or 0 for "block forever".
     */
    public static long deadline(CommandContext c, int argIndex) {
        double secs;
        try {
            // Redis parses timeouts as long doubles: "1e400" is a (huge, hence negative) timeout, not an error.
            Args a = c.args();
            secs = Numbers.parseDoubleAllowingOverflow(a.buf(), a.off(argIndex), a.len(argIndex));
        } catch (Numbers.Invalid e) {
            throw Errors.TIMEOUT_NOT_FLOAT;
        }
        double ms = secs * 1000.0;
        // C converts out-of-range doubles (and infinities) to LLONG_MIN on x86: "negative".
        long tval = ms >= 9.223372036854775807E18 || ms <= -9.223372036854775808E18 ? Long.MIN_VALUE : (long) ms;
        if (tval < 0) throw Errors.TIMEOUT_NEGATIVE;
        if (tval == 0) return 0;
        long now = c.now();
        // Past the end of time: Redis's deadline overflows and never fires.
        return tval > Long.MAX_VALUE - now ? 0 : now + tval;
    }

    /**
     * Whether the current command may block. Not inside MULTI/EXEC, scripts
     * or any command nested in another (Redis's CLIENT_DENY_BLOCKING): those
     * reply as if the timeout had expired at once, whatever the timeout.
     */
    public boolean mayBlock(CommandContext c) {
        Client cl = c.client();
        return c.callDepth() <= 1 && !c.exclusive() && !cl.has(Client.MULTI) && !cl.has(Client.DENY_BLOCKING);
    }

    /**
     * Blocks the current client on the keys at the given argument indexes
     * until one of them can serve it, the deadline (ms, 0 = never) passes,
     * CLIENT UNBLOCK or it disconnects. The handler must hold the stripe locks
     * of those keys (the dispatcher does, for the command's keys) and return
     * without replying.
     */
    public void block(CommandContext c, int[] keyArgs, long deadline, BlockedCommand handler) {
        Client cl = c.client();
        Args args = c.args().copy();
        CommandSpec cmd = c.command();
        Database db = c.db();
        int[] pos = new int[args.count()];
        int n = Math.max(0, cmd.keys(args, pos));
        int[] stripes = new int[n + keyArgs.length];
        for (int i = 0; i < n; i++) stripes[i] = stripeOf(args.bytes(pos[i]));
        byte[][] keys = new byte[keyArgs.length][];
        for (int i = 0; i < keyArgs.length; i++) {
            keys[i] = args.bytes(keyArgs[i]);
            stripes[n + i] = stripeOf(keys[i]);
        }
        Waiter w = new Waiter(cl, db, args, cmd, keyArgs.clone(), keys, sortedUnique(stripes), handler);
        for (byte[] k : keys) {
            int s = stripeOf(k);
            Map<DbKey, ArrayDeque<Waiter>> m = byStripe[s];
            if (m == null) m = byStripe[s] = new HashMap<>(4);
            ArrayDeque<Waiter> q = m.computeIfAbsent(new DbKey(db.id, k), x -> new ArrayDeque<>(2));
            if (!q.contains(w)) q.addLast(w); // BLPOP k k waits once
        }
        waiting.incrementAndGet();
        byClient.put(cl.id, w);
        cl.setFlag(Client.BLOCKED, true);
        cl.suspend();
        c.markBlocked();
        if (deadline > 0) {
            long delay = Math.max(0, deadline - System.currentTimeMillis());
            w.timer = cl.eventLoop().schedule(() -> timeout(w), delay, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Whether any client waits on this key. The caller holds the key's stripe
     * lock (or the keyspace exclusively); {@link CommandContext#keyReady}
     * uses it to record only keys someone waits on.
     */
    public boolean isWaitedOn(Database db, byte[] key) {
        if (waiting.get() == 0) return false;
        Map<DbKey, ArrayDeque<Waiter>> m = byStripe[stripeOf(key)];
        return m != null && m.containsKey(new DbKey(db.id, key));
    }

    /**
     * Signals every waited key of a database as ready (SWAPDB, loading a
     * snapshot: keys appear without a write to each). Caller holds the
     * keyspace exclusively.
     */
    public void signalDatabase(CommandContext c, Database db) {
        if (waiting.get() == 0) return;
        for (Map<DbKey, ArrayDeque<Waiter>> m : byStripe) {
            if (m == null) continue;
            for (DbKey k : m.keySet()) {
                if (k.db == db.id) c.keyReady(db, k.key);
            }
        }
    }

    /** Whether any client is blocked on a key (one volatile read: lets writers skip building key bytes). */
    public boolean hasWaiters() {
        return waiting.get() != 0;
    }

    /** Number of blocked clients (INFO blocked_clients). */
    public int blockedClients() {
        return byClient.size();
    }

    /** Number of keys with waiters (INFO, tests: nothing is left behind). */
    public int waitedKeys() {
        int n = 0;
        ExecutionGate.Worker wk = server.context().worker();
        for (int s = 0; s < byStripe.length; s++) {
            if (byStripe[s] == null) continue;
            final int stripe = s;
            n += withStripes(wk, new int[] {stripe}, () -> byStripe[stripe] == null ? 0 : byStripe[stripe].size());
        }
        return n;
    }

    public boolean isBlocked(Client c) {
        return byClient.containsKey(c.id);
    }

    // ------------------------------------------------------------ serving

    /**
     * Serves the clients waiting on the keys the finished command (or
     * transaction) made ready, in the order the keys became ready, each key's
     * waiters first come first served. Keys made ready while serving (BLMOVE
     * pushing into a key others wait on) are served in turn. Called by the
     * dispatcher after the outermost command, outside any lock.
     */
    public void serveReady(CommandContext c) {
        List<CommandContext.ReadyKey> ready = c.readyKeys();
        if (ready.isEmpty()) return;
        try {
            LinkedHashSet<DbKey> pending = new LinkedHashSet<>();
            Map<Integer, Database> dbs = new HashMap<>();
            int taken = drain(ready, 0, pending, dbs);
            while (!pending.isEmpty()) {
                var it = pending.iterator();
                DbKey k = it.next();
                it.remove();
                serveKey(c, dbs.get(k.db), k);
                taken = drain(ready, taken, pending, dbs);
            }
        } finally {
            ready.clear();
        }
    }

    private static int drain(List<CommandContext.ReadyKey> ready, int from, LinkedHashSet<DbKey> pending,
            Map<Integer, Database> dbs) {
        int n = ready.size();
        for (int i = from; i < n; i++) {
            CommandContext.ReadyKey r = ready.get(i);
            pending.add(new DbKey(r.db().id, r.key()));
            dbs.put(r.db().id, r.db());
        }
        return n;
    }

    private void serveKey(CommandContext c, Database db, DbKey k) {
        ExecutionGate.Worker wk = c.worker();
        int stripe = stripeOf(k.key);
        Waiter[] snapshot = withStripes(wk, new int[] {stripe}, () -> {
            Map<DbKey, ArrayDeque<Waiter>> m = byStripe[stripe];
            ArrayDeque<Waiter> q = m == null ? null : m.get(k);
            return q == null ? null : q.toArray(new Waiter[0]);
        });
        if (snapshot == null) return;
        for (Waiter w : snapshot) {
            Outcome o = withStripes(wk, w.stripes, () -> serveOne(c, w, k.key));
            if (o == Outcome.EXHAUSTED) break;
        }
    }

    /** Offers a key to one waiter; runs with all the waiter's stripes locked. */
    private Outcome serveOne(CommandContext c, Waiter w, byte[] key) {
        if (w.state != WAITING) return Outcome.NOT_SERVED;
        int keyArg = w.argOf(key);
        Reply r = serveReply.get();
        r.setResp(w.client.resp());
        r.setEnabled(true);
        long start = System.nanoTime();
        Outcome[] out = new Outcome[1];
        c.runAs(w.client, w.args, w.cmd, r, () -> {
            io.larder.journal.Journal journal = server.journal();
            boolean propagating = journal.active();
            if (propagating) journal.serving(c);
            try {
                // Serving writes the waiter's keys: a running snapshot captures them first.
                for (int s : w.stripes) server.keyspace().beforeWrite(s);
                out[0] = w.handler.serve(c, keyArg);
            } catch (CommandError e) {
                // Served with an error (BLMOVE into a key of the wrong type): the client is unblocked with it.
                r.error(e.getMessage());
                out[0] = Outcome.SERVED;
            } catch (RuntimeException | StackOverflowError e) {
                // A bug while serving must not break the pushing client nor leave this one blocked for ever.
                Log.warning("Internal error serving blocked '" + w.cmd.fullName + "': " + e);
                ByteBuf partial = r.take();
                if (partial != null) partial.release();
                r.error("ERR internal error executing '" + w.cmd.fullName + "': " + e.getClass().getSimpleName());
                out[0] = Outcome.SERVED;
            } finally {
                // Under the waiter's locks: the served command's writes (the LPOP a BLPOP became ...) are fed now.
                if (propagating) journal.servedDone(c);
            }
            if (out[0] == Outcome.SERVED) {
                w.state = DONE;
                forget(w);
                ByteBuf reply = r.take();
                boolean failed = reply != null && reply.isReadable() && reply.getByte(reply.readerIndex()) == '-';
                server.dispatcher().commandCompleted(c, w.client, w.args, w.cmd,
                        (System.nanoTime() - start) / 1000, failed);
                deliver(w, reply);
            }
        });
        if (out[0] != Outcome.SERVED) {
            ByteBuf stray = r.take();
            if (stray != null) stray.release();
        }
        return out[0];
    }

    // ------------------------------------------------------------ ending a wait without data

    /** The deadline passed (runs on the blocked client's loop). */
    private void timeout(Waiter w) {
        if (cancel(w)) endWithoutData(w, false);
    }

    /**
     * CLIENT UNBLOCK: ends the wait of a blocked client as if it had timed
     * out, or with Redis's -UNBLOCKED error. False if the client is not
     * blocked (or was served meanwhile).
     */
    public boolean unblock(long clientId, boolean error) {
        Waiter w = byClient.get(clientId);
        if (w == null || !cancel(w)) return false;
        w.client.eventLoop().execute(() -> endWithoutData(w, error));
        return true;
    }

    /** On the blocked client's loop: the timeout reply (or the UNBLOCKED error), statistics, resume. */
    private void endWithoutData(Waiter w, boolean error) {
        Client cl = w.client;
        Reply r = cl.reply();
        CommandContext c = server.context();
        c.runAs(cl, w.args, w.cmd, r, () -> {
            if (error) r.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
            else w.handler.timedOut(r);
            server.dispatcher().commandCompleted(c, cl, w.args, w.cmd, 0, error);
        });
        resume(cl);
    }

    private void clientClosed(Client cl) {
        Waiter w = byClient.get(cl.id);
        if (w != null) cancel(w);
    }

    /** Marks the waiter done unless something else did first; true if this call did. */
    private boolean cancel(Waiter w) {
        ExecutionGate.Worker wk = server.context().worker();
        return withStripes(wk, w.stripes, () -> {
            if (w.state != WAITING) return false;
            w.state = DONE;
            forget(w);
            return true;
        });
    }

    /** Removes a finished waiter from every queue and index. Caller holds all its stripes. */
    private void forget(Waiter w) {
        for (byte[] k : w.waitKeys) {
            int s = stripeOf(k);
            Map<DbKey, ArrayDeque<Waiter>> m = byStripe[s];
            if (m == null) continue;
            DbKey wk = new DbKey(w.db.id, k);
            ArrayDeque<Waiter> q = m.get(wk);
            if (q == null) continue;
            q.remove(w);
            if (q.isEmpty()) {
                m.remove(wk);
                if (m.isEmpty()) byStripe[s] = null;
            }
        }
        waiting.decrementAndGet();
        byClient.remove(w.client.id, w);
        ScheduledFuture<?> t = w.timer;
        if (t != null) t.cancel(false);
    }

    /** Writes a served reply on the blocked client's own loop and resumes it. */
    private void deliver(Waiter w, ByteBuf reply) {
        Client cl = w.client;
        // Always a separate task, even on the same loop: the serving thread is in the middle of
        // another client's command and must not run this client's pipelined commands inside it.
        cl.eventLoop().execute(() -> {
            try {
                if (reply != null && cl.channel().isActive()) cl.reply().raw(reply);
            } finally {
                if (reply != null) reply.release();
            }
            resume(cl);
        });
    }

    private static void resume(Client cl) {
        cl.setFlag(Client.BLOCKED, false);
        if (cl.channel().isActive()) cl.resume();
    }

    // ------------------------------------------------------------ locking

    private int stripeOf(byte[] key) {
        return keyspace.segmentOf(KeyHash.hash(key), key, 0, key.length);
    }

    /**
     * Runs body inside the gate holding the given stripes (ascending). A
     * worker that already holds the keyspace exclusively just runs it.
     */
    private <T> T withStripes(ExecutionGate.Worker wk, int[] stripes, Supplier<T> body) {
        ExecutionGate gate = keyspace.gate;
        if (gate.isExclusiveOwner(wk)) return body.get();
        gate.enter(wk);
        try {
            for (int s : stripes) keyspace.locks.lock(s);
            try {
                return body.get();
            } finally {
                for (int i = stripes.length - 1; i >= 0; i--) keyspace.locks.unlock(stripes[i]);
            }
        } finally {
            gate.exit(wk);
        }
    }

    static int[] sortedUnique(int[] a) {
        int[] s = a.clone();
        Arrays.sort(s);
        int m = 0;
        for (int i = 0; i < s.length; i++) {
            if (m == 0 || s[i] != s[m - 1]) s[m++] = s[i];
        }
        return Arrays.copyOf(s, m);
    }

    /** Waiters of a key, first come first (tests). */
    List<Client> waitersOf(Database db, byte[] key) {
        int s = stripeOf(key);
        return withStripes(server.context().worker(), new int[] {s}, () -> {
            List<Client> out = new ArrayList<>();
            Map<DbKey, ArrayDeque<Waiter>> m = byStripe[s];
            ArrayDeque<Waiter> q = m == null ? null : m.get(new DbKey(db.id, key));
            if (q != null) for (Waiter w : q) out.add(w.client);
            return out;
        });
    }
}
