package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.larder.testing.DifferentialTestBase;
import io.larder.testing.RespClient;
import io.larder.testing.TestConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keyspace notifications of the hash and set commands, in Redis's order and
 * with its event names: Redis's are read from a PSUBSCRIBE connection,
 * Larder's from the server's notification hook (so this does not depend on
 * Larder's pub/sub).
 */
class CollectionNotificationsTest extends DifferentialTestBase {

    @Test
    void eventsMatchRedis() {
        List<String> larderEvents = Collections.synchronizedList(new ArrayList<>());
        larder.server().setNotificationListener((cls, event, db, key) ->
                larderEvents.add(event + " " + new String(key, StandardCharsets.ISO_8859_1)));
        try (RespClient sub = new RespClient(redis.port())) {
            TestConfig.set(d, larder, "notify-keyspace-events", "EAn");
            sub.call("PSUBSCRIBE", "__keyevent@0__:*");
            d.script("""
                    HSET h a 1 b 2
                    HSET h a 1
                    HMSET h c 3
                    HSETNX h a 9
                    HSETNX h z 9
                    HSETNX h2 f v
                    HINCRBY h n 5
                    HINCRBY h a x
                    HDEL h nofield
                    HDEL h a b
                    HDEL h c z n
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
            d.larder().call("PING");
            List<String> redisEvents = new ArrayList<>();
            d.redis().call("PUBLISH", "__keyevent@0__:end", "end");
            while (true) {
                List<?> m = (List<?>) RespClient.decode(sub.readRaw());
                String channel = (String) m.get(2);
                String event = channel.substring(channel.indexOf(':') + 1);
                if (event.equals("end")) break;
                redisEvents.add(event + " " + m.get(3));
            }
            assertEquals(String.join("\n", redisEvents), String.join("\n", larderEvents));
        } finally {
            larder.server().setNotificationListener(null);
            TestConfig.set(d, larder, "notify-keyspace-events", "");
        }
    }
}
