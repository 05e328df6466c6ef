package io.larder.store;

/** Value types, numbered as Redis numbers them (OBJ_STRING ... OBJ_STREAM). */
public final class ValueType {
    private ValueType() {}

    public static final int STRING = 0;
    public static final int LIST = 1;
    public static final int SET = 2;
    public static final int ZSET = 3;
    public static final int HASH = 4;
    public static final int STREAM = 6;

    /** The name TYPE replies with. */
    public static String name(int type) {
        return switch (type) {
            case STRING -> "string";
            case LIST -> "list";
            case SET -> "set";
            case ZSET -> "zset";
            case HASH -> "hash";
            case STREAM -> "stream";
            default -> "none";
        };
    }

    /** The type for a name as SCAN TYPE takes it, or -1. */
    public static int fromName(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "string" -> STRING;
            case "list" -> LIST;
            case "set" -> SET;
            case "zset" -> ZSET;
            case "hash" -> HASH;
            case "stream" -> STREAM;
            default -> -1;
        };
    }
}
