package io.larder.script;

/**
 * Raised by a Java function called from Lua: the Lua error it stands for.
 * {@link Lua} turns it into a real Lua error in the calling script (a Java
 * frame cannot longjmp). The value is either a message, raised as a string
 * exactly as given (position included by the thrower, as luaL_error does), or
 * a Redis error table ({@code {err="CODE message"}}, redis.call's errors).
 */
public final class LuaError extends RuntimeException {
    final String message;
    /** For Redis error tables: the "err" field; null for plain string errors. */
    final String tableError;
    /** Redis's ignore_error_stats_update field of the error table (already counted). */
    final boolean statsCounted;

    private LuaError(String message, String tableError, boolean statsCounted) {
        super(message != null ? message : tableError, null, false, false);
        this.message = message;
        this.tableError = tableError;
        this.statsCounted = statsCounted;
    }

    /** A string error, raised as is. */
    public static LuaError message(String message) {
        return new LuaError(message, null, false);
    }

    /** A Redis error table {err = "CODE message"}. */
    public static LuaError table(String err, boolean statsCounted) {
        return new LuaError(null, err, statsCounted);
    }
}
