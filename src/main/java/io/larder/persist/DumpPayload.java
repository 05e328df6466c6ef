package io.larder.persist;

/**
 * DUMP's serialization format: the value as RDB writes it (type byte and
 * payload), then the RDB version (2 bytes, little endian) and the CRC-64 of
 * everything before (8 bytes, little endian). Values move between Larder
 * and Redis in this form (DUMP, RESTORE, MIGRATE); FUNCTION DUMP uses the
 * same footer around function opcodes.
 */
public final class DumpPayload {
    private DumpPayload() {}

    /** Bytes of the footer: version and checksum. */
    public static final int FOOTER = 10;

    /** createDumpPayload for a keyspace entry. */
    public static byte[] create(Object entry, boolean compress) {
        RdbOutput out = new RdbOutput(compress);
        RdbCodecs.writeValue(out, entry);
        return seal(out);
    }

    /** Appends the footer to a body written into {@code out} and returns the whole payload. */
    public static byte[] seal(RdbOutput out) {
        out.writeByte(Rdb.VERSION & 0xFF);
        out.writeByte((Rdb.VERSION >>> 8) & 0xFF);
        long crc = Crc64.of(out.buffer(), 0, out.size());
        out.writeLongLE(crc);
        return out.toByteArray();
    }

    /**
     * verifyDumpPayload: long enough, a version this server reads, and a
     * matching checksum (unless {@code skipChecksum}, Redis's
     * skip_checksum_validation).
     */
    public static boolean verify(byte[] p, int off, int len, boolean skipChecksum) {
        if (len < FOOTER) return false;
        int footer = off + len - FOOTER;
        int version = (p[footer] & 0xFF) | (p[footer + 1] & 0xFF) << 8;
        if (version > Rdb.VERSION) return false;
        if (skipChecksum) return true;
        long crc = Crc64.of(p, off, len - 8);
        long stored = 0;
        for (int i = 0; i < 8; i++) stored |= (long) (p[footer + 2 + i] & 0xFF) << (8 * i);
        return crc == stored;
    }

    /**
     * Reads the value of a verified payload: a StoredValue (without key),
     * a string's bytes, or throws {@link RdbException} (Redis's "Bad data
     * format": an unknown type, a corrupt or empty value).
     */
    public static Object read(byte[] p, int off, int len, LoadOptions opts) {
        RdbInput in = new RdbInput(p, off, len - FOOTER);
        int type = in.readByte();
        RdbTypeCodec c = Rdb.isObjectType(type) ? RdbCodecs.forRdbType(type) : null;
        if (c == null) throw in.corrupt("Unknown RDB encoding type " + type);
        Object v = c.read(type, in, opts);
        if (v == null) throw in.corrupt("Empty value");
        return v;
    }
}
