package io.larder.server;

import io.larder.command.CommandContext;
import io.larder.command.CommandSpec;
import io.larder.command.CommandTable;
import io.larder.config.Config;
import io.larder.config.ConfigFile;
import io.larder.config.KeyspaceEvents;
import io.larder.family.Families;
import io.larder.protocol.Args;
import io.larder.store.Database;
import io.larder.store.ExpiryCycle;
import io.larder.store.Keyspace;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The server: configuration, command table, keyspace, clients and the Netty
 * event loops that execute commands. Cross-cutting features (transactions,
 * blocking, pub/sub, persistence) attach through the listener hooks here
 * rather than being wired into every family.
 */
public final class LarderServer {
    public static final String REDIS_VERSION = "7.0.15";
    /**
     * Buffers for network reads and replies. Netty 4.2's adaptive allocator by
     * default; -Dlarder.allocator=pooled selects the classic pooled one, whose
     * pinned-memory accounting costs a LongAdder update per allocation.
     */
    static final io.netty.buffer.ByteBufAllocator ALLOCATOR = "pooled".equals(System.getProperty("larder.allocator"))
            ? PooledByteBufAllocator.DEFAULT : io.netty.buffer.ByteBufAllocator.DEFAULT;

    public static final String LARDER_VERSION = "0.1.0";

    private final Config config;
    private final ConfigFile configFile;
    private final CommandTable table;
    private final Keyspace keyspace;
    private final Clients clients;
    private final ServerStats stats = new ServerStats();
    private final Dispatcher dispatcher;
    private final BlockingController blocking;
    /** The ordered stream of writes the AOF (and later replicas) consume. */
    private final io.larder.journal.Journal journal = new io.larder.journal.Journal();
    /** Holds replies back until the writes they acknowledge are durable (appendfsync always), or null. */
    private volatile ReplyGate replyGate;
    private final ScriptExecutor scripts;
    private final String runId;
    private final long startMs = System.currentTimeMillis();
    private final long startNanos = System.nanoTime();
    private final int threads;

    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private final List<Channel> listeners = new ArrayList<>();
    /** Listeners that are not part of the bind configuration (tests' ephemeral port). */
    private final List<Channel> extraListeners = new ArrayList<>();
    private volatile boolean running;

    /** Hooks: WATCH, client tracking. */
    public interface KeyListener {
        void keyModified(Database db, byte[] key);

        /**
         * False while the listener has nothing to do (nobody tracks keys,
         * nobody watches): writes then do not even copy the key for it.
         */
        default boolean active() {
            return true;
        }
    }

    /**
     * Hooks: a command was rejected before running (unknown, arity, auth,
     * -BUSY ...). Returns true when it replied itself (a rejected EXEC
     * answers -EXECABORT); MULTI flags the open transaction as failed.
     */
    public interface RejectHook {
        boolean rejected(Client client, CommandSpec cmd, String error);
    }

    /** Hooks: keyspace notifications (pub/sub). */
    public interface NotificationListener {
        void notify(int eventClass, String event, Database db, byte[] key);
    }

    /** Hooks: work after each command (slowlog, blocking wake-ups, propagation). */
    public interface AfterCommand {
        void after(CommandContext c, Client client, Args args, CommandSpec cmd, long durationUs);
    }

    /**
     * Hooks: a whole database's content was replaced at once (FLUSHDB,
     * FLUSHALL, SWAPDB, loading). Called after the change, with the keyspace
     * held exclusively: the listener sees the new content.
     */
    public interface FlushListener {
        void flushed(Database db);
    }

    /** Hooks: cleanup when a client disconnects. */
    public interface ClientListener {
        void closed(Client client);
    }

    /**
     * Hooks: a read-only command ran and its keys are still locked (client
     * tracking remembers the keys a client read, atomically with the read).
     */
    public interface ReadListener {
        void keysRead(CommandContext c, CommandSpec cmd);
    }

    private final List<KeyListener> keyListeners = new CopyOnWriteArrayList<>();
    private volatile NotificationListener notifications;
    private final List<AfterCommand> afterCommand = new CopyOnWriteArrayList<>();
    private final List<ClientListener> clientListeners = new CopyOnWriteArrayList<>();
    private final List<FlushListener> flushListeners = new CopyOnWriteArrayList<>();
    private final List<java.util.function.Consumer<Client>> resetListeners = new CopyOnWriteArrayList<>();
    private volatile RejectHook rejectHook;
    private final List<Runnable> shutdownHooks = new CopyOnWriteArrayList<>();
    /** While a script runs past busy-reply-threshold: the -BUSY error other clients get; otherwise null. */
    private volatile String busyError;
    /**
     * How a command waiting for the keyspace behaves: it gives up (and is
     * rejected with {@link #busyError}) once the exclusive holder is a script
     * past busy-reply-threshold, as Redis answers -BUSY then.
     */
    private final io.larder.store.ExecutionGate.WaitPolicy busyPolicy = () -> busyError != null;
    private final List<java.util.function.IntConsumer> dataFlushListeners = new CopyOnWriteArrayList<>();
    private volatile ReadListener readListener;
    private volatile boolean hasKeyListeners;

    private final ClientPause pause = new ClientPause(this);
    private final LatencyStats latency = new LatencyStats();
    private final Metrics metrics = new Metrics();
    private final MaxMemory maxMemory;
    private final MonitorFeed monitor = new MonitorFeed(this);
    private volatile boolean latencyTracking = true;
    /** LASTSAVE / rdb_last_save_time: start-up time until persistence records a save. */
    private volatile long lastSaveMs = System.currentTimeMillis();
    private volatile long dirtyAtLastSave;
    /** Loading a dump: commands without the "loading" flag answer -LOADING. */
    private volatile boolean loading;
    /** The -MISCONF error while writes are refused after a failed background save, else null. */
    private volatile String writeDeniedError;
    /** Non-zero while either of the two above may refuse commands: the dispatcher's one read per command. */
    private volatile int persistenceRefusals;
    private final Object refusalLock = new Object();
    private final io.larder.persist.Persistence persistence;
    private volatile ShutdownSaver shutdownSaver;
    private volatile java.util.function.IntConsumer exitHandler;
    private ServerBootstrap bootstrap;
    private volatile java.util.function.Supplier<List<String>> aclUsers;
    private volatile java.util.function.Predicate<String> userDirectory;
    private final Object bindLock = new Object();

    /**
     * Writes the snapshot SHUTDOWN (or a signal) asks for before exiting;
     * installed by persistence. Returns false (after logging why) if it failed.
     */
    public interface ShutdownSaver {
        boolean save();
    }

    private final FastThreadLocal<CommandContext> contexts = new FastThreadLocal<>() {
        @Override
        protected CommandContext initialValue() {
            return new CommandContext(LarderServer.this, keyspace.gate.register(Thread.currentThread().getName()));
        }
    };

    /**
     * The event loops when {@code threads} is 0: one per CPU but one, at least
     * one. The spare CPU serves what else a server process needs at the same
     * time (the kernel's network stack, GC threads, the snapshot, expiry and
     * script threads; on small machines a co-located client). Measured on 2
     * CPUs with redis-benchmark on the same machine (docs/performance.md):
     * one loop matches Redis unpipelined where two lose 10-15% to contention,
     * two win only on deep pipelines. Redis's own advice for io-threads
     * likewise leaves cores spare.
     */
    static int defaultThreads(int cpus) {
        return Math.max(1, cpus - 1);
    }

    public LarderServer(Config config, ConfigFile configFile) {
        this.config = config;
        this.configFile = configFile;
        int t = config.getInt("threads");
        this.threads = t > 0 ? t : defaultThreads(Runtime.getRuntime().availableProcessors());
        this.keyspace = new Keyspace(config.getInt("databases"), config.getBool("cluster-enabled"));
        this.keyspace.setListener(this::keyExpired);
        this.maxMemory = new MaxMemory(this);
        this.clients = new Clients(this);
        this.table = new CommandTable();
        byte[] id = new byte[20];
        new SecureRandom().nextBytes(id);
        this.runId = HexFormat.of().formatHex(id);
        this.blocking = new BlockingController(this);
        this.persistence = new io.larder.persist.Persistence(this);
        this.scripts = new ScriptExecutor(this);
        // Before the families: they add their checks and interceptors to it.
        this.dispatcher = new Dispatcher(this);
        Families.registerAll(this, table);
        table.seal(configFile.renames);
        config.watch("client-query-buffer-limit", p -> queryBufferLimit = config.getLong("client-query-buffer-limit"));
        config.watch("loglevel", p -> Log.setLevel(Log.parseLevel(p.get())));
        config.watch("latency-tracking", p -> latencyTracking = config.getBool("latency-tracking"));
        // CONFIG SET bind / port rebind at once; a failure leaves the old listeners and is reported.
        config.param("bind").onApply(p -> rebind("Failed to bind to specified addresses."));
        config.param("port").onApply(p -> rebind("Unable to listen on this port. Check server logs."));
        config.param("maxclients").onApply(p -> {
            long limit = maxFileDescriptors();
            if (config.getLong("maxclients") + RESERVED_FDS > limit) {
                throw new io.larder.config.ConfigException("The operating system is not able to handle the "
                        + "specified number of clients, try with " + (limit - RESERVED_FDS));
            }
        });
        adjustMaxClients();
        // Redis's authRequired() is evaluated per request: a new or removed password changes who is limited.
        config.param("requirepass").onChange(p -> {
            for (Client c : clients.all()) c.refreshAuthLimits();
        });
    }

    /** Descriptors Redis keeps for itself beside the clients (CONFIG_MIN_RESERVED_FDS). */
    private static final long RESERVED_FDS = 32;

    /** The process's open-file limit (the JVM raises the soft limit to the hard one at start). */
    static long maxFileDescriptors() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean u) {
            return u.getMaxFileDescriptorCount();
        }
        return Long.MAX_VALUE;
    }

    /** Redis's adjustOpenFilesLimit at start: maxclients is lowered to what the descriptor limit allows. */
    private void adjustMaxClients() {
        long limit = maxFileDescriptors();
        long wanted = config.getLong("maxclients");
        if (wanted + RESERVED_FDS <= limit) return;
        long possible = Math.max(1, limit - RESERVED_FDS);
        Log.warning("You requested maxclients of " + wanted + " requiring at least " + (wanted + RESERVED_FDS)
                + " max file descriptors.");
        Log.warning("Server can't set maximum open files to " + (wanted + RESERVED_FDS)
                + " because of OS error: Operation not permitted.");
        Log.warning("Current maximum open files is " + limit + ". maxclients has been reduced to " + possible
                + " to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.");
        try {
            config.set("maxclients", Long.toString(possible));
        } catch (io.larder.config.ConfigException e) {
            Log.warning("Could not lower maxclients: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------ accessors

    public Config config() {
        return config;
    }

    public ConfigFile configFile() {
        return configFile;
    }

    public CommandTable commands() {
        return table;
    }

    public Keyspace keyspace() {
        return keyspace;
    }

    public Clients clients() {
        return clients;
    }

    public ServerStats stats() {
        return stats;
    }

    public Dispatcher dispatcher() {
        return dispatcher;
    }

    public String runId() {
        return runId;
    }

    /** The stream of writes to propagate (AOF, replicas). */
    public io.larder.journal.Journal journal() {
        return journal;
    }

    /**
     * Holds a client's replies until what they acknowledge is durable. With
     * appendfsync always the AOF installs one: a reply may not leave before
     * the writes it acknowledges (or observed) are written and fsynced.
     */
    public interface ReplyGate {
        /** The position in the stream of writes a reply given now depends on. */
        long position();

        /**
         * True if replies depending on {@code position} may be written now;
         * otherwise the gate flushes the client later, once they may.
         */
        boolean mayFlush(Client c, long position);
    }

    public void setReplyGate(ReplyGate g) {
        replyGate = g;
    }

    public ReplyGate replyGate() {
        return replyGate;
    }

    /** Clients blocked on keys (BLPOP, BZPOPMIN, XREAD BLOCK ...) and their wake-ups. */
    public BlockingController blocking() {
        return blocking;
    }

    /** The thread Lua scripts run on, and the busy-script state (-BUSY, SCRIPT KILL). */
    public ScriptExecutor scripts() {
        return scripts;
    }

    public long startMs() {
        return startMs;
    }

    public long uptimeMs() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    public int threads() {
        return threads;
    }

    public boolean running() {
        return running;
    }

    /** The command context of the calling worker thread. */
    public CommandContext context() {
        return contexts.get();
    }

    public boolean authRequired() {
        return !config.get("requirepass").isEmpty();
    }

    private volatile long queryBufferLimit;

    /** client-query-buffer-limit, read on every network read, so kept in a field. */
    long queryBufferLimit() {
        return queryBufferLimit;
    }

    public EventLoopGroup workers() {
        return workerGroup;
    }

    /** The I/O multiplexing Netty uses ("epoll", or "nio" where epoll is unavailable): INFO multiplexing_api. */
    public String ioTransport() {
        return Epoll.isAvailable() && !Boolean.getBoolean("larder.nio") ? "epoll" : "nio";
    }

    /** CLIENT PAUSE state. */
    public ClientPause pause() {
        return pause;
    }

    /** Per-command latency histograms (INFO latencystats). */
    public LatencyStats latency() {
        return latency;
    }

    boolean latencyTracking() {
        return latencyTracking;
    }

    /** INFO fields other subsystems provide (pub/sub counts, tracking, memory details ...). */
    public Metrics metrics() {
        return metrics;
    }

    /** used_memory, maxmemory and eviction. */
    public MaxMemory maxMemory() {
        return maxMemory;
    }

    /** MONITOR clients and the feed of executed commands. */
    public MonitorFeed monitor() {
        return monitor;
    }

    /** enable-protected-configs / enable-debug-command / enable-module-command for this client. */
    public boolean protectedActionAllowed(String option, Client client) {
        String v = config.get(option);
        return v.equals("yes") || (v.equals("local") && client.isLocal());
    }

    /** Epoch ms of the last successful save (LASTSAVE); start-up time before any. */
    public long lastSaveMs() {
        return lastSaveMs;
    }

    /** RDB persistence: SAVE, BGSAVE, loading, DUMP/RESTORE payloads. */
    public io.larder.persist.Persistence persistence() {
        return persistence;
    }

    public boolean loading() {
        return loading;
    }

    public void setLoading(boolean on) {
        synchronized (refusalLock) {
            loading = on;
            persistenceRefusals = (loading ? 1 : 0) | (writeDeniedError != null ? 2 : 0);
        }
    }

    /** 0 when neither loading nor MISCONF refuses anything (the dispatcher then checks nothing more). */
    public int persistenceRefusals() {
        return persistenceRefusals;
    }

    /** The error write commands (and PING) get, or null when writes are allowed. */
    public String writeDeniedError() {
        return writeDeniedError;
    }

    public void setWriteDeniedError(String error) {
        synchronized (refusalLock) {
            writeDeniedError = error;
            persistenceRefusals = (loading ? 1 : 0) | (writeDeniedError != null ? 2 : 0);
        }
    }

    /** The change counter's value at the last save (so a save can keep the count, as FLUSHALL's does). */
    public long changesBase() {
        return dirtyAtLastSave;
    }

    /** Changes since the last save (INFO rdb_changes_since_last_save). */
    public long changesSinceLastSave() {
        return stats.dirty() - dirtyAtLastSave;
    }

    /** Persistence records a successful save: LASTSAVE and the change counter restart from here. */
    public void savedAt(long epochMs, long dirtyCounterAtStart) {
        lastSaveMs = epochMs;
        dirtyAtLastSave = dirtyCounterAtStart;
    }

    public void setShutdownSaver(ShutdownSaver s) {
        shutdownSaver = s;
    }

    public ShutdownSaver shutdownSaver() {
        return shutdownSaver;
    }

    /**
     * What happens when SHUTDOWN (or a signal) decides to exit: Main exits
     * the process; an embedded server (tests) just stops.
     */
    public void setExitHandler(java.util.function.IntConsumer h) {
        exitHandler = h;
    }

    /** Stops the server and runs the exit handler, from a thread of its own (never an event loop). */
    public void exit(int code) {
        Thread t = new Thread(() -> {
            try {
                shutdown();
            } catch (Throwable e) {
                Log.warning("Error while shutting down: " + e);
            } finally {
                // Exit even if stopping failed: a half-stopped server must not linger.
                java.util.function.IntConsumer h = exitHandler;
                if (h != null) h.accept(code);
            }
        }, "larder-exit");
        t.start();
    }

    /**
     * The ACL users as CONFIG REWRITE writes them ("user ..." lines). Until
     * ACLs exist there is only the default user, whose password is
     * requirepass; the security layer replaces this.
     */
    public List<String> aclUserLines() {
        java.util.function.Supplier<List<String>> s = aclUsers;
        if (s != null) return s.get();
        String pass = config.get("requirepass");
        String secret;
        if (pass.isEmpty()) {
            secret = "nopass";
        } else {
            try {
                byte[] h = java.security.MessageDigest.getInstance("SHA-256")
                        .digest(pass.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                secret = "#" + HexFormat.of().formatHex(h);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return List.of("user default on " + secret + " ~* &* +@all");
    }

    public void setAclUserLines(java.util.function.Supplier<List<String>> s) {
        aclUsers = s;
    }

    /** Whether an ACL user exists (CLIENT KILL USER); only "default" until ACLs are implemented. */
    public boolean userExists(String name) {
        java.util.function.Predicate<String> p = userDirectory;
        return p != null ? p.test(name) : name.equals("default");
    }

    public void setUserDirectory(java.util.function.Predicate<String> p) {
        userDirectory = p;
    }

    /** SHUTDOWN flags (the same bits as shutdown-on-sigint / shutdown-on-sigterm). */
    public static final int SHUTDOWN_SAVE = 1, SHUTDOWN_NOSAVE = 2, SHUTDOWN_NOW = 4, SHUTDOWN_FORCE = 8;
    private volatile boolean shuttingDown;

    /**
     * Redis's prepareForShutdown: saves a final snapshot when save points are
     * configured (unless NOSAVE) or SAVE is given, removes the pid file and
     * stops the server. Returns false, and keeps running, when the save
     * failed without FORCE.
     */
    public synchronized boolean prepareForShutdown(int flags) {
        if (shuttingDown) return true;
        Log.warning("User requested shutdown...");
        boolean nosave = (flags & SHUTDOWN_NOSAVE) != 0, save = (flags & SHUTDOWN_SAVE) != 0;
        // The AOF first (its rewrite stopped, its buffer written and fsynced), then the final RDB save.
        if (!persistence.aof().beforeShutdown((flags & SHUTDOWN_FORCE) != 0)) {
            Log.warning("Errors trying to shut down the server. Check the logs for more information.");
            return false;
        }
        if ((!config.special().save.isEmpty() && !nosave) || save) {
            Log.notice("Saving the final RDB snapshot before exiting.");
            ShutdownSaver saver = shutdownSaver;
            if (saver == null) {
                Log.warning("Larder has no persistence yet: nothing was saved.");
            } else if (!saver.save()) {
                if ((flags & SHUTDOWN_FORCE) != 0) {
                    Log.warning("Error trying to save the DB. Exit anyway.");
                } else {
                    Log.warning("Error trying to save the DB, can't exit.");
                    Log.warning("Errors trying to shut down the server. Check the logs for more information.");
                    return false;
                }
            }
        }
        shuttingDown = true;
        removePidFile();
        Log.warning("Redis is now ready to exit, bye bye...");
        exit(0);
        return true;
    }

    private volatile String pidFileWritten;

    /** Writes the pid file named by pidfile, if any (Redis does so at start). */
    public void writePidFile() {
        String pidfile = config.get("pidfile");
        if (pidfile.isEmpty()) return;
        java.nio.file.Path p = java.nio.file.Path.of(config.special().dir).resolve(pidfile);
        try {
            java.nio.file.Files.writeString(p, ProcessHandle.current().pid() + "\n");
            pidFileWritten = p.toString();
        } catch (java.io.IOException e) {
            Log.warning("Failed to write PID file: " + e.getMessage());
        }
    }

    /** Removes the pid file this process wrote. */
    public void removePidFile() {
        String p = pidFileWritten;
        if (p == null) return;
        Log.notice("Removing the pid file.");
        try {
            java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(p));
        } catch (java.io.IOException ignored) {
            // Exiting anyway.
        }
        pidFileWritten = null;
    }

    /** RESET: other features clear their part of a connection's state (MULTI, pub/sub, tracking, MONITOR). */
    public void addResetListener(java.util.function.Consumer<Client> l) {
        resetListeners.add(l);
    }

    public void resetClient(Client c) {
        for (java.util.function.Consumer<Client> l : resetListeners) l.accept(c);
    }

    // ------------------------------------------------------------ hooks

    public void addKeyListener(KeyListener l) {
        keyListeners.add(l);
        hasKeyListeners = true;
    }

    public void setNotificationListener(NotificationListener l) {
        notifications = l;
    }

    public void addAfterCommand(AfterCommand a) {
        afterCommand.add(a);
    }

    public void addFlushListener(FlushListener l) {
        flushListeners.add(l);
    }

    /** Every key of a database changed at once (WATCH, client tracking). */
    public void flushed(Database db) {
        for (FlushListener l : flushListeners) l.flushed(db);
    }

    public void addClientListener(ClientListener l) {
        clientListeners.add(l);
    }

    /** Client tracking: see {@link ReadListener}. One listener. */
    public void setReadListener(ReadListener l) {
        readListener = l;
    }

    /** The dispatcher: a read-only command ran; its keys are still locked. */
    void keysRead(CommandContext c, CommandSpec cmd) {
        ReadListener l = readListener;
        if (l != null) l.keysRead(c, cmd);
    }

    /**
     * Hooks: FLUSHDB or FLUSHALL emptied data (Redis's signalFlushedDb; not
     * SWAPDB, which moves data): client tracking's null invalidation. The
     * argument is the database, or -1 for all.
     */
    public void addDataFlushListener(java.util.function.IntConsumer l) {
        dataFlushListeners.add(l);
    }

    public void dataFlushed(int dbid) {
        for (java.util.function.IntConsumer l : dataFlushListeners) l.accept(dbid);
    }

    /** Called when a command is rejected before running (MULTI marks the transaction as failed). */
    public void setRejectHook(RejectHook h) {
        rejectHook = h;
    }

    /** Work to do when the server stops (end a running script, stop helper threads). */
    public void addShutdownHook(Runnable r) {
        shutdownHooks.add(r);
    }

    /** The -BUSY error while a script runs past busy-reply-threshold, else null (Redis's isInsideYieldingLongCommand). */
    public String busyError() {
        return busyError;
    }

    /** Scripting sets the -BUSY error when its script passes the threshold, and clears it when the script ends. */
    public void setBusyError(String error) {
        busyError = error;
    }

    /** The wait policy for entering the keyspace: give up (answer -BUSY) once a script is busy. */
    public io.larder.store.ExecutionGate.WaitPolicy busyPolicy() {
        return busyPolicy;
    }

    public void keyModified(Database db, byte[] key) {
        if (!hasKeyListeners) return;
        for (KeyListener l : keyListeners) {
            if (l.active()) l.keyModified(db, key);
        }
    }

    public void keyModified(Database db, Args a, int i) {
        if (!hasKeyListeners) return;
        byte[] key = null;
        for (KeyListener l : keyListeners) {
            if (!l.active()) continue;
            if (key == null) key = a.bytes(i);
            l.keyModified(db, key);
        }
    }

    public boolean notificationsEnabled(int eventClass) {
        int f = config.special().notifyFlags;
        return notifications != null && (f & eventClass) != 0 && (f & (KeyspaceEvents.KEYSPACE | KeyspaceEvents.KEYEVENT)) != 0;
    }

    public void notifyKeyspaceEvent(int eventClass, String event, Database db, byte[] key) {
        NotificationListener n = notifications;
        if (n != null && notificationsEnabled(eventClass)) n.notify(eventClass, event, db, key);
    }

    /** A command was rejected; true if the hook replied (see {@link RejectHook}). */
    boolean transactionRejected(Client c, CommandSpec cmd, String error) {
        RejectHook h = rejectHook;
        return h != null && h.rejected(c, cmd, error);
    }

    void afterCommand(CommandContext c, Client client, Args a, CommandSpec cmd, long durationUs) {
        if (c.dirtyCount() != 0) c.stats().dirty += c.dirtyCount();
        // Its reply (write or read) must not leave before what it acknowledges or saw is durable.
        ReplyGate g = replyGate;
        if (g != null) client.awaitDurable(g.position());
        for (AfterCommand ac : afterCommand) ac.after(c, client, a, cmd, durationUs);
    }

    void clientClosed(Client c) {
        if (c.isPostponed()) pause.forget(c);
        if (c.has(Client.MONITOR)) monitor.remove(c);
        for (ClientListener l : clientListeners) l.closed(c);
    }

    private void keyExpired(Database db, byte[] key) {
        stats.expiredKeys.increment();
        // Redis's deleteExpiredKeyAndPropagate: the event, then signalModifiedKey (a client that both
        // tracks the key and listens to events sees them in this order).
        notifyKeyspaceEvent(KeyspaceEvents.EXPIRED, "expired", db, key);
        keyModified(db, key);
        // Propagated as DEL (or UNLINK with lazyfree-lazy-expire), like deleteExpiredKeyAndPropagate.
        if (journal.active()) journal.keyDeleted(context(), db, key);
        // An expired stream wakes its XREADGROUP waiters with an error, like any deleted one.
        context().keyReady(db, key);
    }

    // ------------------------------------------------------------ lifecycle

    private static final io.netty.util.AttributeKey<Long> CLIENT_ID = io.netty.util.AttributeKey.valueOf("larder.id");

    /**
     * Numbers connections in the order they were accepted, on the acceptor
     * thread: a child channel's initializer runs later on its own event loop,
     * where two connections on different loops could take ids out of order.
     * Redis's ids (and CLIENT LIST's order) follow accept order.
     */
    @io.netty.channel.ChannelHandler.Sharable
    private final class AcceptOrder extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel ch) ch.attr(CLIENT_ID).set(clients.nextId());
            ctx.fireChannelRead(msg);
        }
    }

    /** Binds the configured addresses and starts serving. */
    public void start() throws InterruptedException {
        boolean epoll = Epoll.isAvailable() && !Boolean.getBoolean("larder.nio");
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("larder-accept", true), io);
        workerGroup = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("larder-io", true), io);
        Class<? extends ServerChannel> channelClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, config.getInt("tcp-backlog"))
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, ALLOCATOR)
                .handler(new AcceptOrder())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // tcp-keepalive is read per connection, so CONFIG SET applies to new ones.
                        int ka = config.getInt("tcp-keepalive");
                        if (ka > 0) {
                            ch.config().setKeepAlive(true);
                            if (ch instanceof io.netty.channel.epoll.EpollSocketChannel ec) {
                                // Redis's anetKeepAlive: idle = interval, probes every interval/3, 3 probes.
                                ec.config().setOption(EpollChannelOption.TCP_KEEPIDLE, ka);
                                ec.config().setOption(EpollChannelOption.TCP_KEEPINTVL, Math.max(1, ka / 3));
                                ec.config().setOption(EpollChannelOption.TCP_KEEPCNT, 3);
                            }
                        }
                        Long id = ch.attr(CLIENT_ID).get();
                        ch.pipeline().addLast(clients.newClient(id != null ? id : clients.nextId()));
                    }
                });
        persistence.beforeListening();
        synchronized (bindLock) {
            listeners.addAll(bindAll(config.special().bind, config.getInt("port")));
        }
        running = true;
        startBackgroundTasks();
        persistence.afterListening();
    }

    /** Binds one extra listener on loopback at an ephemeral port (tests); returns the port. */
    public int bindEphemeral() throws InterruptedException {
        Channel ch = bootstrap.bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        synchronized (bindLock) {
            extraListeners.add(ch);
        }
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    /** The port actually bound first (port 0 in tests means "ephemeral"). */
    public int boundPort() {
        synchronized (bindLock) {
            for (Channel c : listeners) return ((InetSocketAddress) c.localAddress()).getPort();
            for (Channel c : extraListeners) return ((InetSocketAddress) c.localAddress()).getPort();
        }
        return 0;
    }

    /** Every address the server listens on (INFO, CLIENT LIST laddr). */
    public List<InetSocketAddress> listening() {
        List<InetSocketAddress> out = new ArrayList<>();
        synchronized (bindLock) {
            for (Channel c : listeners) out.add((InetSocketAddress) c.localAddress());
        }
        return out;
    }

    /**
     * Redis's listenToPort over the bind list: "*" is every IPv4 address,
     * "::*" every IPv6 one, a leading "-" marks an address that may be
     * unavailable. Where IPv6 exists "* -::*" is one dual-stack socket on
     * "::" (Java cannot set IPV6_V6ONLY, so "::" and "0.0.0.0" cannot both be
     * bound on one port). All or nothing: on failure whatever was bound is
     * closed again.
     */
    private List<Channel> bindAll(List<String> bind, int port) {
        List<Channel> bound = new ArrayList<>();
        // Redis's listenToPort: no port, or an empty bind list (bind ""), means no TCP listener.
        if (port == 0 || bind.isEmpty()) return bound;
        List<String> specs = bind;
        boolean any4 = false, any6 = false, any6Optional = false;
        List<String[]> explicit = new ArrayList<>();
        for (String raw : specs) {
            boolean optional = raw.startsWith("-");
            String a = optional ? raw.substring(1) : raw;
            if (a.equals("*")) {
                any4 = true;
            } else if (a.equals("::*")) {
                any6 = true;
                any6Optional = optional;
            } else {
                explicit.add(new String[] {a, optional ? "-" : ""});
            }
        }
        try {
            boolean dualStack = false;
            if (any6) {
                Channel ch = tryBind(new InetSocketAddress("::", port), "::*", port, any6Optional || any4);
                if (ch != null) {
                    bound.add(ch);
                    dualStack = true;
                }
            }
            if (any4 && !dualStack) bound.add(tryBind(new InetSocketAddress("0.0.0.0", port), "*", port, false));
            for (String[] e : explicit) {
                Channel ch = tryBind(new InetSocketAddress(e[0], port), e[0], port, !e[1].isEmpty());
                if (ch != null) bound.add(ch);
            }
        } catch (IllegalStateException e) {
            for (Channel c : bound) c.close();
            throw e;
        }
        return bound;
    }

    private Channel tryBind(InetSocketAddress a, String shown, int port, boolean optional) {
        try {
            return bootstrap.bind(a).sync().channel();
        } catch (Exception e) {
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            if (reason.startsWith("bind(..) failed: ")) reason = reason.substring("bind(..) failed: ".length());
            if (optional) {
                Log.verbose("Skipping optional bind address " + shown + ":" + port + ": " + reason);
                return null;
            }
            Log.warning("Warning: Could not create server TCP listening socket " + shown + ":" + port + ": bind: "
                    + reason);
            throw new IllegalStateException("Failed listening on port " + port + " (tcp), aborting.", e);
        }
    }

    /**
     * CONFIG SET bind/port, as Redis's changeBindAddr: closes the listeners
     * (connections already accepted stay open) and binds the new
     * configuration. On failure CONFIG SET restores the old values and
     * applies them again, which binds the old addresses again.
     */
    private void rebind(String failure) throws io.larder.config.ConfigException {
        if (bootstrap == null) return; // not started yet: start() binds
        synchronized (bindLock) {
            List<Channel> fresh;
            for (Channel c : listeners) c.close().syncUninterruptibly();
            listeners.clear();
            try {
                fresh = bindAll(config.special().bind, config.getInt("port"));
            } catch (IllegalStateException e) {
                Log.warning(e.getMessage());
                throw new io.larder.config.ConfigException(failure);
            }
            listeners.addAll(fresh);
        }
    }

    private void startBackgroundTasks() {
        int hz = Math.max(1, Math.min(500, config.getInt("hz")));
        long period = 1000 / hz;
        workerGroup.next().scheduleAtFixedRate(this::cron, period, period, TimeUnit.MILLISECONDS);
        int i = 0;
        for (io.netty.util.concurrent.EventExecutor loop : workerGroup) {
            ExpiryCycle cycle = new ExpiryCycle(keyspace, () -> context().worker(), loop, i++, threads, period,
                    () -> config.getInt("active-expire-effort"));
            // A periodic task that throws is never run again: keep the cycle alive whatever happens.
            loop.scheduleAtFixedRate(() -> {
                try {
                    cycle.run();
                } catch (RuntimeException e) {
                    Log.warning("active expiry: " + e);
                }
                // Keys it expired may be waited on (see keyExpired); commands serve theirs when they finish.
                CommandContext c = context();
                if (!c.readyKeys().isEmpty()) blocking.serveReady(c);
            }, period, period, TimeUnit.MILLISECONDS);
        }
    }

    /** Once per 1/hz: statistics samples, idle-client timeouts. */
    private long lastPeakReset;

    private void cron() {
        try {
            long now = System.currentTimeMillis();
            stats.sample(now);
            maxMemory.cron();
            if (now - lastPeakReset >= 5000) {
                // CLIENT LIST rbp: the peak over the last few seconds, as Redis resets it every 5 s.
                lastPeakReset = now;
                for (Client c : clients.all()) c.replyPeak = 0;
            }
            long timeout = config.getLong("timeout") * 1000;
            if (timeout > 0) {
                for (Client c : clients.all()) {
                    // Redis's clientsCronHandleTimeout spares replicas (and MONITOR), masters, blocked and pub/sub clients.
                    if (c.has(Client.BLOCKED) || c.has(Client.PUBSUB) || c.has(Client.REPLICA) || c.has(Client.MASTER)
                            || c.has(Client.MONITOR) || c.isPostponed()) {
                        continue;
                    }
                    if (now - c.lastInteractionMs > timeout) {
                        Log.verbose("Closing idle client");
                        c.close();
                    }
                }
            }
        } catch (RuntimeException e) {
            Log.warning("cron: " + e);
        }
    }

    /** Stops listening, closes clients and stops the event loops. */
    public void shutdown() {
        if (!running) return;
        running = false;
        for (Runnable r : shutdownHooks) {
            try {
                r.run();
            } catch (RuntimeException e) {
                Log.warning("shutdown: " + e);
            }
        }
        synchronized (bindLock) {
            for (Channel c : listeners) c.close();
            for (Channel c : extraListeners) c.close();
        }
        for (Client c : clients.snapshot()) c.close();
        // Bounded waits: a loop stuck in a runaway command must not keep the process alive.
        if (workerGroup != null) workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (bossGroup != null) bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
