package io.larder.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.Diff;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Collections;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** maxclients, timeout, protected-mode, bind (also at run time), databases, loglevel. */
class ServerConfigBehaviourTest {

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static InetAddress externalAddress() throws Exception {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) continue;
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address) return a;
            }
        }
        return null;
    }

    /** Everything the server sends before closing (or until 2 s pass). */
    static String greeting(String host, int port, String send) throws Exception {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(2000);
            s.getOutputStream().write(send.getBytes());
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes());
        } catch (java.net.SocketTimeoutException e) {
            return "<open>";
        }
    }

    @Test
    void maxclientsRefusesWithRedisError() throws Exception {
        try (LarderTestServer l = LarderTestServer.start("--maxclients", "2");
             RespClient a = l.client(); RespClient b = l.client()) {
            assertEquals("PONG", a.call("PING"));
            assertEquals("PONG", b.call("PING"));
            // The refusal is sent at once; the client need not send anything.
            assertEquals("-ERR max number of clients reached\r\n", greeting("127.0.0.1", l.port(), ""));
            String stats = (String) a.call("INFO", "stats");
            assertTrue(stats.contains("rejected_connections:1\r\n"), stats);
            assertEquals("OK", a.call("CONFIG", "SET", "maxclients", "3"));
            assertEquals("+PONG\r\n", greeting("127.0.0.1", l.port(), "PING\r\nQUIT\r\n").substring(0, 7));
        }
    }

    @Test
    void timeoutClosesIdleClients() throws Exception {
        try (LarderTestServer l = LarderTestServer.start("--timeout", "1");
             RespClient idle = l.client(); RespClient busy = l.client()) {
            assertEquals("PONG", idle.call("PING"));
            long t0 = System.nanoTime();
            // The busy client keeps talking; the idle one is closed after about a second.
            boolean closed = false;
            while (!closed && System.nanoTime() - t0 < 5_000_000_000L) {
                assertEquals("PONG", busy.call("PING"));
                closed = idle.isClosedByServer(100);
            }
            assertTrue(closed);
            assertTrue(System.nanoTime() - t0 >= 900_000_000L);
            assertEquals("OK", busy.call("CONFIG", "SET", "timeout", "0"));
        }
    }

    @Test
    void protectedModeDeniesRemoteClientsWithRedisText() throws Exception {
        InetAddress ext = externalAddress();
        Assumptions.assumeTrue(ext != null, "no non-loopback IPv4 address");
        int lp = freePort();
        try (LarderTestServer l = LarderTestServer.start("--port", String.valueOf(lp), "--bind", "0.0.0.0");
             RedisOracle r = RedisOracle.start("--bind", "0.0.0.0", "--protected-mode", "yes")) {
            String mine = greeting(ext.getHostAddress(), lp, "");
            String theirs = greeting(ext.getHostAddress(), r.port(), "");
            assertTrue(theirs.startsWith("-DENIED"), theirs);
            assertEquals(theirs, mine);
            // From loopback, and with a password or protected-mode off, remote clients are served.
            assertEquals("+PONG\r\n", greeting("127.0.0.1", lp, "PING\r\nQUIT\r\n").substring(0, 7));
            try (RespClient local = new RespClient(lp)) {
                assertEquals("OK", local.call("CONFIG", "SET", "protected-mode", "no"));
                assertTrue(greeting(ext.getHostAddress(), lp, "PING\r\nQUIT\r\n").startsWith("+PONG"));
                assertEquals("OK", local.call("CONFIG", "SET", "protected-mode", "yes", "requirepass", "pw"));
                assertTrue(greeting(ext.getHostAddress(), lp, "PING\r\nQUIT\r\n").startsWith("-NOAUTH"));
            }
        }
    }

    @Test
    void bindListsAndRebinding() throws Exception {
        InetAddress ext = externalAddress();
        Assumptions.assumeTrue(ext != null, "no non-loopback IPv4 address");
        int port = freePort();
        // An optional address that cannot be bound ("-" prefix) is skipped; IPv6 loopback if present.
        try (LarderTestServer l = LarderTestServer.start("--port", String.valueOf(port), "--bind", "127.0.0.1",
                "-::1", "-192.0.2.254");
             RespClient admin = new RespClient(port)) {
            assertEquals("127.0.0.1 -::1 -192.0.2.254", ((java.util.List<?>) admin.call("CONFIG", "GET", "bind")).get(1));
            assertEquals("<refused>", connect(ext.getHostAddress(), port));
            assertEquals("OK", admin.call("CONFIG", "SET", "bind", "127.0.0.1 " + ext.getHostAddress()));
            assertEquals("<connected>", connect(ext.getHostAddress(), port));
            // The connection that changed the binding stays open.
            assertEquals("PONG", admin.call("PING"));
            // An address that is not ours fails, and the old binding stays in place.
            Object err = admin.call("CONFIG", "SET", "bind", "192.0.2.254");
            assertEquals(new RespClient.Error("ERR CONFIG SET failed (possibly related to argument 'bind') - "
                    + "Failed to bind to specified addresses."), err);
            assertEquals("127.0.0.1 " + ext.getHostAddress(), ((java.util.List<?>) admin.call("CONFIG", "GET", "bind")).get(1));
            assertEquals("<connected>", connect(ext.getHostAddress(), port));
            // The port too can change at run time.
            int other = freePort();
            assertEquals("OK", admin.call("CONFIG", "SET", "port", String.valueOf(other)));
            assertEquals("<connected>", connect("127.0.0.1", other));
            assertEquals("<refused>", connect("127.0.0.1", port));
        }
    }

    static String connect(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new java.net.InetSocketAddress(host, port), 1000);
            return "<connected>";
        } catch (java.io.IOException e) {
            return "<refused>";
        }
    }

    /** The kernel's view of the server side of a connection: its /proc/net/tcp timer field ("02:..." = keepalive). */
    static String serverSocketTimer(int serverPort, int clientPort) throws Exception {
        Assumptions.assumeTrue(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/net/tcp")), "no /proc/net/tcp");
        String local = String.format(":%04X", serverPort), remote = String.format(":%04X", clientPort);
        // Netty's epoll sockets are IPv6 sockets even for IPv4 addresses, so look in both tables.
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            java.nio.file.Path tcp = java.nio.file.Path.of(table);
            if (!java.nio.file.Files.exists(tcp)) continue;
            for (String line : java.nio.file.Files.readAllLines(tcp)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 5 && f[1].endsWith(local) && f[2].endsWith(remote)) return f[5];
            }
        }
        throw new AssertionError("no socket " + serverPort + " <- " + clientPort);
    }

    @Test
    void tcpKeepaliveAppliesToNewConnections() throws Exception {
        int port = freePort();
        try (LarderTestServer l = LarderTestServer.start("--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--tcp-keepalive", "7");
             Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("PING\r\n".getBytes());
            s.getInputStream().read(new byte[7]);
            // The retransmit timer ("01:") shows instead while the reply is unacknowledged: poll briefly.
            String timer = serverSocketTimer(port, s.getLocalPort());
            for (int i = 0; i < 50 && !timer.startsWith("02:"); i++) {
                Thread.sleep(20);
                timer = serverSocketTimer(port, s.getLocalPort());
            }
            assertTrue(timer.startsWith("02:"), "keepalive timer expected, got " + timer);
            try (RespClient admin = new RespClient(port)) {
                assertEquals("OK", admin.call("CONFIG", "SET", "tcp-keepalive", "0"));
            }
            try (Socket t = new Socket("127.0.0.1", port)) {
                t.getOutputStream().write("PING\r\n".getBytes());
                t.getInputStream().read(new byte[7]);
                Thread.sleep(200);
                String none = serverSocketTimer(port, t.getLocalPort());
                assertTrue(!none.startsWith("02:"), "no keepalive expected, got " + none);
            }
        }
    }

    @Test
    void databasesAndLoglevel() throws Exception {
        try (LarderTestServer l = LarderTestServer.start("--databases", "4", "--loglevel", "warning");
             RedisOracle r = RedisOracle.start("--databases", "4");
             Diff d = new Diff(l.port(), r.port())) {
            d.script("""
                    SELECT 3
                    SELECT 4
                    CONFIG GET databases
                    CONFIG SET databases 8
                    """);
            assertEquals(Log.WARNING, Log.level());
            assertEquals("OK", d.larder().call("CONFIG", "SET", "loglevel", "debug"));
            assertEquals(Log.DEBUG, Log.level());
            d.larder().call("CONFIG", "SET", "loglevel", "notice");
            assertFalse(Log.level() == Log.DEBUG);
            d.check("INFO", "keyspace");
            assertInstanceOf(String.class, d.larder().call("INFO", "keyspace"));
        }
    }
}
