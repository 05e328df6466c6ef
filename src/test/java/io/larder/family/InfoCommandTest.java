package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.DifferentialTestBase;
import io.larder.testing.RespClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InfoCommandTest extends DifferentialTestBase {

    /** Section name -> ordered "field:value" lines, from an INFO reply. */
    static Map<String, List<String>> parse(String info) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> cur = null;
        assertTrue(info.isEmpty() || info.endsWith("\r\n"), "INFO ends with CRLF");
        for (String line : info.split("\r\n", -1)) {
            if (line.startsWith("# ")) {
                cur = new ArrayList<>();
                out.put(line.substring(2), cur);
            } else if (!line.isEmpty()) {
                assertTrue(cur != null && line.indexOf(':') > 0, "bad INFO line: " + line);
                cur.add(line);
            }
        }
        return out;
    }

    static List<String> names(List<String> lines) {
        List<String> n = new ArrayList<>();
        for (String l : lines) n.add(l.substring(0, l.indexOf(':')));
        return n;
    }

    static String info(RespClient c, String... sections) {
        String[] cmd = new String[sections.length + 1];
        cmd[0] = "INFO";
        System.arraycopy(sections, 0, cmd, 1, sections.length);
        return (String) c.call(cmd);
    }

    @Test
    void sectionsAndFieldNamesMatchRedis() {
        d.exec("SET", "k", "v");
        d.exec("EXPIRE", "k", "100");
        d.exec("GET", "k");
        Map<String, List<String>> mine = parse(info(d.larder(), "everything"));
        Map<String, List<String>> theirs = parse(info(d.redis(), "everything"));
        assertEquals(List.copyOf(theirs.keySet()), List.copyOf(mine.keySet()));
        for (String section : theirs.keySet()) {
            if (List.of("Commandstats", "Errorstats", "Latencystats", "Keyspace").contains(section)) continue;
            List<String> expected = names(theirs.get(section));
            List<String> actual = names(mine.get(section));
            if (section.equals("Server")) {
                assertEquals("larder_version", actual.remove(1));
            }
            assertEquals(expected, actual, "fields of # " + section);
        }
    }

    @Test
    void sectionSelection() {
        // Exact bytes where the section content is the same on both servers.
        d.script("""
                INFO cluster
                INFO CLUSTER
                INFO cluster keyspace
                INFO keyspace cluster cluster
                INFO modules
                INFO nosuchsection
                INFO nosuch cluster
                """);
        for (String[] args : List.of(new String[0], new String[] {"default"}, new String[] {"all"},
                new String[] {"everything"}, new String[] {"default", "commandstats"},
                new String[] {"server", "clients"}, new String[] {"ALL"}, new String[] {"commandstats", "latencystats"},
                new String[] {"stats", "foo", "cpu"})) {
            assertEquals(List.copyOf(parse(info(d.redis(), args)).keySet()),
                    List.copyOf(parse(info(d.larder(), args)).keySet()), String.join(" ", args));
        }
        d.resp3();
        d.script("""
                INFO cluster
                INFO nosuch
                """);
    }

    @Test
    void statisticsAfterTheSameCommands() {
        d.exec("CONFIG", "RESETSTAT");
        d.script("""
                SET a 1
                GET a
                GET nosuch
                SET b
                NOSUCHCMD x
                CONFIG NOSUCH
                DEL a nosuch
                """);
        d.script("""
                INFO errorstats
                """);
        Map<String, String> mine = stats(info(d.larder(), "stats"));
        Map<String, String> theirs = stats(info(d.redis(), "stats"));
        for (String f : List.of("total_commands_processed", "keyspace_hits", "keyspace_misses", "total_error_replies",
                "expired_keys", "evicted_keys", "rejected_connections")) {
            assertEquals(theirs.get(f), mine.get(f), f);
        }
        // commandstats: the same commands with the same counters (durations differ).
        assertEquals(withoutTimes(info(d.redis(), "commandstats")), withoutTimes(info(d.larder(), "commandstats")));
        assertEquals(sorted(names(parse(info(d.redis(), "latencystats")).get("Latencystats"))),
                sorted(names(parse(info(d.larder(), "latencystats")).get("Latencystats"))));
    }

    @Test
    void keyspaceSection() {
        d.script("""
                SET a 1
                SET b 2
                SELECT 3
                SET c 3 EX 1000
                SELECT 0
                """);
        String mine = info(d.larder(), "keyspace");
        String theirs = info(d.redis(), "keyspace");
        assertEquals(theirs.replaceAll("avg_ttl=\\d+", "avg_ttl=T"), mine.replaceAll("avg_ttl=\\d+", "avg_ttl=T"));
        long ttl = Long.parseLong(mine.replaceAll("(?s).*db3:keys=1,expires=1,avg_ttl=(\\d+).*", "$1"));
        assertTrue(ttl > 990_000 && ttl <= 1_000_000, "avg_ttl " + ttl);
    }

    @Test
    void latencyPercentilesUseRedisBuckets() {
        // Redis's HdrHistogram reports 5 us as 5.023 and 1 s as 1000.341 (highest equivalent values).
        assertEquals(5023, io.larder.server.LatencyStats.valueAtPercentile(histogramOf(5000), 50));
        assertEquals(1, io.larder.server.LatencyStats.valueAtPercentile(histogramOf(1), 99.9));
        long oneSecond = io.larder.server.LatencyStats.valueAtPercentile(histogramOf(1_000_000_000L), 50);
        assertTrue(oneSecond >= 1_000_000_000L && oneSecond < 1_004_000_000L, "" + oneSecond);
        String lat = info(d.larder(), "latencystats");
        assertTrue(lat.startsWith("# Latencystats\r\n"), lat);
        d.exec("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99.99");
        d.larder().call("PING");
        lat = info(d.larder(), "latencystats");
        assertTrue(lat.matches("(?s).*latency_percentiles_usec_ping:p50=\\d+\\.\\d{3},p99\\.99=\\d+\\.\\d{3}\r\n.*"), lat);
        d.exec("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9");
    }

    private static long[] histogramOf(long ns) {
        io.larder.server.LatencyStats s = new io.larder.server.LatencyStats();
        io.larder.command.CommandSpec spec = larder.server().commands().get("ping");
        s.record(spec, ns);
        return s.histogram(spec);
    }

    @Test
    void serverFieldsAreReal() throws Exception {
        Map<String, String> mine = stats(info(d.larder(), "server"));
        assertEquals("7.0.15", mine.get("redis_version"));
        assertEquals(io.larder.server.LarderServer.LARDER_VERSION, mine.get("larder_version"));
        assertEquals(String.valueOf(ProcessHandle.current().pid()), mine.get("process_id"));
        long usec = Long.parseLong(mine.get("server_time_usec"));
        assertTrue(Math.abs(usec / 1000 - System.currentTimeMillis()) < 5000);
        Map<String, String> clients = stats(info(d.larder(), "clients"));
        int before = Integer.parseInt(clients.get("connected_clients"));
        try (RespClient extra = larder.client()) {
            extra.call("PING");
            assertEquals(before + 1, Integer.parseInt(stats(info(d.larder(), "clients")).get("connected_clients")));
        }
        Map<String, String> mem = stats(info(d.larder(), "memory"));
        assertTrue(Long.parseLong(mem.get("used_memory")) > 0);
        assertTrue(Long.parseLong(mem.get("used_memory_rss")) > 0);
        assertEquals("noeviction", mem.get("maxmemory_policy"));
    }

    @Test
    void opsPerSecondIsSampled() throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        long ops = 0;
        while (System.currentTimeMillis() < deadline && ops == 0) {
            for (int i = 0; i < 200; i++) d.larder().call("PING");
            ops = Long.parseLong(stats(info(d.larder(), "stats")).get("instantaneous_ops_per_sec"));
        }
        assertTrue(ops > 0, "instantaneous_ops_per_sec stays 0 under load");
    }

    static Map<String, String> stats(String info) {
        Map<String, String> m = new LinkedHashMap<>();
        for (List<String> lines : parse(info).values()) {
            for (String l : lines) m.put(l.substring(0, l.indexOf(':')), l.substring(l.indexOf(':') + 1));
        }
        return m;
    }

    private static List<String> withoutTimes(String commandstats) {
        List<String> out = new ArrayList<>();
        for (String l : parse(commandstats).get("Commandstats")) {
            out.add(l.replaceAll(",usec=\\d+,usec_per_call=[0-9.]+", ""));
        }
        out.sort(null);
        return out;
    }

    private static List<String> sorted(List<String> l) {
        List<String> c = new ArrayList<>(l);
        c.sort(null);
        return c;
    }
}
