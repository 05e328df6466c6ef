package io.larder.family;

import io.larder.store.Database;
import io.larder.store.ExecutionGate;
import io.larder.store.KeyHash;
import io.larder.store.Keyspace;
import io.larder.store.Lookup;
import io.larder.store.StoredValue;
import io.larder.store.ValueType;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import java.nio.charset.StandardCharsets;

/**
 * Values of the collection types, for testing what string and generic key
 * commands do with them (WRONGTYPE, TYPE, RENAME, COPY, SCAN TYPE ...)
 * without depending on the collection families: Redis gets a real one-element
 * collection, Larder an opaque value of the same type planted in its
 * keyspace, reporting the encoding Redis 7.0 uses for a small one.
 */
final class ForeignValues {
    private ForeignValues() {}

    /** An opaque collection value: only its type and encoding are visible. */
    static final class Opaque extends StoredValue {
        private final int type;

        Opaque(int type) {
            this.type = type;
        }

        @Override
        public int type() {
            return type;
        }

        @Override
        public String encoding() {
            return switch (type) {
                case ValueType.LIST -> "quicklist";
                case ValueType.SET -> "hashtable";
                case ValueType.ZSET -> "listpack";
                case ValueType.HASH -> "listpack";
                default -> "stream";
            };
        }

        @Override
        public long memoryUsage() {
            return 64;
        }

        @Override
        public StoredValue copy() {
            Opaque o = new Opaque(type);
            o.setExpireAt(expireAt());
            return o;
        }
    }

    /** Creates a one-element value of the type under key in database db of both servers. */
    static void plant(LarderTestServer larder, RedisOracle oracle, int db, String key, int type) {
        try (RespClient redis = oracle.client()) {
            redis.call("SELECT", String.valueOf(db));
            Object r = switch (type) {
                case ValueType.LIST -> redis.call("RPUSH", key, "x");
                case ValueType.SET -> redis.call("SADD", key, "x");
                case ValueType.ZSET -> redis.call("ZADD", key, "1", "x");
                case ValueType.HASH -> redis.call("HSET", key, "f", "v");
                default -> redis.call("XADD", key, "1-1", "f", "v");
            };
            if (r instanceof RespClient.Error e) throw new AssertionError(e.message());
        }
        Keyspace ks = larder.server().keyspace();
        byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
        ExecutionGate.Worker w = ks.gate.register("test-plant");
        ks.gate.enter(w);
        try {
            int stripe = ks.segmentOf(KeyHash.hash(k), k, 0, k.length);
            ks.locks.lock(stripe);
            try {
                Database d = ks.db(db);
                Lookup l = new Lookup();
                if (d.find(l, k, System.currentTimeMillis()) != null) throw new AssertionError(key + " exists");
                Opaque o = new Opaque(type);
                o.init(k, StoredValue.NO_EXPIRE, Keyspace.lruClock(System.currentTimeMillis()));
                d.insert(l, o);
            } finally {
                ks.locks.unlock(stripe);
            }
        } finally {
            ks.gate.exit(w);
            ks.gate.unregister(w);
        }
    }
}
