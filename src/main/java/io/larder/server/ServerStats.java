package io.larder.server;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters behind INFO stats and errorstats. LongAdders, so threads that
 * count at once do not contend on one cache line.
 */
public final class ServerStats {
    public final LongAdder commands = new LongAdder();
    public final LongAdder connectionsReceived = new LongAdder();
    public final LongAdder rejectedConnections = new LongAdder();
    public final LongAdder netInput = new LongAdder();
    public final LongAdder netOutput = new LongAdder();
    public final LongAdder keyspaceHits = new LongAdder();
    public final LongAdder keyspaceMisses = new LongAdder();
    public final LongAdder expiredKeys = new LongAdder();
    public final LongAdder expiredStaleSamples = new LongAdder();
    public final LongAdder evictedKeys = new LongAdder();
    public final LongAdder evictedClients = new LongAdder();
    public final LongAdder totalErrorReplies = new LongAdder();
    public final LongAdder unexpectedErrorReplies = new LongAdder();
    public final LongAdder readsProcessed = new LongAdder();
    public final LongAdder writesProcessed = new LongAdder();
    /** Changes to the data set since start (Redis's server.dirty; rdb_changes_since_last_save). */
    public final LongAdder dirty = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    // Instantaneous metrics, sampled by the server cron.
    private static final int SAMPLES = 16;
    private final long[][] samples = new long[3][SAMPLES];
    private final long[] lastValue = new long[3];
    private long lastSampleMs;
    private int sampleIdx;

    public void commandProcessed() {
        commands.increment();
    }

    public void netInput(long n) {
        netInput.add(n);
    }

    public void netOutput(long n) {
        netOutput.add(n);
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
        long[] cur = {commands.sum(), netInput.sum(), netOutput.sum()};
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
        commands.reset();
        connectionsReceived.reset();
        rejectedConnections.reset();
        netInput.reset();
        netOutput.reset();
        keyspaceHits.reset();
        keyspaceMisses.reset();
        expiredKeys.reset();
        expiredStaleSamples.reset();
        evictedKeys.reset();
        evictedClients.reset();
        unexpectedErrorReplies.reset();
        readsProcessed.reset();
        writesProcessed.reset();
        synchronized (this) {
            for (long[] k : samples) java.util.Arrays.fill(k, 0);
        }
        resetErrors();
    }
}
