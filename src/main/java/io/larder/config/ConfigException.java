package io.larder.config;

/** A rejected configuration value; the message is Redis's reason text. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
