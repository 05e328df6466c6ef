package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.Errors;

/** Redis's getRangeLongFromObjectOrReply family, as the collection commands parse counts. */
final class CountArgs {
    private CountArgs() {}

    /** getRangeLongFromObjectOrReply with Redis's own messages. */
    static long inRange(CommandContext c, int i, long min, long max) {
        long v = c.longArg(i);
        if (v < min || v > max) throw Errors.outOfRange(min, max);
        return v;
    }

    /** getPositiveLongFromObjectOrReply (0 allowed); Redis's message covers non-integers too. */
    static long positive(CommandContext c, int i) {
        return c.longArg(i, 0, Long.MAX_VALUE, Errors.MUST_BE_POSITIVE);
    }
}
