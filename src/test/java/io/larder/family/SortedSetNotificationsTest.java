package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.KeyEvents;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keyspace events of the sorted set commands, in Redis's order and with its
 * names: both servers' are read from a PSUBSCRIBE on __keyevent@*__:*, and both
 * sequences of (db, event, key) must be equal.
 */
class SortedSetNotificationsTest {
    private static LarderTestServer larder;
    private static RedisOracle redis;

    @BeforeAll
    static void start() throws Exception {
        larder = LarderTestServer.start("--notify-keyspace-events", "KEA");
        redis = RedisOracle.start("--notify-keyspace-events", "KEA");
    }

    @AfterAll
    static void stop() {
        if (larder != null) larder.close();
        if (redis != null) redis.close();
    }

    private static final String SCRIPT = """
            ZADD z 1 a 2 b 3 c
            ZADD z 1 a
            ZADD z XX 5 nosuch
            ZADD z INCR 1 a
            ZINCRBY z 1 b
            ZADD z CH 9 a 9 new
            ZREM z nosuch
            ZREM z a
            ZREMRANGEBYRANK z 0 0
            ZREMRANGEBYSCORE z 100 200
            ZREMRANGEBYSCORE z 3 3
            ZADD l 0 a 0 b 0 c
            ZREMRANGEBYLEX l [a [b
            ZREMRANGEBYLEX l - +
            ZADD p 1 a 2 b 3 c 4 d
            ZPOPMIN p
            ZPOPMAX p 2
            ZPOPMIN p 0
            ZMPOP 1 p MIN COUNT 5
            ZADD s1 1 a 2 b
            ZADD s2 2 b 3 c
            ZUNIONSTORE u 2 s1 s2
            ZINTERSTORE i 2 s1 s2
            ZDIFFSTORE df 2 s1 s2
            ZDIFFSTORE df 2 s1 s1
            ZDIFFSTORE df 2 s1 s1
            ZRANGESTORE r s1 0 -1
            ZRANGESTORE r s1 5 6
            ZRANGESTORE r s1 5 6
            ZRANGESTORE s2 s1 0 0
            ZREM s1 a b
            ZADD end 1 end
            """;

    @Test
    void eventsMatchRedis() throws Exception {
        try (KeyEvents redisEvents = new KeyEvents(redis.port()); KeyEvents larderEvents = new KeyEvents(larder.port());
                RespClient rc = redis.client(); RespClient lc = larder.client()) {
            for (String line : SCRIPT.strip().split("\n")) {
                String[] args = line.strip().split(" ");
                rc.call(args);
                lc.call(args);
            }
            List<String> expected = redisEvents.drain();
            assertEquals(String.join("\n", expected), String.join("\n", larderEvents.drain()));
            assertTrue(expected.contains("0 zadd end"), "events were read");
        }
    }
}
