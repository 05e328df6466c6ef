package io.larder.persist;

import io.larder.config.Config;
import io.larder.config.ConfigException;
import io.larder.server.LarderServer;
import io.larder.server.Log;
import io.larder.store.ExecutionGate;
import io.larder.store.Keyspace;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Redis 7.0's multi-part append-only file (aof.c): the AOF directory with
 * its manifest, a BASE file and INCR files; appendonly at start-up and at
 * run time; BGREWRITEAOF and automatic rewrites; loading at start-up (and
 * DEBUG LOADAOF); the INFO persistence aof_* fields.
 *
 * <p>Writes reach the AOF through the journal ({@link io.larder.journal.Journal}),
 * whose sink is the {@link AofWriter}. A rewrite needs no fork: with the
 * keyspace held exclusively for an instant, a new INCR file is opened (every
 * command from that instant on goes there) and a {@link Snapshot} of that
 * same instant is started; the snapshot becomes the new BASE file (an RDB
 * with aof-base:1, or AOF commands with aof-use-rdb-preamble no), and the
 * manifest then names the new base and the new INCR file. Clients are never
 * held up by the rewrite beyond that instant.
 */
public final class AppendOnlyFile {
    enum State { OFF, ON, WAIT_REWRITE }

    private final LarderServer server;
    private final Persistence persistence;
    private final Config config;
    private final Keyspace keyspace;

    // Guarded by this.
    private volatile State state = State.OFF;
    private AofManifest manifest = new AofManifest();
    private AofWriter writer;
    private boolean rewriting;
    private boolean rewriteScheduled;
    private long rewriteStartSec = -1;
    private long lastRewriteTimeSec = -1;
    private boolean lastRewriteOk = true;
    private long rewrites;
    private long consecutiveFailures;
    private long lastCowSize;
    private Snapshot rewriteSnapshot;
    private int rewriteJob;
    /** Which rewrite is current: the outcome of one stopped by killRewrite is ignored. */
    private int rewriteGeneration;
    /** aofRewriteLimited's state: the next automatic rewrite after failures waits until then. */
    private int nextDelayMinutes;
    private long nextRewriteSec;

    private volatile long currentSize, rewriteBaseSize, lastIncrSize;
    private volatile String writeError;

    AppendOnlyFile(LarderServer server, Persistence persistence) {
        this.server = server;
        this.persistence = persistence;
        this.config = server.config();
        this.keyspace = server.keyspace();
        config.param("appendonly").onApply(p -> updateAppendonly());
        config.watch("appendfsync", p -> applyFsyncPolicy());
        config.watch("aof-timestamp-enabled", p -> {
            AofWriter w = writer;
            if (w != null) w.setTimestamps(config.getBool("aof-timestamp-enabled"));
        });
        config.watch("lazyfree-lazy-expire",
                p -> server.journal().setLazyExpire(config.getBool("lazyfree-lazy-expire")));
        io.larder.server.Metrics m = server.metrics();
        m.register("aof_enabled", () -> state != State.OFF ? 1 : 0);
        m.register("aof_rewrite_in_progress", () -> rewriteInProgress() ? 1 : 0);
        m.register("aof_rewrite_scheduled", () -> rewriteScheduled() ? 1 : 0);
        m.register("aof_last_rewrite_time_sec", this::lastRewriteTimeSec);
        m.register("aof_current_rewrite_time_sec", this::currentRewriteTimeSec);
        m.register("aof_last_bgrewrite_status", () -> lastRewriteOk() ? "ok" : "err");
        m.register("aof_rewrites", this::rewrites);
        m.register("aof_rewrites_consecutive_failures", this::consecutiveFailures);
        m.register("aof_last_write_status", () -> writeError == null ? "ok" : "err");
        m.register("aof_last_cow_size", this::lastCowSize);
        m.registerSection("persistence-aof", this::infoFields);
    }

    // ------------------------------------------------------------ names

    /** appendonly as configured (Redis's server.aof_enabled). */
    public boolean enabled() {
        return config.getBool("appendonly");
    }

    /** Whether commands are being appended (aof_state != AOF_OFF). */
    public boolean on() {
        return state != State.OFF;
    }

    private String fileName() {
        return config.get("appendfilename");
    }

    /** The AOF directory (appenddirname inside dir). */
    public Path dir() {
        return persistence.dir().resolve(config.get("appenddirname"));
    }

    private boolean preamble() {
        return config.getBool("aof-use-rdb-preamble");
    }

    private AofWriter.Fsync fsyncPolicy() {
        return switch (config.get("appendfsync")) {
            case "always" -> AofWriter.Fsync.ALWAYS;
            case "no" -> AofWriter.Fsync.NO;
            default -> AofWriter.Fsync.EVERYSEC;
        };
    }

    private static long pid() {
        return ProcessHandle.current().pid();
    }

    /**
     * Runs {@code r} with the keyspace held exclusively: at once if this
     * thread holds it already, else taking it with the thread's worker.
     */
    private void exclusively(Runnable r) {
        ExecutionGate gate = keyspace.gate;
        ExecutionGate.Worker w = server.context().worker();
        if (gate.isExclusiveOwner(w)) {
            r.run();
            return;
        }
        gate.enterExclusive(w);
        try {
            r.run();
        } finally {
            gate.exitExclusive(w);
        }
    }

    // ------------------------------------------------------------ start-up

    /**
     * aofLoadManifestFromDisk, before the listeners are bound, whether or
     * not appendonly is on (a BGREWRITEAOF continues the numbering); a bad
     * manifest stops the server.
     */
    void prepareAtStart() {
        if (enabled()) state = State.ON;
        Path d = dir();
        if (!Files.isDirectory(d)) return;
        Path mf = d.resolve(AofManifest.manifestName(fileName()));
        if (!Files.exists(mf)) return;
        try {
            manifest = AofManifest.read(mf);
        } catch (AofManifest.Invalid e) {
            Log.warning("\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
            for (String l : e.report()) Log.warning(l + "\n");
            fatal();
        } catch (IOException e) {
            Log.warning("Fatal error: can't open the AOF manifest file " + mf + " for reading: " + RdbFile.reason(e));
            fatal();
        }
    }

    private void fatal() {
        Log.warning("Exiting: the append only file cannot be used (nothing was changed on disk).");
        server.exit(1);
        throw new IllegalStateException("AOF cannot be loaded");
    }

    /**
     * On the loading thread: loads the AOF (loadDataFromDisk), then opens it
     * for appending (aofOpenIfNeededOnServerStart) and deletes history
     * files. Clients get -LOADING until all of it is done, so no write can
     * slip in before the AOF is ready to take it.
     */
    void loadAtStartup() {
        long t0 = System.nanoTime();
        persistence.beginLoading(0);
        try {
            upgradeOldStyle();
            AofLoader loader = new AofLoader(server, dir(), fileName(), persistence.ownWorker());
            AofLoader.Status st = loader.loadAll(manifest);
            if (st == AofLoader.Status.FAILED || st == AofLoader.Status.OPEN_ERR) {
                Log.warning("Fatal error loading the append only file from " + dir() + ". Exiting.");
                server.exit(1);
                return;
            }
            if (st != AofLoader.Status.NOT_EXIST) {
                Log.notice(String.format(Locale.ROOT, "DB loaded from append only file: %.3f seconds",
                        (System.nanoTime() - t0) / 1e9));
            }
            sizesAfterLoad();
            if (!openAtStart()) {
                server.exit(1);
                return;
            }
            deleteHistoryFiles();
        } catch (RuntimeException | OutOfMemoryError e) {
            Log.warning("Fatal error loading the append only file: " + e + ". Exiting.");
            server.exit(1);
        } finally {
            persistence.endLoading();
        }
    }

    /**
     * aofUpgradePrepare: an appendonly.aof left by Redis before 7.0 (or by a
     * 7.0 that never rewrote) in dir becomes the BASE of a new AOF directory.
     */
    private synchronized void upgradeOldStyle() {
        Path old = persistence.dir().resolve(fileName());
        if (!Files.isRegularFile(old)) return;
        boolean dirExists = Files.isDirectory(dir());
        AofManifest am = manifest;
        boolean upgrade = !dirExists || (am.base == null && am.incr.isEmpty())
                || (am.base != null && am.incr.isEmpty() && am.base.name().equals(fileName())
                        && !Files.exists(dir().resolve(fileName())));
        if (!upgrade) return;
        try {
            Files.createDirectories(dir());
        } catch (IOException e) {
            Log.warning("Can't open or create append-only dir " + config.get("appenddirname") + ": "
                    + RdbFile.reason(e));
            fatal();
        }
        am.base = new AofManifest.Entry(fileName(), 1, AofManifest.BASE);
        am.baseSeq = 1;
        am.dirty = true;
        if (!persist(am)) fatal();
        try {
            Files.move(old, dir().resolve(fileName()));
        } catch (IOException e) {
            Log.warning("Error trying to move the old AOF file " + fileName() + " into dir "
                    + config.get("appenddirname") + ": " + RdbFile.reason(e));
            fatal();
        }
        Log.notice("Successfully migrated an old-style AOF file (" + fileName() + ") into the AOF directory ("
                + config.get("appenddirname") + ").");
    }

    private synchronized void sizesAfterLoad() {
        long base = 0, total = 0;
        if (manifest.base != null) base = size(manifest.base.name());
        total += base;
        for (AofManifest.Entry e : manifest.incr) total += size(e.name());
        currentSize = total;
        rewriteBaseSize = base;
    }

    private long size(String name) {
        try {
            return Files.size(dir().resolve(name));
        } catch (IOException e) {
            return 0;
        }
    }

    /** After loading an RDB (appendonly no): history files left by a rewrite are deleted, as Redis does at start. */
    void afterRdbStart() {
        deleteHistoryFiles();
    }

    /** aofOpenIfNeededOnServerStart, with the keyspace held so the first write finds the AOF open. */
    private boolean openAtStart() {
        boolean[] ok = {true};
        exclusively(() -> ok[0] = openAtStartLocked());
        return ok[0];
    }

    private synchronized boolean openAtStartLocked() {
        try {
            Files.createDirectories(dir());
        } catch (IOException e) {
            Log.warning("Can't open or create append-only dir " + config.get("appenddirname") + ": "
                    + RdbFile.reason(e));
            return false;
        }
        int incrs = manifest.incr.size();
        if (manifest.base == null && incrs == 0) {
            // Starting empty: a BASE file is created at once (so the directory always holds a complete AOF).
            String base = manifest.newBase(fileName(), preamble());
            try {
                writeBaseNow(base);
            } catch (IOException | RdbFile.SaveFailed e) {
                Log.warning("Write error writing append only file on disk: " + e.getMessage());
                return false;
            }
            Log.notice("Creating AOF base file " + base + " on server start");
        }
        String name = manifest.lastIncr(fileName());
        FileChannel ch;
        long size;
        try {
            ch = FileChannel.open(dir().resolve(name), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            size = ch.size();
        } catch (IOException e) {
            Log.warning("Can't open the append-only file " + name + ": " + RdbFile.reason(e));
            return false;
        }
        if (!persist(manifest)) return false;
        lastIncrSize = size;
        startWriter(ch, size);
        Log.notice((incrs > 0 ? "Opening" : "Creating") + " AOF incr file " + name + " on server start");
        return true;
    }

    /** rewriteAppendOnlyFile in the foreground: the keyspace as it is now, into a BASE file. */
    private void writeBaseNow(String name) throws IOException, RdbFile.SaveFailed {
        if (preamble()) {
            persistence.saveTo(dir(), name, "temp-rewriteaof-" + pid() + ".aof", true);
        } else {
            AofBaseWriter.writeLive(server, dir(), name, "temp-rewriteaof-" + pid() + ".aof",
                    config.getBool("aof-timestamp-enabled"));
        }
    }

    private void startWriter(FileChannel ch, long size) {
        AofWriter w = new AofWriter(ch, size, fsyncPolicy(), config.getBool("aof-timestamp-enabled"),
                new AofWriter.Events() {
                    @Override
                    public void written(long bytes) {
                        currentSize += bytes;
                        lastIncrSize += bytes;
                    }

                    @Override
                    public void writeStatus(String error) {
                        writeError = error;
                        persistence.updateWriteDenied();
                    }
                }, streamPosition);
        writer = w;
        w.setFlushSleep(flushSleepMicros);
        server.journal().setLazyExpire(config.getBool("lazyfree-lazy-expire"));
        server.journal().addSink(w);
        applyFsyncPolicy();
    }

    /**
     * appendfsync: the writer's policy. Replies always wait for the AOF (see
     * AofWriter.mayFlush): for its write, and with "always" for its fsync too.
     */
    private synchronized void applyFsyncPolicy() {
        AofWriter w = writer;
        if (w == null) {
            server.setReplyGate(null);
            return;
        }
        AofWriter.Fsync p = fsyncPolicy();
        w.setPolicy(p);
        server.setReplyGate(w);
        // Replies held for an fsync that is no longer awaited go now.
        if (p != AofWriter.Fsync.ALWAYS) w.releaseAll();
    }

    /** Where the last writer stopped in the stream of writes (the next one counts on from there). */
    private long streamPosition;

    /** Stops appending: flushes and fsyncs what is buffered, closes the file. */
    private void stopWriter() {
        AofWriter w;
        synchronized (this) {
            w = writer;
            writer = null;
            if (w != null) streamPosition = w.position();
        }
        if (w == null) return;
        server.journal().removeSink(w);
        if (server.replyGate() == w) server.setReplyGate(null);
        w.close();
        synchronized (this) {
            streamPosition = Math.max(streamPosition, w.position());
        }
    }

    // ------------------------------------------------------------ manifest

    /** persistAofManifest: written to a temporary file, fsynced, renamed, directory fsynced. */
    private boolean persist(AofManifest am) {
        if (!am.dirty) return true;
        String name = AofManifest.manifestName(fileName());
        String tmp = AofManifest.tempManifestName(fileName());
        Path d = dir();
        try (FileChannel ch = FileChannel.open(d.resolve(tmp), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(am.format().getBytes(StandardCharsets.ISO_8859_1));
            while (bb.hasRemaining()) ch.write(bb);
            ch.force(true);
        } catch (IOException e) {
            Log.warning("Can't open the AOF manifest file " + tmp + ": " + RdbFile.reason(e));
            return false;
        }
        try {
            move(d.resolve(tmp), d.resolve(name));
        } catch (IOException e) {
            Log.warning("Error trying to rename the temporary AOF manifest file " + tmp + " into " + name + ": "
                    + RdbFile.reason(e));
            return false;
        }
        RdbFile.fsyncDirectory(d);
        am.dirty = false;
        return true;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** aofDelHistoryFiles. */
    private synchronized void deleteHistoryFiles() {
        if (config.getBool("aof-disable-auto-gc") || manifest.history.isEmpty()) return;
        for (AofManifest.Entry e : manifest.history) {
            Log.notice("Removing the history file " + e.name() + " in the background");
            try {
                Files.deleteIfExists(dir().resolve(e.name()));
            } catch (IOException x) {
                Log.warning("Failed removing the history file " + e.name() + ": " + RdbFile.reason(x));
            }
        }
        manifest.history.clear();
        manifest.dirty = true;
        persist(manifest);
    }

    // ------------------------------------------------------------ rewriting

    synchronized boolean rewriteInProgress() {
        return rewriting;
    }

    synchronized boolean rewriteScheduled() {
        return rewriteScheduled;
    }

    private synchronized long lastRewriteTimeSec() {
        return lastRewriteTimeSec;
    }

    private synchronized long currentRewriteTimeSec() {
        return rewriting ? System.currentTimeMillis() / 1000 - rewriteStartSec : -1;
    }

    private synchronized boolean lastRewriteOk() {
        return lastRewriteOk;
    }

    private synchronized long rewrites() {
        return rewrites;
    }

    private synchronized long consecutiveFailures() {
        return consecutiveFailures;
    }

    private synchronized long lastCowSize() {
        return lastCowSize;
    }

    /**
     * BGREWRITEAOF (bgrewriteaofCommand). The caller holds the keyspace
     * exclusively. Returns the reply: "+..." or "-...".
     */
    public String bgrewriteaofCommand(boolean inExec) {
        synchronized (this) {
            if (rewriting) return "-ERR Background append only file rewriting already in progress";
            if (persistence.runningSnapshot() != null || inExec) {
                rewriteScheduled = true;
                // A rewrite asked for by hand runs at once, whatever the failures before.
                consecutiveFailures = 0;
                return "+Background append only file rewriting scheduled";
            }
        }
        if (startRewrite()) return "+Background append only file rewriting started";
        return "-ERR Can't execute an AOF background rewriting. Please check the server logs for more information.";
    }

    /**
     * rewriteAppendOnlyFileBackground. The caller holds the keyspace
     * exclusively: this instant is where the new INCR file starts and what
     * the new BASE holds.
     */
    private synchronized boolean startRewrite() {
        if (rewriting || persistence.runningSnapshot() != null) return false;
        Path d = dir();
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            Log.warning("Can't open or create append-only dir " + config.get("appenddirname") + ": "
                    + RdbFile.reason(e));
            lastRewriteOk = false;
            return false;
        }
        // openNewIncrAofForAppend
        if (state != State.OFF) {
            AofManifest temp = null;
            String name;
            if (state == State.WAIT_REWRITE) {
                name = AofManifest.tempIncrName(fileName());
            } else {
                temp = manifest.copy();
                name = temp.newIncr(fileName());
            }
            FileChannel ch;
            try {
                ch = FileChannel.open(d.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
            } catch (IOException e) {
                Log.warning("Can't open the append-only file " + name + ": " + RdbFile.reason(e));
                lastRewriteOk = false;
                return false;
            }
            if (temp != null && !persist(temp)) {
                closeQuietly(ch);
                lastRewriteOk = false;
                return false;
            }
            Log.notice("Creating AOF incr file " + name + " on background rewrite");
            if (writer == null) {
                startWriter(ch, 0);
            } else {
                writer.rotate(ch, 0);
            }
            lastIncrSize = 0;
            if (temp != null) manifest = temp;
        }
        rewrites++;
        boolean rdb = preamble();
        String temp = "temp-rewriteaof-bg-" + pid() + (rdb ? ".aof" : ".rdb");
        Path tempPath = d.resolve(temp);
        int job = ++rewriteGeneration;
        Integer id = persistence.startSnapshot(d, temp, false, true, ok -> rewriteDone(job, ok, tempPath, rdb));
        if (id == null) {
            lastRewriteOk = false;
            return false;
        }
        rewriteJob = id;
        rewriteSnapshot = persistence.runningSnapshot();
        rewriting = true;
        rewriteScheduled = false;
        rewriteStartSec = System.currentTimeMillis() / 1000;
        AofWriter w = writer;
        if (w != null && config.getBool("no-appendfsync-on-rewrite")) w.setSkipFsync(true);
        Log.notice("Background append only file rewriting started by thread larder-snapshot (snapshot " + id + ")");
        return true;
    }

    /**
     * backgroundRewriteDoneHandler, on the snapshot thread. The new BASE is
     * in place only once the manifest says so: a crash before leaves the old
     * BASE and INCR files, which still hold everything.
     */
    private void rewriteDone(int generation, boolean ok, Path temp, boolean rdb) {
        synchronized (this) {
            if (!rewriting || generation != rewriteGeneration) {
                // Killed meanwhile: nothing of it is used.
                Log.warning("Background AOF rewrite terminated by signal 10");
                deleteQuietly(temp);
                return;
            }
        }
        Path base = temp;
        if (ok && !rdb) {
            // aof-use-rdb-preamble no: the snapshot (an RDB) becomes AOF commands.
            Path aofTemp = temp.resolveSibling("temp-rewriteaof-bg-" + pid() + ".aof");
            try {
                AofBaseWriter.convert(server, temp, aofTemp, config.getBool("aof-timestamp-enabled"));
                base = aofTemp;
            } catch (IOException | RuntimeException e) {
                Log.warning("Write error writing append only file on disk: " + e.getMessage());
                ok = false;
            } finally {
                deleteQuietly(temp);
            }
        }
        finishRewrite(generation, ok, base);
    }

    private synchronized void finishRewrite(int generation, boolean ok, Path temp) {
        if (!rewriting || generation != rewriteGeneration) {
            deleteQuietly(temp);
            return;
        }
        boolean aborted = !ok && rewriteSnapshot != null && rewriteSnapshot.aborted();
        if (rewriteSnapshot != null) lastCowSize = rewriteSnapshot.peakHeldBytes();
        AofWriter w = writer;
        if (w != null) w.setSkipFsync(false);
        if (ok) {
            Log.notice("Background AOF rewrite terminated with success");
            ok = installNewBase(temp);
        } else if (aborted) {
            Log.warning("Background AOF rewrite terminated by signal 10");
        } else {
            lastRewriteOk = false;
            consecutiveFailures++;
            Log.warning("Background AOF rewrite terminated with error");
        }
        deleteQuietly(temp);
        if (!ok && state == State.WAIT_REWRITE) {
            // Turning AOF on failed: what the temporary INCR file holds is dropped, a new attempt is scheduled.
            stopWriterLater();
            String tmpIncr = AofManifest.tempIncrName(fileName());
            Log.notice("Removing the temp incr aof file " + tmpIncr + " in the background");
            deleteQuietly(dir().resolve(tmpIncr));
        }
        lastRewriteTimeSec = System.currentTimeMillis() / 1000 - rewriteStartSec;
        rewriteStartSec = -1;
        rewriting = false;
        rewriteSnapshot = null;
        if (state == State.WAIT_REWRITE) rewriteScheduled = true;
        notifyAll();
    }

    /** The successful part of backgroundRewriteDoneHandler; false if the new BASE could not be installed. */
    private boolean installNewBase(Path temp) {
        Path d = dir();
        AofManifest am = manifest.copy();
        String baseName = am.newBase(fileName(), preamble() || isRdb(temp));
        try {
            move(temp, d.resolve(baseName));
        } catch (IOException e) {
            Log.warning("Error trying to rename the temporary AOF base file " + temp.getFileName() + " into "
                    + baseName + ": " + RdbFile.reason(e));
            return rewriteFailed();
        }
        Log.notice("Successfully renamed the temporary AOF base file " + temp.getFileName() + " into " + baseName);
        String incrName = null;
        if (state == State.WAIT_REWRITE) {
            String tmpIncr = AofManifest.tempIncrName(fileName());
            incrName = am.newIncr(fileName());
            try {
                move(d.resolve(tmpIncr), d.resolve(incrName));
            } catch (IOException e) {
                Log.warning("Error trying to rename the temporary AOF incr file " + tmpIncr + " into " + incrName
                        + ": " + RdbFile.reason(e));
                deleteQuietly(d.resolve(baseName));
                return rewriteFailed();
            }
            Log.notice("Successfully renamed the temporary AOF incr file " + tmpIncr + " into " + incrName);
        }
        am.markRewrittenIncrsAsHistory(writer != null);
        if (!persist(am)) {
            deleteQuietly(d.resolve(baseName));
            if (incrName != null) deleteQuietly(d.resolve(incrName));
            return rewriteFailed();
        }
        manifest = am;
        if (writer != null) {
            currentSize = size(baseName) + lastIncrSize;
            rewriteBaseSize = currentSize;
        }
        deleteHistoryFiles();
        lastRewriteOk = true;
        consecutiveFailures = 0;
        Log.notice("Background AOF rewrite finished successfully");
        if (state == State.WAIT_REWRITE) state = State.ON;
        return true;
    }

    private static boolean isRdb(Path p) {
        try (var in = Files.newInputStream(p)) {
            byte[] sig = in.readNBytes(5);
            return new String(sig, StandardCharsets.US_ASCII).equals("REDIS");
        } catch (IOException e) {
            return false;
        }
    }

    private boolean rewriteFailed() {
        lastRewriteOk = false;
        consecutiveFailures++;
        return false;
    }

    /** Stops the writer from a thread that must not wait for it (the snapshot thread holds this' lock). */
    private void stopWriterLater() {
        AofWriter w = writer;
        writer = null;
        if (w == null) return;
        streamPosition = w.position();
        server.journal().removeSink(w);
        if (server.replyGate() == w) server.setReplyGate(null);
        Thread t = new Thread(w::close, "larder-aof-close");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Stops a running rewrite (killAppendOnlyChild). The rewrite is over at
     * once as far as the AOF is concerned; the snapshot thread notices the
     * abort later (it may be waiting for the keyspace this thread holds) and
     * its outcome is then ignored.
     */
    private void killRewrite() {
        synchronized (this) {
            if (!rewriting) return;
            Log.notice("Killing running AOF rewrite child: snapshot " + rewriteJob);
            rewriting = false;
            rewriteSnapshot = null;
            AofWriter w = writer;
            if (w != null) w.setSkipFsync(false);
            lastRewriteTimeSec = System.currentTimeMillis() / 1000 - rewriteStartSec;
            rewriteStartSec = -1;
        }
        persistence.abortBackgroundSave();
    }

    // ------------------------------------------------------------ CONFIG SET appendonly

    /** updateAppendonly: CONFIG SET appendonly yes starts a rewrite to create the BASE; no stops appending. */
    private void updateAppendonly() throws ConfigException {
        boolean want = enabled();
        if (!want && state != State.OFF) {
            stopAppendOnly();
        } else if (want && state == State.OFF) {
            if (!startAppendOnly()) throw new ConfigException("Unable to turn on AOF. Check server logs.");
        }
    }

    /** stopAppendOnly. */
    private void stopAppendOnly() {
        killRewrite();
        // The stream's cut: nothing is fed to the writer from here on.
        exclusively(() -> {
            AofWriter w;
            synchronized (this) {
                w = writer;
            }
            if (w != null) server.journal().removeSink(w);
        });
        stopWriter();
        synchronized (this) {
            state = State.OFF;
            rewriteScheduled = false;
            lastIncrSize = 0;
        }
        // A write error no longer refuses writes once nothing is appended (writeCommandsDeniedByDiskError).
        persistence.updateWriteDenied();
    }

    /** startAppendOnly. */
    private boolean startAppendOnly() {
        boolean[] ok = {true};
        boolean inExec = server.context().callDepth() > 1;
        synchronized (this) {
            state = State.WAIT_REWRITE;
        }
        boolean busy;
        synchronized (this) {
            busy = rewriting;
        }
        if (busy) {
            Log.warning("AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF "
                    + "and starting a rewrite now.");
            killRewrite();
        }
        if (persistence.runningSnapshot() != null) {
            synchronized (this) {
                rewriteScheduled = true;
            }
            Log.warning("AOF was enabled but there is already another background operation. An AOF background was "
                    + "scheduled to start when possible.");
        } else if (inExec) {
            synchronized (this) {
                rewriteScheduled = true;
            }
            Log.warning("AOF was enabled during a transaction. An AOF background was scheduled to start when "
                    + "possible.");
        } else {
            exclusively(() -> ok[0] = startRewrite());
            if (!ok[0]) {
                synchronized (this) {
                    state = State.OFF;
                }
                Log.warning("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check "
                        + "the above logs for more info about the error.");
                return false;
            }
        }
        if (writeError != null) {
            Log.warning("AOF reopen, just ignore the last error.");
            writeError = null;
            persistence.updateWriteDenied();
        }
        return true;
    }

    // ------------------------------------------------------------ cron

    /** The AOF part of serverCron: scheduled and automatic rewrites. Runs ten times a second. */
    void cron() {
        try {
            if (persistence.loading()) return;
            boolean start = false;
            synchronized (this) {
                if (rewriting || persistence.runningSnapshot() != null) return;
                if (rewriteScheduled && !rewriteLimited()) {
                    start = true;
                } else if (state == State.ON) {
                    long perc = config.getLong("auto-aof-rewrite-percentage");
                    long min = config.getLong("auto-aof-rewrite-min-size");
                    long cur = currentSize;
                    if (perc != 0 && cur > min) {
                        long base = rewriteBaseSize == 0 ? 1 : rewriteBaseSize;
                        long growth = cur * 100 / base - 100;
                        if (growth >= perc && !rewriteLimited()) {
                            Log.notice("Starting automatic rewriting of AOF on " + growth + "% growth");
                            start = true;
                        }
                    }
                }
            }
            if (start) exclusively(this::startRewrite);
        } catch (RuntimeException e) {
            Log.warning("AOF cron: " + e);
        }
    }

    /**
     * aofRewriteLimited: after three failures in a row automatic rewrites
     * wait 1, 2, 4 ... up to 60 minutes (BGREWRITEAOF resets the count).
     */
    private boolean rewriteLimited() {
        if (consecutiveFailures < 3) {
            nextDelayMinutes = 0;
            nextRewriteSec = 0;
            return false;
        }
        long now = System.currentTimeMillis() / 1000;
        if (nextRewriteSec != 0) {
            if (now < nextRewriteSec) return true;
            nextRewriteSec = 0;
            return false;
        }
        nextDelayMinutes = nextDelayMinutes == 0 ? 1 : Math.min(60, nextDelayMinutes * 2);
        nextRewriteSec = now + nextDelayMinutes * 60L;
        Log.warning("Background AOF rewrite has repeatedly failed and triggered the limit, will retry in "
                + nextDelayMinutes + " minutes");
        return true;
    }

    void startCron() {
        server.workers().next().scheduleAtFixedRate(this::cron, 100, 100, TimeUnit.MILLISECONDS);
        server.addShutdownHook(this::close);
    }

    // ------------------------------------------------------------ shutdown, DEBUG LOADAOF

    /**
     * The AOF part of prepareForShutdown: a rewrite is stopped (but not the
     * one creating the first BASE after CONFIG SET appendonly yes, unless
     * forced), and everything buffered is written and fsynced. False: the
     * server must not exit.
     */
    public boolean beforeShutdown(boolean force) {
        boolean busy;
        State s;
        synchronized (this) {
            busy = rewriting;
            s = state;
        }
        if (busy) {
            if (s == State.WAIT_REWRITE) {
                if (!force) {
                    Log.warning("Writing initial AOF, can't exit.");
                    return false;
                }
                Log.warning("Writing initial AOF. Exit anyway.");
            }
            Log.warning("There is a child rewriting the AOF. Killing it!");
            killRewrite();
        }
        if (s != State.OFF) {
            Log.notice("Calling fsync() on the AOF file.");
            AofWriter w;
            synchronized (this) {
                w = writer;
            }
            if (w != null) w.flushAndSync();
        }
        return true;
    }

    /** The server stops: the writer finishes what it has and closes the file. */
    public void close() {
        stopWriter();
    }

    /**
     * DEBUG LOADAOF: writes what is buffered, empties the keyspace and loads
     * the AOF again. The caller holds the keyspace exclusively. Returns false
     * if the AOF could not be loaded (Redis exits then).
     */
    public boolean debugLoadAof() {
        AofWriter w;
        synchronized (this) {
            w = writer;
        }
        if (w != null) w.flushAndSync();
        // emptyData: keys and function libraries (the AOF holds both).
        for (int i = 0; i < keyspace.databases(); i++) {
            keyspace.db(i).clear();
            server.flushed(keyspace.db(i));
        }
        persistence.functions().clear();
        synchronized (this) {
            Path mf = dir().resolve(AofManifest.manifestName(fileName()));
            if (Files.exists(mf)) {
                try {
                    manifest = AofManifest.read(mf);
                } catch (IOException | AofManifest.Invalid e) {
                    Log.warning("Can't read the AOF manifest: " + e.getMessage());
                    return false;
                }
            }
        }
        deleteHistoryFiles();
        AofLoader loader = new AofLoader(server, dir(), fileName(), null);
        AofManifest am;
        synchronized (this) {
            am = manifest;
        }
        persistence.beginLoading(0);
        try {
            AofLoader.Status st = loader.loadAll(am);
            if (st != AofLoader.Status.OK && st != AofLoader.Status.EMPTY && st != AofLoader.Status.NOT_EXIST
                    && st != AofLoader.Status.TRUNCATED) {
                return false;
            }
        } finally {
            persistence.endLoading();
        }
        return true;
    }

    /** DEBUG AOF-FLUSH-SLEEP: the writer sleeps this long before each write (tests). */
    public void setFlushSleep(long micros) {
        flushSleepMicros = micros;
        AofWriter w;
        synchronized (this) {
            w = writer;
        }
        if (w != null) w.setFlushSleep(micros);
    }

    private volatile long flushSleepMicros;

    // ------------------------------------------------------------ INFO

    /** MISCONF for AOF write errors (DISK_ERROR_TYPE_AOF), or null. */
    String writeDeniedError() {
        String e = writeError;
        return e == null || state == State.OFF ? null : "MISCONF Errors writing to the AOF file: " + e;
    }

    /** The fields INFO persistence shows only with appendonly yes. */
    private String infoFields() {
        if (!enabled()) return "";
        AofWriter w;
        synchronized (this) {
            w = writer;
        }
        StringBuilder b = new StringBuilder();
        b.append("aof_current_size:").append(currentSize).append("\r\n");
        b.append("aof_base_size:").append(rewriteBaseSize).append("\r\n");
        b.append("aof_pending_rewrite:").append(rewriteScheduled() ? 1 : 0).append("\r\n");
        b.append("aof_buffer_length:").append(w == null ? 0 : w.buffered()).append("\r\n");
        b.append("aof_pending_bio_fsync:").append(w == null ? 0 : w.pendingFsyncs()).append("\r\n");
        b.append("aof_delayed_fsync:").append(0).append("\r\n");
        return b.toString();
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
