package io.larder.command;

/**
 * A command turned away before it ran, as Redis's processCommand rejects
 * (here: -BUSY while a script runs past busy-reply-threshold, noticed while
 * waiting for the keyspace). Unlike a {@link CommandError} it does not count
 * as a call: it counts as rejected and fails an open MULTI.
 */
public final class CommandRejected extends RuntimeException {
    public CommandRejected(String message) {
        super(message, null, false, false);
    }
}
