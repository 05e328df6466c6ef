package io.larder.persist;

/**
 * Reads and writes the values of one Redis type in the RDB format: the
 * extension point for data types. A new type implements this (see
 * {@link HashCodec} for an example) and adds one line to
 * {@link RdbCodecs#ALL}; SAVE, BGSAVE, loading, DUMP, RESTORE, DEBUG RELOAD
 * and --check-rdb then handle it, because they all go through here.
 *
 * <p>Writing must not change the value (it may run on the snapshot thread
 * for a value captured earlier) and reading must validate everything it
 * builds from: a corrupt payload is refused with {@link RdbInput#corrupt},
 * never turned into a value that fails later.
 */
public interface RdbTypeCodec {
    /** The {@link io.larder.store.ValueType} code of the values this codec writes. */
    int valueType();

    /** The RDB value types this codec reads: the one it writes and older encodings. */
    int[] rdbTypes();

    /**
     * The RDB type byte for a keyspace entry's value in its current encoding
     * (rdbSaveObjectType). {@code entry} is a {@link io.larder.store.StoredValue}
     * of this codec's type, or a {@link io.larder.store.StringBlob} array for
     * strings.
     */
    int rdbType(Object entry);

    /** Writes the value's payload (rdbSaveObject), in the encoding {@link #rdbType} named. */
    void write(RdbOutput out, Object entry);

    /**
     * Reads a payload of one of {@link #rdbTypes()}: returns a new
     * {@link io.larder.store.StoredValue} (without key, expiry or clock; the
     * loader sets those), the bytes of a string value, or null for an empty
     * collection, which Redis skips when loading.
     */
    Object read(int rdbType, RdbInput in, LoadOptions opts);
}
