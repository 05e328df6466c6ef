package io.larder.server;

import io.larder.command.CommandSpec;
import io.larder.protocol.Args;
import io.larder.protocol.ProtocolException;
import io.larder.protocol.Reply;
import io.larder.protocol.RequestParser;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * One client connection: the Netty handler that feeds received bytes to the
 * parser and executes each complete request inline, and the session state
 * (selected database, protocol version, name, authentication, flags).
 * Replies of a batch are written into one buffer and flushed when the read
 * batch completes, so pipelines cost one write.
 */
public final class Client extends ChannelInboundHandlerAdapter {
    // Flags shown by CLIENT LIST, as Redis letters them.
    public static final int MULTI = 1, BLOCKED = 1 << 1, PUBSUB = 1 << 2, MONITOR = 1 << 3, DIRTY_CAS = 1 << 4,
            DIRTY_EXEC = 1 << 5, CLOSE_AFTER_REPLY = 1 << 6, UNBLOCKED = 1 << 7, READONLY = 1 << 8,
            NO_EVICT = 1 << 9, TRACKING = 1 << 10, REPLICA = 1 << 11, MASTER = 1 << 12, CLOSE_ASAP = 1 << 13,
            NO_TOUCH = 1 << 14, TRACKING_BCAST = 1 << 16, TRACKING_BROKEN_REDIR = 1 << 17, UNIX_SOCKET = 1 << 18;
    /**
     * Blocking commands must not block (Redis's CLIENT_DENY_BLOCKING): set
     * while EXEC runs its queue and on the clients scripts run as; they then
     * reply as if their timeout had expired.
     */
    public static final int DENY_BLOCKING = 1 << 15;
    /**
     * Client-side caching modes that CLIENT LIST does not show (Redis's
     * CLIENT_TRACKING_OPTIN, _OPTOUT, _CACHING, _NOLOOP). CACHING is the
     * CLIENT CACHING yes|no given for the next command only.
     */
    public static final int TRACKING_OPTIN = 1 << 19, TRACKING_OPTOUT = 1 << 20, TRACKING_CACHING = 1 << 21,
            TRACKING_NOLOOP = 1 << 22;
    /** The client scripts run their commands as (Redis's CLIENT_SCRIPT): MONITOR shows it as "lua". */
    public static final int SCRIPT = 1 << 23;
    /**
     * The client an AOF is replayed as (Redis's CLIENT_ID_AOF): trusted like
     * a master (mustObeyClient), e.g. XADD's LIMIT without "~" is accepted
     * because the rewritten trim argument already says exactly what to trim.
     */
    public static final int AOF = 1 << 24;

    private final LarderServer server;
    public final long id;
    private Channel channel;
    private final RequestParser parser = new RequestParser();
    private Reply reply;

    private volatile int db;
    private volatile String name = "";
    private volatile boolean authenticated;
    private volatile String user = "default";
    private volatile int flags;
    final long createdMs = System.currentTimeMillis();
    volatile long lastInteractionMs = createdMs;
    volatile CommandSpec lastCommand;
    private String addr = "";
    private String laddr = "";
    private int fd = -1;
    /** The socket's descriptor on the epoll transport, for {@link #writeDirect}. */
    private io.netty.channel.unix.FileDescriptor socketFd;
    /** CLIENT REPLY OFF; SKIP (this command's reply is dropped); SKIP issued (drop the next one). */
    boolean replyOff, replySkip, replySkipNext;
    private boolean processing;
    /** A command held back by CLIENT PAUSE, executed first when the client resumes. */
    private Args postponed;
    /** Peak of reply bytes written in one flush since the last reset (CLIENT LIST rbp). */
    volatile int replyPeak;
    /**
     * CLIENT LIST sub/psub/ssub and multi: kept up to date by pub/sub and
     * MULTI, which own that state (multi is -1 outside a transaction).
     */
    public volatile int subscriptions, patternSubscriptions, shardSubscriptions;
    public volatile int multiQueued = -1;
    /** CLIENT LIST redir: the tracking redirection client id (client-side caching sets it). */
    public volatile long trackingRedirect = -1;
    /** Pub/sub messages, invalidations and MONITOR lines for this client; created on first use. */
    private volatile Outbox outbox;
    /** Set while this client is blocked or postponed: input waits in the buffer. */
    private volatile boolean suspended;
    long totalInputBytes;
    long totalOutputBytes;
    /**
     * The position in the stream of writes the replies pending for this client
     * acknowledge (see LarderServer.ReplyGate); replies wait until it is durable.
     */
    private volatile long durableTarget;

    Client(LarderServer server, long id) {
        this.server = server;
        this.id = id;
    }

    /**
     * A client without a connection that commands can run as (Redis's fake
     * clients: the client Lua scripts run their commands as). Its replies
     * accumulate in {@link #reply()} for the caller to take; error replies
     * count in the statistics as any client's do.
     */
    public static Client detached(LarderServer server) {
        Client c = new Client(server, server.clients().nextId());
        c.reply = new Reply(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
        c.reply.setErrorListener(server.stats()::recordError);
        c.authenticated = true;
        return c;
    }

    public LarderServer server() {
        return server;
    }

    public Reply reply() {
        return reply;
    }

    /** Where other threads send this client data that is not a reply (see {@link Outbox}). */
    public Outbox outbox() {
        Outbox o = outbox;
        if (o == null) {
            synchronized (this) {
                o = outbox;
                if (o == null) outbox = o = new Outbox(this);
            }
        }
        return o;
    }

    public Channel channel() {
        return channel;
    }

    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    public int db() {
        return db;
    }

    public void setDb(int db) {
        this.db = db;
    }

    public String name() {
        return name;
    }

    public void setName(String n) {
        this.name = n;
    }

    public int resp() {
        return reply.resp();
    }

    public void setResp(int v) {
        reply.setResp(v);
    }

    public boolean authenticated() {
        return authenticated;
    }

    public void setAuthenticated(boolean a, String user) {
        this.authenticated = a;
        this.user = user;
        parser.setAuthenticated(a || !server.authRequired());
    }

    /** Re-reads whether requests from this connection get the unauthenticated protocol limits. */
    void refreshAuthLimits() {
        parser.setAuthenticated(authenticated || !server.authRequired());
    }

    public String user() {
        return user;
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    public synchronized void setFlag(int flag, boolean on) {
        flags = on ? flags | flag : flags & ~flag;
    }

    public int flags() {
        return flags;
    }

    public String addr() {
        return addr;
    }

    public String laddr() {
        return laddr;
    }

    public int fd() {
        return fd;
    }

    public long createdMs() {
        return createdMs;
    }

    public long lastInteractionMs() {
        return lastInteractionMs;
    }

    public CommandSpec lastCommand() {
        return lastCommand;
    }

    public RequestParser parser() {
        return parser;
    }

    /**
     * CLIENT REPLY: {@code off} drops every reply until ON; {@code skipNext}
     * (ignored while off) drops the reply of the next command only.
     */
    public void setReplyMode(boolean off, boolean skipNext) {
        if (off) {
            replyOff = true;
        } else if (skipNext) {
            if (!replyOff) replySkipNext = true;
        } else {
            replyOff = false;
            replySkip = false;
        }
    }

    /** Largest reply flushed at once since the last reset (CLIENT LIST rbp). */
    public int replyPeak() {
        return replyPeak;
    }

    /** True for loopback and unix-socket connections (Redis's islocalClient). */
    public boolean isLocal() {
        return channel == null || Clients.isLoopback(channel.remoteAddress());
    }

    /** A command postponed while clients are paused, if any. */
    public boolean isPostponed() {
        return postponed != null;
    }

    /** Holds a command back (CLIENT PAUSE) and stops reading until {@link #resume}. */
    void postpone(Args a) {
        postponed = a.copy();
        suspended = true;
    }

    /** Close once the pending replies are written (QUIT, protocol errors). */
    public void closeAfterReply() {
        setFlag(CLOSE_AFTER_REPLY, true);
    }

    // ------------------------------------------------------------ Netty events

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        reply = new Reply(ctx.alloc());
        reply.setErrorListener(server.stats()::recordError);
        // A normal client's replies are capped by the "normal" class hard limit, or 1 GiB
        // when none is set, so that one runaway command cannot exhaust memory.
        long hard = server.config().special().normal.hard();
        reply.setOutputCap(hard > 0 ? Math.min(hard, 1L << 30) : 1L << 30);
        SocketAddress ra = channel.remoteAddress();
        SocketAddress la = channel.localAddress();
        addr = format(ra);
        laddr = format(la);
        if (channel instanceof io.netty.channel.epoll.EpollSocketChannel ec) {
            socketFd = ec.fd();
            try {
                fd = ec.fd().intValue();
            } catch (RuntimeException ignored) {
                fd = -1;
            }
        }
        parser.setMaxBulkLen(server.config().getLong("proto-max-bulk-len"));
        parser.setAuthenticated(!server.authRequired());
        authenticated = !server.authRequired();
        String refusal = server.clients().admit(this, ra);
        if (refusal != null) {
            ByteBuf b = ctx.alloc().buffer();
            b.writeCharSequence(refusal, java.nio.charset.StandardCharsets.ISO_8859_1);
            ctx.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
            return;
        }
    }

    static String format(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            String host = i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
            int pct = host.indexOf('%');
            if (pct >= 0) host = host.substring(0, pct);
            if (host.startsWith("0:0:0:0:0:0:0:1")) host = "::1";
            return host + ":" + i.getPort();
        }
        return a == null ? "" : a.toString();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            int n = in.readableBytes();
            totalInputBytes += n;
            server.context().stats().netInput(n);
            server.context().stats().readsProcessed++;
            parser.append(in);
        } finally {
            in.release();
        }
        lastInteractionMs = System.currentTimeMillis();
        // Messages published before these commands arrived go out before their replies, as in Redis
        // (the task that would write them may not have run yet).
        Outbox o = outbox;
        if (o != null) o.writeQueued();
        processInput();
        long limit = server.queryBufferLimit();
        if (parser.pending() > limit) {
            Log.warning("Closing client that reached max query buffer length: " + describe()
                    + " (qbuf initial bytes: ...)");
            close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        server.clients().remove(this);
        server.clientClosed(this);
        ByteBuf b = reply == null ? null : reply.take();
        if (b != null) b.release();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof java.io.IOException)) {
            Log.warning("Client " + describe() + " error: " + cause);
        }
        ctx.close();
    }

    /**
     * Parses and executes every complete request in the buffer, unless the
     * client is suspended (blocked, paused) or is to be closed.
     */
    public void processInput() {
        if (processing) return; // re-entered from a nested wake-up
        processing = true;
        try {
            Args held = postponed;
            if (held != null && !suspended && channel.isActive()) {
                postponed = null;
                server.dispatcher().execute(this, held);
            }
            while (!suspended && !has(CLOSE_AFTER_REPLY) && !has(CLOSE_ASAP) && channel.isActive()) {
                Args a;
                try {
                    a = parser.next();
                } catch (ProtocolException e) {
                    reply.setEnabled(true);
                    reply.error("ERR Protocol error: " + e.getMessage());
                    Log.verbose("Protocol error (" + e.getMessage() + ") from client: " + describe());
                    closeAfterReply();
                    break;
                }
                if (a == null) break;
                server.dispatcher().execute(this, a);
            }
            if (!suspended) parser.trim();
        } finally {
            processing = false;
        }
    }

    /** The replies pending now depend on the writes up to {@code position} being durable. */
    void awaitDurable(long position) {
        if (position > durableTarget) durableTarget = position;
    }

    /** Writes out everything replied so far (once it may: see LarderServer.ReplyGate). */
    public void flush() {
        if (reply == null) return;
        LarderServer.ReplyGate gate = server.replyGate();
        if (gate != null && !gate.mayFlush(this, durableTarget)) return;
        ByteBuf b = reply.take();
        if (b != null) {
            int n = b.readableBytes();
            totalOutputBytes += n;
            if (n > replyPeak) replyPeak = n;
            lastInteractionMs = System.currentTimeMillis();
            ThreadStats ts = server.context().stats();
            ts.netOutput(n);
            ts.writesProcessed++;
            if (has(CLOSE_AFTER_REPLY)) {
                channel.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            if (writeDirect(b)) return;
            channel.writeAndFlush(b, channel.voidPromise());
        } else if (has(CLOSE_AFTER_REPLY)) {
            channel.close();
        }
    }

    /**
     * The common case of a reply to a request: nothing is queued in Netty's
     * outbound buffer, so the bytes go straight to the socket with one write
     * and the buffer is reused for the next replies. Skips the outbound
     * pipeline, an allocation and a release per request. Returns false (the
     * caller hands the rest to Netty) when something is queued, or the
     * socket took only part of it.
     */
    private boolean writeDirect(ByteBuf b) {
        if (socketFd == null || !b.hasMemoryAddress() || !channel.isActive()) return false;
        io.netty.channel.ChannelOutboundBuffer ob = channel.unsafe().outboundBuffer();
        if (ob == null || !ob.isEmpty()) return false;
        int r = b.readerIndex(), w = b.writerIndex();
        try {
            int written = socketFd.writeAddress(b.memoryAddress(), r, w);
            if (written == w - r) {
                reply.recycle(b);
                return true;
            }
            if (written > 0) b.readerIndex(r + written);
        } catch (java.io.IOException e) {
            // Let Netty's own write path meet the error and close the channel as it does.
        }
        return false;
    }

    /** Stops processing input until {@link #resume}. Called on the client's loop. */
    public void suspend() {
        suspended = true;
    }

    public boolean suspended() {
        return suspended;
    }

    /** Resumes input processing on the client's own event loop. */
    public void resume() {
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            suspended = false;
            processInput();
            flush();
        } else {
            loop.execute(() -> {
                suspended = false;
                processInput();
                flush();
            });
        }
    }

    /** Runs a task on this client's event loop (replies to it must be written there). */
    public void onLoop(Runnable r) {
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) r.run();
        else loop.execute(r);
    }

    /** Closes the connection now (CLIENT KILL, limits). */
    public void close() {
        setFlag(CLOSE_ASAP, true);
        // Gone from CLIENT LIST and the counters at once, as Redis frees a killed client
        // synchronously; the channel's own clean-up follows on its event loop.
        server.clients().remove(this);
        if (channel != null) channel.close();
    }

    public String describe() {
        return "id=" + id + " addr=" + addr + " laddr=" + laddr + " name=" + name;
    }
}
