package io.larder.store;

/**
 * The maxmemory-policy values: which keys may be evicted (all, or only those
 * with an expiry) and how the victim is chosen. Redis's eight, plus
 * {@link #ALLKEYS_TINYLFU}, Larder's own (see {@link FrequencySketch} and
 * {@link Evictor}).
 */
public enum EvictionPolicy {
    VOLATILE_LRU("volatile-lru", false, Choice.LRU),
    VOLATILE_LFU("volatile-lfu", false, Choice.LFU),
    VOLATILE_RANDOM("volatile-random", false, Choice.RANDOM),
    VOLATILE_TTL("volatile-ttl", false, Choice.TTL),
    ALLKEYS_LRU("allkeys-lru", true, Choice.LRU),
    ALLKEYS_LFU("allkeys-lfu", true, Choice.LFU),
    ALLKEYS_RANDOM("allkeys-random", true, Choice.RANDOM),
    NOEVICTION("noeviction", true, Choice.NONE),
    ALLKEYS_TINYLFU("allkeys-tinylfu", true, Choice.TINYLFU);

    /** How a victim is chosen among the candidates. */
    public enum Choice { NONE, LRU, LFU, RANDOM, TTL, TINYLFU }

    public final String configName;
    /** Every key is a candidate; otherwise only keys with an expiry. */
    public final boolean allKeys;
    public final Choice choice;

    EvictionPolicy(String configName, boolean allKeys, Choice choice) {
        this.configName = configName;
        this.allKeys = allKeys;
        this.choice = choice;
    }

    /** The policy of a maxmemory-policy value (as CONFIG stores it: lower case). */
    public static EvictionPolicy of(String configName) {
        for (EvictionPolicy p : values()) {
            if (p.configName.equals(configName)) return p;
        }
        throw new IllegalArgumentException(configName);
    }

    /** Entries carry Redis's LFU counter instead of the LRU clock (OBJECT FREQ works, IDLETIME does not). */
    public boolean lfuCounters() {
        return choice == Choice.LFU;
    }

    /** Victims come from the eviction pool (Redis's approximated LRU, LFU and TTL). */
    boolean usesPool() {
        return choice == Choice.LRU || choice == Choice.LFU || choice == Choice.TTL || choice == Choice.TINYLFU;
    }
}
