package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.Errors;

/**
 * Redis's getRangeLongFromObjectOrReply without a custom message, as
 * SRANDMEMBER, HRANDFIELD (and ZRANDMEMBER) parse their counts.
 */
final class CountArgs {
    private CountArgs() {}

    /** getRangeLongFromObjectOrReply with Redis's own messages. */
    static long inRange(CommandContext c, int i, long min, long max) {
        long v = c.longArg(i);
        if (v < min || v > max) throw Errors.outOfRange(min, max);
        return v;
    }
}
