package io.larder.testing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base for differential tests: one Larder and one real redis-server per test
 * class, both flushed before every test, and a {@link Diff} connected to both.
 */
public abstract class DifferentialTestBase {
    protected static LarderTestServer larder;
    protected static RedisOracle redis;
    protected Diff d;

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
    void connect() {
        d = new Diff(larder.port(), redis.port());
        d.exec("FLUSHALL");
    }

    @AfterEach
    void disconnect() {
        if (d != null) d.close();
    }
}
