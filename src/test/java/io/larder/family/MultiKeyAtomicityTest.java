package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.larder.testing.LarderTestServer;
import io.larder.testing.RespClient;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Multi-key string and key commands are atomic although commands run on
 * several threads: a reader on another connection (another event loop) never
 * observes half of an MSET or a RENAME.
 */
class MultiKeyAtomicityTest {
    static LarderTestServer larder;

    @BeforeAll
    static void start() {
        larder = LarderTestServer.start("--threads", "2");
    }

    @AfterAll
    static void stop() {
        larder.close();
    }

    /** Runs writer steps on one connection while check() runs on another, until both did enough. */
    private static void race(java.util.function.Consumer<RespClient> writerStep, java.util.function.Consumer<RespClient> check)
            throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (RespClient w = larder.client()) {
                while (!stop.get()) writerStep.accept(w);
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        writer.start();
        try (RespClient r = larder.client()) {
            for (int i = 0; i < 20_000 && failure.get() == null; i++) check.accept(r);
        } finally {
            stop.set(true);
            writer.join();
        }
        if (failure.get() != null) throw new AssertionError(failure.get());
    }

    @Test
    void msetIsSeenWholeOrNotAtAll() throws InterruptedException {
        long[] n = {0};
        // Keys chosen to live in different segments (different stripes).
        race(w -> {
            String v = Long.toString(n[0]++);
            w.call("MSET", "mset:a", v, "mset:b", v, "mset:c", v);
        }, r -> {
            @SuppressWarnings("unchecked")
            List<Object> vals = (List<Object>) r.call("MGET", "mset:a", "mset:b", "mset:c");
            assertEquals(vals.get(0), vals.get(1), vals.toString());
            assertEquals(vals.get(0), vals.get(2), vals.toString());
        });
    }

    @Test
    void renameNeverShowsBothOrNeither() throws InterruptedException {
        try (RespClient c = larder.client()) {
            c.call("SET", "ren:a", "v");
        }
        boolean[] atA = {true};
        race(w -> {
            w.call("RENAME", atA[0] ? "ren:a" : "ren:b", atA[0] ? "ren:b" : "ren:a");
            atA[0] = !atA[0];
        }, r -> assertEquals(1L, r.call("EXISTS", "ren:a", "ren:b")));
    }
}
