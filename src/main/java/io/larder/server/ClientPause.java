package io.larder.server;

import io.larder.command.CommandSpec;
import io.larder.protocol.Args;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * CLIENT PAUSE: while a pause is in effect, commands it covers (all of them,
 * or those that may write) are not rejected but postponed: the client stops
 * being read and its command runs when the pause ends, by timeout or CLIENT
 * UNPAUSE, as Redis's blockPostponeClient does. Replicas are never paused.
 * A new pause extends the end time and may widen WRITE to ALL, never the
 * reverse (Redis's pauseClients).
 */
public final class ClientPause {
    public static final int NONE = 0, WRITE = 1, ALL = 2;

    private final LarderServer server;
    private volatile int type = NONE;
    private volatile long endMs;
    private final List<Client> postponed = new ArrayList<>();
    private ScheduledFuture<?> timer;
    /** Whether an EXEC would write (MULTI owns the queue); by default EXEC counts as a write. */
    private volatile Predicate<Client> execWrites = c -> true;

    ClientPause(LarderServer server) {
        this.server = server;
    }

    /** Lets MULTI/EXEC say whether a client's queued transaction contains writes. */
    public void setExecWrites(Predicate<Client> p) {
        execWrites = p;
    }

    /** Starts or extends a pause until {@code endMs} (epoch ms). */
    public synchronized void pause(int newType, long newEndMs) {
        if (newEndMs > endMs) endMs = newEndMs;
        if (newType > type) type = newType;
        schedule();
    }

    /** CLIENT UNPAUSE: ends the pause now and runs the postponed commands. */
    public void unpause() {
        List<Client> resume;
        synchronized (this) {
            type = NONE;
            endMs = 0;
            if (timer != null) timer.cancel(false);
            timer = null;
            resume = new ArrayList<>(postponed);
            postponed.clear();
        }
        for (Client c : resume) c.resume();
    }

    /** The active pause type (NONE once the end time has passed). */
    public int type() {
        int t = type;
        if (t != NONE && System.currentTimeMillis() >= endMs) return NONE;
        return t;
    }

    public long endMs() {
        return endMs;
    }

    /** True when this command must wait for the pause to end. */
    boolean mustPostpone(Client client, CommandSpec cmd) {
        int t = type;
        if (t == NONE || client.has(Client.REPLICA) || client.has(Client.MASTER)) return false;
        if (System.currentTimeMillis() >= endMs) {
            expire();
            return false;
        }
        if (t == ALL) return true;
        if (cmd.has(CommandSpec.WRITE) || cmd.has(CommandSpec.MAY_REPLICATE)) return true;
        return cmd.fullName.equals("exec") && execWrites.test(client);
    }

    void postpone(Client client, Args a) {
        synchronized (this) {
            postponed.add(client);
        }
        client.postpone(a);
    }

    /** A postponed client disconnected. */
    synchronized void forget(Client c) {
        postponed.remove(c);
    }

    public synchronized int postponedCount() {
        return postponed.size();
    }

    private void schedule() {
        if (timer != null) timer.cancel(false);
        long delay = Math.max(0, endMs - System.currentTimeMillis());
        var loops = server.workers();
        if (loops == null) return;
        timer = loops.next().schedule(this::expire, delay + 1, TimeUnit.MILLISECONDS);
    }

    /** Ends the pause if its time has come (or reschedules if it was extended meanwhile). */
    private void expire() {
        synchronized (this) {
            if (type == NONE) return;
            if (System.currentTimeMillis() < endMs) {
                schedule();
                return;
            }
        }
        unpause();
    }
}
