package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.larder.testing.Diff;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH compared with Redis 7.0: replies,
 * queue-time and run-time errors, and WATCH invalidation by every kind of
 * change (writes, deletes, expiry, flushes, SWAPDB, RENAME) from another
 * connection. Two connections per server ({@code d} and {@code o}) play the
 * transaction's client and the other clients.
 */
class TransactionCommandsTest {
    static LarderTestServer larder;
    static RedisOracle redis;
    Diff d;
    Diff o;

    @BeforeAll
    static void startServers() {
        larder = LarderTestServer.start("--enable-debug-command", "yes");
        redis = RedisOracle.start("--enable-debug-command", "yes");
    }

    @AfterAll
    static void stopServers() {
        if (larder != null) larder.close();
        if (redis != null) redis.close();
    }

    @BeforeEach
    void connect() {
        d = new Diff(larder.port(), redis.port());
        o = new Diff(larder.port(), redis.port());
        d.exec("FLUSHALL");
        d.exec("DEBUG", "SET-ACTIVE-EXPIRE", "1");
    }

    @AfterEach
    void disconnect() {
        d.exec("DEBUG", "SET-ACTIVE-EXPIRE", "1");
        d.close();
        o.close();
    }

    /** Skips a test until the commands it needs exist in Larder (they come with other families). */
    static void assumeCommands(String... names) {
        try (RespClient c = larder.client()) {
            for (String n : names) {
                Object info = c.call("COMMAND", "INFO", n);
                assumeTrue(info instanceof List<?> l && !l.isEmpty() && l.get(0) != null, n + " not implemented yet");
            }
        }
    }

    @Test
    void queueAndExec() {
        d.script("""
                MULTI
                SET a 1
                GET a
                LPUSH l x y
                LRANGE l 0 -1
                DEL a
                EXEC
                GET a
                MULTI
                EXEC
                EXEC
                DISCARD
                MULTI
                MULTI
                WATCH x
                PING
                ECHO hi
                EXEC
                MULTI
                SET k v
                DISCARD
                GET k
                EXEC
                """);
    }

    @Test
    void queueTimeErrorsAbortExec() {
        d.script("""
                MULTI
                SET a 1
                NOTACOMMAND x y
                EXEC
                GET a
                MULTI
                SET a 1
                GET
                SET b 2
                EXEC
                MULTI
                CLIENT NOSUCHSUB
                EXEC
                MULTI
                SHUTDOWN NOSAVE
                EXEC
                MULTI
                SET a 1
                EXEC extra
                GET a
                EXEC
                EXEC extra
                MULTI
                EXEC extra
                EXEC
                """);
    }

    @Test
    void runtimeErrorsDoNotRollBack() {
        d.script("""
                SET s abc
                MULTI
                LPUSH s x
                SET b 2
                SETBIT s -1 1
                LPOP b
                GET b
                EXEC
                GET b
                GET s
                """);
    }

    @Test
    void blockingCommandsDoNotBlockInsideExec() {
        d.script("""
                MULTI
                BLPOP l1 0
                BRPOP l1 l2 0
                BLMOVE l1 l2 LEFT RIGHT 0
                BRPOPLPUSH l1 l2 0
                BLMPOP 0 1 l1 LEFT
                RPUSH l1 a
                BLPOP l1 0
                EXEC
                """);
    }

    @Test
    void selectInsideMulti() {
        d.script("""
                MULTI
                SELECT 1
                SET x one
                SELECT 0
                SET x zero
                EXEC
                GET x
                SELECT 1
                GET x
                SELECT 0
                """);
    }

    @Test
    void exclusiveAndKeylessCommandsInsideExec() {
        d.script("""
                SET a 1
                SET b 2
                MULTI
                DBSIZE
                FLUSHDB
                DBSIZE
                SET c 3
                FLUSHALL
                DBSIZE
                EXEC
                """);
    }

    @Test
    void resp3Replies() {
        d.resp3();
        o.resp3();
        d.script("""
                MULTI
                SET a 1
                GET a
                LPUSH s x
                BLPOP nothing 0
                EXEC
                WATCH a
                """);
        o.check("SET", "a", "2");
        d.script("""
                MULTI
                GET a
                EXEC
                """);
    }

    @Test
    void watchAbortsExecWhenAnotherClientWrites() {
        d.script("""
                WATCH a
                MULTI
                SET a mine
                EXEC
                GET a
                WATCH a
                """);
        o.check("SET", "a", "theirs");
        d.script("""
                MULTI
                SET a mine
                EXEC
                GET a
                """);
        // The same value still counts as a change.
        d.check("WATCH", "a");
        o.check("SET", "a", "theirs");
        d.script("""
                MULTI
                GET a
                EXEC
                """);
    }

    @Test
    void readsAndFailedWritesDoNotInvalidate() {
        d.exec("SET", "a", "1");
        d.check("WATCH", "a");
        o.check("GET", "a");
        o.check("EXISTS", "a");
        o.check("LPUSH", "a", "x");
        o.check("SET", "a", "2", "NX");
        o.check("DEL", "nothing");
        d.script("""
                MULTI
                PING
                EXEC
                """);
    }

    @Test
    void deleteAndRecreateInvalidate() {
        d.script("""
                SET a 1
                WATCH a
                """);
        o.check("DEL", "a");
        d.script("""
                MULTI
                PING
                EXEC
                WATCH missing
                """);
        o.check("LPUSH", "missing", "x");
        d.script("""
                MULTI
                PING
                EXEC
                """);
    }

    @Test
    void unwatchAndDiscardForgetWatches() {
        d.script("""
                WATCH a b
                UNWATCH
                """);
        o.check("SET", "a", "1");
        d.script("""
                MULTI
                PING
                EXEC
                WATCH a
                MULTI
                DISCARD
                """);
        o.check("SET", "a", "2");
        d.script("""
                MULTI
                PING
                EXEC
                WATCH a
                """);
        o.check("SET", "a", "3");
        // UNWATCH after the change clears the dirty state too.
        d.script("""
                UNWATCH
                MULTI
                PING
                EXEC
                WATCH a
                """);
        o.check("SET", "a", "4");
        // EXEC unwatches, dirty or not.
        d.script("""
                MULTI
                PING
                EXEC
                MULTI
                PING
                EXEC
                """);
    }

    @Test
    void watchRemembersTheDatabase() {
        d.script("""
                SELECT 1
                WATCH x
                SELECT 0
                """);
        o.check("SET", "x", "db0");
        d.script("""
                MULTI
                PING
                EXEC
                WATCH x
                """);
        o.check("SELECT", "1");
        o.check("SET", "x", "db1");
        o.check("SELECT", "0");
        d.script("""
                MULTI
                PING
                EXEC
                """);
    }

    @Test
    void watchSeveralKeysAndTwice() {
        d.script("""
                WATCH a b c
                WATCH a
                WATCH
                """);
        o.check("SET", "c", "1");
        d.script("""
                MULTI
                PING
                EXEC
                """);
    }

    @Test
    void flushesTouchOnlyExistingKeys() {
        d.script("""
                WATCH x
                """);
        o.check("FLUSHALL");
        d.script("""
                MULTI
                PING
                EXEC
                SET x 1
                WATCH x
                """);
        o.check("FLUSHALL");
        d.script("""
                MULTI
                PING
                EXEC
                SET x 1
                WATCH x
                """);
        o.check("FLUSHDB");
        d.script("""
                MULTI
                PING
                EXEC
                SET x 1
                WATCH x
                """);
        o.check("SELECT", "1");
        o.check("FLUSHDB");
        o.check("SELECT", "0");
        d.script("""
                MULTI
                PING
                EXEC
                """);
    }

    @Test
    void flushallWhileWatchingSeveralKeys() {
        d.script("""
                SET x 1
                SET y 1
                WATCH x y missing
                """);
        o.check("FLUSHALL");
        d.script("""
                MULTI
                PING
                EXEC
                """);
    }

    @Test
    void expiryInvalidatesWatchedKeys() {
        d.script("""
                SET x 1 PX 30
                WATCH x
                """);
        sleep(60);
        d.script("""
                MULTI
                PING
                EXEC
                """);
        // Expired by an access from another client, or by active expiry, before EXEC.
        d.script("""
                SET y 1 PX 20
                WATCH y
                """);
        sleep(40);
        o.check("GET", "y");
        d.script("""
                MULTI
                PING
                EXEC
                """);
    }

    @Test
    void staleKeysAtWatchTime() {
        // A key already expired when watched: deleting it is no change; recreating it is.
        d.script("""
                DEBUG SET-ACTIVE-EXPIRE 0
                SET x foo PX 1
                """);
        sleep(10);
        d.check("WATCH", "x");
        o.check("GET", "x");
        d.script("""
                MULTI
                PING
                EXEC
                SET x foo PX 1
                """);
        sleep(10);
        d.check("WATCH", "x");
        o.check("DEL", "x");
        d.script("""
                MULTI
                PING
                EXEC
                SET x foo PX 1
                """);
        sleep(10);
        d.check("WATCH", "x");
        d.check("SET", "x", "bar");
        d.script("""
                MULTI
                PING
                EXEC
                SET x foo PX 1
                """);
        sleep(10);
        d.check("WATCH", "x");
        o.check("FLUSHDB");
        d.script("""
                MULTI
                PING
                EXEC
                SET x foo PX 1
                """);
        sleep(10);
        d.check("WATCH", "x");
        o.check("GET", "x");
        o.check("SET", "x", "new");
        d.script("""
                MULTI
                PING
                EXEC
                """);
    }

    @Test
    void swapdbTouchesKeysThatExistOnEitherSide() {
        assumeCommands("swapdb");
        d.script("""
                DEBUG SET-ACTIVE-EXPIRE 0
                SET x 1
                WATCH x
                """);
        o.check("SWAPDB", "0", "1");
        d.script("""
                MULTI
                PING
                EXEC
                FLUSHALL
                WATCH x
                """);
        o.script("""
                SELECT 1
                SET x 1
                SWAPDB 0 1
                SELECT 0
                """);
        d.script("""
                MULTI
                PING
                EXEC
                FLUSHALL
                WATCH x
                """);
        o.check("SWAPDB", "0", "1");
        d.script("""
                MULTI
                PING
                EXEC
                FLUSHALL
                """);
        // Stale keys on either side are logically missing.
        o.script("""
                SELECT 1
                SET x 1 PX 1
                SELECT 0
                """);
        sleep(10);
        d.check("WATCH", "x");
        o.check("SWAPDB", "0", "1");
        d.script("""
                MULTI
                PING
                EXEC
                FLUSHALL
                SET x 1 PX 1
                """);
        sleep(10);
        d.check("WATCH", "x");
        o.check("SWAPDB", "0", "1");
        o.check("SWAPDB", "0", "1");
        d.script("""
                MULTI
                PING
                EXEC
                FLUSHALL
                SET x 1 PX 1
                """);
        o.script("""
                SELECT 1
                SET x live
                SELECT 0
                """);
        sleep(10);
        d.check("WATCH", "x");
        o.check("SWAPDB", "0", "1");
        d.script("""
                MULTI
                PING
                EXEC
                """);
    }

    @Test
    void renameAndExpireInvalidate() {
        assumeCommands("rename", "expire", "incr");
        d.script("""
                SET y 1
                WATCH x
                """);
        o.check("RENAME", "y", "x");
        d.script("""
                MULTI
                PING
                EXEC
                SET x 1
                WATCH x
                """);
        o.check("EXPIRE", "x", "100");
        d.script("""
                MULTI
                PING
                EXEC
                SET x 1
                WATCH x
                """);
        o.check("INCR", "x");
        d.script("""
                MULTI
                GET x
                EXEC
                SET a abc
                MULTI
                INCR a
                SET b 2
                EXEC
                """);
    }

    @Test
    void commandStatsCountLikeRedis() {
        d.exec("CONFIG", "RESETSTAT");
        d.script("""
                SET a abc
                MULTI
                LPUSH a x
                SET b 1
                EXEC
                MULTI
                SET b 2
                NOTACOMMAND
                GET
                EXEC
                MULTI
                EXEC
                EXEC extra
                """);
        assertEquals(stats(d.redis()), stats(d.larder()));
    }

    /** Calls, rejected and failed counts of the commands involved (not the timings). */
    private static List<String> stats(RespClient c) {
        String info = (String) c.call("INFO", "commandstats");
        List<String> out = new ArrayList<>();
        for (String line : info.split("\r\n")) {
            if (!line.startsWith("cmdstat_")) continue;
            String name = line.substring(8, line.indexOf(':'));
            if (!List.of("exec", "multi", "set", "lpush", "get").contains(name)) continue;
            String f = line.substring(line.indexOf(':') + 1);
            String calls = f.substring(0, f.indexOf(','));
            String rest = f.substring(f.indexOf("rejected_calls"));
            out.add(name + ":" + calls + "," + rest);
        }
        out.sort(null);
        return out;
    }

    @Test
    void dirtyCountsEachWrite() {
        long l0 = changes(d.larder());
        long r0 = changes(d.redis());
        d.script("""
                MULTI
                SET a 1
                SET b 2
                GET a
                EXEC
                """);
        assertEquals(changes(d.redis()) - r0, changes(d.larder()) - l0);
    }

    private static long changes(RespClient c) {
        String info = (String) c.call("INFO", "persistence");
        for (String line : info.split("\r\n")) {
            if (line.startsWith("rdb_changes_since_last_save:")) return Long.parseLong(line.substring(28));
        }
        throw new AssertionError(info);
    }

    @Test
    void clientListShowsTheTransaction() {
        for (RespClient[] c : List.of(new RespClient[] {d.larder(), o.larder()}, new RespClient[] {d.redis(), o.redis()})) {
            String id = String.valueOf(c[0].callLong("CLIENT", "ID"));
            c[0].call("MULTI");
            c[0].call("SET", "a", "1");
            c[0].call("GET", "a");
            String me = (String) c[1].call("CLIENT", "LIST", "ID", id);
            assertTrue(me.contains(" flags=x "), me);
            assertTrue(me.contains(" multi=2 "), me);
            c[0].call("DISCARD");
            me = (String) c[1].call("CLIENT", "LIST", "ID", id);
            assertTrue(me.contains(" flags=N "), me);
            assertTrue(me.contains(" multi=-1 "), me);
        }
    }

    @Test
    void resetEndsTheTransaction() {
        d.script("""
                WATCH a
                MULTI
                SET a 1
                RESET
                EXEC
                GET a
                """);
        o.check("SET", "a", "2");
        d.script("""
                MULTI
                PING
                EXEC
                """);
    }

    @Test
    void randomizedAgainstRedis() {
        Random rnd = new Random(20261126);
        String[] keys = {"a", "b", "c"};
        for (int i = 0; i < 1500; i++) {
            Diff who = rnd.nextInt(4) == 0 ? o : d;
            String k = keys[rnd.nextInt(keys.length)];
            String[] cmd = switch (rnd.nextInt(16)) {
                case 0 -> new String[] {"MULTI"};
                case 1, 2 -> new String[] {"EXEC"};
                case 3 -> new String[] {"DISCARD"};
                case 4 -> new String[] {"WATCH", k, keys[rnd.nextInt(keys.length)]};
                case 5 -> new String[] {"UNWATCH"};
                case 6, 7 -> new String[] {"SET", k, String.valueOf(rnd.nextInt(10))};
                case 8 -> new String[] {"GET", k};
                case 9 -> new String[] {"DEL", k};
                case 10 -> new String[] {"LPUSH", k, "x"};
                case 11 -> new String[] {"EXISTS", k, "a"};
                case 12 -> new String[] {"NOSUCHCMD"};
                case 13 -> new String[] {"GET"};
                case 14 -> new String[] {"SELECT", String.valueOf(rnd.nextInt(2))};
                default -> new String[] {"FLUSHDB"};
            };
            who.check(cmd);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
