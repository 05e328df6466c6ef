package io.larder.command;

import io.larder.protocol.Args;

/**
 * Finds the key positions of a command whose key specs are not enough (Redis's
 * getkeys_proc). Returns the number of positions written into {@code out};
 * {@code out} has room for {@code args.count()} positions.
 */
@FunctionalInterface
public interface KeyExtractor {
    int keys(Args args, int[] out);
}
