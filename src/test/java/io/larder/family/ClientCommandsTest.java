package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.DifferentialTestBase;
import io.larder.testing.RespClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ClientCommandsTest extends DifferentialTestBase {

    @Test
    void errorsAndArity() {
        d.script("""
                CLIENT
                CLIENT foo
                CLIENT HELP
                CLIENT help extra
                CLIENT ID extra
                CLIENT INFO extra
                CLIENT GETNAME extra
                CLIENT SETNAME
                CLIENT SETNAME "a b"
                CLIENT SETNAME "a\\nb"
                CLIENT LIST TYPE foo
                CLIENT LIST TYPE
                CLIENT LIST ID
                CLIENT LIST ID abc
                CLIENT LIST ID 1 abc
                CLIENT LIST ID 999999
                CLIENT LIST foo
                CLIENT LIST foo bar baz
                CLIENT KILL
                CLIENT KILL 1.2.3.4:5
                CLIENT KILL id
                CLIENT KILL ID 0
                CLIENT KILL ID -5
                CLIENT KILL ID abc
                CLIENT KILL ID 999999
                CLIENT KILL TYPE foo
                CLIENT KILL TYPE master
                CLIENT KILL TYPE replica
                CLIENT KILL TYPE slave
                CLIENT KILL TYPE pubsub
                CLIENT KILL USER nosuch
                CLIENT KILL USER default SKIPME yes ID 999999
                CLIENT KILL SKIPME maybe
                CLIENT KILL foo bar
                CLIENT KILL ADDR 1.2.3.4:5 LADDR x
                CLIENT KILL ID 999999 SKIPME no
                CLIENT KILL ID 999999 TYPE
                CLIENT PAUSE abc
                CLIENT PAUSE -1
                CLIENT PAUSE 10 foo
                CLIENT PAUSE abc foo
                CLIENT PAUSE 99999999999999999999
                CLIENT PAUSE 1 all extra
                CLIENT Pause 1 all extra
                CLIENT UNPAUSE extra
                CLIENT REPLY
                CLIENT REPLY foo
                CLIENT REPLY on extra
                CLIENT NO-EVICT
                CLIENT NO-EVICT foo
                CLIENT NO-EVICT on extra
                """);
    }

    @Test
    void namesAndNoEvict() {
        d.script("""
                CLIENT GETNAME
                CLIENT SETNAME myname
                CLIENT GETNAME
                CLIENT SETNAME ""
                CLIENT GETNAME
                CLIENT NO-EVICT on
                CLIENT NO-EVICT OFF
                CLIENT REPLY ON
                """);
        d.resp3();
        d.script("""
                CLIENT GETNAME
                CLIENT SETNAME x
                CLIENT GETNAME
                """);
    }

    @Test
    void replyOffOnSkip() {
        d.checkRaw("CLIENT REPLY OFF\r\nPING\r\nNOSUCH\r\nCLIENT REPLY ON\r\n");
        d.checkRaw("CLIENT REPLY SKIP\r\nECHO a\r\nECHO b\r\n");
        d.checkRaw("CLIENT REPLY SKIP\r\nNOSUCH\r\nECHO c\r\n");
        d.checkRaw("CLIENT REPLY SKIP\r\nCLIENT REPLY SKIP\r\nECHO d\r\nECHO e\r\n");
        d.checkRaw("CLIENT REPLY OFF\r\nCLIENT REPLY SKIP\r\nPING\r\nCLIENT REPLY ON\r\n");
        d.checkRaw("ECHO f\r\n");
        d.checkRaw("CLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\n");
        d.checkRaw("ECHO g\r\n");
        d.checkRaw("CLIENT REPLY OFF\r\nSET k v\r\nCLIENT REPLY ON\r\nGET k\r\n");
        d.checkRaw("GET k\r\n");
    }

    /** CLIENT INFO/LIST lines: Redis's fields in Redis's order, same values where both can agree. */
    @Test
    void infoLineFormat() {
        d.exec("CLIENT", "SETNAME", "fmt");
        d.exec("SELECT", "2");
        Map<String, String> mine = fields((String) d.larder().call("CLIENT", "INFO"));
        Map<String, String> theirs = fields((String) d.redis().call("CLIENT", "INFO"));
        assertEquals(List.copyOf(theirs.keySet()), List.copyOf(mine.keySet()));
        for (String f : List.of("name", "flags", "db", "sub", "psub", "ssub", "multi", "qbuf", "argv-mem",
                "multi-mem", "obl", "oll", "omem", "events", "cmd", "user", "redir", "resp")) {
            assertEquals(theirs.get(f), mine.get(f), f);
        }
        assertEquals(String.valueOf(d.larder().callLong("CLIENT", "ID")), mine.get("id"));
        String list = (String) d.larder().call("CLIENT", "LIST");
        assertTrue(list.endsWith("\n"));
        boolean found = false;
        for (String line : list.split("\n")) {
            Map<String, String> f = fields(line);
            assertEquals(List.copyOf(theirs.keySet()), List.copyOf(f.keySet()));
            if (f.get("name").equals("fmt")) {
                found = true;
                assertEquals("client|list", f.get("cmd"));
            }
        }
        assertTrue(found);
        d.exec("SELECT", "0");
    }

    @Test
    void listFilters() throws Exception {
        try (RespClient other = larder.client()) {
            other.call("CLIENT", "SETNAME", "other");
            long id = other.callLong("CLIENT", "ID");
            String byId = (String) d.larder().call("CLIENT", "LIST", "ID", String.valueOf(id), "999999");
            assertEquals(1, byId.split("\n").length);
            assertTrue(byId.contains("name=other "));
            String normal = (String) d.larder().call("CLIENT", "LIST", "TYPE", "normal");
            assertTrue(normal.contains("name=other "));
            assertEquals("", d.larder().call("CLIENT", "LIST", "TYPE", "pubsub"));
            assertEquals("", d.larder().call("CLIENT", "LIST", "TYPE", "master"));
            assertEquals("", d.larder().call("CLIENT", "LIST", "TYPE", "replica"));
        }
    }

    @Test
    void killByAddrIdLaddrAndSkipme() {
        try (RespClient a = larder.client(); RespClient b = larder.client(); RespClient c = larder.client()) {
            Map<String, String> fa = fields((String) a.call("CLIENT", "INFO"));
            long idB = b.callLong("CLIENT", "ID");
            c.call("CLIENT", "SETNAME", "victim");
            assertEquals("OK", d.larder().call("CLIENT", "KILL", fa.get("addr")));
            assertTrue(a.isClosedByServer(2000));
            assertEquals(1L, d.larder().call("CLIENT", "KILL", "ID", String.valueOf(idB)));
            assertTrue(b.isClosedByServer(2000));
            assertEquals(RespClient.Error.class,
                    d.larder().call("CLIENT", "KILL", fa.get("addr")).getClass());
            // LADDR matches every connection to this listener; SKIPME (default yes) spares the caller.
            Map<String, String> self = fields((String) d.larder().call("CLIENT", "INFO"));
            long killed = d.larder().callLong("CLIENT", "KILL", "LADDR", self.get("laddr"), "USER", "default");
            assertTrue(killed >= 1);
            assertTrue(c.isClosedByServer(2000));
            assertEquals("PONG", d.larder().call("PING"));
        }
        // The old form may kill the caller itself, after its reply.
        try (RespClient me = larder.client()) {
            String addr = fields((String) me.call("CLIENT", "INFO")).get("addr");
            assertEquals("OK", me.call("CLIENT", "KILL", addr));
            assertTrue(me.isClosedByServer(2000));
        }
        try (RespClient me = larder.client()) {
            long id = me.callLong("CLIENT", "ID");
            assertEquals(0L, me.call("CLIENT", "KILL", "ID", String.valueOf(id)));
            assertEquals(1L, me.call("CLIENT", "KILL", "ID", String.valueOf(id), "SKIPME", "no"));
            assertTrue(me.isClosedByServer(2000));
        }
    }

    @Test
    void pauseWritePostponesWritesOnly() throws Exception {
        try (RespClient pauser = larder.client(); RespClient writer = larder.client()) {
            String writerId = String.valueOf(writer.callLong("CLIENT", "ID"));
            assertEquals("OK", pauser.call("CLIENT", "PAUSE", "60000", "WRITE"));
            assertEquals("PONG", writer.call("PING"));
            assertNull(writer.call("GET", "paused"));
            long t0 = System.nanoTime();
            CompletableFuture<Object> set = CompletableFuture.supplyAsync(() -> writer.call("SET", "paused", "1"));
            // Postponed, not rejected: no reply while paused.
            Thread.sleep(300);
            assertFalse(set.isDone());
            Map<String, String> line = fields((String) pauser.call("CLIENT", "LIST", "ID", writerId));
            assertTrue(line.get("flags").contains("b"), line.toString());
            assertEquals("OK", pauser.call("CLIENT", "UNPAUSE"));
            assertEquals("OK", set.get(5, TimeUnit.SECONDS));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30));
            assertEquals("1", pauser.call("GET", "paused"));
            pauser.call("DEL", "paused");
        }
    }

    @Test
    void pauseAllEndsByItself() throws Exception {
        try (RespClient pauser = larder.client(); RespClient other = larder.client()) {
            long t0 = System.nanoTime();
            assertEquals("OK", pauser.call("CLIENT", "PAUSE", "400"));
            assertEquals("PONG", other.call("PING"));
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(waited >= 350, "PING answered after " + waited + " ms");
            // Under PAUSE ALL the pausing client waits too, even for CLIENT UNPAUSE.
            t0 = System.nanoTime();
            assertEquals("OK", pauser.call("CLIENT", "PAUSE", "300", "ALL"));
            assertEquals("OK", pauser.call("CLIENT", "UNPAUSE"));
            waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(waited >= 250, "UNPAUSE answered after " + waited + " ms");
        }
    }

    static Map<String, String> fields(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String tok : line.trim().split(" ")) {
            int eq = tok.indexOf('=');
            m.put(tok.substring(0, eq), tok.substring(eq + 1));
        }
        return m;
    }
}
