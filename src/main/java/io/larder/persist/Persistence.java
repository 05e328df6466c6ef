package io.larder.persist;

import io.larder.config.Config;
import io.larder.server.LarderServer;
import io.larder.server.Log;
import io.larder.store.Database;
import io.larder.store.ExecutionGate;
import io.larder.store.Keyspace;
import io.larder.store.Segment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * RDB persistence for a server, as Redis's rdb.c and the persistence parts
 * of server.c: SAVE, BGSAVE (a {@link Snapshot} written by a thread of its
 * own, no fork), save points, the final save at shutdown and after
 * FLUSHALL, loading at start-up (after the listeners are bound: clients get
 * -LOADING meanwhile) and for DEBUG RELOAD, the MISCONF state when a
 * background save failed, and the INFO persistence section.
 */
public final class Persistence {
    /** CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points wait this long before trying again. */
    static final long BGSAVE_RETRY_DELAY_SEC = 5;
    static final String MISCONF = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
            + "persist to disk. Commands that may modify the data set are disabled, because this instance is "
            + "configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error "
            + "option). Please check the Redis logs for details about the RDB error.";

    private final LarderServer server;
    private final Config config;
    private final Keyspace keyspace;
    private volatile RdbFunctions functions = RdbFunctions.NONE;
    private final AtomicInteger jobIds = new AtomicInteger();
    /** The append-only file (appendonly, BGREWRITEAOF, loading from it). */
    private final AppendOnlyFile aof;
    /** The worker foreground saves and loads use when called outside a command (signals, start-up). */
    private ExecutionGate.Worker ownWorker;

    // Guarded by this.
    private Job job;
    private boolean bgsaveScheduled;
    private boolean lastBgsaveOk = true;
    private long lastBgsaveTrySec;
    private long lastBgsaveTimeSec = -1;
    private long lastCowSize;
    private final AtomicLong rdbSaves = new AtomicLong();

    private volatile boolean loading;
    private volatile long loadingStartSec;
    private volatile long loadingTotalBytes;
    private volatile long loadingLoadedBytes;
    private volatile long loadingRdbUsedMem;
    private volatile long lastLoadKeysExpired;
    private volatile long lastLoadKeysLoaded;

    public Persistence(LarderServer server) {
        this.server = server;
        this.config = server.config();
        this.keyspace = server.keyspace();
        this.aof = new AppendOnlyFile(server, this);
        server.setShutdownSaver(this::saveOnShutdown);
        server.metrics().registerSection("persistence", this::infoSection);
        config.watch("stop-writes-on-bgsave-error", p -> updateWriteDenied());
        config.watch("save", p -> updateWriteDenied());
    }

    /** The append-only file. */
    public AppendOnlyFile aof() {
        return aof;
    }

    /** Scripting's libraries, saved and loaded with the data. */
    public void setFunctions(RdbFunctions f) {
        functions = f == null ? RdbFunctions.NONE : f;
    }

    public RdbFunctions functions() {
        return functions;
    }

    // ------------------------------------------------------------ files

    public Path dir() {
        return Path.of(config.special().dir);
    }

    public String fileName() {
        return config.get("dbfilename");
    }

    public Path file() {
        return dir().resolve(fileName());
    }

    private static long pid() {
        return ProcessHandle.current().pid();
    }

    private boolean savePointsConfigured() {
        return !config.special().save.isEmpty();
    }

    synchronized ExecutionGate.Worker ownWorker() {
        if (ownWorker == null) ownWorker = keyspace.gate.register("larder-persistence");
        return ownWorker;
    }

    // ------------------------------------------------------------ start-up

    /** Before the listeners are bound: a dump to load makes the server answer -LOADING from the first client. */
    public void beforeListening() {
        // With appendonly yes the data comes from the AOF only (a dump.rdb is ignored, as in Redis).
        aof.prepareAtStart();
        if (aof.enabled()) {
            setLoading(true);
        } else {
            aof.afterRdbStart();
            if (Files.exists(file())) setLoading(true);
        }
    }

    /** After the listeners are bound: loads the dump in the background, starts the save-point cron. */
    public void afterListening() {
        if (loading) {
            Thread t = new Thread(aof.enabled() ? aof::loadAtStartup : this::loadAtStartup, "larder-loading");
            t.setDaemon(true);
            t.start();
        }
        // Redis checks its save points in serverCron, ten times a second by default.
        server.workers().next().scheduleAtFixedRate(this::cron, 100, 100, TimeUnit.MILLISECONDS);
        aof.startCron();
    }

    private void setLoading(boolean on) {
        loading = on;
        server.setLoading(on);
    }

    public boolean loading() {
        return loading;
    }

    private void loadAtStartup() {
        Path f = file();
        long t0 = System.nanoTime();
        try {
            load(f, false, true);
            Log.notice(String.format(Locale.ROOT, "DB loaded from disk: %.3f seconds",
                    (System.nanoTime() - t0) / 1e9));
        } catch (RdbException e) {
            Log.warning("Error loading " + f + " at offset " + e.offset() + ": " + e.getMessage());
            Log.warning("Fatal error loading the DB: the file is corrupt or truncated (run larder --check-rdb " + f
                    + " for details). Exiting.");
            server.exit(1);
        } catch (IOException | java.io.UncheckedIOException e) {
            Log.warning("Fatal error loading the DB: " + RdbFile.reason(e instanceof java.io.UncheckedIOException u
                    ? u.getCause() : e) + ". Exiting.");
            server.exit(1);
        } catch (RuntimeException | OutOfMemoryError e) {
            Log.warning("Fatal error loading the DB from " + f + ": " + e + ". Exiting.");
            server.exit(1);
        }
    }

    /**
     * Loads an RDB file into the keyspace (rdbLoad). {@code exclusive}: the
     * caller holds the keyspace (DEBUG RELOAD), so no locks are taken;
     * otherwise each key is inserted under its stripe lock (start-up, with
     * clients connected). {@code allowDuplicates}: a key already present is
     * replaced (DEBUG RELOAD MERGE) instead of failing the load.
     */
    public RdbLoader.Result load(Path f, boolean allowDuplicates, boolean background) throws IOException {
        long size = Files.size(f);
        try (InputStream is = Files.newInputStream(f)) {
            return load(new RdbInput(is::read, size), size, allowDuplicates, background, false);
        }
    }

    /**
     * Loads RDB data from any input (an AOF's RDB base or preamble too):
     * {@code size} is the input's length for INFO's progress fields,
     * {@code keepExpired} keeps keys whose expiry has passed (an AOF base:
     * the commands after it were logged against them, as Redis's
     * RDBFLAGS_AOF_PREAMBLE). The input is left after the checksum.
     */
    public RdbLoader.Result load(RdbInput in, long size, boolean allowDuplicates, boolean background,
            boolean keepExpired) {
        beginLoading(size);
        try {
            return loadRdb(in, allowDuplicates, background, keepExpired, 0);
        } finally {
            endLoading();
        }
    }

    /** startLoading: INFO's loading fields start counting {@code totalBytes}; clients get -LOADING. */
    void beginLoading(long totalBytes) {
        loadingStartSec = System.currentTimeMillis() / 1000;
        loadingTotalBytes = totalBytes;
        loadingLoadedBytes = 0;
        loadingRdbUsedMem = 0;
        lastLoadKeysExpired = 0;
        lastLoadKeysLoaded = 0;
        setLoading(true);
    }

    /** INFO loading_loaded_bytes while an AOF loads. */
    void loadingProgress(long loadedBytes) {
        loadingLoadedBytes = loadedBytes;
    }

    void endLoading() {
        setLoading(false);
    }

    /**
     * The body of {@link #load(RdbInput, long, boolean, boolean, boolean)}
     * without the loading state (an AOF's base is one part of a longer load);
     * {@code progressBase}: bytes of the whole load before this input.
     */
    RdbLoader.Result loadRdb(RdbInput in, boolean allowDuplicates, boolean background, boolean keepExpired,
            long progressBase) {
        loadingBase = progressBase;
        {
            boolean checksum = config.getBool("rdbchecksum");
            in.setChecksum(checksum);
            KeyspaceLoader sink = new KeyspaceLoader(background ? ownWorker() : null, allowDuplicates, keepExpired);
            RdbLoader.Result r;
            try {
                r = RdbLoader.load(in, sink, LoadOptions.from(config), keyspace.databases(), checksum);
            } finally {
                sink.finish();
            }
            if (r.checksumDisabled()) Log.warning("RDB file was saved with checksum disabled: no check performed.");
            if (r.emptyKeysSkipped() > 0) {
                Log.warning("Done loading RDB, keys loaded: " + lastLoadKeysLoaded + ", keys expired: "
                        + lastLoadKeysExpired + ", empty keys skipped: " + r.emptyKeysSkipped() + ".");
            } else {
                Log.notice("Done loading RDB, keys loaded: " + lastLoadKeysLoaded + ", keys expired: "
                        + lastLoadKeysExpired + ".");
            }
            return r;
        }
    }

    /** Bytes loaded before the RDB input being read (an AOF base precedes its INCR files; they follow it). */
    private volatile long loadingBase;

    /** Puts loaded keys into the keyspace. */
    private final class KeyspaceLoader implements RdbLoader.Sink {
        private final ExecutionGate.Worker worker;
        private final boolean allowDuplicates;
        private final boolean keepExpired;
        private final io.larder.store.Lookup lookup = new io.larder.store.Lookup();
        private final long keyLoadDelay = config.getLong("key-load-delay");
        private int inGate;

        /** worker null: the caller holds the keyspace exclusively. */
        KeyspaceLoader(ExecutionGate.Worker worker, boolean allowDuplicates, boolean keepExpired) {
            this.worker = worker;
            this.allowDuplicates = allowDuplicates;
            this.keepExpired = keepExpired;
        }

        @Override
        public void aux(byte[] key, byte[] value, long offset) {
            String k = new String(key, java.nio.charset.StandardCharsets.ISO_8859_1);
            String v = new String(value, java.nio.charset.StandardCharsets.ISO_8859_1);
            switch (k.toLowerCase(Locale.ROOT)) {
                case "redis-ver" -> Log.notice("Loading RDB produced by version " + v);
                case "ctime" -> {
                    try {
                        long age = Math.max(0, System.currentTimeMillis() / 1000 - Long.parseLong(v.strip()));
                        Log.notice("RDB age " + age + " seconds");
                    } catch (NumberFormatException ignored) {
                        // an aux field is information only
                    }
                }
                case "used-mem" -> {
                    try {
                        long used = Long.parseLong(v.strip());
                        loadingRdbUsedMem = used;
                        Log.notice(String.format(Locale.ROOT, "RDB memory usage when created %.2f Mb",
                                used / (1024.0 * 1024)));
                    } catch (NumberFormatException ignored) {
                        // information only
                    }
                }
                case "aof-base" -> {
                    if (!v.equals("0")) Log.notice("RDB is base AOF");
                }
                default -> {
                    if (k.startsWith("%")) Log.notice("RDB '" + k + "': " + v);
                }
            }
        }

        @Override
        public void resizeDb(int db, long size, long expires) {
            if (worker == null) {
                keyspace.db(db).reserve(size);
                return;
            }
            leaveGate();
            keyspace.gate.enterExclusive(worker);
            try {
                keyspace.db(db).reserve(size);
            } finally {
                keyspace.gate.exitExclusive(worker);
            }
        }

        @Override
        public void function(byte[] code, RdbInput in) {
            try {
                functions.load(code, allowDuplicates);
            } catch (Exception e) {
                throw in.corrupt("Failed loading library, " + e.getMessage());
            }
        }

        @Override
        public void key(int dbIndex, byte[] key, Object value, long expireAt, int lfuFreq, long lruIdle,
                RdbInput in) {
            long now = System.currentTimeMillis();
            if (!keepExpired && expireAt != io.larder.store.StoredValue.NO_EXPIRE && expireAt < now) {
                lastLoadKeysExpired++;
                pace(in);
                return;
            }
            Object entry = KeyRecords.entry(keyspace, key, value, expireAt, now, lfuFreq, lruIdle);
            Database db = keyspace.db(dbIndex);
            long hash = io.larder.store.KeyHash.hash(key);
            int stripe = keyspace.segmentOf(hash, key, 0, key.length);
            if (worker != null) {
                if (inGate == 0) keyspace.gate.enter(worker);
                inGate++;
                keyspace.locks.lock(stripe);
            }
            try {
                if (db.find(lookup, key, 0, key.length, hash, now) != null) {
                    if (!allowDuplicates) {
                        throw in.corrupt("RDB has duplicated key '" + new String(key,
                                java.nio.charset.StandardCharsets.ISO_8859_1) + "' in DB " + dbIndex);
                    }
                    db.remove(lookup);
                }
                db.insert(lookup, entry);
            } finally {
                if (worker != null) {
                    keyspace.locks.unlock(stripe);
                    // Leave the gate now and then, so an exclusive command can run between batches.
                    if (inGate >= 1024) leaveGate();
                }
            }
            lastLoadKeysLoaded++;
            pace(in);
        }

        private void pace(RdbInput in) {
            if (((lastLoadKeysLoaded + lastLoadKeysExpired) & 255) == 0) loadingLoadedBytes = loadingBase + in.position();
            if (keyLoadDelay != 0) Delays.pause(keyLoadDelay);
        }

        private void leaveGate() {
            if (worker != null && inGate > 0) {
                keyspace.gate.exit(worker);
                inGate = 0;
            }
        }

        void finish() {
            leaveGate();
        }
    }

    // ------------------------------------------------------------ saving in the foreground

    /**
     * rdbSave: writes the whole keyspace now, into a temporary file renamed
     * over the dump. The caller holds the keyspace exclusively. Returns
     * false (after logging why) if it failed; the previous dump is intact.
     */
    public boolean saveNow() {
        // An AOF rewrite carries on (Redis's SAVE does not kill an AOF child): it waits for the gate meanwhile.
        Job running = jobSnapshot();
        if (running != null && running.rdb) abortOrAwait(running);
        long start = System.currentTimeMillis();
        long dirtyAtStart = server.stats().dirty();
        boolean compress = config.getBool("rdbcompression");
        KeyRecords.SaveOptions opts = KeyRecords.SaveOptions.from(config);
        List<byte[]> libs = functions.codes();
        long usedMem = keyspace.memory();
        try {
            RdbFile.writeAtomically(dir(), fileName(), "temp-" + pid() + ".rdb", compress,
                    config.getBool("rdbchecksum"), config.getBool("rdb-save-incremental-fsync"), out -> {
                        RdbFile.writeHeader(out, start / 1000, usedMem, false);
                        RdbFile.writeFunctions(out, libs);
                        writeLiveDatabases(out, opts);
                        RdbFile.writeFooter(out);
                    }, null);
        } catch (RdbFile.SaveFailed e) {
            Log.warning(e.getMessage());
            return false;
        }
        Log.notice("DB saved on disk");
        server.savedAt(System.currentTimeMillis(), dirtyAtStart);
        synchronized (this) {
            lastBgsaveOk = true;
        }
        updateWriteDenied();
        return true;
    }

    /**
     * rdbSave into any file (an AOF's first BASE, with aof-base:1): the
     * keyspace as it is now. The caller holds the keyspace exclusively.
     */
    void saveTo(Path dir, String fileName, String tempName, boolean aofBase) throws RdbFile.SaveFailed {
        long start = System.currentTimeMillis();
        KeyRecords.SaveOptions opts = KeyRecords.SaveOptions.from(config);
        List<byte[]> libs = functions.codes();
        long usedMem = keyspace.memory();
        RdbFile.writeAtomically(dir, fileName, tempName, config.getBool("rdbcompression"),
                config.getBool("rdbchecksum"), config.getBool("rdb-save-incremental-fsync"), out -> {
                    RdbFile.writeHeader(out, start / 1000, usedMem, aofBase);
                    RdbFile.writeFunctions(out, libs);
                    writeLiveDatabases(out, opts);
                    RdbFile.writeFooter(out);
                }, null);
    }

    /** Every database's keys as they are (the keyspace is held exclusively). */
    private void writeLiveDatabases(RdbOutput out, KeyRecords.SaveOptions opts) {
        long now = System.currentTimeMillis();
        for (int d = 0; d < keyspace.databases(); d++) {
            Database db = keyspace.db(d);
            long size = db.size();
            if (size == 0) continue;
            RdbFile.writeDbHeader(out, d, size, db.volatileSize());
            for (int i = 0; i < Keyspace.SEGMENTS; i++) {
                Segment s = db.segment(i);
                if (s == null || s.size() == 0) continue;
                for (int slot = 0, cap = s.capacity(); slot < cap; slot++) {
                    Object e = s.entry(slot);
                    if (e == null) continue;
                    KeyRecords.write(out, e, opts, now);
                    Delays.keySaved(opts.keySaveDelayMicros());
                }
            }
        }
    }

    /** SAVE. The caller holds the keyspace exclusively; null on success, else the error to reply. */
    public String saveCommand() {
        synchronized (this) {
            if (job != null && job.rdb) return "ERR Background save already in progress";
        }
        rdbSaves.incrementAndGet();
        return saveNow() ? null : "ERR";
    }

    /** The final save of SHUTDOWN and signals (not while loading: a partial dataset must not replace the dump). */
    private boolean saveOnShutdown() {
        if (loading) {
            Log.warning("Shutting down while loading the dataset: the RDB file is left as it is.");
            return true;
        }
        Job running = jobSnapshot();
        if (running != null && running.rdb) {
            Log.warning("There is a child saving an .rdb. Killing it!");
            abort(running);
        }
        ExecutionGate.Worker w = server.context().worker();
        ExecutionGate gate = keyspace.gate;
        if (gate.isExclusiveOwner(w)) return saveNow();
        gate.enterExclusive(w);
        try {
            return saveNow();
        } finally {
            gate.exitExclusive(w);
        }
    }

    /**
     * FLUSHALL, as Redis 7.0.15 does it: a running BGSAVE is killed, and
     * with save points configured the now empty dataset is saved at once,
     * which also clears the change counter, the flush's own changes
     * ({@code pendingDirty}, counted when the command completes) included.
     * The caller holds the keyspace exclusively.
     */
    public void afterFlushAll(long pendingDirty) {
        Job running = jobSnapshot();
        if (running != null && running.rdb) abort(running);
        if (!savePointsConfigured()) return;
        if (saveNow()) server.savedAt(server.lastSaveMs(), server.stats().dirty() + pendingDirty);
    }

    // ------------------------------------------------------------ saving in the background

    /** A running snapshot being written to a file. */
    private final class Job implements Runnable {
        final int id = jobIds.incrementAndGet();
        final Snapshot snapshot;
        final boolean rdb;
        final Path dir;
        final String fileName;
        final String tempName;
        final boolean compress, checksum, incrementalFsync;
        final long startMs = System.currentTimeMillis();
        final long dirtyAtStart;
        final long usedMemory;
        final List<byte[]> libraries;
        final boolean aofBase;
        final java.util.function.Consumer<Boolean> onDone;
        /** Set once the file is complete and about to be renamed: from then on it cannot be aborted. */
        boolean committed;
        boolean finished;
        Thread thread;

        Job(Snapshot s, boolean rdb, Path dir, String fileName, boolean aofBase,
                java.util.function.Consumer<Boolean> onDone) {
            this.snapshot = s;
            this.rdb = rdb;
            this.dir = dir;
            this.fileName = fileName;
            this.tempName = "temp-" + pid() + "-" + id + ".rdb";
            this.compress = config.getBool("rdbcompression");
            this.checksum = config.getBool("rdbchecksum");
            // An AOF rewrite's base follows aof-rewrite-incremental-fsync, a BGSAVE rdb-save-incremental-fsync.
            this.incrementalFsync = config.getBool(aofBase ? "aof-rewrite-incremental-fsync"
                    : "rdb-save-incremental-fsync");
            this.dirtyAtStart = server.stats().dirty();
            this.usedMemory = keyspace.memory();
            this.libraries = functions.codes();
            this.aofBase = aofBase;
            this.onDone = onDone;
        }

        @Override
        public void run() {
            ExecutionGate.Worker w = keyspace.gate.register("larder-snapshot-" + id);
            boolean ok = false;
            try {
                long size = RdbFile.writeAtomically(dir, fileName, tempName, compress, checksum, incrementalFsync,
                        out -> {
                            RdbFile.writeHeader(out, startMs / 1000, usedMemory, aofBase);
                            RdbFile.writeFunctions(out, libraries);
                            if (!snapshot.writeDatabases(out, w)) throw new Aborted();
                            RdbFile.writeFooter(out);
                        }, this::commit);
                ok = size >= 0;
            } catch (RdbFile.SaveFailed e) {
                if (!(e.getCause() instanceof Aborted)) Log.warning(e.getMessage());
            } catch (RuntimeException | OutOfMemoryError e) {
                Log.warning("Background saving failed: " + e);
            } finally {
                keyspace.gate.unregister(w);
                finished(this, ok);
            }
        }

        private boolean commit() {
            synchronized (Persistence.this) {
                if (snapshot.aborted()) return false;
                committed = true;
                return true;
            }
        }
    }

    /** Signals an aborted snapshot through the file writer. */
    private static final class Aborted extends IOException {
        Aborted() {
            super("aborted");
        }
    }

    private synchronized Job jobSnapshot() {
        return job;
    }

    /**
     * BGSAVE [SCHEDULE] (bgsaveCommand). Returns the reply: a status line
     * ("+..."), or an error ("-..."). {@code exclusive}: the caller holds the
     * keyspace, so the snapshot can start at once; {@code inExec}: inside a
     * transaction, where Redis schedules rather than forks.
     */
    public String bgsaveCommand(boolean schedule, boolean inExec) {
        synchronized (this) {
            if (job != null && job.rdb) return "-ERR Background save already in progress";
            if (job != null || inExec) {
                if (schedule || inExec) {
                    bgsaveScheduled = true;
                    return "+Background saving scheduled";
                }
                return "-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in "
                        + "order to schedule a BGSAVE whenever possible.";
            }
        }
        return startBgsave() ? "+Background saving started" : "-ERR";
    }

    /** rdbSaveBackground. The caller holds the keyspace exclusively. */
    private boolean startBgsave() {
        rdbSaves.incrementAndGet();
        synchronized (this) {
            lastBgsaveTrySec = System.currentTimeMillis() / 1000;
        }
        return startSnapshot(dir(), fileName(), true, false, ok -> { }) != null;
    }

    /**
     * Starts writing a point-in-time snapshot into {@code dir/fileName}
     * (through a temporary file and a rename) on a thread of its own, and
     * returns its id, or null if another snapshot is running. The caller
     * holds the keyspace exclusively: the snapshot is of this moment. This is
     * BGSAVE's engine, and what an AOF rewrite uses for its RDB base file
     * ({@code aofBase}); {@code onDone} gets the outcome (on the snapshot
     * thread), after the rename.
     */
    public synchronized Integer startSnapshot(Path dir, String fileName, boolean rdb, boolean aofBase,
            java.util.function.Consumer<Boolean> onDone) {
        if (job != null) return null;
        Snapshot s = new Snapshot(keyspace, KeyRecords.SaveOptions.from(config), config.getBool("rdbcompression"));
        Job j = new Job(s, rdb, dir, fileName, aofBase, onDone);
        keyspace.setSnapshot(s);
        job = j;
        j.thread = new Thread(j, rdb ? "larder-bgsave" : "larder-snapshot");
        j.thread.setDaemon(true);
        j.thread.start();
        if (rdb) Log.notice("Background saving started by thread " + j.thread.getName() + " (snapshot " + j.id + ")");
        return j.id;
    }

    /** The snapshot thread is done (written and renamed, failed, or aborted). */
    private void finished(Job j, boolean ok) {
        boolean aborted = false;
        synchronized (this) {
            j.finished = true;
            if (keyspace.snapshot() == j.snapshot) keyspace.setSnapshot(null);
            if (job != j) {
                notifyAll();
                // Aborted earlier: its outcome was already recorded; the owner still learns it ended.
                aborted = true;
            }
        }
        if (aborted) {
            try {
                j.onDone.accept(false);
            } catch (RuntimeException e) {
                Log.warning("snapshot completion: " + e);
            }
            return;
        }
        synchronized (this) {
            job = null;
            if (j.rdb) {
                lastBgsaveTimeSec = (System.currentTimeMillis() - j.startMs) / 1000;
                lastCowSize = j.snapshot.peakHeldBytes();
                if (ok) {
                    Log.notice("Background saving terminated with success");
                    lastBgsaveOk = true;
                } else {
                    Log.warning("Background saving error");
                    lastBgsaveOk = false;
                }
            }
            notifyAll();
        }
        if (ok && j.rdb) server.savedAt(System.currentTimeMillis(), j.dirtyAtStart);
        updateWriteDenied();
        try {
            j.onDone.accept(ok);
        } catch (RuntimeException e) {
            Log.warning("snapshot completion: " + e);
        }
    }

    /** Kills a running snapshot (as Redis kills its child with SIGUSR1: not an error). */
    private void abort(Job j) {
        synchronized (this) {
            if (job != j || j.committed) return;
            j.snapshot.abort();
            if (keyspace.snapshot() == j.snapshot) keyspace.setSnapshot(null);
            job = null;
            if (j.rdb) Log.warning("Background saving terminated by signal 10");
            notifyAll();
        }
        updateWriteDenied();
    }

    /** Before a foreground save: kills the running snapshot, or waits for one that is already renaming its file. */
    private void abortOrAwait(Job j) {
        abort(j);
        synchronized (this) {
            while (j.committed && !j.finished) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Kills a running BGSAVE, if any (DEBUG RELOAD before it replaces the dataset). */
    public void abortBackgroundSave() {
        Job j = jobSnapshot();
        if (j != null) abortOrAwait(j);
    }

    public synchronized boolean bgsaveInProgress() {
        return job != null && job.rdb;
    }

    /** The running snapshot (tests, INFO), or null. */
    public synchronized Snapshot runningSnapshot() {
        return job == null ? null : job.snapshot;
    }

    // ------------------------------------------------------------ cron

    /** Save points and scheduled BGSAVEs (the persistence part of serverCron). */
    private void cron() {
        try {
            if (loading) return;
            long nowSec = System.currentTimeMillis() / 1000;
            boolean start = false;
            synchronized (this) {
                if (job != null) return;
                boolean mayTry = nowSec - lastBgsaveTrySec > BGSAVE_RETRY_DELAY_SEC || lastBgsaveOk;
                if (bgsaveScheduled && mayTry) {
                    start = true;
                } else if (mayTry) {
                    long dirty = server.changesSinceLastSave();
                    long lastSave = server.lastSaveMs() / 1000;
                    for (io.larder.config.Special.SavePoint p : config.special().save) {
                        if (dirty >= p.changes() && nowSec - lastSave > p.seconds()) {
                            Log.notice(p.changes() + " changes in " + p.seconds() + " seconds. Saving...");
                            start = true;
                            break;
                        }
                    }
                }
            }
            if (!start) return;
            ExecutionGate.Worker w = server.context().worker();
            keyspace.gate.enterExclusive(w);
            try {
                synchronized (this) {
                    if (job != null) return;
                    bgsaveScheduled = false;
                }
                startBgsave();
            } finally {
                keyspace.gate.exitExclusive(w);
            }
        } catch (RuntimeException e) {
            Log.warning("persistence cron: " + e);
        }
    }

    // ------------------------------------------------------------ MISCONF

    /** writeCommandsDeniedByDiskError: stop-writes-on-bgsave-error, save points, and a failed last BGSAVE. */
    void updateWriteDenied() {
        boolean deny;
        synchronized (this) {
            deny = !lastBgsaveOk;
        }
        deny &= config.getBool("stop-writes-on-bgsave-error") && savePointsConfigured();
        // DISK_ERROR_TYPE_AOF comes second, as in writeCommandsDeniedByDiskError.
        String aofError = aof.writeDeniedError();
        server.setWriteDeniedError(deny ? MISCONF : aofError);
    }

    // ------------------------------------------------------------ INFO

    private String infoSection() {
        StringBuilder b = new StringBuilder();
        long nowSec = System.currentTimeMillis() / 1000;
        Snapshot s;
        boolean inProgress, lastOk;
        long startMs, lastTime, cow, saves;
        synchronized (this) {
            s = job == null ? null : job.snapshot;
            inProgress = job != null && job.rdb;
            startMs = job == null ? 0 : job.startMs;
            lastOk = lastBgsaveOk;
            lastTime = lastBgsaveTimeSec;
            cow = lastCowSize;
            saves = rdbSaves.get();
        }
        field(b, "loading", loading ? 1 : 0);
        field(b, "async_loading", 0);
        field(b, "current_cow_peak", s == null ? 0 : s.peakHeldBytes());
        field(b, "current_cow_size", s == null ? 0 : s.heldBytes());
        field(b, "current_cow_size_age", 0);
        long processed = s == null ? 0 : s.keysWritten(), total = s == null ? 0 : s.keysTotal();
        field(b, "current_fork_perc", String.format(Locale.ROOT, "%.2f",
                total == 0 ? 0.0 : Math.min(100.0, processed * 100.0 / total)));
        field(b, "current_save_keys_processed", processed);
        field(b, "current_save_keys_total", total);
        field(b, "rdb_changes_since_last_save", server.changesSinceLastSave());
        field(b, "rdb_bgsave_in_progress", inProgress ? 1 : 0);
        field(b, "rdb_last_save_time", server.lastSaveMs() / 1000);
        field(b, "rdb_last_bgsave_status", lastOk ? "ok" : "err");
        field(b, "rdb_last_bgsave_time_sec", lastTime);
        field(b, "rdb_current_bgsave_time_sec", inProgress ? nowSec - startMs / 1000 : -1);
        field(b, "rdb_saves", saves);
        field(b, "rdb_last_cow_size", cow);
        field(b, "rdb_last_load_keys_expired", lastLoadKeysExpired);
        field(b, "rdb_last_load_keys_loaded", lastLoadKeysLoaded);
        // The AOF fields belong to the AOF subsystem, which registers them as metrics.
        io.larder.server.Metrics m = server.metrics();
        field(b, "aof_enabled", m.get("aof_enabled", 0));
        field(b, "aof_rewrite_in_progress", m.get("aof_rewrite_in_progress", 0));
        field(b, "aof_rewrite_scheduled", m.get("aof_rewrite_scheduled", 0));
        field(b, "aof_last_rewrite_time_sec", m.get("aof_last_rewrite_time_sec", -1));
        field(b, "aof_current_rewrite_time_sec", m.get("aof_current_rewrite_time_sec", -1));
        field(b, "aof_last_bgrewrite_status", m.get("aof_last_bgrewrite_status", "ok"));
        field(b, "aof_rewrites", m.get("aof_rewrites", 0));
        field(b, "aof_rewrites_consecutive_failures", m.get("aof_rewrites_consecutive_failures", 0));
        field(b, "aof_last_write_status", m.get("aof_last_write_status", "ok"));
        field(b, "aof_last_cow_size", m.get("aof_last_cow_size", 0));
        field(b, "module_fork_in_progress", 0);
        field(b, "module_fork_last_cow_size", 0);
        String aofExtra = m.section("persistence-aof");
        if (aofExtra != null) b.append(aofExtra);
        if (loading) {
            long totalBytes = loadingTotalBytes, loaded = loadingLoadedBytes;
            double perc = totalBytes == 0 ? 0 : loaded * 100.0 / totalBytes;
            long remaining = totalBytes == 0 ? 1 : totalBytes - loaded;
            long elapsed = nowSec - loadingStartSec;
            long eta = elapsed == 0 ? 1 : elapsed * remaining / (loaded + 1);
            field(b, "loading_start_time", loadingStartSec);
            field(b, "loading_total_bytes", totalBytes);
            field(b, "loading_rdb_used_mem", loadingRdbUsedMem);
            field(b, "loading_loaded_bytes", loaded);
            field(b, "loading_loaded_perc", String.format(Locale.ROOT, "%.2f", perc));
            field(b, "loading_eta_seconds", eta);
        }
        return b.toString();
    }

    private static void field(StringBuilder b, String name, Object value) {
        b.append(name).append(':').append(value).append("\r\n");
    }
}
