package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.DifferentialTestBase;
import io.larder.testing.RespClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SlowLogTest extends DifferentialTestBase {

    @AfterEach
    void restore() {
        d.exec("CONFIG", "SET", "slowlog-log-slower-than", "10000", "slowlog-max-len", "128", "masterauth", "");
        d.exec("SLOWLOG", "RESET");
    }

    @Test
    void errorsAndHelp() {
        d.script("""
                SLOWLOG
                SLOWLOG foo
                SLOWLOG HELP
                SLOWLOG HELP extra
                SLOWLOG GET abc
                SLOWLOG GET -2
                SLOWLOG GET 1 2
                SLOWLOG get 1 2
                SLOWLOG LEN extra
                SLOWLOG RESET extra
                SLOWLOG RESET
                SLOWLOG LEN
                SLOWLOG GET
                SLOWLOG GET -1
                SLOWLOG GET 0
                """);
    }

    /**
     * Entries as Redis makes them: arguments (truncated, redacted), client
     * name. Ids, times, durations and client addresses are the servers' own.
     */
    @Test
    void entriesLikeRedis() {
        d.exec("SLOWLOG", "RESET");
        d.exec("CONFIG", "SET", "slowlog-log-slower-than", "0");
        List<String> many = new ArrayList<>(List.of("DEL"));
        for (int i = 0; i < 40; i++) many.add("key" + i);
        d.exec(many.toArray(new String[0]));
        d.exec("SET", "big", "x".repeat(300));
        d.exec("ECHO", "y".repeat(128));
        d.exec("ECHO", "z".repeat(129));
        d.exec("AUTH", "default", "secret");
        d.exec("CONFIG", "SET", "masterauth", "secret");
        d.exec("HELLO", "2", "AUTH", "default", "pw", "SETNAME", "named");
        d.exec("NOSUCHCOMMAND");
        d.exec("GET", "a", "b");
        d.exec("CLIENT", "SETNAME", "");
        assertEquals(entries(d.redis().call("SLOWLOG", "GET", "-1")), entries(d.larder().call("SLOWLOG", "GET", "-1")));
        assertEquals(entries(d.redis().call("SLOWLOG", "GET", "3")), entries(d.larder().call("SLOWLOG", "GET", "3")));
        d.check("SLOWLOG", "LEN");
        d.exec("CONFIG", "SET", "slowlog-max-len", "2");
        d.check("SLOWLOG", "LEN");
        assertEquals(entries(d.redis().call("SLOWLOG", "GET")), entries(d.larder().call("SLOWLOG", "GET")));
        d.exec("CONFIG", "SET", "slowlog-log-slower-than", "-1");
        d.exec("PING");
        d.check("SLOWLOG", "LEN");
        d.check("SLOWLOG", "RESET");
        d.check("SLOWLOG", "LEN");
    }

    @Test
    void idsTimesAndDurationsAreReal() throws Exception {
        RespClient c = d.larder();
        c.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
        c.call("PING");
        c.call("PING");
        @SuppressWarnings("unchecked")
        List<List<Object>> e = (List<List<Object>>) c.call("SLOWLOG", "GET", "2");
        long newer = (Long) e.get(0).get(0), older = (Long) e.get(1).get(0);
        assertEquals(older + 1, newer);
        long t = (Long) e.get(0).get(1);
        assertTrue(Math.abs(t - System.currentTimeMillis() / 1000) < 10);
        assertTrue((Long) e.get(0).get(2) >= 0);
        String addr = (String) e.get(0).get(4);
        assertTrue(((String) c.call("CLIENT", "INFO")).contains("addr=" + addr + " "));
        // A slow command is logged with its real duration.
        c.call("CONFIG", "SET", "slowlog-log-slower-than", "100000");
        c.call("SLOWLOG", "RESET");
        try (var l = io.larder.testing.LarderTestServer.start("--enable-debug-command", "yes",
                "--slowlog-log-slower-than", "100000"); RespClient dc = l.client()) {
            dc.call("DEBUG", "SLEEP", "0.2");
            dc.call("PING");
            @SuppressWarnings("unchecked")
            List<List<Object>> slow = (List<List<Object>>) dc.call("SLOWLOG", "GET");
            assertEquals(1, slow.size());
            assertTrue((Long) slow.get(0).get(2) >= 200_000, "duration " + slow.get(0).get(2));
            assertEquals(List.of("DEBUG", "SLEEP", "0.2"), slow.get(0).get(3));
        }
    }

    private static List<Object> entries(Object reply) {
        List<Object> out = new ArrayList<>();
        for (Object o : (List<?>) reply) {
            List<?> e = (List<?>) o;
            assertEquals(6, e.size());
            out.add(List.of(e.get(3), e.get(5)));
        }
        return out;
    }
}
