package io.larder.persist;

import io.larder.family.Strings;
import io.larder.store.Entries;
import io.larder.store.Keyspace;
import io.larder.store.Lfu;
import io.larder.store.StoredValue;

/**
 * One key's record in an RDB file (rdbSaveKeyValuePair): optional expiry,
 * optional LRU idle time or LFU counter, the type, the key, the value; and
 * the reverse, building a keyspace entry from what the loader read
 * (including objectSetLRUOrLFU).
 */
public final class KeyRecords {
    private KeyRecords() {}

    /** Redis's LRU_CLOCK_MAX. */
    static final int LRU_CLOCK_MAX = (1 << 24) - 1;

    /** How records are written: the maxmemory-policy decides whether LRU or LFU data goes with each key. */
    public record SaveOptions(boolean saveLru, boolean saveLfu, int lfuDecayTime, long keySaveDelayMicros) {
        public static SaveOptions from(io.larder.config.Config c) {
            String policy = c.get("maxmemory-policy");
            return new SaveOptions(policy.endsWith("-lru"), policy.endsWith("-lfu"), c.getInt("lfu-decay-time"),
                    c.getLong("rdb-key-save-delay"));
        }
    }

    /** Writes one key's record. {@code key} may be null for a blob (its key is read from it). */
    public static void write(RdbOutput out, Object entry, SaveOptions o, long nowMs) {
        long exp = Entries.expireAt(entry);
        if (exp != StoredValue.NO_EXPIRE) {
            out.writeByte(Rdb.OPCODE_EXPIRETIME_MS);
            out.writeMillis(exp);
        }
        if (o.saveLru()) {
            out.writeByte(Rdb.OPCODE_IDLE);
            out.writeLen(idleSeconds(Entries.lru(entry), nowMs));
        }
        if (o.saveLfu()) {
            out.writeByte(Rdb.OPCODE_FREQ);
            out.writeByte(Lfu.counter(Entries.lru(entry), nowMs, o.lfuDecayTime()));
        }
        RdbTypeCodec c = RdbCodecs.of(entry);
        out.writeByte(c.rdbType(entry));
        if (entry instanceof byte[] b) {
            int ko = io.larder.store.StringBlob.keyOffset(b);
            out.writeString(b, ko, io.larder.store.StringBlob.keyLength(b));
        } else {
            out.writeString(((StoredValue) entry).key());
        }
        c.write(out, entry);
    }

    /** estimateObjectIdleTime in seconds, from the entry's 24-bit clock. */
    static long idleSeconds(int lru, long nowMs) {
        long clock = Keyspace.lruClock(nowMs);
        return clock >= lru ? clock - lru : clock + (LRU_CLOCK_MAX - lru);
    }

    /**
     * The keyspace entry for a loaded value (a StoredValue from a codec, or a
     * string's bytes), with its key, expiry and clock. The clock is a new
     * value's (LRU now, or the initial LFU counter), unless the record gave
     * an LFU frequency (used under an LFU policy) or an LRU idle time (used
     * otherwise), as Redis's objectSetLRUOrLFU.
     */
    public static Object entry(Keyspace ks, byte[] key, Object value, long expireAt, long nowMs, int lfuFreq,
            long lruIdle) {
        int clock = ks.newEntryClock(nowMs);
        if (ks.lfu()) {
            if (lfuFreq >= 0) clock = Lfu.withCounter(nowMs, lfuFreq);
        } else if (lruIdle >= 0) {
            long now = Keyspace.lruClock(nowMs);
            long abs = now - lruIdle;
            if (abs < 0) abs = (now + LRU_CLOCK_MAX / 2) % LRU_CLOCK_MAX;
            clock = (int) abs;
        }
        if (value instanceof byte[] v) {
            return Strings.entry(key, 0, key.length, v, 0, v.length, expireAt, Strings.encodedForm(ks, v, 0, v.length),
                    clock);
        }
        StoredValue sv = (StoredValue) value;
        sv.init(key, expireAt, clock);
        return sv;
    }
}
