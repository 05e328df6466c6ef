package io.larder.server;

import io.larder.command.CommandSpec;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Per-command latency histograms for INFO latencystats, with the bucket
 * layout of the HdrHistogram Redis uses (1 ns to 1 s, two significant
 * digits), so the percentiles Larder reports are the values Redis would
 * report for the same durations. Each thread records into its own arrays
 * (no shared cache line on the request path); INFO sums them. A histogram is
 * allocated the first time a thread runs the command.
 */
public final class LatencyStats {
    // hdr_init(1, 1_000_000_000, 2): 256 sub-buckets (128 per half), 23 buckets.
    private static final int SUB_BUCKET_HALF_COUNT_MAGNITUDE = 7;
    private static final int SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE;
    private static final int SUB_BUCKET_COUNT = 2 * SUB_BUCKET_HALF_COUNT;
    private static final long SUB_BUCKET_MASK = SUB_BUCKET_COUNT - 1;
    private static final int BUCKET_COUNT = 23;
    static final int COUNTS_LEN = (BUCKET_COUNT + 1) * SUB_BUCKET_HALF_COUNT;
    private static final long MIN_VALUE = 1, MAX_VALUE = 1_000_000_000L;

    /** One thread's histograms, indexed by {@link CommandSpec#statsIndex}. */
    private static final class PerThread {
        volatile long[][] counts = new long[0][];
        volatile int generation;
    }

    private final CopyOnWriteArrayList<PerThread> threads = new CopyOnWriteArrayList<>();
    private volatile int generation;
    private final FastThreadLocal<PerThread> local = new FastThreadLocal<>() {
        @Override
        protected PerThread initialValue() {
            PerThread p = new PerThread();
            p.generation = generation;
            threads.add(p);
            return p;
        }
    };

    /**
     * Records one call. Like Redis, the duration is taken in whole
     * microseconds and stored in nanoseconds, clamped to [1 ns, 1 s].
     */
    public void record(CommandSpec cmd, long durationNs) {
        int idx = cmd.statsIndex;
        if (idx < 0) return;
        PerThread t = local.get();
        if (t.generation != generation) {
            t.counts = new long[0][];
            t.generation = generation;
        }
        long[][] all = t.counts;
        if (idx >= all.length) {
            all = java.util.Arrays.copyOf(all, Math.max(idx + 1, all.length * 2));
            t.counts = all;
        }
        long[] h = all[idx];
        if (h == null) h = all[idx] = new long[COUNTS_LEN];
        long v = (durationNs / 1000) * 1000;
        if (v < MIN_VALUE) v = MIN_VALUE;
        if (v > MAX_VALUE) v = MAX_VALUE;
        h[countsIndex(v)]++;
    }

    /** CONFIG RESETSTAT: every thread drops its histograms before its next record. */
    public void reset() {
        generation++;
    }

    /** The summed histogram of a command, or null if no thread has recorded it since the last reset. */
    public long[] histogram(CommandSpec cmd) {
        int idx = cmd.statsIndex;
        if (idx < 0) return null;
        long[] sum = null;
        for (PerThread t : threads) {
            if (t.generation != generation) continue;
            long[][] all = t.counts;
            if (idx >= all.length || all[idx] == null) continue;
            long[] h = all[idx];
            if (sum == null) sum = new long[COUNTS_LEN];
            for (int i = 0; i < COUNTS_LEN; i++) sum[i] += h[i];
        }
        return sum;
    }

    static int bucketIndex(long value) {
        int pow2ceiling = 64 - Long.numberOfLeadingZeros(value | SUB_BUCKET_MASK);
        return pow2ceiling - (SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1);
    }

    static int countsIndex(long value) {
        int bucket = bucketIndex(value);
        int sub = (int) (value >>> bucket);
        return ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (sub - SUB_BUCKET_HALF_COUNT);
    }

    static long valueAtIndex(int index) {
        int bucket = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
        int sub = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
        if (bucket < 0) {
            sub -= SUB_BUCKET_HALF_COUNT;
            bucket = 0;
        }
        return (long) sub << bucket;
    }

    static long lowestEquivalent(long value) {
        int bucket = bucketIndex(value);
        long sub = value >>> bucket;
        return sub << bucket;
    }

    static long rangeSize(long value) {
        int bucket = bucketIndex(value);
        long sub = value >>> bucket;
        int adjusted = sub >= SUB_BUCKET_COUNT ? bucket + 1 : bucket;
        return 1L << adjusted;
    }

    /** hdr_value_at_percentile. */
    public static long valueAtPercentile(long[] counts, double percentile) {
        long total = 0;
        for (long c : counts) total += c;
        double requested = Math.min(percentile, 100.0);
        long countAt = (long) ((requested / 100) * total + 0.5);
        countAt = Math.max(countAt, 1);
        long value = 0;
        long running = 0;
        for (int i = 0; i < counts.length; i++) {
            running += counts[i];
            if (running >= countAt) {
                value = valueAtIndex(i);
                break;
            }
        }
        if (percentile == 0.0) return lowestEquivalent(value);
        return lowestEquivalent(value) + rangeSize(value) - 1;
    }
}
