package io.larder.persist;

/**
 * The numbers of the RDB format: version, opcodes and value types (Redis's
 * rdb.h). Larder writes version 10, as Redis 7.0 does, and reads every
 * version from 1 to 10.
 */
public final class Rdb {
    private Rdb() {}

    public static final int VERSION = 10;

    // Length encodings (the top two bits of the first byte).
    static final int LEN_6BIT = 0, LEN_14BIT = 1, LEN_32BIT = 0x80, LEN_64BIT = 0x81, ENCVAL = 3;
    // Special string encodings (after ENCVAL).
    static final int ENC_INT8 = 0, ENC_INT16 = 1, ENC_INT32 = 2, ENC_LZF = 3;

    // Value types.
    public static final int TYPE_STRING = 0;
    public static final int TYPE_LIST = 1;
    public static final int TYPE_SET = 2;
    public static final int TYPE_ZSET = 3;
    public static final int TYPE_HASH = 4;
    public static final int TYPE_ZSET_2 = 5;
    public static final int TYPE_MODULE = 6;
    public static final int TYPE_MODULE_2 = 7;
    public static final int TYPE_HASH_ZIPMAP = 9;
    public static final int TYPE_LIST_ZIPLIST = 10;
    public static final int TYPE_SET_INTSET = 11;
    public static final int TYPE_ZSET_ZIPLIST = 12;
    public static final int TYPE_HASH_ZIPLIST = 13;
    public static final int TYPE_LIST_QUICKLIST = 14;
    public static final int TYPE_STREAM_LISTPACKS = 15;
    public static final int TYPE_HASH_LISTPACK = 16;
    public static final int TYPE_ZSET_LISTPACK = 17;
    public static final int TYPE_LIST_QUICKLIST_2 = 18;
    public static final int TYPE_STREAM_LISTPACKS_2 = 19;

    /** rdbIsObjectType: the value types Redis 7.0 knows. */
    public static boolean isObjectType(int t) {
        return (t >= 0 && t <= 7) || (t >= 9 && t <= 19);
    }

    // Opcodes.
    public static final int OPCODE_FUNCTION2 = 245;
    public static final int OPCODE_FUNCTION_PRE_GA = 246;
    public static final int OPCODE_MODULE_AUX = 247;
    public static final int OPCODE_IDLE = 248;
    public static final int OPCODE_FREQ = 249;
    public static final int OPCODE_AUX = 250;
    public static final int OPCODE_RESIZEDB = 251;
    public static final int OPCODE_EXPIRETIME_MS = 252;
    public static final int OPCODE_EXPIRETIME = 253;
    public static final int OPCODE_SELECTDB = 254;
    public static final int OPCODE_EOF = 255;

    /** Quicklist node containers in RDB_TYPE_LIST_QUICKLIST_2. */
    public static final int QUICKLIST_PLAIN = 1, QUICKLIST_PACKED = 2;

    /** The name redis-check-rdb prints for a value type. */
    public static String typeName(int t) {
        return switch (t) {
            case TYPE_STRING -> "string";
            case TYPE_LIST -> "list-linked";
            case TYPE_SET -> "set-hashtable";
            case TYPE_ZSET -> "zset-v1";
            case TYPE_HASH -> "hash-hashtable";
            case TYPE_ZSET_2 -> "zset-v2";
            case TYPE_MODULE -> "module-pre-release";
            case TYPE_MODULE_2 -> "module-value";
            case TYPE_HASH_ZIPMAP -> "hash-zipmap";
            case TYPE_LIST_ZIPLIST -> "list-ziplist";
            case TYPE_SET_INTSET -> "set-intset";
            case TYPE_ZSET_ZIPLIST -> "zset-ziplist";
            case TYPE_HASH_ZIPLIST -> "hash-ziplist";
            case TYPE_LIST_QUICKLIST -> "quicklist";
            case TYPE_STREAM_LISTPACKS -> "stream";
            case TYPE_HASH_LISTPACK -> "hash-listpack";
            case TYPE_ZSET_LISTPACK -> "zset-listpack";
            case TYPE_LIST_QUICKLIST_2 -> "quicklist-v2";
            case TYPE_STREAM_LISTPACKS_2 -> "stream-v2";
            default -> "unknown";
        };
    }
}
