package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.Diff;
import io.larder.testing.KeyEvents;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Keyspace notifications as a subscriber sees them, against Redis: every
 * notify-keyspace-events flag (K E g $ l s h z x e t m d n A) set at run time
 * with CONFIG SET, both channel forms (__keyspace@db__:key and
 * __keyevent@db__:event), events of every family in this tree, databases
 * other than 0, expired events from the active cycle and from lookups, and
 * the order of a RESP3 client's own events relative to its reply. Per-family
 * event names are checked command by command in KeyspaceSideEffectsTest and
 * the family tests, also through a real subscriber.
 */
class KeyspaceNotificationsTest {
    static LarderTestServer larder;
    static RedisOracle redis;
    Diff d;

    @BeforeAll
    static void start() {
        larder = LarderTestServer.start("--enable-debug-command", "yes");
        redis = RedisOracle.start("--enable-debug-command", "yes");
    }

    @AfterAll
    static void stop() {
        if (larder != null) larder.close();
        if (redis != null) redis.close();
    }

    @BeforeEach
    void connect() {
        d = new Diff(larder.port(), redis.port());
        d.exec("FLUSHALL");
        d.exec("DEBUG", "SET-ACTIVE-EXPIRE", "1");
    }

    @AfterEach
    void disconnect() {
        d.exec("CONFIG", "SET", "notify-keyspace-events", "");
        d.close();
    }

    /** Commands of every family here, with a miss (m) and a new key (n) among them. */
    private static final String SCRIPT = """
            SET s v
            SET s v2 EX 100
            APPEND s x
            INCR n
            INCRBYFLOAT f 1.5
            SETRANGE s 1 yy
            GETDEL s
            GET missing
            MSET a 1 b 2
            RENAME a c
            MOVE c 3
            COPY b b2
            EXPIRE b 100
            PERSIST b
            EXPIRE b2 -1
            DEL b nothing
            RPUSH l 1 2 3
            LPOP l
            LMOVE l l2 LEFT RIGHT
            LTRIM l 5 6
            SETBIT bits 7 1
            BITOP NOT bits2 bits
            PFADD h a b
            PFMERGE h2 h
            SELECT 5
            SET other db
            DEL other
            SELECT 0
            FLUSHDB
            """;

    @Test
    void everyFlagCombination() {
        String[] settings = {"", "K", "E", "A", "KA", "EA", "KEA", "Kg", "E$", "El", "Kgx", "KEg$lshzxetmdn", "AKE",
                "KEm", "Em", "En", "KEn", "Et", "Ed", "Ex", "Ee", "gK$E", "KEAmn"};
        for (String flags : settings) {
            d.check("CONFIG", "SET", "notify-keyspace-events", flags);
            d.check("CONFIG", "GET", "notify-keyspace-events");
            try (KeyEvents l = new KeyEvents(larder.port(), "__key*__:*");
                    KeyEvents r = new KeyEvents(redis.port(), "__key*__:*")) {
                d.script(SCRIPT);
                List<String> expected = show(r.drainMessages());
                assertEquals(expected, show(l.drainMessages()), "events with flags '" + flags + "'");
                if (flags.equals("KEA")) assertTrue(expected.size() > 40, "the script raises events: " + expected);
            }
        }
        d.check("CONFIG", "SET", "notify-keyspace-events", "KEq");
        d.check("CONFIG", "SET", "notify-keyspace-events", "KE A");
        d.check("CONFIG", "GET", "notify-keyspace-events");
    }

    private static List<String> show(List<String[]> messages) {
        List<String> out = new ArrayList<>();
        for (String[] m : messages) out.add(m[0] + " -> " + m[1]);
        return out;
    }

    @Test
    void exactChannelSubscriptions() {
        d.check("CONFIG", "SET", "notify-keyspace-events", "KEA");
        Diff space = new Diff(larder.port(), redis.port()), event = new Diff(larder.port(), redis.port());
        try {
            space.checkN(1, "SUBSCRIBE", "__keyspace@0__:k");
            event.checkN(1, "SUBSCRIBE", "__keyevent@0__:del");
            d.check("SET", "k", "v");
            space.next();
            d.check("DEL", "k");
            space.next();
            event.next();
            d.check("SET", "other", "v");
            d.check("DEL", "other");
            event.next();
            space.check("PING");
            event.check("PING");
        } finally {
            space.close();
            event.close();
        }
    }

    @Test
    void ownEventsComeBeforeTheReplyInResp3() {
        d.check("CONFIG", "SET", "notify-keyspace-events", "KEA");
        Diff c = new Diff(larder.port(), redis.port());
        try {
            c.resp3();
            c.checkN(1, "PSUBSCRIBE", "__key*__:*");
            c.checkN(3, "SET", "k", "v");
            c.checkN(5, "RENAME", "k", "k2");
            c.checkN(1, "GET", "k2");
            c.checkN(3, "DEL", "k2");
        } finally {
            c.close();
        }
    }

    @Test
    void expiredEventsFromTheActiveCycle() {
        d.check("CONFIG", "SET", "notify-keyspace-events", "KEx");
        try (KeyEvents l = new KeyEvents(larder.port(), "__key*__:*");
                KeyEvents r = new KeyEvents(redis.port(), "__key*__:*")) {
            for (int i = 0; i < 20; i++) d.check("SET", "t" + i, "v", "PX", String.valueOf(20 + i));
            Set<String> fromLarder = collect(l, 40), fromRedis = collect(r, 40);
            assertEquals(fromRedis, fromLarder);
        }
    }

    /** Every message until {@code n} distinct ones arrived (expiry happens in the background, in any order). */
    private static Set<String> collect(KeyEvents e, int n) {
        Set<String> seen = new HashSet<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (seen.size() < n && System.nanoTime() < deadline) {
            for (String[] m : e.drainMessages()) seen.add(m[0] + " -> " + m[1]);
        }
        return seen;
    }

    @Test
    void expiredEventsFromLookups() {
        d.check("DEBUG", "SET-ACTIVE-EXPIRE", "0");
        d.check("CONFIG", "SET", "notify-keyspace-events", "KEA");
        try (KeyEvents l = new KeyEvents(larder.port(), "__key*__:*");
                KeyEvents r = new KeyEvents(redis.port(), "__key*__:*")) {
            d.check("SET", "a", "1", "PX", "1");
            d.check("SET", "b", "1", "PX", "1");
            d.check("RPUSH", "c", "x");
            d.check("PEXPIRE", "c", "1");
            assertEquals(show(r.drainMessages()), show(l.drainMessages()));
            sleep(20);
            // A read, a write and an existence check each find their key expired.
            d.check("GET", "a");
            d.check("SET", "b", "2");
            d.check("EXISTS", "c");
            d.check("DBSIZE");
            assertEquals(show(r.drainMessages()), show(l.drainMessages()));
        } finally {
            d.check("DEBUG", "SET-ACTIVE-EXPIRE", "1");
        }
    }

    /** A subscriber to __keyevent@0__:expired hears of every one of 10,000 keys expiring. */
    @Test
    void everyExpiringKeyIsAnnounced() throws Exception {
        int n = 10_000;
        larder.server().config().set("notify-keyspace-events", "Ex");
        try (RespClient sub = larder.client(); RespClient c = larder.client()) {
            sub.call("SUBSCRIBE", "__keyevent@0__:expired");
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (int i = 0; i < n; i++) {
                batch.writeBytes(RespClient.encode(RespClient.bytes("SET", "exp:" + i, "v", "PX",
                        String.valueOf(50 + i % 200))));
            }
            c.sendRaw(batch.toByteArray());
            for (int i = 0; i < n; i++) assertEquals("OK", RespClient.decode(c.readRaw()));
            Set<String> keys = new HashSet<>();
            int messages = 0;
            sub.setTimeout(20_000);
            while (keys.size() < n) {
                @SuppressWarnings("unchecked")
                List<Object> m = (List<Object>) RespClient.decode(sub.readRaw());
                assertEquals("message", m.get(0));
                assertEquals("__keyevent@0__:expired", m.get(1));
                keys.add((String) m.get(2));
                messages++;
            }
            assertEquals(n, messages, "each key announced once");
            assertEquals(0L, c.call("DBSIZE"));
            assertTrue(keys.contains("exp:0") && keys.contains("exp:" + (n - 1)));
        } finally {
            larder.server().config().set("notify-keyspace-events", "");
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
