package io.larder.family;

import io.larder.testing.Diff;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base for tests that compare side effects with Redis ({@link SideEffects}):
 * both servers with keyspace events on, flushed before every test, a Diff
 * and a SideEffects with nothing pending from the set-up.
 */
abstract class SideEffectsTestBase {
    static LarderTestServer larder;
    static RedisOracle redis;
    Diff d;
    SideEffects s;

    @BeforeAll
    static void startServers() {
        larder = LarderTestServer.start(SideEffects.OPTIONS);
        redis = RedisOracle.start(SideEffects.OPTIONS);
    }

    @AfterAll
    static void stopServers() {
        if (larder != null) larder.close();
        if (redis != null) redis.close();
    }

    @BeforeEach
    void connect() {
        d = new Diff(larder.port(), redis.port());
        d.exec("FLUSHALL");
        s = new SideEffects(larder, redis, d);
        s.sync();
    }

    @AfterEach
    void disconnect() {
        s.close();
        d.close();
    }
}
