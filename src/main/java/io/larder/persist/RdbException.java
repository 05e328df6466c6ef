package io.larder.persist;

/**
 * An RDB file or DUMP payload that cannot be read: corrupt, truncated, or
 * holding something Larder cannot load. Carries the byte offset where the
 * problem was found, for the messages start-up and --check-rdb print.
 */
public final class RdbException extends RuntimeException {
    private final long offset;
    /** True for a short read (the data ends early) rather than bad content. */
    private final boolean eof;

    public RdbException(String message, long offset) {
        this(message, offset, false);
    }

    public RdbException(String message, long offset, boolean eof) {
        super(message);
        this.offset = offset;
        this.eof = eof;
    }

    public long offset() {
        return offset;
    }

    public boolean isEof() {
        return eof;
    }
}
