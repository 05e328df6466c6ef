package io.larder.config;

import static io.larder.config.Config.MEMORY;
import static io.larder.config.Config.OCTAL;
import static io.larder.config.Config.PERCENT;
import static io.larder.config.Param.HIDDEN;
import static io.larder.config.Param.IMMUTABLE;
import static io.larder.config.Param.PROTECTED;
import static io.larder.config.Param.SENSITIVE;

import io.larder.config.Config.BoolParam;
import io.larder.config.Config.CustomParam;
import io.larder.config.Config.EnumParam;
import io.larder.config.Config.NumParam;
import io.larder.config.Config.StringParam;
import io.larder.server.LarderServer;
import java.util.List;
import java.util.function.Supplier;

/**
 * The parameter table: every parameter of Redis 7.0.15 with its type,
 * bounds, default and flags, in the order of Redis's static_configs, then
 * Larder's own. Verified against a real redis-server 7.0.15 (CONFIG GET *,
 * and each type's CONFIG SET errors: see ConfigCommandsTest). Parameters whose
 * behaviour does not apply to Larder (jemalloc, CPU lists, ...) are accepted
 * and reported so existing config files keep working; docs/configuration.md
 * lists them.
 */
final class Defaults {
    private Defaults() {}

    private static final long INT_MIN = Integer.MIN_VALUE;
    private static final long INT_MAX = Integer.MAX_VALUE;
    private static final long UINT_MAX = 0xFFFFFFFFL;
    private static final long LONG_MAX = Long.MAX_VALUE;
    /** ULLONG_MAX as a Java long (unsigned parameters compare unsigned). */
    private static final long ULLONG_MAX = -1L;

    // Enum tables, in Redis's order: the "must be one of" error lists them so.
    static final String[] MAXMEMORY_POLICY = {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
        "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction", "allkeys-tinylfu"};
    private static final String[] SYSLOG_FACILITY = {"user", "local0", "local1", "local2", "local3", "local4",
        "local5", "local6", "local7"};
    static final String[] LOGLEVEL = {"debug", "verbose", "notice", "warning"};
    private static final String[] SUPERVISED = {"upstart", "systemd", "auto", "no"};
    private static final String[] APPENDFSYNC = {"everysec", "always", "no"};
    private static final String[] REPL_DISKLESS_LOAD = {"disabled", "on-empty-db", "swapdb"};
    private static final String[] TLS_AUTH_CLIENTS = {"no", "yes", "optional"};
    private static final String[] SANITIZE_DUMP = {"no", "yes", "clients"};
    private static final String[] PROTECTED_ACTION = {"no", "yes", "local"};
    private static final String[] ENDPOINT_TYPE = {"ip", "hostname", "unknown-endpoint"};
    private static final String[] PROPAGATION_ERROR = {"ignore", "panic", "panic-on-replicas"};

    /** enable-debug-command and friends: {@link EnumParam#intValue()} values. */
    static final int PROTECTED_NO = 0, PROTECTED_YES = 1, PROTECTED_LOCAL = 2;

    static void declare(Config c) {
        // Booleans
        bool(c, "rdbchecksum", null, IMMUTABLE, true);
        bool(c, "daemonize", null, IMMUTABLE, false);
        bool(c, "io-threads-do-reads", null, IMMUTABLE, false);
        bool(c, "always-show-logo", null, IMMUTABLE, false);
        bool(c, "protected-mode", null, 0, true);
        bool(c, "rdbcompression", null, 0, true);
        bool(c, "rdb-del-sync-files", null, 0, false);
        bool(c, "activerehashing", null, 0, true);
        bool(c, "stop-writes-on-bgsave-error", null, 0, true);
        bool(c, "set-proc-title", null, IMMUTABLE, true);
        bool(c, "dynamic-hz", null, 0, true);
        bool(c, "lazyfree-lazy-eviction", null, 0, false);
        bool(c, "lazyfree-lazy-expire", null, 0, false);
        bool(c, "lazyfree-lazy-server-del", null, 0, false);
        bool(c, "lazyfree-lazy-user-del", null, 0, false);
        bool(c, "lazyfree-lazy-user-flush", null, 0, false);
        bool(c, "repl-disable-tcp-nodelay", null, 0, false);
        bool(c, "repl-diskless-sync", null, 0, true);
        bool(c, "aof-rewrite-incremental-fsync", null, 0, true);
        bool(c, "no-appendfsync-on-rewrite", null, 0, false);
        bool(c, "cluster-require-full-coverage", null, 0, true);
        bool(c, "rdb-save-incremental-fsync", null, 0, true);
        bool(c, "aof-load-truncated", null, 0, true);
        bool(c, "aof-use-rdb-preamble", null, 0, true);
        bool(c, "aof-timestamp-enabled", null, 0, false);
        bool(c, "cluster-replica-no-failover", "cluster-slave-no-failover", 0, false);
        bool(c, "replica-lazy-flush", "slave-lazy-flush", 0, false);
        bool(c, "replica-serve-stale-data", "slave-serve-stale-data", 0, true);
        bool(c, "replica-read-only", "slave-read-only", 0, true);
        bool(c, "replica-ignore-maxmemory", "slave-ignore-maxmemory", 0, true);
        bool(c, "jemalloc-bg-thread", null, 0, true);
        // Larder has no active defragmentation: refused as a Redis built without it refuses.
        c.add(new BoolParam("activedefrag", 0, false, v -> {
            if (v) {
                throw new ConfigException("Active defragmentation cannot be enabled: it requires a Redis server "
                        + "compiled with a modified Jemalloc like the one shipped by default with the Redis "
                        + "source distribution");
            }
        }));
        bool(c, "syslog-enabled", null, IMMUTABLE, false);
        bool(c, "cluster-enabled", null, IMMUTABLE, false);
        bool(c, "appendonly", null, 0, false);
        bool(c, "cluster-allow-reads-when-down", null, 0, false);
        bool(c, "cluster-allow-pubsubshard-when-down", null, 0, true);
        bool(c, "crash-log-enabled", null, 0, true);
        bool(c, "crash-memcheck-enabled", null, 0, true);
        bool(c, "use-exit-on-panic", null, HIDDEN, false);
        bool(c, "disable-thp", null, IMMUTABLE, true);
        bool(c, "cluster-allow-replica-migration", null, 0, true);
        bool(c, "replica-announced", null, 0, true);
        bool(c, "latency-tracking", null, 0, true);
        bool(c, "aof-disable-auto-gc", null, 0, false);
        bool(c, "replica-ignore-disk-write-errors", null, 0, false);
        bool(c, "lua-enable-deprecated-api", null, IMMUTABLE | HIDDEN, false);

        // Strings. emptyIsNull: Redis keeps "" as NULL (not written by CONFIG REWRITE).
        str(c, "aclfile", null, IMMUTABLE, false, "", null);
        str(c, "unixsocket", null, IMMUTABLE, true, null, null);
        str(c, "pidfile", null, IMMUTABLE, true, null, null);
        str(c, "replica-announce-ip", "slave-announce-ip", 0, true, null, null);
        str(c, "masteruser", null, SENSITIVE, true, null, null);
        str(c, "cluster-announce-ip", null, 0, true, null, null);
        str(c, "cluster-config-file", null, IMMUTABLE, false, "nodes.conf", null);
        str(c, "cluster-announce-hostname", null, 0, true, null, Defaults::validHostname);
        str(c, "syslog-ident", null, IMMUTABLE, false, "redis", null);
        str(c, "dbfilename", null, PROTECTED, false, "dump.rdb", v -> {
            if (!isBaseName(v)) throw new ConfigException("dbfilename can't be a path, just a filename");
        });
        str(c, "appendfilename", null, IMMUTABLE, false, "appendonly.aof", v -> {
            if (v.isEmpty()) throw new ConfigException("appendfilename can't be empty");
            if (!isBaseName(v)) throw new ConfigException("appendfilename can't be a path, just a filename");
        });
        str(c, "appenddirname", null, IMMUTABLE, false, "appendonlydir", v -> {
            if (v.isEmpty()) throw new ConfigException("appenddirname can't be empty");
            if (!isBaseName(v)) throw new ConfigException("appenddirname can't be a path, just a dirname");
        });
        str(c, "server_cpulist", null, IMMUTABLE, true, null, null);
        str(c, "bio_cpulist", null, IMMUTABLE, true, null, null);
        str(c, "aof_rewrite_cpulist", null, IMMUTABLE, true, null, null);
        str(c, "bgsave_cpulist", null, IMMUTABLE, true, null, null);
        str(c, "ignore-warnings", null, 0, false, "", null);
        str(c, "proc-title-template", null, 0, false, "{title} {listen-addr} {server-mode}",
                Defaults::validProcTitleTemplate);
        str(c, "bind-source-addr", null, 0, true, null, null);
        str(c, "logfile", null, IMMUTABLE, false, "", null);
        str(c, "masterauth", null, SENSITIVE, true, null, null);
        str(c, "requirepass", null, SENSITIVE, true, null, null);

        // Enums
        en(c, "supervised", IMMUTABLE, SUPERVISED, 3);
        en(c, "syslog-facility", IMMUTABLE, SYSLOG_FACILITY, 1);
        en(c, "repl-diskless-load", 0, REPL_DISKLESS_LOAD, 0);
        en(c, "loglevel", 0, LOGLEVEL, 2);
        // Larder's allkeys-tinylfu is accepted but, like every Larder-only value, not listed in Redis's error.
        en(c, "maxmemory-policy", 0, MAXMEMORY_POLICY, 7).listed = 8;
        en(c, "appendfsync", 0, APPENDFSYNC, 0);
        c.add(new EnumParam("oom-score-adj", 0, false, 0, new String[] {"no", "yes", "relative", "absolute"},
                new int[] {0, 1, 1, 2}, null));
        c.add(new EnumParam("acl-pubsub-default", 0, false, 0, new String[] {"allchannels", "resetchannels"},
                new int[] {1, 0}, null));
        en(c, "sanitize-dump-payload", 0, SANITIZE_DUMP, 0);
        en(c, "enable-protected-configs", IMMUTABLE, PROTECTED_ACTION, PROTECTED_NO);
        en(c, "enable-debug-command", IMMUTABLE, PROTECTED_ACTION, PROTECTED_NO);
        en(c, "enable-module-command", IMMUTABLE, PROTECTED_ACTION, PROTECTED_NO);
        en(c, "cluster-preferred-endpoint-type", 0, ENDPOINT_TYPE, 0);
        en(c, "propagation-error-behavior", 0, PROPAGATION_ERROR, 0);
        shutdownOnSignal(c, "shutdown-on-sigint");
        shutdownOnSignal(c, "shutdown-on-sigterm");

        // Integers (C int, then unsigned int, unsigned long, long long, unsigned long long, size_t ...)
        num(c, "databases", null, IMMUTABLE, 1, INT_MAX, 16);
        num(c, "port", null, 0, 0, 65535, 6379);
        num(c, "io-threads", null, IMMUTABLE, 1, 128, 1);
        num(c, "auto-aof-rewrite-percentage", null, 0, 0, INT_MAX, 100);
        num(c, "cluster-replica-validity-factor", "cluster-slave-validity-factor", 0, 0, INT_MAX, 10);
        num(c, "list-max-listpack-size", "list-max-ziplist-size", 0, INT_MIN, INT_MAX, -2);
        num(c, "tcp-keepalive", null, 0, 0, INT_MAX, 300);
        num(c, "cluster-migration-barrier", null, 0, 0, INT_MAX, 1);
        num(c, "active-defrag-cycle-min", null, 0, 1, 99, 1);
        num(c, "active-defrag-cycle-max", null, 0, 1, 99, 25);
        num(c, "active-defrag-threshold-lower", null, 0, 0, 1000, 10);
        num(c, "active-defrag-threshold-upper", null, 0, 0, 1000, 100);
        num(c, "lfu-log-factor", null, 0, 0, INT_MAX, 10);
        num(c, "lfu-decay-time", null, 0, 0, INT_MAX, 1);
        num(c, "replica-priority", "slave-priority", 0, 0, INT_MAX, 100);
        num(c, "repl-diskless-sync-delay", null, 0, 0, INT_MAX, 5);
        num(c, "maxmemory-samples", null, 0, 1, INT_MAX, 5);
        num(c, "maxmemory-eviction-tenacity", null, 0, 0, 100, 10);
        num(c, "timeout", null, 0, 0, INT_MAX, 0);
        num(c, "replica-announce-port", "slave-announce-port", 0, 0, 65535, 0);
        num(c, "tcp-backlog", null, IMMUTABLE, 0, INT_MAX, 511);
        num(c, "cluster-port", null, IMMUTABLE, 0, 65535, 0);
        num(c, "cluster-announce-bus-port", null, 0, 0, 65535, 0);
        num(c, "cluster-announce-port", null, 0, 0, 65535, 0);
        num(c, "cluster-announce-tls-port", null, 0, 0, 65535, 0);
        num(c, "repl-timeout", null, 0, 1, INT_MAX, 60);
        num(c, "repl-ping-replica-period", "repl-ping-slave-period", 0, 1, INT_MAX, 10);
        num(c, "list-compress-depth", null, 0, 0, INT_MAX, 0);
        num(c, "rdb-key-save-delay", null, HIDDEN, INT_MIN, INT_MAX, 0);
        num(c, "key-load-delay", null, HIDDEN, INT_MIN, INT_MAX, 0);
        num(c, "active-expire-effort", null, 0, 1, 10, 1);
        NumParam hz = num(c, "hz", null, 0, 0, INT_MAX, 10);
        // Redis accepts any hz but runs (and reports) it within [1, 500].
        hz.onApply(p -> hz.value = Math.max(1, Math.min(500, hz.value)));
        num(c, "min-replicas-to-write", "min-slaves-to-write", 0, 0, INT_MAX, 0);
        num(c, "min-replicas-max-lag", "min-slaves-max-lag", 0, 0, INT_MAX, 10);
        num(c, "watchdog-period", null, HIDDEN, 0, INT_MAX, 0);
        num(c, "shutdown-timeout", null, 0, 0, INT_MAX, 10);
        num(c, "repl-diskless-sync-max-replicas", null, 0, 0, INT_MAX, 0);
        num(c, "socket-mark-id", null, IMMUTABLE, 0, INT_MAX, 0);

        unsigned(c, "maxclients", 0, 1, UINT_MAX, 10000, 0);
        unsigned(c, "unixsocketperm", IMMUTABLE, 0, 0777, 0, OCTAL);

        num(c, "active-defrag-max-scan-fields", null, 0, 1, LONG_MAX, 1000);
        num(c, "slowlog-max-len", null, 0, 0, LONG_MAX, 128);
        num(c, "acllog-max-len", null, 0, 0, LONG_MAX, 128);

        num(c, "busy-reply-threshold", "lua-time-limit", 0, 0, LONG_MAX, 5000);
        num(c, "cluster-node-timeout", null, 0, 0, LONG_MAX, 15000);
        num(c, "slowlog-log-slower-than", null, 0, -1, LONG_MAX, 10000);
        num(c, "latency-monitor-threshold", null, 0, 0, LONG_MAX, 0);
        mem(c, "proto-max-bulk-len", 0, 1024 * 1024, LONG_MAX, 512L * 1024 * 1024, false);
        num(c, "stream-node-max-entries", null, 0, 0, LONG_MAX, 100);
        NumParam backlog = mem(c, "repl-backlog-size", 0, 1, LONG_MAX, 1024 * 1024, false);
        // Redis's resizeReplicationBacklog never goes below 16 kB (and reports the adjusted size).
        backlog.onApply(p -> backlog.value = Math.max(backlog.value, 16 * 1024));

        mem(c, "maxmemory", 0, 0, ULLONG_MAX, 0, true);
        mem(c, "cluster-link-sendbuf-limit", 0, 0, ULLONG_MAX, 0, true);

        unsigned(c, "hash-max-listpack-entries", 0, 0, LONG_MAX, 512, 0);
        c.alias("hash-max-listpack-entries", "hash-max-ziplist-entries");
        unsigned(c, "set-max-intset-entries", 0, 0, LONG_MAX, 512, 0);
        unsigned(c, "zset-max-listpack-entries", 0, 0, LONG_MAX, 128, 0);
        c.alias("zset-max-listpack-entries", "zset-max-ziplist-entries");
        mem(c, "active-defrag-ignore-bytes", 0, 1, LONG_MAX, 100L << 20, true);
        mem(c, "hash-max-listpack-value", 0, 0, LONG_MAX, 64, true);
        c.alias("hash-max-listpack-value", "hash-max-ziplist-value");
        mem(c, "stream-node-max-bytes", 0, 0, LONG_MAX, 4096, true);
        mem(c, "zset-max-listpack-value", 0, 0, LONG_MAX, 64, true);
        c.alias("zset-max-listpack-value", "zset-max-ziplist-value");
        mem(c, "hll-sparse-max-bytes", 0, 0, LONG_MAX, 3000, true);
        unsigned(c, "tracking-table-max-keys", 0, 0, LONG_MAX, 1000000, 0);
        mem(c, "client-query-buffer-limit", 0, 1024 * 1024, LONG_MAX, 1024L * 1024 * 1024, true);
        c.add(new NumParam("maxmemory-clients", 0, 0, -100, LONG_MAX, false, MEMORY | PERCENT));

        num(c, "repl-backlog-ttl", null, 0, 0, LONG_MAX, 3600);
        mem(c, "auto-aof-rewrite-min-size", 0, 0, LONG_MAX, 64L * 1024 * 1024, false);
        num(c, "loading-process-events-interval-bytes", null, HIDDEN, 1024, INT_MAX, 2 * 1024 * 1024);

        // TLS (Debian's redis-server is built with TLS, so these exist there).
        num(c, "tls-port", null, 0, 0, 65535, 0);
        num(c, "tls-session-cache-size", null, 0, 0, INT_MAX, 20 * 1024);
        num(c, "tls-session-cache-timeout", null, 0, 0, INT_MAX, 300);
        bool(c, "tls-cluster", null, 0, false);
        bool(c, "tls-replication", null, 0, false);
        en(c, "tls-auth-clients", 0, TLS_AUTH_CLIENTS, 1);
        bool(c, "tls-prefer-server-ciphers", null, 0, false);
        bool(c, "tls-session-caching", null, 0, true);
        str(c, "tls-cert-file", null, 0, true, null, null);
        str(c, "tls-key-file", null, 0, true, null, null);
        str(c, "tls-key-file-pass", null, SENSITIVE, true, null, null);
        str(c, "tls-client-cert-file", null, 0, true, null, null);
        str(c, "tls-client-key-file", null, 0, true, null, null);
        str(c, "tls-client-key-file-pass", null, SENSITIVE, true, null, null);
        str(c, "tls-dh-params-file", null, 0, true, null, null);
        str(c, "tls-ca-cert-file", null, 0, true, null, null);
        str(c, "tls-ca-cert-dir", null, 0, true, null, null);
        str(c, "tls-protocols", null, 0, true, null, null);
        str(c, "tls-ciphers", null, 0, true, null, null);
        str(c, "tls-ciphersuites", null, 0, true, null, null);

        // Larder does not speak TLS: turning it on fails as it does in Redis when TLS cannot be set up.
        // As in Redis, every tls-* parameter shares one apply step (applyTlsCfg), run once per CONFIG
        // SET, which fails when TLS is in use; tls-port has its own (applyTLSPort), which always needs TLS.
        Param.Applier tlsConfig = p -> {
            if (c.getLong("tls-port") != 0 || c.getBool("tls-replication") || c.getBool("tls-cluster")) {
                io.larder.server.Log.warning("Larder does not support TLS");
                throw new ConfigException("Unable to update TLS configuration. Check server logs.");
            }
        };
        for (String n : List.of("tls-session-cache-size", "tls-session-cache-timeout", "tls-cluster", "tls-replication",
                "tls-prefer-server-ciphers", "tls-session-caching", "tls-cert-file", "tls-key-file",
                "tls-key-file-pass", "tls-client-cert-file", "tls-client-key-file", "tls-client-key-file-pass",
                "tls-dh-params-file", "tls-ca-cert-file", "tls-ca-cert-dir", "tls-protocols", "tls-ciphers",
                "tls-ciphersuites")) {
            c.param(n).onApply(tlsConfig);
        }
        c.param("tls-port").onApply(p -> {
            io.larder.server.Log.warning("Larder does not support TLS");
            throw new ConfigException("Unable to update TLS configuration. Check server logs.");
        });

        // Parameters with their own syntax.
        Special.declare(c);

        // Larder's own: event-loop threads that execute commands (0 = one per CPU).
        num(c, "threads", null, IMMUTABLE, 0, 1024, 0);
    }

    private static void shutdownOnSignal(Config c, String name) {
        c.add(new EnumParam(name, 0, true, 0, new String[] {"default", "save", "nosave", "now", "force"},
                new int[] {0, LarderServer.SHUTDOWN_SAVE, LarderServer.SHUTDOWN_NOSAVE, LarderServer.SHUTDOWN_NOW,
                    LarderServer.SHUTDOWN_FORCE}, v -> {
                    if ((v & LarderServer.SHUTDOWN_SAVE) != 0 && (v & LarderServer.SHUTDOWN_NOSAVE) != 0) {
                        throw new ConfigException("shutdown options SAVE and NOSAVE can't be used simultaneously");
                    }
                }));
    }

    /** Redis's pathIsBaseName: no '/' (and, as Redis also checks, no '\\'). */
    private static boolean isBaseName(String v) {
        return v.indexOf('/') < 0 && v.indexOf('\\') < 0;
    }

    private static void validHostname(String v) throws ConfigException {
        if (v.length() >= 46) throw new ConfigException("Hostnames must be less than 46 characters");
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            boolean ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')
                    || ch == '-' || ch == '.';
            if (!ok) throw new ConfigException("Hostnames may only contain alphanumeric characters, hyphens or dots");
        }
    }

    /**
     * Redis's validateProcTitleTemplate: the template expands (sdstemplate:
     * "{{" and "}}" are literal braces, variables must be known) to a
     * non-blank title. Validation expands {title}, {server-mode},
     * {unixsocket} and {config-file} to nothing, as Redis does at that point.
     */
    private static void validProcTitleTemplate(String v) throws ConfigException {
        ConfigException bad = new ConfigException("template format is invalid or contains unknown variables");
        List<String> empty = List.of("title", "server-mode", "unixsocket", "config-file");
        List<String> nonEmpty = List.of("listen-addr", "port", "tls-port");
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < v.length()) {
            char ch = v.charAt(i);
            if (ch == '{' && i + 1 < v.length() && v.charAt(i + 1) == '{') {
                out.append('{');
                i += 2;
            } else if (ch == '}' && i + 1 < v.length() && v.charAt(i + 1) == '}') {
                out.append('}');
                i += 2;
            } else if (ch == '{') {
                int end = v.indexOf('}', i);
                if (end < 0) throw bad;
                String var = v.substring(i + 1, end);
                if (nonEmpty.contains(var)) out.append('x');
                else if (!empty.contains(var)) throw bad;
                i = end + 1;
            } else if (ch == '}') {
                throw bad;
            } else {
                out.append(ch);
                i++;
            }
        }
        if (out.toString().strip().isEmpty()) throw bad;
    }

    static BoolParam bool(Config c, String name, String alias, int flags, boolean dflt) {
        BoolParam p = c.add(new BoolParam(name, flags, dflt, null));
        if (alias != null) c.alias(name, alias);
        return p;
    }

    static StringParam str(Config c, String name, String alias, int flags, boolean emptyIsNull, String dflt,
                           StringParam.Validator v) {
        StringParam p = c.add(new StringParam(name, flags, dflt, emptyIsNull, v));
        if (alias != null) c.alias(name, alias);
        return p;
    }

    static EnumParam en(Config c, String name, int flags, String[] names, int dflt) {
        int[] values = new int[names.length];
        for (int i = 0; i < values.length; i++) values[i] = i;
        return c.add(new EnumParam(name, flags, false, dflt, names, values, null));
    }

    static NumParam num(Config c, String name, String alias, int flags, long min, long max, long dflt) {
        NumParam p = c.add(new NumParam(name, flags, dflt, min, max, false, 0));
        if (alias != null) c.alias(name, alias);
        return p;
    }

    static NumParam unsigned(Config c, String name, int flags, long min, long max, long dflt, int format) {
        return c.add(new NumParam(name, flags, dflt, min, max, true, format));
    }

    static NumParam mem(Config c, String name, int flags, long min, long max, long dflt, boolean unsigned) {
        return c.add(new NumParam(name, flags, dflt, min, max, unsigned, MEMORY));
    }

    static CustomParam custom(Config c, String name, int flags, CustomParam.Setter s, Supplier<String> g,
                              CustomParam.Rewriter r) {
        return c.add(new CustomParam(name, flags, s, g, r));
    }
}
