package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A list that arrives under a waited key by RENAME, MOVE, COPY or SWAPDB
 * serves the blocked client, as Redis's dbAdd and SWAPDB do; the same
 * scenario runs on both servers and the observations must match.
 */
class KeyMovesWakeBlockedClientsTest {
    static LarderTestServer larder;
    static RedisOracle redis;

    @BeforeAll
    static void start() {
        larder = LarderTestServer.start();
        redis = RedisOracle.start();
    }

    @AfterAll
    static void stop() {
        if (larder != null) larder.close();
        if (redis != null) redis.close();
    }

    private static void poll(BooleanSupplier cond, String what) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting for " + what);
            Thread.onSpinWait();
        }
    }

    private static void awaitBlocked(int port, boolean isLarder, int n) {
        if (isLarder) {
            poll(() -> larder.server().blocking().blockedClients() == n, n + " blocked clients in Larder");
        } else {
            try (RespClient c = new RespClient(port)) {
                poll(() -> ((String) c.call("INFO", "clients")).contains("blocked_clients:" + n + "\r\n"),
                        n + " blocked clients in Redis");
            }
        }
    }

    private static String raw(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** A waiter on q (db 0), then set-up and the move on another connection; returns what everyone saw. */
    private static List<String> scenario(int port, boolean isLarder, String[][] steps) {
        List<String> out = new ArrayList<>();
        try (RespClient admin = new RespClient(port); RespClient w = new RespClient(port);
             RespClient p = new RespClient(port)) {
            admin.call("FLUSHALL");
            w.send("BLPOP", "q", "10");
            awaitBlocked(port, isLarder, 1);
            for (String[] s : steps) out.add(raw(p.callRaw(s)));
            out.add(raw(w.readRaw()));
            awaitBlocked(port, isLarder, 0);
            out.add(raw(p.callRaw("SELECT", "0")));
            out.add(raw(p.callRaw("LRANGE", "q", "0", "-1")));
        }
        return out;
    }

    private static void same(String[]... steps) {
        assertEquals(scenario(redis.port(), false, steps), scenario(larder.port(), true, steps));
    }

    @Test
    void renameServesTheWaiter() {
        same(new String[] {"RPUSH", "src", "a", "b"}, new String[] {"RENAME", "src", "q"});
    }

    @Test
    void moveServesTheWaiter() {
        same(new String[] {"SELECT", "1"}, new String[] {"RPUSH", "q", "a", "b"}, new String[] {"MOVE", "q", "0"});
    }

    @Test
    void copyServesTheWaiter() {
        same(new String[] {"RPUSH", "src", "a", "b"}, new String[] {"COPY", "src", "q"},
                new String[] {"LRANGE", "src", "0", "-1"});
    }

    @Test
    void swapdbServesTheWaiter() {
        same(new String[] {"SELECT", "1"}, new String[] {"RPUSH", "q", "a", "b"}, new String[] {"SWAPDB", "0", "1"});
    }
}
