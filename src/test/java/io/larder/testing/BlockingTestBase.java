package io.larder.testing;

import io.larder.server.BlockingController;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base for blocking-command scenarios run against both servers: one Larder
 * and one redis-server per class, flushed before every test, the clients a
 * test opened closed after it, and no blocked client or waited key left
 * behind in Larder.
 */
public abstract class BlockingTestBase {
    protected static LarderTestServer larder;
    protected static RedisOracle redis;
    protected final List<RespClient> open = new ArrayList<>();
    protected final BlockingTarget larderTarget = BlockingTarget.larder(larder, open);
    protected final BlockingTarget redisTarget = BlockingTarget.redis(redis, open);

    @BeforeAll
    static void startServers() {
        larder = LarderTestServer.start();
        redis = RedisOracle.start();
    }

    @AfterAll
    static void stopServers() {
        if (larder != null) larder.close();
        if (redis != null) redis.close();
    }

    @BeforeEach
    protected void flush() {
        try (RespClient a = larder.client(); RespClient b = redis.client()) {
            a.call("FLUSHALL");
            b.call("FLUSHALL");
        }
    }

    @AfterEach
    void closeClients() {
        for (RespClient c : open) c.close();
        open.clear();
        BlockingController b = larder.server().blocking();
        poll(() -> b.blockedClients() == 0 && b.waitedKeys() == 0, "blocked clients left behind");
    }

    protected static void poll(BooleanSupplier cond, String what) {
        BlockingTarget.poll(cond, what);
    }
}
