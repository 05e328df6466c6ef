package io.larder.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A sorted array of distinct integers stored 2, 4 or 8 bytes wide, the width
 * of the widest member: Redis's intset, the encoding of small sets whose
 * members are all integers. Iteration is in ascending order, which Redis's
 * replies expose (SMEMBERS of an intset is sorted), so Larder's must match.
 */
public final class IntSet {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final byte[] EMPTY = new byte[0];

    private byte[] data = EMPTY;
    private int width = 2;
    private int size;

    public IntSet() {}

    private IntSet(byte[] data, int width, int size) {
        this.data = data;
        this.width = width;
        this.size = size;
    }

    public int size() {
        return size;
    }

    /** Bytes of Redis's intset blob: encoding (u32), length (u32), the members. */
    public int blobLength() {
        return 8 + size * width;
    }

    /** Writes Redis's intset blob (little endian, as this class stores members) at dst[off]. */
    public void writeBlob(byte[] dst, int off) {
        INT.set(dst, off, width);
        INT.set(dst, off + 4, size);
        System.arraycopy(data, 0, dst, off + 8, size * width);
    }

    /**
     * An intset over Redis's blob layout: {@code count} members of
     * {@code width} bytes at {@code b[off]}, already validated (strictly
     * ascending, the width of the widest member or wider).
     */
    public static IntSet fromMembers(byte[] b, int off, int width, int count) {
        return new IntSet(java.util.Arrays.copyOfRange(b, off, off + width * count), width, count);
    }

    /** The member at index i, in ascending order. */
    public long get(int i) {
        return read(data, width, i);
    }

    private static long read(byte[] d, int w, int i) {
        return switch (w) {
            case 2 -> (short) SHORT.get(d, i << 1);
            case 4 -> (int) INT.get(d, i << 2);
            default -> (long) LONG.get(d, i << 3);
        };
    }

    private static void write(byte[] d, int w, int i, long v) {
        switch (w) {
            case 2 -> SHORT.set(d, i << 1, (short) v);
            case 4 -> INT.set(d, i << 2, (int) v);
            default -> LONG.set(d, i << 3, v);
        }
    }

    private static int widthFor(long v) {
        if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) return 2;
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) return 4;
        return 8;
    }

    /** Index of v, or -(insertion point) - 1. */
    public int search(long v) {
        if (size == 0 || widthFor(v) > width) {
            // A value wider than every member is beyond one end.
            return size == 0 || v < 0 ? -1 : -size - 1;
        }
        int lo = 0, hi = size - 1;
        byte[] d = data;
        int w = width;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long x = read(d, w, mid);
            if (x < v) lo = mid + 1;
            else if (x > v) hi = mid - 1;
            else return mid;
        }
        return -lo - 1;
    }

    public boolean contains(long v) {
        return search(v) >= 0;
    }

    /** Adds v; false if it was already a member. */
    public boolean add(long v) {
        int w = widthFor(v);
        if (w > width) {
            upgradeAndAdd(v, w);
            return true;
        }
        int i = search(v);
        if (i >= 0) return false;
        i = -i - 1;
        ensure((size + 1) * width);
        System.arraycopy(data, i * width, data, (i + 1) * width, (size - i) * width);
        write(data, width, i, v);
        size++;
        return true;
    }

    // A value that needs a wider encoding is smaller or larger than every member,
    // so it goes first or last, as in Redis's intsetUpgradeAndAdd.
    private void upgradeAndAdd(long v, int w) {
        byte[] d = new byte[capacityFor((size + 1) * w)];
        int shift = v < 0 ? 1 : 0;
        for (int i = 0; i < size; i++) write(d, w, i + shift, read(data, width, i));
        write(d, w, v < 0 ? 0 : size, v);
        data = d;
        width = w;
        size++;
    }

    /** Removes v; false if it was not a member. */
    public boolean remove(long v) {
        int i = search(v);
        if (i < 0) return false;
        removeAt(i);
        return true;
    }

    public void removeAt(int i) {
        System.arraycopy(data, (i + 1) * width, data, i * width, (size - i - 1) * width);
        size--;
        int used = size * width;
        if (used == 0) data = EMPTY;
        else if (used < data.length - (data.length >>> 2)) data = Arrays.copyOf(data, capacityFor(used));
    }

    private void ensure(int bytes) {
        if (bytes <= data.length) return;
        data = Arrays.copyOf(data, Math.max(bytes, capacityFor(bytes)));
    }

    // At most an eighth spare, like Listpack.
    private static int capacityFor(int bytes) {
        return bytes + (bytes >>> 3);
    }

    /** Heap bytes: this object and its array. */
    public long memory() {
        return 24 + StoredValue.arrayBytes(data.length);
    }

    public IntSet copy() {
        return new IntSet(Arrays.copyOf(data, size * width), width, size);
    }
}
