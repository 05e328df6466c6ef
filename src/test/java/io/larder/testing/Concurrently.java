package io.larder.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Runs one body on many clients at once, each with its own connection and thread. */
public final class Concurrently {
    private Concurrently() {}

    public interface Body {
        void run(RespClient c, int worker) throws Exception;
    }

    /** Runs {@code body} on n clients of {@code server}; rethrows the first failure after all have ended. */
    public static void run(LarderTestServer server, int n, Body body) throws InterruptedException {
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int worker = i;
            Thread t = new Thread(() -> {
                try (RespClient c = server.client()) {
                    body.run(c, worker);
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) t.join();
        if (!failures.isEmpty()) throw new AssertionError(failures.peek());
    }
}
