package io.larder.store;

import io.larder.util.Numbers;

/**
 * A list: Redis's quicklist, a doubly linked list of nodes, each a
 * contiguous byte array of {@link Listpack} entries. Small lists are one
 * node, so they cost one array; long lists cost one node header per few
 * kilobytes of entries, like Redis's.
 *
 * <p>Each node keeps its entries in {@code buf[start, end)} with free space
 * on either side (a gap buffer), so pushes and pops at both ends of the list
 * touch only the end node and move no bytes: O(1) amortized. The end nodes
 * keep up to about a quarter of spare room to grow into; a node that stops
 * being an end node is trimmed to its exact size, so a long list wastes
 * nothing in the middle. Finding an index walks the nodes from the nearer
 * end summing their counts, then the entries inside one node from its nearer
 * end: O(N / node size + node size), as in Redis.
 *
 * <p>Node size follows {@code list-max-listpack-size} ("fill"), passed to
 * every operation that may add entries (Redis stores it per list at creation;
 * passing it keeps the object smaller and follows CONFIG SET at once): a
 * negative fill limits a node's listpack size to 4, 8, 16, 32 or 64 KB; a
 * positive fill limits its entry count, within an 8 KB safety limit. An entry
 * too large for any node gets a node of its own (Redis's "plain" node).
 *
 * <p>Redis 7.0 reports OBJECT ENCODING "quicklist" for every list, whatever
 * its size (the listpack encoding for small lists arrived in 7.2), and so does
 * this class.
 */
public final class ListValue extends StoredValue {
    /**
     * Heap size of a node object: an 8-byte header (the launcher runs with
     * compact object headers), three compressed references, three ints.
     */
    static final int NODE_BYTES = 32;
    /** Heap size of this object without its nodes (header, StoredValue's fields, two links, two longs). */
    static final int LIST_BYTES = 56;
    /** Redis's SIZE_SAFETY_LIMIT for count-limited nodes. */
    static final int SAFETY_LIMIT = 8192;

    static final class Node {
        Node prev, next;
        byte[] buf;
        int start, end;
        int count;

        Node(byte[] buf, int start, int end, int count) {
            this.buf = buf;
            this.start = start;
            this.end = end;
            this.count = count;
        }

        int used() {
            return end - start;
        }
    }

    Node head, tail;
    long size;
    /** Heap bytes of the nodes and their arrays. */
    long bytes;

    public ListValue() {}

    @Override
    public int type() {
        return ValueType.LIST;
    }

    @Override
    public String encoding() {
        return "quicklist";
    }

    @Override
    public long memoryUsage() {
        return LIST_BYTES + bytes;
    }

    public long size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Number of nodes (tests, DEBUG-style introspection); walks the list. */
    public int nodeCount() {
        int n = 0;
        for (Node x = head; x != null; x = x.next) n++;
        return n;
    }

    /**
     * Gives back the spare room of the end nodes. For a list just built by
     * one command (RPUSH k v1 v2 ...): most lists are small and written once.
     */
    public void trimToSize() {
        for (Node x : new Node[] {head, tail}) {
            if (x != null && x.buf.length != x.used()) realloc(x, x.used(), 0);
        }
    }

    // ------------------------------------------------------------ node sizing

    /** Redis's SIZE_ESTIMATE_OVERHEAD: what an entry may add to a listpack beyond its string. */
    static final int SIZE_ESTIMATE_OVERHEAD = 8;

    /**
     * Whether node x may take another element whose string is {@code rawLen}
     * bytes long, by Redis 7.0's _quicklistNodeAllowInsert and
     * quicklistNodeExceedsLimit: the node's listpack size plus the element's
     * length plus SIZE_ESTIMATE_OVERHEAD, against the size limit of a
     * negative fill; for a positive fill, the 8 KB safety limit and the count.
     * Estimating exactly as Redis does puts node boundaries where Redis's
     * are, so RDB and DUMP payloads of lists built the same way are the same
     * bytes.
     */
    static boolean fits(Node x, long rawLen, int fill) {
        long sz = (long) x.used() + Listpack.OVERHEAD + rawLen + SIZE_ESTIMATE_OVERHEAD;
        if (fill < 0) return sz <= (4096L << (Math.min(-fill, 5) - 1));
        if (sz > SAFETY_LIMIT) return false;
        return x.count + 1 <= Math.max(fill, 1);
    }

    private static int slack(int used) {
        return Math.max(8, used >> 2);
    }

    private boolean isEnd(Node x) {
        return x == head || x == tail;
    }

    /**
     * Moves node x's entries into an array of the given capacity, leaving
     * {@code front} bytes free before them.
     */
    private void realloc(Node x, int cap, int front) {
        int used = x.used();
        byte[] nb = new byte[cap];
        System.arraycopy(x.buf, x.start, nb, front, used);
        bytes += arrayBytes(cap) - arrayBytes(x.buf.length);
        x.buf = nb;
        x.start = front;
        x.end = front + used;
    }

    /** Makes at least n free bytes before x's entries. */
    private void reserveFront(Node x, int n) {
        if (x.start >= n) return;
        int used = x.used();
        int cap = x.buf.length;
        int free = cap - used;
        if (free >= n + (used >> 2)) {
            // Enough room overall (left by pops at the other end): shift instead of growing.
            int front = n + ((free - n) >> 1);
            System.arraycopy(x.buf, x.start, x.buf, front, used);
            x.start = front;
            x.end = front + used;
            return;
        }
        int s = slack(used + n);
        // Called for the head node; when it is also the tail, keep some room for pushes at the back.
        int back = x == tail ? Math.min(cap - x.end, s >> 1) : 0;
        int newCap = used + n + s;
        realloc(x, newCap, newCap - used - back);
    }

    /** Makes at least n free bytes after x's entries. */
    private void reserveBack(Node x, int n) {
        int cap = x.buf.length;
        if (cap - x.end >= n) return;
        int used = x.used();
        int free = cap - used;
        if (free >= n + (used >> 2)) {
            int front = (free - n) >> 1;
            System.arraycopy(x.buf, x.start, x.buf, front, used);
            x.start = front;
            x.end = front + used;
            return;
        }
        int s = slack(used + n);
        int front = x == head ? Math.min(x.start, s >> 1) : 0;
        realloc(x, used + n + s, front);
    }

    /** Gives back memory a node no longer needs: middle nodes exactly, end nodes when mostly empty. */
    private void tidy(Node x) {
        int used = x.used();
        int cap = x.buf.length;
        if (!isEnd(x)) {
            if (cap != used) realloc(x, used, 0);
        } else if (cap > 64 && used < (cap >> 2)) {
            int s = slack(used);
            int front = x == head && x != tail ? s : (x == tail && x != head ? 0 : s >> 1);
            realloc(x, used + s, front);
        }
    }

    private Node newNode(int capacity) {
        Node x = new Node(new byte[capacity], 0, 0, 0);
        bytes += NODE_BYTES + arrayBytes(capacity);
        return x;
    }

    /** Links x after node at (at null: as the new head). Neighbours that stop being end nodes are trimmed. */
    private void linkAfter(Node at, Node x) {
        x.prev = at;
        if (at == null) {
            x.next = head;
            if (head != null) head.prev = x;
            head = x;
            if (tail == null) tail = x;
        } else {
            x.next = at.next;
            if (at.next != null) at.next.prev = x;
            else tail = x;
            at.next = x;
        }
        if (x.prev != null && !isEnd(x.prev)) tidy(x.prev);
        if (x.next != null && !isEnd(x.next)) tidy(x.next);
    }

    private void unlink(Node x) {
        if (x.prev != null) x.prev.next = x.next;
        else head = x.next;
        if (x.next != null) x.next.prev = x.prev;
        else tail = x.prev;
        x.prev = x.next = null;
        bytes -= NODE_BYTES + arrayBytes(x.buf.length);
    }

    // ------------------------------------------------------------ pushing

    /** LPUSH/RPUSH of one value. */
    public void push(boolean atHead, byte[] s, int off, int len, int fill) {
        boolean isInt = Listpack.isInt(s, off, len);
        long v = isInt ? Numbers.parseLong(s, off, len) : 0;
        int n = isInt ? Listpack.intEntrySize(v) : Listpack.strEntrySize(len);
        int p = reserveAtEnd(atHead, n, len, fill);
        Node x = atHead ? head : tail;
        if (isInt) Listpack.writeIntEntry(x.buf, p, v);
        else Listpack.writeStrEntry(x.buf, p, s, off, len);
    }

    public void push(boolean atHead, byte[] s, int fill) {
        push(atHead, s, 0, s.length, fill);
    }

    /** Pushes an already encoded entry (LMOVE: no decoding and re-encoding). */
    public void pushEncoded(boolean atHead, byte[] enc, int off, int n, int fill) {
        int p = reserveAtEnd(atHead, n, Listpack.rawLength(enc, off), fill);
        System.arraycopy(enc, off, (atHead ? head : tail).buf, p, n);
    }

    /** Claims n bytes for a new entry (of a string rawLen long) at one end; returns where to write it. */
    private int reserveAtEnd(boolean atHead, int n, int rawLen, int fill) {
        Node x = atHead ? head : tail;
        if (x == null || !fits(x, rawLen, fill)) {
            x = newNode(n);
            linkAfter(atHead ? null : tail, x);
        }
        int p;
        if (atHead) {
            reserveFront(x, n);
            p = x.start -= n;
        } else {
            reserveBack(x, n);
            p = x.end;
            x.end += n;
        }
        x.count++;
        size++;
        return p;
    }

    // ------------------------------------------------------------ removing

    /** Removes n entries from one end (LPOP/RPOP, LTRIM). */
    public void removeFromEnd(boolean atHead, long n) {
        while (n > 0 && size > 0) {
            Node x = atHead ? head : tail;
            if (n >= x.count) {
                n -= x.count;
                size -= x.count;
                unlink(x);
                continue;
            }
            byte[] b = x.buf;
            if (atHead) {
                int p = x.start;
                for (long i = 0; i < n; i++) p += Listpack.entrySize(b, p);
                x.start = p;
            } else {
                int p = x.end;
                for (long i = 0; i < n; i++) p = Listpack.prevEntry(b, p);
                x.end = p;
            }
            x.count -= (int) n;
            size -= n;
            n = 0;
            tidy(x);
        }
    }

    /**
     * LREM: removes entries equal to the encoded entry {@code enc}: all when
     * count is 0, else the first count from the head (count &gt; 0) or from the
     * tail (count &lt; 0). Each node is compacted once, so removing many
     * entries costs O(N), not O(N * node size).
     */
    public long removeMatching(byte[] enc, long count) {
        long limit = count == 0 ? Long.MAX_VALUE : (count == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(count));
        long removed = 0;
        if (count >= 0) {
            Node x = head;
            while (x != null && removed < limit) {
                Node next = x.next;
                removed += compact(x, enc, limit - removed, 0);
                x = next;
            }
        } else {
            Node x = tail;
            while (x != null && removed < limit) {
                Node prev = x.prev;
                int m = countMatches(x, enc);
                if (m > 0) {
                    long r = Math.min(m, limit - removed);
                    removed += compact(x, enc, r, (int) (m - r));
                }
                x = prev;
            }
        }
        return removed;
    }

    private static int countMatches(Node x, byte[] enc) {
        byte[] b = x.buf;
        int m = 0;
        for (int p = x.start; p < x.end; p += Listpack.entrySize(b, p)) {
            if (Listpack.matches(b, p, enc)) m++;
        }
        return m;
    }

    /** Drops up to max matches from node x after keeping the first {@code skip} matches. */
    private int compact(Node x, byte[] enc, long max, int skip) {
        byte[] b = x.buf;
        int w = -1; // write position once the first entry is dropped
        int dropped = 0;
        int p = x.start;
        while (p < x.end) {
            int n = Listpack.entrySize(b, p);
            boolean drop = false;
            if (dropped < max && Listpack.matches(b, p, enc)) {
                if (skip > 0) skip--;
                else drop = true;
            }
            if (drop) {
                if (w < 0) w = p;
                dropped++;
            } else if (w >= 0) {
                System.arraycopy(b, p, b, w, n);
                w += n;
            }
            p += n;
        }
        if (dropped == 0) return 0;
        x.end = w;
        x.count -= dropped;
        size -= dropped;
        if (x.count == 0) unlink(x);
        else tidy(x);
        return dropped;
    }

    // ------------------------------------------------------------ positions

    /**
     * A position in the list, for reading entries in order and for LINSERT
     * and LSET. Valid until the list is changed other than through it.
     */
    public final class Cursor {
        Node node;
        int pos;
        int idx;

        Cursor(Node node, int pos, int idx) {
            this.node = node;
            this.pos = pos;
            this.idx = idx;
        }

        public boolean valid() {
            return node != null;
        }

        public void next() {
            if (++idx == node.count) {
                node = node.next;
                idx = 0;
                if (node != null) pos = node.start;
            } else {
                pos += Listpack.entrySize(node.buf, pos);
            }
        }

        public void prev() {
            if (idx == 0) {
                node = node.prev;
                if (node != null) {
                    idx = node.count - 1;
                    pos = Listpack.prevEntry(node.buf, node.end);
                }
            } else {
                idx--;
                pos = Listpack.prevEntry(node.buf, pos);
            }
        }

        public byte[] buf() {
            return node.buf;
        }

        /** Offset of the current entry in {@link #buf()}. */
        public int pos() {
            return pos;
        }

        public boolean isString() {
            return Listpack.isString(node.buf, pos);
        }

        public int strOffset() {
            return Listpack.strOffset(node.buf, pos);
        }

        public int strLength() {
            return Listpack.strLength(node.buf, pos);
        }

        public long intValue() {
            return Listpack.intValue(node.buf, pos);
        }

        public byte[] value() {
            return Listpack.value(node.buf, pos);
        }

        /** Size of the current encoded entry. */
        public int entrySize() {
            return Listpack.entrySize(node.buf, pos);
        }

        public boolean matches(byte[] enc) {
            return Listpack.matches(node.buf, pos, enc);
        }

        /** LINSERT: adds a value before or after the current entry. The cursor is invalid afterwards. */
        public void insert(boolean after, byte[] s, int off, int len, int fill) {
            byte[] enc = Listpack.encode(s, off, len);
            if (after) insertAt(node, pos + Listpack.entrySize(node.buf, pos), idx + 1, enc, fill);
            else insertAt(node, pos, idx, enc, fill);
            node = null;
        }

        /** LSET: replaces the current entry. The cursor is invalid afterwards. */
        public void replace(byte[] s, int off, int len, int fill) {
            byte[] enc = Listpack.encode(s, off, len);
            Node x = node;
            byte[] b = x.buf;
            int old = Listpack.entrySize(b, pos);
            if (old == enc.length) {
                System.arraycopy(enc, 0, b, pos, old);
            } else {
                // Delete, then insert where it was (which may split a full node).
                System.arraycopy(b, pos + old, b, pos, x.end - pos - old);
                x.end -= old;
                x.count--;
                size--;
                insertAt(x, pos, idx, enc, fill);
            }
            node = null;
        }
    }

    /** A cursor at index i (negative counts from the tail), or an invalid one if out of range. */
    public Cursor cursor(long i) {
        if (i < 0) i += size;
        if (i < 0 || i >= size) return new Cursor(null, 0, 0);
        Node x;
        if (i < (size >> 1)) {
            x = head;
            while (i >= x.count) {
                i -= x.count;
                x = x.next;
            }
        } else {
            long r = size - 1 - i;
            x = tail;
            while (r >= x.count) {
                r -= x.count;
                x = x.prev;
            }
            i = x.count - 1 - r;
        }
        return new Cursor(x, offsetOf(x, (int) i), (int) i);
    }

    /** Byte offset of entry i of node x, walking from the node's nearer end. */
    private static int offsetOf(Node x, int i) {
        byte[] b = x.buf;
        if (i < (x.count >> 1)) {
            int p = x.start;
            for (int k = 0; k < i; k++) p += Listpack.entrySize(b, p);
            return p;
        }
        int p = x.end;
        for (int k = x.count; k > i; k--) p = Listpack.prevEntry(b, p);
        return p;
    }

    /** Inserts an encoded entry into node x at byte position p, which is entry number idx. */
    private void insertAt(Node x, int p, int idx, byte[] enc, int fill) {
        int n = enc.length;
        long rawLen = Listpack.rawLength(enc, 0);
        if (x.count == 0 || fits(x, rawLen, fill)) {
            insertInNode(x, p, enc);
            return;
        }
        if (idx == 0 && x.prev != null && fits(x.prev, rawLen, fill)) {
            insertInNode(x.prev, x.prev.end, enc);
            return;
        }
        if (idx == x.count && x.next != null && fits(x.next, rawLen, fill)) {
            insertInNode(x.next, x.next.start, enc);
            return;
        }
        Node y = newNode(n);
        if (idx == 0) {
            linkAfter(x.prev, y);
        } else if (idx == x.count) {
            linkAfter(x, y);
        } else {
            // Split x at p: the entries from p on move to a node of their own, the new entry goes between.
            int tailBytes = x.end - p;
            Node z = newNode(tailBytes);
            System.arraycopy(x.buf, p, z.buf, 0, tailBytes);
            z.end = tailBytes;
            z.count = x.count - idx;
            x.end = p;
            x.count = idx;
            linkAfter(x, z);
            linkAfter(x, y);
            tidy(x);
        }
        insertInNode(y, 0, enc);
    }

    /** Inserts an encoded entry at byte position p of node x, shifting the shorter side. */
    private void insertInNode(Node x, int p, byte[] enc) {
        int n = enc.length;
        byte[] b = x.buf;
        int before = p - x.start;
        int after = x.end - p;
        if (x.start >= n && (before <= after || b.length - x.end < n)) {
            System.arraycopy(b, x.start, b, x.start - n, before);
            x.start -= n;
            p -= n;
        } else if (b.length - x.end >= n) {
            System.arraycopy(b, p, b, p + n, after);
            x.end += n;
        } else {
            int used = x.used();
            int cap = used + n + (isEnd(x) ? slack(used + n) : 0);
            int front = isEnd(x) ? (cap - used - n) >> 1 : 0;
            byte[] nb = new byte[cap];
            System.arraycopy(b, x.start, nb, front, before);
            System.arraycopy(b, p, nb, front + before + n, after);
            bytes += arrayBytes(cap) - arrayBytes(b.length);
            x.buf = b = nb;
            x.start = front;
            x.end = front + used + n;
            p = front + before;
        }
        System.arraycopy(enc, 0, b, p, n);
        x.count++;
        size++;
    }

    // ------------------------------------------------------------ whole list

    @Override
    public StoredValue copy() {
        ListValue c = new ListValue();
        for (Node x = head; x != null; x = x.next) {
            Node y = c.newNode(x.used());
            System.arraycopy(x.buf, x.start, y.buf, 0, x.used());
            y.end = x.used();
            y.count = x.count;
            c.linkAfter(c.tail, y);
        }
        c.size = size;
        c.expireAt = expireAt;
        return c;
    }

    /**
     * Appends a node holding these already encoded entries (RDB loading: a
     * quicklist is restored with its node boundaries, as Redis's
     * quicklistAppendListpack does). The caller has validated the entries.
     */
    public void appendNode(byte[] entries, int off, int len, int count) {
        Node x = newNode(len);
        System.arraycopy(entries, off, x.buf, 0, len);
        x.end = len;
        x.count = count;
        linkAfter(tail, x);
        size += count;
    }

    /** Receives each node's entries in order (RDB: each node is one listpack). */
    public interface NodeVisitor {
        void visit(byte[] buf, int start, int end, int count);
    }

    public void forEachNode(NodeVisitor v) {
        for (Node x = head; x != null; x = x.next) v.visit(x.buf, x.start, x.end, x.count);
    }

    /** Every element, head to tail (tests, debugging). */
    public byte[][] toArray() {
        byte[][] out = new byte[(int) size][];
        int i = 0;
        for (Cursor c = cursor(0); c.valid(); c.next()) out[i++] = c.value();
        return out;
    }

    /** Checks the structure's invariants (tests). */
    public void verify() {
        long n = 0;
        long b = 0;
        int k = 0;
        Node prev = null;
        for (Node x = head; x != null; x = x.next) {
            if (x.prev != prev) throw new IllegalStateException("broken prev link");
            if (x.count <= 0) throw new IllegalStateException("empty node");
            int c = 0;
            for (int p = x.start; p < x.end; p += Listpack.entrySize(x.buf, p)) c++;
            if (c != x.count) throw new IllegalStateException("node count " + x.count + " but " + c + " entries");
            n += x.count;
            b += NODE_BYTES + arrayBytes(x.buf.length);
            k++;
            prev = x;
        }
        if (prev != tail) throw new IllegalStateException("tail mismatch");
        if (n != size) throw new IllegalStateException("size " + size + " but " + n);
        if (b != bytes) throw new IllegalStateException("bytes " + bytes + " but " + b);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        for (Cursor c = cursor(0); c.valid(); c.next()) {
            if (s.length() > 1) s.append(", ");
            s.append(new String(c.value(), java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        return s.append(']').toString();
    }
}
