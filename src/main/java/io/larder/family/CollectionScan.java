package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.Errors;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.store.ElementTable;
import io.larder.util.Glob;
import java.util.ArrayList;
import java.util.List;

/**
 * HSCAN and SSCAN (and ZSCAN's shape): Redis's parseScanCursorOrReply and
 * scanGenericCommand for one collection. Compact encodings reply with
 * everything at once and cursor 0, as Redis does; the hashtable encoding
 * walks hash ranges of its {@link ElementTable}, the cursor being the next
 * hash position, which gives SCAN's guarantee across resizes.
 */
final class CollectionScan {
    private CollectionScan() {}

    /** Upper bound of hash ranges tried per call when ranges come back sparse (Redis: COUNT*10 buckets). */
    private static final int MAX_RANGES = 16;

    /**
     * Redis's cursor parsing: C's strtoul in base 10 over the whole argument,
     * so "+5", "-1" (2^64-1) and "" (0) are accepted, a leading space or an
     * overflow is not.
     */
    static long parseCursor(Args a, int i) {
        byte[] b = a.buf();
        int p = a.off(i), end = p + a.len(i);
        if (p == end) return 0;
        int c0 = b[p];
        if (c0 == ' ' || (c0 >= '\t' && c0 <= '\r')) throw Errors.INVALID_CURSOR;
        boolean neg = false;
        if (c0 == '+' || c0 == '-') {
            neg = c0 == '-';
            p++;
        }
        if (p == end) throw Errors.INVALID_CURSOR;
        long v = 0;
        for (; p < end; p++) {
            int d = b[p] - '0';
            if (d < 0 || d > 9) throw Errors.INVALID_CURSOR;
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, 10)) > 0) throw Errors.INVALID_CURSOR;
            long next = v * 10 + d;
            if (Long.compareUnsigned(next, v * 10) < 0) throw Errors.INVALID_CURSOR;
            v = next;
        }
        return neg ? -v : v;
    }

    /** COUNT and MATCH, parsed from argument {@code from} on (after the key lookup, as in Redis). */
    static final class Options {
        long count = 10;
        byte[] pattern;
        int patternOff;
        int patternLen;
        boolean matchAll = true;

        boolean matches(byte[] b, int off, int len) {
            return matchAll || Glob.match(pattern, patternOff, patternLen, b, off, len, false);
        }
    }

    static Options options(CommandContext c, int from) {
        Args a = c.args();
        Options o = new Options();
        for (int i = from; i < a.count(); ) {
            int left = a.count() - i;
            if (a.is(i, "COUNT") && left >= 2) {
                o.count = c.longArg(i + 1);
                if (o.count < 1) throw Errors.SYNTAX;
                i += 2;
            } else if (a.is(i, "MATCH") && left >= 2) {
                o.pattern = a.buf();
                o.patternOff = a.off(i + 1);
                o.patternLen = a.len(i + 1);
                o.matchAll = o.patternLen == 1 && o.pattern[o.patternOff] == '*';
                i += 2;
            } else {
                throw Errors.SYNTAX;
            }
        }
        return o;
    }

    /** The reply to a scan of a missing key: cursor 0, no elements. */
    static void emptyReply(Reply r) {
        r.array(2);
        r.bulk(ZERO);
        r.emptyArray();
    }

    static final byte[] ZERO = {'0'};

    /** Starts the reply of a compact encoding: cursor 0, then the caller writes elements and ends the array. */
    static void beginCompact(Reply r) {
        r.array(2);
        r.bulk(ZERO);
        r.beginDeferred();
    }

    /**
     * Scans a hashtable encoding from a cursor and replies. For hashes
     * ({@code pairs}) MATCH applies to the field and the reply holds field
     * and value.
     */
    static void scanTable(Reply r, ElementTable t, long cursor, Options o) {
        List<byte[]> found = new ArrayList<>();
        long next = 0;
        if (cursor >= 0 && cursor < ElementTable.HASH_SPACE) {
            long from = cursor;
            long width = t.hashWidthFor(o.count);
            long[] visited = {0};
            boolean pairs = t.pairs();
            ElementTable.EntryVisitor v = e -> {
                visited[0]++;
                int off = pairs ? ElementTable.fieldOffset(e) : 0;
                int len = pairs ? ElementTable.fieldLength(e) : e.length;
                if (o.matches(e, off, len)) found.add(e);
            };
            int ranges = 0;
            do {
                long to = Math.min(ElementTable.HASH_SPACE, from + width);
                t.scan(from, to, v);
                from = to;
            } while (from < ElementTable.HASH_SPACE && visited[0] < o.count && ++ranges < MAX_RANGES);
            next = from >= ElementTable.HASH_SPACE ? 0 : from;
        }
        r.array(2);
        r.bulkLong(next);
        boolean pairs = t.pairs();
        r.array(pairs ? found.size() * 2L : found.size());
        for (byte[] e : found) {
            if (pairs) {
                int fo = ElementTable.fieldOffset(e);
                int fl = ElementTable.fieldLength(e);
                r.bulk(e, fo, fl);
                r.bulk(e, fo + fl, e.length - fo - fl);
            } else {
                r.bulk(e, 0, e.length);
            }
        }
    }
}
