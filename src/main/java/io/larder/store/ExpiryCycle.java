package io.larder.store;

import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Active expiry, like Redis's activeExpireCycle: expired keys that nobody
 * reads are reclaimed in the background. Each event-loop thread owns a share
 * of the segments (segment i belongs to thread i mod n) and, once per cron
 * tick, visits those whose earliest expiry has passed, removing expired
 * keys under the segment's stripe lock. Work is bounded per tick (25% of the
 * tick at effort 1, more at higher {@code active-expire-effort}); when the
 * budget runs out the cycle resumes where it stopped on the next tick, so
 * clients on the same thread keep being served between slices.
 */
public final class ExpiryCycle {
    private final Keyspace keyspace;
    private final Supplier<ExecutionGate.Worker> worker;
    private final int index, threads;
    private final IntSupplier effort;
    private int db;
    private int segment;

    public ExpiryCycle(Keyspace keyspace, Supplier<ExecutionGate.Worker> worker, int index, int threads,
                       IntSupplier effort) {
        this.keyspace = keyspace;
        this.worker = worker;
        this.index = index;
        this.threads = threads;
        this.effort = effort;
        this.segment = index;
    }

    /** One tick: runs until its time budget is spent or every owned segment was visited. */
    public void run() {
        if (!keyspace.activeExpire()) return;
        long budgetNs = (25L + 5L * (Math.max(1, effort.getAsInt()) - 1)) * 1_000_000L / 10;
        long start = System.nanoTime();
        int dbs = keyspace.databases();
        int total = dbs * ((Keyspace.SEGMENTS - index + threads - 1) / threads);
        ExecutionGate.Worker w = worker.get();
        for (int visited = 0; visited < total; visited++) {
            Database d = keyspace.db(db);
            Segment s = d.segments[segment];
            long now = System.currentTimeMillis();
            if (s != null && s.minExpire <= now && s.volatileCount > 0) {
                keyspace.gate.enter(w);
                try {
                    keyspace.locks.lock(segment);
                    try {
                        // The database's segment array may have been swapped or flushed meanwhile.
                        Segment cur = d.segments[segment];
                        if (cur != null) expireSegment(d, cur, now);
                    } finally {
                        keyspace.locks.unlock(segment);
                    }
                } finally {
                    keyspace.gate.exit(w);
                }
            }
            advance(dbs);
            if (System.nanoTime() - start > budgetNs) return;
        }
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
        while (s.meta != null && i < s.capacity) {
            if (s.capacity != cap) {
                // A removal shrank the table: positions changed, so start over.
                cap = s.capacity;
                i = 0;
                min = Long.MAX_VALUE;
                continue;
            }
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
