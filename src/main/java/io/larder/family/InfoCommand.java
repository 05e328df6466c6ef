package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandSpec;
import io.larder.command.CommandTable;
import io.larder.config.Config;
import io.larder.config.Special;
import io.larder.server.Client;
import io.larder.server.LarderServer;
import io.larder.server.LatencyStats;
import io.larder.server.MemoryReport;
import io.larder.server.Metrics;
import io.larder.server.ServerStats;
import io.larder.store.Database;
import io.larder.store.Entries;
import io.larder.store.Keyspace;
import io.larder.store.Segment;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * INFO with Redis 7.0's sections, field names, order and format ("# Name"
 * headers, "field:value\r\n" lines, a blank line between sections). Values
 * are Larder's own where Larder has the thing measured; fields that belong
 * to subsystems which register them later (replication, persistence,
 * scripting, pub/sub, tracking ...) come from {@link Metrics} and show
 * Redis's idle values until then. Memory figures map the JVM onto Redis's
 * allocator fields: see docs/configuration.md ("INFO memory").
 */
public final class InfoCommand {
    /** Sections in Redis's order. */
    static final List<String> SECTIONS = List.of("server", "clients", "memory", "persistence", "stats",
            "replication", "cpu", "modules", "commandstats", "errorstats", "latencystats", "cluster", "keyspace");
    /** What INFO with no argument (or "default") prints. */
    static final Set<String> DEFAULT = Set.of("server", "clients", "memory", "persistence", "stats",
            "replication", "cpu", "module_list", "errorstats", "cluster", "keyspace");

    private final LarderServer server;
    private final String replId = randomHex(40);

    public InfoCommand(LarderServer server) {
        this.server = server;
    }

    public void register(CommandTable t) {
        // Not noKeyspace: keyspace statistics lock one segment at a time, inside the execution gate.
        t.add("info", this::info);
    }

    void info(CommandContext c) {
        Set<String> wanted = new HashSet<>();
        boolean all = false, everything = false;
        if (c.argc() == 1) wanted.addAll(DEFAULT);
        for (int i = 1; i < c.argc(); i++) {
            String s = c.args().str(i).toLowerCase(Locale.ROOT);
            switch (s) {
                case "all" -> all = true;
                case "everything" -> {
                    all = true;
                    everything = true;
                }
                case "default" -> wanted.addAll(DEFAULT);
                default -> wanted.add(s);
            }
        }
        c.reply().verbatim(generate(c, wanted, all, everything), "txt");
    }

    /** The INFO text for these sections (Redis's genRedisInfoString). */
    public String generate(CommandContext c, Set<String> wanted, boolean all, boolean everything) {
        StringBuilder b = new StringBuilder(4096);
        int sections = 0;
        for (String s : SECTIONS) {
            boolean on = switch (s) {
                case "modules" -> all || wanted.contains("modules") || wanted.contains("module_list");
                default -> all || wanted.contains(s);
            };
            if (!on) continue;
            if (sections++ > 0) b.append("\r\n");
            b.append("# ").append(s.equals("cpu") ? "CPU" : Character.toUpperCase(s.charAt(0)) + s.substring(1))
                    .append("\r\n");
            String override = server.metrics().section(s);
            if (override != null) {
                b.append(override);
                continue;
            }
            switch (s) {
                case "server" -> server(b);
                case "clients" -> clients(b);
                case "memory" -> memory(b);
                case "persistence" -> persistence(b);
                case "stats" -> stats(b);
                case "replication" -> replication(b);
                case "cpu" -> cpu(b);
                case "modules" -> { }
                case "commandstats" -> commandStats(b);
                case "errorstats" -> errorStats(b);
                case "latencystats" -> latencyStats(b);
                case "cluster" -> field(b, "cluster_enabled", server.config().getBool("cluster-enabled") ? 1 : 0);
                case "keyspace" -> keyspace(c, b);
                default -> throw new IllegalStateException(s);
            }
        }
        return b.toString();
    }

    private static void field(StringBuilder b, String name, Object value) {
        b.append(name).append(':').append(value).append("\r\n");
    }

    /** A field another subsystem may provide, with Redis's idle value as the default. */
    private void metric(StringBuilder b, String name, Object dflt) {
        field(b, name, server.metrics().get(name, dflt));
    }

    private void server(StringBuilder b) {
        Config cfg = server.config();
        long now = System.currentTimeMillis();
        long uptime = server.uptimeMs() / 1000;
        field(b, "redis_version", LarderServer.REDIS_VERSION);
        field(b, "larder_version", LarderServer.LARDER_VERSION);
        field(b, "redis_git_sha1", "00000000");
        field(b, "redis_git_dirty", 0);
        field(b, "redis_build_id", BUILD_ID);
        field(b, "redis_mode", cfg.getBool("cluster-enabled") ? "cluster" : "standalone");
        field(b, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + arch());
        field(b, "arch_bits", 64);
        field(b, "monotonic_clock", "POSIX clock_gettime");
        field(b, "multiplexing_api", server.ioTransport());
        field(b, "atomicvar_api", "java-varhandle");
        field(b, "gcc_version", "0.0.0");
        field(b, "process_id", ProcessHandle.current().pid());
        field(b, "process_supervised", "no");
        field(b, "run_id", server.runId());
        field(b, "tcp_port", cfg.getInt("port"));
        field(b, "server_time_usec", now * 1000 + (System.nanoTime() / 1000) % 1000);
        field(b, "uptime_in_seconds", uptime);
        field(b, "uptime_in_days", uptime / 86400);
        field(b, "hz", cfg.getInt("hz"));
        field(b, "configured_hz", cfg.getInt("hz"));
        field(b, "lru_clock", Keyspace.lruClock(now));
        field(b, "executable", executable());
        field(b, "config_file", server.configFile().path == null ? "" : server.configFile().path);
        field(b, "io_threads_active", 0);
    }

    /** A stable build id: the first 16 hex digits of a hash of Larder's version. */
    private static final String BUILD_ID = String.format("%016x",
            (long) LarderServer.LARDER_VERSION.hashCode() * 0x9E3779B97F4A7C15L);

    private static String arch() {
        String a = System.getProperty("os.arch");
        return a.equals("amd64") ? "x86_64" : a.equals("aarch64") ? "aarch64" : a;
    }

    /** The running jar, as Redis names its binary. */
    private static String executable() {
        try {
            var src = InfoCommand.class.getProtectionDomain().getCodeSource();
            if (src != null) return Path.of(src.getLocation().toURI()).toAbsolutePath().toString();
        } catch (Exception ignored) {
            // fall through
        }
        return ProcessHandle.current().info().command().orElse("");
    }

    private void clients(StringBuilder b) {
        int blocked = 0, tracking = 0;
        long maxIn = 0, maxOut = 0;
        for (Client cl : server.clients().all()) {
            if (cl.has(Client.BLOCKED) || cl.isPostponed()) blocked++;
            if (cl.has(Client.TRACKING)) tracking++;
            maxIn = Math.max(maxIn, ClientCommands.queryBufferSize(cl));
            maxOut = Math.max(maxOut, ClientCommands.outputMemory(cl));
        }
        field(b, "connected_clients", server.clients().count());
        field(b, "cluster_connections", 0);
        field(b, "maxclients", server.config().getLong("maxclients"));
        field(b, "client_recent_max_input_buffer", maxIn);
        field(b, "client_recent_max_output_buffer", maxOut);
        metric(b, "blocked_clients", blocked);
        metric(b, "tracking_clients", tracking);
        metric(b, "clients_in_timeout_table", 0);
    }

    /**
     * Memory: used_memory is what Larder accounts for (see MaxMemory), the
     * "allocator" fields are the Java heap and the process's resident set
     * (see MemoryReport and docs/configuration.md, "Memory").
     */
    private void memory(StringBuilder b) {
        Config cfg = server.config();
        MemoryReport m = new MemoryReport(server);
        long used = m.total;
        long total = totalSystemMemory();
        long maxmemory = cfg.getLong("maxmemory");
        field(b, "used_memory", used);
        field(b, "used_memory_human", human(used));
        field(b, "used_memory_rss", m.rss);
        field(b, "used_memory_rss_human", human(m.rss));
        field(b, "used_memory_peak", m.peak);
        field(b, "used_memory_peak_human", human(m.peak));
        field(b, "used_memory_peak_perc", pct(m.peakPerc));
        field(b, "used_memory_overhead", m.overheadTotal);
        field(b, "used_memory_startup", m.startup);
        field(b, "used_memory_dataset", m.dataset);
        field(b, "used_memory_dataset_perc", pct(m.datasetPerc));
        field(b, "allocator_allocated", m.allocated);
        field(b, "allocator_active", m.active);
        field(b, "allocator_resident", m.resident);
        field(b, "total_system_memory", total);
        field(b, "total_system_memory_human", human(total));
        metric(b, "used_memory_lua", 0);
        metric(b, "used_memory_vm_eval", 0);
        field(b, "used_memory_lua_human", human(server.metrics().getLong("used_memory_lua", 0)));
        metric(b, "used_memory_scripts_eval", 0);
        metric(b, "number_of_cached_scripts", 0);
        metric(b, "number_of_functions", 0);
        metric(b, "number_of_libraries", 0);
        metric(b, "used_memory_vm_functions", 0);
        long vmTotal = server.metrics().getLong("used_memory_vm_eval", 0)
                + server.metrics().getLong("used_memory_vm_functions", 0);
        field(b, "used_memory_vm_total", vmTotal);
        field(b, "used_memory_vm_total_human", human(vmTotal));
        metric(b, "used_memory_functions", 0);
        long scripts = server.metrics().getLong("used_memory_scripts", 0);
        field(b, "used_memory_scripts", scripts);
        field(b, "used_memory_scripts_human", human(scripts));
        field(b, "maxmemory", Long.toUnsignedString(maxmemory));
        field(b, "maxmemory_human", human(maxmemory));
        field(b, "maxmemory_policy", cfg.get("maxmemory-policy"));
        field(b, "allocator_frag_ratio", ratio(m.allocatorFrag));
        field(b, "allocator_frag_bytes", m.allocatorFragBytes);
        field(b, "allocator_rss_ratio", ratio(m.allocatorRss));
        field(b, "allocator_rss_bytes", m.allocatorRssBytes);
        field(b, "rss_overhead_ratio", ratio(m.rssExtra));
        field(b, "rss_overhead_bytes", m.rssExtraBytes);
        field(b, "mem_fragmentation_ratio", ratio(m.totalFrag));
        field(b, "mem_fragmentation_bytes", m.totalFragBytes);
        metric(b, "mem_not_counted_for_evict", 0);
        metric(b, "mem_replication_backlog", 0);
        metric(b, "mem_total_replication_buffers", 0);
        metric(b, "mem_clients_slaves", 0);
        field(b, "mem_clients_normal", m.clientsNormal);
        metric(b, "mem_cluster_links", 0);
        metric(b, "mem_aof_buffer", 0);
        field(b, "mem_allocator", MemoryReport.allocatorName());
        field(b, "active_defrag_running", 0);
        metric(b, "lazyfree_pending_objects", 0);
        metric(b, "lazyfreed_objects", 0);
    }

    private static long totalSystemMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 0;
    }

    /** Redis's bytesToHuman. */
    static String human(long n) {
        if (n < 0) return Long.toUnsignedString(n) + "B";
        if (n < 1024) return n + "B";
        String[] units = {"K", "M", "G", "T", "P"};
        double d = n;
        for (String u : units) {
            d /= 1024;
            if (d < 1024 || u.equals("P")) {
                if (u.equals("P") && d >= 1024) return n + "B";
                return String.format(Locale.ROOT, "%.2f%s", d, u);
            }
        }
        return n + "B";
    }

    /** Redis prints its float percentages and ratios with %.2f. */
    private static String pct(float p) {
        return String.format(Locale.ROOT, "%.2f%%", p);
    }

    private static String ratio(float r) {
        return String.format(Locale.ROOT, "%.2f", r);
    }

    private void persistence(StringBuilder b) {
        metric(b, "loading", 0);
        metric(b, "async_loading", 0);
        metric(b, "current_cow_peak", 0);
        metric(b, "current_cow_size", 0);
        metric(b, "current_cow_size_age", 0);
        metric(b, "current_fork_perc", "0.00");
        metric(b, "current_save_keys_processed", 0);
        metric(b, "current_save_keys_total", 0);
        field(b, "rdb_changes_since_last_save", server.changesSinceLastSave());
        metric(b, "rdb_bgsave_in_progress", 0);
        field(b, "rdb_last_save_time", server.lastSaveMs() / 1000);
        metric(b, "rdb_last_bgsave_status", "ok");
        metric(b, "rdb_last_bgsave_time_sec", -1);
        metric(b, "rdb_current_bgsave_time_sec", -1);
        metric(b, "rdb_saves", 0);
        metric(b, "rdb_last_cow_size", 0);
        metric(b, "rdb_last_load_keys_expired", 0);
        metric(b, "rdb_last_load_keys_loaded", 0);
        metric(b, "aof_enabled", 0);
        metric(b, "aof_rewrite_in_progress", 0);
        metric(b, "aof_rewrite_scheduled", 0);
        metric(b, "aof_last_rewrite_time_sec", -1);
        metric(b, "aof_current_rewrite_time_sec", -1);
        metric(b, "aof_last_bgrewrite_status", "ok");
        metric(b, "aof_rewrites", 0);
        metric(b, "aof_rewrites_consecutive_failures", 0);
        metric(b, "aof_last_write_status", "ok");
        metric(b, "aof_last_cow_size", 0);
        metric(b, "module_fork_in_progress", 0);
        metric(b, "module_fork_last_cow_size", 0);
    }

    private void stats(StringBuilder b) {
        ServerStats s = server.stats();
        field(b, "total_connections_received", s.connectionsReceived.sum());
        field(b, "total_commands_processed", s.commands());
        field(b, "instantaneous_ops_per_sec", s.instantaneousOps());
        field(b, "total_net_input_bytes", s.netInput());
        field(b, "total_net_output_bytes", s.netOutput());
        metric(b, "total_net_repl_input_bytes", 0);
        metric(b, "total_net_repl_output_bytes", 0);
        field(b, "instantaneous_input_kbps", String.format(Locale.ROOT, "%.2f", s.instantaneousInputKbps()));
        field(b, "instantaneous_output_kbps", String.format(Locale.ROOT, "%.2f", s.instantaneousOutputKbps()));
        metric(b, "instantaneous_input_repl_kbps", "0.00");
        metric(b, "instantaneous_output_repl_kbps", "0.00");
        field(b, "rejected_connections", s.rejectedConnections.sum());
        metric(b, "sync_full", 0);
        metric(b, "sync_partial_ok", 0);
        metric(b, "sync_partial_err", 0);
        field(b, "expired_keys", s.expiredKeys.sum());
        metric(b, "expired_stale_perc", "0.00");
        metric(b, "expired_time_cap_reached_count", 0);
        metric(b, "expire_cycle_cpu_milliseconds", 0);
        field(b, "evicted_keys", s.evictedKeys.sum());
        field(b, "evicted_clients", s.evictedClients.sum());
        metric(b, "total_eviction_exceeded_time", 0);
        metric(b, "current_eviction_exceeded_time", 0);
        field(b, "keyspace_hits", s.keyspaceHits());
        field(b, "keyspace_misses", s.keyspaceMisses());
        metric(b, "pubsub_channels", 0);
        metric(b, "pubsub_patterns", 0);
        metric(b, "pubsubshard_channels", 0);
        field(b, "latest_fork_usec", 0);
        field(b, "total_forks", 0);
        metric(b, "migrate_cached_sockets", 0);
        metric(b, "slave_expires_tracked_keys", 0);
        field(b, "active_defrag_hits", 0);
        field(b, "active_defrag_misses", 0);
        field(b, "active_defrag_key_hits", 0);
        field(b, "active_defrag_key_misses", 0);
        field(b, "total_active_defrag_time", 0);
        field(b, "current_active_defrag_time", 0);
        metric(b, "tracking_total_keys", 0);
        metric(b, "tracking_total_items", 0);
        metric(b, "tracking_total_prefixes", 0);
        field(b, "unexpected_error_replies", s.unexpectedErrorReplies.sum());
        field(b, "total_error_replies", s.totalErrorReplies.sum());
        metric(b, "dump_payload_sanitizations", 0);
        field(b, "total_reads_processed", s.readsProcessed());
        field(b, "total_writes_processed", s.writesProcessed());
        field(b, "io_threaded_reads_processed", 0);
        field(b, "io_threaded_writes_processed", 0);
        field(b, "reply_buffer_shrinks", 0);
        field(b, "reply_buffer_expands", 0);
    }

    private void replication(StringBuilder b) {
        field(b, "role", "master");
        field(b, "connected_slaves", 0);
        field(b, "master_failover_state", "no-failover");
        field(b, "master_replid", replId);
        field(b, "master_replid2", "0".repeat(40));
        field(b, "master_repl_offset", 0);
        field(b, "second_repl_offset", -1);
        field(b, "repl_backlog_active", 0);
        field(b, "repl_backlog_size", server.config().getLong("repl-backlog-size"));
        field(b, "repl_backlog_first_byte_offset", 0);
        field(b, "repl_backlog_histlen", 0);
    }

    /**
     * Process CPU time (user and system, from /proc/self/stat) and the
     * calling thread's: the thread running INFO stands in for Redis's main
     * thread.
     */
    private void cpu(StringBuilder b) {
        double[] proc = processCpu();
        var threads = ManagementFactory.getThreadMXBean();
        double threadTotal = threads.getCurrentThreadCpuTime() / 1e9;
        double threadUser = threads.getCurrentThreadUserTime() / 1e9;
        field(b, "used_cpu_sys", secs(proc[1]));
        field(b, "used_cpu_user", secs(proc[0]));
        field(b, "used_cpu_sys_children", secs(0));
        field(b, "used_cpu_user_children", secs(0));
        field(b, "used_cpu_sys_main_thread", secs(Math.max(0, threadTotal - threadUser)));
        field(b, "used_cpu_user_main_thread", secs(threadUser));
    }

    private static String secs(double d) {
        return String.format(Locale.ROOT, "%.6f", d);
    }

    /** {user, system} CPU seconds of the process. */
    private static double[] processCpu() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // After the command name: state is field 3, utime 14, stime 15 (1-based in proc(5)).
            double hz = 100.0;
            return new double[] {Long.parseLong(f[11]) / hz, Long.parseLong(f[12]) / hz};
        } catch (IOException | RuntimeException e) {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return new double[] {os.getProcessCpuTime() / 1e9, 0};
            }
            return new double[] {0, 0};
        }
    }

    private void commandStats(StringBuilder b) {
        for (CommandSpec s : server.commands().visible()) {
            commandStat(b, s);
            for (CommandSpec sub : s.subcommands().values()) commandStat(b, sub);
        }
    }

    private void commandStat(StringBuilder b, CommandSpec s) {
        ServerStats st = server.stats();
        long calls = st.calls(s), usec = st.usec(s), rejected = st.rejectedCalls(s), failed = st.failedCalls(s);
        if (calls == 0 && failed == 0 && rejected == 0) return;
        b.append("cmdstat_").append(s.fullName).append(":calls=").append(calls).append(",usec=").append(usec)
                .append(",usec_per_call=")
                .append(String.format(Locale.ROOT, "%.2f", calls == 0 ? 0.0 : (double) usec / calls))
                .append(",rejected_calls=").append(rejected).append(",failed_calls=").append(failed).append("\r\n");
    }

    private void errorStats(StringBuilder b) {
        for (Map.Entry<String, Long> e : server.stats().errorCounts().entrySet()) {
            b.append("errorstat_").append(e.getKey()).append(":count=").append(e.getValue()).append("\r\n");
        }
    }

    private void latencyStats(StringBuilder b) {
        double[] pcts = Special.state(server.config()).latencyPercentiles;
        for (CommandSpec s : server.commands().visible()) {
            latencyStat(b, s, pcts);
            for (CommandSpec sub : s.subcommands().values()) latencyStat(b, sub, pcts);
        }
    }

    private void latencyStat(StringBuilder b, CommandSpec s, double[] pcts) {
        long[] h = server.latency().histogram(s);
        if (h == null) return;
        b.append("latency_percentiles_usec_").append(s.fullName).append(':');
        for (int i = 0; i < pcts.length; i++) {
            if (i > 0) b.append(',');
            b.append('p').append(Special.percentiles(new double[] {pcts[i]})).append('=')
                    .append(String.format(Locale.ROOT, "%.3f", LatencyStats.valueAtPercentile(h, pcts[i]) / 1000.0));
        }
        b.append("\r\n");
    }

    private void keyspace(CommandContext c, StringBuilder b) {
        Keyspace ks = server.keyspace();
        long now = System.currentTimeMillis();
        for (int i = 0; i < ks.databases(); i++) {
            Database d = ks.db(i);
            long keys = d.size();
            if (keys == 0) continue;
            long expires = d.volatileSize();
            b.append("db").append(i).append(":keys=").append(keys).append(",expires=").append(expires)
                    .append(",avg_ttl=").append(expires == 0 ? 0 : averageTtl(c, d, now)).append("\r\n");
        }
    }

    /**
     * The average remaining time to live of a sample of the database's
     * volatile keys, in milliseconds. Redis's avg_ttl is likewise an
     * estimate (a running average from its expiry cycle's samples).
     */
    private static long averageTtl(CommandContext c, Database d, long now) {
        Keyspace ks = c.keyspace();
        long sum = 0, n = 0;
        for (int seg = 0; seg < Keyspace.SEGMENTS && n < 1024; seg++) {
            Segment s = d.segment(seg);
            if (s == null || s.volatileCount() == 0) continue;
            if (!c.exclusive()) ks.locks.lock(seg);
            try {
                s = d.segment(seg);
                if (s == null) continue;
                for (int slot = 0; slot < s.capacity(); slot++) {
                    if (s.metaAt(slot) == 0 || !s.isVolatile(slot)) continue;
                    long ttl = Entries.expireAt(s.entry(slot)) - now;
                    if (ttl > 0) {
                        sum += ttl;
                        n++;
                    }
                }
            } finally {
                if (!c.exclusive()) ks.locks.unlock(seg);
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    private static String randomHex(int n) {
        byte[] r = new byte[n / 2];
        new java.security.SecureRandom().nextBytes(r);
        return java.util.HexFormat.of().formatHex(r);
    }
}
