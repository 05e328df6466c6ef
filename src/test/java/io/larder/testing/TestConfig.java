package io.larder.testing;

/** Sets a parameter on both servers with CONFIG SET, requiring the same reply. */
public final class TestConfig {
    private TestConfig() {}

    public static void set(Diff d, LarderTestServer larder, String name, String value) {
        Object r = d.check("CONFIG", "SET", name, value);
        if (!"OK".equals(r)) throw new AssertionError("CONFIG SET " + name + " " + value + ": " + r);
    }
}
