package io.larder.command;

/**
 * An error reply raised by a command. The message is the full Redis error
 * text including its code ("ERR ...", "WRONGTYPE ..."). Stack traces are not
 * filled in: these are control flow, and common ones are preallocated in
 * {@link Errors}.
 */
public class CommandError extends RuntimeException {
    public CommandError(String message) {
        super(message, null, false, false);
    }
}
