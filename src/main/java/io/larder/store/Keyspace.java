package io.larder.store;

import io.larder.util.Crc16;

/**
 * All databases, the stripe locks that guard their segments, and the
 * execution gate. Stripe i guards segment i of every database, so commands
 * that move keys between databases (MOVE, COPY DB) lock once.
 */
public final class Keyspace {
    /** Segments per database; a power of two. */
    public static final int SEGMENTS = 4096;

    public final StripeLocks locks = new StripeLocks(SEGMENTS);
    public final ExecutionGate gate = new ExecutionGate();
    /** Heap bytes of every database's entries and tables: the data set's part of used_memory. */
    final MemoryCounter memoryCounter = new MemoryCounter();
    private Database[] dbs;
    volatile KeyspaceListener listener = KeyspaceListener.NONE;
    /** False on a replica: expired keys are hidden but removed only by the master's DEL. */
    volatile boolean expireLazily = true;
    private final boolean clusterMode;
    /** An LFU maxmemory-policy is selected: the 24-bit clock of entries is an LFU counter. */
    private volatile boolean lfu;
    /** maxmemory is set with an LRU/LFU policy: Redis then stops sharing the integers 0..9999. */
    private volatile boolean noSharedIntegers;
    private volatile int lfuLogFactor = 10;
    private volatile int lfuDecayTime = 1;
    /** allkeys-tinylfu: the access history, and the evictor whose window records new keys; null otherwise. */
    private volatile FrequencySketch sketch;
    private volatile Evictor admission;
    /** DEBUG SET-ACTIVE-EXPIRE: when false the background expiry cycle does nothing. */
    private volatile boolean activeExpire = true;
    /**
     * While an AOF is replayed nothing expires, neither on lookup nor in the
     * background (Redis's keyIsExpired during loading): the commands were
     * logged against keys that were alive when they ran.
     */
    volatile boolean expiryPaused;
    /** The running point-in-time snapshot, or null: see {@link SnapshotBarrier}. */
    private volatile SnapshotBarrier snapshot;

    /**
     * A point-in-time snapshot in progress (BGSAVE, AOF rewrite). Whoever is
     * about to modify keys of a stripe calls {@link #beforeWrite} first,
     * holding that stripe's lock (or the keyspace exclusively); the snapshot
     * then captures the stripe's segments, in every database, as they are,
     * unless it already has. The dispatcher does this for every write
     * command's keys, so families need not know: a command that modifies keys
     * it did not declare must call {@link Keyspace#beforeWrite} itself.
     *
     * <p>While a snapshot runs, {@link StringBlob} arrays in the keyspace are
     * not modified in place (except their access clock): a captured segment
     * refers to them rather than copying them. See {@link #snapshotRunning}.
     */
    public interface SnapshotBarrier {
        void beforeWrite(int stripe);
    }

    public Keyspace(int databases, boolean clusterMode) {
        this.clusterMode = clusterMode;
        dbs = new Database[databases];
        for (int i = 0; i < databases; i++) dbs[i] = new Database(i, this);
    }

    public void setListener(KeyspaceListener l) {
        this.listener = l;
    }

    public int databases() {
        return dbs.length;
    }

    public Database db(int i) {
        return dbs[i];
    }

    /**
     * The segment (and stripe) of a key. In cluster mode the hash slot picks
     * it, four slots per segment, so all keys of a slot share a segment.
     */
    public int segmentOf(long hash, byte[] k, int off, int len) {
        if (clusterMode) return Crc16.slot(k, off, len) >>> 2;
        return (int) hash & (SEGMENTS - 1);
    }

    public SnapshotBarrier snapshot() {
        return snapshot;
    }

    /** Installs (or, with null, removes) the running snapshot's barrier. Caller holds the gate exclusively to install. */
    public void setSnapshot(SnapshotBarrier s) {
        snapshot = s;
    }

    /** True while a snapshot runs: blobs must be replaced rather than modified in place. */
    public boolean snapshotRunning() {
        return snapshot != null;
    }

    /** Lets a running snapshot capture a stripe before it is modified (no-op when none runs). */
    public void beforeWrite(int stripe) {
        SnapshotBarrier s = snapshot;
        if (s != null) s.beforeWrite(stripe);
    }

    public void setActiveExpire(boolean on) {
        activeExpire = on;
    }

    public boolean activeExpire() {
        return activeExpire && !expiryPaused;
    }

    /** Stops (or resumes) all expiry while an AOF is replayed. */
    public void setExpiryPaused(boolean paused) {
        expiryPaused = paused;
    }

    public boolean clusterMode() {
        return clusterMode;
    }

    /** SWAPDB. Caller holds the gate exclusively. */
    public void swap(int a, int b) {
        dbs[a].swapWith(dbs[b]);
    }

    /**
     * The parts of the maxmemory configuration that shape values: whether
     * entries carry an LFU counter instead of an LRU clock, and whether
     * small integers count as shared objects (OBJECT REFCOUNT).
     */
    public void setMemoryPolicy(boolean lfu, boolean noSharedIntegers, int lfuLogFactor, int lfuDecayTime) {
        this.lfuLogFactor = lfuLogFactor;
        this.lfuDecayTime = lfuDecayTime;
        this.noSharedIntegers = noSharedIntegers;
        this.lfu = lfu;
    }

    public boolean lfu() {
        return lfu;
    }

    /**
     * Turns the allkeys-tinylfu bookkeeping on (a sketch sized for about
     * {@code keys} keys, new keys recorded in the evictor's window) or off
     * (null).
     */
    public void setAdmission(Evictor evictor, long keys) {
        if (evictor == null) {
            admission = null;
            sketch = null;
            return;
        }
        if (sketch == null) sketch = new FrequencySketch(keys);
        admission = evictor;
    }

    /** The access history under allkeys-tinylfu, else null. */
    public FrequencySketch sketch() {
        return sketch;
    }

    /**
     * A request for a key, for the access history of allkeys-tinylfu:
     * counted when a read finds the key and on every write (creating the key
     * included), never on a read that misses. So a cache-aside request counts
     * once whether it hits (GET) or misses (GET, then SET), as Caffeine counts
     * a hit or an insertion; counting the miss as well would count each miss
     * twice and let keys that keep missing outrank keys that keep hitting
     * (measured: 1.3 points of hit ratio lost on a Zipf workload).
     */
    public void accessed(long keyHash) {
        FrequencySketch s = sketch;
        if (s != null) s.increment(keyHash);
    }

    /** A new key was inserted (Database.insert). */
    void inserted(Database d, int segmentIndex, int h24, Object e) {
        Evictor a = admission;
        if (a != null) a.inserted(d, segmentIndex, h24, e);
    }

    public boolean noSharedIntegers() {
        return noSharedIntegers;
    }

    public int lfuDecayTime() {
        return lfuDecayTime;
    }

    /** Records an access for the eviction policy: the LRU clock, or Redis's LFU counter update. */
    public void touch(Object entry, long nowMs) {
        if (lfu) Entries.setLru(entry, Lfu.touch(Entries.lru(entry), nowMs, lfuLogFactor, lfuDecayTime));
        else Entries.setLru(entry, lruClock(nowMs));
    }

    /** The clock field of a value created now (Redis's createObject): LRU clock or initial LFU counter. */
    public int newEntryClock(long nowMs) {
        return lfu ? Lfu.initial(nowMs) : lruClock(nowMs);
    }

    /** Redis's 24-bit LRU clock (seconds) for a time in ms. */
    public static int lruClock(long nowMs) {
        return (int) ((nowMs / 1000) & 0xFFFFFF);
    }

    public long totalKeys() {
        long n = 0;
        for (Database d : dbs) n += d.size();
        return n;
    }

    /** Heap bytes the databases hold (entries, tables, segments): exact, and cheap to read. */
    public long memory() {
        return memoryCounter.get();
    }

    /** The same figure summed segment by segment (for checking the running total). */
    public long memoryBySegments() {
        long n = 0;
        for (Database d : dbs) n += d.memory();
        return n;
    }
}
