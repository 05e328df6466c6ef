package io.larder.store;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * Removes keys until used memory is back under maxmemory: Redis's
 * performEvictions (evict.c) for every maxmemory-policy, on a keyspace that
 * several threads share.
 *
 * <p>Victims are chosen as Redis chooses them. The LRU, LFU and TTL policies
 * sample {@code maxmemory-samples} keys of every database into an
 * {@link EvictionPool} and evict its best candidate (approximated LRU: the
 * pool remembers good candidates between rounds); the random policies take a
 * random key of the next database in turn; volatile policies consider only
 * keys with an expiry. Sampling a database takes a random segment with keys
 * and walks its table from a random slot, as Redis's dictGetSomeKeys walks
 * buckets from a random one.
 *
 * <p>Each segment is read and changed under its stripe lock, one stripe at
 * a time (never holding one while waiting for another), inside the
 * execution gate. If a command holds the keyspace exclusively, eviction is
 * skipped for now instead of waiting (as Redis skips it while a script
 * runs): the command that triggered it would wait for that holder anyway.
 *
 * <p>Work per call is bounded like Redis's: after every 16 keys the elapsed
 * time is compared with the limit {@code maxmemory-eviction-tenacity} gives
 * (500 us at the default 10); past it the call returns {@link #TIME_LIMIT}
 * and the caller continues in the background, so one client never waits
 * long for a large eviction.
 *
 * <p>The loop stops when used memory, re-read after every key, is at or
 * under the limit. Re-reading (instead of Redis's "free the excess measured
 * at the start") keeps several threads that evict at once from each freeing
 * the whole excess.
 *
 * <p>allkeys-tinylfu (Larder's own) is W-TinyLFU adapted to sampling: a
 * {@link FrequencySketch} counts the accesses of every key, resident or not;
 * new keys wait in a small window (about 1% of the keys, each thread its
 * own); once it is full, the key leaving it must beat the pool's best
 * victim on frequency to stay, otherwise it is the one evicted. A key read
 * once (a scan, a one-off) therefore cannot push out keys that are read
 * again and again, which is where Redis's LRU loses most hits.
 */
public final class Evictor {
    /** Used memory is at or under the limit (or there is no limit). */
    public static final int OK = 0;
    /** The time limit was reached with memory still over it: continue later. */
    public static final int TIME_LIMIT = 1;
    /** Over the limit with nothing that may be evicted (or noeviction). */
    public static final int FAIL = 2;

    /** What happens to an evicted key besides its removal (statistics, notifications, WATCH). */
    public interface Listener {
        /** Called with the key's stripe locked, right after the key was removed. */
        void evicted(Database db, byte[] key);
    }

    /** Caffeine's ADMIT_HASHDOS_THRESHOLD: a warm candidate is sometimes admitted even when it does not win. */
    private static final int ADMIT_WARM = 6;

    private final Keyspace keyspace;
    private final Listener listener;
    private volatile Settings settings = new Settings(EvictionPolicy.NOEVICTION, 0, 5, 10);
    /** Window length per thread (allkeys-tinylfu). */
    private volatile int windowTarget = 16;
    private final FastThreadLocal<State> states = new FastThreadLocal<>() {
        @Override
        protected State initialValue() {
            return new State();
        }
    };

    /** The maxmemory parameters, replaced as a whole so a pass sees one consistent set. */
    public record Settings(EvictionPolicy policy, long maxmemory, int samples, int tenacity) {}

    /** What one evicting thread keeps between calls. */
    private static final class State {
        final EvictionPool pool = new EvictionPool();
        final SplittableRandom rnd = new SplittableRandom(ThreadLocalRandom.current().nextLong());
        final Window window = new Window();
        int nextDb;
        EvictionPolicy poolPolicy;
    }

    public Evictor(Keyspace keyspace, Listener listener) {
        this.keyspace = keyspace;
        this.listener = listener;
    }

    public void configure(Settings s) {
        settings = s;
    }

    public Settings settings() {
        return settings;
    }

    /** Redis's evictionTimeLimitUs: linear up to 500 us at tenacity 10, then 15% more per step, unlimited at 100. */
    public static long timeLimitNanos(int tenacity) {
        if (tenacity <= 10) return 50_000L * tenacity;
        if (tenacity < 100) return (long) (500.0 * Math.pow(1.15, tenacity - 10.0)) * 1000;
        return Long.MAX_VALUE;
    }

    /**
     * Evicts until {@code used} reports at most maxmemory. Called by a worker
     * thread that holds no stripe lock and is not inside the gate.
     *
     * @return {@link #OK}, {@link #TIME_LIMIT} or {@link #FAIL}
     */
    public int evict(ExecutionGate.Worker w, LongSupplier used) {
        Settings s = settings;
        if (s.maxmemory == 0 || Long.compareUnsigned(used.getAsLong(), s.maxmemory) <= 0) return OK;
        if (s.policy == EvictionPolicy.NOEVICTION) return FAIL;
        ExecutionGate gate = keyspace.gate;
        boolean owner = gate.isExclusiveOwner(w);
        if (!owner && !gate.enter(w, () -> true)) return OK;
        try {
            State st = states.get();
            if (st.poolPolicy != s.policy) {
                st.pool.reset();
                st.poolPolicy = s.policy;
            }
            long start = System.nanoTime();
            long limit = timeLimitNanos(s.tenacity);
            int evicted = 0;
            while (Long.compareUnsigned(used.getAsLong(), s.maxmemory) > 0) {
                boolean ok = switch (s.policy.choice) {
                    case RANDOM -> evictRandom(st, s, owner);
                    case TINYLFU -> evictTinyLfu(st, s, owner);
                    default -> evictFromPool(st, s, owner);
                };
                if (!ok) return FAIL;
                if (++evicted % 16 == 0 && System.nanoTime() - start > limit) return TIME_LIMIT;
            }
            return OK;
        } finally {
            if (!owner) gate.exit(w);
        }
    }

    // ------------------------------------------------------------ pool policies

    /** Evicts the best candidate of the pool, refilling it while it holds only ghosts. False if no key qualifies. */
    private boolean evictFromPool(State st, Settings s, boolean owner) {
        EvictionPool pool = st.pool;
        while (true) {
            if (populate(st, s, owner) == 0 && pool.best() < 0) return false;
            for (int k = EvictionPool.SIZE - 1; k >= 0; k--) {
                if (pool.key[k] == null) continue;
                byte[] key = pool.key[k];
                int dbId = pool.db[k], seg = pool.segment[k], h = pool.h24[k];
                pool.clear(k);
                if (dbId < keyspace.databases() && evictKey(keyspace.db(dbId), seg, h, key, s.policy.allKeys, owner)) {
                    return true;
                }
                // A ghost: deleted (or, for volatile policies, persisted) since it was sampled.
            }
        }
    }

    /**
     * Samples up to maxmemory-samples keys of every database into the pool
     * (evictionPoolPopulate). Returns how many keys were sampled: 0 means no
     * key qualifies anywhere.
     */
    private int populate(State st, Settings s, boolean owner) {
        int total = 0;
        long now = System.currentTimeMillis();
        for (int i = 0; i < keyspace.databases(); i++) {
            total += sample(st, s, keyspace.db(i), s.samples, now, owner);
        }
        return total;
    }

    private int sample(State st, Settings s, Database d, int want, long now, boolean owner) {
        boolean allKeys = s.policy.allKeys;
        int got = 0;
        int start = st.rnd.nextInt(Keyspace.SEGMENTS);
        // From a random segment to the end of the table, then from the beginning up to it.
        for (int pass = 0; pass < 2 && got < want; pass++) {
            int from = pass == 0 ? start : 0;
            int end = pass == 0 ? Keyspace.SEGMENTS : start;
            while (got < want) {
                int si = nextSegment(d, from, allKeys);
                if (si < 0 || si >= end) break;
                if (!owner) keyspace.locks.lock(si);
                try {
                    Segment seg = d.segments[si];
                    if (seg != null && seg.size > 0) got += sampleSegment(st, s, d, si, seg, want - got, now);
                    else if (allKeys) d.clearOccupied(si);
                } finally {
                    if (!owner) keyspace.locks.unlock(si);
                }
                from = si + 1;
            }
        }
        return got;
    }

    /**
     * The first segment at or after {@code from} (not wrapping) that may hold
     * candidates, or -1: the next set bit of the database's occupied (or, for
     * volatile policies, volatile) segments whose segment has keys. A racy
     * look without the lock: the caller checks again under it.
     */
    private int nextSegment(Database d, int from, boolean allKeys) {
        long[] bits = allKeys ? d.occupiedSegments : d.volatileSegments;
        Segment[] segs = d.segments;
        for (int w = from >>> 6; w < bits.length; w++) {
            long word = bits[w];
            if (w == from >>> 6) word &= -1L << (from & 63);
            while (word != 0) {
                int i = (w << 6) + Long.numberOfTrailingZeros(word);
                Segment s = segs[i];
                if (s != null && (allKeys ? s.size > 0 : s.volatileCount > 0)) return i;
                // Emptied since (DEL, expiry): clear the bit if the stripe is free, so later passes skip it.
                if (allKeys && keyspace.locks.tryLock(i)) {
                    try {
                        Segment cur = d.segments[i];
                        if (cur == null || cur.size == 0) d.clearOccupied(i);
                    } finally {
                        keyspace.locks.unlock(i);
                    }
                }
                word &= word - 1;
            }
        }
        return -1;
    }

    /** Offers up to {@code want} keys of one segment to the pool, from a random slot on. */
    private int sampleSegment(State st, Settings s, Database d, int si, Segment seg, int want, long now) {
        boolean allKeys = s.policy.allKeys;
        int cap = seg.capacity;
        int slot = st.rnd.nextInt(cap);
        int got = 0;
        int lru = Keyspace.lruClock(now);
        for (int n = 0; n < cap && got < want; n++, slot = slot + 1 == cap ? 0 : slot + 1) {
            int m = seg.meta[slot];
            if (m == 0 || (!allKeys && (m & Segment.VOLATILE) == 0)) continue;
            got++;
            Object e = seg.entries[slot];
            long score = score(s.policy, e, now, lru);
            int k = st.pool.position(score);
            if (k < 0) continue;
            st.pool.insert(k, score, d.id, si, m & Segment.HASH_MASK, Entries.key(e));
        }
        return got;
    }

    /** The pool's ordering score: higher is a better victim. */
    private long score(EvictionPolicy p, Object e, long now, int lruClock) {
        return switch (p.choice) {
            case LRU -> idleMillis(Entries.lru(e), lruClock);
            case LFU -> 255 - Lfu.counter(Entries.lru(e), now, keyspace.lfuDecayTime());
            case TTL -> Long.MAX_VALUE - Entries.expireAt(e);
            case TINYLFU -> {
                FrequencySketch sketch = keyspace.sketch();
                int f = sketch == null ? 0 : sketch.frequency(keyHash(e));
                yield ((long) (15 - f) << 40) | Math.min(idleMillis(Entries.lru(e), lruClock), (1L << 40) - 1);
            }
            default -> 0;
        };
    }

    /** Redis's estimateObjectIdleTime: the 24-bit seconds clock, wrapping, in milliseconds. */
    static long idleMillis(int lru, int clock) {
        long secs = clock >= lru ? clock - lru : clock + (0xFFFFFFL - lru);
        return secs * 1000;
    }

    static long keyHash(Object e) {
        if (e instanceof byte[] b) return KeyHash.hash(b, StringBlob.keyOffset(b), StringBlob.keyLength(b));
        return KeyHash.hash(((StoredValue) e).key);
    }

    /** Finds and evicts a pool candidate. False if it is gone or no longer qualifies. */
    private boolean evictKey(Database d, int si, int h24, byte[] key, boolean allKeys, boolean owner) {
        if (!owner) keyspace.locks.lock(si);
        try {
            Segment seg = d.segments[si];
            if (seg == null) return false;
            int slot = seg.find(key, 0, key.length, h24);
            if (slot < 0 || (!allKeys && !seg.isVolatile(slot))) return false;
            remove(d, si, seg, slot);
            return true;
        } finally {
            if (!owner) keyspace.locks.unlock(si);
        }
    }

    /** Evicts the key in a slot of segment {@code si} (whose stripe the caller holds). */
    private void remove(Database d, int si, Segment seg, int slot) {
        // A running snapshot (BGSAVE, AOF rewrite) takes the stripe as it is before anything in it changes.
        keyspace.beforeWrite(si);
        Object e = seg.removeAt(slot);
        listener.evicted(d, Entries.key(e));
    }

    // ------------------------------------------------------------ random policies

    /** allkeys-random / volatile-random: a random key of the next database that has one. */
    private boolean evictRandom(State st, Settings s, boolean owner) {
        int dbs = keyspace.databases();
        for (int i = 0; i < dbs; i++) {
            int j = st.nextDb = (st.nextDb + 1) % dbs;
            if (evictRandomIn(st, keyspace.db(j), s.policy.allKeys, owner)) return true;
        }
        return false;
    }

    private boolean evictRandomIn(State st, Database d, boolean allKeys, boolean owner) {
        int start = st.rnd.nextInt(Keyspace.SEGMENTS);
        for (int pass = 0; pass < 2; pass++) {
            int from = pass == 0 ? start : 0;
            while (true) {
                int si = nextSegment(d, from, allKeys);
                if (si < 0 || (pass == 1 && si >= start)) break;
                if (!owner) keyspace.locks.lock(si);
                try {
                    Segment seg = d.segments[si];
                    if (seg != null && seg.size > 0) {
                        int slot = allKeys ? seg.randomSlot(st.rnd) : randomVolatileSlot(seg, st.rnd);
                        if (slot >= 0) {
                            remove(d, si, seg, slot);
                            return true;
                        }
                    }
                } finally {
                    if (!owner) keyspace.locks.unlock(si);
                }
                from = si + 1;
                if (from >= Keyspace.SEGMENTS) break;
            }
        }
        return false;
    }

    private static int randomVolatileSlot(Segment seg, SplittableRandom rnd) {
        if (seg.volatileCount == 0) return -1;
        int cap = seg.capacity;
        int slot = rnd.nextInt(cap);
        for (int n = 0; n < cap; n++, slot = slot + 1 == cap ? 0 : slot + 1) {
            if ((seg.meta[slot] & Segment.VOLATILE) != 0) return slot;
        }
        return -1;
    }

    // ------------------------------------------------------------ allkeys-tinylfu

    /**
     * New keys of one thread, oldest first: the window of W-TinyLFU. A key
     * leaves it either admitted (memory was not full, or it beat the victim)
     * or evicted. Entries are held by reference and found again by identity,
     * so a key deleted or overwritten since is recognized as gone.
     */
    private static final class Window {
        Object[] entries = new Object[16];
        int[] db = new int[16], segment = new int[16], h24 = new int[16];
        int head, size;

        void push(int target, int dbId, int seg, int hash24, Object e) {
            if (size >= target) {
                // Nothing was evicted since the window filled: memory is not full, the oldest is admitted.
                drop();
                if (size >= target) return;
            }
            if (size == entries.length) grow();
            int i = (head + size) & (entries.length - 1);
            entries[i] = e;
            db[i] = dbId;
            segment[i] = seg;
            h24[i] = hash24;
            size++;
        }

        private void grow() {
            int n = entries.length;
            Object[] e2 = new Object[n * 2];
            int[] d2 = new int[n * 2], s2 = new int[n * 2], h2 = new int[n * 2];
            for (int k = 0; k < size; k++) {
                int i = (head + k) & (n - 1);
                e2[k] = entries[i];
                d2[k] = db[i];
                s2[k] = segment[i];
                h2[k] = h24[i];
            }
            entries = e2;
            db = d2;
            segment = s2;
            h24 = h2;
            head = 0;
        }

        /** Removes the oldest; its position stays readable until the next push. */
        int drop() {
            int i = head;
            entries[i] = null;
            head = (head + 1) & (entries.length - 1);
            size--;
            return i;
        }
    }

    /** Records a key just inserted (Database.insert) under allkeys-tinylfu. */
    void inserted(Database d, int segmentIndex, int h24, Object e) {
        states.get().window.push(windowTarget, d.id, segmentIndex, h24, e);
    }

    /** How many keys the cache holds now: sizes the window (1%, shared by the threads). */
    public void residentKeys(long keys, int threads) {
        windowTarget = (int) Math.max(16, Math.min(1 << 20, keys / 100 / Math.max(1, threads)));
    }

    private boolean evictTinyLfu(State st, Settings s, boolean owner) {
        Window w = st.window;
        FrequencySketch sketch = keyspace.sketch();
        while (w.size >= windowTarget && w.size > 0) {
            int i = w.head;
            Object cand = w.entries[i];
            int dbId = w.db[i], si = w.segment[i], h = w.h24[i];
            w.drop();
            if (dbId >= keyspace.databases()) continue;
            // The pool's best victim (sampled now if the pool is empty) decides the contest.
            if (st.pool.best() < 0 && populate(st, s, owner) == 0) return evictCandidate(keyspace.db(dbId), si, h, cand, owner);
            int k = st.pool.best();
            if (k < 0) return evictCandidate(keyspace.db(dbId), si, h, cand, owner);
            int victimFreq = 15 - (int) (st.pool.score[k] >>> 40);
            int candFreq = sketch == null ? 0 : sketch.frequency(keyHash(cand));
            boolean admit = candFreq > victimFreq
                    || (candFreq >= ADMIT_WARM && (st.rnd.nextInt() & 127) == 0);
            if (admit) break;
            if (evictCandidate(keyspace.db(dbId), si, h, cand, owner)) return true;
            // The candidate is gone already: contest the next one.
        }
        return evictFromPool(st, s, owner);
    }

    private boolean evictCandidate(Database d, int si, int h24, Object cand, boolean owner) {
        if (!owner) keyspace.locks.lock(si);
        try {
            Segment seg = d.segments[si];
            if (seg == null) return false;
            int slot = seg.findIdentity(cand, h24);
            if (slot < 0) return false;
            remove(d, si, seg, slot);
            return true;
        } finally {
            if (!owner) keyspace.locks.unlock(si);
        }
    }
}
