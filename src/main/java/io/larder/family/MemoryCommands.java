package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.server.Client;
import io.larder.server.LarderServer;
import io.larder.server.MemoryReport;
import io.larder.store.Entries;
import io.larder.store.HeapLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Locale;

/**
 * MEMORY USAGE, STATS, DOCTOR, PURGE, MALLOC-STATS and HELP (Redis's
 * object.c memoryCommand). Figures come from Larder's accounting
 * ({@link MemoryReport}); the allocator's are the JVM's.
 */
public final class MemoryCommands {
    private final LarderServer server;

    public MemoryCommands(LarderServer server) {
        this.server = server;
        // used_memory counts client buffers as Redis does; the cron sums them with this.
        server.maxMemory().setClientsMemorySource(() -> {
            long n = 0;
            for (Client cl : server.clients().all()) n += ClientCommands.totalMemory(cl);
            return n;
        });
    }

    public void register(CommandTable t) {
        t.add("memory|usage", this::usage);
        // Not noKeyspace: the statistics read every database's segments inside the gate.
        t.add("memory|stats", this::stats);
        t.add("memory|doctor", this::doctor).noKeyspace();
        t.add("memory|purge", this::purge).noKeyspace();
        t.add("memory|malloc-stats", this::mallocStats).noKeyspace();
        t.add("memory|help", c -> ServerCommands.help(c, List.of(
                "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "DOCTOR",
                "    Return memory problems reports.",
                "MALLOC-STATS",
                "    Return internal statistics report from the memory allocator.",
                "PURGE",
                "    Attempt to purge dirty pages for reclamation by the allocator.",
                "STATS",
                "    Return information about the memory usage of the server.",
                "USAGE <key> [SAMPLES <count>]",
                "    Return memory in bytes used by <key> and its value. Nested values are",
                "    sampled up to <count> times (default: 5, 0 means sample all).",
                "HELP",
                "    Prints this help."))).noKeyspace();
    }

    /**
     * MEMORY USAGE key [SAMPLES count]: the key's entry as charged to
     * used_memory plus its slot in the table. Larder keeps every value's
     * size up to date, so SAMPLES is checked as Redis checks it but nothing
     * needs sampling. Like Redis it looks the key up as stored: an expired
     * key is not deleted and nothing is touched.
     */
    void usage(CommandContext c) {
        Args a = c.args();
        for (int j = 3; j < a.count(); j++) {
            if (a.is(j, "samples") && j + 1 < a.count()) {
                long samples = c.longArg(j + 1);
                if (samples < 0) throw Errors.SYNTAX;
                j++;
            } else {
                throw Errors.SYNTAX;
            }
        }
        Object e = c.db().peek(a.buf(), a.off(2), a.len(2), a.hash(2));
        if (e == null) {
            c.reply().nullBulk();
            return;
        }
        c.reply().integer(Entries.memoryUsage(e) + 4 + HeapLayout.REFERENCE);
    }

    void stats(CommandContext c) {
        MemoryReport m = new MemoryReport(server);
        Reply r = c.reply();
        r.map(27 + m.dbs.size());
        pair(r, "peak.allocated", m.peak);
        pair(r, "total.allocated", m.total);
        pair(r, "startup.allocated", m.startup);
        pair(r, "replication.backlog", m.replicationBacklog);
        pair(r, "clients.slaves", m.clientsReplicas);
        pair(r, "clients.normal", m.clientsNormal);
        pair(r, "cluster.links", server.metrics().getLong("mem_cluster_links", 0));
        pair(r, "aof.buffer", m.aofBuffer);
        pair(r, "lua.caches", m.luaCaches);
        pair(r, "functions.caches", m.functionsCaches);
        for (MemoryReport.Db d : m.dbs) {
            r.bulk("db." + d.id());
            r.map(3);
            pair(r, "overhead.hashtable.main", d.hashtableMain());
            pair(r, "overhead.hashtable.expires", d.hashtableExpires());
            pair(r, "overhead.hashtable.slot-to-keys", 0);
        }
        pair(r, "overhead.total", m.overheadTotal);
        pair(r, "keys.count", m.totalKeys);
        pair(r, "keys.bytes-per-key", m.bytesPerKey);
        pair(r, "dataset.bytes", m.dataset);
        pair(r, "dataset.percentage", m.datasetPerc);
        pair(r, "peak.percentage", m.peakPerc);
        pair(r, "allocator.allocated", m.allocated);
        pair(r, "allocator.active", m.active);
        pair(r, "allocator.resident", m.resident);
        pair(r, "allocator-fragmentation.ratio", m.allocatorFrag);
        pair(r, "allocator-fragmentation.bytes", m.allocatorFragBytes);
        pair(r, "allocator-rss.ratio", m.allocatorRss);
        pair(r, "allocator-rss.bytes", m.allocatorRssBytes);
        pair(r, "rss-overhead.ratio", m.rssExtra);
        pair(r, "rss-overhead.bytes", m.rssExtraBytes);
        // Redis keeps the name "fragmentation" for the total RSS overhead.
        pair(r, "fragmentation", m.totalFrag);
        pair(r, "fragmentation.bytes", m.totalFragBytes);
    }

    private static void pair(Reply r, String name, long v) {
        r.bulk(name);
        r.integer(v);
    }

    /** Redis's figures are C floats printed as doubles (%.17g): the same float gives the same digits. */
    private static void pair(Reply r, String name, float v) {
        r.bulk(name);
        r.doubleValue(v);
    }

    void doctor(CommandContext c) {
        MemoryReport m = new MemoryReport(server);
        int scripts = (int) server.metrics().getLong("number_of_cached_scripts", 0);
        c.reply().verbatim(m.doctor(server, scripts), "txt");
    }

    /**
     * MEMORY PURGE: what jemalloc's purge does for Redis, returning memory
     * that is free but still resident. A collection, after which the
     * collector gives empty heap regions back to the operating system
     * (Shenandoah does at once after an explicit collection); then glibc's
     * malloc_trim, for the native memory the JVM itself freed (the JIT
     * compilers' arenas peak at tens of megabytes while a new workload is
     * compiled, and glibc keeps those pages otherwise).
     */
    void purge(CommandContext c) {
        System.gc();
        trimNativeHeap();
        c.reply().ok();
    }

    private static final java.lang.invoke.MethodHandle MALLOC_TRIM = mallocTrim();

    private static java.lang.invoke.MethodHandle mallocTrim() {
        try {
            java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
            return linker.defaultLookup().find("malloc_trim")
                    .map(f -> linker.downcallHandle(f, java.lang.foreign.FunctionDescriptor.of(
                            java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_LONG)))
                    .orElse(null);
        } catch (Throwable e) {
            // Not glibc, or native access denied: the collection alone.
            return null;
        }
    }

    private static void trimNativeHeap() {
        if (MALLOC_TRIM == null) return;
        try {
            int unused = (int) MALLOC_TRIM.invokeExact(0L);
        } catch (Throwable e) {
            // Nothing to give back, or not allowed: harmless.
        }
    }

    /** The JVM's memory pools, in place of jemalloc's statistics. */
    void mallocStats(CommandContext c) {
        StringBuilder b = new StringBuilder();
        b.append("___ Begin JVM memory statistics ___\n");
        b.append("Version: \"").append(Runtime.version()).append("\"\n");
        b.append(String.format(Locale.ROOT, "Heap layout: object header %d, array header %d, reference %d, "
                + "alignment %d bytes\n", HeapLayout.OBJECT_HEADER, HeapLayout.ARRAY_HEADER, HeapLayout.REFERENCE,
                HeapLayout.ALIGNMENT));
        usage(b, "heap", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage());
        usage(b, "non-heap", ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage());
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            usage(b, p.getType().name().toLowerCase(Locale.ROOT) + " pool \"" + p.getName() + "\"", p.getUsage());
        }
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            b.append("collector \"").append(gc.getName()).append("\": collections ").append(gc.getCollectionCount())
                    .append(", time ").append(gc.getCollectionTime()).append(" ms\n");
        }
        b.append("--- End JVM memory statistics ---\n");
        c.reply().verbatim(b.toString(), "txt");
    }

    private static void usage(StringBuilder b, String name, MemoryUsage u) {
        if (u == null) return;
        b.append(name).append(": used ").append(u.getUsed()).append(", committed ").append(u.getCommitted())
                .append(", max ").append(u.getMax()).append('\n');
    }
}
