package io.larder.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One server as a blocking scenario sees it: clients to open (closed by the
 * test afterwards) and a way to wait until exactly n clients are blocked, so
 * that the same scenario runs step for step against Larder and Redis.
 */
public interface BlockingTarget {
    RespClient client();

    /** Waits until exactly n clients are blocked. */
    void awaitBlocked(int n);

    /** True for Larder (scenarios that look inside the server, or differ on purpose). */
    boolean isLarder();

    /** Larder, counting blocked clients in its blocking controller; opened clients go to {@code open}. */
    static BlockingTarget larder(LarderTestServer larder, List<RespClient> open) {
        return new BlockingTarget() {
            @Override
            public RespClient client() {
                RespClient c = larder.client();
                open.add(c);
                return c;
            }

            @Override
            public void awaitBlocked(int n) {
                poll(() -> larder.server().blocking().blockedClients() == n, "Larder: " + n + " blocked clients");
            }

            @Override
            public boolean isLarder() {
                return true;
            }
        };
    }

    /** Redis, counting blocked clients through INFO clients. */
    static BlockingTarget redis(RedisOracle redis, List<RespClient> open) {
        return new BlockingTarget() {
            @Override
            public RespClient client() {
                RespClient c = redis.client();
                open.add(c);
                return c;
            }

            @Override
            public void awaitBlocked(int n) {
                try (RespClient c = redis.client()) {
                    poll(() -> ((String) c.call("INFO", "clients")).contains("blocked_clients:" + n + "\r\n"),
                            "Redis: " + n + " blocked clients");
                }
            }

            @Override
            public boolean isLarder() {
                return false;
            }
        };
    }

    /** Polls a condition every 2 ms for up to 10 s; fails the test when it never holds. */
    static void poll(BooleanSupplier cond, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting for: " + what);
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
