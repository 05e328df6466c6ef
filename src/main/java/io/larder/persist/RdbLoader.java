package io.larder.persist;

import java.nio.charset.StandardCharsets;

/**
 * Reads a whole RDB file (rdbLoadRioWithLoadingCtx): header and version,
 * then opcodes and keys until EOF, then the checksum. What it finds goes to
 * a {@link Sink}: the keyspace loader, --check-rdb, or (later) the AOF
 * loader for an RDB preamble. Any problem is an {@link RdbException} with
 * the offset where it was found; the input is left just after the checksum.
 */
public final class RdbLoader {
    private RdbLoader() {}

    /** What a loaded file contains, in file order. */
    public interface Sink {
        /** An aux field; offset is where the record ends. */
        default void aux(byte[] key, byte[] value, long offset) {}

        /** SELECTDB; offset is where the record ends. */
        default void selectDb(int db, long offset) {}

        /** RESIZEDB: how many keys (and keys with an expiry) the database is about to receive. */
        default void resizeDb(int db, long size, long expires) {}

        /**
         * A function library's code (FUNCTION2, or a pre-GA FUNCTION opcode
         * converted to that form). Throws RdbException when it cannot be
         * loaded.
         */
        void function(byte[] code, RdbInput in);

        /**
         * One key: its value (a StoredValue without key, or a string's bytes),
         * its expiry (or StoredValue.NO_EXPIRE), and the LFU counter (-1 if
         * none) or LRU idle seconds (-1 if none) saved with it.
         */
        void key(int db, byte[] key, Object value, long expireAt, int lfuFreq, long lruIdle, RdbInput in);
    }

    /** What the loader read besides keys. */
    public record Result(int version, boolean checksumVerified, boolean checksumDisabled, long emptyKeysSkipped) {}

    /**
     * Loads everything from {@code in} into {@code sink}. Databases beyond
     * {@code databases} are an error, as in Redis (which exits).
     * {@code verifyChecksum}: rdbchecksum.
     */
    public static Result load(RdbInput in, Sink sink, LoadOptions opts, int databases, boolean verifyChecksum) {
        in.doing = "start";
        byte[] magic = new byte[9];
        try {
            in.readFully(magic, 0, 9);
        } catch (RdbException e) {
            throw e;
        }
        String m = new String(magic, StandardCharsets.ISO_8859_1);
        if (!m.startsWith("REDIS")) throw new RdbException("Wrong signature trying to load DB from file", 0);
        int version = atoi(m.substring(5));
        if (version < 1 || version > Rdb.VERSION) {
            throw new RdbException("Can't handle RDB format version " + version, 5);
        }
        int db = 0;
        long expireAt = io.larder.store.StoredValue.NO_EXPIRE;
        int lfuFreq = -1;
        long lruIdle = -1;
        long emptySkipped = 0;
        while (true) {
            in.doing = "read-type";
            int type = in.readByte();
            switch (type) {
                case Rdb.OPCODE_EXPIRETIME -> {
                    in.doing = "read-expire";
                    expireAt = (long) in.readIntLE() * 1000;
                    continue;
                }
                case Rdb.OPCODE_EXPIRETIME_MS -> {
                    in.doing = "read-expire";
                    expireAt = in.readMillis();
                    continue;
                }
                case Rdb.OPCODE_FREQ -> {
                    lfuFreq = in.readByte();
                    continue;
                }
                case Rdb.OPCODE_IDLE -> {
                    lruIdle = in.readLen();
                    continue;
                }
                case Rdb.OPCODE_EOF -> { }
                case Rdb.OPCODE_SELECTDB -> {
                    long at = in.position() - 1;
                    long id = in.readLen();
                    if (id >= databases) {
                        throw new RdbException("FATAL: Data file was created with a Redis server configured to handle "
                                + "more than " + databases + " databases. Exiting", at);
                    }
                    db = (int) id;
                    sink.selectDb(db, in.position());
                    continue;
                }
                case Rdb.OPCODE_RESIZEDB -> {
                    // Only a hint: never trusted beyond what the rest of the file could hold.
                    long size = Math.min(in.readLen(), in.remaining() / 3);
                    long expires = Math.min(in.readLen(), size);
                    sink.resizeDb(db, size, expires);
                    continue;
                }
                case Rdb.OPCODE_AUX -> {
                    in.doing = "read-aux";
                    byte[] k = in.readString();
                    byte[] v = in.readString();
                    sink.aux(k, v, in.position());
                    continue;
                }
                case Rdb.OPCODE_MODULE_AUX -> {
                    in.doing = "read-module-aux";
                    long id = in.readLen();
                    throw in.corrupt("The RDB file contains AUX module data I can't load: no matching module '"
                            + moduleName(id) + "'");
                }
                case Rdb.OPCODE_FUNCTION_PRE_GA, Rdb.OPCODE_FUNCTION2 -> {
                    in.doing = "read-function";
                    sink.function(readFunction(type, in), in);
                    continue;
                }
                default -> {
                    if (!Rdb.isObjectType(type)) throw in.corrupt("Unknown RDB encoding type " + type);
                    in.doing = "read-key";
                    byte[] key = in.readString();
                    in.key = key;
                    in.type = type;
                    in.doing = "read-object-value";
                    Object value = readValue(type, in, opts, key);
                    if (value == null) emptySkipped++;
                    else sink.key(db, key, value, expireAt, lfuFreq, lruIdle, in);
                    expireAt = io.larder.store.StoredValue.NO_EXPIRE;
                    lfuFreq = -1;
                    lruIdle = -1;
                    continue;
                }
            }
            break;
        }
        boolean verified = false, disabled = false;
        if (version >= 5) {
            in.doing = "check-sum";
            long expected = in.crc();
            long stored = in.readLongLE();
            if (verifyChecksum) {
                if (stored == 0) {
                    disabled = true;
                } else if (stored != expected) {
                    throw new RdbException(String.format("Wrong RDB checksum expected: (%x) but got (%x). RDB CRC error",
                            expected, stored), in.position() - 8);
                } else {
                    verified = true;
                }
            }
        }
        return new Result(version, verified, disabled, emptySkipped);
    }

    /** A value of an RDB type: through its codec; modules are refused. Null for an empty collection. */
    static Object readValue(int type, RdbInput in, LoadOptions opts, byte[] key) {
        if (type == Rdb.TYPE_MODULE || type == Rdb.TYPE_MODULE_2) {
            long id = in.readLen();
            throw in.corrupt("The RDB file contains module data I can't load: no matching module type '"
                    + moduleName(id) + "'");
        }
        RdbTypeCodec c = RdbCodecs.forRdbType(type);
        if (c == null) {
            throw in.corrupt("The RDB file contains values of type " + type + " (" + Rdb.typeName(type)
                    + "), which this server cannot load");
        }
        try {
            return c.read(type, in, opts);
        } catch (IllegalStateException e) {
            // A structure that failed a consistency check deeper down: corruption all the same.
            throw in.corrupt(e.getMessage() == null ? "Corrupt value" : e.getMessage());
        }
    }

    /** rdbFunctionLoad: the library code; the pre-GA format is rebuilt as "#!engine name=...\n" + code. */
    private static byte[] readFunction(int type, RdbInput in) {
        if (type == Rdb.OPCODE_FUNCTION2) return in.readString();
        byte[] name = in.readString();
        byte[] engine = in.readString();
        long hasDesc = in.readLen();
        if (hasDesc != 0) in.readString();
        byte[] blob = in.readString();
        String head = "#!" + new String(engine, StandardCharsets.ISO_8859_1) + " name="
                + new String(name, StandardCharsets.ISO_8859_1) + "\n";
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] code = java.util.Arrays.copyOf(h, h.length + blob.length);
        System.arraycopy(blob, 0, code, h.length, blob.length);
        return code;
    }

    /** moduleTypeNameByID: the 9-character name in the high 54 bits of a module type id. */
    static String moduleName(long id) {
        String cset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        StringBuilder b = new StringBuilder();
        long x = id >>> 10;
        char[] name = new char[9];
        for (int j = 8; j >= 0; j--) {
            name[j] = cset.charAt((int) (x & 63));
            x >>>= 6;
        }
        return b.append(name).toString();
    }

    /** C's atoi: leading digits, 0 if none. */
    private static int atoi(String s) {
        int i = 0, v = 0;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9' && v < 100000) v = v * 10 + (s.charAt(i++) - '0');
        return v;
    }
}
