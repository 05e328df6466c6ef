package io.larder.testing;

import io.larder.config.ConfigException;

/**
 * Sets a parameter on both servers: CONFIG SET on the oracle, the config
 * registry directly on the in-process Larder (so tests of config-driven
 * behaviour do not depend on the CONFIG command being present).
 */
public final class TestConfig {
    private TestConfig() {}

    public static void set(Diff d, LarderTestServer larder, String name, String value) {
        Object r = d.redis().call("CONFIG", "SET", name, value);
        if (!"OK".equals(r)) throw new AssertionError("oracle CONFIG SET " + name + " " + value + ": " + r);
        try {
            larder.server().config().set(name, value);
        } catch (ConfigException e) {
            throw new AssertionError("Larder config " + name + " " + value + ": " + e.getMessage());
        }
    }
}
