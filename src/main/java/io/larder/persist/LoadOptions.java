package io.larder.persist;

import io.larder.config.Config;

/**
 * The configuration that decides how loaded values are encoded, read once
 * per load (or RESTORE): Redis converts a loaded value to the encoding its
 * current thresholds give, so OBJECT ENCODING after a load matches Redis.
 */
public record LoadOptions(long hashMaxListpackEntries, long hashMaxListpackValue, long setMaxIntsetEntries,
        int listFill, long zsetMaxListpackEntries, long zsetMaxListpackValue, Config config) {

    public static LoadOptions from(Config c) {
        return new LoadOptions(c.getLong("hash-max-listpack-entries"), c.getLong("hash-max-listpack-value"),
                c.getLong("set-max-intset-entries"), c.getInt("list-max-listpack-size"),
                c.getLong("zset-max-listpack-entries"), c.getLong("zset-max-listpack-value"), c);
    }
}
