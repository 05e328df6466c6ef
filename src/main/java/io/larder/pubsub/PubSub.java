package io.larder.pubsub;

import io.larder.command.CommandContext;
import io.larder.config.KeyspaceEvents;
import io.larder.server.Client;
import io.larder.server.LarderServer;
import io.larder.server.Outbox;
import io.larder.store.Database;
import io.larder.util.Glob;
import io.larder.util.Numbers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The subscriptions of every client (channels, patterns, shard channels) and
 * message delivery: PUBLISH, SPUBLISH and keyspace notifications (Redis's
 * pubsub.c and notify.c).
 *
 * <p>Publishing is lock-free: each channel maps to an immutable array of
 * subscribers and the patterns are one immutable array, all replaced whole
 * under this object's lock when someone subscribes or unsubscribes
 * (subscriptions change rarely, messages flow constantly). A message is
 * encoded once (once more for RESP3, whose push header differs by one byte)
 * and handed to each subscriber's {@link Outbox}.
 *
 * <p>Order: a subscriber gets one publisher's messages in publishing order,
 * and, as in Redis, for one message first the channel's copy and then one
 * per matching pattern. A subscription confirmed before a PUBLISH starts
 * receives it. A publish racing with an unsubscription from another thread
 * may still deliver its message just after the "unsubscribe" reply: the two
 * commands ran at the same time, which a single-threaded Redis cannot do.
 */
public final class PubSub implements LarderServer.NotificationListener {
    private static final byte[] MESSAGE = ascii("message"), PMESSAGE = ascii("pmessage"),
            SMESSAGE = ascii("smessage");

    /** One client's subscriptions; the sets are guarded by the PubSub's lock. */
    static final class Subscriber {
        final Client client;
        final Outbox outbox;
        final Set<Name> channels = new LinkedHashSet<>();
        final Set<Name> patterns = new LinkedHashSet<>();
        final Set<Name> shardChannels = new LinkedHashSet<>();

        Subscriber(Client client) {
            this.client = client;
            this.outbox = client.outbox();
        }

        boolean isEmpty() {
            return channels.isEmpty() && patterns.isEmpty() && shardChannels.isEmpty();
        }
    }

    /** A pattern and its subscribers, replaced whole on every change. */
    private record PatternSubs(Name pattern, Subscriber[] subs) {}

    private static final Subscriber[] NONE = new Subscriber[0];
    private static final PatternSubs[] NO_PATTERNS = new PatternSubs[0];

    private final LarderServer server;
    private final ConcurrentHashMap<Name, Subscriber[]> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Name, Subscriber[]> shardChannels = new ConcurrentHashMap<>();
    private final Map<Name, PatternSubs> patternIndex = new HashMap<>();
    private volatile PatternSubs[] patterns = NO_PATTERNS;
    private final ConcurrentHashMap<Client, Subscriber> subscribers = new ConcurrentHashMap<>();
    /** Channel and pattern subscriptions exist: keyspace notifications are worth building. */
    private volatile boolean anyListener;
    private final ConcurrentHashMap<String, byte[]> eventNames = new ConcurrentHashMap<>();

    public PubSub(LarderServer server) {
        this.server = server;
        server.setNotificationListener(this);
        server.addClientListener(this::unsubscribeAll);
        server.metrics().register("pubsub_channels", channels::size);
        server.metrics().register("pubsub_patterns", () -> patterns.length);
        server.metrics().register("pubsubshard_channels", shardChannels::size);
    }

    // ------------------------------------------------------------ subscriptions

    /** The kinds of subscription, with their reply names. */
    public enum Kind {
        CHANNEL("subscribe", "unsubscribe"), PATTERN("psubscribe", "punsubscribe"),
        SHARD("ssubscribe", "sunsubscribe");

        final byte[] subscribed, unsubscribed;

        Kind(String s, String u) {
            subscribed = ascii(s);
            unsubscribed = ascii(u);
        }

        /** The first element of a confirmation reply: "subscribe", "punsubscribe" ... */
        public byte[] replyName(boolean subscribe) {
            return subscribe ? subscribed : unsubscribed;
        }
    }

    /** Subscribes a client; false if it already was. Updates its CLIENT LIST counters. */
    public synchronized boolean subscribe(Client c, Kind kind, byte[] name) {
        Subscriber s = subscribers.computeIfAbsent(c, Subscriber::new);
        Name n = new Name(name);
        if (!set(s, kind).add(n)) return false;
        switch (kind) {
            case CHANNEL -> channels.put(n, append(channels.get(n), s));
            case SHARD -> shardChannels.put(n, append(shardChannels.get(n), s));
            case PATTERN -> {
                PatternSubs p = patternIndex.get(n);
                patternIndex.put(n, new PatternSubs(n, append(p == null ? null : p.subs(), s)));
                patterns = patternIndex.values().toArray(NO_PATTERNS);
            }
        }
        counted(s);
        return true;
    }

    /** Unsubscribes a client; false if it was not subscribed. */
    public synchronized boolean unsubscribe(Client c, Kind kind, byte[] name) {
        Subscriber s = subscribers.get(c);
        if (s == null) return false;
        Name n = new Name(name);
        if (!set(s, kind).remove(n)) return false;
        switch (kind) {
            case CHANNEL -> removeFrom(channels, n, s);
            case SHARD -> removeFrom(shardChannels, n, s);
            case PATTERN -> {
                Subscriber[] rest = without(patternIndex.get(n).subs(), s);
                // The last subscriber gone, the pattern goes too (NUMPAT counts patterns, not subscriptions).
                if (rest.length == 0) patternIndex.remove(n);
                else patternIndex.put(n, new PatternSubs(n, rest));
                patterns = patternIndex.values().toArray(NO_PATTERNS);
            }
        }
        counted(s);
        if (s.isEmpty()) subscribers.remove(c, s);
        return true;
    }

    /** The names a client is subscribed to, in subscription order. */
    public synchronized List<byte[]> subscriptions(Client c, Kind kind) {
        Subscriber s = subscribers.get(c);
        List<byte[]> out = new ArrayList<>();
        if (s != null) for (Name n : set(s, kind)) out.add(n.bytes);
        return out;
    }

    /** Channels plus patterns: the count SUBSCRIBE, PSUBSCRIBE and their opposites reply with. */
    public static int channelCount(Client c) {
        return c.subscriptions + c.patternSubscriptions;
    }

    /** Drops every subscription of a client without replies (RESET, disconnection). */
    public synchronized void unsubscribeAll(Client c) {
        Subscriber s = subscribers.get(c);
        if (s == null) return;
        for (Kind k : Kind.values()) {
            for (Name n : new ArrayList<>(set(s, k))) unsubscribe(c, k, n.bytes);
        }
        subscribers.remove(c);
    }

    private static Set<Name> set(Subscriber s, Kind k) {
        return switch (k) {
            case CHANNEL -> s.channels;
            case PATTERN -> s.patterns;
            case SHARD -> s.shardChannels;
        };
    }

    private void counted(Subscriber s) {
        s.client.subscriptions = s.channels.size();
        s.client.patternSubscriptions = s.patterns.size();
        s.client.shardSubscriptions = s.shardChannels.size();
        anyListener = !channels.isEmpty() || patterns.length > 0;
    }

    private static Subscriber[] append(Subscriber[] a, Subscriber s) {
        if (a == null) return new Subscriber[] {s};
        Subscriber[] n = Arrays.copyOf(a, a.length + 1);
        n[a.length] = s;
        return n;
    }

    private static Subscriber[] without(Subscriber[] a, Subscriber s) {
        int i = 0;
        while (a[i] != s) i++;
        Subscriber[] n = new Subscriber[a.length - 1];
        System.arraycopy(a, 0, n, 0, i);
        System.arraycopy(a, i + 1, n, i, a.length - i - 1);
        return n;
    }

    private static void removeFrom(ConcurrentHashMap<Name, Subscriber[]> map, Name n, Subscriber s) {
        Subscriber[] rest = without(map.get(n), s);
        // Free the channel with its last subscriber (PUBSUB CHANNELS lists active channels only).
        if (rest.length == 0) map.remove(n);
        else map.put(n, rest);
    }

    // ------------------------------------------------------------ introspection

    /** Active channels (shard channels) whose name matches the pattern (null: all). */
    public List<byte[]> channels(boolean shard, byte[] pattern) {
        List<byte[]> out = new ArrayList<>();
        for (Name n : (shard ? shardChannels : channels).keySet()) {
            if (pattern == null || Glob.match(pattern, n.bytes, false)) out.add(n.bytes);
        }
        return out;
    }

    /** Subscribers of one channel (shard channel), not counting patterns. */
    public int subscriberCount(boolean shard, byte[] channel) {
        Subscriber[] s = (shard ? shardChannels : channels).get(new Name(channel));
        return s == null ? 0 : s.length;
    }

    /** Distinct patterns subscribed to (PUBSUB NUMPAT, INFO pubsub_patterns). */
    public int patternCount() {
        return patterns.length;
    }

    // ------------------------------------------------------------ publishing

    /**
     * Delivers a message to the subscribers of a channel and, unless sharded,
     * of every matching pattern. Returns the number of deliveries (PUBLISH's
     * reply). {@code current} is the calling thread's context, so a message
     * for the client running the command lands in its reply stream.
     */
    public int publish(byte[] channel, byte[] message, boolean shard, CommandContext current) {
        int receivers = 0;
        Subscriber[] subs = (shard ? shardChannels : channels).get(new Name(channel));
        if (subs != null) {
            Encoded m = new Encoded(shard ? SMESSAGE : MESSAGE, null, channel, message);
            for (Subscriber s : subs) {
                s.outbox.send(m.forClient(s.client), current);
                receivers++;
            }
        }
        if (shard) return receivers;
        for (PatternSubs p : patterns) {
            if (!Glob.match(p.pattern().bytes, channel, false)) continue;
            Encoded m = new Encoded(PMESSAGE, p.pattern().bytes, channel, message);
            for (Subscriber s : p.subs()) {
                s.outbox.send(m.forClient(s.client), current);
                receivers++;
            }
        }
        return receivers;
    }

    /**
     * A message as RESP2 bytes, and the same with RESP3's push header made
     * when the first RESP3 subscriber needs it (the header's type byte is the
     * only difference).
     */
    private static final class Encoded {
        final byte[] resp2;
        byte[] resp3;

        Encoded(byte[] kind, byte[] pattern, byte[] channel, byte[] message) {
            int n = 4 + bulkLength(kind) + bulkLength(channel) + bulkLength(message)
                    + (pattern == null ? 0 : bulkLength(pattern));
            byte[] b = new byte[n];
            int p = 0;
            b[p++] = '*';
            b[p++] = (byte) (pattern == null ? '3' : '4');
            b[p++] = '\r';
            b[p++] = '\n';
            p = bulk(b, p, kind);
            if (pattern != null) p = bulk(b, p, pattern);
            p = bulk(b, p, channel);
            bulk(b, p, message);
            resp2 = b;
        }

        byte[] forClient(Client c) {
            if (c.resp() != 3) return resp2;
            byte[] r = resp3;
            if (r == null) {
                r = resp2.clone();
                r[0] = '>';
                resp3 = r;
            }
            return r;
        }
    }

    static int bulkLength(byte[] v) {
        return 1 + Numbers.digitCount(v.length) + 2 + v.length + 2;
    }

    /** Writes v as a bulk string at b[p]; returns the position after it. */
    static int bulk(byte[] b, int p, byte[] v) {
        b[p++] = '$';
        p += Numbers.longToAscii(v.length, b, p);
        b[p++] = '\r';
        b[p++] = '\n';
        System.arraycopy(v, 0, b, p, v.length);
        p += v.length;
        b[p++] = '\r';
        b[p++] = '\n';
        return p;
    }

    // ------------------------------------------------------------ keyspace notifications

    /**
     * Redis's notifyKeyspaceEvent: the event on __keyspace@<db>__:<key> with
     * the event name as message, and on __keyevent@<db>__:<event> with the
     * key as message, as notify-keyspace-events asks (K, E). The server has
     * already checked the event's class against the flags.
     */
    @Override
    public void notify(int eventClass, String event, Database db, byte[] key) {
        if (!anyListener) return;
        int flags = server.config().special().notifyFlags;
        byte[] name = eventNames.computeIfAbsent(event, PubSub::ascii);
        CommandContext current = server.context();
        if ((flags & KeyspaceEvents.KEYSPACE) != 0) {
            publish(concat("__keyspace@" + db.id + "__:", key), name, false, current);
        }
        if ((flags & KeyspaceEvents.KEYEVENT) != 0) {
            publish(concat("__keyevent@" + db.id + "__:", name), key, false, current);
        }
    }

    private static byte[] concat(String prefix, byte[] tail) {
        byte[] b = new byte[prefix.length() + tail.length];
        for (int i = 0; i < prefix.length(); i++) b[i] = (byte) prefix.charAt(i);
        System.arraycopy(tail, 0, b, prefix.length(), tail.length);
        return b;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
