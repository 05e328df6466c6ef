package io.larder.pubsub;

import io.larder.command.CommandContext;
import io.larder.command.CommandSpec;
import io.larder.protocol.Args;
import io.larder.server.Client;
import io.larder.server.LarderServer;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.ThreadExecutorMap;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Server-assisted client-side caching (Redis's tracking.c).
 *
 * <p>Default mode: every key a tracking client reads with a read-only
 * command is remembered with the client's id (the tracking table, one for
 * all databases, as in Redis); the next change of that key (a write, an
 * expiry, an eviction) sends the client an invalidation and forgets the
 * entry. Keys are remembered while the read's stripe locks are still held
 * (the dispatcher's read hook), so a write on another thread either comes
 * before the read or finds the entry. BCAST mode: clients register key
 * prefixes; every change of a matching key is collected and broadcast once
 * per event-loop turn (Redis: once per beforeSleep), keys sorted, one
 * message per prefix. FLUSHDB and FLUSHALL send every tracking client a null
 * invalidation and empty the table.
 *
 * <p>Messages: RESP3 clients get {@code >2 invalidate [keys]} pushes on their
 * own connection; with REDIRECT they go to the other client, which in RESP2
 * gets them as a "message" on {@code __redis__:invalidate} if it is in
 * pub/sub mode. An invalidation for the client whose command is running is
 * held until that command (or transaction) has replied, as Redis 7.0 does.
 */
public final class Tracking {
    private static final byte[] INVALIDATE3 = ascii(">2\r\n$10\r\ninvalidate\r\n");
    private static final byte[] INVALIDATE2 = ascii("*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n");
    private static final byte[] NULL2 = ascii("$-1\r\n"), NULL3 = ascii("_\r\n");
    /** A pending invalidation for a flush (Redis queues NULL for it). */
    private static final byte[] FLUSH = new byte[0];

    private final LarderServer server;
    /** Key -> ids of the clients that read it (Redis's TrackingTable). Each id array is immutable. */
    private final ConcurrentHashMap<Name, long[]> table = new ConcurrentHashMap<>();
    /** Sum of the id arrays' lengths (INFO tracking_total_items). */
    private final AtomicLong items = new AtomicLong();
    /** BCAST prefixes and their clients and collected keys (Redis's PrefixTable); guarded by this. */
    private final TreeMap<Name, Bcast> prefixes = new TreeMap<>();
    private volatile int prefixCount;
    /** Each BCAST client's prefixes, sorted; guarded by this. */
    private final Map<Client, TreeSet<Name>> clientPrefixes = new HashMap<>();
    private final AtomicBoolean broadcastScheduled = new AtomicBoolean();
    /** Invalidations for the client whose command runs on this thread, sent after its reply. */
    /** Set by the first CLIENT TRACKING ON. */
    private volatile boolean everEnabled;
    private final FastThreadLocal<List<Pending>> pending = new FastThreadLocal<>() {
        @Override
        protected List<Pending> initialValue() {
            return new ArrayList<>();
        }
    };
    private final FastThreadLocal<int[]> keyPositions = new FastThreadLocal<>() {
        @Override
        protected int[] initialValue() {
            return new int[16];
        }
    };
    /** Consecutive times the table could not be brought under tracking-table-max-keys. */
    private volatile int limitRounds;
    private final Object limitLock = new Object();
    private volatile long maxKeys;

    private record Pending(Client client, byte[] key) {}

    /** One BCAST prefix: its clients, and the keys changed since the last broadcast with who changed them. */
    private static final class Bcast {
        final LinkedHashSet<Client> clients = new LinkedHashSet<>();
        TreeMap<Name, Client> keys = new TreeMap<>();
    }

    public Tracking(LarderServer server) {
        this.server = server;
        server.setReadListener(this::keysRead);
        server.addKeyListener(new LarderServer.KeyListener() {
            @Override
            public void keyModified(io.larder.store.Database db, byte[] key) {
                Tracking.this.keyModified(key);
            }

            @Override
            public boolean active() {
                return Tracking.this.active();
            }
        });
        server.addDataFlushListener(db -> flushed());
        server.addClientListener(this::disable);
        server.addResetListener(this::disable);
        server.addAfterCommand((c, client, a, cmd, us) -> {
            // Nothing can be pending before any client turned tracking on.
            if (everEnabled && c.callDepth() <= 1) sendPending(c);
        });
        server.config().watch("tracking-table-max-keys", p -> {
            maxKeys = server.config().getLong("tracking-table-max-keys");
            limitUsedSlots(null);
        });
        server.metrics().register("tracking_total_keys", table::size);
        server.metrics().register("tracking_total_items", items::get);
        server.metrics().register("tracking_total_prefixes", () -> prefixCount);
    }

    // ------------------------------------------------------------ enabling

    /**
     * CLIENT TRACKING ON with options already validated (Redis's
     * enableTracking): options are Client.TRACKING_* flags; prefixes only
     * with BCAST, where none means every key.
     */
    public synchronized void enable(Client c, long redirect, int options, List<byte[]> newPrefixes) {
        everEnabled = true;
        c.setFlag(Client.TRACKING, true);
        c.setFlag(Client.TRACKING_BROKEN_REDIR | Client.TRACKING_BCAST | Client.TRACKING_OPTIN
                | Client.TRACKING_OPTOUT | Client.TRACKING_NOLOOP, false);
        c.trackingRedirect = redirect;
        if ((options & Client.TRACKING_BCAST) != 0) {
            c.setFlag(Client.TRACKING_BCAST, true);
            if (newPrefixes.isEmpty()) addPrefix(c, new Name(new byte[0]));
            for (byte[] p : newPrefixes) addPrefix(c, new Name(p));
        }
        c.setFlag(options & (Client.TRACKING_OPTIN | Client.TRACKING_OPTOUT | Client.TRACKING_NOLOOP), true);
    }

    private void addPrefix(Client c, Name p) {
        Bcast b = prefixes.computeIfAbsent(p, k -> new Bcast());
        if (b.clients.add(c)) clientPrefixes.computeIfAbsent(c, k -> new TreeSet<>()).add(p);
        prefixCount = prefixes.size();
    }

    /** CLIENT TRACKING OFF, RESET, disconnection (Redis's disableTracking). */
    public synchronized void disable(Client c) {
        if (!c.has(Client.TRACKING)) return;
        if (c.has(Client.TRACKING_BCAST)) {
            TreeSet<Name> mine = clientPrefixes.remove(c);
            if (mine != null) {
                for (Name p : mine) {
                    Bcast b = prefixes.get(p);
                    b.clients.remove(c);
                    if (b.clients.isEmpty()) prefixes.remove(p);
                }
            }
            prefixCount = prefixes.size();
        }
        // The table keeps this client's id; invalidations find it no longer tracking and skip it.
        c.setFlag(Client.TRACKING | Client.TRACKING_BROKEN_REDIR | Client.TRACKING_BCAST | Client.TRACKING_OPTIN
                | Client.TRACKING_OPTOUT | Client.TRACKING_NOLOOP | Client.TRACKING_CACHING, false);
    }

    /** The client's BCAST prefixes, sorted as Redis's radix tree lists them. */
    public synchronized List<byte[]> prefixes(Client c) {
        List<byte[]> out = new ArrayList<>();
        TreeSet<Name> mine = clientPrefixes.get(c);
        if (mine != null) for (Name n : mine) out.add(n.bytes);
        return out;
    }

    /**
     * Redis's checkPrefixCollisionsOrReply: no new prefix may be a prefix of
     * (or have as prefix) one the client has, or another new one. Returns the
     * error text, or null.
     */
    public synchronized String prefixCollision(Client c, List<byte[]> newPrefixes) {
        TreeSet<Name> mine = clientPrefixes.get(c);
        for (int i = 0; i < newPrefixes.size(); i++) {
            Name p = new Name(newPrefixes.get(i));
            if (mine != null) {
                for (Name e : mine) {
                    if (e.overlaps(p)) {
                        return "ERR Prefix '" + cString(p.bytes) + "' overlaps with an existing prefix '"
                                + cString(e.bytes) + "'. Prefixes for a single client must not overlap.";
                    }
                }
            }
            for (int j = i + 1; j < newPrefixes.size(); j++) {
                Name q = new Name(newPrefixes.get(j));
                if (p.overlaps(q)) {
                    return "ERR Prefix '" + cString(p.bytes) + "' overlaps with another provided prefix '"
                            + cString(q.bytes) + "'. Prefixes for a single client must not overlap.";
                }
            }
        }
        return null;
    }

    /** As C's "%s" prints it: up to the first NUL. */
    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------ remembering reads

    /** Redis's trackingRememberKeys, after a read-only command, under its locks. */
    private void keysRead(CommandContext c, CommandSpec cmd) {
        Client cl = c.client();
        int f = cl.flags();
        if ((f & Client.TRACKING) == 0 || (f & Client.TRACKING_BCAST) != 0) return;
        // Read-only scripts are not remembered as a whole, only the commands they run.
        String name = cmd.name;
        if (name.equals("eval_ro") || name.equals("evalsha_ro") || name.equals("fcall_ro")) return;
        boolean caching = (f & Client.TRACKING_CACHING) != 0;
        if (((f & Client.TRACKING_OPTIN) != 0 && !caching) || ((f & Client.TRACKING_OPTOUT) != 0 && caching)) return;
        // Shard channels are keys only for cluster routing: nothing to cache.
        if (cmd.has(CommandSpec.PUBSUB)) return;
        Args a = c.args();
        int[] pos = keyPositions.get();
        if (pos.length < a.count()) keyPositions.set(pos = new int[a.count()]);
        int n = cmd.keys(a, pos);
        for (int i = 0; i < n; i++) remember(a.bytes(pos[i]), cl.id);
    }

    private void remember(byte[] key, long id) {
        boolean[] added = new boolean[1];
        table.compute(new Name(key), (k, ids) -> {
            if (ids == null) {
                added[0] = true;
                return new long[] {id};
            }
            for (long x : ids) if (x == id) return ids;
            added[0] = true;
            long[] n = Arrays.copyOf(ids, ids.length + 1);
            n[ids.length] = id;
            return n;
        });
        if (added[0]) items.incrementAndGet();
    }

    // ------------------------------------------------------------ invalidation

    /** Redis's signalModifiedKey: a key changed (write, expiry, eviction). */
    private void keyModified(byte[] key) {
        CommandContext c = server.context();
        Client current = currentClient(c);
        invalidate(key, true, current, current, c);
    }

    /**
     * Redis's trackingInvalidateKey. {@code current}: the client whose command
     * runs (its NOLOOP applies); {@code executing}: the same while its
     * command executes, whose invalidations wait for its reply.
     */
    private void invalidate(byte[] key, boolean bcast, Client current, Client executing, CommandContext c) {
        if (bcast && prefixCount > 0) rememberForBroadcast(key, current);
        long[] ids = table.remove(new Name(key));
        if (ids == null) return;
        items.addAndGet(-ids.length);
        for (long id : ids) {
            Client target = server.clients().get(id);
            if (target == null || !target.has(Client.TRACKING) || target.has(Client.TRACKING_BCAST)) continue;
            if (target == current && target.has(Client.TRACKING_NOLOOP)) continue;
            if (target == executing) pending.get().add(new Pending(target, key));
            else send(target, keysPayload(key), c);
        }
    }

    /** FLUSHDB / FLUSHALL (Redis's trackingInvalidateKeysOnFlush). */
    private void flushed() {
        CommandContext c = server.context();
        Client current = currentClient(c);
        for (Client cl : server.clients().all()) {
            if (!cl.has(Client.TRACKING)) continue;
            if (cl == current) pending.get().add(new Pending(cl, FLUSH));
            else send(cl, cl.resp() == 3 ? NULL3 : NULL2, c);
        }
        table.clear();
        items.set(0);
    }

    /** After the outermost command: the invalidations held for the client that ran it. */
    private void sendPending(CommandContext c) {
        List<Pending> list = pending.get();
        if (list.isEmpty()) return;
        Pending[] all = list.toArray(new Pending[0]);
        list.clear();
        for (Pending p : all) {
            byte[] payload = p.key() == FLUSH ? (p.client().resp() == 3 ? NULL3 : NULL2) : keysPayload(p.key());
            send(p.client(), payload, c);
        }
    }

    /**
     * Redis's sendTrackingMessage: to the client or its redirection, as a
     * RESP3 push or, to a RESP2 redirection in pub/sub mode, as a message on
     * __redis__:invalidate. {@code payload} is the keys array (or null) as
     * RESP.
     */
    private void send(Client target, byte[] payload, CommandContext c) {
        Client dest = target;
        boolean redirected = false;
        long redirect = target.trackingRedirect;
        if (redirect != 0) {
            Client r = server.clients().get(redirect);
            if (r == null) {
                // Tell the client (if it can hear pushes) that its invalidations have nowhere to go.
                target.setFlag(Client.TRACKING_BROKEN_REDIR, true);
                if (target.resp() > 2) {
                    target.outbox().send(ascii(">2\r\n$21\r\ntracking-redir-broken\r\n:" + redirect + "\r\n"), c);
                }
                return;
            }
            dest = r;
            redirected = true;
        }
        byte[] header;
        if (dest.resp() > 2) header = INVALIDATE3;
        else if (redirected && dest.has(Client.PUBSUB)) header = INVALIDATE2;
        else return; // RESP2 without a redirection cannot receive pushes
        byte[] m = new byte[header.length + payload.length];
        System.arraycopy(header, 0, m, 0, header.length);
        System.arraycopy(payload, 0, m, header.length, payload.length);
        dest.outbox().send(m, c);
    }

    private static byte[] keysPayload(byte[] key) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(key.length + 16);
        b.writeBytes(ascii("*1\r\n"));
        bulk(b, key);
        return b.toByteArray();
    }

    private static void bulk(ByteArrayOutputStream b, byte[] v) {
        b.write('$');
        b.writeBytes(ascii(Long.toString(v.length)));
        b.write('\r');
        b.write('\n');
        b.writeBytes(v);
        b.write('\r');
        b.write('\n');
    }

    /** The client whose command this thread is running, or null (expiry cycle, broadcasts). */
    private static Client currentClient(CommandContext c) {
        return c != null && c.callDepth() > 0 ? c.client() : null;
    }

    // ------------------------------------------------------------ BCAST

    private void rememberForBroadcast(byte[] key, Client modifier) {
        boolean any = false;
        synchronized (this) {
            Name k = null;
            for (Map.Entry<Name, Bcast> e : prefixes.entrySet()) {
                if (!e.getKey().isPrefixOf(key)) continue;
                if (k == null) k = new Name(key);
                // The last client to change the key: NOLOOP clients skip their own changes.
                e.getValue().keys.put(k, modifier);
                any = true;
            }
        }
        if (any && !broadcastScheduled.get() && broadcastScheduled.compareAndSet(false, true)) {
            // Like Redis's beforeSleep: after this loop turn's commands (and their replies).
            EventExecutor loop = ThreadExecutorMap.currentExecutor();
            if (loop == null && server.workers() != null) loop = server.workers().next();
            if (loop == null) broadcast();
            else loop.execute(this::broadcast);
        }
    }

    /**
     * Redis's trackingBroadcastInvalidationMessages: for each prefix with
     * changed keys, one message with those keys (sorted) to each of its
     * clients, minus a NOLOOP client's own changes.
     */
    private void broadcast() {
        broadcastScheduled.set(false);
        List<Object[]> out = new ArrayList<>();
        synchronized (this) {
            for (Bcast b : prefixes.values()) {
                if (b.keys.isEmpty()) continue;
                TreeMap<Name, Client> keys = b.keys;
                b.keys = new TreeMap<>();
                byte[] all = keysPayload(keys, null);
                for (Client cl : b.clients) {
                    if (cl.has(Client.TRACKING_NOLOOP)) {
                        byte[] own = keysPayload(keys, cl);
                        if (own != null) out.add(new Object[] {cl, own});
                    } else {
                        out.add(new Object[] {cl, all});
                    }
                }
            }
        }
        for (Object[] m : out) send((Client) m[0], (byte[]) m[1], null);
    }

    /** The keys as a RESP array, without those {@code except} changed itself; null if none is left. */
    private static byte[] keysPayload(TreeMap<Name, Client> keys, Client except) {
        int n = 0;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<Name, Client> e : keys.entrySet()) {
            if (except != null && e.getValue() == except) continue;
            bulk(body, e.getKey().bytes);
            n++;
        }
        if (n == 0) return null;
        ByteArrayOutputStream b = new ByteArrayOutputStream(body.size() + 16);
        b.write('*');
        b.writeBytes(ascii(Integer.toString(n)));
        b.write('\r');
        b.write('\n');
        b.writeBytes(body.toByteArray());
        return b.toByteArray();
    }

    // ------------------------------------------------------------ tracking-table-max-keys

    /**
     * Redis's trackingLimitUsedSlots, before every command while anyone
     * tracks and when the limit changes: over tracking-table-max-keys, keys
     * are invalidated (their clients told) until the table fits, with an
     * effort that grows each time one round was not enough.
     */
    public void limitUsedSlots(Client current) {
        limitUsedSlots(current, null);
    }

    private void limitUsedSlots(Client current, CommandContext c) {
        long max = maxKeys;
        if (max == 0 || table.size() <= max) {
            if (limitRounds != 0) limitRounds = 0;
            return;
        }
        synchronized (limitLock) {
            int effort = 100 * (limitRounds + 1);
            Iterator<Name> it = table.keySet().iterator();
            while (effort-- > 0 && it.hasNext()) {
                // Not executing a command yet: the current client's NOLOOP applies, nothing waits for a reply.
                invalidate(it.next().bytes, false, current, null, c);
                if (table.size() <= max) {
                    limitRounds = 0;
                    return;
                }
            }
            limitRounds++;
        }
    }

    /** Whether any client tracks (the per-command limit check is needed). */
    public boolean active() {
        return !table.isEmpty() || prefixCount > 0;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
