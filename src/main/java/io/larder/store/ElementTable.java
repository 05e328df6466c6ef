package io.larder.store;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The hashtable encoding of sets and hashes: an open-addressing,
 * linear-probing table of byte-string entries. For a set an entry is the
 * member itself; for a hash ({@code pairs}) it is one array holding the
 * field and the value ({@link #pairEntry}), so a field costs one array, not
 * Redis's dictEntry plus two sds strings.
 *
 * <p>The table follows {@link Segment}'s design, for the same reasons: the
 * home slot of a 32-bit hash is {@code (hash * capacity) >>> 32}, a monotone
 * function of the hash; deletion shifts later entries back (no tombstones).
 * The entries whose hashes lie in a range are therefore exactly those between
 * the range's first home slot and the first empty slot after its last home
 * slot, whatever the capacity, so a scan cursor can be a hash position and a
 * resize between two HSCAN/SSCAN calls cannot make an element be missed or
 * repeated. {@code hashes[i] == 0} marks an empty slot (a position of 0 is
 * stored as 1).
 *
 * <p>Positions are the keyed {@link KeyHash} mixed with a per-table salt. A
 * monotone table iterates in position order, and inserting elements in
 * position order into a growing table of the same positions crowds them into
 * the low slots as one long cluster: quadratic time for SUNIONSTORE of two
 * big sets, or for a client copying a set from SMEMBERS into SADD. With a
 * salt per table, one table's order is random to every other table.
 */
public final class ElementTable {
    private static final int MIN_CAPACITY = 4;
    /** Hash positions span [0, 2^32). */
    public static final long HASH_SPACE = 1L << 32;

    private final boolean pairs;
    /** Mixed into positions: see the class comment. */
    private final long salt;
    private int[] hashes;
    private byte[][] entries;
    private int capacity;
    private int size;
    /** Heap bytes of the entry arrays. */
    private long entryBytes;

    /** A table sized for {@code expected} entries without resizing. */
    public ElementTable(boolean pairs, int expected) {
        this(pairs, expected, java.util.concurrent.ThreadLocalRandom.current().nextLong());
    }

    /** A table whose positions are those of {@code template} (so a scan cursor of one is valid in the other). */
    public ElementTable(boolean pairs, int expected, ElementTable template) {
        this(pairs, expected, template.salt);
    }

    private ElementTable(boolean pairs, int expected, long salt) {
        this.pairs = pairs;
        this.salt = salt;
        allocate(Math.max(MIN_CAPACITY, (int) Math.min(Integer.MAX_VALUE - 8, expected * 4L / 3 + 1)));
    }

    private void allocate(int cap) {
        capacity = cap;
        hashes = new int[cap];
        entries = new byte[cap][];
    }

    public int size() {
        return size;
    }

    public boolean pairs() {
        return pairs;
    }

    /**
     * The position of a member or field in this table: its keyed hash mixed
     * with the table's salt (murmur3's finalizer), 32 bits, never 0.
     */
    public int hash(byte[] b, int off, int len) {
        long x = KeyHash.hash(b, off, len) + salt;
        x = (x ^ (x >>> 33)) * 0xff51afd7ed558ccdL;
        x = (x ^ (x >>> 33)) * 0xc4ceb9fe1a85ec53L;
        int h = (int) ((x ^ (x >>> 33)) >>> 32);
        return h == 0 ? 1 : h;
    }

    private int home(int h) {
        return (int) (((h & 0xFFFFFFFFL) * capacity) >>> 32);
    }

    private int homeOfPosition(long pos) {
        return (int) ((pos * capacity) >>> 32);
    }

    // ------------------------------------------------------------ entries of hashes

    /** A hash entry: the field's length (varint), the field, the value. */
    public static byte[] pairEntry(byte[] f, int foff, int flen, byte[] v, int voff, int vlen) {
        int h = Varint.size(flen);
        byte[] e = new byte[h + flen + vlen];
        int p = Varint.write(e, 0, flen);
        System.arraycopy(f, foff, e, p, flen);
        System.arraycopy(v, voff, e, p + flen, vlen);
        return e;
    }

    public static int fieldLength(byte[] e) {
        return Varint.read(e, 0);
    }

    public static int fieldOffset(byte[] e) {
        return Varint.size(Varint.read(e, 0));
    }

    public static int valueOffset(byte[] e) {
        int fl = Varint.read(e, 0);
        return Varint.size(fl) + fl;
    }

    public static int valueLength(byte[] e) {
        return e.length - valueOffset(e);
    }

    private boolean keyEquals(byte[] e, byte[] k, int off, int len) {
        if (!pairs) return e.length == len && Arrays.equals(e, 0, len, k, off, off + len);
        int fl = Varint.read(e, 0);
        if (fl != len) return false;
        int o = Varint.size(fl);
        return Arrays.equals(e, o, o + len, k, off, off + len);
    }

    // ------------------------------------------------------------ operations

    /** The slot of a member or field, or -1. */
    public int find(byte[] k, int off, int len) {
        return find(k, off, len, hash(k, off, len));
    }

    public int find(byte[] k, int off, int len, int h) {
        if (size == 0) return -1;
        int[] hs = hashes;
        byte[][] es = entries;
        int cap = capacity;
        int i = home(h);
        while (true) {
            int x = hs[i];
            if (x == 0) return -1;
            if (x == h && keyEquals(es[i], k, off, len)) return i;
            if (++i == cap) i = 0;
        }
    }

    /** The entry in a slot, or null if the slot is empty. */
    public byte[] entryAt(int slot) {
        return entries[slot];
    }

    /** Number of slots; iterate 0..capacity()-1 and skip null entries. */
    public int capacity() {
        return capacity;
    }

    /** Inserts an entry whose member/field is absent, given its {@link #hash}. */
    public void insert(byte[] entry, int h) {
        if ((size + 1) * 4L > capacity * 3L) resize(capacity + (capacity >>> 1));
        int i = home(h);
        while (hashes[i] != 0) {
            if (++i == capacity) i = 0;
        }
        hashes[i] = h;
        entries[i] = entry;
        size++;
        entryBytes += StoredValue.arrayBytes(entry.length);
    }

    /** Replaces the entry of an occupied slot with one for the same member/field. */
    public void replaceAt(int slot, byte[] entry) {
        entryBytes += StoredValue.arrayBytes(entry.length) - StoredValue.arrayBytes(entries[slot].length);
        entries[slot] = entry;
    }

    /** Adds a set member; false if present. */
    public boolean add(byte[] k, int off, int len) {
        int h = hash(k, off, len);
        if (find(k, off, len, h) >= 0) return false;
        insert(Arrays.copyOfRange(k, off, off + len), h);
        return true;
    }

    /** Removes a member or field; false if absent. */
    public boolean remove(byte[] k, int off, int len) {
        int slot = find(k, off, len);
        if (slot < 0) return false;
        removeAt(slot);
        return true;
    }

    /** Removes the entry in a slot; later entries of its cluster shift back. */
    public void removeAt(int slot) {
        entryBytes -= StoredValue.arrayBytes(entries[slot].length);
        int[] hs = hashes;
        int cap = capacity;
        int i = slot, j = slot;
        while (true) {
            if (++j == cap) j = 0;
            int h = hs[j];
            if (h == 0) break;
            int k = home(h);
            // The entry at j may move to i unless its home lies cyclically in (i, j].
            boolean stays = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
            if (stays) continue;
            hs[i] = h;
            entries[i] = entries[j];
            i = j;
        }
        hs[i] = 0;
        entries[i] = null;
        size--;
        // Shrinking keeps the load at least 1/4, which bounds the retries of randomSlot.
        if (capacity > MIN_CAPACITY && size * 4L < capacity) resize(Math.max(MIN_CAPACITY, size * 2));
    }

    private void resize(int newCap) {
        int[] oh = hashes;
        byte[][] oe = entries;
        int oc = capacity;
        allocate(newCap);
        for (int s = 0; s < oc; s++) {
            int h = oh[s];
            if (h == 0) continue;
            int i = home(h);
            while (hashes[i] != 0) {
                if (++i == newCap) i = 0;
            }
            hashes[i] = h;
            entries[i] = oe[s];
        }
    }

    /**
     * A slot chosen uniformly among the occupied ones (or -1 when empty):
     * random slots are drawn until one is occupied, so every element is
     * equally likely, unlike taking the next occupied slot after a random one.
     */
    public int randomSlot(RandomGenerator rnd) {
        if (size == 0) return -1;
        int[] hs = hashes;
        while (true) {
            int i = rnd.nextInt(capacity);
            if (hs[i] != 0) return i;
        }
    }

    // ------------------------------------------------------------ scanning

    /** Visitor for {@link #scan}. */
    public interface EntryVisitor {
        void visit(byte[] entry);
    }

    /**
     * Visits every entry whose hash position (unsigned) lies in [from, to),
     * each once. See the class comment for why this holds across resizes.
     */
    public void scan(long from, long to, EntryVisitor v) {
        if (size == 0 || from >= to) return;
        int first = homeOfPosition(from);
        int span = homeOfPosition(to - 1) - first;
        int cap = capacity;
        int[] hs = hashes;
        for (int s = 0; s < cap; s++) {
            int i = first + s;
            if (i >= cap) i -= cap;
            int h = hs[i];
            if (h == 0) {
                if (s > span) break;
                continue;
            }
            long p = h & 0xFFFFFFFFL;
            if (p >= from && p < to) v.visit(entries[i]);
        }
    }

    /** About how wide a hash range holds {@code count} entries, so a scan step returns about COUNT. */
    public long hashWidthFor(long count) {
        if (size == 0) return HASH_SPACE;
        double w = (double) HASH_SPACE * count / size;
        return (long) Math.max(1, Math.min(HASH_SPACE, w));
    }

    // ------------------------------------------------------------ accounting

    /** Heap bytes: the two slot arrays, the entry arrays and this object. */
    public long memory() {
        return 32 + StoredValue.arrayBytes(capacity * 4) + StoredValue.arrayBytes(capacity * 4) + entryBytes;
    }

    /**
     * A copy sharing the entry arrays: entries are never modified in place
     * (an update stores a new array), so sharing them is safe.
     */
    public ElementTable copy() {
        ElementTable t = new ElementTable(pairs, 0, salt);
        t.capacity = capacity;
        t.hashes = hashes.clone();
        t.entries = entries.clone();
        t.size = size;
        t.entryBytes = entryBytes;
        return t;
    }
}
