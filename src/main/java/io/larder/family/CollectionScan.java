package io.larder.family;

import io.larder.protocol.Reply;
import io.larder.store.ElementTable;
import java.util.ArrayList;
import java.util.List;

/**
 * HSCAN and SSCAN: scanGenericCommand for one collection (cursor and options
 * are parsed by {@link Scan}, shared with SCAN). Compact encodings reply with
 * everything at once and cursor 0, as Redis does; the hashtable encoding
 * walks position ranges of its {@link ElementTable}, the cursor being the
 * next position, which gives SCAN's guarantee across resizes.
 */
final class CollectionScan {
    private CollectionScan() {}

    /** Upper bound of hash ranges tried per call when ranges come back sparse (Redis: COUNT*10 buckets). */
    private static final int MAX_RANGES = 16;

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
    static void scanTable(Reply r, ElementTable t, long cursor, Scan.Options o) {
        List<byte[]> found = new ArrayList<>();
        long next = 0;
        if (cursor >= 0 && cursor < ElementTable.HASH_SPACE) {
            long from = cursor;
            long width = t.hashWidthFor(o.count());
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
            } while (from < ElementTable.HASH_SPACE && visited[0] < o.count() && ++ranges < MAX_RANGES);
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
