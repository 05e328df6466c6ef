package io.larder.config;

import static io.larder.config.Param.HIDDEN;
import static io.larder.config.Param.IMMUTABLE;
import static io.larder.config.Param.PROTECTED;
import static io.larder.config.Param.SENSITIVE;

import io.larder.config.Config.BoolParam;
import io.larder.config.Config.CustomParam;
import io.larder.config.Config.EnumParam;
import io.larder.config.Config.NumParam;
import io.larder.config.Config.StringParam;
import java.util.ArrayList;
import java.util.List;

/**
 * The parameter table: every parameter of Redis 7.0 with its type, range and
 * default (as `CONFIG GET *` reports them), and Larder's own at the end.
 * Parameters whose behaviour does not apply to Larder's design (jemalloc,
 * fork-related CPU lists, ...) are accepted and reported so existing config
 * files keep working; docs/configuration.md lists them.
 */
final class Defaults {
    private Defaults() {}

    private static final long INT_MAX = Integer.MAX_VALUE;
    private static final long LONG_MAX = Long.MAX_VALUE;

    static void declare(Config c) {
        // Booleans
        bool(c, "rdbchecksum", true, IMMUTABLE);
        bool(c, "daemonize", false, IMMUTABLE);
        bool(c, "io-threads-do-reads", false, IMMUTABLE);
        bool(c, "always-show-logo", false, IMMUTABLE);
        bool(c, "protected-mode", true, 0);
        bool(c, "rdbcompression", true, 0);
        bool(c, "rdb-del-sync-files", false, 0);
        bool(c, "activerehashing", true, 0);
        bool(c, "stop-writes-on-bgsave-error", true, 0);
        bool(c, "set-proc-title", true, IMMUTABLE);
        bool(c, "dynamic-hz", true, 0);
        bool(c, "lazyfree-lazy-eviction", false, 0);
        bool(c, "lazyfree-lazy-expire", false, 0);
        bool(c, "lazyfree-lazy-server-del", false, 0);
        bool(c, "lazyfree-lazy-user-del", false, 0);
        bool(c, "lazyfree-lazy-user-flush", false, 0);
        bool(c, "repl-disable-tcp-nodelay", false, 0);
        bool(c, "repl-diskless-sync", true, 0);
        bool(c, "aof-rewrite-incremental-fsync", true, 0);
        bool(c, "no-appendfsync-on-rewrite", false, 0);
        bool(c, "cluster-require-full-coverage", true, 0);
        bool(c, "rdb-save-incremental-fsync", true, 0);
        bool(c, "aof-load-truncated", true, 0);
        bool(c, "aof-use-rdb-preamble", true, 0);
        bool(c, "aof-timestamp-enabled", false, 0);
        bool(c, "cluster-replica-no-failover", false, 0);
        c.alias("cluster-replica-no-failover", "cluster-slave-no-failover");
        bool(c, "replica-lazy-flush", false, 0);
        c.alias("replica-lazy-flush", "slave-lazy-flush");
        bool(c, "replica-serve-stale-data", true, 0);
        c.alias("replica-serve-stale-data", "slave-serve-stale-data");
        bool(c, "replica-read-only", true, 0);
        c.alias("replica-read-only", "slave-read-only");
        bool(c, "replica-ignore-maxmemory", true, 0);
        c.alias("replica-ignore-maxmemory", "slave-ignore-maxmemory");
        bool(c, "jemalloc-bg-thread", true, 0);
        bool(c, "activedefrag", false, 0);
        bool(c, "syslog-enabled", false, IMMUTABLE);
        bool(c, "cluster-enabled", false, IMMUTABLE);
        bool(c, "appendonly", false, 0);
        bool(c, "cluster-allow-reads-when-down", false, 0);
        bool(c, "cluster-allow-pubsubshard-when-down", true, 0);
        bool(c, "crash-log-enabled", true, 0);
        bool(c, "crash-memcheck-enabled", true, 0);
        bool(c, "use-exit-on-panic", false, HIDDEN);
        bool(c, "disable-thp", true, IMMUTABLE);
        bool(c, "cluster-allow-replica-migration", true, 0);
        bool(c, "replica-announced", true, 0);
        bool(c, "latency-tracking", true, 0);
        bool(c, "aof-disable-auto-gc", false, HIDDEN);
        bool(c, "replica-ignore-disk-write-errors", false, 0);

        // Strings
        str(c, "aclfile", "", IMMUTABLE);
        str(c, "unixsocket", "", IMMUTABLE);
        str(c, "pidfile", "", IMMUTABLE);
        str(c, "replica-announce-ip", "", 0);
        c.alias("replica-announce-ip", "slave-announce-ip");
        str(c, "masteruser", "", SENSITIVE);
        str(c, "cluster-announce-ip", "", 0);
        str(c, "syslog-ident", "redis", IMMUTABLE);
        str(c, "dbfilename", "dump.rdb", PROTECTED, v -> {
            if (v.contains("/") || v.contains("\\")) throw new ConfigException("dbfilename can't be a path, just a filename");
        });
        str(c, "appendfilename", "appendonly.aof", IMMUTABLE, v -> {
            if (v.contains("/") || v.contains("\\")) throw new ConfigException("appendfilename can't be a path, just a filename");
        });
        str(c, "appenddirname", "appendonlydir", IMMUTABLE, v -> {
            if (v.contains("/") || v.contains("\\")) throw new ConfigException("appenddirname can't be a path, just a dirname");
        });
        str(c, "server_cpulist", "", IMMUTABLE);
        str(c, "bio_cpulist", "", IMMUTABLE);
        str(c, "aof_rewrite_cpulist", "", IMMUTABLE);
        str(c, "bgsave_cpulist", "", IMMUTABLE);
        str(c, "ignore-warnings", "", 0);
        str(c, "proc-title-template", "{title} {listen-addr} {server-mode}", 0);
        str(c, "bind-source-addr", "", 0);
        str(c, "logfile", "", IMMUTABLE);
        str(c, "cluster-announce-hostname", "", 0);
        str(c, "cluster-config-file", "nodes.conf", IMMUTABLE);
        str(c, "masterauth", "", SENSITIVE);
        str(c, "requirepass", "", SENSITIVE);
        str(c, "tls-cert-file", "", 0);
        str(c, "tls-key-file", "", 0);
        str(c, "tls-key-file-pass", "", SENSITIVE);
        str(c, "tls-client-cert-file", "", 0);
        str(c, "tls-client-key-file", "", 0);
        str(c, "tls-client-key-file-pass", "", SENSITIVE);
        str(c, "tls-dh-params-file", "", 0);
        str(c, "tls-ca-cert-file", "", 0);
        str(c, "tls-ca-cert-dir", "", 0);
        str(c, "tls-protocols", "", 0);
        str(c, "tls-ciphers", "", 0);
        str(c, "tls-ciphersuites", "", 0);

        // Enums
        en(c, "supervised", "no", IMMUTABLE, false, "upstart", "systemd", "auto", "no");
        en(c, "syslog-facility", "local0", IMMUTABLE, false, "user", "local0", "local1", "local2", "local3",
                "local4", "local5", "local6", "local7");
        en(c, "repl-diskless-load", "disabled", 0, false, "disabled", "on-empty-db", "swapdb");
        en(c, "loglevel", "notice", 0, false, "debug", "verbose", "notice", "warning", "nothing");
        en(c, "maxmemory-policy", "noeviction", 0, false, "volatile-lru", "volatile-lfu", "volatile-random",
                "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction");
        en(c, "appendfsync", "everysec", 0, false, "always", "everysec", "no");
        en(c, "oom-score-adj", "no", 0, false, "no", "yes", "relative", "absolute");
        en(c, "acl-pubsub-default", "resetchannels", 0, false, "allchannels", "resetchannels");
        en(c, "sanitize-dump-payload", "no", 0, false, "no", "yes", "clients");
        en(c, "cluster-preferred-endpoint-type", "ip", 0, false, "ip", "hostname", "unknown-endpoint");
        en(c, "propagation-error-behavior", "ignore", 0, false, "ignore", "panic", "panic-on-replicas");
        en(c, "shutdown-on-sigint", "default", 0, true, "default", "save", "nosave", "now", "force");
        en(c, "shutdown-on-sigterm", "default", 0, true, "default", "save", "nosave", "now", "force");
        en(c, "enable-protected-configs", "no", IMMUTABLE, false, "no", "yes", "local");
        en(c, "enable-debug-command", "no", IMMUTABLE, false, "no", "yes", "local");
        en(c, "enable-module-command", "no", IMMUTABLE, false, "no", "yes", "local");

        // Integers
        num(c, "databases", 16, 1, INT_MAX, IMMUTABLE);
        num(c, "port", 6379, 0, 65535, 0);
        num(c, "io-threads", 1, 1, 128, IMMUTABLE);
        num(c, "auto-aof-rewrite-percentage", 100, 0, INT_MAX, 0);
        num(c, "cluster-replica-validity-factor", 10, 0, INT_MAX, 0);
        c.alias("cluster-replica-validity-factor", "cluster-slave-validity-factor");
        num(c, "list-max-listpack-size", -2, Integer.MIN_VALUE, INT_MAX, 0);
        c.alias("list-max-listpack-size", "list-max-ziplist-size");
        num(c, "tcp-keepalive", 300, 0, INT_MAX, 0);
        num(c, "cluster-migration-barrier", 1, 0, INT_MAX, 0);
        num(c, "active-defrag-cycle-min", 1, 1, 99, 0);
        num(c, "active-defrag-cycle-max", 25, 1, 99, 0);
        num(c, "active-defrag-threshold-lower", 10, 0, 1000, 0);
        num(c, "active-defrag-threshold-upper", 100, 0, 1000, 0);
        num(c, "lfu-log-factor", 10, 0, INT_MAX, 0);
        num(c, "lfu-decay-time", 1, 0, INT_MAX, 0);
        num(c, "replica-priority", 100, 0, INT_MAX, 0);
        c.alias("replica-priority", "slave-priority");
        num(c, "repl-diskless-sync-delay", 5, 0, INT_MAX, 0);
        num(c, "maxmemory-samples", 5, 1, 64, 0);
        num(c, "maxmemory-eviction-tenacity", 10, 0, 100, 0);
        num(c, "timeout", 0, 0, INT_MAX, 0);
        num(c, "repl-timeout", 60, 1, INT_MAX, 0);
        num(c, "repl-ping-replica-period", 10, 1, INT_MAX, 0);
        c.alias("repl-ping-replica-period", "repl-ping-slave-period");
        num(c, "list-compress-depth", 0, 0, INT_MAX, 0);
        num(c, "rdb-key-save-delay", 0, Integer.MIN_VALUE, INT_MAX, HIDDEN);
        num(c, "key-load-delay", 0, Integer.MIN_VALUE, INT_MAX, HIDDEN);
        num(c, "active-expire-effort", 1, 1, 10, 0);
        num(c, "hz", 10, 0, INT_MAX, 0);
        num(c, "min-replicas-to-write", 0, 0, INT_MAX, 0);
        c.alias("min-replicas-to-write", "min-slaves-to-write");
        num(c, "min-replicas-max-lag", 10, 0, INT_MAX, 0);
        c.alias("min-replicas-max-lag", "min-slaves-max-lag");
        num(c, "watchdog-period", 0, 0, INT_MAX, HIDDEN);
        num(c, "shutdown-timeout", 10, 0, INT_MAX, 0);
        num(c, "repl-diskless-sync-max-replicas", 0, 0, INT_MAX, 0);
        num(c, "tcp-backlog", 511, 0, INT_MAX, IMMUTABLE);
        num(c, "cluster-port", 0, 0, 65535, IMMUTABLE);
        num(c, "cluster-announce-bus-port", 0, 0, 65535, 0);
        num(c, "cluster-announce-port", 0, 0, 65535, 0);
        num(c, "cluster-announce-tls-port", 0, 0, 65535, 0);
        num(c, "repl-backlog-ttl", 3600, 0, INT_MAX, 0);
        num(c, "maxclients", 10000, 1, INT_MAX, 0);
        c.add(new NumParam("unixsocketperm", IMMUTABLE, 0, 0, 0777, false, false, true));
        num(c, "socket-mark-id", 0, 0, INT_MAX, 0);
        num(c, "replica-announce-port", 0, 0, 65535, 0);
        c.alias("replica-announce-port", "slave-announce-port");
        num(c, "tls-port", 0, 0, 65535, 0);
        num(c, "tls-session-cache-size", 20 * 1024, 0, INT_MAX, 0);
        num(c, "tls-session-cache-timeout", 300, 0, INT_MAX, 0);
        bool(c, "tls-cluster", false, 0);
        bool(c, "tls-replication", false, 0);
        en(c, "tls-auth-clients", "yes", 0, false, "no", "yes", "optional");
        bool(c, "tls-prefer-server-ciphers", false, 0);
        bool(c, "tls-session-caching", true, 0);

        // Long integers and memory sizes
        num(c, "active-defrag-max-scan-fields", 1000, 1, LONG_MAX, 0);
        num(c, "slowlog-log-slower-than", 10000, -1, LONG_MAX, 0);
        num(c, "latency-monitor-threshold", 0, 0, LONG_MAX, 0);
        mem(c, "proto-max-bulk-len", 512L * 1024 * 1024, 1024 * 1024, LONG_MAX, 0);
        num(c, "stream-node-max-entries", 100, 0, LONG_MAX, 0);
        mem(c, "repl-backlog-size", 1024 * 1024, 1, LONG_MAX, 0);
        num(c, "busy-reply-threshold", 5000, 0, LONG_MAX, 0);
        c.alias("busy-reply-threshold", "lua-time-limit");
        num(c, "cluster-node-timeout", 15000, 0, LONG_MAX, 0);
        num(c, "slowlog-max-len", 128, 0, LONG_MAX, 0);
        num(c, "acllog-max-len", 128, 0, LONG_MAX, 0);
        mem(c, "maxmemory", 0, 0, LONG_MAX, 0);
        num(c, "hash-max-listpack-entries", 512, 0, LONG_MAX, 0);
        c.alias("hash-max-listpack-entries", "hash-max-ziplist-entries");
        num(c, "set-max-intset-entries", 512, 0, LONG_MAX, 0);
        num(c, "set-max-listpack-entries", 128, 0, LONG_MAX, HIDDEN);
        num(c, "zset-max-listpack-entries", 128, 0, LONG_MAX, 0);
        c.alias("zset-max-listpack-entries", "zset-max-ziplist-entries");
        mem(c, "active-defrag-ignore-bytes", 100L << 20, 1, LONG_MAX, 0);
        mem(c, "hash-max-listpack-value", 64, 0, LONG_MAX, 0);
        c.alias("hash-max-listpack-value", "hash-max-ziplist-value");
        mem(c, "stream-node-max-bytes", 4096, 0, LONG_MAX, 0);
        mem(c, "zset-max-listpack-value", 64, 0, LONG_MAX, 0);
        c.alias("zset-max-listpack-value", "zset-max-ziplist-value");
        mem(c, "set-max-listpack-value", 64, 0, LONG_MAX, HIDDEN);
        mem(c, "hll-sparse-max-bytes", 3000, 0, LONG_MAX, 0);
        num(c, "tracking-table-max-keys", 1000000, 0, LONG_MAX, 0);
        mem(c, "client-query-buffer-limit", 1024L * 1024 * 1024, 1024 * 1024, LONG_MAX, 0);
        c.add(new NumParam("maxmemory-clients", 0, 0, 0, LONG_MAX, true, true, false));
        mem(c, "auto-aof-rewrite-min-size", 64L * 1024 * 1024, 0, LONG_MAX, 0);
        mem(c, "cluster-link-sendbuf-limit", 0, 0, LONG_MAX, 0);

        // Parameters with their own syntax.
        Special.declare(c);

        // Larder's own.
        num(c, "threads", 0, 0, 1024, IMMUTABLE);
    }

    static BoolParam bool(Config c, String name, boolean dflt, int flags) {
        return c.add(new BoolParam(name, flags, dflt));
    }

    static StringParam str(Config c, String name, String dflt, int flags) {
        return c.add(new StringParam(name, flags, dflt, null));
    }

    static StringParam str(Config c, String name, String dflt, int flags, StringParam.Validator v) {
        return c.add(new StringParam(name, flags, dflt, v));
    }

    static EnumParam en(Config c, String name, String dflt, int flags, boolean multi, String... values) {
        return c.add(new EnumParam(name, flags, dflt, multi, values));
    }

    static NumParam num(Config c, String name, long dflt, long min, long max, int flags) {
        return c.add(new NumParam(name, flags, dflt, min, max, false, false, false));
    }

    static NumParam mem(Config c, String name, long dflt, long min, long max, int flags) {
        return c.add(new NumParam(name, flags, dflt, min, max, true, false, false));
    }

    static List<String> words(List<String> args) {
        List<String> w = new ArrayList<>();
        for (String a : args) {
            for (String x : a.trim().split("\\s+")) if (!x.isEmpty()) w.add(x);
        }
        return w;
    }

    static CustomParam custom(Config c, String name, int flags, String dflt, CustomParam.Setter s,
                              java.util.function.Supplier<String> g, java.util.function.Supplier<List<String>> r) {
        return c.add(new CustomParam(name, flags, dflt, s, g, r));
    }
}
