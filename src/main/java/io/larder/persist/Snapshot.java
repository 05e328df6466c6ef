package io.larder.persist;

import io.larder.store.Database;
import io.larder.store.ExecutionGate;
import io.larder.store.Keyspace;
import io.larder.store.Segment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A point-in-time snapshot of the keyspace, written out while clients keep
 * reading and writing, without fork and without pausing them: copy-on-write
 * at segment granularity.
 *
 * <p>It is taken with the keyspace held exclusively (a moment: no data is
 * copied): the snapshot keeps each database's segment table as it is. From
 * then on, a writer about to change a stripe the snapshot has not yet taken
 * (the dispatcher calls {@link #beforeWrite} under the stripe's lock)
 * captures that stripe's segments first, in every database; the snapshot
 * thread walks the segments in file order, taking each under its stripe
 * lock, or the capture a writer left. Either way a segment is taken exactly
 * once, as it was when the snapshot began.
 *
 * <p>Taking a segment copies little. Small strings ({@link
 * io.larder.store.StringBlob} arrays) are kept by reference: while a
 * snapshot runs nobody changes them in place (Keyspace.snapshotRunning),
 * writers replace them. Objects that are changed in place (collections,
 * large strings) are serialized at once into RDB bytes, which are compact.
 * So the memory a snapshot holds is a reference per small string of the
 * segments captured ahead of the snapshot thread, the old versions of
 * strings overwritten meanwhile, and the serialized form of captured
 * collections: far below the copy of everything that fork's copy-on-write
 * approaches under a uniform write load. {@link #peakHeldBytes} measures it.
 *
 * <p>What is not frozen, by design: keys that expire while the snapshot
 * runs may be left out (they would be dropped when the file is loaded, as
 * the loader drops expired keys), and the LRU/LFU clock saved with a key
 * may reflect an access after the start.
 *
 * <p>FLUSHALL, FLUSHDB and SWAPDB replace or swap whole segment tables, so
 * they cannot disturb segments the snapshot holds. A command that changes
 * keys without declaring them must call Keyspace.beforeWrite itself.
 */
public final class Snapshot implements Keyspace.SnapshotBarrier {
    private static final byte PENDING = 0, CAPTURED = 1, DONE = 2;

    /** What was taken of one segment: small strings by reference, other values as RDB records. */
    static final class Capture {
        static final Capture EMPTY = new Capture(new Object[0], 0, null, 0, 0);
        final Object[] blobs;
        final int blobCount;
        final byte[] records;
        final int recordsLength;
        final int recordCount;

        Capture(Object[] blobs, int blobCount, byte[] records, int recordsLength, int recordCount) {
            this.blobs = blobs;
            this.blobCount = blobCount;
            this.records = records;
            this.recordsLength = recordsLength;
            this.recordCount = recordCount;
        }

        long heldBytes() {
            return blobs.length == 0 && records == null ? 0 : 16 + 8L * blobs.length + recordsLength;
        }
    }

    private final Keyspace keyspace;
    private final Segment[][] segments;
    /** Per database, per stripe: PENDING, CAPTURED or DONE. Guarded by the stripe's lock. */
    private final byte[][] state;
    private final Capture[][] captures;
    /** Per stripe: how many databases still have it PENDING. Guarded by the stripe's lock. */
    private final int[] pending;
    private final long[] dbSizes;
    private final long[] dbExpires;
    private final long totalKeys;
    private final KeyRecords.SaveOptions options;
    private final boolean compress;
    private final long startMs;
    private volatile boolean aborted;
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong capturedByWriters = new AtomicLong();
    private volatile long keysWritten;

    /** Takes the snapshot. The caller holds the keyspace exclusively, and installs it with Keyspace.setSnapshot. */
    Snapshot(Keyspace ks, KeyRecords.SaveOptions options, boolean compress) {
        this.keyspace = ks;
        this.options = options;
        this.compress = compress;
        this.startMs = System.currentTimeMillis();
        int n = ks.databases();
        segments = new Segment[n][];
        state = new byte[n][];
        captures = new Capture[n][];
        pending = new int[Keyspace.SEGMENTS];
        dbSizes = new long[n];
        dbExpires = new long[n];
        long total = 0;
        for (int d = 0; d < n; d++) {
            Database db = ks.db(d);
            dbSizes[d] = db.size();
            dbExpires[d] = db.volatileSize();
            total += dbSizes[d];
            if (dbSizes[d] == 0) continue;
            segments[d] = db.segmentsCopy();
            state[d] = new byte[Keyspace.SEGMENTS];
            captures[d] = new Capture[Keyspace.SEGMENTS];
            for (int i = 0; i < Keyspace.SEGMENTS; i++) {
                Segment s = segments[d][i];
                if (s == null || s.size() == 0) state[d][i] = DONE;
                else pending[i]++;
            }
        }
        totalKeys = total;
    }

    @Override
    public void beforeWrite(int stripe) {
        if (pending[stripe] == 0) return;
        for (int d = 0; d < segments.length; d++) {
            if (state[d] != null && state[d][stripe] == PENDING) {
                Capture c = capture(d, stripe);
                captures[d][stripe] = c;
                state[d][stripe] = CAPTURED;
                capturedByWriters.incrementAndGet();
                hold(c.heldBytes());
            }
        }
        pending[stripe] = 0;
    }

    private void hold(long n) {
        long now = held.addAndGet(n);
        peak.accumulateAndGet(now, Math::max);
    }

    /** Takes a segment as it is now. Caller holds its stripe (or the keyspace). */
    private Capture capture(int d, int i) {
        Segment s = segments[d][i];
        if (s == null || s.size() == 0) return Capture.EMPTY;
        Object[] blobs = new Object[s.size()];
        int nb = 0;
        RdbOutput values = null;
        int nv = 0;
        long now = System.currentTimeMillis();
        for (int slot = 0, cap = s.capacity(); slot < cap; slot++) {
            Object e = s.entry(slot);
            if (e == null) continue;
            if (e instanceof byte[]) {
                blobs[nb++] = e;
            } else {
                if (values == null) values = new RdbOutput(256, null, compress);
                KeyRecords.write(values, e, options, now);
                nv++;
            }
        }
        if (nb < blobs.length) blobs = java.util.Arrays.copyOf(blobs, nb);
        return values == null ? new Capture(blobs, nb, null, 0, 0)
                : new Capture(blobs, nb, values.toByteArray(), values.size(), nv);
    }

    // ------------------------------------------------------------ writing out

    /**
     * Writes every database section (SELECTDB, RESIZEDB, the keys) into out,
     * on the snapshot thread. {@code w} is that thread's worker: each segment
     * is taken inside the execution gate under its stripe lock, then written
     * outside both. Returns false if the snapshot was aborted meanwhile.
     */
    boolean writeDatabases(RdbOutput out, ExecutionGate.Worker w) {
        for (int d = 0; d < segments.length; d++) {
            if (segments[d] == null) continue;
            RdbFile.writeDbHeader(out, d, dbSizes[d], dbExpires[d]);
            for (int i = 0; i < Keyspace.SEGMENTS; i++) {
                if (aborted) return false;
                Capture c = take(d, i, w);
                if (c == null) return false;
                emit(out, c);
                hold(-c.heldBytes());
            }
        }
        return !aborted;
    }

    private Capture take(int d, int i, ExecutionGate.Worker w) {
        if (state[d][i] == DONE && captures[d][i] == null) {
            // Empty at the start: DONE from the beginning, never changes.
            return Capture.EMPTY;
        }
        keyspace.gate.enter(w);
        try {
            keyspace.locks.lock(i);
            try {
                if (aborted) return null;
                Capture c;
                if (state[d][i] == PENDING) {
                    c = capture(d, i);
                    hold(c.heldBytes());
                    pending[i]--;
                } else {
                    c = captures[d][i];
                    captures[d][i] = null;
                }
                state[d][i] = DONE;
                return c == null ? Capture.EMPTY : c;
            } finally {
                keyspace.locks.unlock(i);
            }
        } finally {
            keyspace.gate.exit(w);
        }
    }

    private void emit(RdbOutput out, Capture c) {
        long now = System.currentTimeMillis();
        for (int k = 0; k < c.blobCount; k++) {
            KeyRecords.write(out, c.blobs[k], options, now);
            keysWritten++;
            Delays.keySaved(options.keySaveDelayMicros());
        }
        if (c.records != null) {
            out.writeRaw(c.records, 0, c.recordsLength);
            keysWritten += c.recordCount;
            for (int k = 0; k < c.recordCount; k++) Delays.keySaved(options.keySaveDelayMicros());
        }
    }

    /** Stops the snapshot: the writer gives up at its next step. Safe from any thread. */
    void abort() {
        aborted = true;
    }

    boolean aborted() {
        return aborted;
    }

    long startMs() {
        return startMs;
    }

    /** Bytes the snapshot holds now that the keyspace may no longer: references and serialized values. */
    public long heldBytes() {
        return held.get();
    }

    /** The most it held at once. */
    public long peakHeldBytes() {
        return peak.get();
    }

    /** Segments writers captured ahead of the snapshot thread. */
    public long capturedByWriters() {
        return capturedByWriters.get();
    }

    public long keysWritten() {
        return keysWritten;
    }

    public long keysTotal() {
        return totalKeys;
    }
}
