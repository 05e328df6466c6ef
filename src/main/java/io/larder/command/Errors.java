package io.larder.command;

/** Redis's error texts, in one place so every command answers identically. */
public final class Errors {
    private Errors() {}

    public static final CommandError WRONGTYPE =
            new CommandError("WRONGTYPE Operation against a key holding the wrong kind of value");
    public static final CommandError NOT_INTEGER = new CommandError("ERR value is not an integer or out of range");
    /** Redis's getIntFromObjectOrReply for an integer outside the C int range. */
    public static final CommandError INT_OUT_OF_RANGE =
            new CommandError("ERR value is out of range, value must between -2147483648 and 2147483647");
    public static final CommandError NOT_FLOAT = new CommandError("ERR value is not a valid float");
    public static final CommandError SYNTAX = new CommandError("ERR syntax error");
    public static final CommandError NO_SUCH_KEY = new CommandError("ERR no such key");
    public static final CommandError INDEX_OUT_OF_RANGE = new CommandError("ERR index out of range");
    public static final CommandError OVERFLOW = new CommandError("ERR increment or decrement would overflow");
    public static final CommandError NAN_OR_INF = new CommandError("ERR increment would produce NaN or Infinity");
    public static final CommandError NOAUTH = new CommandError("NOAUTH Authentication required.");
    public static final CommandError WRONGPASS =
            new CommandError("WRONGPASS invalid username-password pair or user is disabled.");
    public static final CommandError DB_INDEX_OUT_OF_RANGE = new CommandError("ERR DB index is out of range");
    public static final CommandError INVALID_DB_INDEX = new CommandError("ERR invalid DB index");
    public static final CommandError INVALID_CURSOR = new CommandError("ERR invalid cursor");
    public static final CommandError TIMEOUT_NOT_FLOAT = new CommandError("ERR timeout is not a float or out of range");
    public static final CommandError TIMEOUT_NEGATIVE = new CommandError("ERR timeout is negative");
    public static final CommandError STRING_TOO_LONG =
            new CommandError("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    public static final CommandError BIT_OFFSET =
            new CommandError("ERR bit offset is not an integer or out of range");
    // Bitmaps and HyperLogLog (bitops.c, hyperloglog.c).
    public static final CommandError BIT_VALUE = new CommandError("ERR bit is not an integer or out of range");
    public static final CommandError BITPOS_BIT = new CommandError("ERR The bit argument must be 1 or 0.");
    public static final CommandError BITOP_NOT_ONE_KEY =
            new CommandError("ERR BITOP NOT must be called with a single source key.");
    public static final CommandError BITFIELD_TYPE = new CommandError(
            "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.");
    public static final CommandError BITFIELD_OVERFLOW = new CommandError("ERR Invalid OVERFLOW type specified");
    public static final CommandError BITFIELD_RO_GET_ONLY =
            new CommandError("ERR BITFIELD_RO only supports the GET subcommand");
    public static final CommandError HLL_WRONGTYPE =
            new CommandError("WRONGTYPE Key is not a valid HyperLogLog string value.");
    public static final CommandError HLL_CORRUPTED = new CommandError("INVALIDOBJ Corrupted HLL object detected");
    public static final CommandError OOM =
            new CommandError("OOM command not allowed when used memory > 'maxmemory'.");
    /** getPositiveLongFromObjectOrReply without a custom message (LPOP/SPOP count ...). */
    public static final CommandError NOT_POSITIVE = new CommandError("ERR value is out of range, must be positive");
    /** LMPOP, ZMPOP and their blocking forms. */
    public static final CommandError NUMKEYS_NOT_POSITIVE = new CommandError("ERR numkeys should be greater than 0");
    public static final CommandError COUNT_NOT_POSITIVE = new CommandError("ERR count should be greater than 0");

    /** getRangeLongFromObjectOrReply's text for a value outside [min, max]. */
    public static CommandError outOfRange(long min, long max) {
        return new CommandError("ERR value is out of range, value must between " + min + " and " + max);
    }

    public static CommandError wrongArgs(String command) {
        return new CommandError("ERR wrong number of arguments for '" + command + "' command");
    }

    public static CommandError invalidExpire(String command) {
        return new CommandError("ERR invalid expire time in '" + command + "' command");
    }

    public static CommandError err(String message) {
        return new CommandError("ERR " + message);
    }

    /** "ERR unknown subcommand 'x'. Try CONFIG HELP." */
    public static CommandError unknownSubcommand(String sub, String container) {
        return new CommandError("ERR unknown subcommand '" + abbreviate(sub) + "'. Try "
                + container.toUpperCase(java.util.Locale.ROOT) + " HELP.");
    }

    /**
     * Redis's addReplySubcommandSyntaxError: a known subcommand with arguments
     * it does not accept ("CLIENT UNBLOCK 1 2 3").
     */
    public static CommandError subcommandSyntax(io.larder.protocol.Args a) {
        String sub = a.str(1);
        if (sub.length() > 128) sub = sub.substring(0, 128);
        return new CommandError("ERR unknown subcommand or wrong number of arguments for '" + sub + "'. Try "
                + a.str(0).toUpperCase(java.util.Locale.ROOT) + " HELP.");
    }

    /** Redis shortens echoed user input in errors to 128 characters. */
    public static String abbreviate(String s) {
        return s.length() > 128 ? s.substring(0, 128) + "..." : s;
    }
}
