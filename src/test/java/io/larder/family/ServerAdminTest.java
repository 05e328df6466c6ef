package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.Diff;
import io.larder.testing.DifferentialTestBase;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** TIME, LASTSAVE, DEBUG, SHUTDOWN, RESET. */
class ServerAdminTest extends DifferentialTestBase {

    @Test
    void timeAndLastsave() {
        d.script("""
                TIME extra
                LASTSAVE extra
                """);
        List<?> t = (List<?>) d.larder().call("TIME");
        assertEquals(2, t.size());
        long sec = Long.parseLong((String) t.get(0));
        long usec = Long.parseLong((String) t.get(1));
        assertTrue(Math.abs(sec - System.currentTimeMillis() / 1000) <= 2);
        assertTrue(usec >= 0 && usec < 1_000_000);
        // Bulk strings, as Redis replies.
        assertTrue(new String(d.larder().callRaw("TIME"), java.nio.charset.StandardCharsets.ISO_8859_1)
                .startsWith("*2\r\n$10\r\n"));
        long lastsave = d.larder().callLong("LASTSAVE");
        assertEquals(larder.server().lastSaveMs() / 1000, lastsave);
        assertTrue(lastsave <= System.currentTimeMillis() / 1000);
    }

    @Test
    void debugIsProtectedByDefault() {
        d.script("""
                DEBUG
                DEBUG HELP
                DEBUG SLEEP 0
                DEBUG foo
                """);
    }

    @Test
    void debugSubcommands() {
        try (LarderTestServer l = LarderTestServer.start("--enable-debug-command", "yes");
             RedisOracle r = RedisOracle.start("--enable-debug-command", "yes");
             Diff diff = new Diff(l.port(), r.port())) {
            diff.script("""
                    DEBUG foo
                    DEBUG JMAP
                    DEBUG SLEEP
                    DEBUG SLEEP 0
                    DEBUG SLEEP abc
                    DEBUG sleep 0.01
                    DEBUG SLEEP 0 extra
                    DEBUG ERROR
                    DEBUG ERROR "FOO bar"
                    DEBUG ERROR "no code"
                    DEBUG LOG hello
                    DEBUG SET-ACTIVE-EXPIRE
                    DEBUG SET-ACTIVE-EXPIRE 0
                    DEBUG SET-ACTIVE-EXPIRE abc
                    DEBUG SET-ACTIVE-EXPIRE 1
                    DEBUG POPULATE
                    DEBUG POPULATE abc
                    DEBUG POPULATE -1
                    DEBUG POPULATE 0
                    DEBUG POPULATE 3
                    DEBUG POPULATE 2 p 20
                    DEBUG POPULATE 2 q 3
                    DEBUG POPULATE 1 r -1
                    DEBUG POPULATE 1 r abc
                    DEBUG POPULATE 1 a b c
                    DEBUG POPULATE 1000000000000000000000
                    DBSIZE
                    GET key:0
                    GET key:2
                    GET p:1
                    GET q:0
                    GET q:1
                    DEBUG POPULATE 5
                    DBSIZE
                    DEBUG CONFIG-REWRITE-FORCE-ALL extra
                    """);
            for (String type : List.of("string", "integer", "double", "bignum", "null", "array", "set", "map",
                    "attrib", "push", "verbatim", "true", "false", "foo", "STRING")) {
                diff.check("DEBUG", "PROTOCOL", type);
            }
            diff.resp3();
            for (String type : List.of("string", "integer", "double", "bignum", "null", "array", "set", "map",
                    "verbatim", "true", "false", "foo")) {
                diff.check("DEBUG", "PROTOCOL", type);
            }
            diff.checkRaw("DEBUG PROTOCOL attrib\r\n");
            // A push reply is followed by a normal one.
            diff.checkRaw("DEBUG PROTOCOL push\r\n");
            diff.checkRaw("PING\r\n");
        }
    }

    @Test
    void debugSleepStopsTheKeyspace() throws Exception {
        try (LarderTestServer l = LarderTestServer.start("--enable-debug-command", "yes");
             RespClient sleeper = l.client(); RespClient other = l.client()) {
            var done = java.util.concurrent.CompletableFuture.supplyAsync(() -> sleeper.call("DEBUG", "SLEEP", "0.5"));
            // Wait until the sleep has begun, then a keyspace command must wait for it.
            while (!((String) other.call("CLIENT", "LIST")).contains("cmd=debug")) Thread.sleep(5);
            long t0 = System.nanoTime();
            other.call("SET", "k", "v");
            assertTrue(done.isDone() || System.nanoTime() - t0 > 100_000_000L);
            assertEquals("OK", done.get());
        }
    }

    @Test
    void debugLocalAllowsLoopbackOnly() throws Exception {
        try (LarderTestServer l = LarderTestServer.start("--enable-debug-command", "local");
             RespClient c = l.client()) {
            assertEquals("OK", c.call("DEBUG", "SLEEP", "0"));
        }
        InetAddress external = externalAddress();
        Assumptions.assumeTrue(external != null, "no non-loopback IPv4 address");
        int port = freePort();
        try (LarderTestServer l = LarderTestServer.start("--enable-debug-command", "local", "--port",
                String.valueOf(port), "--bind", "0.0.0.0", "--protected-mode", "no");
             RespClient c = new RespClient(external.getHostAddress(), port)) {
            Object r = c.call("DEBUG", "SLEEP", "0");
            assertInstanceOf(RespClient.Error.class, r);
            assertTrue(((RespClient.Error) r).message().startsWith("ERR DEBUG command not allowed."));
        }
    }

    static InetAddress externalAddress() throws Exception {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) continue;
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) return a;
            }
        }
        return null;
    }

    static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void shutdownErrors() {
        d.script("""
                SHUTDOWN foo
                SHUTDOWN SAVE NOSAVE
                SHUTDOWN ABORT NOW
                SHUTDOWN ABORT
                SHUTDOWN NOSAVE SAVE NOW
                """);
    }

    @Test
    void shutdownStopsTheServer() throws Exception {
        LarderTestServer l = LarderTestServer.start();
        try (RespClient c = l.client(); RespClient other = l.client()) {
            assertEquals("PONG", other.call("PING"));
            c.send("SHUTDOWN", "NOSAVE");
            assertTrue(c.isClosedByServer(5000));
            assertTrue(other.isClosedByServer(5000));
            long deadline = System.currentTimeMillis() + 5000;
            while (l.server().running() && System.currentTimeMillis() < deadline) Thread.sleep(10);
            assertFalse(l.server().running());
        } finally {
            l.close();
        }
    }

    @Test
    void shutdownSaveFailureKeepsRunning() {
        try (LarderTestServer l = LarderTestServer.start(); RespClient c = l.client()) {
            l.server().setShutdownSaver(() -> false);
            assertEquals(new RespClient.Error("ERR Errors trying to SHUTDOWN. Check logs."), c.call("SHUTDOWN", "SAVE"));
            assertEquals("PONG", c.call("PING"));
            l.server().setShutdownSaver(() -> true);
            c.send("SHUTDOWN", "SAVE", "FORCE");
            assertTrue(c.isClosedByServer(5000));
        }
    }

    @Test
    void resetRestoresTheConnection() {
        d.script("""
                RESET extra
                SELECT 3
                SET inthree 1
                CLIENT SETNAME someone
                CLIENT NO-EVICT on
                ! HELLO 3
                RESET
                CLIENT GETNAME
                GET inthree
                PING
                """);
        Object info = d.larder().call("CLIENT", "INFO");
        assertTrue(((String) info).contains(" flags=N ") && ((String) info).contains(" resp=2"), (String) info);
        d.checkRaw("CLIENT REPLY OFF\r\nRESET\r\n");
        d.checkRaw("PING\r\n");
        d.exec("SELECT", "3");
        d.exec("DEL", "inthree");
    }

    @Test
    void resetLogsOutWhenAPasswordIsSet() {
        try (LarderTestServer l = LarderTestServer.start("--requirepass", "pw");
             RedisOracle r = RedisOracle.start("--requirepass", "pw");
             Diff diff = new Diff(l.port(), r.port())) {
            diff.script("""
                    AUTH pw
                    PING
                    RESET
                    PING
                    AUTH pw
                    PING
                    """);
        }
    }
}
