package io.larder.journal;

import io.larder.command.CommandContext;
import io.larder.store.Database;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The ordered stream of writes (Redis's propagate / alsoPropagate /
 * propagatePendingCommands): what the AOF appends and what replicas will
 * receive. Families never write to it; they only say how their command is to
 * be propagated when it differs from what the client sent (through
 * {@link CommandContext}: {@code propagateAs}, {@code propagateArg},
 * {@code alsoPropagate}, {@code preventPropagation}).
 *
 * <p>How a write gets here:
 * <ul>
 *   <li>The dispatcher calls {@link #commandDone} after every call, while the
 *   call's stripe locks (or the exclusive gate) are still held. A call that
 *   changed something (dirty &gt; 0) adds its vector, rewritten or as
 *   received, to its thread's {@link PendingWrites}; EXEC is never added
 *   itself.</li>
 *   <li>At the outermost call the pending entries are fed to the sinks under
 *   one lock, wrapped in MULTI/EXEC when there is more than one (a
 *   transaction, a script, a lazily expired key before the write that found
 *   it), as Redis 7.0 does.</li>
 *   <li>Keys the keyspace removes by itself (expiry, eviction) become DEL
 *   through {@link #keyDeleted}: pending within a command, fed at once
 *   otherwise.</li>
 * </ul>
 * Because entries are fed before the locks are released, two writes to one
 * key reach the sinks in the order they happened; writes to different keys
 * commute, so their relative order does not matter. Every sink sees the same
 * sequence, and the exclusive gate is a clean cut in it (nothing is fed while
 * it is held by someone else), which is what an AOF rewrite or a replica's
 * full sync starts from.
 */
public final class Journal {
    /** Where a propagated command goes (Redis's PROPAGATE_AOF, PROPAGATE_REPL). */
    public static final int AOF = 1, REPLICAS = 2, ALL = AOF | REPLICAS;

    /** Receives the stream. Called under the journal's lock, in order. */
    public interface Sink {
        /** One command, RESP-encoded in {@code buf[off, off+len)}, to run in database {@code db}. */
        void feed(int db, byte[] buf, int off, int len);

        /** Which commands it takes: {@link #AOF} or {@link #REPLICAS}. */
        int kind();
    }

    private static final Sink[] NONE = new Sink[0];
    private static final byte[] DEL = "DEL".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UNLINK = "UNLINK".getBytes(StandardCharsets.US_ASCII);

    private volatile Sink[] sinks = NONE;
    private final Object order = new Object();
    private volatile boolean lazyExpire;

    /**
     * Whether anything consumes the stream. Sinks come and go only while the
     * keyspace is held exclusively, so the answer cannot change while a
     * command runs.
     */
    public boolean active() {
        return sinks.length != 0;
    }

    /** Adds a sink. Call with the keyspace held exclusively: it receives everything after this instant. */
    public synchronized void addSink(Sink s) {
        Sink[] n = Arrays.copyOf(sinks, sinks.length + 1);
        n[n.length - 1] = s;
        sinks = n;
        kinds = kindsOf(n);
    }

    private volatile int kinds;

    private static int kindsOf(Sink[] s) {
        int k = 0;
        for (Sink x : s) k |= x.kind();
        return k;
    }

    /**
     * Whether a command for {@code targets} goes anywhere (Redis's
     * shouldPropagate): one meant only for replicas is not even recorded
     * without replicas, so it does not count towards a MULTI/EXEC either.
     */
    public boolean wanted(int targets) {
        return (targets & kinds) != 0;
    }

    public synchronized void removeSink(Sink s) {
        Sink[] cur = sinks;
        int i = Arrays.asList(cur).indexOf(s);
        if (i < 0) return;
        Sink[] n = new Sink[cur.length - 1];
        System.arraycopy(cur, 0, n, 0, i);
        System.arraycopy(cur, i + 1, n, i, cur.length - i - 1);
        sinks = n.length == 0 ? NONE : n;
        kinds = kindsOf(sinks);
    }

    /** lazyfree-lazy-expire: expired keys are propagated as UNLINK instead of DEL. */
    public void setLazyExpire(boolean on) {
        lazyExpire = on;
    }

    /**
     * A call ended (its handler returned or threw), its locks still held:
     * records what it propagates, and at the outermost call feeds everything
     * pending to the sinks.
     */
    public void commandDone(CommandContext c) {
        PendingWrites p = c.pending();
        int d = c.callDepth();
        try {
            if (!p.prevented(d) && (c.dirtyCount() > 0 || p.forced(d)) && wanted(p.targets())
                    && !c.command().fullName.equals("exec")) {
                byte[][] v = p.vector(d);
                int db = c.client().db();
                if (v != null) p.add(db, v);
                else p.add(db, c.args());
            }
        } finally {
            p.resetCall(d);
        }
        if (d <= 1 && !p.serving) flush(c);
    }

    /**
     * A blocked client's command is about to be served on this thread
     * (Redis's serveClientsBlockedOn*): its writes are collected until
     * {@link #servedDone}.
     */
    public void serving(CommandContext c) {
        PendingWrites p = c.pending();
        p.resetCall(c.callDepth());
        p.serving = true;
    }

    /** The served command is done (its locks still held): its writes are fed now. */
    public void servedDone(CommandContext c) {
        PendingWrites p = c.pending();
        p.serving = false;
        commandDone(c);
    }

    /**
     * The keyspace removed a key because it expired (eviction: the overload
     * below): Redis's propagateDeletion. Inside a command it is pending with the command's
     * own writes (so it is written before them, in one MULTI/EXEC); found by
     * the active expiry cycle, or by a command that holds only the stripe it
     * is iterating (SCAN, RANDOMKEY), it is fed at once, before that stripe is
     * released.
     */
    public void keyDeleted(CommandContext c, Database db, byte[] key) {
        keyDeleted(c, db, key, lazyExpire);
    }

    /**
     * {@link #keyDeleted} with the command to propagate chosen by the caller:
     * UNLINK when its lazyfree parameter says so (lazyfree-lazy-eviction for
     * an evicted key), else DEL. Call with the key's stripe locked.
     */
    public void keyDeleted(CommandContext c, Database db, byte[] key, boolean unlink) {
        if (!active()) return;
        PendingWrites p = c.pending();
        // Expired keys are propagated everywhere, even from a script that said otherwise (replication_allowed).
        int t = p.targets();
        p.setTargets(ALL);
        p.add(db.id, unlink ? UNLINK : DEL, key);
        p.setTargets(t);
        if ((c.callDepth() == 0 && !p.serving) || c.iterating()) flush(c);
    }

    /** Feeds what is pending on this thread to the sinks (wrapped in MULTI/EXEC if more than one). */
    public void flush(CommandContext c) {
        PendingWrites p = c.pending();
        int n = p.count();
        if (n == 0) return;
        Sink[] s = sinks;
        if (s.length != 0) {
            byte[] buf = p.buffer();
            synchronized (order) {
                boolean wrap = n > 1;
                // MULTI takes the first command's database, so a SELECT goes before it; EXEC the last one's.
                // Both go everywhere, even where a script's redis.set_repl sent none of what is between.
                if (wrap) feed(s, ALL, p.db(0), Resp.MULTI, 0, Resp.MULTI.length);
                for (int i = 0; i < n; i++) {
                    int from = p.start(i);
                    feed(s, p.targets(i), p.db(i), buf, from, p.end(i) - from);
                }
                if (wrap) feed(s, ALL, p.db(n - 1), Resp.EXEC, 0, Resp.EXEC.length);
            }
        }
        p.clear();
    }

    private static void feed(Sink[] s, int targets, int db, byte[] buf, int off, int len) {
        for (Sink k : s) {
            if ((k.kind() & targets) != 0) k.feed(db, buf, off, len);
        }
    }
}
