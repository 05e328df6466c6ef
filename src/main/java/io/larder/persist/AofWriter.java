package io.larder.persist;

import io.larder.journal.Journal;
import io.larder.journal.Resp;
import io.larder.server.Client;
import io.larder.server.LarderServer;
import io.larder.server.Log;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The AOF's buffer and the threads that write it: Redis's {@code aof_buf},
 * feedAppendOnlyFile and flushAppendOnlyFile, with the bio thread that
 * fsyncs in the background.
 *
 * <p>Commands arrive from the journal (any worker thread, under the
 * journal's lock) and are appended to a buffer with the SELECT and
 * {@code #TS:} annotations Redis adds. Replies wait for the AOF (see
 * {@link #mayFlush}), and as appendfsync says:
 * <ul>
 *   <li><b>always</b>: a thread of its own takes the whole buffer, writes it
 *   with one write(2) and fdatasyncs, then releases the replies that waited
 *   for it. While it syncs, commands keep arriving and go out together in
 *   the next round: a group commit, one fsync for every client that wrote
 *   meanwhile, never one per command and never under a lock commands
 *   need.</li>
 *   <li><b>everysec</b> and <b>no</b>: each event loop writes the buffer
 *   once per round, after executing that round's requests and before
 *   sending their replies (Redis's beforeSleep); the writer thread comes by
 *   every 20 ms for what no reply waits for and, with everysec, has the fsync
 *   thread sync once a second (also when nothing new came).</li>
 * </ul>
 * Positions are bytes of the stream of writes, continuing from the previous
 * writer: an AOF rewrite switches to a new file at one position
 * ({@link #rotate}), and what was appended before it goes to the old file.
 */
final class AofWriter implements Journal.Sink, LarderServer.ReplyGate {
    enum Fsync { ALWAYS, EVERYSEC, NO }

    /** A filled buffer bound for a file that is no longer the current one. */
    private record Chunk(FileChannel target, byte[] data, int len, long end) {}

    /** What the owner learns from the writer. */
    interface Events {
        /** Bytes were written to the current INCR file (for aof_current_size). */
        void written(long bytes);

        /** The write status changed: null when writing works, else the reason (strerror). */
        void writeStatus(String error);
    }

    private static final int INITIAL = 64 * 1024;

    private final Events events;
    private final Thread thread;
    private final ExecutorService bio;
    private final AtomicInteger pendingFsyncs = new AtomicInteger();

    // Guarded by this: appenders (under the journal's lock) and the writer thread.
    private byte[] buf = new byte[INITIAL];
    private int len;
    private byte[] spare = new byte[INITIAL];
    private FileChannel target;
    private final ArrayDeque<Chunk> sealed = new ArrayDeque<>();
    private int selectedDb = -1;
    private long timestampSec;
    private boolean timestamps;
    private boolean waiting;
    private volatile boolean closing;
    /** Bytes handed to this writer so far (a stream position). */
    private volatile long appended;

    // The writer thread's.
    private volatile long written;
    private volatile long synced;
    private volatile Fsync policy;
    private volatile boolean skipFsync;
    private long lastFsyncSec;
    /** Size of the current file when its last write succeeded (a failed write is cut back to it). */
    private long fileSize;
    private volatile String writeError;
    private long lastErrorLogSec;
    private volatile boolean closed;

    /**
     * {@code start}: the stream position to count from, where the previous
     * writer stopped, so that positions replies wait for only grow.
     */
    AofWriter(FileChannel target, long fileSize, Fsync policy, boolean timestamps, Events events, long start) {
        this.appended = start;
        this.written = start;
        this.synced = start;
        this.target = target;
        this.fileSize = fileSize;
        this.policy = policy;
        this.timestamps = timestamps;
        this.events = events;
        this.lastFsyncSec = System.currentTimeMillis() / 1000;
        this.bio = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "larder-aof-fsync");
            t.setDaemon(true);
            return t;
        });
        this.thread = new Thread(this::run, "larder-aof");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    // ------------------------------------------------------------ appending (journal order)

    @Override
    public int kind() {
        return Journal.AOF;
    }

    @Override
    public synchronized void feed(int db, byte[] src, int off, int n) {
        if (closing) return;
        if (timestamps) {
            long now = System.currentTimeMillis() / 1000;
            if (now > timestampSec) {
                timestampSec = now;
                append(("#TS:" + now + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
        if (db != selectedDb) {
            selectedDb = db;
            byte[] d = Resp.number(db);
            byte[] sel = ("*2\r\n$6\r\nSELECT\r\n$" + d.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
            append(sel);
            append(d);
            append(CRLF);
        }
        reserve(n);
        System.arraycopy(src, off, buf, len, n);
        len += n;
        appended += n;
        // With always the writer thread is the one that writes (and fsyncs) as soon as it can; otherwise
        // the replying loops write, and it only picks up what no reply waits for, now and then.
        if (waiting && policy == Fsync.ALWAYS) {
            waiting = false;
            notifyAll();
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};

    private void append(byte[] b) {
        reserve(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        appended += b.length;
    }

    private void reserve(int n) {
        if (len + n > buf.length) {
            long cap = Math.max((long) len + n, buf.length * 2L);
            if (cap > Integer.MAX_VALUE - 16) throw new OutOfMemoryError("AOF buffer too large");
            buf = java.util.Arrays.copyOf(buf, (int) cap);
        }
    }

    /**
     * Continues in {@code next} from this point of the stream (an AOF
     * rewrite opened a new INCR file). The caller holds the keyspace
     * exclusively, so no command is half fed. The next command is preceded
     * by a SELECT, as Redis's aof_selected_db = -1.
     */
    synchronized void rotate(FileChannel next, long nextSize) {
        if (len > 0) {
            sealed.add(new Chunk(target, buf, len, appended));
            buf = new byte[INITIAL];
            len = 0;
        } else {
            sealed.add(new Chunk(target, null, 0, appended));
        }
        target = next;
        selectedDb = -1;
        pendingFileSize = nextSize;
        notifyAll();
    }

    /** Size of the file rotated to, applied by the writer when it switches. */
    private long pendingFileSize;

    synchronized void setTimestamps(boolean on) {
        timestamps = on;
    }

    /** Bytes appended but not written yet (INFO aof_buffer_length). */
    synchronized long buffered() {
        return appended - written;
    }

    void setPolicy(Fsync p) {
        policy = p;
        synchronized (this) {
            notifyAll();
        }
    }

    /** no-appendfsync-on-rewrite while a rewrite runs: write, but do not fsync. */
    void setSkipFsync(boolean skip) {
        skipFsync = skip;
    }

    void setFlushSleep(long micros) {
        flushSleepMicros = micros;
    }

    private volatile long flushSleepMicros;

    int pendingFsyncs() {
        return pendingFsyncs.get();
    }

    String writeError() {
        return writeError;
    }

    // ------------------------------------------------------------ replies waiting for fsync

    @Override
    public long position() {
        return appended;
    }

    /**
     * Replies that wait for the AOF, per event loop: flushed together once
     * what they depend on is in the file (Redis sends every reply of a loop
     * iteration after its beforeSleep wrote the AOF buffer once).
     */
    private final class LoopQueue {
        final io.netty.channel.EventLoop loop;
        Client[] clients = new Client[16];
        long[] positions = new long[16];
        int size;
        boolean scheduled;
        /** The tasks the loop runs: write the buffer then flush (everysec, no), or flush only (always). */
        final Runnable writeAndDrain = () -> {
            writeSome();
            drain(this);
        };
        final Runnable drainOnly = () -> drain(this);

        LoopQueue(io.netty.channel.EventLoop loop) {
            this.loop = loop;
        }

        /** Caller holds this. */
        void add(Client c, long position) {
            if (size == clients.length) {
                clients = java.util.Arrays.copyOf(clients, size * 2);
                positions = java.util.Arrays.copyOf(positions, size * 2);
            }
            clients[size] = c;
            positions[size] = position;
            size++;
        }

        /** Caller holds this. */
        long maxPosition() {
            long m = 0;
            for (int i = 0; i < size; i++) m = Math.max(m, positions[i]);
            return m;
        }
    }

    private final Map<io.netty.channel.EventLoop, LoopQueue> queues = new ConcurrentHashMap<>();

    /**
     * A reply may leave once what it depends on is in the file: written, and
     * with appendfsync always fsynced. Otherwise the client joins its loop's
     * queue and is flushed later: with always when the writer thread has
     * synced far enough (one fsync covers every client that wrote
     * meanwhile); otherwise by a task that runs once the loop has read and
     * executed this round's requests, writes the buffer with one write(2)
     * and flushes the round's replies (Redis's beforeSleep). A killed
     * process therefore loses no acknowledged write, whatever appendfsync
     * says.
     */
    @Override
    public boolean mayFlush(Client c, long position) {
        // A position beyond this writer's stream belongs to a writer stopped before it, which wrote and
        // fsynced everything as it closed.
        long a = appended;
        if (position > a) position = a;
        boolean always = policy == Fsync.ALWAYS;
        if (position <= (always ? synced : written) || closing) return true;
        // Writes are failing (and refused meanwhile): without always Redis answers all the same.
        if (!always && writeError != null) return true;
        io.netty.channel.EventLoop loop;
        try {
            loop = c.eventLoop();
        } catch (RuntimeException e) {
            return true;
        }
        if (!loop.inEventLoop()) {
            // Not on the client's loop (rare): wait here for what is needed.
            if (!always) writeSome();
            else awaitSynced(position);
            return true;
        }
        LoopQueue q = queues.get(loop);
        if (q == null) q = queues.computeIfAbsent(loop, LoopQueue::new);
        boolean schedule;
        synchronized (q) {
            q.add(c, position);
            // always: the writer may have synced past it (and looked at the queues) since the check above.
            schedule = !q.scheduled && (!always || position <= synced);
            if (schedule) q.scheduled = true;
        }
        if (schedule) {
            loop.execute(always ? q.drainOnly : q.writeAndDrain);
        } else if (always && position <= written) {
            // Written already: the writer may be idle, with only an fsync left to do for this reply.
            synchronized (this) {
                if (waiting) notifyAll();
            }
        }
        return false;
    }

    /** On the queue's loop: flushes the clients whose replies may go now; the others keep waiting. */
    private void drain(LoopQueue q) {
        if (policy != Fsync.ALWAYS) {
            // Waiting for the write only (the policy may have changed since they queued): write now.
            long max;
            synchronized (q) {
                max = q.maxPosition();
            }
            if (max > written) writeSome();
        }
        // Without always, the write was attempted: the replies go, even if it failed (the error refuses the
        // next writes), as Redis answers after a failed write in everysec mode.
        long durable = policy == Fsync.ALWAYS ? synced : Long.MAX_VALUE;
        Client[] ready;
        int n = 0;
        synchronized (q) {
            q.scheduled = false;
            ready = new Client[q.size];
            int keep = 0;
            for (int i = 0; i < q.size; i++) {
                Client c = q.clients[i];
                long pos = q.positions[i];
                q.clients[i] = null;
                if (pos <= durable || closing) {
                    ready[n++] = c;
                } else {
                    q.clients[keep] = c;
                    q.positions[keep] = pos;
                    keep++;
                }
            }
            q.size = keep;
        }
        for (int i = 0; i < n; i++) ready[i].flush();
    }

    /** After an fsync (always): each loop with a client that may go now gets one task that flushes them. */
    private void releaseWaiters() {
        long s = synced;
        for (LoopQueue q : queues.values()) {
            boolean schedule = false;
            synchronized (q) {
                if (q.scheduled || q.size == 0) continue;
                for (int i = 0; i < q.size; i++) {
                    if (q.positions[i] <= s) {
                        schedule = true;
                        break;
                    }
                }
                if (schedule) q.scheduled = true;
            }
            if (schedule) submit(q);
        }
    }

    private void submit(LoopQueue q) {
        try {
            q.loop.execute(q.drainOnly);
        } catch (RuntimeException e) {
            // The loop is shutting down: nothing to deliver.
        }
    }

    /** Releases every waiting reply (the gate is going: AOF off, or no longer "always"). */
    void releaseAll() {
        for (LoopQueue q : queues.values()) {
            synchronized (q) {
                if (q.size == 0) continue;
                q.scheduled = true;
            }
            submit(q);
        }
    }

    /** Waits (off any event loop) until the writer thread has synced up to {@code position}. */
    private void awaitSynced(long position) {
        while (synced < position && !closed) {
            synchronized (this) {
                if (waiting) notifyAll();
            }
            java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
    }

    // ------------------------------------------------------------ the writer thread

    private void run() {
        while (true) {
            synchronized (this) {
                if (policy == Fsync.ALWAYS) {
                    // Writes and fsyncs as soon as there is anything: the replies wait for it.
                    while (len == 0 && sealed.isEmpty() && !closing && !fsyncDue() && policy == Fsync.ALWAYS) {
                        waitHere(1000);
                    }
                } else if (!closing) {
                    // The replying loops write what replies wait for; this thread comes by now and then
                    // for the rest, and for everysec's fsync.
                    waitHere(waitMillis());
                }
                waiting = false;
                if (closing && len == 0 && sealed.isEmpty()) break;
            }
            FileChannel ch = writeSome();
            // Stopping with a write that keeps failing: what could not be written is given up.
            if (writeError != null && closing) break;
            if (writeError != null) {
                // A failed write is tried again a second later (Redis retries from its cron).
                synchronized (this) {
                    try {
                        wait(1000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        closing = true;
                    }
                }
                continue;
            }
            sync(ch);
        }
        // Closing: everything is written; make it durable.
        try {
            FileChannel ch = target;
            if (ch != null && ch.isOpen()) {
                ch.force(false);
                synced = written;
            }
        } catch (IOException e) {
            Log.warning("Fail to fsync the AOF file: " + RdbFile.reason(e));
        }
        releaseWaiters();
        closed = true;
        synchronized (this) {
            notifyAll();
        }
    }

    /**
     * Takes everything appended so far and writes it (what went to files an
     * AOF rewrite rotated away from first, then the current file). The
     * writer thread and event loops writing before their replies
     * (appendfsync everysec/no) take turns through {@link #io}. Returns the
     * current file.
     */
    private FileChannel writeSome() {
        io.lock();
        try {
            Chunk[] before;
            FileChannel ch;
            byte[] data = null;
            int n;
            long end;
            long fileSizeAfterRotate = -1;
            synchronized (this) {
                before = sealed.isEmpty() ? null : sealed.toArray(new Chunk[0]);
                sealed.clear();
                if (before != null) fileSizeAfterRotate = pendingFileSize;
                ch = target;
                n = len;
                end = appended;
                if (n > 0) {
                    data = buf;
                    buf = spare != null ? spare : new byte[INITIAL];
                    spare = null;
                    len = 0;
                }
            }
            if (before != null) {
                for (int i = 0; i < before.length; i++) {
                    Chunk k = before[i];
                    if (k.len > 0 && !writeFully(k.target, k.data, k.len, k.end)) {
                        // Kept, with what came after it, for the next attempt.
                        synchronized (this) {
                            for (int j = before.length - 1; j >= i; j--) sealed.addFirst(before[j]);
                            if (n > 0) putBack(data, n);
                        }
                        return ch;
                    }
                    // The old INCR file is complete: fsync and close it in the background
                    // (aof_background_fsync_and_close).
                    FileChannel old = k.target;
                    if (old != null && old != ch) {
                        pendingFsyncs.incrementAndGet();
                        bio.execute(() -> {
                            try {
                                old.force(false);
                            } catch (IOException e) {
                                Log.warning("Fail to fsync the AOF file: " + RdbFile.reason(e));
                            } finally {
                                closeQuietly(old);
                                pendingFsyncs.decrementAndGet();
                            }
                        });
                    }
                }
                fileSize = fileSizeAfterRotate;
            }
            if (n > 0) {
                long sleep = flushSleepMicros;
                if (sleep > 0) java.util.concurrent.locks.LockSupport.parkNanos(sleep * 1000);
                boolean ok = writeFully(ch, data, n, end);
                synchronized (this) {
                    if (!ok) {
                        putBack(data, n);
                    } else if (spare == null && data.length <= 4 * INITIAL) {
                        // Keep one spare buffer, not an ever larger one.
                        spare = data;
                    }
                }
            }
            return ch;
        } finally {
            io.unlock();
        }
    }

    /** Bytes that could not be written go back before what was appended since. Caller holds this. */
    private void putBack(byte[] data, int n) {
        byte[] merged = new byte[Math.max(INITIAL, n + len)];
        System.arraycopy(data, 0, merged, 0, n);
        System.arraycopy(buf, 0, merged, n, len);
        buf = merged;
        len += n;
    }

    /** Serialises writing the files: the writer thread, and event loops writing before replying. */
    private final java.util.concurrent.locks.ReentrantLock io = new java.util.concurrent.locks.ReentrantLock();

    /** Caller holds this. */
    private void waitHere(long ms) {
        waiting = true;
        try {
            wait(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing = true;
        }
    }

    private long waitMillis() {
        if (policy == Fsync.ALWAYS) return 1000;
        // Writes no reply waits for (active expiry's DELs) are picked up within this.
        long wait = 20;
        // everysec: wake up for the next second's fsync of what was written but not synced.
        if (policy == Fsync.EVERYSEC && synced < written) {
            long now = System.currentTimeMillis();
            wait = Math.min(wait, Math.max(1, 1000 - now % 1000));
        }
        return wait;
    }

    /** flushAppendOnlyFile's fsync with nothing new to write: everysec syncs the last second's writes. */
    private boolean fsyncDue() {
        // always: something written is not synced yet (the policy was just switched to always).
        if (policy == Fsync.ALWAYS) return synced < written;
        return policy == Fsync.EVERYSEC && synced < written && System.currentTimeMillis() / 1000 > lastFsyncSec
                && pendingFsyncs.get() == 0;
    }

    /**
     * aofWrite. On failure a short write is cut back with ftruncate, so the
     * file never ends in half a command, and false is returned: the caller
     * keeps the bytes for the next attempt (the writer thread retries once a
     * second; writes are refused with -MISCONF meanwhile). With appendfsync
     * always the server exits instead, as Redis does: a reply may already
     * have been promised.
     */
    private boolean writeFully(FileChannel ch, byte[] data, int n, long end) {
        try {
            ByteBuffer bb = ByteBuffer.wrap(data, 0, n);
            while (bb.hasRemaining()) ch.write(bb);
            fileSize += n;
            written = end;
            events.written(n);
            if (writeError != null) {
                Log.warning("AOF write error looks solved, Redis can write again.");
                writeError = null;
                events.writeStatus(null);
            }
            return true;
        } catch (IOException e) {
            String reason = RdbFile.reason(e);
            long nowSec = System.currentTimeMillis() / 1000;
            if (nowSec - lastErrorLogSec > 30) {
                lastErrorLogSec = nowSec;
                Log.warning("Error writing to the AOF file: " + reason);
            }
            try {
                ch.truncate(fileSize);
                ch.position(fileSize);
            } catch (IOException t) {
                Log.warning("Could not remove short write from the append-only file.  Redis may refuse to load "
                        + "the AOF the next time it starts.  ftruncate: " + RdbFile.reason(t));
            }
            if (policy == Fsync.ALWAYS) {
                Log.warning("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
                Runtime.getRuntime().halt(1);
            }
            if (writeError == null) {
                writeError = reason;
                events.writeStatus(reason);
            }
            return false;
        }
    }

    private void sync(FileChannel ch) {
        Fsync p = policy;
        if (p == Fsync.NO || written == synced) return;
        if (skipFsync) {
            // no-appendfsync-on-rewrite: Redis skips the fsync and still answers; so do the replies here.
            synced = written;
            releaseWaiters();
            return;
        }
        if (p == Fsync.ALWAYS) {
            long w = written;
            try {
                ch.force(false);
            } catch (IOException e) {
                Log.warning("Can't persist AOF for fsync error when the AOF fsync policy is 'always': "
                        + RdbFile.reason(e) + ". Exiting...");
                Runtime.getRuntime().halt(1);
            }
            lastFsyncSec = System.currentTimeMillis() / 1000;
            synced = w;
            releaseWaiters();
            return;
        }
        long nowSec = System.currentTimeMillis() / 1000;
        if (nowSec > lastFsyncSec && pendingFsyncs.get() == 0) {
            long w = written;
            lastFsyncSec = nowSec;
            pendingFsyncs.incrementAndGet();
            bio.execute(() -> {
                try {
                    ch.force(false);
                    if (w > synced) synced = w;
                } catch (IOException e) {
                    // Redis's aof_bio_fsync_status: writes are refused until an fsync succeeds again.
                    Log.warning("Fail to fsync the AOF file: " + RdbFile.reason(e));
                } finally {
                    pendingFsyncs.decrementAndGet();
                }
            });
        }
    }

    /**
     * Writes and fsyncs everything appended so far, then stops the writer and
     * closes the file (stopAppendOnly, shutdown). Returns when done.
     */
    void close() {
        synchronized (this) {
            closing = true;
            notifyAll();
            while (!closed) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        bio.shutdown();
        try {
            bio.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(target);
        releaseAll();
    }

    /** Writes everything appended so far and fsyncs it (shutdown, stopping the AOF). */
    void flushAndSync() {
        if (closed) return;
        FileChannel ch = writeSome();
        try {
            if (ch.isOpen()) ch.force(false);
            if (written > synced) synced = written;
        } catch (IOException e) {
            Log.warning("Fail to fsync the AOF file: " + RdbFile.reason(e));
        }
        releaseWaiters();
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            if (ch != null) ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
