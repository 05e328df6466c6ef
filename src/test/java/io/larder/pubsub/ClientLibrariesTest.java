package io.larder.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.LarderTestServer;
import io.larder.testing.RespClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.support.caching.CacheAccessor;
import io.lettuce.core.support.caching.CacheFrontend;
import io.lettuce.core.support.caching.ClientSideCaching;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * Real client libraries against Larder: Lettuce's client-side caching
 * helper (RESP3 tracking and invalidation pushes), Lettuce's and Jedis's
 * pub/sub listeners, and redis-py's client-side caching protocol flow
 * emulated with raw RESP (redis-py is not installable here).
 */
class ClientLibrariesTest {
    static LarderTestServer larder;

    @BeforeAll
    static void start() {
        larder = LarderTestServer.start();
    }

    @AfterAll
    static void stop() {
        if (larder != null) larder.close();
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.onSpinWait();
        }
    }

    @Test
    void lettuceClientSideCaching() throws Exception {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + larder.port());
        try (StatefulRedisConnection<String, String> cached = client.connect();
                StatefulRedisConnection<String, String> writer = client.connect()) {
            writer.sync().set("csc:a", "1");
            Map<String, String> map = new ConcurrentHashMap<>();
            CacheFrontend<String, String> frontend =
                    ClientSideCaching.enable(CacheAccessor.forMap(map), cached, TrackingArgs.Builder.enabled());
            try {
                assertEquals("1", frontend.get("csc:a"));
                assertEquals("1", map.get("csc:a"));
                // Served from the local map: the server is not asked again.
                assertEquals("1", frontend.get("csc:a"));
                writer.sync().set("csc:a", "2");
                await("invalidation of csc:a", () -> !map.containsKey("csc:a"));
                assertEquals("2", frontend.get("csc:a"));
                // Expiry invalidates too.
                writer.sync().set("csc:t", "x", io.lettuce.core.SetArgs.Builder.px(30));
                assertEquals("x", frontend.get("csc:t"));
                await("invalidation by expiry", () -> !map.containsKey("csc:t"));
                writer.sync().del("csc:a");
                await("invalidation by DEL", () -> !map.containsKey("csc:a"));
            } finally {
                frontend.close();
            }
        } finally {
            client.shutdown();
        }
    }

    @Test
    void lettucePubSub() throws Exception {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + larder.port());
        try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
                StatefulRedisConnection<String, String> pub = client.connect()) {
            BlockingQueue<String> got = new LinkedBlockingQueue<>();
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    got.add(channel + "=" + message);
                }

                @Override
                public void message(String pattern, String channel, String message) {
                    got.add(pattern + ":" + channel + "=" + message);
                }
            });
            sub.sync().subscribe("lc");
            sub.sync().psubscribe("l*");
            assertEquals(2L, pub.sync().publish("lc", "hello"));
            assertEquals("lc=hello", got.poll(10, TimeUnit.SECONDS));
            assertEquals("l*:lc=hello", got.poll(10, TimeUnit.SECONDS));
            assertEquals(List.of("lc"), pub.sync().pubsubChannels());
            assertEquals(1L, pub.sync().pubsubNumpat());
            // A RESP3 subscriber connection still runs ordinary commands.
            assertEquals("PONG", sub.sync().ping());
        } finally {
            client.shutdown();
        }
    }

    @Test
    void jedisPubSub() throws Exception {
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onMessage(String channel, String message) {
                got.add(channel + "=" + message);
                if (message.equals("bye")) unsubscribe();
            }
        };
        try (Jedis sub = new Jedis("127.0.0.1", larder.port()); Jedis pub = new Jedis("127.0.0.1", larder.port())) {
            Thread t = new Thread(() -> sub.subscribe(listener, "jc"));
            t.start();
            await("subscription", () -> pub.pubsubNumSub("jc").get("jc") == 1L);
            for (int i = 0; i < 100; i++) pub.publish("jc", "m" + i);
            pub.publish("jc", "bye");
            for (int i = 0; i < 100; i++) assertEquals("jc=m" + i, got.poll(10, TimeUnit.SECONDS));
            assertEquals("jc=bye", got.poll(10, TimeUnit.SECONDS));
            t.join(10_000);
            assertEquals("PONG", sub.ping());
        }
    }

    /**
     * redis-py's client-side caching (5.x, RESP3): HELLO 3, CLIENT TRACKING
     * ON, reads, then invalidation pushes read before the next reply; on a
     * null invalidation (flush) it drops the whole cache.
     */
    @Test
    void redisPyCachingFlow() {
        try (RespClient c = larder.client(); RespClient w = larder.client()) {
            c.call("HELLO", "3");
            assertEquals("OK", c.call("CLIENT", "TRACKING", "ON"));
            w.call("SET", "py:a", "1");
            assertEquals("1", c.call("GET", "py:a"));
            w.call("SET", "py:a", "2");
            // redis-py checks for pending pushes before using its cache: the invalidation is there.
            Object push = RespClient.decode(c.readRaw());
            assertEquals(new RespClient.Push(List.of("invalidate", List.of("py:a"))), push);
            assertEquals("2", c.call("GET", "py:a"));
            w.call("FLUSHALL");
            Object flush = RespClient.decode(c.readRaw());
            assertTrue(flush instanceof RespClient.Push p && p.items().get(0).equals("invalidate")
                    && p.items().get(1) == null, "null invalidation: " + flush);
            assertEquals("PONG", c.call("PING"));
        }
    }
}
