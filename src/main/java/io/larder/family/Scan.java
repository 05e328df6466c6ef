package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.Errors;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.store.ScanCursor;
import io.larder.store.ValueType;
import io.larder.util.Glob;
import io.larder.util.Numbers;
import java.util.List;

/**
 * What SCAN, HSCAN, SSCAN and ZSCAN share (Redis's scanGenericCommand):
 * cursor parsing, the COUNT/MATCH/TYPE options and the reply. Cursor
 * positions themselves are defined by {@link ScanCursor}.
 */
final class Scan {
    private Scan() {}

    /** COUNT (a hint: how many elements to visit), MATCH pattern (null: all), TYPE (-2: any). */
    record Options(int count, byte[] pattern, int type) {
        static final int ANY_TYPE = -2;

        /** The MATCH filter, applied after collection as in Redis. */
        boolean matches(byte[] s, int off, int len) {
            return pattern == null || Glob.match(pattern, 0, pattern.length, s, off, len, false);
        }

        boolean typeMatches(int t) {
            return type == ANY_TYPE || type == t;
        }
    }

    /** The cursor argument, or Redis's "invalid cursor". */
    static long cursor(CommandContext c, int i) {
        Args a = c.args();
        try {
            return ScanCursor.parse(a.buf(), a.off(i), a.len(i));
        } catch (Numbers.Invalid e) {
            throw Errors.INVALID_CURSOR;
        }
    }

    /** Parses the options from argument {@code first} on; TYPE only for SCAN itself. */
    static Options options(CommandContext c, int first, boolean allowType) {
        Args a = c.args();
        long count = 10;
        byte[] pattern = null;
        int type = Options.ANY_TYPE;
        for (int i = first; i < a.count(); ) {
            int left = a.count() - i;
            if (a.is(i, "COUNT") && left >= 2) {
                count = c.longArg(i + 1);
                if (count < 1) throw Errors.SYNTAX;
                i += 2;
            } else if (a.is(i, "MATCH") && left >= 2) {
                byte[] p = a.bytes(i + 1);
                // "*" matches everything: skip the pattern altogether.
                pattern = p.length == 1 && p[0] == '*' ? null : p;
                i += 2;
            } else if (allowType && a.is(i, "TYPE") && left >= 2) {
                type = typeByName(a.bytes(i + 1));
                i += 2;
            } else {
                throw Errors.SYNTAX;
            }
        }
        return new Options((int) Math.min(count, Integer.MAX_VALUE), pattern, type);
    }

    /**
     * The type a TYPE argument names, compared as Redis's strcasecmp with
     * getObjectTypeName (the name ends at a NUL byte). An unknown name
     * matches no key (-1); Redis 7.0 does not reject it.
     */
    private static int typeByName(byte[] name) {
        int n = 0;
        while (n < name.length && name[n] != 0) n++;
        String s = new String(name, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
        return ValueType.fromName(s);
    }

    /** The two-element reply: the next cursor as a bulk string, then the elements. */
    static void reply(CommandContext c, long cursor, List<byte[]> items) {
        Reply r = c.reply();
        r.array(2);
        r.bulkLong(cursor);
        r.array(items.size());
        for (byte[] k : items) r.bulk(k);
    }
}
