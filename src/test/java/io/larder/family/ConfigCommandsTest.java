package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.DifferentialTestBase;
import io.larder.testing.RespClient;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ConfigCommandsTest extends DifferentialTestBase {
    /**
     * Values that legitimately differ between the two test servers: where
     * they listen and keep files, and the oracle's test-harness settings
     * (bind 127.0.0.1, protected-mode no, a log file). Larder's own
     * "threads" exists only in Larder.
     */
    static final Set<String> DIFFERENT = Set.of("port", "dir", "bind", "logfile", "protected-mode");

    /** Parameters whose valid values would disturb the test servers themselves. */
    static final Set<String> UNSAFE_TO_SET = Set.of("port", "bind", "dir", "maxclients", "timeout",
            "client-output-buffer-limit", "requirepass", "appendonly", "logfile", "daemonize", "loglevel");

    static Map<String, String> asMap(Object reply) {
        @SuppressWarnings("unchecked")
        List<Object> l = (List<Object>) reply;
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < l.size(); i += 2) m.put((String) l.get(i), (String) l.get(i + 1));
        return m;
    }

    @Test
    void configGetStarMatchesRedis() {
        Map<String, String> mine = asMap(d.larder().call("CONFIG", "GET", "*"));
        Map<String, String> theirs = asMap(d.redis().call("CONFIG", "GET", "*"));
        assertEquals("4", mine.remove("threads")); // LarderTestServer runs 4 loops
        for (String k : DIFFERENT) {
            assertTrue(mine.containsKey(k), k);
            mine.remove(k);
            theirs.remove(k);
        }
        assertEquals(theirs, mine);
    }

    @Test
    void configGetPatternsAndAliases() {
        d.script("""
                ~~ CONFIG GET maxmemory
                ~~ CONFIG GET MAXMEMORY
                ~~ CONFIG GET maxmemory MAXMEMORY maxmemory-policy
                ~~ CONFIG GET slave-read-only
                ~~ CONFIG GET SLAVE-READ-ONLY
                ~~ CONFIG GET slave-read-only replica-read-only
                ~~ CONFIG GET *read-only*
                ~~ CONFIG GET slave*
                ~~ CONFIG GET *ziplist*
                ~~ CONFIG GET lua-time-limit busy-reply-threshold
                ~~ CONFIG GET hash-max-*
                ~~ CONFIG GET max???ory*
                ~~ CONFIG GET [a-c]*-fsync
                ~~ CONFIG GET *max* maxmemory
                ~~ CONFIG GET maxmemory *max*
                ~~ CONFIG GET nosuchparam
                ~~ CONFIG GET nosuch*
                ~~ CONFIG GET use-exit-on-panic
                ~~ CONFIG GET use-exit*
                ~~ CONFIG GET key-load-delay rdb-key-save-delay watchdog-period
                ~~ CONFIG GET loading-process-events-interval-bytes lua-enable-deprecated-api
                ~~ CONFIG GET save appendonly
                ~~ CONFIG GET client-output-buffer-limit oom-score-adj-values latency-tracking-info-percentiles
                ~~ CONFIG GET notify-keyspace-events replicaof slaveof
                CONFIG GET
                CONFIG
                CONFIG HELP
                CONFIG help extra
                CONFIG NOSUCH
                """);
        d.resp3();
        d.script("""
                ~~ CONFIG GET maxmemory
                ~~ CONFIG GET *max*
                CONFIG GET nosuch
                """);
    }

    @Test
    void configSetErrors() {
        d.script("""
                CONFIG SET
                CONFIG SET maxmemory
                CONFIG SET a b c
                CONFIG SET nosuch 1
                CONFIG SET maxmemory 1 foo 2 port 3
                CONFIG SET foo 1 maxmemory abc
                CONFIG SET maxmemory 1 maxmemory 2
                CONFIG SET Maxmemory 1 MAXmemory 2
                CONFIG SET slave-read-only yes replica-read-only no
                CONFIG SET port 1 daemonize yes foo 2
                CONFIG SET daemonize yes
                CONFIG SET dir /tmp
                CONFIG SET dbfilename x.rdb
                CONFIG SET maxmemory abc
                CONFIG SET MAXMEMORY abc
                CONFIG SET slave-priority abc
                CONFIG SET SLAVE-PRIORITY abc
                CONFIG SET maxmemory -1
                CONFIG SET maxclients 4294967296
                CONFIG SET maxclients -1
                CONFIG SET maxclients abc
                CONFIG SET hash-max-listpack-entries -1
                CONFIG SET slowlog-max-len -1
                CONFIG SET maxmemory-clients 101%
                CONFIG SET maxmemory-clients -5%
                CONFIG SET maxmemory-clients abc
                CONFIG SET appendfsync foo
                CONFIG SET loglevel foo
                CONFIG SET maxmemory-policy foo
                CONFIG SET shutdown-on-sigint foo
                CONFIG SET shutdown-on-sigint "nosave save"
                CONFIG SET shutdown-on-sigint ""
                CONFIG SET shutdown-on-sigint "save  now"
                CONFIG SET oom-score-adj-values "1 2"
                CONFIG SET oom-score-adj-values "0 abc 800"
                CONFIG SET client-output-buffer-limit "master 1 1 1"
                CONFIG SET client-output-buffer-limit "normal 1 1"
                CONFIG SET client-output-buffer-limit "normal 1x 1 1"
                CONFIG SET notify-keyspace-events Q
                CONFIG SET latency-tracking-info-percentiles "50 abc"
                CONFIG SET latency-tracking-info-percentiles "50 101"
                CONFIG SET save "10 x"
                CONFIG SET save "0 1"
                CONFIG SET save 1
                CONFIG SET save " 5 1"
                CONFIG SET save "1e3 1"
                CONFIG SET bind "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17"
                CONFIG SET replicaof "no one"
                CONFIG SET slaveof "no one"
                CONFIG SET activedefrag yes
                CONFIG SET cluster-announce-hostname a_b
                CONFIG SET proc-title-template "{foo}"
                CONFIG SET proc-title-template "{title}"
                CONFIG SET tls-port 1
                CONFIG SET tls-replication yes
                CONFIG SET tls-cluster yes
                CONFIG SET unixsocketperm 999
                CONFIG SET io-threads 2
                """);
    }

    @Test
    void configSetIsAllOrNothing() {
        d.script("""
                CONFIG SET maxmemory 10mb maxmemory-policy nosuch
                CONFIG GET maxmemory
                CONFIG SET hz 20 slowlog-max-len -5
                CONFIG GET hz
                CONFIG SET maxmemory 10mb hz 20 maxmemory-policy allkeys-lru
                CONFIG GET maxmemory
                CONFIG GET hz
                CONFIG GET maxmemory-policy
                CONFIG SET maxmemory 0 hz 10 maxmemory-policy noeviction
                """);
    }

    @Test
    void configSetValuesAndFormatting() {
        d.script("""
                CONFIG SET maxmemory 1kb
                CONFIG GET maxmemory
                CONFIG SET maxmemory 1K
                CONFIG GET maxmemory
                CONFIG SET maxmemory 2GB
                CONFIG GET maxmemory
                CONFIG SET maxmemory 0
                CONFIG SET maxmemory-clients 5%
                CONFIG GET maxmemory-clients
                CONFIG SET maxmemory-clients 0
                CONFIG SET oom-score-adj relative
                CONFIG GET oom-score-adj
                CONFIG SET oom-score-adj no
                CONFIG SET shutdown-on-sigint "save now"
                CONFIG GET shutdown-on-sigint
                CONFIG SET shutdown-on-sigint "default now"
                CONFIG GET shutdown-on-sigint
                CONFIG SET shutdown-on-sigint "FORCE now SAVE"
                CONFIG GET shutdown-on-sigint
                CONFIG SET shutdown-on-sigint default
                CONFIG SET notify-keyspace-events KEA
                CONFIG GET notify-keyspace-events
                CONFIG SET notify-keyspace-events Kx$g
                CONFIG GET notify-keyspace-events
                CONFIG SET notify-keyspace-events ""
                CONFIG SET latency-tracking-info-percentiles "50.5 99.99 100"
                CONFIG GET latency-tracking-info-percentiles
                CONFIG SET latency-tracking-info-percentiles "0 100 50.000001"
                CONFIG GET latency-tracking-info-percentiles
                CONFIG SET latency-tracking-info-percentiles ""
                CONFIG GET latency-tracking-info-percentiles
                CONFIG SET latency-tracking-info-percentiles "50 99 99.9"
                CONFIG SET save "+5 -0"
                CONFIG GET save
                CONFIG SET save "100 1 200 2"
                CONFIG GET save
                CONFIG SET save ""
                CONFIG GET save
                CONFIG SET client-output-buffer-limit "pubsub 1mb 2kb 3 replica 1gb 0 0"
                CONFIG GET client-output-buffer-limit
                CONFIG SET client-output-buffer-limit "pubsub 32mb 8mb 60 slave 256mb 64mb 60"
                CONFIG SET oom-score-adj-values "-10 20 2000"
                CONFIG GET oom-score-adj-values
                CONFIG SET oom-score-adj-values "0 200 800"
                CONFIG SET hz 1000
                CONFIG GET hz
                CONFIG SET hz 0
                CONFIG GET hz
                CONFIG SET hz 10
                CONFIG SET busy-reply-threshold 7
                CONFIG GET lua-time-limit
                CONFIG SET lua-time-limit 5000
                CONFIG GET busy-reply-threshold
                CONFIG SET slave-priority 5
                CONFIG GET replica-priority
                CONFIG SET slave-priority 100
                CONFIG SET list-max-ziplist-size -3
                CONFIG GET list-max-listpack-size
                CONFIG SET list-max-ziplist-size -2
                CONFIG SET cluster-announce-hostname abc.def
                CONFIG GET cluster-announce-hostname
                CONFIG SET cluster-announce-hostname ""
                CONFIG SET proc-title-template "{title} x"
                CONFIG SET proc-title-template "{title} {listen-addr} {server-mode}"
                CONFIG SET tls-cert-file /nonexist
                CONFIG GET tls-cert-file
                CONFIG SET tls-cert-file ""
                CONFIG SET maxmemory-samples 65
                CONFIG GET maxmemory-samples
                CONFIG SET maxmemory-samples 5
                CONFIG SET watchdog-period 0
                CONFIG SET APPENDFSYNC ALWAYS
                CONFIG GET appendfsync
                CONFIG SET appendfsync everysec
                CONFIG SET protected-mode YES
                CONFIG SET maxmemory 99999999999999999999999
                CONFIG GET maxmemory
                CONFIG SET maxmemory 0
                CONFIG SET proto-max-bulk-len 99999999999999999999999
                CONFIG SET maxmemory ""
                CONFIG GET maxmemory
                CONFIG SET maxmemory kb
                CONFIG SET maxmemory 0
                """);
    }

    /**
     * Every parameter Redis has, with a set of probe values: the same
     * replies (errors or OK) and the same CONFIG GET afterwards; each
     * accepted value is put back at once on both servers.
     */
    @Test
    void everyParameterAcceptsAndRejectsLikeRedis() {
        Map<String, String> redisValues = asMap(d.redis().call("CONFIG", "GET", "*"));
        Map<String, String> larderValues = asMap(d.larder().call("CONFIG", "GET", "*"));
        List<String> probes = List.of("", "abc", "-1", "0", "1", "2", "yes", "no", "YES", "1kb", "3mb", "5%",
                "101%", "-5%", "99999999999999999999999", "4294967296", "2147483648", "everysec", "0777", "999",
                "1 2 3", "1 2", "a b c d", "local", "disabled", "ip", "user", "upstart", "default");
        int checked = 0;
        for (String name : redisValues.keySet()) {
            if (UNSAFE_TO_SET.contains(name)) continue;
            for (String v : probes) {
                Object reply = d.check("CONFIG", "SET", name, v);
                checked++;
                if ("OK".equals(reply)) {
                    d.check("CONFIG", "GET", name);
                    restore(d.larder(), name, larderValues.get(name));
                    restore(d.redis(), name, redisValues.get(name));
                }
            }
        }
        assertTrue(checked > 1000, "probed " + checked);
    }

    /**
     * A random sequence (fixed seed) of multi-pair CONFIG SETs, some of which
     * fail part-way and must change nothing, and CONFIG GETs with patterns.
     */
    @Test
    void randomizedConfigSequence() {
        Map<String, String> redisValues = asMap(d.redis().call("CONFIG", "GET", "*"));
        List<String> names = new java.util.ArrayList<>(redisValues.keySet());
        names.removeAll(UNSAFE_TO_SET);
        names.removeAll(DIFFERENT);
        List<String> values = List.of("yes", "no", "0", "1", "7", "-1", "100", "1mb", "abc", "", "10%", "everysec",
                "allkeys-lru", "notice", "save now", "1 2", "Kx");
        // Patterns that do not match the parameters whose values legitimately differ (DIFFERENT, threads).
        List<String> patterns = List.of("*max*", "hash-*", "?z*", "slave-*", "*-ziplist-*", "[e-h]*", "maxmemory",
                "*-size", "lazyfree*", "[^bdlpt]*");
        java.util.Random rnd = new java.util.Random(20261126);
        try {
            for (int i = 0; i < 400; i++) {
                if (rnd.nextInt(4) == 0) {
                    List<String> cmd = new java.util.ArrayList<>(List.of("CONFIG", "GET"));
                    for (int k = 0, n = 1 + rnd.nextInt(3); k < n; k++) cmd.add(patterns.get(rnd.nextInt(patterns.size())));
                    d.checkUnorderedPairs(cmd.toArray(new String[0]));
                    continue;
                }
                List<String> cmd = new java.util.ArrayList<>(List.of("CONFIG", "SET"));
                for (int k = 0, n = 1 + rnd.nextInt(3); k < n; k++) {
                    cmd.add(names.get(rnd.nextInt(names.size())));
                    cmd.add(values.get(rnd.nextInt(values.size())));
                }
                d.check(cmd.toArray(new String[0]));
                for (int k = 2; k < cmd.size(); k += 2) d.check("CONFIG", "GET", cmd.get(k));
            }
        } finally {
            Map<String, String> larderNow = asMap(d.larder().call("CONFIG", "GET", "*"));
            for (String n : names) {
                String v = redisValues.get(n);
                if (!v.equals(larderNow.get(n))) d.larder().call("CONFIG", "SET", n, v);
                d.redis().call("CONFIG", "SET", n, v);
            }
        }
    }

    private static void restore(RespClient c, String name, String value) {
        Object r = c.call("CONFIG", "SET", name, value);
        assertEquals("OK", r, "restoring " + name + " to '" + value + "'");
    }

    @Test
    void resetStatAndRewriteWithoutFile() {
        d.script("""
                SET a 1
                GET a
                NOSUCHCOMMAND
                CONFIG RESETSTAT
                """);
        String info = (String) d.larder().call("INFO", "stats");
        assertTrue(info.contains("total_error_replies:0\r\n"), info);
        assertTrue(info.contains("keyspace_hits:0\r\n"), info);
        assertTrue(info.contains("total_commands_processed:1\r\n"), info);
        String cmdstats = (String) d.larder().call("INFO", "commandstats");
        assertTrue(cmdstats.startsWith("# Commandstats\r\ncmdstat_config|resetstat:calls=1,"), cmdstats);
        d.script("""
                CONFIG RESETSTAT extra
                CONFIG REWRITE
                CONFIG REWRITE extra
                """);
    }

    @Test
    void protectedConfigsWithEnableProtectedConfigs() {
        try (var l = io.larder.testing.LarderTestServer.start("--enable-protected-configs", "yes");
             var r = io.larder.testing.RedisOracle.start("--enable-protected-configs", "yes");
             var diff = new io.larder.testing.Diff(l.port(), r.port())) {
            diff.script("""
                    CONFIG SET dbfilename other.rdb
                    CONFIG GET dbfilename
                    CONFIG SET dbfilename a/b
                    CONFIG SET dir /nonexistent/dir
                    CONFIG SET dir /etc/hostname
                    CONFIG SET dir ""
                    """);
        }
    }
}
