package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.Diff;
import io.larder.testing.DifferentialTestBase;
import io.larder.testing.RespClient;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * MONITOR against Redis: the line format (time, database, address, quoted
 * arguments with sdscatrepr's escapes), which commands appear (not admin,
 * not rejected ones, redacted passwords), the database after the command,
 * the monitor's own commands, RESET and the replica restrictions a monitor
 * lives under. Times and addresses differ between servers: lines are
 * compared with the address replaced by the client's role and the time
 * checked for shape and closeness instead.
 */
class MonitorTest extends DifferentialTestBase {
    private static final Pattern LINE = Pattern.compile("^(\\d+)\\.(\\d{6}) \\[(\\d+) ([^\\]]+)\\] (.*)$");

    @Test
    void linesMatchRedis() {
        try (Diff m = new Diff(larder.port(), redis.port()); Diff c = new Diff(larder.port(), redis.port())) {
            m.check("MONITOR");
            // Ignored without a reply when already monitoring: the next reply is PING's.
            m.larder().send("MONITOR");
            m.redis().send("MONITOR");
            String[][] script = {
                    {"SET", "k", "a b\n\"\\\u0001\u00ff\t\r\u0007\b"},
                    {"GET", "k"},
                    {"SELECT", "2"},
                    {"SET", "in2", "1"},
                    {"AUTH", "secret"},
                    {"AUTH", "user", "secret"},
                    {"HELLO", "2", "AUTH", "default", "secret"},
                    {"HELLO", "2", "SETNAME", "name"},
                    {"CONFIG", "GET", "maxmemory"},
                    {"SLOWLOG", "LEN"},
                    {"CLIENT", "KILL", "ID", "999999"},
                    {"CLIENT", "GETNAME"},
                    {"GET"},
                    {"NOSUCH", "x"},
                    {"RPUSH", "l", "1"},
                    {"LPOP", "k"},
                    {"ECHO", ""},
                    {"PING"},
                    {"SELECT", "0"},
                    {"PUBLISH", "ch", "m"},
                    {"QUIT"},
            };
            for (String[] cmd : script) c.exec(cmd);
            List<String> l = new ArrayList<>(), r = new ArrayList<>();
            // The QUIT line comes last on both.
            while (l.isEmpty() || !l.get(l.size() - 1).endsWith("\"QUIT\"")) l.add(normalize(m.larder().readRaw()));
            while (r.isEmpty() || !r.get(r.size() - 1).endsWith("\"QUIT\"")) r.add(normalize(m.redis().readRaw()));
            assertEquals(r, l);
            // The monitor's own commands show too, after their replies.
            m.check("PING");
            assertEquals(normalize(m.redis().readRaw()), normalize(m.larder().readRaw()));
            m.check("ECHO", "x");
            assertEquals(normalize(m.redis().readRaw()), normalize(m.larder().readRaw()));
        }
    }

    /** A monitor line with the address replaced by "client" and the time checked and dropped. */
    private static String normalize(byte[] raw) {
        String s = new String(raw, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(s.startsWith("+") && s.endsWith("\r\n"), s);
        Matcher mm = LINE.matcher(s.substring(1, s.length() - 2));
        assertTrue(mm.matches(), s);
        long sec = Long.parseLong(mm.group(1));
        assertTrue(Math.abs(sec - System.currentTimeMillis() / 1000) < 60, "time " + sec);
        String source = mm.group(4).equals("lua") ? "lua" : "client";
        return "[" + mm.group(3) + " " + source + "] " + mm.group(5);
    }

    @Test
    void monitorIsAReplicaThatMayNotTouchTheKeyspace() {
        try (Diff m = new Diff(larder.port(), redis.port()); Diff c = new Diff(larder.port(), redis.port())) {
            m.check("MONITOR");
            m.check("GET", "k");
            m.check("SET", "k", "v");
            m.check("PUBLISH", "x", "y");
            m.check("INFO", "nosuchsection");
            assertEquals(normalize(m.redis().readRaw()), normalize(m.larder().readRaw()));
            // CLIENT LIST is an admin command: not shown.
            assertEquals(flags(c.redis()), flags(c.larder()));
            m.check("RESET");
            m.check("SET", "k", "v");
            c.check("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
        }
    }

    private static String flags(RespClient c) {
        StringBuilder b = new StringBuilder();
        for (String line : ((String) c.call("CLIENT", "LIST")).split("\n")) {
            for (String f : line.split(" ")) if (f.startsWith("flags=")) b.append(f).append(';');
        }
        return b.toString();
    }

    /**
     * Scripts against Redis: EVAL, EVALSHA and FCALL show before the
     * commands their script runs, which read "[db lua]", in the database the
     * script selected; a failing script shows its commands up to the error.
     */
    @Test
    void scriptsShowTheirCommandsAsLua() {
        try (Diff m = new Diff(larder.port(), redis.port()); Diff c = new Diff(larder.port(), redis.port())) {
            c.check("FUNCTION", "LOAD", "REPLACE",
                    "#!lua name=monlib\nredis.register_function('monf', function(k, a) return redis.call('incr', k[1]) end)");
            c.check("SCRIPT", "LOAD", "return redis.call('get', KEYS[1])");
            m.check("MONITOR");
            String[][] script = {
                    {"EVAL", "redis.call('set', KEYS[1], ARGV[1]); redis.call('select', 2); return redis.call('get', KEYS[1])",
                            "1", "sk", "v"},
                    {"EVALSHA", "4e6d8fc8bb01276962cce5371fa795a7763657ae", "1", "sk"},
                    {"EVAL", "return redis.call('get', KEYS[1])", "1", "sk"},
                    {"FCALL", "monf", "1", "cnt"},
                    {"EVAL", "redis.call('set', 'e', '1'); return redis.call('lpush', 'e', 'x')", "0"},
                    {"EVAL_RO", "return redis.pcall('set', 'ro', '1')", "0"},
                    {"PING"},
            };
            for (String[] cmd : script) c.exec(cmd);
            List<String> l = new ArrayList<>(), r = new ArrayList<>();
            while (l.isEmpty() || !l.get(l.size() - 1).endsWith("\"PING\"")) l.add(normalize(m.larder().readRaw()));
            while (r.isEmpty() || !r.get(r.size() - 1).endsWith("\"PING\"")) r.add(normalize(m.redis().readRaw()));
            assertEquals(r, l);
            assertTrue(l.stream().anyMatch(x -> x.contains(" lua] \"set\" \"sk\" \"v\"")), l.toString());
        }
    }
}
