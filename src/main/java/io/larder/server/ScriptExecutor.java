package io.larder.server;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandHandler;
import io.larder.command.CommandRejected;
import io.larder.command.CommandSpec;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.store.ExecutionGate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The thread Lua runs on. EVAL, FCALL, EXEC of a transaction holding a
 * script, and the commands that change the Lua states (SCRIPT LOAD/FLUSH,
 * FUNCTION LOAD/DELETE/FLUSH/RESTORE) are handed here by their handler: the
 * client waits (suspended, like a blocked client) while this thread runs the
 * command, with the keyspace exclusive when it may touch keys, and the reply
 * is written on the client's own event loop afterwards.
 *
 * <p>Why a thread of its own rather than the client's event loop: a script
 * may run for a long time. Redis then answers every other client -BUSY and
 * lets SCRIPT KILL, FUNCTION KILL and SHUTDOWN NOSAVE through; a script
 * running on an event loop would leave that loop's other clients with no
 * answer at all. Here every loop stays free: commands that wait for the
 * keyspace give up with -BUSY once the script passes busy-reply-threshold
 * (see {@link Dispatcher#enter}), and the kill commands reach the script's
 * hook. The Lua states are used by this thread only.
 */
public final class ScriptExecutor {
    public static final String BUSY_EVAL =
            "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
    public static final String BUSY_FUNCTION =
            "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";

    /** One running script or function: what -BUSY, SCRIPT KILL and FUNCTION KILL need to know. */
    public static final class Run {
        public final boolean eval;
        /** The script's SHA1 (EVAL) or the function's name (FCALL), for the log and error replies. */
        public final String name;
        public final Client caller;
        /** The command that runs it (FUNCTION STATS shows it). */
        public final Args args;
        final long startNanos = System.nanoTime();
        /** It ran a write command: it can no longer be killed (Redis's SCRIPT_WRITE_DIRTY). */
        public volatile boolean wrote;
        volatile boolean timedOut;
        volatile boolean killed;
        /** Killed whatever it did, because the server stops. */
        volatile boolean forced;

        public Run(boolean eval, String name, Client caller, Args args) {
            this.eval = eval;
            this.name = name;
            this.caller = caller;
            this.args = args;
        }

        /** How long it has been running. */
        public long durationMs() {
            return (System.nanoTime() - startNanos) / 1_000_000;
        }
    }

    private final LarderServer server;
    private volatile DefaultEventExecutor thread;
    private volatile Run current;
    private volatile long threshold;
    /** Threads waiting in {@link #awaitBusyOrIdle} (a script's end wakes them only if any). */
    private volatile int waiters;
    private final Object lock = new Object();
    private Reply reply;

    ScriptExecutor(LarderServer server) {
        this.server = server;
        server.config().watch("busy-reply-threshold",
                p -> threshold = server.config().getLong("busy-reply-threshold"));
        server.addShutdownHook(this::shutdown);
    }

    private DefaultEventExecutor thread() {
        DefaultEventExecutor t = thread;
        if (t != null) return t;
        synchronized (lock) {
            if (thread == null) {
                // Deep Lua tables are converted recursively: a roomy stack.
                ThreadFactory f = r -> {
                    Thread th = new Thread(null, r, "larder-script", 64L << 20);
                    th.setDaemon(true);
                    return th;
                };
                thread = new DefaultEventExecutor(f);
            }
            return thread;
        }
    }

    /** Commands that run on this thread (EXEC of a transaction holding one runs here too). */
    private final java.util.Set<CommandSpec> commands = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Declares that a command's handler hands it to this thread (see {@link #run}). */
    public void declare(CommandSpec cmd) {
        commands.add(cmd);
    }

    public boolean runsHere(CommandSpec cmd) {
        return commands.contains(cmd);
    }

    /**
     * Runs {@code body} for the current command on the script thread: at once
     * when already there (inside an EXEC that runs here), else through
     * {@link #offload}.
     */
    public void run(CommandContext c, CommandHandler body, boolean exclusive) {
        if (onScriptThread()) body.handle(c);
        else offload(c, body, exclusive);
    }

    /**
     * Runs {@code task} on the script thread and waits for it: for work on
     * the Lua states from elsewhere (loading functions from an RDB file).
     * The caller must not hold anything the script thread may wait for.
     */
    public <T> T callOnScriptThread(java.util.concurrent.Callable<T> task) throws Exception {
        if (onScriptThread()) return task.call();
        try {
            return thread().submit(task).get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception x) throw x;
            throw e;
        }
    }

    /** True on the script thread (where Lua may be used). */
    public boolean onScriptThread() {
        DefaultEventExecutor t = thread;
        return t != null && t.inEventLoop();
    }

    /**
     * Finishes the current command on the script thread: the client is
     * suspended now, {@code body} runs there as if the client were executing
     * (its own arguments, database and reply), inside the keyspace exclusively
     * if asked, then statistics and the reply follow as for any command. Call
     * from a handler, and return without replying.
     */
    public void offload(CommandContext c, CommandHandler body, boolean exclusive) {
        Client cl = c.client();
        Args a = c.args().copy();
        CommandSpec cmd = c.command();
        boolean replyOn = cl.reply().enabled();
        int resp = cl.resp();
        c.markBlocked();
        cl.suspend();
        thread().execute(() -> runOffloaded(cl, a, cmd, resp, replyOn, body, exclusive));
    }

    private void runOffloaded(Client cl, Args a, CommandSpec cmd, int resp, boolean replyOn, CommandHandler body,
            boolean exclusive) {
        CommandContext cs = server.context();
        Reply r = reply;
        if (r == null) {
            r = reply = new Reply(PooledByteBufAllocator.DEFAULT);
            r.setErrorListener(server.stats()::recordError);
        }
        r.setResp(resp);
        r.setEnabled(true);
        Reply out = r;
        long start = System.nanoTime();
        cs.runAs(cl, a, cmd, out, () -> {
            cs.enterCall();
            long errorsBefore = out.errorCount();
            boolean failed = false;
            ExecutionGate gate = server.keyspace().gate;
            ExecutionGate.Worker w = cs.worker();
            boolean took = false;
            try {
                if (exclusive && !gate.isExclusiveOwner(w)) {
                    gate.enterExclusive(w);
                    cs.setExclusive(true);
                    took = true;
                }
                body.handle(cs);
            } catch (CommandError | CommandRejected e) {
                failed = true;
                out.error(e.getMessage());
            } catch (Reply.OverflowException | OutOfMemoryError e) {
                // As the dispatcher does: a reply too big to hold ends the connection, not the server.
                failed = true;
                ByteBuf partial = out.take();
                if (partial != null) partial.release();
                Log.warning("Client " + cl.describe() + " closed: the reply of '" + cmd.fullName + "' was too large");
                cl.onLoop(cl::close);
            } catch (RuntimeException | StackOverflowError e) {
                failed = true;
                Log.warning("Internal error executing '" + cmd.fullName + "': " + e);
                if (Log.level() <= Log.VERBOSE) e.printStackTrace();
                out.error("ERR internal error executing '" + cmd.fullName + "': " + e.getClass().getSimpleName());
            } finally {
                // Still holding the keyspace: what the script (or transaction) wrote enters the journal now.
                if (server.journal().active()) server.journal().commandDone(cs);
                if (took) {
                    cs.setExclusive(false);
                    gate.exitExclusive(w);
                }
                cs.exitCall();
            }
            failed |= cs.errorsSinceLastCall(out, errorsBefore);
            server.dispatcher().commandCompleted(cs, cl, a, cmd, (System.nanoTime() - start) / 1000, failed);
        });
        if (!cs.readyKeys().isEmpty()) server.blocking().serveReady(cs);
        ByteBuf bytes = out.take();
        cl.onLoop(() -> {
            try {
                if (bytes != null && replyOn && cl.channel().isActive()) cl.reply().raw(bytes);
            } finally {
                if (bytes != null) bytes.release();
            }
            if (cl.channel().isActive()) cl.resume();
        });
    }

    // ------------------------------------------------------------ busy scripts

    /** A script starts running (on the script thread). */
    public void begin(Run r) {
        current = r;
    }

    /** The script ended: other clients are served again. */
    public void end(Run r) {
        current = null;
        if (waiters != 0) {
            synchronized (lock) {
                lock.notifyAll();
            }
        }
        if (r.timedOut) server.setBusyError(null);
    }

    /**
     * Redis's scriptInterrupt, from the script's hook: past
     * busy-reply-threshold the script is "busy" (other clients get -BUSY and
     * may kill it). Returns true when the script must stop now.
     */
    public boolean interrupt(Run r) {
        if (r.forced) return true;
        if (!r.timedOut) {
            long elapsed = (System.nanoTime() - r.startNanos) / 1_000_000;
            long limit = threshold;
            if (limit <= 0 || elapsed < limit) return false;
            Log.warning("Slow script detected: still in execution after " + elapsed + " milliseconds. "
                    + "You can try killing the script using the " + (r.eval ? "SCRIPT KILL" : "FUNCTION KILL")
                    + " command. Script name is: " + r.name + ".");
            server.setBusyError(r.eval ? BUSY_EVAL : BUSY_FUNCTION);
            synchronized (lock) {
                r.timedOut = true;
                lock.notifyAll();
            }
        }
        return r.killed;
    }

    /** The running script, if any. */
    public Run current() {
        return current;
    }

    /**
     * The running script once it is busy (past busy-reply-threshold), or
     * null once none runs. Clients can only see a script in Redis while it is
     * busy (it answers nobody before), so commands that report on it
     * (SCRIPT KILL, FUNCTION KILL, FUNCTION STATS) wait until it is busy or done.
     */
    public Run awaitBusyOrIdle() {
        Run r;
        synchronized (lock) {
            waiters++;
            try {
                while ((r = current) != null && !r.timedOut) {
                    try {
                        lock.wait(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            } finally {
                waiters--;
            }
        }
        return r;
    }

    /**
     * SCRIPT KILL ({@code eval}) or FUNCTION KILL: null when the script was
     * told to stop, else the error to reply. Redis can only be asked while a
     * script is busy (it answers nobody before), so a kill arriving earlier
     * waits until the script is busy or has ended.
     */
    public String kill(boolean eval) {
        Run r = awaitBusyOrIdle();
        if (r == null) return "NOTBUSY No scripts in execution right now.";
        if (r.wrote) {
            return "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either "
                    + "wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
        }
        if (eval && !r.eval) return BUSY_FUNCTION;
        if (!eval && r.eval) return BUSY_EVAL;
        r.killed = true;
        return null;
    }

    /** The server stops: whatever script runs is stopped at its next hook, then the thread ends. */
    private void shutdown() {
        Run r = current;
        if (r != null) {
            r.forced = true;
            r.killed = true;
        }
        DefaultEventExecutor t = thread;
        if (t != null) t.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
}
