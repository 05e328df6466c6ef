package io.larder.server;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
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

    Dispatcher(LarderServer server) {
        this.server = server;
        this.table = server.commands();
        this.keyspace = server.keyspace();
        this.gate = keyspace.gate;
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
        // maxmemory: evict what is needed; while nothing can be, commands that grow memory are refused.
        if (server.maxMemory().refuses(c, client, cmd)) {
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

    /** Rejects a command before execution (counted as rejected, flags an open MULTI). */
    public void reject(Client client, CommandSpec cmd, String error) {
        if (cmd != null) server.context().stats().rejected(cmd);
        server.transactionRejected(client);
        client.reply().error(error);
    }

    /**
     * Executes a command that passed the checks: enters the gate, locks the
     * stripes of its keys (or takes the keyspace exclusively), runs the
     * handler, then does the after-command work.
     */
    public void call(CommandContext c, Client client, Args a, CommandSpec cmd) {
        c.enterCall();
        try {
            callOnce(c, client, a, cmd);
        } finally {
            // Clients blocked on keys this command (or transaction, or script) fed are served
            // once the outermost command is done, as Redis's handleClientsBlockedOnKeys.
            if (c.exitCall() == 0 && !c.readyKeys().isEmpty()) server.blocking().serveReady(c);
        }
    }

    private void callOnce(CommandContext c, Client client, Args a, CommandSpec cmd) {
        long start = System.nanoTime();
        c.begin(client, a, cmd, System.currentTimeMillis());
        Reply reply = client.reply();
        long errorsBefore = reply.errorCount();
        boolean failed = false;
        try {
            if (cmd.noKeyspace()) {
                cmd.handler().handle(c);
            } else if (cmd.exclusive(a)) {
                runExclusive(c, cmd);
            } else {
                runLocked(c, a, cmd);
            }
        } catch (CommandError e) {
            failed = true;
            reply.error(e.getMessage());
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
        // Like Redis, a command failed if it replied with an error, however it produced it.
        failed |= reply.errorCount() != errorsBefore;
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

    private void runExclusive(CommandContext c, CommandSpec cmd) {
        ExecutionGate.Worker w = c.worker();
        if (gate.isExclusiveOwner(w)) {
            handle(c, cmd);
            return;
        }
        gate.enterExclusive(w);
        c.setExclusive(true);
        try {
            handle(c, cmd);
        } finally {
            c.setExclusive(false);
            gate.exitExclusive(w);
        }
    }

    private void runLocked(CommandContext c, Args a, CommandSpec cmd) {
        ExecutionGate.Worker w = c.worker();
        if (c.exclusive()) {
            // Nested inside an exclusive command (EXEC, script): the keyspace is already ours.
            handle(c, cmd);
            return;
        }
        Scratch s = scratch.get();
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
        n = sortUnique(st, n);
        gate.enter(w);
        try {
            for (int i = 0; i < n; i++) keyspace.locks.lock(st[i]);
            try {
                handle(c, cmd);
            } finally {
                for (int i = n - 1; i >= 0; i--) keyspace.locks.unlock(st[i]);
            }
        } finally {
            gate.exit(w);
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
        }
    }

    /** Sorts and removes duplicates in place; returns the new length. */
    static int sortUnique(int[] a, int n) {
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
