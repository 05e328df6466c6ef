package io.larder.store;

import io.larder.protocol.Args;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A stream: entries ordered by ID, kept as Redis keeps them, in nodes of
 * packed entries, plus the stream's counters and its consumer groups.
 *
 * <h2>Nodes</h2>
 * Redis stores a stream as a radix tree of listpacks keyed by the ID of
 * each listpack's first entry (its "master" ID). Larder keeps the same
 * nodes in an ordered set (O(log n) seek by ID, ordered iteration both ways)
 * and each node's bytes in Redis's listpack entry format, byte for byte:
 *
 * <pre>
 * master entry: num-fields field_1 ... field_N 0
 * each entry:   flags ms-delta seq-delta [num-fields field_1 value_1 ... | value_1 ...] lp-count
 * </pre>
 *
 * An entry whose fields are the master's (the common case: every entry of a
 * stream has the same field names) stores only its values and sets the
 * SAMEFIELDS flag; IDs are deltas from the master ID, so a typical entry
 * costs a dozen bytes plus its values, as in Redis. Deleted entries are only
 * flagged until their whole node goes. Redis's two listpack counters (live
 * and deleted entries) are node fields here, but node sizes are computed as
 * Redis computes them ({@link Node#lpBytes}), so nodes split exactly where
 * Redis's do (stream-node-max-bytes, stream-node-max-entries) and approximate
 * trimming ({@code ~}), which removes whole nodes only, removes exactly what
 * Redis removes.
 *
 * <p>Not thread-safe: callers hold the key's stripe lock.
 */
public final class StreamValue extends StoredValue {
    /** Redis's STREAM_LISTPACK_MAX_SIZE: the largest node and the largest entry. */
    public static final int LISTPACK_MAX_SIZE = 1 << 30;
    static final int FLAG_DELETED = 1, FLAG_SAMEFIELDS = 2;
    /** Listpack header (total bytes, element count) and terminator, counted in node sizes. */
    private static final int LP_HEADER = 6, LP_END = 1;
    /** Heap of a node: the Node object and its tree entry. */
    private static final int NODE_BYTES = 72 + 40;
    private static final int STREAM_BYTES = 112 + 48;

    final TreeSet<Node> nodes = new TreeSet<>();
    long length;
    long lastMs, lastSeq;
    long firstMs, firstSeq;
    long maxDelMs, maxDelSeq;
    long entriesAdded;
    /** Consumer groups by name (byte order, as Redis's rax); null until the first is created. */
    TreeMap<byte[], StreamGroup> groups;
    /** Heap held by nodes. */
    long nodeBytes;
    /** radix-tree-nodes, computed on demand; -1 after the set of nodes changed. */
    private long raxNodes = -1;

    /** One listpack of entries (a radix tree leaf in Redis). */
    static final class Node implements Comparable<Node> {
        /** Master ID: the ID of the first entry added to the node, its key in Redis's radix tree. */
        final long ms, seq;
        /** ID of the last entry in the node, deleted or not (Redis's lpGetEdgeStreamID). */
        long lastMs, lastSeq;
        byte[] lp;
        int used;
        int live, deleted;
        int masterFields;
        /** Offset of the first master field and of the first entry. */
        int masterFieldsStart, entriesStart;

        Node(long ms, long seq) {
            this.ms = ms;
            this.seq = seq;
        }

        @Override
        public int compareTo(Node o) {
            return StreamId.compare(ms, seq, o.ms, o.seq);
        }

        /** The size of Redis's listpack for this node (lpBytes). */
        long lpBytes() {
            return LP_HEADER + Listpack.intEntrySize(live) + Listpack.intEntrySize(deleted) + used + LP_END;
        }

        long heap() {
            return NODE_BYTES + arrayBytes(lp.length);
        }
    }

    @Override
    public int type() {
        return ValueType.STREAM;
    }

    @Override
    public String encoding() {
        return "stream";
    }

    @Override
    public long memoryUsage() {
        long n = STREAM_BYTES + nodeBytes;
        if (groups != null) {
            for (StreamGroup g : groups.values()) n += g.memoryUsage();
        }
        return n;
    }

    // ------------------------------------------------------------ counters

    public long length() {
        return length;
    }

    public StreamId lastId() {
        return new StreamId(lastMs, lastSeq);
    }

    public long lastMs() {
        return lastMs;
    }

    public long lastSeq() {
        return lastSeq;
    }

    public StreamId firstId() {
        return new StreamId(firstMs, firstSeq);
    }

    public StreamId maxDeletedId() {
        return new StreamId(maxDelMs, maxDelSeq);
    }

    public long entriesAdded() {
        return entriesAdded;
    }

    /** XSETID: sets the last ID and optionally the added counter and the max deleted ID. */
    public void setId(StreamId last, long added, StreamId maxDeleted) {
        lastMs = last.ms();
        lastSeq = last.seq();
        if (added != -1) entriesAdded = added;
        if (maxDeleted != null && !maxDeleted.isZero()) {
            maxDelMs = maxDeleted.ms();
            maxDelSeq = maxDeleted.seq();
        }
    }

    /** radix-tree-keys: the number of nodes. */
    public long radixTreeKeys() {
        return nodes.size();
    }

    /**
     * radix-tree-nodes: the node count of Redis's radix tree holding these
     * keys. A rax is a compressed trie in canonical form (maximal compressed
     * runs, split on insertion, re-merged on removal), so its node count
     * depends only on the set of keys: one node for the root, one per leaf,
     * one per branching point, plus one for every edge out of a branching
     * point longer than one byte (the compressed node holding its tail), plus
     * the node after the root when the root is itself a compressed run.
     * Computed from the sorted 16-byte big-endian master IDs with a stack
     * over adjacent common-prefix lengths; cached until nodes change.
     */
    public long radixTreeNodes() {
        if (raxNodes >= 0) return raxNodes;
        int n = nodes.size();
        long r;
        if (n == 0) {
            r = 1;
        } else if (n == 1) {
            r = 2;
        } else {
            int[] lcp = new int[n - 1];
            Node prev = null;
            int i = 0;
            for (Node x : nodes) {
                if (prev != null) lcp[i++] = commonPrefix(prev, x);
                prev = x;
            }
            int[] stack = new int[n];
            int top = 0;
            long internal = 0, longEdges = 0;
            for (int l : lcp) {
                while (top > 0 && stack[top - 1] > l) {
                    int d = stack[--top];
                    int parent = Math.max(top > 0 ? stack[top - 1] : -1, l);
                    if (d - parent >= 2) longEdges++;
                }
                if (top == 0 || stack[top - 1] < l) {
                    stack[top++] = l;
                    internal++;
                }
            }
            int highest = 0;
            while (top > 0) {
                int d = stack[--top];
                if (top > 0) {
                    if (d - stack[top - 1] >= 2) longEdges++;
                } else {
                    highest = d;
                }
            }
            for (int k = 0; k < n; k++) {
                int parent = Math.max(k > 0 ? lcp[k - 1] : -1, k < n - 1 ? lcp[k] : -1);
                if (16 - parent >= 2) longEdges++;
            }
            r = internal + n + longEdges + (highest > 0 ? 1 : 0);
        }
        raxNodes = r;
        return r;
    }

    /** Common prefix, in bytes, of two master IDs written as 16 big-endian bytes. */
    private static int commonPrefix(Node a, Node b) {
        long x = a.ms ^ b.ms;
        if (x != 0) return Long.numberOfLeadingZeros(x) >>> 3;
        long y = a.seq ^ b.seq;
        return y == 0 ? 16 : 8 + (Long.numberOfLeadingZeros(y) >>> 3);
    }

    // ------------------------------------------------------------ appending

    /**
     * Appends an entry with an ID greater than the last one (the caller
     * checked). Field-value pairs are arguments {@code first, first+1, ...}
     * ({@code pairs} of them). A new node starts when the tail node's listpack
     * plus the new entry's strings would reach {@code maxBytes} (0: the 1 GB
     * limit) or the tail holds {@code maxEntries} entries, live or deleted (0:
     * no limit), as Redis 7.0's streamAppendItem decides.
     */
    public void append(long ms, long seq, Args a, int first, int pairs, long maxBytes, long maxEntries) {
        long totelelen = 0;
        for (int i = 0; i < pairs * 2; i++) totelelen += a.len(first + i);
        Node tail = nodes.isEmpty() ? null : nodes.last();
        if (tail != null) {
            long nodeMax = maxBytes <= 0 || maxBytes > LISTPACK_MAX_SIZE ? LISTPACK_MAX_SIZE : maxBytes;
            if (tail.lpBytes() + totelelen >= nodeMax
                    || (maxEntries > 0 && (long) tail.live + tail.deleted >= maxEntries)) {
                seal(tail);
                tail = null;
            }
        }
        boolean same = tail == null || sameFields(tail, a, first, pairs);
        int flags = same ? FLAG_SAMEFIELDS : 0;
        long msDelta = tail == null ? 0 : ms - tail.ms, seqDelta = tail == null ? 0 : seq - tail.seq;
        int lpCount = pairs + 3 + (same ? 0 : pairs + 1);
        int size = Listpack.intEntrySize(flags) + Listpack.intEntrySize(msDelta) + Listpack.intEntrySize(seqDelta)
                + Listpack.intEntrySize(lpCount);
        if (!same) size += Listpack.intEntrySize(pairs);
        for (int i = 0; i < pairs; i++) {
            int f = first + 2 * i;
            if (!same) size += Listpack.encodedSize(a.buf(), a.off(f), a.len(f));
            size += Listpack.encodedSize(a.buf(), a.off(f + 1), a.len(f + 1));
        }
        if (tail == null) tail = newNode(ms, seq, a, first, pairs, size);
        else nodeBytes -= tail.heap();
        ensure(tail, size);
        byte[] b = tail.lp;
        int p = tail.used;
        p += Listpack.writeIntEntry(b, p, flags);
        p += Listpack.writeIntEntry(b, p, msDelta);
        p += Listpack.writeIntEntry(b, p, seqDelta);
        if (!same) p += Listpack.writeIntEntry(b, p, pairs);
        for (int i = 0; i < pairs; i++) {
            int f = first + 2 * i;
            if (!same) p += Listpack.write(b, p, a.buf(), a.off(f), a.len(f));
            p += Listpack.write(b, p, a.buf(), a.off(f + 1), a.len(f + 1));
        }
        p += Listpack.writeIntEntry(b, p, lpCount);
        tail.used = p;
        tail.live++;
        tail.lastMs = ms;
        tail.lastSeq = seq;
        nodeBytes += tail.heap();
        length++;
        entriesAdded++;
        lastMs = ms;
        lastSeq = seq;
        if (length == 1) {
            firstMs = ms;
            firstSeq = seq;
        }
    }

    /** A node whose master entry has these fields, with room for its first entry of {@code entrySize} bytes. */
    private Node newNode(long ms, long seq, Args a, int first, int pairs, int entrySize) {
        Node n = new Node(ms, seq);
        int size = Listpack.intEntrySize(pairs) + Listpack.intEntrySize(0);
        for (int i = 0; i < pairs; i++) {
            int f = first + 2 * i;
            size += Listpack.encodedSize(a.buf(), a.off(f), a.len(f));
        }
        n.lp = new byte[size + entrySize];
        int p = Listpack.writeIntEntry(n.lp, 0, pairs);
        n.masterFieldsStart = p;
        for (int i = 0; i < pairs; i++) {
            int f = first + 2 * i;
            p += Listpack.write(n.lp, p, a.buf(), a.off(f), a.len(f));
        }
        p += Listpack.writeIntEntry(n.lp, p, 0);
        n.masterFields = pairs;
        n.entriesStart = p;
        n.used = p;
        nodes.add(n);
        raxNodes = -1;
        return n;
    }

    /** A node that will not grow any more drops its spare room (lpShrinkToFit). */
    private void seal(Node n) {
        if (n.lp.length == n.used) return;
        nodeBytes -= n.heap();
        n.lp = Arrays.copyOf(n.lp, n.used);
        nodeBytes += n.heap();
    }

    private static void ensure(Node n, int extra) {
        int need = n.used + extra;
        if (need <= n.lp.length) return;
        int cap = Math.max(need, n.lp.length + (n.lp.length >> 1));
        n.lp = Arrays.copyOf(n.lp, cap);
    }

    private static boolean sameFields(Node n, Args a, int first, int pairs) {
        if (n.masterFields != pairs) return false;
        byte[] b = n.lp;
        int p = n.masterFieldsStart;
        for (int i = 0; i < pairs; i++) {
            int f = first + 2 * i;
            if (!entryEquals(b, p, a.buf(), a.off(f), a.len(f))) return false;
            p += Listpack.entrySize(b, p);
        }
        return true;
    }

    /** Whether the listpack entry at p holds exactly these bytes. */
    static boolean entryEquals(byte[] b, int p, byte[] s, int off, int len) {
        if (Listpack.isString(b, p)) {
            int o = Listpack.strOffset(b, p);
            int l = Listpack.strLength(b, p);
            return l == len && Arrays.equals(b, o, o + l, s, off, off + len);
        }
        return Listpack.isInt(s, off, len) && io.larder.util.Numbers.parseLong(s, off, len) == Listpack.intValue(b, p);
    }

    // ------------------------------------------------------------ reading

    /**
     * A cursor over live entries with IDs in [start, end], forward or in
     * reverse (Redis's streamIterator). After {@link #next} returns true the
     * current entry's ID and fields are readable: {@link #beginFields}, then
     * alternately {@link #nextField} and {@link #nextValue}, each returning
     * the position of a listpack entry in {@link #buf}.
     */
    public final class Cursor {
        private final long startMs, startSeq, endMs, endSeq;
        private final boolean rev;
        private Node node;
        /** Forward: offset of the next entry. Reverse: end of the next entry to read (the previous one). */
        private int pos;
        private boolean done;
        long ms, seq;
        private int entryPos, flags, numFields, valuesPos, fieldPos, valuePos;

        Cursor(long startMs, long startSeq, long endMs, long endSeq, boolean rev) {
            this.startMs = startMs;
            this.startSeq = startSeq;
            this.endMs = endMs;
            this.endSeq = endSeq;
            this.rev = rev;
            if (!rev) {
                node = nodes.floor(new Node(startMs, startSeq));
                if (node == null) node = nodes.isEmpty() ? null : nodes.first();
                if (node != null) pos = node.entriesStart;
            } else {
                node = nodes.floor(new Node(endMs, endSeq));
                if (node != null) pos = node.used;
            }
            done = node == null;
        }

        /** Advances to the next live entry in range; false at the end. */
        public boolean next() {
            while (!done) {
                if (!rev) {
                    if (pos >= node.used) {
                        node = nodes.higher(node);
                        if (node == null) {
                            done = true;
                            return false;
                        }
                        pos = node.entriesStart;
                        continue;
                    }
                    int end = parse(pos);
                    entryPos = pos;
                    pos = end;
                    if ((flags & FLAG_DELETED) != 0) continue;
                    if (StreamId.compare(ms, seq, startMs, startSeq) < 0) continue;
                    if (StreamId.compare(ms, seq, endMs, endSeq) > 0) {
                        done = true;
                        return false;
                    }
                    return true;
                } else {
                    if (pos <= node.entriesStart) {
                        node = nodes.lower(node);
                        if (node == null) {
                            done = true;
                            return false;
                        }
                        pos = node.used;
                        continue;
                    }
                    int start = entryStartBefore(node.lp, pos);
                    parse(start);
                    entryPos = start;
                    pos = start;
                    if ((flags & FLAG_DELETED) != 0) continue;
                    if (StreamId.compare(ms, seq, endMs, endSeq) > 0) continue;
                    if (StreamId.compare(ms, seq, startMs, startSeq) < 0) {
                        done = true;
                        return false;
                    }
                    return true;
                }
            }
            return false;
        }

        /** Reads the entry header at p into the cursor; returns the offset after the entry. */
        private int parse(int p) {
            byte[] b = node.lp;
            flags = (int) Listpack.intValue(b, p);
            p += Listpack.entrySize(b, p);
            ms = node.ms + Listpack.intValue(b, p);
            p += Listpack.entrySize(b, p);
            seq = node.seq + Listpack.intValue(b, p);
            p += Listpack.entrySize(b, p);
            int skip;
            if ((flags & FLAG_SAMEFIELDS) != 0) {
                numFields = node.masterFields;
                skip = numFields;
            } else {
                numFields = (int) Listpack.intValue(b, p);
                p += Listpack.entrySize(b, p);
                skip = numFields * 2;
            }
            valuesPos = p;
            for (int i = 0; i < skip; i++) p += Listpack.entrySize(b, p);
            return p + Listpack.entrySize(b, p); // the lp-count
        }

        public long ms() {
            return ms;
        }

        public long seq() {
            return seq;
        }

        public int numFields() {
            return numFields;
        }

        public byte[] buf() {
            return node.lp;
        }

        public void beginFields() {
            valuePos = valuesPos;
            fieldPos = (flags & FLAG_SAMEFIELDS) != 0 ? node.masterFieldsStart : -1;
        }

        public int nextField() {
            int p;
            if (fieldPos >= 0) {
                p = fieldPos;
                fieldPos += Listpack.entrySize(node.lp, p);
            } else {
                p = valuePos;
                valuePos += Listpack.entrySize(node.lp, p);
            }
            return p;
        }

        public int nextValue() {
            int p = valuePos;
            valuePos += Listpack.entrySize(node.lp, p);
            return p;
        }

        /** Marks the current entry deleted (XDEL); the cursor stays usable for reading further. */
        void delete() {
            deleteAt(node, entryPos, flags);
        }
    }

    /** Offset of the entry that ends at {@code end}: its lp-count says how many elements to walk back. */
    private static int entryStartBefore(byte[] b, int end) {
        int p = Listpack.prevEntry(b, end);
        long count = Listpack.intValue(b, p);
        for (long i = 0; i < count; i++) p = Listpack.prevEntry(b, p);
        return p;
    }

    /** Entries with IDs in [start, end], forward from start or backward from end. */
    public Cursor cursor(StreamId start, StreamId end, boolean rev) {
        return new Cursor(start.ms(), start.seq(), end.ms(), end.seq(), rev);
    }

    public Cursor cursor(long startMs, long startSeq, long endMs, long endSeq, boolean rev) {
        return new Cursor(startMs, startSeq, endMs, endSeq, rev);
    }

    /** Whether a live entry has this ID (streamEntryExists). */
    public boolean exists(long ms, long seq) {
        Cursor c = new Cursor(ms, seq, ms, seq, false);
        return c.next();
    }

    /**
     * The first or last live entry's ID (streamGetEdgeID with tombstones
     * skipped); for an empty stream MAX as the first and MIN as the last.
     */
    public StreamId edge(boolean first) {
        Cursor c = new Cursor(0, 0, -1, -1, !first);
        if (c.next()) return new StreamId(c.ms, c.seq);
        return first ? StreamId.MAX : StreamId.MIN;
    }

    /** streamLastValidID: the ID of the last live entry (0-0 when empty). */
    public StreamId lastValidId() {
        return edge(false);
    }

    // ------------------------------------------------------------ deleting

    private void deleteAt(Node n, int entryPos, int flags) {
        // The flags are 0..3, a one-byte integer entry either way: rewritten in place.
        Listpack.writeIntEntry(n.lp, entryPos, flags | FLAG_DELETED);
        length--;
        if (n.live == 1) {
            nodes.remove(n);
            nodeBytes -= n.heap();
            raxNodes = -1;
        } else {
            n.live--;
            n.deleted++;
        }
    }

    /**
     * XDEL: deletes the entries with these IDs (pairs of ms, seq), updating
     * the max deleted ID and the first ID as Redis does; returns how many
     * existed.
     */
    public long delete(List<StreamId> ids) {
        long deleted = 0;
        boolean firstEntry = false;
        for (StreamId id : ids) {
            Cursor c = new Cursor(id.ms(), id.seq(), id.ms(), id.seq(), false);
            if (!c.next()) continue;
            c.delete();
            if (id.compareTo(firstMs, firstSeq) == 0) firstEntry = true;
            if (id.compareTo(maxDelMs, maxDelSeq) > 0) {
                maxDelMs = id.ms();
                maxDelSeq = id.seq();
            }
            deleted++;
        }
        if (deleted > 0) {
            if (length == 0) {
                firstMs = firstSeq = 0;
            } else if (firstEntry) {
                StreamId f = edge(true);
                firstMs = f.ms();
                firstSeq = f.seq();
            }
        }
        return deleted;
    }

    /**
     * Redis's streamTrim: removes entries from the head while the stream is
     * longer than {@code maxlen} (MAXLEN) or their IDs are below
     * {@code minId} (MINID). Whole nodes go first; with {@code approx} only
     * whole nodes go; otherwise entries of the first remaining node are
     * flagged deleted. {@code limit} (0: none) caps the entries removed, in
     * whole nodes. Returns the number removed. The max deleted ID is left
     * alone, as in Redis.
     */
    public long trim(boolean byMaxlen, long maxlen, StreamId minId, boolean approx, long limit) {
        long deleted = 0;
        while (!nodes.isEmpty()) {
            if (byMaxlen && length <= maxlen) break;
            Node n = nodes.first();
            long entries = n.live;
            if (limit != 0 && deleted + entries > limit) break;
            boolean removeNode = byMaxlen ? length - entries >= maxlen : minId.compareTo(n.lastMs, n.lastSeq) > 0;
            if (removeNode) {
                nodes.remove(n);
                nodeBytes -= n.heap();
                raxNodes = -1;
                length -= entries;
                deleted += entries;
                continue;
            }
            if (approx) break;
            // Flag entries of this node until enough are gone; the node itself stays.
            byte[] b = n.lp;
            int p = n.entriesStart;
            long fromNode = 0;
            while (p < n.used) {
                int flags = (int) Listpack.intValue(b, p);
                int q = p + Listpack.entrySize(b, p);
                long ms = n.ms + Listpack.intValue(b, q);
                q += Listpack.entrySize(b, q);
                long seq = n.seq + Listpack.intValue(b, q);
                q += Listpack.entrySize(b, q);
                boolean stop = byMaxlen ? length <= maxlen : minId.compareTo(ms, seq) <= 0;
                if (stop) break;
                int skip;
                if ((flags & FLAG_SAMEFIELDS) != 0) {
                    skip = n.masterFields;
                } else {
                    skip = (int) Listpack.intValue(b, q) * 2;
                    q += Listpack.entrySize(b, q);
                }
                for (int i = 0; i < skip; i++) q += Listpack.entrySize(b, q);
                q += Listpack.entrySize(b, q);
                if ((flags & FLAG_DELETED) == 0) {
                    Listpack.writeIntEntry(b, p, flags | FLAG_DELETED);
                    fromNode++;
                    length--;
                }
                p = q;
            }
            n.live -= (int) fromNode;
            n.deleted += (int) fromNode;
            deleted += fromNode;
            break;
        }
        // The first live ID changes only if something went (Redis recomputes it every time, to the same value).
        if (deleted == 0) return 0;
        if (length == 0) {
            firstMs = firstSeq = 0;
        } else {
            StreamId f = edge(true);
            firstMs = f.ms();
            firstSeq = f.seq();
        }
        return deleted;
    }

    // ------------------------------------------------------------ read counters and lag

    /**
     * Redis's streamRangeHasTombstones with no end: whether an entry deleted
     * by XDEL may lie at or after {@code start}.
     */
    public boolean hasTombstonesFrom(long startMs, long startSeq) {
        if (length == 0 || (maxDelMs == 0 && maxDelSeq == 0)) return false;
        if (StreamId.compare(firstMs, firstSeq, maxDelMs, maxDelSeq) > 0) return false;
        return StreamId.compare(startMs, startSeq, maxDelMs, maxDelSeq) <= 0;
    }

    /**
     * Redis's streamEstimateDistanceFromFirstEverEntry: the logical read
     * counter of an ID, or {@link StreamGroup#UNKNOWN_READS} when it cannot be
     * known (the ID is inside a fragmented stretch, or in the future).
     */
    public long estimateReads(long ms, long seq) {
        if (entriesAdded == 0) return 0;
        if (length == 0 && StreamId.compare(ms, seq, lastMs, lastSeq) < 1) return entriesAdded;
        int cmpLast = StreamId.compare(ms, seq, lastMs, lastSeq);
        if (cmpLast == 0) return entriesAdded;
        if (cmpLast > 0) return StreamGroup.UNKNOWN_READS;
        int cmpFirst = StreamId.compare(ms, seq, firstMs, firstSeq);
        if (StreamId.compare(maxDelMs, maxDelSeq, firstMs, firstSeq) < 0) {
            if (cmpFirst < 0) return entriesAdded - length;
            if (cmpFirst == 0) return entriesAdded - length + 1;
        }
        return StreamGroup.UNKNOWN_READS;
    }

    /** {@link #lag} when the lag cannot be known. */
    public static final long UNKNOWN_LAG = Long.MIN_VALUE;

    /** A group's lag (streamReplyWithCGLag), or {@link #UNKNOWN_LAG} (a null reply). */
    public long lag(StreamGroup g) {
        if (entriesAdded == 0) return 0;
        if (g.entriesRead != StreamGroup.UNKNOWN_READS && !hasTombstonesFrom(g.lastMs, g.lastSeq)) {
            return entriesAdded - g.entriesRead;
        }
        long reads = estimateReads(g.lastMs, g.lastSeq);
        return reads == StreamGroup.UNKNOWN_READS ? UNKNOWN_LAG : entriesAdded - reads;
    }

    // ------------------------------------------------------------ groups

    public StreamGroup group(byte[] name) {
        return groups == null ? null : groups.get(name);
    }

    public int groupCount() {
        return groups == null ? 0 : groups.size();
    }

    public Collection<StreamGroup> groups() {
        return groups == null ? List.of() : groups.values();
    }

    /** Adds a group; null if one with that name exists (streamCreateCG). */
    public StreamGroup createGroup(byte[] name, StreamId last, long entriesRead) {
        if (groups == null) groups = new TreeMap<>(Arrays::compareUnsigned);
        if (groups.containsKey(name)) return null;
        StreamGroup g = new StreamGroup(name, last.ms(), last.seq(), entriesRead);
        groups.put(name, g);
        return g;
    }

    public boolean destroyGroup(byte[] name) {
        return groups != null && groups.remove(name) != null;
    }

    // ------------------------------------------------------------ RDB

    /** Receives a node as RDB stores it: master ID, live and deleted counts, and the entries from the master's. */
    public interface NodeVisitor {
        void visit(long ms, long seq, int live, int deleted, byte[] lp, int used);
    }

    /** Every node in ID order; {@code lp[0, used)} is Redis's listpack after its two counters. */
    public void forEachNode(NodeVisitor v) {
        for (Node n : nodes) v.visit(n.ms, n.seq, n.live, n.deleted, n.lp, n.used);
    }

    /**
     * Adds a node read from an RDB file, already validated by the caller:
     * {@code lp} (taken, exactly sized) holds the master entry's field count,
     * its fields from {@code masterFieldsStart}, the terminator, and entries
     * from {@code entriesStart}; {@code lastMs/lastSeq} is its last entry's ID.
     * False if a node with this master ID exists.
     */
    public boolean restoreNode(long ms, long seq, int live, int deleted, byte[] lp, int masterFields,
            int masterFieldsStart, int entriesStart, long lastMs, long lastSeq) {
        Node n = new Node(ms, seq);
        n.lp = lp;
        n.used = lp.length;
        n.live = live;
        n.deleted = deleted;
        n.masterFields = masterFields;
        n.masterFieldsStart = masterFieldsStart;
        n.entriesStart = entriesStart;
        n.lastMs = lastMs;
        n.lastSeq = lastSeq;
        if (!nodes.add(n)) return false;
        nodeBytes += n.heap();
        raxNodes = -1;
        return true;
    }

    /** The counters RDB stores after the nodes. */
    public void restoreCounters(long length, long lastMs, long lastSeq, long firstMs, long firstSeq, long maxDelMs,
            long maxDelSeq, long entriesAdded) {
        this.length = length;
        this.lastMs = lastMs;
        this.lastSeq = lastSeq;
        this.firstMs = firstMs;
        this.firstSeq = firstSeq;
        this.maxDelMs = maxDelMs;
        this.maxDelSeq = maxDelSeq;
        this.entriesAdded = entriesAdded;
    }

    // ------------------------------------------------------------ copying

    @Override
    public StoredValue copy() {
        StreamValue s = new StreamValue();
        for (Node n : nodes) {
            Node m = new Node(n.ms, n.seq);
            m.lastMs = n.lastMs;
            m.lastSeq = n.lastSeq;
            m.lp = Arrays.copyOf(n.lp, n.used);
            m.used = n.used;
            m.live = n.live;
            m.deleted = n.deleted;
            m.masterFields = n.masterFields;
            m.masterFieldsStart = n.masterFieldsStart;
            m.entriesStart = n.entriesStart;
            s.nodes.add(m);
            s.nodeBytes += m.heap();
        }
        s.length = length;
        s.lastMs = lastMs;
        s.lastSeq = lastSeq;
        s.firstMs = firstMs;
        s.firstSeq = firstSeq;
        s.maxDelMs = maxDelMs;
        s.maxDelSeq = maxDelSeq;
        s.entriesAdded = entriesAdded;
        if (groups != null) {
            s.groups = new TreeMap<>(Arrays::compareUnsigned);
            for (StreamGroup g : groups.values()) s.groups.put(g.name, g.copy());
        }
        return s;
    }
}
