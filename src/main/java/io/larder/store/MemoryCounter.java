package io.larder.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The running total of the heap bytes the keyspace holds (entries and the
 * segments' tables): the data-set part of used_memory, read before every
 * command while maxmemory is set, so it must be cheap to read and exact.
 *
 * <p>Segments add their changes here under their stripe lock, so several
 * threads add at once. One shared counter would make every write command
 * contend for one cache line; instead a thread adds to one of a few padded
 * cells chosen by its id (an atomic add on a line that thread mostly owns),
 * and a read sums the cells. Unlike a per-thread batch folded in now and
 * then, the sum is exact at every moment.
 */
public final class MemoryCounter {
    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int CELL_COUNT = 16;
    /** Longs between two cells: 128 bytes, two cache lines, so adjacent-line prefetch does not share them. */
    private static final int STRIDE = 16;

    private final long[] cells = new long[CELL_COUNT * STRIDE];

    /** Adds a change in bytes (negative when memory is released). */
    public void add(long delta) {
        if (delta == 0) return;
        int i = ((int) Thread.currentThread().threadId() & (CELL_COUNT - 1)) * STRIDE;
        CELLS.getAndAdd(cells, i, delta);
    }

    /** The current total. */
    public long get() {
        long n = 0;
        for (int i = 0; i < CELL_COUNT * STRIDE; i += STRIDE) n += (long) CELLS.getVolatile(cells, i);
        return n;
    }
}
