package io.larder.store.zset;

/**
 * An interval of a sorted set, by score or by member (lex). The tests take
 * an element as (score, member bytes) so the same range works on the packed
 * encoding (members inside one buffer) and on tree entries.
 */
public abstract sealed class ZRange permits ScoreRange, LexRange {
    /** The element is at or past the lower bound. */
    public abstract boolean gteMin(double score, byte[] m, int off, int len);

    /** The element is at or before the upper bound. */
    public abstract boolean lteMax(double score, byte[] m, int off, int len);

    /** Bounds that cannot contain anything (min above max, or equal with an exclusive end). */
    public abstract boolean empty();

    /** The tests on a tree element whose score is already at hand. */
    final boolean gteMinEntry(double score, byte[] e) {
        return gteMin(score, e, ZEntry.HEADER, e.length - ZEntry.HEADER);
    }

    final boolean lteMaxEntry(double score, byte[] e) {
        return lteMax(score, e, ZEntry.HEADER, e.length - ZEntry.HEADER);
    }

    final boolean gteMin(byte[] e) {
        return gteMin(ZEntry.score(e), e, ZEntry.HEADER, e.length - ZEntry.HEADER);
    }

    final boolean lteMax(byte[] e) {
        return lteMax(ZEntry.score(e), e, ZEntry.HEADER, e.length - ZEntry.HEADER);
    }
}
