package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.Diff;
import io.larder.testing.DifferentialTestBase;
import io.larder.testing.RespClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Client-side caching against Redis: CLIENT TRACKING in default, OPTIN,
 * OPTOUT, NOLOOP and BCAST (with prefixes) modes, REDIRECT to RESP2 pub/sub
 * and RESP3 clients and to one that went away, invalidations on writes,
 * expiry and FLUSHALL/FLUSHDB (null), none on SWAPDB, CLIENT CACHING,
 * GETREDIR and TRACKINGINFO, every error. Each connection exists on both
 * servers; replies and invalidation messages are compared byte for byte
 * (client ids, which differ between the servers, are masked).
 */
class ClientTrackingTest extends DifferentialTestBase {
    private final List<Diff> conns = new ArrayList<>();

    private Diff conn() {
        Diff c = new Diff(larder.port(), redis.port());
        conns.add(c);
        return c;
    }

    @AfterEach
    void closeConnections() {
        for (Diff c : conns) c.close();
        conns.clear();
    }

    /** A connection's id on each server: {larder, redis}. */
    private static long[] ids(Diff c) {
        return new long[] {(Long) c.larder().call("CLIENT", "ID"), (Long) c.redis().call("CLIENT", "ID")};
    }

    /**
     * Runs a command whose arguments may name a client id ("{id}" stands for
     * {@code id}'s id on each server) and compares the replies with that id
     * masked.
     */
    private static void checkWithId(Diff c, long[] id, int replies, String... cmd) {
        String[] l = cmd.clone(), r = cmd.clone();
        for (int i = 0; i < cmd.length; i++) {
            l[i] = cmd[i].replace("{id}", Long.toString(id[0]));
            r[i] = cmd[i].replace("{id}", Long.toString(id[1]));
        }
        c.larder().send(l);
        c.redis().send(r);
        for (int i = 0; i < replies; i++) compareMasked(c, id);
    }

    /** The next message of both, with the id masked. */
    private static void compareMasked(Diff c, long[] id) {
        String l = mask(c.larder().readRaw(), id[0]), r = mask(c.redis().readRaw(), id[1]);
        assertEquals(r, l);
    }

    private static String mask(byte[] raw, long id) {
        return new String(raw, StandardCharsets.ISO_8859_1).replace(":" + id + "\r\n", ":{id}\r\n");
    }

    @Test
    void defaultModeResp3() {
        Diff t = conn(), w = conn();
        t.resp3();
        t.check("CLIENT", "TRACKING", "ON");
        t.check("GET", "k");
        w.check("SET", "k", "1");
        t.next();
        // Once invalidated, a key is tracked again only when read again.
        w.check("SET", "k", "2");
        t.check("PING");
        t.check("GET", "k");
        t.check("MGET", "k", "k2", "k3");
        w.check("MSET", "k", "1", "k2", "2");
        t.next();
        t.next();
        // The tracking client's own write: the invalidation follows its reply.
        t.check("GET", "k3");
        t.checkN(2, "SET", "k3", "x");
        // Reads that fail are tracked all the same; keys are tracked across databases.
        w.check("RPUSH", "list", "a");
        t.check("GET", "list");
        w.check("SELECT", "1");
        w.check("SET", "list", "other db");
        t.next();
        w.check("SELECT", "0");
        // Commands that read several keys, and non-string reads.
        t.check("LRANGE", "list", "0", "-1");
        t.check("EXISTS", "k", "k2");
        t.check("STRLEN", "k");
        w.check("DEL", "list", "k", "k2");
        t.nextUnordered(3);
        // Writes are not remembered.
        t.check("SET", "fresh", "1");
        w.check("SET", "fresh", "2");
        t.check("PING");
        assertEquals(info(d.redis(), "tracking_total_keys"), info(d.larder(), "tracking_total_keys"));
        assertEquals(info(d.redis(), "tracking_total_items"), info(d.larder(), "tracking_total_items"));
    }

    private static String info(RespClient c, String field) {
        for (String line : ((String) c.call("INFO", "stats")).split("\r\n")) {
            if (line.startsWith(field + ":")) return line;
        }
        for (String line : ((String) c.call("INFO", "clients")).split("\r\n")) {
            if (line.startsWith(field + ":")) return line;
        }
        throw new AssertionError("no " + field);
    }

    @Test
    void flushesSendNullAndSwapdbNothing() {
        Diff t = conn(), w = conn(), t2 = conn();
        t.resp3();
        t.check("CLIENT", "TRACKING", "ON");
        t2.resp3();
        t2.check("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "zz");
        t.check("GET", "k");
        w.check("FLUSHALL");
        t.next();
        t2.next();
        t.check("GET", "k");
        w.check("FLUSHDB");
        t.next();
        t2.next();
        t.check("GET", "k");
        w.check("SWAPDB", "0", "1");
        t.check("PING");
        t2.check("PING");
        // The tracking client's own FLUSHALL: the null invalidation follows its reply.
        t.checkN(2, "FLUSHALL");
        t2.next();
        // A RESP2 tracking client without redirection hears nothing.
        Diff t3 = conn();
        t3.check("CLIENT", "TRACKING", "ON");
        t3.check("GET", "k");
        w.check("SET", "k", "v");
        w.check("FLUSHALL");
        t3.check("PING");
        t.next();
        t2.next();
    }

    @Test
    void redirection() {
        Diff t = conn(), w = conn(), sub = conn(), plain = conn(), r3 = conn();
        long[] subId = ids(sub), plainId = ids(plain), r3Id = ids(r3);
        sub.checkN(1, "SUBSCRIBE", "__redis__:invalidate");
        // To a RESP2 client in pub/sub mode: a message on __redis__:invalidate.
        checkWithId(t, subId, 1, "CLIENT", "TRACKING", "ON", "REDIRECT", "{id}");
        checkWithId(t, subId, 1, "CLIENT", "GETREDIR");
        checkWithId(t, subId, 1, "CLIENT", "TRACKINGINFO");
        t.check("GET", "k");
        w.check("SET", "k", "1");
        sub.next();
        t.check("GET", "k");
        t.check("SET", "k", "self");
        sub.next();
        t.check("GET", "k");
        w.check("FLUSHALL");
        sub.next();
        // To a RESP2 client not in pub/sub mode: nothing.
        checkWithId(t, plainId, 1, "CLIENT", "TRACKING", "ON", "REDIRECT", "{id}");
        t.check("GET", "k");
        w.check("SET", "k", "2");
        plain.check("PING");
        // To a RESP3 client: a push, whatever it does itself.
        r3.resp3();
        checkWithId(t, r3Id, 1, "CLIENT", "TRACKING", "ON", "REDIRECT", "{id}");
        t.check("GET", "k");
        w.check("SET", "k", "3");
        r3.next();
        // A RESP3 tracking client whose redirection went away is told so, and flagged.
        Diff t3 = conn();
        t3.resp3();
        checkWithId(t3, r3Id, 1, "CLIENT", "TRACKING", "ON", "REDIRECT", "{id}");
        t3.check("GET", "gone");
        r3.close();
        conns.remove(r3);
        awaitGone(w, r3Id);
        w.check("SET", "gone", "1");
        compareMasked(t3, r3Id);
        checkWithId(t3, r3Id, 1, "CLIENT", "TRACKINGINFO");
        checkWithId(t3, r3Id, 1, "CLIENT", "GETREDIR");
        assertEquals(flags(w.redis(), r3Id[1]), flags(w.larder(), r3Id[0]));
        sub.check("PING");
    }

    /** Waits until the connection with these ids is gone from both servers. */
    private static void awaitGone(Diff c, long[] id) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!((String) c.larder().call("CLIENT", "LIST")).contains("id=" + id[0] + " ")
                    && !((String) c.redis().call("CLIENT", "LIST")).contains("id=" + id[1] + " ")) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("client not gone");
    }

    /** The flags of the clients that redirect to {@code redirect} (CLIENT LIST redir=...). */
    private static String flags(RespClient c, long redirect) {
        StringBuilder b = new StringBuilder();
        for (String line : ((String) c.call("CLIENT", "LIST")).split("\n")) {
            if (!line.contains(" redir=" + redirect + " ")) continue;
            for (String f : line.split(" ")) if (f.startsWith("flags=")) b.append(f).append(';');
        }
        return b.toString();
    }

    @Test
    void noloop() {
        Diff t = conn(), w = conn();
        t.resp3();
        t.check("CLIENT", "TRACKING", "ON", "NOLOOP");
        t.check("CLIENT", "TRACKINGINFO");
        t.check("GET", "k");
        t.check("SET", "k", "mine");
        t.check("PING");
        // The own write consumed the entry: another client's write now says nothing either.
        w.check("SET", "k", "theirs");
        t.check("PING");
        t.check("GET", "k");
        w.check("SET", "k", "theirs again");
        t.next();
    }

    @Test
    void optinAndOptout() {
        Diff t = conn(), w = conn();
        t.resp3();
        t.check("CLIENT", "CACHING", "YES");
        t.check("CLIENT", "TRACKING", "ON", "OPTIN");
        t.check("CLIENT", "TRACKINGINFO");
        t.check("GET", "a");
        w.check("SET", "a", "1");
        t.check("PING");
        t.check("CLIENT", "CACHING", "YES");
        t.check("CLIENT", "TRACKINGINFO");
        t.check("GET", "a");
        w.check("SET", "a", "2");
        t.next();
        // CACHING covers the next command only, but CLIENT commands in between keep it.
        t.check("CLIENT", "CACHING", "YES");
        t.exec("CLIENT", "ID");
        t.check("GET", "b");
        t.check("CLIENT", "CACHING", "YES");
        t.check("PING");
        t.check("GET", "c");
        // A rejected command consumes it too.
        t.check("CLIENT", "CACHING", "YES");
        t.check("GET");
        t.check("GET", "d");
        w.check("MSET", "b", "1", "c", "1", "d", "1");
        t.next();
        t.check("PING");
        t.check("CLIENT", "CACHING", "NO");
        t.check("CLIENT", "CACHING", "maybe");
        t.check("CLIENT", "TRACKING", "ON", "OPTOUT");
        t.check("CLIENT", "TRACKING", "OFF");
        t.check("CLIENT", "TRACKING", "ON", "OPTOUT");
        t.check("CLIENT", "TRACKINGINFO");
        t.check("CLIENT", "CACHING", "YES");
        t.check("GET", "e");
        t.check("CLIENT", "CACHING", "NO");
        t.check("CLIENT", "TRACKINGINFO");
        t.check("GET", "f");
        w.check("MSET", "e", "1", "f", "1");
        t.next();
        t.check("PING");
        t.check("CLIENT", "TRACKING", "ON", "OPTIN");
        t.check("CLIENT", "TRACKING", "OFF");
        t.check("CLIENT", "CACHING", "YES");
    }

    @Test
    void bcast() {
        Diff t = conn(), n = conn(), all = conn(), w = conn();
        t.resp3();
        n.resp3();
        all.resp3();
        t.check("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:", "PREFIX", "item:");
        n.check("CLIENT", "TRACKING", "ON", "BCAST", "NOLOOP", "PREFIX", "user:");
        all.check("CLIENT", "TRACKING", "ON", "BCAST");
        t.check("CLIENT", "TRACKINGINFO");
        all.check("CLIENT", "TRACKINGINFO");
        // One message per prefix, keys sorted; no message for keys without a matching prefix.
        w.check("MSET", "user:2", "a", "item:9", "b", "user:1", "c", "other", "d");
        t.next();
        t.next();
        n.next();
        all.next();
        w.check("SET", "nomatch", "1");
        all.next();
        t.check("PING");
        n.check("PING");
        // NOLOOP leaves out the client's own changes, even in a batch with others'.
        n.check("SET", "user:own", "1");
        t.next();
        all.next();
        n.check("PING");
        // Its own write (no NOLOOP): after the reply.
        t.checkN(2, "SET", "item:1", "x");
        all.next();
        t.check("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "order:");
        t.check("CLIENT", "TRACKINGINFO");
        w.check("SET", "order:1", "x");
        t.next();
        all.next();
        t.check("CLIENT", "TRACKING", "OFF");
        w.check("SET", "user:9", "x");
        n.next();
        all.next();
        t.check("PING");
        assertEquals(info(d.redis(), "tracking_total_prefixes"), info(d.larder(), "tracking_total_prefixes"));
    }

    @Test
    void errors() {
        Diff t = conn();
        long[] self = ids(t);
        t.script("""
                CLIENT TRACKING
                CLIENT TRACKING maybe
                CLIENT TRACKING ON PREFIX a
                CLIENT TRACKING ON BCAST OPTIN
                CLIENT TRACKING ON BCAST OPTOUT
                CLIENT TRACKING ON OPTIN OPTOUT
                CLIENT TRACKING ON REDIRECT abc
                CLIENT TRACKING ON REDIRECT 99999
                CLIENT TRACKING ON REDIRECT 0
                CLIENT TRACKING ON REDIRECT -1
                CLIENT TRACKING ON REDIRECT
                CLIENT TRACKING ON FOO
                CLIENT TRACKING OFF FOO
                CLIENT TRACKING OFF REDIRECT 99999
                CLIENT TRACKING OFF BCAST OPTIN
                CLIENT TRACKING ON BCAST PREFIX ab PREFIX a
                CLIENT TRACKING ON BCAST PREFIX ab PREFIX ab
                CLIENT TRACKING ON BCAST PREFIX a PREFIX ab
                CLIENT TRACKING ON BCAST PREFIX x PREFIX y
                CLIENT TRACKING ON BCAST PREFIX xa
                CLIENT TRACKING ON BCAST PREFIX z
                CLIENT TRACKING ON
                CLIENT TRACKING ON BCAST PREFIX x
                CLIENT TRACKINGINFO
                CLIENT TRACKING ON BCAST
                CLIENT TRACKINGINFO
                CLIENT TRACKING OFF
                CLIENT TRACKING ON OPTIN
                CLIENT TRACKING ON BCAST
                CLIENT TRACKING ON OPTOUT
                CLIENT TRACKING ON
                CLIENT TRACKINGINFO
                CLIENT CACHING YES
                CLIENT CACHING
                CLIENT CACHING YES NO
                CLIENT GETREDIR extra
                CLIENT TRACKINGINFO extra
                CLIENT TRACKING OFF
                CLIENT CACHING YES
                CLIENT TRACKING ON BCAST PREFIX "a\\x00b" PREFIX a
                """);
        checkWithId(t, self, 1, "CLIENT", "TRACKING", "ON", "REDIRECT", "{id}", "REDIRECT", "{id}");
        checkWithId(t, self, 1, "CLIENT", "TRACKING", "ON", "REDIRECT", "{id}");
        checkWithId(t, self, 1, "CLIENT", "GETREDIR");
    }

    @Test
    void expiryInvalidates() {
        Diff t = conn(), w = conn();
        t.resp3();
        t.check("CLIENT", "TRACKING", "ON");
        w.check("SET", "e", "v", "PX", "30");
        t.check("GET", "e");
        // Removed by the active cycle on each server (at its own moment): the invalidation arrives.
        t.next();
        t.check("GET", "e");
        t.check("PING");
    }

    @Test
    void resetAndDisconnectEndTracking() {
        Diff t = conn(), w = conn();
        t.resp3();
        t.check("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "p");
        t.check("RESET");
        t.check("CLIENT", "TRACKINGINFO");
        w.check("SET", "p1", "x");
        t.check("PING");
        assertEquals(info(d.redis(), "tracking_total_prefixes"), info(d.larder(), "tracking_total_prefixes"));
        assertEquals(info(d.redis(), "tracking_clients"), info(d.larder(), "tracking_clients"));
    }

    /**
     * tracking-table-max-keys: past the limit, keys are invalidated (their
     * readers told) until the table fits. Which keys Redis picks is random, so
     * this counts them on Larder alone.
     */
    @Test
    void trackingTableLimit() throws Exception {
        try (RespClient t = larder.client(); RespClient c = larder.client()) {
            t.call("HELLO", "3");
            t.call("CLIENT", "TRACKING", "ON");
            for (int i = 0; i < 10; i++) t.call("GET", "lim:" + i);
            assertEquals("tracking_total_keys:10", info(c, "tracking_total_keys"));
            larder.server().config().set("tracking-table-max-keys", "4");
            // Six keys go, each with its invalidation.
            for (int i = 0; i < 6; i++) {
                Object m = RespClient.decode(t.readRaw());
                assertTrue(m instanceof RespClient.Push p && p.items().get(0).equals("invalidate"), "push: " + m);
            }
            assertEquals("tracking_total_keys:4", info(c, "tracking_total_keys"));
            assertEquals("PONG", t.call("PING"));
            // Reading more keeps the table at the limit: the check runs before each command.
            t.call("GET", "lim:more");
            t.call("GET", "lim:more2");
            assertTrue(info(c, "tracking_total_keys").compareTo("tracking_total_keys:6") <= 0);
        } finally {
            larder.server().config().set("tracking-table-max-keys", "1000000");
        }
    }
}
