package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.Diff;
import io.larder.testing.DifferentialTestBase;
import io.larder.testing.RespClient;
import io.larder.util.Glob;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pub/sub against Redis: every reply of the subscribe family in RESP2 and
 * RESP3, the messages each subscriber receives (one connection per
 * subscriber on each server, compared byte for byte), PUBSUB introspection,
 * sharded channels, the RESP2 subscribed-mode restrictions, RESET, CLIENT
 * REPLY OFF, CLIENT LIST and INFO fields, and a randomized sequence.
 */
class PubSubCommandsTest extends DifferentialTestBase {
    private final List<Diff> conns = new ArrayList<>();

    /** Another connection to both servers. */
    private Diff conn() {
        Diff c = new Diff(larder.port(), redis.port());
        conns.add(c);
        return c;
    }

    @BeforeEach
    void noSubscriptionsLeft() {
        // Connections of the previous test are closed asynchronously: wait until both servers forgot them.
        awaitEquals("0", () -> String.valueOf(d.larder().call("PUBSUB", "NUMPAT")) + d.larder().call("PUBSUB", "CHANNELS")
                + d.larder().call("PUBSUB", "SHARDCHANNELS"), "0[][]");
        awaitEquals("0", () -> String.valueOf(d.redis().call("PUBSUB", "NUMPAT")) + d.redis().call("PUBSUB", "CHANNELS")
                + d.redis().call("PUBSUB", "SHARDCHANNELS"), "0[][]");
    }

    @AfterEach
    void closeConnections() {
        for (Diff c : conns) c.close();
        conns.clear();
    }

    private static void awaitEquals(String what, java.util.function.Supplier<String> s, String expected) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        String v = s.get();
        while (!v.equals(expected) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            v = s.get();
        }
        assertEquals(expected, v, what);
    }

    @Test
    void subscribeFamilyRepliesResp2() {
        Diff s = conn();
        s.checkN(3, "SUBSCRIBE", "a", "b", "a");
        s.checkN(2, "PSUBSCRIBE", "h*", "h*");
        s.checkN(2, "SSUBSCRIBE", "s1", "s2");
        s.check("PING");
        s.check("PING", "hello");
        s.check("PING", "a", "b");
        s.check("GET", "x");
        s.check("SET", "x", "1");
        s.check("HELLO", "3");
        s.check("CLIENT", "ID");
        s.check("CLIENT", "NOSUCH");
        s.check("PUBLISH", "a", "m");
        s.check("PUBSUB", "NUMPAT");
        s.check("NOSUCHCOMMAND");
        s.check("SUBSCRIBE");
        s.check("ECHO", "x");
        s.checkN(1, "UNSUBSCRIBE", "b");
        s.checkN(2, "UNSUBSCRIBE", "nope", "a");
        s.checkN(1, "UNSUBSCRIBE");
        s.checkN(1, "PUNSUBSCRIBE", "x*");
        s.checkN(1, "PUNSUBSCRIBE");
        s.checkN(1, "PUNSUBSCRIBE");
        s.check("GET", "x");
        s.checkN(1, "SUNSUBSCRIBE", "s2");
        s.checkN(1, "SUNSUBSCRIBE");
        s.checkN(1, "SUNSUBSCRIBE");
        // Out of subscribed mode: everything is allowed again.
        s.check("GET", "x");
        s.checkN(1, "UNSUBSCRIBE");
        s.check("PING");
    }

    @Test
    void subscribeFamilyRepliesResp3() {
        Diff s = conn();
        s.resp3();
        s.checkN(2, "SUBSCRIBE", "a", "b");
        s.checkN(1, "PSUBSCRIBE", "a*");
        s.checkN(1, "SSUBSCRIBE", "a");
        s.check("SET", "k", "v");
        s.check("GET", "k");
        s.check("PING");
        s.check("PING", "x");
        // Publishing to itself: the pushes come before PUBLISH's own reply.
        s.checkN(3, "PUBLISH", "a", "hi");
        s.checkN(2, "SPUBLISH", "a", "shard");
        s.checkN(1, "PUBLISH", "zz", "nobody");
        // Back to RESP2 while subscribed: the restrictions apply again.
        s.exec("HELLO", "2");
        s.check("GET", "k");
        s.checkN(1, "UNSUBSCRIBE", "b");
        s.checkN(1, "UNSUBSCRIBE", "a");
        s.checkN(1, "PUNSUBSCRIBE");
        s.check("GET", "k");
        s.checkN(1, "SUNSUBSCRIBE");
        s.check("GET", "k");
    }

    @Test
    void messagesReachEverySubscriber() {
        Diff s1 = conn(), s2 = conn(), s3 = conn(), p = conn();
        s1.checkN(2, "SUBSCRIBE", "news", "sport");
        s2.checkN(1, "SUBSCRIBE", "news");
        s3.resp3();
        s3.checkN(1, "SUBSCRIBE", "news");
        p.check("PUBLISH", "news", "hello");
        s1.next();
        s2.next();
        s3.next();
        p.check("PUBLISH", "sport", "goal");
        s1.next();
        p.check("PUBLISH", "weather", "rain");
        p.check("PUBLISH", "news", "");
        s1.next();
        s2.next();
        s3.next();
        // Binary-safe names and payloads.
        s2.checkN(1, "SUBSCRIBE", "bin\r\n\0x");
        p.check("PUBLISH", "bin\r\n\0x", "a\r\nb\0c");
        s2.next();
        // Several messages in a row arrive in publishing order.
        for (int i = 0; i < 50; i++) p.check("PUBLISH", "news", "m" + i);
        for (int i = 0; i < 50; i++) {
            s1.next();
            s2.next();
            s3.next();
        }
        // Nothing else is pending: the next thing each sees is its PING reply.
        s1.check("PING");
        s2.check("PING");
        s3.check("PING");
    }

    @Test
    void patternsMatchAsRedis() {
        Diff s = conn(), p = conn();
        String[] patterns = {"*", "h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "h[b-a]llo", "h\\*llo",
                "x[", "x[\\]]", "[", "\\", "a*b*c", "*.*", "news.*", "news.[ae]*"};
        for (String pat : patterns) s.checkN(1, "PSUBSCRIBE", pat);
        String[] channels = {"hello", "hallo", "hbllo", "hllo", "heeello", "h*llo", "x[", "x]", "[", "\\", "abc",
                "aXbYc", "news.art", "news.eat", "news.", "plain", ""};
        for (String ch : channels) {
            Object n = p.check("PUBLISH", ch, "m");
            s.nextUnordered(((Long) n).intValue());
        }
        s.check("PING");
        p.check("PUBSUB", "NUMPAT");
    }

    @Test
    void channelAndPatternMessagesForOneSubscriber() {
        Diff s = conn(), p = conn();
        s.checkN(1, "SUBSCRIBE", "chan");
        s.checkN(1, "PSUBSCRIBE", "c*");
        p.check("PUBLISH", "chan", "x");
        // The channel's copy first, then the pattern's.
        s.next();
        s.next();
        s.checkN(1, "PSUBSCRIBE", "ch?n");
        p.check("PUBLISH", "chan", "y");
        s.next();
        s.nextUnordered(2);
        s.check("PING");
    }

    @Test
    void introspection() {
        Diff a = conn(), b = conn(), q = conn();
        a.check("CLIENT", "SETNAME", "a");
        b.check("CLIENT", "SETNAME", "b");
        a.checkN(3, "SUBSCRIBE", "c1", "c2", "other");
        b.checkN(2, "SUBSCRIBE", "c1", "x");
        a.checkN(2, "PSUBSCRIBE", "p*", "q*");
        b.checkN(1, "PSUBSCRIBE", "p*");
        a.checkN(2, "SSUBSCRIBE", "s1", "s2");
        b.checkN(1, "SSUBSCRIBE", "s1");
        q.checkUnordered("PUBSUB", "CHANNELS");
        q.checkUnordered("PUBSUB", "CHANNELS", "c*");
        q.checkUnordered("PUBSUB", "CHANNELS", "[cx]*");
        q.check("PUBSUB", "CHANNELS", "nomatch*");
        q.check("PUBSUB", "CHANNELS", "a", "b");
        q.check("PUBSUB", "NUMSUB");
        q.check("PUBSUB", "NUMSUB", "c1", "c2", "nope", "s1", "c1");
        q.check("PUBSUB", "NUMPAT");
        q.check("PUBSUB", "NUMPAT", "x");
        q.checkUnordered("PUBSUB", "SHARDCHANNELS");
        q.check("PUBSUB", "SHARDCHANNELS", "s2");
        q.check("PUBSUB", "SHARDCHANNELS", "a", "b");
        q.check("PUBSUB", "SHARDNUMSUB", "s1", "s2", "c1");
        q.check("PUBSUB", "SHARDNUMSUB");
        q.check("PUBSUB", "HELP");
        q.check("PUBSUB", "help", "extra");
        q.check("PUBSUB", "NOSUCH");
        q.check("PUBSUB");
        q.resp3();
        q.checkUnordered("PUBSUB", "CHANNELS");
        q.check("PUBSUB", "NUMSUB", "c1", "x");
        q.check("PUBSUB", "SHARDNUMSUB", "s1");
        // Counts follow unsubscriptions; a channel without subscribers disappears.
        b.checkN(1, "UNSUBSCRIBE", "x");
        b.checkN(1, "PUNSUBSCRIBE", "p*");
        q.checkUnordered("PUBSUB", "CHANNELS");
        q.check("PUBSUB", "NUMSUB", "c1", "x");
        q.check("PUBSUB", "NUMPAT");
        // INFO and CLIENT LIST count subscriptions as Redis does.
        assertEquals(info(d.redis(), "pubsub_channels"), info(d.larder(), "pubsub_channels"));
        assertEquals(info(d.redis(), "pubsub_patterns"), info(d.larder(), "pubsub_patterns"));
        assertEquals(info(d.redis(), "pubsubshard_channels"), info(d.larder(), "pubsubshard_channels"));
        for (String n : new String[] {"a", "b"}) {
            assertEquals(clientFields(q.redis(), n), clientFields(q.larder(), n), "CLIENT LIST of " + n);
        }
    }

    private static String info(RespClient c, String field) {
        for (String line : ((String) c.call("INFO", "stats")).split("\r\n")) {
            if (line.startsWith(field + ":")) return line;
        }
        throw new AssertionError("no " + field);
    }

    /** The flags and subscription counts in the CLIENT LIST line of the connection named {@code name}. */
    private static String clientFields(RespClient other, String name) {
        for (String line : ((String) other.call("CLIENT", "LIST")).split("\n")) {
            if (!line.contains(" name=" + name + " ")) continue;
            StringBuilder b = new StringBuilder();
            for (String f : line.split(" ")) {
                if (f.startsWith("flags=") || f.startsWith("sub=") || f.startsWith("psub=") || f.startsWith("ssub=")) {
                    b.append(f).append(' ');
                }
            }
            return b.toString();
        }
        throw new AssertionError("no client named " + name);
    }

    @Test
    void shardedChannels() {
        Diff s = conn(), ps = conn(), p = conn();
        s.checkN(2, "SSUBSCRIBE", "orders", "{tag}x");
        ps.checkN(1, "PSUBSCRIBE", "*");
        ps.checkN(1, "SUBSCRIBE", "orders");
        // SPUBLISH reaches shard subscribers only; PUBLISH reaches the others only.
        p.check("SPUBLISH", "orders", "o1");
        s.next();
        p.check("PUBLISH", "orders", "o2");
        ps.next();
        ps.next();
        p.check("SPUBLISH", "nobody", "x");
        s.check("PING");
        ps.check("PING");
        s.checkN(1, "SUNSUBSCRIBE", "{tag}x");
        s.checkN(1, "SSUBSCRIBE", "orders");
        p.check("SPUBLISH", "orders", "o3");
        s.next();
        s.check("PING");
    }

    @Test
    void resetLeavesPubSub() {
        Diff s = conn(), p = conn();
        s.checkN(1, "SUBSCRIBE", "r");
        s.checkN(1, "PSUBSCRIBE", "r*");
        s.checkN(1, "SSUBSCRIBE", "r");
        s.check("RESET");
        s.check("GET", "x");
        p.check("PUBLISH", "r", "gone");
        p.check("SPUBLISH", "r", "gone");
        p.check("PUBSUB", "NUMSUB", "r");
        p.check("PUBSUB", "NUMPAT");
        s.check("PING");
        // RESP3 subscriptions end the same way.
        s.resp3();
        s.checkN(1, "SUBSCRIBE", "r");
        s.check("RESET");
        s.check("PING");
        p.check("PUBLISH", "r", "gone");
    }

    @Test
    void quitWhileSubscribed() {
        Diff s = conn(), p = conn();
        s.checkN(1, "SUBSCRIBE", "q");
        s.check("QUIT");
        assertTrue(s.larder().isClosedByServer(2000));
        assertTrue(s.redis().isClosedByServer(2000));
        awaitEquals("subscribers after QUIT", () -> String.valueOf(p.larder().call("PUBLISH", "q", "x")), "0");
    }

    @Test
    void pushesPassClientReplyOff() {
        Diff s = conn(), p = conn();
        s.resp3();
        s.larder().send("CLIENT", "REPLY", "OFF");
        s.redis().send("CLIENT", "REPLY", "OFF");
        // The subscription confirmations and messages still come; the replies do not.
        s.larder().send("SUBSCRIBE", "off");
        s.redis().send("SUBSCRIBE", "off");
        s.next();
        s.larder().send("PUBLISH", "off", "self");
        s.redis().send("PUBLISH", "off", "self");
        s.next();
        p.check("PUBLISH", "off", "other");
        s.next();
        s.larder().send("CLIENT", "REPLY", "ON");
        s.redis().send("CLIENT", "REPLY", "ON");
        s.next();
        s.check("PING");
    }

    @Test
    void subscribedClientsAreListedAndKilledAsPubSub() {
        Diff s = conn(), q = conn();
        s.checkN(1, "SUBSCRIBE", "k");
        q.check("CLIENT", "KILL", "TYPE", "pubsub");
        assertTrue(s.larder().isClosedByServer(2000));
        assertTrue(s.redis().isClosedByServer(2000));
        q.check("CLIENT", "KILL", "TYPE", "pubsub");
    }

    /** Random subscribe/unsubscribe/publish traffic over four connections; every reply and message compared. */
    @Test
    void randomizedSequence() {
        Random r = new Random(20261126);
        Diff[] subs = {conn(), conn(), conn()};
        subs[2].resp3();
        // What each connection is subscribed to, to know how many messages a publish owes it.
        List<Set<String>> channels = new ArrayList<>(), patterns = new ArrayList<>(), shard = new ArrayList<>();
        for (int i = 0; i < subs.length; i++) {
            channels.add(new HashSet<>());
            patterns.add(new HashSet<>());
            shard.add(new HashSet<>());
        }
        Diff p = conn();
        String[] names = {"a", "b", "c", "ab", "abc", "x.y", "x.z"};
        String[] pats = {"a*", "?b*", "x.*", "[ab]", "*c", "*"};
        for (int step = 0; step < 600; step++) {
            int i = r.nextInt(subs.length);
            Diff s = subs[i];
            String name = names[r.nextInt(names.length)], pat = pats[r.nextInt(pats.length)];
            switch (r.nextInt(9)) {
                case 0, 1 -> {
                    s.checkN(1, "SUBSCRIBE", name);
                    channels.get(i).add(name);
                }
                case 2 -> {
                    s.checkN(1, "PSUBSCRIBE", pat);
                    patterns.get(i).add(pat);
                }
                case 3 -> {
                    s.checkN(1, "UNSUBSCRIBE", name);
                    channels.get(i).remove(name);
                }
                case 4 -> {
                    s.checkN(1, "PUNSUBSCRIBE", pat);
                    patterns.get(i).remove(pat);
                }
                case 5 -> {
                    s.checkN(1, "SSUBSCRIBE", name);
                    shard.get(i).add(name);
                }
                case 6 -> {
                    s.checkN(1, "SUNSUBSCRIBE", name);
                    shard.get(i).remove(name);
                }
                default -> {
                    boolean sharded = r.nextInt(4) == 0;
                    p.check(sharded ? "SPUBLISH" : "PUBLISH", name, "m" + step);
                    for (int k = 0; k < subs.length; k++) {
                        int n;
                        if (sharded) {
                            n = shard.get(k).contains(name) ? 1 : 0;
                        } else {
                            n = channels.get(k).contains(name) ? 1 : 0;
                            for (String q : patterns.get(k)) if (Glob.match(b(q), b(name), false)) n++;
                        }
                        if (n > 0) subs[k].nextUnordered(n);
                    }
                }
            }
            if (step % 50 == 0) {
                p.checkUnordered("PUBSUB", "CHANNELS");
                p.checkUnordered("PUBSUB", "SHARDCHANNELS");
                p.check("PUBSUB", "NUMPAT");
            }
        }
        for (Diff x : subs) x.check("PING");
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
