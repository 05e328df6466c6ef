package io.larder.persist;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * rdb-key-save-delay and key-load-delay (Redis's debugDelay): a pause after
 * each key saved or loaded, in microseconds; a negative value -N pauses one
 * microsecond with probability 1/N. Tests use them to make saving and
 * loading slow enough to observe.
 */
final class Delays {
    private Delays() {}

    static void keySaved(long micros) {
        if (micros != 0) pause(micros);
    }

    static void pause(long micros) {
        if (micros < 0) micros = ThreadLocalRandom.current().nextLong(-micros) == 0 ? 1 : 0;
        if (micros > 0) LockSupport.parkNanos(micros * 1000);
    }
}
