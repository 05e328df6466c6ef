package io.larder.store;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Active expiry, like Redis's activeExpireCycle: expired keys that nobody
 * reads are reclaimed in the background. Each event-loop thread owns a share
 * of the segments (segment i belongs to thread i mod n) and, once per cron
 * tick, visits those whose earliest expiry has passed, removing expired keys
 * under the segment's stripe lock.
 *
 * <p>Work per tick is bounded as in Redis: 25% of the tick (plus 2% per
 * {@code active-expire-effort} step above 1). Unlike Redis, the budget is
 * spent in slices of at most {@link #SLICE_NS}, with the loop's I/O between
 * them, so the clients of a thread that is reclaiming a large batch of
 * expired keys wait at most one slice, not a whole 25 ms cycle. The next
 * slice is scheduled (due at once) rather than submitted: Netty runs every
 * submitted task, including ones added meanwhile, before polling I/O again,
 * but moves due scheduled tasks in only once per loop iteration. When the
 * budget runs out the next tick resumes where this one stopped.
 */
public final class ExpiryCycle {
    /** The longest the cycle runs before letting the event loop serve its clients. */
    static final long SLICE_NS = 500_000;
    /** How many segment visits pass between two clock reads while nothing is found. */
    private static final int CLOCK_EVERY = 64;

    private final Keyspace keyspace;
    private final Supplier<ExecutionGate.Worker> worker;
    private final ScheduledExecutorService loop;
    private final int index, threads;
    private final long periodNs;
    private final IntSupplier effort;
    private int db;
    private int segment;

    /** Visits left in the current pass and budget left in the current tick. */
    private int visitsLeft;
    private long budgetNs;
    private boolean sliceQueued;

    /**
     * @param loop     the event loop that runs this cycle (slices are queued on it)
     * @param periodMs the cron period the cycle is scheduled at
     */
    public ExpiryCycle(Keyspace keyspace, Supplier<ExecutionGate.Worker> worker, ScheduledExecutorService loop, int index,
                       int threads, long periodMs, IntSupplier effort) {
        this.keyspace = keyspace;
        this.worker = worker;
        this.loop = loop;
        this.index = index;
        this.threads = threads;
        this.periodNs = periodMs * 1_000_000L;
        this.effort = effort;
        this.segment = index;
    }

    /** One tick: a fresh budget and a new pass over this thread's segments. */
    public void run() {
        if (!keyspace.activeExpire()) return;
        int e = Math.max(1, Math.min(10, effort.getAsInt()));
        budgetNs = periodNs * (25 + 2L * (e - 1)) / 100;
        visitsLeft = keyspace.databases() * ((Keyspace.SEGMENTS - index + threads - 1) / threads);
        if (!sliceQueued) slice();
    }

    private void slice() {
        sliceQueued = false;
        if (!keyspace.activeExpire()) return;
        long start = System.nanoTime();
        long limit = Math.min(SLICE_NS, budgetNs);
        int dbs = keyspace.databases();
        ExecutionGate.Worker w = worker.get();
        long now = System.currentTimeMillis();
        int sinceClock = 0;
        boolean outOfTime = false;
        while (visitsLeft > 0) {
            Database d = keyspace.db(db);
            // Jump to this thread's next segment that may hold keys with an expiry: whole
            // words of the bitmap with nothing of ours are passed over without touching segments.
            int next = nextCandidate(d.volatileSegments, segment);
            if (next < 0) {
                visitsLeft -= (Keyspace.SEGMENTS - segment + threads - 1) / threads;
                segment = index;
                db = (db + 1) % dbs;
                continue;
            }
            visitsLeft -= (next - segment) / threads;
            segment = next;
            {
                Segment s = d.segments[segment];
                if (s == null || s.volatileCount == 0 || s.minExpire <= now) {
                    keyspace.gate.enter(w);
                    try {
                        keyspace.locks.lock(segment);
                        try {
                            // The database's segment array may have been swapped or flushed meanwhile.
                            Segment cur = d.segments[segment];
                            if (cur == null || cur.volatileCount == 0) d.clearVolatile(segment);
                            else if (cur.minExpire <= now) expireSegment(d, cur, now);
                        } finally {
                            keyspace.locks.unlock(segment);
                        }
                    } finally {
                        keyspace.gate.exit(w);
                    }
                    sinceClock = CLOCK_EVERY;
                }
            }
            advance(dbs);
            visitsLeft--;
            if (++sinceClock >= CLOCK_EVERY) {
                sinceClock = 0;
                if (System.nanoTime() - start > limit) {
                    outOfTime = true;
                    break;
                }
                now = System.currentTimeMillis();
            }
        }
        budgetNs -= System.nanoTime() - start;
        if (outOfTime && visitsLeft > 0 && budgetNs > 0) {
            sliceQueued = true;
            loop.schedule(this::slice, 0, TimeUnit.NANOSECONDS);
        }
    }

    /** The first segment >= from owned by this thread whose volatile bit is set, or -1. */
    private int nextCandidate(long[] bits, int from) {
        for (int w = from >>> 6; w < bits.length; w++) {
            long word = bits[w];
            if (word == 0) continue;
            if (w == from >>> 6) word &= -1L << (from & 63);
            while (word != 0) {
                int seg = (w << 6) + Long.numberOfTrailingZeros(word);
                if (seg % threads == index) return seg;
                word &= word - 1;
            }
        }
        return -1;
    }

    private void advance(int dbs) {
        segment += threads;
        if (segment >= Keyspace.SEGMENTS) {
            segment = index;
            db = (db + 1) % dbs;
        }
    }

    /** Removes every expired key of the segment and recomputes its earliest expiry. */
    static int expireSegment(Database d, Segment s, long now) {
        int removed = 0;
        long min = Long.MAX_VALUE;
        int i = 0;
        int cap = s.capacity;
        while (s.meta != null) {
            if (s.capacity != cap) {
                // A removal shrank the table: positions changed, so start over (checked before the
                // bound, since the new capacity may be below the position reached).
                cap = s.capacity;
                i = 0;
                min = Long.MAX_VALUE;
                continue;
            }
            if (i >= cap) break;
            int m = s.meta[i];
            if (m != 0 && (m & Segment.VOLATILE) != 0) {
                long exp = Entries.expireAt(s.entries[i]);
                if (exp <= now) {
                    Object e = s.removeAt(i);
                    removed++;
                    d.keyspace.listener.expired(d, Entries.key(e));
                    continue; // another entry may have shifted into slot i
                }
                if (exp < min) min = exp;
            }
            i++;
        }
        s.minExpire = min;
        return removed;
    }
}
