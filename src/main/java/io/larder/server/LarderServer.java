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
    public static final String LARDER_VERSION = "0.1.0";

    private final Config config;
    private final ConfigFile configFile;
    private final CommandTable table;
    private final Keyspace keyspace;
    private final Clients clients;
    private final ServerStats stats = new ServerStats();
    private final Dispatcher dispatcher;
    private final BlockingController blocking;
    private final String runId;
    private final long startMs = System.currentTimeMillis();
    private final long startNanos = System.nanoTime();
    private final int threads;

    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private final List<Channel> listeners = new ArrayList<>();
    private volatile boolean running;

    /** Hooks: WATCH, client tracking. */
    public interface KeyListener {
        void keyModified(Database db, byte[] key);
    }

    /** Hooks: keyspace notifications (pub/sub). */
    public interface NotificationListener {
        void notify(int eventClass, String event, Database db, byte[] key);
    }

    /** Hooks: work after each command (slowlog, blocking wake-ups, propagation). */
    public interface AfterCommand {
        void after(CommandContext c, Client client, Args args, CommandSpec cmd, long durationUs);
    }

    /** Hooks: a whole database was emptied (FLUSHDB, FLUSHALL, SWAPDB, loading). */
    public interface FlushListener {
        void flushed(Database db);
    }

    /** Hooks: cleanup when a client disconnects. */
    public interface ClientListener {
        void closed(Client client);
    }

    private final List<KeyListener> keyListeners = new CopyOnWriteArrayList<>();
    private volatile NotificationListener notifications;
    private final List<AfterCommand> afterCommand = new CopyOnWriteArrayList<>();
    private final List<ClientListener> clientListeners = new CopyOnWriteArrayList<>();
    private final List<FlushListener> flushListeners = new CopyOnWriteArrayList<>();
    private volatile java.util.function.Consumer<Client> rejectHook;
    private volatile boolean hasKeyListeners;

    private final FastThreadLocal<CommandContext> contexts = new FastThreadLocal<>() {
        @Override
        protected CommandContext initialValue() {
            return new CommandContext(LarderServer.this, keyspace.gate.register(Thread.currentThread().getName()));
        }
    };

    public LarderServer(Config config, ConfigFile configFile) {
        this.config = config;
        this.configFile = configFile;
        int t = config.getInt("threads");
        this.threads = t > 0 ? t : Runtime.getRuntime().availableProcessors();
        this.keyspace = new Keyspace(config.getInt("databases"), config.getBool("cluster-enabled"));
        this.keyspace.setListener(this::keyExpired);
        this.clients = new Clients(this);
        this.table = new CommandTable();
        byte[] id = new byte[20];
        new SecureRandom().nextBytes(id);
        this.runId = HexFormat.of().formatHex(id);
        this.blocking = new BlockingController(this);
        Families.registerAll(this, table);
        table.seal(configFile.renames);
        this.dispatcher = new Dispatcher(this);
        config.watch("loglevel", p -> Log.setLevel(Log.parseLevel(p.get())));
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

    /** Clients blocked on keys (BLPOP, BZPOPMIN, XREAD BLOCK ...) and their wake-ups. */
    public BlockingController blocking() {
        return blocking;
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

    long queryBufferLimit() {
        return config.getLong("client-query-buffer-limit");
    }

    public EventLoopGroup workers() {
        return workerGroup;
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

    /** Called when a command is rejected before running (MULTI marks the transaction as failed). */
    public void setRejectHook(java.util.function.Consumer<Client> h) {
        rejectHook = h;
    }

    public void keyModified(Database db, byte[] key) {
        if (!hasKeyListeners) return;
        for (KeyListener l : keyListeners) l.keyModified(db, key);
    }

    public void keyModified(Database db, Args a, int i) {
        if (!hasKeyListeners) return;
        byte[] key = a.bytes(i);
        for (KeyListener l : keyListeners) l.keyModified(db, key);
    }

    public boolean notificationsEnabled(int eventClass) {
        int f = config.special().notifyFlags;
        return notifications != null && (f & eventClass) != 0 && (f & (KeyspaceEvents.KEYSPACE | KeyspaceEvents.KEYEVENT)) != 0;
    }

    public void notifyKeyspaceEvent(int eventClass, String event, Database db, byte[] key) {
        NotificationListener n = notifications;
        if (n != null && notificationsEnabled(eventClass)) n.notify(eventClass, event, db, key);
    }

    void transactionRejected(Client c) {
        java.util.function.Consumer<Client> h = rejectHook;
        if (h != null) h.accept(c);
    }

    void afterCommand(CommandContext c, Client client, Args a, CommandSpec cmd, long durationUs) {
        for (AfterCommand ac : afterCommand) ac.after(c, client, a, cmd, durationUs);
    }

    void clientClosed(Client c) {
        for (ClientListener l : clientListeners) l.closed(c);
    }

    private void keyExpired(Database db, byte[] key) {
        stats.expiredKeys.increment();
        keyModified(db, key);
        // An expired stream wakes its XREADGROUP waiters with an error, like any deleted one.
        context().keyReady(db, key);
        notifyKeyspaceEvent(KeyspaceEvents.EXPIRED, "expired", db, key);
    }

    // ------------------------------------------------------------ lifecycle

    /** Binds the configured addresses and starts serving. */
    public void start() throws InterruptedException {
        boolean epoll = Epoll.isAvailable() && !Boolean.getBoolean("larder.nio");
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("larder-accept", true), io);
        workerGroup = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("larder-io", true), io);
        Class<? extends ServerChannel> channelClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ServerBootstrap b = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, config.getInt("tcp-backlog"))
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        int ka = config.getInt("tcp-keepalive");
                        if (ka > 0) {
                            ch.config().setKeepAlive(true);
                            if (ch instanceof io.netty.channel.epoll.EpollSocketChannel ec) {
                                ec.config().setOption(EpollChannelOption.TCP_KEEPIDLE, ka);
                                ec.config().setOption(EpollChannelOption.TCP_KEEPINTVL, Math.max(1, ka / 3));
                                ec.config().setOption(EpollChannelOption.TCP_KEEPCNT, 3);
                            }
                        }
                        ch.pipeline().addLast(clients.newClient());
                    }
                });
        int port = config.getInt("port");
        if (port != 0) {
            for (InetSocketAddress a : bindAddresses(port)) {
                try {
                    listeners.add(b.bind(a).sync().channel());
                } catch (Exception e) {
                    boolean optional = a.getAddress() != null && a.getAddress().isAnyLocalAddress() && listeners.size() > 0;
                    if (optional) continue;
                    throw new IllegalStateException("Failed listening on port " + port + " (tcp), aborting: " + e.getMessage(), e);
                }
            }
        }
        running = true;
        startBackgroundTasks();
    }

    /** Binds one extra listener on loopback at an ephemeral port (tests); returns the port. */
    public int bindEphemeral() throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(Epoll.isAvailable() && !Boolean.getBoolean("larder.nio") ? EpollServerSocketChannel.class
                        : NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(clients.newClient());
                    }
                });
        Channel ch = b.bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        listeners.add(ch);
        return ((InetSocketAddress) ch.localAddress()).getPort();
    }

    /** The port actually bound first (port 0 in tests means "ephemeral"). */
    public int boundPort() {
        for (Channel c : listeners) return ((InetSocketAddress) c.localAddress()).getPort();
        return 0;
    }

    /**
     * Redis's bind list: "*" is every IPv4 address, "::*" every IPv6 one; a
     * leading "-" marks an address that may fail to bind. "* -::*" becomes one
     * dual-stack socket on "::" where IPv6 exists.
     */
    List<InetSocketAddress> bindAddresses(int port) {
        List<String> bind = config.special().bind;
        List<InetSocketAddress> out = new ArrayList<>();
        boolean any4 = false, any6 = false;
        for (String raw : bind) {
            String a = raw.startsWith("-") ? raw.substring(1) : raw;
            if (a.equals("*")) any4 = true;
            else if (a.equals("::*")) any6 = true;
            else out.add(new InetSocketAddress(a, port));
        }
        if (any4 || any6) {
            boolean v6 = ipv6Available();
            if (v6 && any6) out.add(0, new InetSocketAddress("::", port));
            else out.add(0, new InetSocketAddress("0.0.0.0", port));
        }
        if (bind.isEmpty()) out.add(new InetSocketAddress("0.0.0.0", port));
        return out;
    }

    private static boolean ipv6Available() {
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.bind(new InetSocketAddress("::", 0));
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private void startBackgroundTasks() {
        int hz = Math.max(1, Math.min(500, config.getInt("hz")));
        long period = 1000 / hz;
        workerGroup.next().scheduleAtFixedRate(this::cron, period, period, TimeUnit.MILLISECONDS);
        int i = 0;
        for (io.netty.util.concurrent.EventExecutor loop : workerGroup) {
            ExpiryCycle cycle = new ExpiryCycle(keyspace, () -> context().worker(), i++, threads,
                    () -> config.getInt("active-expire-effort"));
            loop.scheduleAtFixedRate(() -> {
                cycle.run();
                // Keys it expired may be waited on (see keyExpired); commands serve theirs when they finish.
                CommandContext c = context();
                if (!c.readyKeys().isEmpty()) blocking.serveReady(c);
            }, period, period, TimeUnit.MILLISECONDS);
        }
    }

    /** Once per 1/hz: statistics samples, idle-client timeouts. */
    private void cron() {
        try {
            long now = System.currentTimeMillis();
            stats.sample(now);
            long timeout = config.getLong("timeout") * 1000;
            if (timeout > 0) {
                for (Client c : clients.all()) {
                    if (c.has(Client.BLOCKED) || c.has(Client.PUBSUB) || c.has(Client.REPLICA) || c.has(Client.MASTER)) {
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
        for (Channel c : listeners) c.close();
        for (Client c : clients.snapshot()) c.close();
        if (workerGroup != null) workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (bossGroup != null) bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
