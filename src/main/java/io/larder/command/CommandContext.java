package io.larder.command;

import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.server.Client;
import io.larder.server.LarderServer;
import io.larder.store.Database;
import io.larder.store.ExecutionGate;
import io.larder.store.Keyspace;
import io.larder.store.Lookup;
import io.larder.store.ValueType;
import io.larder.util.Numbers;
import java.util.ArrayList;
import java.util.List;

/**
 * What a command handler sees: its arguments, the client, the reply writer,
 * the selected database and a time fixed for the command's duration. One
 * context per worker thread, reused for every command it runs.
 *
 * <p>Cross-cutting effects of writes go through here, never through the
 * families directly: {@link #keyModified} (WATCH, client tracking),
 * {@link #notify} (keyspace notifications), {@link #keyReady} (blocked
 * clients) and {@link #dirty} (save points, propagation).
 */
public final class CommandContext {
    private final LarderServer server;
    private final Keyspace keyspace;
    private final ExecutionGate.Worker worker;
    private final Lookup lookup = new Lookup();
    private final io.larder.server.ThreadStats stats;

    Client client;
    Args args;
    Reply reply;
    CommandSpec command;
    long now;
    long dirty;
    /** Arguments to hide from SLOWLOG and MONITOR (passwords): bit i = argument i. */
    long redacted;
    boolean exclusive;
    /** Keys that became ready for blocked clients during this command (or transaction). */
    final List<ReadyKey> readyKeys = new ArrayList<>();
    /** Stripes a keyless iterating command holds at the moment. */
    int iterationStripe = -1;
    /** How many dispatcher calls are in progress on this context (EXEC and scripts nest them). */
    int depth;
    /** The current command blocked its client instead of replying. */
    boolean blocked;
    /** What this thread's command is going to propagate (AOF, replicas); see io.larder.journal.Journal. */
    private final io.larder.journal.PendingWrites pending = new io.larder.journal.PendingWrites();
    /**
     * An enclosing command (EXEC) holds the stripe locks of every key the
     * commands nested in it touch, so they run without locking again.
     */
    boolean keysLocked;
    /** The reply and its error count when the last call (at any depth) ended; see {@link #errorsSinceLastCall}. */
    private Reply markReply;
    private long markErrors;
    /** The state of the commands nested calls interrupted (EXEC's queue, redis.call), innermost last. */
    private Frame[] frames = new Frame[0];
    private int frameCount;

    /** What {@link #pushFrame} saves: everything {@link #begin} resets. */
    private static final class Frame {
        Client client;
        Args args;
        Reply reply;
        CommandSpec command;
        long now, dirty, redacted;
        boolean blocked;
    }

    /** A key some blocked client may now be served from. */
    public record ReadyKey(Database db, byte[] key) {}

    public CommandContext(LarderServer server, ExecutionGate.Worker worker) {
        this.server = server;
        this.keyspace = server.keyspace();
        this.worker = worker;
        this.stats = server.stats().local();
    }

    /** Prepares for one command. */
    public void begin(Client c, Args a, CommandSpec cmd, long nowMs) {
        begin(c, a, cmd, nowMs, c.reply());
    }

    /** Prepares for one command replying into {@code r}. */
    public void begin(Client c, Args a, CommandSpec cmd, long nowMs, Reply r) {
        this.client = c;
        this.args = a;
        this.reply = r;
        this.command = cmd;
        this.now = nowMs;
        this.dirty = 0;
        this.redacted = 0;
        this.blocked = false;
    }

    /**
     * Saves the running command's state before a nested call (a command of
     * EXEC's queue, redis.call) replaces it; {@link #popFrame} restores it,
     * so the outer command keeps its own arguments, reply and dirty count.
     * Frames are reused: nesting allocates nothing once warm.
     */
    public void pushFrame() {
        if (frameCount == frames.length) {
            frames = java.util.Arrays.copyOf(frames, frames.length + 4);
            for (int i = frameCount; i < frames.length; i++) frames[i] = new Frame();
        }
        Frame f = frames[frameCount++];
        f.client = client;
        f.args = args;
        f.reply = reply;
        f.command = command;
        f.now = now;
        f.dirty = dirty;
        f.redacted = redacted;
        f.blocked = blocked;
    }

    public void popFrame() {
        Frame f = frames[--frameCount];
        client = f.client;
        args = f.args;
        reply = f.reply;
        command = f.command;
        now = f.now;
        dirty = f.dirty;
        redacted = f.redacted;
        blocked = f.blocked;
        f.client = null;
        f.args = null;
        f.reply = null;
    }

    /**
     * Whether the current command failed, the way Redis counts failed_calls:
     * by the error replies written since the last call at any depth ended, so
     * EXEC is not failed by the errors of the commands it ran, only by its
     * own. {@code before} is the reply's error count when the command began.
     */
    public boolean errorsSinceLastCall(Reply r, long before) {
        long base = markReply == r ? Math.max(before, markErrors) : before;
        boolean failed = r.errorCount() != base;
        markReply = r;
        markErrors = r.errorCount();
        return failed;
    }

    /** Whether an enclosing command holds the locks of every key nested commands touch (see EXEC). */
    public boolean keysLocked() {
        return keysLocked;
    }

    public void setKeysLocked(boolean held) {
        keysLocked = held;
    }

    /** The dispatcher entered a call; returns the new depth (1 for a client's own command). */
    public int enterCall() {
        return ++depth;
    }

    /** The dispatcher left a call; returns the remaining depth (0: the outermost command is done). */
    public int exitCall() {
        return --depth;
    }

    /** 1 while a client's own command runs, more inside EXEC or a script. */
    public int callDepth() {
        return depth;
    }

    /** The handler blocked the client (BlockingController.block): no reply, no statistics yet. */
    public void markBlocked() {
        blocked = true;
    }

    public boolean blocked() {
        return blocked;
    }

    /**
     * Runs {@code body} as if {@code as} were executing {@code cmd} with
     * {@code a}, replying into {@code r}, then restores the current command's
     * state. Used to serve blocked clients from another client's thread: the
     * blocked command continues with its own client, arguments, database and
     * reply buffer, and its own dirty count.
     */
    public void runAs(Client as, Args a, CommandSpec cmd, Reply r, Runnable body) {
        Client c0 = client;
        Args a0 = args;
        Reply r0 = reply;
        CommandSpec s0 = command;
        long n0 = now;
        long d0 = dirty;
        boolean b0 = blocked;
        client = as;
        args = a;
        reply = r;
        command = cmd;
        now = System.currentTimeMillis();
        dirty = 0;
        blocked = false;
        try {
            body.run();
        } finally {
            client = c0;
            args = a0;
            reply = r0;
            command = s0;
            now = n0;
            dirty = d0;
            blocked = b0;
        }
    }

    /** Runs a nested command (EXEC, scripts) with this context and returns to the outer one. */
    public void swapCommand(Args a, CommandSpec cmd) {
        this.args = a;
        this.command = cmd;
    }

    /** This worker thread's request counters. */
    public io.larder.server.ThreadStats stats() {
        return stats;
    }

    public LarderServer server() {
        return server;
    }

    public Keyspace keyspace() {
        return keyspace;
    }

    public ExecutionGate.Worker worker() {
        return worker;
    }

    public Client client() {
        return client;
    }

    public Args args() {
        return args;
    }

    public int argc() {
        return args.count();
    }

    public Reply reply() {
        return reply;
    }

    public CommandSpec command() {
        return command;
    }

    /** Milliseconds since the epoch, fixed when the command (or script, or transaction) began. */
    public long now() {
        return now;
    }

    public void setNow(long ms) {
        this.now = ms;
    }

    /** The client's selected database. */
    public Database db() {
        return keyspace.db(client.db());
    }

    /** A reusable lookup slot for read-modify-write on one key. */
    public Lookup lookup() {
        return lookup;
    }

    public boolean exclusive() {
        return exclusive;
    }

    /**
     * For keyless commands that iterate the keyspace (SCAN, RANDOMKEY):
     * locks one segment's stripe while visiting it. The dispatcher already
     * holds the gate; under an exclusive command (EXEC, scripts) the whole
     * keyspace is ours and no stripe is taken.
     */
    public void lockStripe(int stripe) {
        if (exclusive) return;
        keyspace.locks.lock(stripe);
        iterationStripe = stripe;
    }

    public void unlockStripe(int stripe) {
        if (exclusive) return;
        iterationStripe = -1;
        keyspace.locks.unlock(stripe);
    }

    /** True while a keyless command holds the one stripe it is iterating (see {@link #lockStripe}). */
    public boolean iterating() {
        return iterationStripe >= 0;
    }

    public void setExclusive(boolean e) {
        exclusive = e;
    }

    /**
     * Hides argument i from SLOWLOG and MONITOR, which show "(redacted)"
     * instead (Redis's redactClientCommandArgument: passwords, sensitive
     * CONFIG SET values).
     */
    public void redact(int i) {
        if (i < 64) redacted |= 1L << i;
    }

    public boolean isRedacted(int i) {
        return i < 64 && (redacted & (1L << i)) != 0;
    }

    // ------------------------------------------------------------ arguments

    /** Argument i as an integer, or Redis's "not an integer" error. */
    public long longArg(int i) {
        try {
            return args.longAt(i);
        } catch (Numbers.Invalid e) {
            throw Errors.NOT_INTEGER;
        }
    }

    /** Argument i as a double, or Redis's "not a valid float" error. */
    public double doubleArg(int i) {
        try {
            return args.doubleAt(i);
        } catch (Numbers.Invalid e) {
            throw Errors.NOT_FLOAT;
        }
    }

    /** Argument i as an integer within [min, max], else the given error. */
    public long longArg(int i, long min, long max, CommandError err) {
        long v;
        try {
            v = args.longAt(i);
        } catch (Numbers.Invalid e) {
            throw err;
        }
        if (v < min || v > max) throw err;
        return v;
    }

    // ------------------------------------------------------------ key lookups

    /**
     * Looks up key argument i of the selected database for reading, as
     * Redis's lookupKeyRead: expires it lazily, updates its LRU clock, counts
     * a keyspace hit or miss and emits "keymiss". Returns the entry or null;
     * {@link #lookup()} then addresses it for replace/update/remove.
     */
    public Object read(int i) {
        return read(db(), i);
    }

    public Object read(Database db, int i) {
        return read(db, i, 0);
    }

    /** Lookup flag (Redis's LOOKUP_NOTOUCH): leave the access clock alone (TTL, TYPE, EXISTS, OBJECT). */
    public static final int NOTOUCH = 1;
    /** Lookup flag (Redis's LOOKUP_NONOTIFY): no "keymiss" notification (OBJECT). */
    public static final int NONOTIFY = 2;

    /** {@link #read(Database, int)} with Redis's lookupKeyReadWithFlags flags. */
    public Object read(Database db, int i, int flags) {
        Object e = db.find(lookup, args, i, now);
        if (e == null) {
            stats.miss();
            if ((flags & NONOTIFY) == 0 && server.notificationsEnabled(io.larder.config.KeyspaceEvents.KEY_MISS)) {
                server.notifyKeyspaceEvent(io.larder.config.KeyspaceEvents.KEY_MISS, "keymiss", db, args.bytes(i));
            }
            return null;
        }
        stats.hit();
        if ((flags & NOTOUCH) == 0) {
            keyspace.accessed(args.hash(i));
            if (!client.has(Client.NO_TOUCH)) keyspace.touch(e, now);
        }
        return e;
    }

    /**
     * lookupKeyRead for a key that is not an argument (SORT's BY and GET
     * patterns): expiry, LRU, hit/miss statistics and "keymiss" as for
     * {@link #read(Database, int)}. Fills {@link #lookup()}.
     */
    public Object readKey(Database db, byte[] key) {
        Object e = db.find(lookup, key, now);
        if (e == null) {
            stats.miss();
            if (server.notificationsEnabled(io.larder.config.KeyspaceEvents.KEY_MISS)) {
                server.notifyKeyspaceEvent(io.larder.config.KeyspaceEvents.KEY_MISS, "keymiss", db, key);
            }
            return null;
        }
        stats.hit();
        if (keyspace.sketch() != null) keyspace.accessed(io.larder.store.KeyHash.hash(key));
        if (!client.has(Client.NO_TOUCH)) keyspace.touch(e, now);
        return e;
    }

    /**
     * Looks up key argument i for writing (Redis's lookupKeyWrite): lazy
     * expiry and LRU update, no hit/miss statistics.
     */
    public Object write(int i) {
        return write(db(), i);
    }

    public Object write(Database db, int i) {
        Object e = db.find(lookup, args, i, now);
        keyspace.accessed(args.hash(i));
        if (e != null) keyspace.touch(e, now);
        return e;
    }

    // ------------------------------------------------------------ effects of writes

    /** Counts changes to the data set (save points, INFO rdb_changes_since_last_save, propagation). */
    public void dirty(long n) {
        dirty += n;
    }

    public long dirtyCount() {
        return dirty;
    }

    // ------------------------------------------------------------ propagation (AOF, replicas)

    /**
     * Whether writes are being propagated at all (AOF on, replicas). Handlers
     * check it before building a rewritten vector; it cannot change while a
     * command runs.
     */
    public boolean propagating() {
        return server.journal().active();
    }

    public io.larder.journal.PendingWrites pending() {
        return pending;
    }

    /**
     * Redis's rewriteClientCommandVector: if this command changed something,
     * it is propagated as {@code argv} instead of its arguments (SET ... EX
     * as SET ... PXAT, INCRBYFLOAT as SET, SPOP as SREM ...).
     */
    public void propagateAs(byte[]... argv) {
        if (propagating()) pending.rewrite(depth, argv);
    }

    /** {@link #propagateAs} with ASCII words and byte arrays mixed (Strings are ISO-8859-1). */
    public void propagateAs(Object... argv) {
        if (!propagating()) return;
        byte[][] v = new byte[argv.length][];
        for (int i = 0; i < argv.length; i++) {
            Object o = argv[i];
            v[i] = o instanceof byte[] b ? b : String.valueOf(o).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        pending.rewrite(depth, v);
    }

    /**
     * Redis's rewriteClientCommandArgument: argument {@code i} of what is
     * propagated becomes {@code value} ({@code i == argc} appends it).
     */
    public void propagateArg(int i, byte[] value) {
        if (propagating()) pending.rewrite(depth, pendingVector(i, value));
    }

    private byte[][] pendingVector(int i, byte[] value) {
        byte[][] v = pending.vector(depth);
        if (v == null) v = args.toArray();
        if (i >= v.length) v = java.util.Arrays.copyOf(v, i + 1);
        v[i] = value;
        return v;
    }

    /**
     * Redis's alsoPropagate: propagates {@code argv} in database {@code db}
     * now, before this command's own vector (which a handler that says
     * everything this way suppresses with {@link #preventPropagation}).
     */
    public void alsoPropagate(Database db, byte[]... argv) {
        if (propagating() && server.journal().wanted(pending.targets())) pending.add(db.id, argv);
    }

    /** Redis's preventCommandPropagation: this call is not propagated itself. */
    public void preventPropagation() {
        if (propagating()) pending.prevent(depth);
    }

    /** Redis's forceCommandPropagation: propagated even if it changed nothing (FLUSHALL). */
    public void forcePropagation() {
        if (propagating()) pending.force(depth);
    }

    /**
     * A key's value changed (Redis's signalModifiedKey): invalidates WATCHes
     * and client-side caches of it. A key someone is blocked on is also
     * offered to its waiters: a stream that was deleted or overwritten must
     * wake the clients blocked in XREADGROUP on it with an error (Redis's
     * signalDeletedKeyAsReady), whichever family deleted it; waiters with
     * nothing to take from the key stay blocked.
     */
    public void keyModified(Database db, byte[] key) {
        server.keyModified(db, key);
        keyReady(db, key);
    }

    /** keyModified for key argument i. */
    public void keyModified(Database db, int argIndex) {
        server.keyModified(db, args, argIndex);
        if (server.blocking().hasWaiters()) keyReady(db, args.bytes(argIndex));
    }

    /** A keyspace notification (Redis's notifyKeyspaceEvent). */
    public void notify(int eventClass, String event, Database db, byte[] key) {
        server.notifyKeyspaceEvent(eventClass, event, db, key);
    }

    public void notify(int eventClass, String event, Database db, int argIndex) {
        if (server.notificationsEnabled(eventClass)) {
            server.notifyKeyspaceEvent(eventClass, event, db, args.bytes(argIndex));
        }
    }

    /**
     * Adds a new key at the position of a failed lookup (Redis's dbAdd),
     * with the "new" keyspace notification.
     */
    public void insert(Database db, Lookup l, Object entry) {
        db.insert(l, entry);
        if (server.notificationsEnabled(io.larder.config.KeyspaceEvents.NEW)) {
            server.notifyKeyspaceEvent(io.larder.config.KeyspaceEvents.NEW, "new", db,
                    io.larder.store.Entries.key(entry));
        }
        // Like Redis's dbAdd: a new list, sorted set or stream (pushed, moved, renamed, restored)
        // may be what a blocked client waits for.
        int t = io.larder.store.Entries.type(entry);
        if (t == ValueType.LIST || t == ValueType.ZSET || t == ValueType.STREAM) {
            keyReady(db, io.larder.store.Entries.key(entry));
        }
    }

    /** Inserts or replaces at the position of the last lookup. */
    public void put(Database db, Lookup l, Object entry) {
        if (l.found()) db.replace(l, entry);
        else insert(db, l, entry);
    }

    /**
     * A list, sorted set or stream key received elements a blocked client may
     * take. Recorded only if someone waits on it; the waiters are served after
     * the outermost command (see BlockingController). The caller holds the
     * key's stripe lock, as for any access to the key.
     */
    public void keyReady(Database db, byte[] key) {
        if (server.blocking().isWaitedOn(db, key)) readyKeys.add(new ReadyKey(db, key));
    }

    public List<ReadyKey> readyKeys() {
        return readyKeys;
    }
}
