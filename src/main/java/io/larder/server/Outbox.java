package io.larder.server;

import io.larder.command.CommandContext;
import io.larder.config.Special;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Data written to a client that is not the reply to its own command: pub/sub
 * messages, keyspace notifications, tracking invalidations, MONITOR lines.
 * Redis appends these to the client's output buffer the moment it publishes;
 * here the publisher may run on another event loop, and only the client's own
 * loop may touch its reply buffer. So messages are queued (a lock-free
 * multi-producer queue: one publisher's messages stay in order, and a
 * message queued after another is written after it) and one task on the
 * client's loop writes everything queued at once. A publisher fanning out to
 * a thousand subscribers pays a queue offer per subscriber; each subscriber
 * pays one write per loop turn, however many messages it got.
 *
 * <p>A message for the client whose command is running right now (RESP3
 * subscribers publishing to themselves, a transaction that subscribes and
 * then publishes, the monitor that runs a command) goes straight into its
 * reply buffer, in the middle of its replies, exactly where Redis puts it.
 *
 * <p>Every message is checked against {@code client-output-buffer-limit} for
 * the client's class, as Redis's checkClientOutputBufferLimits at every
 * addReply: what is pending for the client (queued here plus what Netty has
 * not yet written to the socket) against the hard limit, and against the
 * soft limit for longer than its seconds. A client over its limit is closed
 * and gets nothing more, so a subscriber that stops reading cannot make the
 * server grow without bound.
 */
public final class Outbox implements Runnable {
    private final Client client;
    private final Queue<byte[]> queue = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Bytes queued and not yet moved into the client's reply buffer. */
    private final AtomicLong queuedBytes = new AtomicLong();
    /** When the pending data first reached the soft limit (unix seconds, as Redis), 0 while below it. */
    private volatile long softLimitSince;
    /** Closed for exceeding its output limit: later messages are dropped. */
    private volatile boolean cutOff;

    Outbox(Client client) {
        this.client = client;
    }

    /**
     * Sends one complete RESP message to this client. {@code current} is the
     * calling thread's command context (null outside commands): if it is
     * running a command of this very client the message is written in place.
     * Returns false if the client is gone or was cut off.
     */
    public boolean send(byte[] message, CommandContext current) {
        if (cutOff) return false;
        Channel ch = client.channel();
        if (ch == null || !ch.isActive()) return false;
        // Not in the middle of a reply whose length is written last (a push there would land inside
        // it): then the message follows the reply instead.
        if (current != null && current.callDepth() > 0 && current.client() == client && ch.eventLoop().inEventLoop()
                && !client.reply().inDeferred()) {
            ByteBuf out = client.reply().buffer();
            drainInto(out);
            out.writeBytes(message);
            return !overLimit(out.readableBytes());
        }
        // Counted before it can be taken: the loop may drain (and subtract) it the moment it is queued,
        // and a count that dipped below zero would read as a huge unsigned size in overLimit.
        queuedBytes.addAndGet(message.length);
        queue.offer(message);
        if (overLimit(0)) return false;
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) ch.eventLoop().execute(this);
        return true;
    }

    /** Writes everything queued (runs on the client's loop). */
    @Override
    public void run() {
        scheduled.set(false);
        Channel ch = client.channel();
        if (cutOff || !ch.isActive()) {
            discard();
            return;
        }
        // Into the reply buffer rather than the channel, so these bytes and the client's replies
        // share one stream (and its flush accounting), and pushes pass CLIENT REPLY OFF as in Redis.
        if (drainInto(client.reply().buffer()) > 0) client.flush();
    }

    /** Moves what is queued into the reply buffer, ahead of replies to come (on the client's loop). */
    void writeQueued() {
        if (!queue.isEmpty() && !cutOff) drainInto(client.reply().buffer());
    }

    private int drainInto(ByteBuf out) {
        int n = 0;
        byte[] m;
        while ((m = queue.poll()) != null) {
            out.writeBytes(m);
            n += m.length;
        }
        if (n > 0) queuedBytes.addAndGet(-n);
        return n;
    }

    private void discard() {
        byte[] m;
        while ((m = queue.poll()) != null) queuedBytes.addAndGet(-m.length);
    }

    /** Bytes waiting for this client: queued here plus Netty's unwritten output. */
    public long pendingBytes() {
        long n = queuedBytes.get();
        Channel ch = client.channel();
        if (ch != null) {
            ChannelOutboundBuffer ob = ch.unsafe().outboundBuffer();
            if (ob != null) n += ob.totalPendingWriteBytes();
        }
        return n;
    }

    /**
     * Redis's checkClientOutputBufferLimits, and closing the client when it
     * is over (closeClientOnOutputBufferLimitReached). {@code extra}: bytes
     * in the reply buffer not yet handed to Netty.
     */
    private boolean overLimit(long extra) {
        Special.BufferLimit limit = limitFor(client);
        if (limit.hard() == 0 && limit.soft() == 0) return false;
        long used = pendingBytes() + extra;
        boolean hard = limit.hard() != 0 && Long.compareUnsigned(used, limit.hard()) >= 0;
        boolean soft = limit.soft() != 0 && Long.compareUnsigned(used, limit.soft()) >= 0;
        if (soft) {
            long now = System.currentTimeMillis() / 1000;
            long since = softLimitSince;
            if (since == 0) {
                softLimitSince = now;
                soft = false;
            } else if (now - since <= limit.softSeconds()) {
                soft = false;
            }
        } else {
            softLimitSince = 0;
        }
        if (!soft && !hard) return false;
        cutOff = true;
        Log.warning("Client " + client.describe() + " scheduled to be closed ASAP for overcoming of output buffer limits.");
        // Whatever is still queued goes with the client (only its loop may consume the queue).
        client.close();
        return true;
    }

    /** The limit of the client's class (Redis's getClientType; masters count as normal clients). */
    private Special.BufferLimit limitFor(Client c) {
        Special.State s = c.server().config().special();
        if (c.has(Client.REPLICA) && !c.has(Client.MONITOR)) return s.replica;
        if (c.has(Client.PUBSUB)) return s.pubsub;
        return s.normal;
    }
}
