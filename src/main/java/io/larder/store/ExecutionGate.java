package io.larder.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets one command at a time run with the whole keyspace to itself
 * (FLUSHALL, SWAPDB, scripts, some transactions) while ordinary commands pay
 * almost nothing: each worker thread raises its own flag around a command
 * (a per-thread reader indicator, no shared counter); an exclusive command
 * raises the global flag and waits until every other worker's flag is down.
 * The store-then-load on both sides is Dekker's protocol, so with volatile
 * accesses neither side can miss the other.
 */
public final class ExecutionGate {
    private static final VarHandle EXCLUSIVE;

    static {
        try {
            EXCLUSIVE = MethodHandles.lookup().findVarHandle(ExecutionGate.class, "exclusive", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A thread that executes commands. One per event loop and background thread. */
    public static final class Worker {
        private static final VarHandle ACTIVE;

        static {
            try {
                ACTIVE = MethodHandles.lookup().findVarHandle(Worker.class, "active", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        // Padding keeps each worker's flag on its own cache line.
        @SuppressWarnings("unused")
        private long p0, p1, p2, p3, p4, p5, p6;
        private volatile int active;
        @SuppressWarnings("unused")
        private long q0, q1, q2, q3, q4, q5, q6;
        final String name;

        Worker(String name) {
            this.name = name;
        }

        boolean isActive() {
            return (int) ACTIVE.getVolatile(this) != 0;
        }
    }

    /** What a worker waiting for an exclusive holder should do. */
    public interface WaitPolicy {
        /** Called while waiting; return true to stop waiting (the caller answers instead). */
        boolean giveUp();
    }

    private volatile int exclusive;
    private volatile Worker[] workers = new Worker[0];
    private final ReentrantLock exclusiveMutex = new ReentrantLock();
    private volatile Worker exclusiveOwner;
    private volatile long exclusiveSince;

    public synchronized Worker register(String name) {
        Worker w = new Worker(name);
        Worker[] n = Arrays.copyOf(workers, workers.length + 1);
        n[n.length - 1] = w;
        workers = n;
        return w;
    }

    public synchronized void unregister(Worker w) {
        workers = Arrays.stream(workers).filter(x -> x != w).toArray(Worker[]::new);
    }

    /**
     * Admits the worker for one ordinary command. Returns false only if the
     * policy gave up while an exclusive command was running.
     */
    public boolean enter(Worker w, WaitPolicy policy) {
        while (true) {
            Worker.ACTIVE.setVolatile(w, 1);
            if ((int) EXCLUSIVE.getVolatile(this) == 0) return true;
            Worker.ACTIVE.setRelease(w, 0);
            if (!awaitNoExclusive(policy)) return false;
        }
    }

    public void enter(Worker w) {
        enter(w, null);
    }

    public void exit(Worker w) {
        Worker.ACTIVE.setRelease(w, 0);
    }

    private boolean awaitNoExclusive(WaitPolicy policy) {
        int spins = 0;
        long park = 2_000;
        while ((int) EXCLUSIVE.getVolatile(this) != 0) {
            if (policy != null && policy.giveUp()) return false;
            if (spins < 100) {
                Thread.onSpinWait();
            } else if (spins < 120) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(park);
                if (park < 1_000_000) park <<= 1;
            }
            spins++;
        }
        return true;
    }

    /**
     * Takes the keyspace exclusively: waits for other exclusive commands, then
     * for every other worker to finish its current command. The caller must
     * not be inside {@link #enter}.
     */
    public void enterExclusive(Worker w) {
        exclusiveMutex.lock();
        takeExclusive(w);
    }

    /**
     * {@link #enterExclusive(Worker)}, but while another exclusive command
     * holds the keyspace the policy is asked whether to keep waiting (a
     * script past busy-reply-threshold: the caller answers -BUSY instead).
     * Returns false if it gave up.
     */
    public boolean enterExclusive(Worker w, WaitPolicy policy) {
        if (policy == null) {
            enterExclusive(w);
            return true;
        }
        int spins = 0;
        long park = 2_000;
        while (!exclusiveMutex.tryLock()) {
            if (policy.giveUp()) return false;
            if (spins++ < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(park);
                if (park < 1_000_000) park <<= 1;
            }
        }
        takeExclusive(w);
        return true;
    }

    private void takeExclusive(Worker w) {
        EXCLUSIVE.setVolatile(this, 1);
        exclusiveOwner = w;
        exclusiveSince = System.nanoTime();
        for (Worker o : workers) {
            if (o == w) continue;
            int spins = 0;
            while (o.isActive()) {
                if (spins++ < 1000) Thread.onSpinWait();
                else LockSupport.parkNanos(10_000);
            }
        }
    }

    public void exitExclusive(Worker w) {
        exclusiveOwner = null;
        EXCLUSIVE.setVolatile(this, 0);
        exclusiveMutex.unlock();
    }

    public boolean exclusiveHeld() {
        return (int) EXCLUSIVE.getVolatile(this) != 0;
    }

    public boolean isExclusiveOwner(Worker w) {
        return exclusiveOwner == w && exclusiveHeld();
    }

    /** Nanotime at which the current exclusive holder started. */
    public long exclusiveSince() {
        return exclusiveSince;
    }
}
