package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.larder.testing.LarderTestServer;
import io.larder.testing.RespClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RBloomFilter;
import org.redisson.api.RLock;
import org.redisson.api.RMap;
import org.redisson.api.RRateLimiter;
import org.redisson.api.RSemaphore;
import org.redisson.api.RateType;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * Redisson, a client library built on Lua scripts, MULTI/EXEC and pub/sub,
 * against Larder: distributed locks (lease, reentrancy, contention across
 * threads, expiry), maps, the rate limiter and the Bloom filter.
 */
class RedissonTest {
    static LarderTestServer larder;
    static RedissonClient redisson;

    @BeforeAll
    static void start() {
        larder = LarderTestServer.start();
        try (RespClient c = larder.client()) {
            // Redisson's locks wait for releases through pub/sub.
            for (String cmd : new String[] {"subscribe", "publish", "hset", "pexpire", "zadd", "setbit"}) {
                Object info = c.call("COMMAND", "INFO", cmd);
                assumeTrue(info instanceof List<?> l && !l.isEmpty() && l.get(0) != null, cmd + " not implemented yet");
            }
        }
        Config config = new Config();
        config.useSingleServer().setAddress("redis://127.0.0.1:" + larder.port()).setConnectionMinimumIdleSize(4)
                .setConnectionPoolSize(16).setSubscriptionConnectionPoolSize(8);
        redisson = Redisson.create(config);
    }

    @AfterAll
    static void stop() {
        if (redisson != null) redisson.shutdown();
        if (larder != null) larder.close();
    }

    @Test
    void lockWithLeaseIsReentrantAndExclusive() throws Exception {
        RLock lock = redisson.getLock("lock:lease");
        lock.lock(10, TimeUnit.SECONDS);
        assertTrue(lock.isLocked());
        assertTrue(lock.isHeldByCurrentThread());
        lock.lock(10, TimeUnit.SECONDS);
        assertEquals(2, lock.getHoldCount());
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            assertFalse(other.submit(() -> lock.tryLock(0, 5, TimeUnit.SECONDS)).get());
            lock.unlock();
            assertEquals(1, lock.getHoldCount());
            assertFalse(other.submit(() -> lock.tryLock(0, 5, TimeUnit.SECONDS)).get());
            lock.unlock();
            assertFalse(lock.isLocked());
            // Released: another thread gets it, and waiting for it is woken by pub/sub on unlock.
            assertTrue(other.submit(() -> lock.tryLock(0, 5, TimeUnit.SECONDS)).get());
            long start = System.nanoTime();
            Future<Boolean> waiter = Executors.newSingleThreadExecutor().submit(() -> {
                boolean got = lock.tryLock(10, 5, TimeUnit.SECONDS);
                if (got) lock.unlock();
                return got;
            });
            Thread.sleep(100);
            other.submit(lock::unlock).get();
            assertTrue(waiter.get(10, TimeUnit.SECONDS));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void leaseExpiresWithoutUnlock() throws Exception {
        RLock lock = redisson.getLock("lock:expiring");
        ExecutorService owner = Executors.newSingleThreadExecutor();
        try {
            assertTrue(owner.submit(() -> lock.tryLock(0, 300, TimeUnit.MILLISECONDS)).get());
            assertTrue(lock.isLocked());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (lock.isLocked() && System.nanoTime() < deadline) Thread.sleep(20);
            assertFalse(lock.isLocked());
            assertTrue(lock.tryLock(0, 5, TimeUnit.SECONDS));
            lock.unlock();
        } finally {
            owner.shutdownNow();
        }
    }

    @Test
    void lockSerialisesIncrementsAcrossThreads() throws Exception {
        RLock lock = redisson.getLock("lock:counter");
        var bucket = redisson.<Integer>getBucket("counter:plain");
        bucket.set(0);
        int threads = 8, each = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        lock.lock();
                        try {
                            bucket.set(bucket.get() + 1);
                        } finally {
                            lock.unlock();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads * each, bucket.get());
        assertFalse(lock.isLocked());
    }

    @Test
    void mapOperations() {
        RMap<String, Integer> map = redisson.getMap("map:test");
        map.clear();
        assertNull(map.put("a", 1));
        assertEquals(1, map.put("a", 2));
        assertNull(map.putIfAbsent("b", 3));
        assertEquals(3, map.putIfAbsent("b", 4));
        assertTrue(map.fastPut("c", 5));
        assertFalse(map.fastPutIfAbsent("c", 6));
        assertEquals(5, map.get("c"));
        assertEquals(5, map.replace("c", 7));
        assertTrue(map.replace("c", 7, 8));
        assertFalse(map.replace("c", 7, 9));
        assertTrue(map.remove("c", 8));
        assertEquals(2, map.size());
        assertTrue(map.containsKey("b"));
        assertTrue(map.containsValue(3));
        assertEquals(Map.of("a", 2, "b", 3), map.readAllMap());
        assertEquals(Map.of("a", 2), map.getAll(java.util.Set.of("a", "z")));
        AtomicInteger seen = new AtomicInteger();
        for (Map.Entry<String, Integer> e : map.entrySet()) seen.addAndGet(e.getValue());
        assertEquals(5, seen.get());
        assertEquals(1, map.fastRemove("a"));
        assertEquals(Map.of("b", 3), map.readAllMap());
        // Numbers stored as text (a numeric codec) can be incremented on the server.
        RMap<String, Long> counts = redisson.getMap("map:counts", org.redisson.client.codec.LongCodec.INSTANCE);
        counts.clear();
        counts.put("n", 2L);
        assertEquals(12L, counts.addAndGet("n", 10L));
        assertEquals(12L, counts.get("n"));
    }

    @Test
    void rateLimiter() throws Exception {
        RRateLimiter limiter = redisson.getRateLimiter("limiter:test");
        limiter.delete();
        assertTrue(limiter.trySetRate(RateType.OVERALL, 5, java.time.Duration.ofSeconds(1)));
        int granted = 0;
        for (int i = 0; i < 8; i++) if (limiter.tryAcquire()) granted++;
        assertEquals(5, granted);
        assertFalse(limiter.tryAcquire());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        boolean again = false;
        while (!again && System.nanoTime() < deadline) {
            again = limiter.tryAcquire();
            if (!again) Thread.sleep(50);
        }
        assertTrue(again, "permits never came back after the interval");
        assertTrue(limiter.availablePermits() <= 4);
    }

    @Test
    void bloomFilter() {
        RBloomFilter<String> bloom = redisson.getBloomFilter("bloom:test");
        bloom.delete();
        assertTrue(bloom.tryInit(1000, 0.01));
        assertFalse(bloom.tryInit(1000, 0.01));
        for (int i = 0; i < 200; i++) bloom.add("item" + i);
        for (int i = 0; i < 200; i++) assertTrue(bloom.contains("item" + i));
        int falsePositives = 0;
        for (int i = 0; i < 1000; i++) if (bloom.contains("other" + i)) falsePositives++;
        assertTrue(falsePositives < 50, "false positives: " + falsePositives);
        assertEquals(1000, bloom.getExpectedInsertions());
        assertTrue(bloom.count() > 150 && bloom.count() < 250, "count " + bloom.count());
    }

    @Test
    void semaphoreAcrossThreads() throws Exception {
        RSemaphore sem = redisson.getSemaphore("sem:test");
        sem.delete();
        assertTrue(sem.trySetPermits(2));
        assertTrue(sem.tryAcquire());
        assertTrue(sem.tryAcquire());
        assertFalse(sem.tryAcquire());
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return sem.tryAcquire(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return false;
            }
        });
        Thread.sleep(100);
        sem.release();
        assertTrue(waiting.get(10, TimeUnit.SECONDS));
        assertEquals(0, sem.availablePermits());
    }
}
