package io.larder.server;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandRejected;
import io.larder.command.CommandSpec;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.store.ExecutionGate;
import io.larder.store.Keyspace;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Runs one request: the checks Redis's processCommand makes, in Redis's
 * order and with its error texts, then the command itself, inline on the
 * calling thread, inside the execution gate and holding the stripe locks of
 * its keys (or the whole keyspace, for exclusive commands). Afterwards:
 * statistics, SLOWLOG, blocked clients made ready, propagation.
 */
public final class Dispatcher {
    private final LarderServer server;
    private final CommandTable table;
    private final Keyspace keyspace;
    private final ExecutionGate gate;
    private final io.larder.journal.Journal journal;
    private final FastThreadLocal<Scratch> scratch = new FastThreadLocal<>() {
        @Override
        protected Scratch initialValue() {
            return new Scratch();
        }
    };

    /** Per-thread buffers for key positions and stripes. */
    private static final class Scratch {
        int[] keys = new int[16];
        int[] stripes = new int[16];
    }

    /** Hook for features that intercept commands before execution (MULTI queueing, pub/sub mode ...). */
    public interface Interceptor {
        /** Returns true when it handled the command (replied) and it must not execute. */
        boolean intercept(Client client, Args args, CommandSpec cmd, CommandContext c);
    }

    private volatile Interceptor[] interceptors = new Interceptor[0];

    /**
     * A check Redis's processCommand makes after authentication and before
     * CLIENT PAUSE and MULTI queueing (pub/sub context, replica clients):
     * returns the error to reject the command with, or null.
     */
    public interface Check {
        String check(Client client, CommandSpec cmd);
    }

    private volatile Check[] checks = new Check[0];

    /** What MULTI queued for a client: EXEC is judged by its queue in some checks. */
    public interface QueuedFlags {
        /** OR of the queued commands' flags. */
        long flags(Client c);

        /** OR of the complements of the queued commands' flags. */
        long invFlags(Client c);
    }

    private volatile QueuedFlags queuedFlags;

    public void setQueuedFlags(QueuedFlags q) {
        queuedFlags = q;
    }

    /**
     * Whether a command has a flag, EXEC counting its queue's (Redis's
     * is_write_command, is_denyoom_command: EXEC of a queued write is a write).
     */
    public boolean hasFlag(Client client, CommandSpec cmd, long flag) {
        if (cmd.has(flag)) return true;
        QueuedFlags q = queuedFlags;
        return q != null && cmd.fullName.equals("exec") && (q.flags(client) & flag) != 0;
    }

    /**
     * Whether a command lacks a flag, EXEC lacking it when a queued command
     * does (Redis's is_denyloading_command, is_denystale_command).
     */
    public boolean lacksFlag(Client client, CommandSpec cmd, long flag) {
        if (!cmd.has(flag)) return true;
        QueuedFlags q = queuedFlags;
        return q != null && cmd.fullName.equals("exec") && (q.invFlags(client) & flag) != 0;
    }

    Dispatcher(LarderServer server) {
        this.server = server;
        this.table = server.commands();
        this.keyspace = server.keyspace();
        this.gate = keyspace.gate;
        this.journal = server.journal();
    }

    /** Adds a {@link Check}; checks run in the order they were added. */
    public synchronized void addCheck(Check k) {
        Check[] n = Arrays.copyOf(checks, checks.length + 1);
        n[n.length - 1] = k;
        checks = n;
    }

    public synchronized void addInterceptor(Interceptor i) {
        Interceptor[] n = Arrays.copyOf(interceptors, interceptors.length + 1);
        n[n.length - 1] = i;
        interceptors = n;
    }

    /** Executes a request from a client (called on the client's event loop). */
    public void execute(Client client, Args a) {
        CommandContext c = server.context();
        // CLIENT REPLY OFF / SKIP: this command's reply (and errors) are dropped.
        client.reply().setEnabled(!client.replyOff && !client.replySkip);
        try {
            dispatch(c, client, a);
        } finally {
            // Redis's resetClient: SKIP covers exactly one command, the one after CLIENT REPLY SKIP;
            // CLIENT CACHING the next command (any CLIENT subcommand keeps it; a transaction keeps it to EXEC).
            client.replySkip = false;
            if (client.has(Client.TRACKING_CACHING) && !client.has(Client.MULTI)
                    && (client.lastCommand == null || !client.lastCommand.fullName.startsWith("client|"))) {
                client.setFlag(Client.TRACKING_CACHING, false);
            }
            if (client.replySkipNext) {
                client.replySkip = true;
                client.replySkipNext = false;
            }
        }
    }

    private void dispatch(CommandContext c, Client client, Args a) {
        CommandSpec cmd = table.lookup(a.buf(), a.off(0), a.len(0));
        if (cmd != null && cmd.isContainer() && a.count() >= 2) {
            CommandSpec sub = cmd.subcommand(lowerAscii(a, 1));
            if (sub == null) {
                client.lastCommand = null;
                reject(client, null, "ERR unknown subcommand '" + cString(a, 1, 128) + "'. Try "
                        + cmd.name.toUpperCase(java.util.Locale.ROOT) + " HELP.");
                return;
            }
            cmd = sub;
        }
        // Like Redis's c->lastcmd: set at lookup, so CLIENT LIST shows the command being run.
        client.lastCommand = cmd;
        if (cmd == null) {
            StringBuilder args = new StringBuilder();
            for (int i = 1; i < a.count() && args.length() < 128; i++) {
                String s = cString(a, i, 128 - args.length());
                args.append('\'').append(s).append("' ");
            }
            reject(client, null, "ERR unknown command '" + cString(a, 0, 128) + "', with args beginning with: " + args);
            return;
        }
        if ((cmd.arity > 0 && cmd.arity != a.count()) || a.count() < -cmd.arity) {
            reject(client, cmd, "ERR wrong number of arguments for '" + cmd.fullName + "' command");
            return;
        }
        String guard = cmd.protectedBy();
        if (guard != null && !server.protectedActionAllowed(guard, client)) {
            reject(client, cmd, "ERR " + cmd.upperName() + " command not allowed. If the " + guard
                    + " option is set to \"local\", you can run it from a local connection, otherwise you need "
                    + "to set this option in the configuration file, and then restart the server.");
            return;
        }
        // Redis's authRequired: a connection that is not authenticated may run anything once no password is set.
        if (!client.authenticated() && !cmd.has(CommandSpec.NO_AUTH) && server.authRequired()) {
            reject(client, cmd, Errors.NOAUTH.getMessage());
            return;
        }
        // Redis checks this right after authentication: SAVE, SHUTDOWN ... cannot be queued.
        if (client.has(Client.MULTI) && cmd.has(CommandSpec.NO_MULTI)) {
            reject(client, cmd, "ERR Command not allowed inside a transaction");
            return;
        }
        // maxmemory: evict what is needed; while nothing can be, commands that grow memory are refused.
        if (server.maxMemory().refuses(c, client, cmd, a)) {
            reject(client, cmd, Errors.OOM.getMessage());
            return;
        }
        for (Check k : checks) {
            String error = k.check(client, cmd);
            if (error != null) {
                reject(client, cmd, error);
                return;
            }
        }
        // A script runs past busy-reply-threshold: only allow-busy commands (SCRIPT KILL, SHUTDOWN
        // NOSAVE, MULTI bookkeeping ...) get through, the rest are turned away, queued or not. Redis
        // makes this check after the others (pub/sub context ...).
        String busy = server.busyError();
        if (busy != null && !cmd.has(CommandSpec.ALLOW_BUSY)) {
            reject(client, cmd, busy);
            return;
        }
        // CLIENT PAUSE: the command waits (it is not rejected) until the pause ends.
        if (server.pause().mustPostpone(client, cmd)) {
            server.pause().postpone(client, a);
            return;
        }
        for (Interceptor i : interceptors) {
            if (i.intercept(client, a, cmd, c)) return;
        }
        call(c, client, a, cmd);
    }

    /**
     * Rejects a command before execution (counted as rejected, flags an open
     * MULTI; a rejected EXEC answers -EXECABORT, which the hook writes).
     */
    public void reject(Client client, CommandSpec cmd, String error) {
        if (cmd != null) server.context().stats().rejected(cmd);
        if (server.transactionRejected(client, cmd, error)) return;
        client.reply().error(error);
    }

    /**
     * Executes a command that passed the checks: enters the gate, locks the
     * stripes of its keys (or takes the keyspace exclusively), runs the
     * handler, then does the after-command work.
     */
    public void call(CommandContext c, Client client, Args a, CommandSpec cmd) {
        // A nested call (a command of EXEC's queue, redis.call) must leave the outer command's
        // state as it found it.
        boolean nested = c.enterCall() > 1;
        if (nested) c.pushFrame();
        try {
            callOnce(c, client, a, cmd, nested);
        } finally {
            if (nested) c.popFrame();
            // Clients blocked on keys this command (or transaction, or script) fed are served
            // once the outermost command is done, as Redis's handleClientsBlockedOnKeys.
            if (c.exitCall() == 0 && !c.readyKeys().isEmpty()) server.blocking().serveReady(c);
        }
    }

    private void callOnce(CommandContext c, Client client, Args a, CommandSpec cmd, boolean nested) {
        long start = System.nanoTime();
        // Time stands still inside a transaction or a script, as Redis's: nested commands keep the outer
        // command's time, so a key cannot expire half way through.
        // A command nested for the same client (EXEC's queue) replies where the outer command does: the
        // client's buffer, or the private one of a command finished on another thread (ScriptExecutor).
        Reply reply = nested && client == c.client() ? c.reply() : client.reply();
        c.begin(client, a, cmd, nested ? c.now() : System.currentTimeMillis(), reply);
        long errorsBefore = reply.errorCount();
        boolean failed = false;
        try {
            if (cmd.noKeyspace()) {
                cmd.handler().handle(c);
            } else if (cmd.exclusive(a)) {
                runExclusive(c, a, cmd);
            } else {
                runLocked(c, a, cmd);
            }
        } catch (CommandError e) {
            failed = true;
            reply.error(e.getMessage());
        } catch (CommandRejected e) {
            // Turned away while waiting for the keyspace: as if processCommand had rejected it.
            reject(client, cmd, e.getMessage());
            return;
        } catch (Reply.OverflowException e) {
            failed = true;
            ByteBuf partial = reply.take();
            if (partial != null) partial.release();
            Log.warning("Client " + client.describe() + " closed for overcoming of output buffer limits.");
            client.close();
        } catch (OutOfMemoryError e) {
            failed = true;
            ByteBuf partial = reply.take();
            if (partial != null) partial.release();
            Log.warning("Out of memory executing '" + cmd.fullName + "' for " + client.describe() + "; client closed");
            client.close();
        } catch (RuntimeException | StackOverflowError e) {
            failed = true;
            Log.warning("Internal error executing '" + cmd.fullName + "': " + e);
            if (Log.level() <= Log.VERBOSE) e.printStackTrace();
            reply.error("ERR internal error executing '" + cmd.fullName + "': " + e.getClass().getSimpleName());
        }
        // Like Redis, a command failed if it replied with an error, however it produced it (EXEC: not
        // counting the errors of the commands it ran).
        failed |= c.errorsSinceLastCall(reply, errorsBefore);
        server.monitor().executed(c, client, a, cmd);
        long durationUs = (System.nanoTime() - start) / 1000;
        // A command that blocked its client is counted (and logged, propagated) when it completes.
        if (!c.blocked()) commandCompleted(c, client, a, cmd, durationUs, failed);
    }

    /**
     * Statistics and after-command work of a finished command. Called here,
     * and by BlockingController when a blocked command completes (served,
     * timed out or unblocked: Redis's updateStatsOnUnblock) with {@code c}
     * set up as the blocked client's (CommandContext.runAs).
     */
    public void commandCompleted(CommandContext c, Client client, Args a, CommandSpec cmd, long durationUs,
            boolean failed) {
        c.stats().completed(cmd, durationUs, failed);
        // Redis records whole microseconds in nanoseconds.
        if (server.latencyTracking()) server.latency().record(cmd, durationUs * 1000);
        server.afterCommand(c, client, a, cmd, durationUs);
    }

    private void runExclusive(CommandContext c, Args a, CommandSpec cmd) {
        ExecutionGate.Worker w = c.worker();
        if (gate.isExclusiveOwner(w)) {
            beforeExclusiveWrite(a, cmd);
            handle(c, cmd);
            return;
        }
        enterExclusive(c, cmd);
        c.setExclusive(true);
        try {
            beforeExclusiveWrite(a, cmd);
            handle(c, cmd);
        } finally {
            c.setExclusive(false);
            gate.exitExclusive(w);
        }
    }

    private void runLocked(CommandContext c, Args a, CommandSpec cmd) {
        ExecutionGate.Worker w = c.worker();
        if (c.exclusive() || c.keysLocked()) {
            // Nested inside an exclusive command (EXEC, script), or inside an EXEC that locked the keys
            // of its whole queue: what this command touches is already ours.
            beforeExclusiveWrite(a, cmd);
            handle(c, cmd);
            return;
        }
        Scratch s = scratch.get();
        int n = stripesOf(s, a, cmd);
        int[] st = s.stripes;
        enter(c, cmd);
        try {
            for (int i = 0; i < n; i++) keyspace.locks.lock(st[i]);
            try {
                // A running snapshot captures what this write is about to change (see Keyspace.SnapshotBarrier).
                Keyspace.SnapshotBarrier snap = keyspace.snapshot();
                if (snap != null && cmd.has(CommandSpec.WRITE)) {
                    for (int i = 0; i < n; i++) snap.beforeWrite(st[i]);
                }
                handle(c, cmd);
            } finally {
                for (int i = n - 1; i >= 0; i--) keyspace.locks.unlock(st[i]);
            }
        } finally {
            gate.exit(w);
        }
    }

    /**
     * A write command running with the keyspace held exclusively (SORT ...
     * STORE with patterns, commands inside EXEC or a script): a running
     * snapshot captures the stripes of its declared keys first. Keyless
     * exclusive writes (FLUSHALL, FLUSHDB, SWAPDB) replace whole segment
     * tables, which the snapshot does not share.
     */
    private void beforeExclusiveWrite(Args a, CommandSpec cmd) {
        Keyspace.SnapshotBarrier snap = keyspace.snapshot();
        if (snap == null || !cmd.has(CommandSpec.WRITE)) return;
        Scratch s = scratch.get();
        int n = stripesOf(s, a, cmd);
        for (int i = 0; i < n; i++) snap.beforeWrite(s.stripes[i]);
    }

    /** The stripes of a command's keys, ascending and distinct, into s.stripes; returns how many. */
    private int stripesOf(Scratch s, Args a, CommandSpec cmd) {
        int argc = a.count();
        if (s.keys.length < argc) {
            s.keys = new int[argc];
            s.stripes = new int[argc];
        }
        int n = cmd.hasKeys() ? cmd.keys(a, s.keys) : 0;
        if (n < 0) n = 0;
        int[] st = s.stripes;
        for (int i = 0; i < n; i++) {
            int p = s.keys[i];
            st[i] = keyspace.segmentOf(a.hash(p), a.buf(), a.off(p), a.len(p));
        }
        return sortUnique(st, n);
    }

    /**
     * Enters the gate for one command. While a script runs past
     * busy-reply-threshold a waiting command gives up and is rejected with
     * -BUSY, unless it is allowed while busy (WATCH then waits for the script).
     */
    public void enter(CommandContext c, CommandSpec cmd) {
        ExecutionGate.WaitPolicy p = cmd.has(CommandSpec.ALLOW_BUSY) ? null : server.busyPolicy();
        while (!gate.enter(c.worker(), p)) {
            String busy = server.busyError();
            if (busy != null) throw new CommandRejected(busy);
        }
    }

    /** Takes the keyspace exclusively for one command, with the same -BUSY rule as {@link #enter}. */
    public void enterExclusive(CommandContext c, CommandSpec cmd) {
        ExecutionGate.WaitPolicy p = cmd.has(CommandSpec.ALLOW_BUSY) ? null : server.busyPolicy();
        while (!gate.enterExclusive(c.worker(), p)) {
            String busy = server.busyError();
            if (busy != null) throw new CommandRejected(busy);
        }
    }

    /**
     * Runs the handler of a command that touches the keyspace; then, with its
     * keys still locked, what must be atomic with it: client tracking
     * remembers the keys a read-only command read (even one that failed, as
     * Redis's call() does), so no write can slip in between the read and the
     * remembering and leave a client's cache stale.
     */
    private void handle(CommandContext c, CommandSpec cmd) {
        try {
            cmd.handler().handle(c);
        } finally {
            if (cmd.has(CommandSpec.READONLY)) server.keysRead(c, cmd);
            // Still under the command's locks: its writes enter the journal in the order they happened.
            if (journal.active()) journal.commandDone(c);
        }
    }

    /** Sorts and removes duplicates in place; returns the new length. */
    public static int sortUnique(int[] a, int n) {
        if (n <= 1) return n;
        if (n < 16) {
            for (int i = 1; i < n; i++) {
                int x = a[i];
                int j = i - 1;
                while (j >= 0 && a[j] > x) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = x;
            }
        } else {
            Arrays.sort(a, 0, n);
        }
        int m = 1;
        for (int i = 1; i < n; i++) {
            if (a[i] != a[m - 1]) a[m++] = a[i];
        }
        return m;
    }

    /** Lower-cased ASCII of an argument (subcommand names). */
    static String lowerAscii(Args a, int i) {
        byte[] b = a.buf();
        int off = a.off(i), len = a.len(i);
        char[] c = new char[len];
        for (int k = 0; k < len; k++) {
            int x = b[off + k] & 0xFF;
            c[k] = (char) (x >= 'A' && x <= 'Z' ? x + 32 : x);
        }
        return new String(c);
    }

    /** Argument as C's "%.{max}s" would print it: up to max bytes, stopping at a NUL. */
    static String cString(Args a, int i, int max) {
        byte[] b = a.buf();
        int off = a.off(i), len = Math.min(a.len(i), Math.max(max, 0));
        int n = 0;
        while (n < len && b[off + n] != 0) n++;
        return new String(b, off, n, StandardCharsets.ISO_8859_1);
    }
}
