package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Long scripts: after busy-reply-threshold other clients get -BUSY (on every
 * event loop), SCRIPT KILL and FUNCTION KILL stop read-only scripts, a
 * script that wrote is unkillable, and SHUTDOWN NOSAVE still stops the
 * server. The same scenario runs against Larder and Redis; the replies must
 * be identical.
 */
class ScriptBusyTest {
    private static final String SPIN = "while true do end";

    /** A server under test: Larder or Redis, started with a 100 ms threshold. */
    private interface Server extends AutoCloseable {
        RespClient client();

        @Override
        void close();
    }

    private static Server larder() {
        LarderTestServer s = LarderTestServer.start("--busy-reply-threshold", "100");
        return new Server() {
            public RespClient client() {
                return s.client();
            }

            public void close() {
                s.close();
            }
        };
    }

    private static Server redis() {
        RedisOracle s = RedisOracle.start("--busy-reply-threshold", "100");
        return new Server() {
            public RespClient client() {
                return s.client();
            }

            public void close() {
                s.close();
            }
        };
    }

    /** Runs a scenario on both servers; returns {larder, redis} transcripts. */
    private static void same(Function<Server, List<String>> scenario) {
        List<String> l, r;
        try (Server s = larder()) {
            l = scenario.apply(s);
        }
        try (Server s = redis()) {
            r = scenario.apply(s);
        }
        assertEquals(String.join("\n", r), String.join("\n", l));
    }

    /** Polls until a command answers -BUSY (the script passed the threshold). */
    private static void awaitBusy(RespClient c) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Object r = c.call("PING");
            if (r instanceof RespClient.Error e && e.message().startsWith("BUSY")) return;
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("the script never became busy");
    }

    private static CompletableFuture<Object> async(RespClient c, String... cmd) {
        return CompletableFuture.supplyAsync(() -> c.call(cmd));
    }

    private static String show(Object o) {
        return String.valueOf(o);
    }

    @Test
    void readOnlyScriptIsBusyThenKilled() {
        same(s -> {
            List<String> out = new ArrayList<>();
            try (RespClient a = s.client(); RespClient b = s.client()) {
                b.call("SET", "x", "1");
                CompletableFuture<Object> running = async(a, "EVAL", SPIN, "0");
                awaitBusy(b);
                for (String[] cmd : new String[][] {{"GET", "x"}, {"MULTI"}, {"PING"}, {"EXEC"}, {"MULTI"},
                    {"WATCH", "x"}, {"UNWATCH"}, {"DISCARD"}, {"FUNCTION", "STATS"}, {"FUNCTION", "KILL"},
                    {"SCRIPT", "FLUSH"}, {"CLIENT", "ID"}, {"SCRIPT", "KILL"}}) {
                    out.add(String.join(" ", cmd) + " -> " + show(b.call(cmd)));
                }
                out.add("A -> " + show(running.join()));
                out.add("PING -> " + show(b.call("PING")));
                out.add("GET -> " + show(b.call("GET", "x")));
                // The kill left nothing behind: the next script runs normally.
                out.add("next script -> " + show(a.call("EVAL", "local n = 0 for i = 1, 300000 do n = n + 1 end return n", "0")));
            }
            return out;
        });
    }

    @Test
    void transactionQueuedBeforeTheScriptStillRuns() {
        same(s -> {
            List<String> out = new ArrayList<>();
            try (RespClient a = s.client(); RespClient b = s.client(); RespClient c = s.client()) {
                c.call("MULTI");
                c.call("SET", "k", "v");
                CompletableFuture<Object> running = async(a, "EVAL", SPIN, "0");
                awaitBusy(b);
                out.add("queue during busy -> " + show(c.call("SET", "k2", "v2")));
                out.add("kill -> " + show(b.call("SCRIPT", "KILL")));
                out.add("A -> " + show(running.join()));
                out.add("EXEC -> " + show(c.call("EXEC")));
            }
            return out;
        });
    }

    @Test
    void functionIsBusyThenKilled() {
        same(s -> {
            List<String> out = new ArrayList<>();
            try (RespClient a = s.client(); RespClient b = s.client()) {
                b.call("FUNCTION", "LOAD", "#!lua name=spin\n"
                        + "redis.register_function{function_name='spin', callback=function() while true do end end,"
                        + " flags={'no-writes'}}");
                CompletableFuture<Object> running = async(a, "FCALL", "spin", "0", "arg");
                awaitBusy(b);
                out.add("PING -> " + show(b.call("PING")));
                Object stats = b.call("FUNCTION", "STATS");
                // duration_ms varies: keep the name and command.
                List<?> l = (List<?>) stats;
                List<?> running0 = (List<?>) l.get(1);
                out.add("STATS -> " + l.get(0) + " " + running0.subList(0, 4) + " " + l.get(2) + " " + l.get(3));
                out.add("SCRIPT KILL -> " + show(b.call("SCRIPT", "KILL")));
                out.add("FUNCTION KILL -> " + show(b.call("FUNCTION", "KILL")));
                out.add("A -> " + show(running.join()));
                out.add("FUNCTION KILL again -> " + show(b.call("FUNCTION", "KILL")));
            }
            return out;
        });
    }

    @Test
    void writeScriptIsUnkillableButShutdownNosaveStops() {
        same(s -> {
            List<String> out = new ArrayList<>();
            try (RespClient a = s.client(); RespClient b = s.client()) {
                async(a, "EVAL", "redis.call('set','x','1') " + SPIN, "0");
                awaitBusy(b);
                for (String[] cmd : new String[][] {{"SCRIPT", "KILL"}, {"FUNCTION", "KILL"}, {"SHUTDOWN"},
                    {"SHUTDOWN", "SAVE"}, {"CLIENT", "LIST"}}) {
                    out.add(String.join(" ", cmd) + " -> " + show(b.call(cmd)));
                }
                b.send("SHUTDOWN", "NOSAVE");
                out.add("closed -> " + b.isClosedByServer(5000));
                out.add("script client closed -> " + a.isClosedByServer(5000));
            }
            return out;
        });
    }

    @Test
    void everyEventLoopAnswersBusy() throws Exception {
        try (LarderTestServer s = LarderTestServer.start("--busy-reply-threshold", "100", "--threads", "4");
                RespClient a = s.client()) {
            CompletableFuture<Object> running = async(a, "EVAL", SPIN, "0");
            List<RespClient> others = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) others.add(s.client());
                awaitBusy(others.get(0));
                for (RespClient c : others) {
                    Object r = c.call("GET", "k");
                    assertTrue(r instanceof RespClient.Error e && e.message().startsWith("BUSY"), String.valueOf(r));
                }
                assertEquals("OK", others.get(3).call("SCRIPT", "KILL"));
                assertTrue(running.get(10, TimeUnit.SECONDS) instanceof RespClient.Error);
                for (RespClient c : others) assertEquals("PONG", c.call("PING"));
            } finally {
                for (RespClient c : others) c.close();
            }
        }
    }

    @Test
    void killBeforeTheThresholdWaitsForTheScript() {
        // Redis answers nobody until a script is busy: a SCRIPT KILL sent earlier sees it done.
        try (LarderTestServer s = LarderTestServer.start("--busy-reply-threshold", "60000");
                RespClient a = s.client(); RespClient b = s.client()) {
            CompletableFuture<Object> running = async(a, "EVAL",
                    "local n = 0 for i = 1, 30000000 do n = n + i end return 1", "0");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (s.server().scripts().current() == null && !running.isDone() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            Object kill = b.call("SCRIPT", "KILL");
            assertTrue(s.server().scripts().current() == null, "SCRIPT KILL answered while the script still ran");
            assertEquals(1L, running.join());
            assertEquals("NOTBUSY No scripts in execution right now.", ((RespClient.Error) kill).message());
        }
    }
}
