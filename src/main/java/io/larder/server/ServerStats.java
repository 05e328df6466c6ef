package io.larder.server;

import java.util.Map;
import java.util.TreeMap;
import io.larder.command.CommandSpec;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters behind INFO stats, commandstats and errorstats. Counters bumped
 * for every request live in each worker thread's {@link ThreadStats} and are
 * summed here; rarer events use LongAdders. CONFIG RESETSTAT records the
 * current sums as a baseline instead of racing the writers.
 */
public final class ServerStats {
    private final CopyOnWriteArrayList<ThreadStats> threads = new CopyOnWriteArrayList<>();
    private final FastThreadLocal<ThreadStats> local = new FastThreadLocal<>() {
        @Override
        protected ThreadStats initialValue() {
            ThreadStats t = new ThreadStats();
            threads.add(t);
            return t;
        }
    };
    // Baselines taken by CONFIG RESETSTAT.
    private volatile long baseCommands, baseNetInput, baseNetOutput, baseHits, baseMisses;
    private volatile long[][] baseCommand = new long[4][0];

    public final LongAdder connectionsReceived = new LongAdder();
    public final LongAdder rejectedConnections = new LongAdder();
    public final LongAdder expiredKeys = new LongAdder();
    public final LongAdder expiredStaleSamples = new LongAdder();
    public final LongAdder evictedKeys = new LongAdder();
    public final LongAdder evictedClients = new LongAdder();
    public final LongAdder totalErrorReplies = new LongAdder();
    public final LongAdder unexpectedErrorReplies = new LongAdder();
    /** Changes to the data set since start (Redis's server.dirty; rdb_changes_since_last_save). */
    public long dirty() {
        return sum(t -> t.dirty);
    }
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    // Instantaneous metrics, sampled by the server cron.
    private static final int SAMPLES = 16;
    private final long[][] samples = new long[3][SAMPLES];
    private final long[] lastValue = new long[3];
    private long lastSampleMs;
    private int sampleIdx;

    private long sum(java.util.function.ToLongFunction<ThreadStats> f) {
        long n = 0;
        for (ThreadStats t : threads) n += f.applyAsLong(t);
        return n;
    }

    /** The calling thread's counters (workers keep a reference in their CommandContext). */
    public ThreadStats local() {
        return local.get();
    }

    private volatile long baseReads, baseWrites;

    public long readsProcessed() {
        return sum(t -> t.readsProcessed) - baseReads;
    }

    public long writesProcessed() {
        return sum(t -> t.writesProcessed) - baseWrites;
    }

    public long commands() {
        return sum(t -> t.commands) - baseCommands;
    }

    public long netInput() {
        return sum(t -> t.netInput) - baseNetInput;
    }

    public long netOutput() {
        return sum(t -> t.netOutput) - baseNetOutput;
    }

    public long keyspaceHits() {
        return sum(t -> t.keyspaceHits) - baseHits;
    }

    public long keyspaceMisses() {
        return sum(t -> t.keyspaceMisses) - baseMisses;
    }

    private long commandSum(int which, CommandSpec c) {
        int i = c.statsIndex;
        long n = 0;
        for (ThreadStats t : threads) {
            long[] a = switch (which) {
                case 0 -> t.calls;
                case 1 -> t.usec;
                case 2 -> t.failed;
                default -> t.rejected;
            };
            n += ThreadStats.at(a, i);
        }
        return n - ThreadStats.at(baseCommand[which], i);
    }

    public long calls(CommandSpec c) {
        return commandSum(0, c);
    }

    public long usec(CommandSpec c) {
        return commandSum(1, c);
    }

    public long failedCalls(CommandSpec c) {
        return commandSum(2, c);
    }

    public long rejectedCalls(CommandSpec c) {
        return commandSum(3, c);
    }

    /** CONFIG RESETSTAT of INFO commandstats. */
    public void resetCommandStats(int commandCount) {
        long[][] base = new long[4][commandCount];
        for (ThreadStats t : threads) {
            long[][] src = {t.calls, t.usec, t.failed, t.rejected};
            for (int w = 0; w < 4; w++) {
                for (int i = 0; i < Math.min(commandCount, src[w].length); i++) base[w][i] += src[w][i];
            }
        }
        baseCommand = base;
    }

    /** Counts an error reply under its code (the first word), as INFO errorstats shows. */
    public void recordError(String message) {
        totalErrorReplies.increment();
        int sp = message.indexOf(' ');
        // Redis looks for the space within the first 32 bytes of "-CODE ...".
        String code = (sp > 0 && sp <= 30) ? message.substring(0, sp) : "ERR";
        // Redis 7.0 keeps every distinct code (the 128-code cap came with 7.2).
        LongAdder a = errors.get(code);
        if (a == null) a = errors.computeIfAbsent(code, k -> new LongAdder());
        a.increment();
    }

    public Map<String, Long> errorCounts() {
        Map<String, Long> m = new TreeMap<>();
        for (Map.Entry<String, LongAdder> e : errors.entrySet()) m.put(e.getKey(), e.getValue().sum());
        return m;
    }

    public void resetErrors() {
        errors.clear();
        totalErrorReplies.reset();
    }

    /** Called by the cron: records the rate of commands and network bytes. */
    synchronized void sample(long nowMs) {
        long[] cur = {commands(), netInput(), netOutput()};
        if (lastSampleMs != 0) {
            long dt = Math.max(1, nowMs - lastSampleMs);
            for (int k = 0; k < 3; k++) samples[k][sampleIdx] = (cur[k] - lastValue[k]) * 1000 / dt;
            sampleIdx = (sampleIdx + 1) % SAMPLES;
        }
        System.arraycopy(cur, 0, lastValue, 0, 3);
        lastSampleMs = nowMs;
    }

    private synchronized long average(int k) {
        long s = 0;
        for (long v : samples[k]) s += v;
        return s / SAMPLES;
    }

    public long instantaneousOps() {
        return average(0);
    }

    public double instantaneousInputKbps() {
        return average(1) / 1024.0;
    }

    public double instantaneousOutputKbps() {
        return average(2) / 1024.0;
    }

    public void reset() {
        baseCommands += commands();
        connectionsReceived.reset();
        rejectedConnections.reset();
        baseNetInput += netInput();
        baseNetOutput += netOutput();
        baseHits += keyspaceHits();
        baseMisses += keyspaceMisses();
        expiredKeys.reset();
        expiredStaleSamples.reset();
        evictedKeys.reset();
        evictedClients.reset();
        unexpectedErrorReplies.reset();
        baseReads += readsProcessed();
        baseWrites += writesProcessed();
        synchronized (this) {
            for (long[] k : samples) java.util.Arrays.fill(k, 0);
        }
        resetErrors();
    }
}
