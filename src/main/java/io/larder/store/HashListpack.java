package io.larder.store;

import io.larder.util.Numbers;
import java.util.Arrays;

/**
 * The listpack encoding of a small hash: fields and values alternating, as
 * Redis's listpack entries ({@link Listpack}'s codec: canonical integers
 * stored as integers, so "1000" costs three bytes), in one array. Memory is
 * Redis's listpack plus at most an eighth of spare room; lookups are linear
 * scans, exactly as Redis's are, which is why a hash leaves this encoding
 * past hash-max-listpack-entries. Iteration is insertion order, which Redis's
 * replies (HGETALL, HKEYS ...) expose and Larder's must match.
 *
 * <p>Entries are addressed by byte position, valid until the next change.
 * Because the codec is a bijection between strings and entry bytes, an
 * integer-looking string is found by comparing integers and any other by
 * comparing bytes.
 */
public final class HashListpack {
    private static final byte[] EMPTY = new byte[0];

    private byte[] data = EMPTY;
    private int used;
    private int count;

    public HashListpack() {}

    private HashListpack(byte[] data, int used, int count) {
        this.data = data;
        this.used = used;
        this.count = count;
    }

    /**
     * A listpack over already encoded, validated entries (RDB loading, RESTORE):
     * {@code data[0, used)} holding {@code count} entries. Takes the array.
     */
    public static HashListpack of(byte[] data, int used, int count) {
        return new HashListpack(data, used, count);
    }

    /** The entries' array; bytes [0, {@link #usedBytes()}) are the entries. Valid until the next change. */
    public byte[] rawEntries() {
        return data;
    }

    public int usedBytes() {
        return used;
    }

    /** Number of entries (twice the number of fields). */
    public int count() {
        return count;
    }

    /** Position of the first entry, or -1 when empty. */
    public int first() {
        return used == 0 ? -1 : 0;
    }

    /** Position of the entry after the one at pos, or -1 at the end. */
    public int next(int pos) {
        int n = pos + Listpack.entrySize(data, pos);
        return n >= used ? -1 : n;
    }

    /** Position of the entry with this index (a linear walk). */
    public int seek(int index) {
        int p = 0;
        for (int i = 0; i < index; i++) p += Listpack.entrySize(data, p);
        return p;
    }

    /** Points a slice at the string the entry at pos holds (integers as decimal digits in the slice's own buffer). */
    public void get(int pos, Slice out) {
        if (Listpack.isString(data, pos)) {
            out.set(data, Listpack.strOffset(data, pos), Listpack.strLength(data, pos));
        } else {
            out.setLong(Listpack.intValue(data, pos));
        }
    }

    /** Length of the string the entry at pos holds. */
    public int length(int pos) {
        if (Listpack.isString(data, pos)) return Listpack.strLength(data, pos);
        long v = Listpack.intValue(data, pos);
        return v < 0 ? 1 + Numbers.digitCount(v == Long.MIN_VALUE ? Long.MAX_VALUE : -v) : Numbers.digitCount(v);
    }

    /** Position of the field (an entry at an even index) equal to the given bytes, or -1. */
    public int findField(byte[] k, int off, int len) {
        byte[] d = data;
        int p = 0, end = used;
        if (Listpack.isInt(k, off, len)) {
            long v = Numbers.parseLong(k, off, len);
            while (p < end) {
                if (!Listpack.isString(d, p) && Listpack.intValue(d, p) == v) return p;
                p += Listpack.entrySize(d, p);
                p += Listpack.entrySize(d, p);
            }
            return -1;
        }
        while (p < end) {
            if (Listpack.isString(d, p) && Listpack.strLength(d, p) == len) {
                int o = Listpack.strOffset(d, p);
                if (Arrays.equals(d, o, o + len, k, off, off + len)) return p;
            }
            p += Listpack.entrySize(d, p);
            p += Listpack.entrySize(d, p);
        }
        return -1;
    }

    /** Appends one entry. */
    public void append(byte[] b, int off, int len) {
        int size = Listpack.encodedSize(b, off, len);
        ensure(used + size);
        Listpack.write(data, used, b, off, len);
        used += size;
        count++;
    }

    /** Replaces the entry at pos with one holding other bytes. */
    public void replace(int pos, byte[] b, int off, int len) {
        int oldSize = Listpack.entrySize(data, pos);
        int newSize = Listpack.encodedSize(b, off, len);
        int tail = pos + oldSize;
        if (newSize != oldSize) {
            ensure(used - oldSize + newSize);
            System.arraycopy(data, tail, data, pos + newSize, used - tail);
            used += newSize - oldSize;
        }
        Listpack.write(data, pos, b, off, len);
        if (newSize < oldSize) trim();
    }

    /** Removes n consecutive entries starting at pos. */
    public void delete(int pos, int n) {
        int end = pos;
        for (int i = 0; i < n; i++) end += Listpack.entrySize(data, end);
        System.arraycopy(data, end, data, pos, used - end);
        used -= end - pos;
        count -= n;
        trim();
    }

    // Spare room is at most an eighth: appends stay amortised O(1) copies of
    // the array while the memory cost stays close to an exactly sized one.
    private void ensure(int need) {
        if (need <= data.length) return;
        data = Arrays.copyOf(data, Math.max(need, data.length + (data.length >>> 3) + 8));
    }

    private void trim() {
        if (used == 0) data = EMPTY;
        else if (used < data.length - (data.length >>> 2)) data = Arrays.copyOf(data, used + (used >>> 3));
    }

    /** The entries as Redis lays them out in a listpack (without header and terminator). */
    public byte[] entries() {
        return Arrays.copyOf(data, used);
    }

    /** Heap bytes: this object and its array. */
    public long memory() {
        return 24 + StoredValue.arrayBytes(data.length);
    }

    public HashListpack copy() {
        return new HashListpack(Arrays.copyOf(data, used), used, count);
    }
}
