package io.larder.server;

import io.larder.command.CommandContext;
import io.larder.command.CommandSpec;
import io.larder.config.Config;
import io.larder.config.KeyspaceEvents;
import io.larder.protocol.Args;
import io.larder.store.Database;
import io.larder.store.EvictionPolicy;
import io.larder.store.Evictor;
import io.larder.store.ExecutionGate;
import io.larder.store.FrequencySketch;
import io.larder.store.Keyspace;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Redis's maxmemory directive: what used_memory is, eviction before each
 * command (processCommand's performEvictions), the OOM refusal of commands
 * that would grow memory, and eviction continued in the background when one
 * pass hits its time limit (evictionTimeProc).
 *
 * <p>used_memory is Larder's accounting of what it holds on the heap: the
 * keyspace (a running total the segments keep exact, see
 * {@link io.larder.store.MemoryCounter}), client buffers (summed by the
 * cron), the TinyLFU sketch and a fixed start-up share. It is what eviction
 * compares with maxmemory, so it must track the heap the data really takes:
 * value sizes come from {@link io.larder.store.HeapLayout}, the running
 * JVM's object layout. How it relates to the resident set is in
 * docs/configuration.md ("Memory").
 */
public final class MaxMemory {
    /** Larder's fixed structures at start (segment arrays, stripe locks, command table), roughly. */
    public static final long STARTUP_OVERHEAD = 1024 * 1024;

    private final LarderServer server;
    private final Keyspace keyspace;
    private final Config config;
    private final Evictor evictor;
    private final AtomicBoolean procRunning = new AtomicBoolean();
    private volatile long maxmemory;
    private volatile long clientsMemory;
    private volatile LongSupplier clientsMemorySource = () -> 0;
    private volatile long peak;
    /** Nanotime when used memory was first seen over the limit without recovering; 0 when under it. */
    private volatile long exceededSince;
    private volatile long exceededTotalNanos;
    /**
     * Redis's pre_command_oom_state: whether the last command checked started with memory over the limit
     * and nothing to evict. Scripts ask (they run on the script thread, after their EVAL was checked on an
     * event loop); one flag for the server, as in Redis, since the memory it describes is the server's.
     */
    private volatile boolean oomAtStart;
    /** Commands whose flags depend on their arguments (scripts' declared flags): see {@link FlagsSource}. */
    private final List<FlagsSource> flagsSources = new CopyOnWriteArrayList<>();

    /**
     * Redis's getCommandFlags for one kind of command: EVAL with a shebang
     * and FCALL take their write and denyoom flags from the script. Returns
     * {@code declared} for commands it does not know.
     */
    public interface FlagsSource {
        long flags(CommandSpec cmd, Args args, long declared);
    }

    MaxMemory(LarderServer server) {
        this.server = server;
        this.keyspace = server.keyspace();
        this.config = server.config();
        this.evictor = new Evictor(keyspace, this::evicted);
        for (String p : List.of("maxmemory", "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity",
                "lfu-log-factor", "lfu-decay-time")) {
            config.watch(p, x -> apply());
        }
        config.param("maxmemory").onChange(p -> maxmemoryChanged());
        server.metrics().register("total_eviction_exceeded_time", () -> exceededMillis(true));
        server.metrics().register("current_eviction_exceeded_time", () -> exceededMillis(false));
    }

    /** Puts the maxmemory parameters into effect: the evictor's settings and how entries record accesses. */
    private void apply() {
        EvictionPolicy policy = EvictionPolicy.of(config.get("maxmemory-policy"));
        long max = config.getLong("maxmemory");
        boolean byAccess = policy.lfuCounters() || policy.choice == EvictionPolicy.Choice.LRU;
        // Redis stops sharing the integers 0..9999 under maxmemory with an LRU/LFU policy (they need their own clock).
        keyspace.setMemoryPolicy(policy.lfuCounters(), byAccess && max != 0, config.getInt("lfu-log-factor"),
                config.getInt("lfu-decay-time"));
        keyspace.setAdmission(policy.choice == EvictionPolicy.Choice.TINYLFU ? evictor : null, keysForSketch());
        evictor.configure(new Evictor.Settings(policy, max, config.getInt("maxmemory-samples"),
                config.getInt("maxmemory-eviction-tenacity")));
        maxmemory = max;
    }

    private long keysForSketch() {
        return Math.max(1024, keyspace.totalKeys());
    }

    /** Redis's updateMaxmemory: a warning when the new limit is below what is used, then eviction starts. */
    private void maxmemoryChanged() {
        long max = maxmemory;
        if (max == 0) return;
        long used = usedMemory();
        if (Long.compareUnsigned(max, used) < 0) {
            Log.warning("WARNING: the new maxmemory value set via CONFIG SET (" + Long.toUnsignedString(max)
                    + ") is smaller than the current memory usage (" + used + "). This will result in key eviction "
                    + "and/or the inability to accept new write commands depending on the maxmemory-policy.");
            // CONFIG SET runs on an event loop (or at start-up, before there are any): evict from the loop
            // in the background, as the next command would; never inside whatever called this.
            startProc();
        }
        long heap = Runtime.getRuntime().maxMemory();
        if (Long.compareUnsigned(max, heap) > 0) {
            Log.warning("WARNING: maxmemory (" + Long.toUnsignedString(max) + ") is larger than the Java heap ("
                    + heap + "); start Larder with this maxmemory (the launcher sizes the heap from it) or "
                    + "the data set may not fit.");
        }
    }

    // ------------------------------------------------------------ used memory

    /** Redis's used_memory: everything Larder accounts for. */
    public long usedMemory() {
        return STARTUP_OVERHEAD + keyspace.memory() + clientsMemory + sketchBytes() + scriptsMemory();
    }

    /** What used_memory holds besides the data set (Redis's used_memory_overhead, without the tables). */
    public long clientsMemory() {
        return clientsMemory;
    }

    public long sketchBytes() {
        FrequencySketch s = keyspace.sketch();
        return s == null ? 0 : s.bytes();
    }

    /** Lua and functions, as their subsystems report them. */
    public long scriptsMemory() {
        Metrics m = server.metrics();
        return m.getLong("used_memory_vm_eval", 0) + m.getLong("used_memory_vm_functions", 0)
                + m.getLong("used_memory_scripts", 0) + m.getLong("used_memory_functions", 0);
    }

    /** The highest used_memory seen (used_memory_peak). */
    public long peak() {
        long used = usedMemory();
        if (used > peak) peak = used;
        return peak;
    }

    /** The sum of every client's buffers, recomputed by the cron (clients register it: see ClientCommands). */
    public void setClientsMemorySource(LongSupplier s) {
        clientsMemorySource = s;
    }

    public long maxmemory() {
        return maxmemory;
    }

    public Evictor evictor() {
        return evictor;
    }

    // ------------------------------------------------------------ before commands

    /**
     * The maxmemory step of processCommand: evicts what is needed and tells
     * whether the command must be refused with -OOM. Called by the
     * dispatcher before each command, outside the gate and stripe locks.
     */
    public boolean refuses(CommandContext c, Client client, CommandSpec cmd, Args args) {
        if (maxmemory == 0) return false;
        boolean outOfMemory = evictBeforeCommand(c.worker()) == Evictor.FAIL;
        if (oomAtStart != outOfMemory) oomAtStart = outOfMemory;
        if (!outOfMemory) return false;
        // EXEC of a queued denyoom command is denyoom (the dispatcher knows the queue's flags).
        boolean denyoom = (commandFlags(cmd, args) & CommandSpec.DENYOOM) != 0
                || server.dispatcher().hasFlag(client, cmd, CommandSpec.DENYOOM);
        // Queueing in MULTI takes memory too: refused, except what ends the transaction or the connection.
        if (client.has(Client.MULTI)) {
            switch (cmd.fullName) {
                case "exec", "discard", "quit", "reset" -> { }
                default -> denyoom = true;
            }
        }
        return denyoom;
    }

    /** Whether memory was over the limit, with nothing to evict, when the current command began. */
    public boolean outOfMemoryAtCommandStart() {
        return maxmemory != 0 && oomAtStart;
    }

    /**
     * A command's flags given its arguments (Redis's getCommandFlags). MULTI asks for every queued command,
     * whatever maxmemory is now: memory may run out before EXEC.
     */
    public long commandFlags(CommandSpec cmd, Args args) {
        long flags = cmd.flags;
        for (FlagsSource s : flagsSources) flags = s.flags(cmd, args, flags);
        return flags;
    }

    /** Registers how a family's commands get their flags from their arguments (scripts). */
    public void addFlagsSource(FlagsSource s) {
        flagsSources.add(s);
    }

    /** performEvictions: OK, RUNNING (the background task continues) or FAIL. */
    private int evictBeforeCommand(ExecutionGate.Worker w) {
        if (Long.compareUnsigned(usedMemory(), maxmemory) <= 0) {
            if (exceededSince != 0) exceededEnded();
            return procRunning.get() ? Evictor.TIME_LIMIT : Evictor.OK;
        }
        // CLIENT PAUSE freezes the data set: no evictions while clients are paused (isSafeToPerformEvictions).
        if (server.pause().type() != ClientPause.NONE) return Evictor.OK;
        int r = evictor.evict(w, this::usedMemory);
        if (r == Evictor.TIME_LIMIT) startProc();
        if (r == Evictor.OK && procRunning.get()) r = Evictor.TIME_LIMIT;
        if (r == Evictor.OK) {
            if (exceededSince != 0) exceededEnded();
        } else if (exceededSince == 0) {
            exceededSince = System.nanoTime();
        }
        return r;
    }

    private void exceededEnded() {
        long since = exceededSince;
        if (since == 0) return;
        exceededSince = 0;
        exceededTotalNanos += System.nanoTime() - since;
    }

    private long exceededMillis(boolean total) {
        long since = exceededSince;
        long current = since == 0 ? 0 : System.nanoTime() - since;
        return ((total ? exceededTotalNanos : 0) + current) / 1_000_000;
    }

    /** Redis's startEvictionTimeProc: eviction continues on an event loop, a slice per loop iteration. */
    private void startProc() {
        if (server.workers() == null || !procRunning.compareAndSet(false, true)) return;
        EventExecutor loop = server.workers().next();
        loop.execute(() -> procStep(loop));
    }

    private void procStep(EventExecutor loop) {
        int r;
        try {
            r = maxmemory == 0 ? Evictor.OK : evictor.evict(server.context().worker(), this::usedMemory);
        } catch (RuntimeException e) {
            Log.warning("eviction: " + e);
            r = Evictor.FAIL;
        }
        // Keys it evicted may be waited on (XREADGROUP): serve them as the expiry task does.
        CommandContext c = server.context();
        if (!c.readyKeys().isEmpty()) server.blocking().serveReady(c);
        if (r == Evictor.TIME_LIMIT && !loop.isShuttingDown()) {
            // Scheduled, not submitted: Netty takes due scheduled tasks in once per loop iteration,
            // so the loop's clients are served between two slices.
            loop.schedule(() -> procStep(loop), 0, TimeUnit.NANOSECONDS);
            return;
        }
        procRunning.set(false);
        if (r == Evictor.OK && exceededSince != 0) exceededEnded();
    }

    /** Called with the key's stripe locked: the cross-cutting effects of a deletion, as Redis's eviction. */
    private void evicted(Database db, byte[] key) {
        // Propagated first, as DEL (UNLINK with lazyfree-lazy-eviction): Redis's performEvictions.
        io.larder.journal.Journal j = server.journal();
        if (j.active()) j.keyDeleted(server.context(), db, key, server.config().getBool("lazyfree-lazy-eviction"));
        server.stats().evictedKeys.increment();
        server.keyModified(db, key);
        // An evicted stream wakes its XREADGROUP waiters with an error, like any deleted one.
        server.context().keyReady(db, key);
        server.notifyKeyspaceEvent(KeyspaceEvents.EVICTED, "evicted", db, key);
    }

    // ------------------------------------------------------------ cron

    /** Once per cron tick: client buffers, the peak, the TinyLFU structures' sizes. */
    void cron() {
        try {
            clientsMemory = clientsMemorySource.getAsLong();
        } catch (RuntimeException e) {
            // A client closing while summed: keep the last figure.
        }
        peak();
        if (keyspace.sketch() != null) {
            long keys = keyspace.totalKeys();
            keyspace.sketch().ensureCapacity(keys);
            evictor.residentKeys(keys, server.threads());
        }
        if (maxmemory != 0 && !procRunning.get() && Long.compareUnsigned(usedMemory(), maxmemory) > 0
                && server.pause().type() == ClientPause.NONE) {
            // Nothing else may run a command for a while (an idle server after CONFIG SET, or clients that
            // only read): Redis evicts before any command; with no commands the cron does it.
            startProc();
        }
    }
}
