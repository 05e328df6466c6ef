package io.larder.server;

import io.larder.command.CommandSpec;
import java.util.Arrays;

/**
 * One worker thread's request-path counters. Only the owning thread writes
 * them (plain longs, no atomic operation and no shared cache line on the hot
 * path); {@link ServerStats} sums every thread's counters for INFO. A reader
 * may see a count a few increments old, which INFO tolerates.
 */
public final class ThreadStats {
    long commands;
    long netInput;
    long netOutput;
    long keyspaceHits;
    long keyspaceMisses;
    long dirty;
    long writesProcessed;
    long readsProcessed;
    // Per command, indexed by CommandSpec.statsIndex.
    long[] calls = new long[0];
    long[] usec = new long[0];
    long[] failed = new long[0];
    long[] rejected = new long[0];

    public void hit() {
        keyspaceHits++;
    }

    public void miss() {
        keyspaceMisses++;
    }

    public void netInput(long n) {
        netInput += n;
    }

    public void netOutput(long n) {
        netOutput += n;
    }

    /** Counts one completed call of a command (INFO commandstats). */
    public void completed(CommandSpec cmd, long durationUs, boolean failedCall) {
        commands++;
        int i = cmd.statsIndex;
        if (i < 0) return;
        if (i >= calls.length) grow(i);
        calls[i]++;
        usec[i] += durationUs;
        if (failedCall) failed[i]++;
    }

    /** Counts a command rejected before it ran (arity, NOAUTH, OOM ...). */
    public void rejected(CommandSpec cmd) {
        int i = cmd.statsIndex;
        if (i < 0) return;
        if (i >= calls.length) grow(i);
        rejected[i]++;
    }

    private void grow(int i) {
        int n = Math.max(i + 1, calls.length * 2 + 16);
        usec = Arrays.copyOf(usec, n);
        failed = Arrays.copyOf(failed, n);
        rejected = Arrays.copyOf(rejected, n);
        // calls last: readers check its length before reading the others.
        calls = Arrays.copyOf(calls, n);
    }

    static long at(long[] a, int i) {
        return i >= 0 && i < a.length ? a[i] : 0;
    }
}
