package io.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.larder.testing.Diff;
import io.larder.testing.DifferentialTestBase;
import io.larder.testing.KeyEvents;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What clients see of an eviction, against Redis: the "evicted" keyspace
 * event delivered to a real subscriber, the invalidation a tracking client
 * gets (RESP3 push and REDIRECT to a RESP2 subscriber), the WATCH that makes
 * EXEC fail, the OOM reply of the command that triggered it, and OBJECT
 * FREQ / IDLETIME under each kind of policy. Eviction picks victims at
 * random, so each case holds the one key that will be evicted (maxmemory 1
 * evicts everything), which makes both servers' outcomes certain.
 */
class EvictionEffectsTest extends DifferentialTestBase {
    private final List<AutoCloseable> opened = new ArrayList<>();

    private Diff conn() {
        Diff c = new Diff(larder.port(), redis.port());
        opened.add(c);
        return c;
    }

    @AfterEach
    void restore() throws Exception {
        d.exec("CONFIG", "SET", "maxmemory", "0");
        d.exec("CONFIG", "SET", "maxmemory-policy", "noeviction");
        d.exec("CONFIG", "SET", "notify-keyspace-events", "");
        for (AutoCloseable c : opened) c.close();
        opened.clear();
    }

    @Test
    void evictionNotifiesSubscribersTrackersAndWatchers() {
        d.exec("CONFIG", "SET", "notify-keyspace-events", "KEA");
        KeyEvents le = new KeyEvents(larder.port()), re = new KeyEvents(redis.port());
        opened.add(le);
        opened.add(re);
        d.check("SET", "k", "v");
        Diff tracker = conn(), sub = conn(), redirected = conn(), watcher = conn();
        tracker.resp3();
        tracker.check("CLIENT", "TRACKING", "ON");
        tracker.check("GET", "k");
        // A RESP2 client gets its invalidations through a subscriber of __redis__:invalidate.
        long subL = (Long) sub.larder().call("CLIENT", "ID"), subR = (Long) sub.redis().call("CLIENT", "ID");
        sub.check("SUBSCRIBE", "__redis__:invalidate");
        assertEquals("OK", redirected.larder().call("CLIENT", "TRACKING", "ON", "REDIRECT", Long.toString(subL)));
        assertEquals("OK", redirected.redis().call("CLIENT", "TRACKING", "ON", "REDIRECT", Long.toString(subR)));
        redirected.check("GET", "k");
        watcher.check("WATCH", "k");
        le.drain();
        re.drain();
        // k is the only key: maxmemory 1 evicts it (in the background or before the next command) and the
        // write is refused all the same, since memory stays over one byte.
        d.script("""
                CONFIG SET maxmemory-policy allkeys-random
                CONFIG SET maxmemory 1
                SET other v
                DBSIZE
                GET k
                """);
        tracker.next();
        sub.next();
        List<String> events = le.drain();
        assertEquals(List.of("0 evicted k"), events);
        assertEquals(re.drain(), events);
        watcher.check("MULTI");
        watcher.check("PING");
        watcher.check("EXEC");
        d.check("INFO", "keyspace");
        d.check("CONFIG", "SET", "maxmemory", "0");
        d.check("SET", "k", "v2");
        assertEquals(re.drain(), le.drain());
    }

    @Test
    void objectFreqAndIdletimeUnderEachKindOfPolicy() {
        d.script("""
                SET k v
                OBJECT FREQ k
                OBJECT IDLETIME k
                OBJECT FREQ nokey
                OBJECT IDLETIME nokey
                OBJECT FREQ
                OBJECT FREQ k extra
                OBJECT IDLETIME k extra
                CONFIG SET maxmemory-policy volatile-ttl
                OBJECT FREQ k
                OBJECT IDLETIME k
                CONFIG SET maxmemory-policy allkeys-random
                OBJECT FREQ k
                CONFIG SET maxmemory-policy volatile-lru
                OBJECT FREQ k
                CONFIG SET lfu-log-factor 0
                CONFIG SET maxmemory-policy volatile-lfu
                SET k2 v
                OBJECT FREQ k2
                OBJECT IDLETIME k2
                OBJECT IDLETIME nokey
                GET k2
                OBJECT FREQ k2
                CONFIG SET maxmemory-policy allkeys-lfu
                SET k3 v
                OBJECT FREQ k3
                OBJECT IDLETIME k3
                CONFIG SET lfu-log-factor 10
                """);
        // Larder's own policy counts accesses in its sketch, not in the key: OBJECT answers as under LRU.
        d.larder().call("CONFIG", "SET", "maxmemory-policy", "allkeys-tinylfu");
        d.redis().call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
        d.script("""
                SET k4 v
                OBJECT FREQ k4
                OBJECT IDLETIME k4
                """);
    }
}
