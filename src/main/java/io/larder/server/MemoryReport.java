package io.larder.server;

import io.larder.store.Database;
import io.larder.store.Keyspace;
import io.larder.store.Segment;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis's getMemoryOverheadData: one snapshot of where memory goes, shared
 * by INFO memory, MEMORY STATS and MEMORY DOCTOR so they agree.
 *
 * <p>Redis's allocator figures are mapped onto the JVM: "allocated" is the
 * heap in use, "active" the heap the JVM has committed, "resident" the
 * committed heap plus the JVM's committed non-heap memory (class metadata,
 * compiled code, GC structures it reports), and RSS is the process's
 * resident set. The ratios between them then mean what they mean in Redis:
 * heap garbage and free space (allocator fragmentation), memory the JVM
 * keeps outside the heap, and what the process holds beyond both (thread
 * stacks, network buffers, GC bitmaps).
 */
public final class MemoryReport {
    /** Per database with keys: the table overhead (Redis's dictEntry, bucket and robj headers). */
    public record Db(int id, long keys, long hashtableMain, long hashtableExpires) {}

    public final long total, peak, startup, clientsNormal, clientsReplicas, replicationBacklog, aofBuffer,
            luaCaches, functionsCaches, sketch, overheadTotal, totalKeys, bytesPerKey, dataset;
    public final float datasetPerc, peakPerc;
    public final List<Db> dbs;
    public final long allocated, active, resident, rss;
    public final float allocatorFrag, allocatorRss, rssExtra, totalFrag;
    public final long allocatorFragBytes, allocatorRssBytes, rssExtraBytes, totalFragBytes;

    /** Takes the snapshot. Reads segment sizes without their locks: statistics, not a consistent cut. */
    public MemoryReport(LarderServer server) {
        MaxMemory mm = server.maxMemory();
        Metrics m = server.metrics();
        Keyspace ks = server.keyspace();
        total = mm.usedMemory();
        peak = Math.max(mm.peak(), total);
        startup = MaxMemory.STARTUP_OVERHEAD;
        clientsNormal = mm.clientsMemory();
        clientsReplicas = m.getLong("mem_clients_slaves", 0);
        replicationBacklog = m.getLong("mem_replication_backlog", 0);
        aofBuffer = m.getLong("mem_aof_buffer", 0);
        luaCaches = m.getLong("used_memory_scripts_eval", 0);
        functionsCaches = m.getLong("used_memory_functions", 0);
        sketch = mm.sketchBytes();
        List<Db> list = new ArrayList<>();
        long keys = 0, tables = 0;
        for (int i = 0; i < ks.databases(); i++) {
            Database d = ks.db(i);
            long n = 0, t = 0;
            for (int s = 0; s < Keyspace.SEGMENTS; s++) {
                Segment seg = d.segment(s);
                if (seg == null) continue;
                n += seg.size();
                t += seg.memory() - seg.entryMemory();
            }
            if (n == 0) continue;
            keys += n;
            tables += t;
            // Expiry times live inside the entries (8 bytes each, part of the data set): no second table.
            list.add(new Db(i, n, t, 0));
        }
        dbs = List.copyOf(list);
        totalKeys = keys;
        overheadTotal = startup + replicationBacklog + clientsReplicas + clientsNormal + aofBuffer + luaCaches
                + functionsCaches + sketch + tables;
        long net = total - startup;
        bytesPerKey = keys == 0 ? 0 : net / keys;
        dataset = total - overheadTotal;
        datasetPerc = net <= 0 ? 0 : (float) (dataset * 100.0 / net);
        peakPerc = peak <= 0 ? 0 : (float) (total * 100.0 / peak);

        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
        allocated = heap.getUsed();
        active = heap.getCommitted();
        resident = active + nonHeap.getCommitted();
        rss = residentSetSize();
        allocatorFrag = ratio(active, allocated);
        allocatorFragBytes = active - allocated;
        allocatorRss = ratio(resident, active);
        allocatorRssBytes = resident - active;
        rssExtra = ratio(rss, resident);
        rssExtraBytes = rss - resident;
        totalFrag = ratio(rss, total);
        totalFragBytes = rss - total;
    }

    private static float ratio(long a, long b) {
        return b <= 0 ? 0 : (float) ((double) a / b);
    }

    /** Resident set size from /proc/self/statm; 0 where there is none. */
    public static long residentSetSize() {
        try {
            String[] f = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
            return Long.parseLong(f[1]) * 4096;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Redis's getMemoryDoctorReport, with its thresholds and texts. */
    public String doctor(LarderServer server, int cachedScripts) {
        boolean empty = false, bigPeak = false, highFrag = false, highAllocFrag = false, highAllocRss = false,
                highProcRss = false, bigClientBuf = false, bigReplicaBuf = false, manyScripts = false;
        int reports = 0;
        if (total < 5L * 1024 * 1024) {
            empty = true;
            reports++;
        } else {
            if ((float) peak / total > 1.5f) {
                bigPeak = true;
                reports++;
            }
            if (totalFrag > 1.4f && totalFragBytes > 10L << 20) {
                highFrag = true;
                reports++;
            }
            if (allocatorFrag > 1.1f && allocatorFragBytes > 10L << 20) {
                highAllocFrag = true;
                reports++;
            }
            if (allocatorRss > 1.1f && allocatorRssBytes > 10L << 20) {
                highAllocRss = true;
                reports++;
            }
            if (rssExtra > 1.1f && rssExtraBytes > 10L << 20) {
                highProcRss = true;
                reports++;
            }
            long replicas = server.metrics().getLong("connected_slaves", 0);
            long clients = Math.max(1, server.clients().count() - replicas);
            if (clientsNormal / clients > 1024 * 200) {
                bigClientBuf = true;
                reports++;
            }
            if (replicas > 0 && clientsReplicas > 1024 * 1024 * 10) {
                bigReplicaBuf = true;
                reports++;
            }
            if (cachedScripts > 1000) {
                manyScripts = true;
                reports++;
            }
        }
        if (reports == 0) {
            return "Hi Sam, I can't find any memory issue in your instance. "
                    + "I can only account for what occurs on this base.\n";
        }
        if (empty) {
            return "Hi Sam, this instance is empty or is using very little memory, "
                    + "my issues detector can't be used in these conditions. "
                    + "Please, leave for your mission on Earth and fill it with some data. "
                    + "The new Sam and I will be back to our programming as soon as I "
                    + "finished rebooting.\n";
        }
        StringBuilder s = new StringBuilder("Sam, I detected a few issues in this Redis instance memory implants:\n\n");
        if (bigPeak) {
            s.append(" * Peak memory: In the past this instance used more than 150% the memory that is currently "
                    + "using. The allocator is normally not able to release memory after a peak, so you can expect "
                    + "to see a big fragmentation ratio, however this is actually harmless and is only due to the "
                    + "memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than "
                    + "expected, the memory will be used as soon as you fill the Redis instance with more data. If "
                    + "the memory peak was only occasional and you want to try to reclaim memory, please try the "
                    + "MEMORY PURGE command, otherwise the only other option is to shutdown and restart the "
                    + "instance.\n\n");
        }
        if (highFrag) {
            s.append(" * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 "
                    + "(this means that the Resident Set Size of the Redis process is much larger than the sum of "
                    + "the logical allocations Redis performed). This problem is usually due either to a large peak "
                    + "memory (check if there is a peak memory entry above in the report) or may result from a "
                    + "workload that causes the allocator to fragment memory a lot. If the problem is a large peak "
                    + "memory, then there is no issue. Otherwise, make sure you are using the Jemalloc allocator "
                    + "and not the default libc malloc. Note: The currently used allocator is \"")
                    .append(allocatorName()).append("\".\n\n");
        }
        if (highAllocFrag) {
            s.append(" * High allocator fragmentation: This instance has an allocator external fragmentation "
                    + "greater than 1.1. This problem is usually due either to a large peak memory (check if there "
                    + "is a peak memory entry above in the report) or may result from a workload that causes the "
                    + "allocator to fragment memory a lot. You can try enabling 'activedefrag' config option.\n\n");
        }
        if (highAllocRss) {
            s.append(" * High allocator RSS overhead: This instance has an RSS memory overhead is greater than 1.1 "
                    + "(this means that the Resident Set Size of the allocator is much larger than the sum what the "
                    + "allocator actually holds). This problem is usually due to a large peak memory (check if "
                    + "there is a peak memory entry above in the report), you can try the MEMORY PURGE command to "
                    + "reclaim it.\n\n");
        }
        if (highProcRss) {
            s.append(" * High process RSS overhead: This instance has non-allocator RSS memory overhead is greater "
                    + "than 1.1 (this means that the Resident Set Size of the Redis process is much larger than the "
                    + "RSS the allocator holds). This problem may be due to Lua scripts or Modules.\n\n");
        }
        if (bigReplicaBuf) {
            s.append(" * Big replica buffers: The replica output buffers in this instance are greater than 10MB "
                    + "for each replica (on average). This likely means that there is some replica instance that is "
                    + "struggling receiving data, either because it is too slow or because of networking issues. "
                    + "As a result, data piles on the master output buffers. Please try to identify what replica "
                    + "is not receiving data correctly and why. You can use the INFO output in order to check the "
                    + "replicas delays and the CLIENT LIST command to check the output buffers of each "
                    + "replica.\n\n");
        }
        if (bigClientBuf) {
            s.append(" * Big client buffers: The clients output buffers in this instance are greater than 200K per "
                    + "client (on average). This may result from different causes, like Pub/Sub clients subscribed "
                    + "to channels bot not receiving data fast enough, so that data piles on the Redis instance "
                    + "output buffer, or clients sending commands with large replies or very large sequences of "
                    + "commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the "
                    + "issue if it causes problems in your instance, or to understand better why certain clients "
                    + "are using a big amount of memory.\n\n");
        }
        if (manyScripts) {
            s.append(" * Many scripts: There seem to be many cached scripts in this instance (more than 1000). This "
                    + "may be because scripts are generated and `EVAL`ed, instead of being parameterized (with KEYS "
                    + "and ARGV), `SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT FLUSH` is called periodically, "
                    + "the scripts' caches may end up consuming most of your memory.\n\n");
        }
        s.append("I'm here to keep you safe, Sam. I want to help you.\n");
        return s.toString();
    }

    /** INFO mem_allocator. */
    public static String allocatorName() {
        return "jvm-" + Runtime.version().feature();
    }
}
