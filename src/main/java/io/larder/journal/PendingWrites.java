package io.larder.journal;

import io.larder.protocol.Args;
import java.util.Arrays;

/**
 * What one worker thread's current command (or transaction, or script) is
 * going to propagate: Redis's {@code server.also_propagate}, plus, per call
 * depth, how the call asked to be propagated (Redis's
 * rewriteClientCommandVector, rewriteClientCommandArgument,
 * preventCommandPropagation). Each entry is encoded in RESP as soon as it is
 * added, so nothing refers to a query buffer or a script's arguments once the
 * call returns; the buffers are reused, so a warm thread allocates nothing.
 *
 * <p>Per depth because calls nest (EXEC runs its queue, a script runs
 * redis.call): a nested call's rewrite must not touch its caller's.
 */
public final class PendingWrites {
    private byte[] buf = new byte[512];
    private int len;
    private int[] dbs = new int[8];
    private int[] ends = new int[8];
    private int[] targetsOf = new int[8];
    private int count;
    /** Where entries added now go (Journal.AOF | Journal.REPLICAS; a script's redis.set_repl narrows it). */
    private int targets = Journal.ALL;

    /** Per call depth: the vector to propagate instead of the arguments (null: as received). */
    private byte[][][] vectors = new byte[4][][];
    /** Per call depth: the call itself is not propagated (what it added with {@link #add} still is). */
    private boolean[] prevented = new boolean[4];
    /** Per call depth: propagated even though it changed nothing (FLUSHALL on an empty server). */
    private boolean[] forced = new boolean[4];
    /** Set while a blocked client's command is served: its writes are flushed after it, not one by one. */
    boolean serving;

    // ------------------------------------------------------------ the call's own propagation

    private void ensureDepth(int d) {
        if (d >= vectors.length) {
            int n = Math.max(d + 1, vectors.length * 2);
            vectors = Arrays.copyOf(vectors, n);
            prevented = Arrays.copyOf(prevented, n);
            forced = Arrays.copyOf(forced, n);
        }
    }

    /** rewriteClientCommandVector: the call at depth {@code d} is propagated as {@code argv}. */
    public void rewrite(int d, byte[][] argv) {
        ensureDepth(d);
        vectors[d] = argv;
    }

    /** The vector the call at depth {@code d} asked to be propagated as, or null. */
    public byte[][] vector(int d) {
        return d < vectors.length ? vectors[d] : null;
    }

    public void prevent(int d) {
        ensureDepth(d);
        prevented[d] = true;
    }

    public boolean prevented(int d) {
        return d < prevented.length && prevented[d];
    }

    public void force(int d) {
        ensureDepth(d);
        forced[d] = true;
    }

    public boolean forced(int d) {
        return d < forced.length && forced[d];
    }

    /** Forgets how the call at depth {@code d} asked to be propagated (a new call starts there). */
    public void resetCall(int d) {
        if (d < vectors.length) {
            vectors[d] = null;
            prevented[d] = false;
            forced[d] = false;
        }
    }

    // ------------------------------------------------------------ entries

    public int count() {
        return count;
    }

    public int db(int i) {
        return dbs[i];
    }

    /** Where entry i goes (Journal.AOF, Journal.REPLICAS). */
    public int targets(int i) {
        return targetsOf[i];
    }

    /** redis.set_repl: where what is added from now on goes; Journal.ALL again when the script ends. */
    public void setTargets(int t) {
        targets = t;
    }

    public int targets() {
        return targets;
    }

    public int start(int i) {
        return i == 0 ? 0 : ends[i - 1];
    }

    public int end(int i) {
        return ends[i];
    }

    /** The encoded entries, back to back. */
    public byte[] buffer() {
        return buf;
    }

    public void clear() {
        len = 0;
        count = 0;
    }

    /** Adds a command for database {@code db}, as the client sent it. */
    public void add(int db, Args a) {
        int n = a.count();
        long total = 16;
        for (int i = 0; i < n; i++) total += a.len(i) + 16;
        reserve(total);
        header('*', n);
        byte[] src = a.buf();
        for (int i = 0; i < n; i++) bulk(src, a.off(i), a.len(i));
        finish(db);
    }

    /** Adds a command for database {@code db}. */
    public void add(int db, byte[]... argv) {
        long total = 16;
        for (byte[] b : argv) total += b.length + 16;
        reserve(total);
        header('*', argv.length);
        for (byte[] b : argv) bulk(b, 0, b.length);
        finish(db);
    }

    private void finish(int db) {
        if (count == dbs.length) {
            dbs = Arrays.copyOf(dbs, count * 2);
            ends = Arrays.copyOf(ends, count * 2);
            targetsOf = Arrays.copyOf(targetsOf, count * 2);
        }
        dbs[count] = db;
        ends[count] = len;
        targetsOf[count] = targets;
        count++;
    }

    private void reserve(long extra) {
        long need = len + extra;
        if (need > buf.length) {
            if (need > Integer.MAX_VALUE - 16) throw new OutOfMemoryError("propagated command too large");
            buf = Arrays.copyOf(buf, (int) Math.max(need, Math.min(Integer.MAX_VALUE - 16, buf.length * 2L)));
        }
    }

    private void header(char type, long n) {
        buf[len++] = (byte) type;
        len = Resp.writeLong(buf, len, n);
        buf[len++] = '\r';
        buf[len++] = '\n';
    }

    private void bulk(byte[] src, int off, int n) {
        header('$', n);
        System.arraycopy(src, off, buf, len, n);
        len += n;
        buf[len++] = '\r';
        buf[len++] = '\n';
    }
}
