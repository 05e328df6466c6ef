package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.DifferentialTestBase;
import io.larder.testing.KeyEvents;
import io.larder.testing.TestConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keyspace notifications of the hash and set commands, in Redis's order and
 * with its event names, both servers' read from a PSUBSCRIBE connection.
 * Also keyspace hit/miss counting.
 */
class CollectionNotificationsTest extends DifferentialTestBase {

    /** Which commands look keys up for reading (counting hits and misses) is Redis's, command by command. */
    @Test
    void keyspaceHitsAndMissesMatchRedis() {
        d.exec("HSET", "h", "f", "v");
        d.exec("SADD", "s", "1", "2");
        d.exec("SADD", "t", "2", "x");
        String[][] commands = {
            {"HGET", "h", "f"}, {"HGET", "nokey", "f"}, {"HMGET", "nokey", "f"}, {"HGETALL", "h"},
            {"HKEYS", "nokey"}, {"HLEN", "h"}, {"HSTRLEN", "nokey", "f"}, {"HEXISTS", "h", "g"},
            {"HRANDFIELD", "nokey"}, {"HRANDFIELD", "h", "2"}, {"HSCAN", "nokey", "0"}, {"HSCAN", "h", "0"},
            {"HSET", "h2", "f", "v"}, {"HDEL", "nokey", "f"}, {"HINCRBY", "h", "n", "1"}, {"HSETNX", "h", "f", "v"},
            {"HINCRBYFLOAT", "nokey2", "n", "1.5"},
            {"SISMEMBER", "s", "1"}, {"SISMEMBER", "nokey", "1"}, {"SMISMEMBER", "nokey", "1"}, {"SCARD", "s"},
            {"SMEMBERS", "nokey"}, {"SRANDMEMBER", "s"}, {"SRANDMEMBER", "nokey", "3"}, {"SSCAN", "s", "0"},
            {"SINTER", "s", "nokey", "t"}, {"SINTERCARD", "2", "s", "t"}, {"SINTERSTORE", "d", "s", "nokey"},
            {"SINTERSTORE", "d", "s", "t"}, {"SUNIONSTORE", "d", "nokey", "s"}, {"SDIFFSTORE", "d", "s", "t"},
            {"SUNION", "s", "nokey"}, {"SDIFF", "nokey", "s"}, {"SADD", "s", "3"}, {"SREM", "nokey", "1"},
            {"SMOVE", "nokey", "s", "1"}, {"SMOVE", "s", "t", "3"}, {"SPOP", "nokey"}, {"SPOP", "t", "1"},
        };
        for (String[] cmd : commands) {
            long hits = redisStat("keyspace_hits"), misses = redisStat("keyspace_misses");
            long lh = larderStat("keyspace_hits"), lm = larderStat("keyspace_misses");
            if (cmd[0].equals("SPOP") || cmd[0].equals("SRANDMEMBER") || cmd[0].equals("HRANDFIELD")) d.exec(cmd);
            else d.check(cmd);
            assertEquals(redisStat("keyspace_hits") - hits, larderStat("keyspace_hits") - lh, "hits " + String.join(" ", cmd));
            assertEquals(redisStat("keyspace_misses") - misses, larderStat("keyspace_misses") - lm,
                    "misses " + String.join(" ", cmd));
        }
    }

    private long redisStat(String name) {
        return stat(d.redis(), name);
    }

    private long larderStat(String name) {
        return stat(d.larder(), name);
    }

    private static long stat(io.larder.testing.RespClient client, String name) {
        String info = (String) client.call("INFO", "stats");
        for (String line : info.split("\r\n")) {
            if (line.startsWith(name + ":")) return Long.parseLong(line.substring(name.length() + 1));
        }
        throw new AssertionError("no " + name + " in INFO");
    }

    @Test
    void eventsMatchRedis() {
        try (KeyEvents redisEvents = new KeyEvents(redis.port()); KeyEvents larderEvents = new KeyEvents(larder.port())) {
            TestConfig.set(d, larder, "notify-keyspace-events", "EAn");
            d.script("""
                    HSET h a 1 b 2
                    HSET h a 1
                    HMSET h c 3
                    HSETNX h a 9
                    HSETNX h z 9
                    HSETNX h2 f v
                    HINCRBY h n 5
                    HINCRBY h a x
                    HINCRBYFLOAT h fl 1.5
                    HINCRBYFLOAT h fl x
                    HINCRBYFLOAT h a 1
                    HDEL h nofield
                    HDEL h a b
                    HDEL h c z n fl
                    HDEL h2 f
                    SADD s 1 2 3
                    SADD s 1
                    SREM s 9
                    SREM s 1
                    SMOVE s t 2
                    SMOVE s t 9
                    SMOVE s t 3
                    SMOVE t t 3
                    SADD a 1 2 3 x
                    SADD b 2 3 y
                    SINTERSTORE i a b
                    SINTERSTORE i a nokey
                    SINTERSTORE i a b
                    SINTERSTORE i a y
                    SUNIONSTORE u a b
                    SUNIONSTORE u nokey
                    SDIFFSTORE df a b
                    SDIFFSTORE df a a
                    SPOP nokey
                    SPOP a 0
                    ! SPOP a 1
                    ~ SPOP b 10
                    SADD one x
                    SPOP one
                    SADD p 1 2 3 4 5 6 7 8 9 10
                    ! SPOP p 2
                    ! SPOP p 7
                    ! SPOP p 5
                    ! SRANDMEMBER p
                    SINTER p p
                    """);
            List<String> expected = redisEvents.drain();
            assertEquals(String.join("\n", expected), String.join("\n", larderEvents.drain()));
            assertTrue(expected.size() > 30, "events were read: " + expected);
        } finally {
            TestConfig.set(d, larder, "notify-keyspace-events", "");
        }
    }
}
