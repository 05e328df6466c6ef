package io.larder.protocol;

/**
 * Malformed input from a client. Redis answers with {@code -ERR Protocol
 * error: <message>} and closes the connection after the reply is written.
 */
public final class ProtocolException extends Exception {
    public ProtocolException(String message) {
        super(message, null, false, false);
    }
}
