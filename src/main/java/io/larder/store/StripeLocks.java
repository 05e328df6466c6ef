package io.larder.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * One mutual-exclusion lock per segment stripe. A lock word per 64-byte cache
 * line so stripes never share a line. Acquisition is a CAS; under contention
 * it spins briefly, then yields, then parks with growing pauses. Critical
 * sections are single commands, so waits are short; a holder never waits for
 * a client.
 */
public final class StripeLocks {
    private static final int PAD = 16; // ints per cache line
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    private final int[] state;
    private final int count;

    public StripeLocks(int count) {
        this.count = count;
        this.state = new int[count * PAD];
    }

    public int count() {
        return count;
    }

    public void lock(int stripe) {
        if (!INTS.compareAndSet(state, stripe * PAD, 0, 1)) lockSlow(stripe);
    }

    public boolean tryLock(int stripe) {
        return INTS.compareAndSet(state, stripe * PAD, 0, 1);
    }

    private void lockSlow(int stripe) {
        int i = stripe * PAD;
        int spins = 0;
        long park = 1_000;
        while (true) {
            if ((int) INTS.getOpaque(state, i) == 0 && INTS.compareAndSet(state, i, 0, 1)) return;
            if (spins < 200) {
                Thread.onSpinWait();
            } else if (spins < 260) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(park);
                if (park < 500_000) park <<= 1;
            }
            spins++;
        }
    }

    public void unlock(int stripe) {
        INTS.setRelease(state, stripe * PAD, 0);
    }

    public boolean isLocked(int stripe) {
        return (int) INTS.getVolatile(state, stripe * PAD) != 0;
    }
}
