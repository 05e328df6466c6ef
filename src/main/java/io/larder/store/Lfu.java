package io.larder.store;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Redis's LFU access counter (evict.c), kept in the same 24 bits as the LRU
 * clock when an LFU maxmemory-policy is selected: the high 16 bits are the
 * time of the last decrement in minutes, the low 8 bits a logarithmic
 * counter. Exactly Redis's arithmetic, so OBJECT FREQ answers as Redis does
 * (deterministically with lfu-log-factor 0).
 */
public final class Lfu {
    private Lfu() {}

    /** Redis's LFU_INIT_VAL: new keys start here so they are not evicted at once. */
    public static final int INIT_VAL = 5;

    static int minutes(long nowMs) {
        return (int) ((nowMs / 1000 / 60) & 65535);
    }

    /** The clock field of a newly created value. */
    public static int initial(long nowMs) {
        return (minutes(nowMs) << 8) | INIT_VAL;
    }

    private static long elapsed(int ldt, long nowMs) {
        int now = minutes(nowMs);
        if (now >= ldt) return now - ldt;
        return 65535 - ldt + now;
    }

    /** A clock field holding {@code counter} as of now (RDB FREQ, RESTORE FREQ: objectSetLRUOrLFU). */
    public static int withCounter(long nowMs, int counter) {
        return (minutes(nowMs) << 8) | (counter & 255);
    }

    /** LFUDecrAndReturn: the counter after the decay owed since its last decrement. */
    public static int counter(int field, long nowMs, int decayTime) {
        int ldt = field >>> 8;
        int counter = field & 255;
        long periods = decayTime != 0 ? elapsed(ldt, nowMs) / decayTime : 0;
        if (periods != 0) counter = periods > counter ? 0 : (int) (counter - periods);
        return counter;
    }

    /** updateLFU: decay, then a logarithmic increment; returns the new clock field. */
    public static int touch(int field, long nowMs, int logFactor, int decayTime) {
        int counter = counter(field, nowMs, decayTime);
        if (counter != 255) {
            double r = ThreadLocalRandom.current().nextDouble();
            double base = Math.max(0, counter - INIT_VAL);
            double p = 1.0 / (base * logFactor + 1);
            if (r < p) counter++;
        }
        return (minutes(nowMs) << 8) | counter;
    }
}
