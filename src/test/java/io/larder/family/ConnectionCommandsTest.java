package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.Diff;
import io.larder.testing.DifferentialTestBase;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import org.junit.jupiter.api.Test;

/** PING, ECHO, SELECT, QUIT, AUTH, HELLO, with and without a password. */
class ConnectionCommandsTest extends DifferentialTestBase {

    @Test
    void withoutPassword() {
        d.script("""
                PING
                PING hello
                PING a b
                ECHO
                ECHO hi
                ECHO a b
                SELECT
                SELECT 15
                SELECT 16
                SELECT -1
                SELECT abc
                SELECT 4294967296
                SELECT 0
                AUTH
                AUTH a b c
                AUTH x
                AUTH default anything
                AUTH nosuchuser x
                HELLO 4
                HELLO 1
                HELLO abc
                HELLO 3 foo
                HELLO 3 auth a
                HELLO 3 setname "a b"
                HELLO 2 SETNAME
                ! HELLO 2 auth default wrong
                ! HELLO
                ! HELLO 2 SETNAME conn
                CLIENT GETNAME
                HELLO 3 AUTH nosuch pw
                """);
        d.resp3();
        d.script("""
                PING
                PING x
                ECHO y
                """);
        d.checkRaw("QUIT\r\n");
    }

    @Test
    void withPassword() {
        try (LarderTestServer l = LarderTestServer.start("--requirepass", "s3cret");
             RedisOracle r = RedisOracle.start("--requirepass", "s3cret");
             Diff diff = new Diff(l.port(), r.port())) {
            diff.script("""
                    PING
                    GET k
                    SELECT 1
                    ECHO x
                    CLIENT ID
                    NOSUCHCMD
                    GET
                    HELLO
                    HELLO 3
                    HELLO 2 SETNAME x
                    AUTH
                    AUTH wrong
                    AUTH default wrong
                    AUTH other s3cret
                    HELLO 2 AUTH default wrong
                    PING
                    AUTH s3cret
                    PING
                    GET k
                    AUTH default s3cret
                    AUTH wrong
                    PING
                    """);
            diff.script("""
                    RESET
                    PING
                    ! HELLO 3 AUTH default s3cret SETNAME me
                    CLIENT GETNAME
                    PING
                    """);
            diff.checkRaw("QUIT\r\n");
        }
    }

    /** Before authenticating, requests may not announce more than 10 arguments or 16 kB per argument. */
    @Test
    void unauthenticatedProtocolLimits() {
        try (LarderTestServer l = LarderTestServer.start("--requirepass", "pw");
             RedisOracle r = RedisOracle.start("--requirepass", "pw")) {
            for (String input : new String[] {"*11\r\n", "*10\r\n", "*1\r\n$16385\r\n", "*1\r\n$16384\r\n",
                "*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n*11\r\n"}) {
                try (Diff diff = new Diff(l.port(), r.port())) {
                    diff.larder().sendRaw(input + "*1\r\n$4\r\nPING\r\n");
                    diff.redis().sendRaw(input + "*1\r\n$4\r\nPING\r\n");
                    String mine = readAll(diff.larder());
                    String theirs = readAll(diff.redis());
                    assertEquals(theirs, mine, input);
                }
            }
        }
    }

    private static String readAll(RespClient c) {
        StringBuilder b = new StringBuilder();
        c.setTimeout(300);
        try {
            while (true) b.append(new String(c.readRaw(), java.nio.charset.StandardCharsets.ISO_8859_1));
        } catch (AssertionError | RuntimeException e) {
            return b.toString();
        }
    }

    /** Removing the password lets connections that never authenticated in. */
    @Test
    void droppingThePasswordAdmitsWaitingClients() {
        try (LarderTestServer l = LarderTestServer.start("--requirepass", "pw");
             RespClient admin = l.client(); RespClient waiting = l.client()) {
            assertTrue(waiting.call("PING") instanceof RespClient.Error);
            assertEquals("OK", admin.call("AUTH", "pw"));
            assertEquals("OK", admin.call("CONFIG", "SET", "requirepass", ""));
            assertEquals("PONG", waiting.call("PING"));
            assertEquals("OK", admin.call("CONFIG", "SET", "requirepass", "again"));
            // Already connected clients keep their state; new ones must authenticate.
            assertEquals("PONG", admin.call("PING"));
            try (RespClient fresh = l.client()) {
                assertEquals(new RespClient.Error("NOAUTH Authentication required."), fresh.call("PING"));
            }
        }
    }
}
