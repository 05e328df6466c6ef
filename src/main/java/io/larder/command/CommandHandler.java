package io.larder.command;

/** Executes one command; replies through {@link CommandContext#reply()}. */
@FunctionalInterface
public interface CommandHandler {
    void handle(CommandContext c);
}
