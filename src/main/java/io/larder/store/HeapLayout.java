package io.larder.store;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * The sizes of the running JVM's objects, so that memory accounting
 * (used_memory, MEMORY USAGE, eviction) charges what the heap really holds.
 * They depend on flags the launcher chooses: compact object headers (8-byte
 * headers, array lengths in the 12-byte array header) and compressed
 * references (4-byte references, unavailable with ZGC or heaps over 32 GB).
 * Read once from the VM's own flags; the defaults are HotSpot's without
 * compact headers.
 */
public final class HeapLayout {
    private HeapLayout() {}

    /** Bytes before the first element of a byte[] (and of int[], and Object[] with 4-byte references). */
    public static final int ARRAY_HEADER;
    /** Bytes of an object's header (fields start here). */
    public static final int OBJECT_HEADER;
    /** Bytes of a reference field or Object[] element. */
    public static final int REFERENCE;
    /** Object alignment. */
    public static final int ALIGNMENT;

    static {
        boolean compact = false, oops = true;
        int align = 8;
        try {
            HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            compact = Boolean.parseBoolean(hs.getVMOption("UseCompactObjectHeaders").getValue());
            oops = Boolean.parseBoolean(hs.getVMOption("UseCompressedOops").getValue());
            align = Integer.parseInt(hs.getVMOption("ObjectAlignmentInBytes").getValue());
        } catch (RuntimeException | LinkageError e) {
            // Not HotSpot, or an older one without the flag: keep the defaults.
        }
        OBJECT_HEADER = compact ? 8 : 12;
        ARRAY_HEADER = compact ? 12 : 16;
        REFERENCE = oops ? 4 : 8;
        ALIGNMENT = align;
    }

    /** Rounds a size up to the object alignment. */
    public static long align(long bytes) {
        return (bytes + ALIGNMENT - 1) & -(long) ALIGNMENT;
    }

    /** Heap bytes of a byte[] of this length. */
    public static long bytes(int len) {
        return align(ARRAY_HEADER + (long) len);
    }

    /** Heap bytes of an int[] of this length. */
    public static long ints(int len) {
        return align(ARRAY_HEADER + 4L * len);
    }

    /** Heap bytes of a long[] (or double[]) of this length: 8-byte elements start 8-aligned. */
    public static long longs(int len) {
        return align(((ARRAY_HEADER + 7) & ~7) + 8L * len);
    }

    /** Heap bytes of an Object[] of this length. */
    public static long refs(int len) {
        int header = REFERENCE == 8 ? (ARRAY_HEADER + 7) & ~7 : ARRAY_HEADER;
        return align(header + (long) REFERENCE * len);
    }

    /** Heap bytes of an object with this many reference fields and this many bytes of primitive fields. */
    public static long object(int references, int primitiveBytes) {
        return align(OBJECT_HEADER + (long) references * REFERENCE + primitiveBytes);
    }
}
