package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.config.KeyspaceEvents;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.server.BlockingController;
import io.larder.server.BlockingController.Outcome;
import io.larder.server.LarderServer;
import io.larder.store.Database;
import io.larder.store.Keyspace;
import io.larder.store.Lookup;
import io.larder.store.SetValue;
import io.larder.store.StoredValue;
import io.larder.store.zset.LexRange;
import io.larder.store.zset.ScoreRange;
import io.larder.store.zset.SortedSet;
import io.larder.store.zset.ZCursor;
import io.larder.store.zset.ZRange;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The sorted set family (Redis's t_zset.c): ZADD and friends, ranges by
 * rank, score and lex, the set operations, pops and ZSCAN. Replies, error
 * texts and the order of checks follow Redis 7.0 command by command; the
 * comments name the Redis function a method mirrors where that helps.
 */
public final class SortedSetCommands {
    private final LarderServer server;
    private final BlockingController blocking;
    /** zset-max-listpack-entries / zset-max-listpack-value, kept current by CONFIG SET. */
    private volatile long maxEntries;
    private volatile long maxValue;

    public SortedSetCommands(LarderServer server) {
        this.server = server;
        this.blocking = server.blocking();
        server.config().watch("zset-max-listpack-entries", p -> maxEntries = ((io.larder.config.Config.NumParam) p).value());
        server.config().watch("zset-max-listpack-value", p -> maxValue = ((io.larder.config.Config.NumParam) p).value());
    }

    public void register(CommandTable t) {
        t.add("zadd", c -> zadd(c, 0));
        t.add("zincrby", c -> zadd(c, SortedSet.IN_INCR));
        t.add("zrem", this::zrem);
        t.add("zcard", this::zcard);
        t.add("zscore", this::zscore);
        t.add("zmscore", this::zmscore);
        t.add("zrank", c -> zrank(c, false));
        t.add("zrevrank", c -> zrank(c, true));
        t.add("zcount", this::zcount);
        t.add("zlexcount", this::zlexcount);
        t.add("zrange", c -> zrange(c, 1, false, AUTO, AUTO));
        t.add("zrangestore", c -> zrange(c, 2, true, AUTO, AUTO));
        t.add("zrevrange", c -> zrange(c, 1, false, RANK, REVERSE));
        t.add("zrangebyscore", c -> zrange(c, 1, false, SCORE, FORWARD));
        t.add("zrevrangebyscore", c -> zrange(c, 1, false, SCORE, REVERSE));
        t.add("zrangebylex", c -> zrange(c, 1, false, LEX, FORWARD));
        t.add("zrevrangebylex", c -> zrange(c, 1, false, LEX, REVERSE));
        t.add("zremrangebyrank", c -> zremrange(c, RANK));
        t.add("zremrangebyscore", c -> zremrange(c, SCORE));
        t.add("zremrangebylex", c -> zremrange(c, LEX));
        t.add("zunion", c -> setOperation(c, false, 1, UNION, false));
        t.add("zinter", c -> setOperation(c, false, 1, INTER, false));
        t.add("zdiff", c -> setOperation(c, false, 1, DIFF, false));
        t.add("zintercard", c -> setOperation(c, false, 1, INTER, true));
        t.add("zunionstore", c -> setOperation(c, true, 2, UNION, false));
        t.add("zinterstore", c -> setOperation(c, true, 2, INTER, false));
        t.add("zdiffstore", c -> setOperation(c, true, 2, DIFF, false));
        t.add("zpopmin", c -> zpop(c, false));
        t.add("zpopmax", c -> zpop(c, true));
        t.add("zmpop", this::zmpop);
        t.add("bzpopmin", c -> bzpop(c, false));
        t.add("bzpopmax", c -> bzpop(c, true));
        t.add("bzmpop", this::bzmpop);
        t.add("zrandmember", this::zrandmember);
        t.add("zscan", this::zscan);
    }

    // ------------------------------------------------------------ shared helpers

    static final CommandError NAN_SCORE = Errors.err("resulting score is not a number (NaN)");
    static final CommandError NOT_FLOAT_RANGE = Errors.err("min or max is not a float");
    static final CommandError NOT_LEX_RANGE = Errors.err("min or max not valid string range item");

    /** The entry as a sorted set, null when absent, WRONGTYPE for any other type. */
    static SortedSet zset(Object e) {
        if (e == null) return null;
        if (e instanceof SortedSet z) return z;
        throw Errors.WRONGTYPE;
    }

    /** Stores a value the family built under key argument i, as Redis's setKey (the TTL goes); GEO*STORE too. */
    static void setKey(CommandContext c, Database db, int i, StoredValue v) {
        c.write(db, i);
        v.init(c.args().bytes(i), StoredValue.NO_EXPIRE, Keyspace.lruClock(c.now()));
        c.put(db, c.lookup(), v);
        c.keyModified(db, i);
    }

    /** Deletes key argument i if present (a store with an empty result, here or in GEO*STORE); true if it existed. */
    static boolean deleteKey(CommandContext c, Database db, int i) {
        if (c.write(db, i) == null) return false;
        db.remove(c.lookup());
        c.keyModified(db, i);
        c.notify(KeyspaceEvents.GENERIC, "del", db, i);
        return true;
    }

    /** After removing members in place: drops the key when empty (true) or re-accounts it. */
    private static boolean removeIfEmpty(Database db, Lookup l, SortedSet z) {
        if (z.size() == 0) {
            db.remove(l);
            return true;
        }
        db.updated(l);
        return false;
    }

    /** getPositiveLongFromObjectOrReply: one message (by default "must be positive") for both failures. */
    private static long positiveLong(CommandContext c, int i, CommandError err) {
        if (err == null) err = Errors.NOT_POSITIVE;
        long v;
        try {
            v = c.args().longAt(i);
        } catch (RuntimeException e) {
            throw err;
        }
        if (v < 0) throw err;
        return v;
    }

    private static ScoreRange scoreRange(Args a, int min, int max) {
        ScoreRange r = ScoreRange.parse(a.buf(), a.off(min), a.len(min), a.buf(), a.off(max), a.len(max));
        if (r == null) throw NOT_FLOAT_RANGE;
        return r;
    }

    private static LexRange lexRange(Args a, int min, int max) {
        LexRange r = LexRange.parse(a.buf(), a.off(min), a.len(min), a.buf(), a.off(max), a.len(max));
        if (r == null) throw NOT_LEX_RANGE;
        return r;
    }

    // ------------------------------------------------------------ ZADD, ZINCRBY

    /** zaddGenericCommand: ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member ... (and ZINCRBY). */
    void zadd(CommandContext c, int flags) {
        Args a = c.args();
        int argc = a.count();
        boolean ch = false;
        int idx = 2;
        while (idx < argc) {
            if (a.is(idx, "nx")) flags |= SortedSet.IN_NX;
            else if (a.is(idx, "xx")) flags |= SortedSet.IN_XX;
            else if (a.is(idx, "ch")) ch = true;
            else if (a.is(idx, "incr")) flags |= SortedSet.IN_INCR;
            else if (a.is(idx, "gt")) flags |= SortedSet.IN_GT;
            else if (a.is(idx, "lt")) flags |= SortedSet.IN_LT;
            else break;
            idx++;
        }
        boolean incr = (flags & SortedSet.IN_INCR) != 0, nx = (flags & SortedSet.IN_NX) != 0;
        boolean xx = (flags & SortedSet.IN_XX) != 0, gt = (flags & SortedSet.IN_GT) != 0;
        boolean lt = (flags & SortedSet.IN_LT) != 0;
        int elements = argc - idx;
        if (elements % 2 != 0 || elements == 0) throw Errors.SYNTAX;
        elements /= 2;
        if (nx && xx) throw Errors.err("XX and NX options at the same time are not compatible");
        if ((gt && nx) || (lt && nx) || (gt && lt)) {
            throw Errors.err("GT, LT, and/or NX options at the same time are not compatible");
        }
        if (incr && elements > 1) throw Errors.err("INCR option supports a single increment-element pair");
        double[] scores = new double[elements];
        for (int j = 0; j < elements; j++) scores[j] = c.doubleArg(idx + 2 * j);

        Database db = c.db();
        Lookup l = c.lookup();
        SortedSet z = zset(c.write(1));
        Reply r = c.reply();
        if (z == null) {
            if (xx) {
                if (incr) r.nullBulk();
                else r.integer(0);
                return;
            }
            z = SortedSet.forAdd(maxEntries, maxValue, a.len(idx + 1));
            z.init(a.bytes(1), StoredValue.NO_EXPIRE, Keyspace.lruClock(c.now()));
            c.insert(db, l, z);
        }
        long added = 0, updated = 0, processed = 0;
        double score = 0;
        boolean nan = false;
        for (int j = 0; j < elements; j++) {
            int m = idx + 1 + 2 * j;
            // INCR replies with the computed score, which a listpack may store differently (-0 as 0).
            double before = incr ? z.score(a.buf(), a.off(m), a.len(m)) : Double.NaN;
            int out = z.add(scores[j], a.buf(), a.off(m), a.len(m), flags, maxEntries, maxValue);
            if ((out & SortedSet.OUT_NAN) != 0) {
                nan = true;
                break;
            }
            if ((out & SortedSet.OUT_ADDED) != 0) added++;
            if ((out & SortedSet.OUT_UPDATED) != 0) updated++;
            if ((out & SortedSet.OUT_NOP) == 0) {
                processed++;
                if (incr) score = Double.isNaN(before) ? scores[j] : before + scores[j];
            }
        }
        if (added + updated > 0) db.updated(l);
        c.dirty(added + updated);
        if (nan) {
            // Only INCR can produce NaN, and it takes one element: nothing changed.
            throw NAN_SCORE;
        } else if (incr) {
            if (processed > 0) r.doubleValue(score);
            else r.nullBulk();
        } else {
            r.integer(ch ? added + updated : added);
        }
        if (added + updated > 0) {
            c.keyModified(db, 1);
            c.notify(KeyspaceEvents.ZSET, incr ? "zincr" : "zadd", db, 1);
        }
    }

    // ------------------------------------------------------------ ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK

    void zrem(CommandContext c) {
        Args a = c.args();
        Database db = c.db();
        Lookup l = c.lookup();
        SortedSet z = zset(c.write(1));
        if (z == null) {
            c.reply().integer(0);
            return;
        }
        long deleted = 0;
        boolean removed = false;
        for (int j = 2; j < a.count(); j++) {
            if (z.remove(a.buf(), a.off(j), a.len(j))) deleted++;
            if (z.size() == 0) break;
        }
        if (deleted > 0) {
            removed = removeIfEmpty(db, l, z);
            c.notify(KeyspaceEvents.ZSET, "zrem", db, 1);
            if (removed) c.notify(KeyspaceEvents.GENERIC, "del", db, 1);
            c.keyModified(db, 1);
            c.dirty(deleted);
        }
        c.reply().integer(deleted);
    }

    void zcard(CommandContext c) {
        SortedSet z = zset(c.read(1));
        c.reply().integer(z == null ? 0 : z.size());
    }

    void zscore(CommandContext c) {
        Args a = c.args();
        SortedSet z = zset(c.read(1));
        double s = z == null ? Double.NaN : z.score(a.buf(), a.off(2), a.len(2));
        if (Double.isNaN(s)) c.reply().nullBulk();
        else c.reply().doubleValue(s);
    }

    void zmscore(CommandContext c) {
        Args a = c.args();
        SortedSet z = zset(c.read(1));
        Reply r = c.reply();
        r.array(a.count() - 2);
        for (int j = 2; j < a.count(); j++) {
            double s = z == null ? Double.NaN : z.score(a.buf(), a.off(j), a.len(j));
            if (Double.isNaN(s)) r.nullBulk();
            else r.doubleValue(s);
        }
    }

    void zrank(CommandContext c, boolean reverse) {
        Args a = c.args();
        SortedSet z = zset(c.read(1));
        long rank = z == null ? -1 : z.rank(a.buf(), a.off(2), a.len(2), reverse);
        if (rank < 0) c.reply().nullBulk();
        else c.reply().integer(rank);
    }

    // ------------------------------------------------------------ ZCOUNT, ZLEXCOUNT

    void zcount(CommandContext c) {
        ScoreRange range = scoreRange(c.args(), 2, 3);
        SortedSet z = zset(c.read(1));
        c.reply().integer(z == null ? 0 : z.countInRange(range));
    }

    void zlexcount(CommandContext c) {
        LexRange range = lexRange(c.args(), 2, 3);
        SortedSet z = zset(c.read(1));
        c.reply().integer(z == null ? 0 : z.countInRange(range));
    }

    // ------------------------------------------------------------ ZRANGE and friends

    static final int AUTO = 0, RANK = 1, SCORE = 2, LEX = 3;
    static final int FORWARD = 1, REVERSE = 2;

    /** Where ZRANGE's results go: the client, or a new sorted set (ZRANGESTORE). */
    private abstract static class RangeSink {
        boolean withScores;

        /** A known result length, or -1 when it will be known at the end. */
        abstract void begin(long length);

        abstract void emit(byte[] buf, int off, int len, double score);

        abstract void end(long count);
    }

    private static final class ClientSink extends RangeSink {
        private final Reply r;
        private boolean deferred;

        ClientSink(Reply r) {
            this.r = r;
        }

        @Override
        void begin(long length) {
            if (length > 0) {
                r.array(withScores && !r.isResp3() ? length * 2 : length);
            } else {
                r.beginDeferred();
                deferred = true;
            }
        }

        @Override
        void emit(byte[] buf, int off, int len, double score) {
            if (withScores && r.isResp3()) r.array(2);
            r.bulk(buf, off, len);
            if (withScores) r.doubleValue(score);
        }

        @Override
        void end(long count) {
            if (deferred) r.endArray(withScores && !r.isResp3() ? count * 2 : count);
        }
    }

    /** zrangeResultBeginStore/EmitForStore/FinalizeStore. */
    private final class StoreSink extends RangeSink {
        private final CommandContext c;
        private SortedSet z;

        StoreSink(CommandContext c) {
            this.c = c;
        }

        @Override
        void begin(long length) {
            z = length > maxEntries ? SortedSet.large((int) Math.min(length, 1 << 20)) : SortedSet.packed();
        }

        @Override
        void emit(byte[] buf, int off, int len, double score) {
            z.add(score, buf, off, len, 0, maxEntries, maxValue);
        }

        @Override
        void end(long count) {
            Database db = c.db();
            if (count > 0) {
                setKey(c, db, 1, z);
                c.reply().integer(count);
                c.notify(KeyspaceEvents.ZSET, "zrangestore", db, 1);
                c.dirty(1);
            } else {
                c.reply().integer(0);
                if (deleteKey(c, db, 1)) c.dirty(1);
            }
        }
    }

    /** zrangeGenericCommand: option parsing, then the rank, score or lex walk. */
    void zrange(CommandContext c, int keyIdx, boolean store, int rangeType, int direction) {
        Args a = c.args();
        int minIdx = keyIdx + 1, maxIdx = keyIdx + 2;
        boolean withScores = false;
        long offset = 0, limit = -1;
        for (int j = keyIdx + 3; j < a.count(); j++) {
            int left = a.count() - j - 1;
            if (!store && a.is(j, "withscores")) {
                withScores = true;
            } else if (a.is(j, "limit") && left >= 2) {
                offset = c.longArg(j + 1);
                limit = c.longArg(j + 2);
                j += 2;
            } else if (direction == AUTO && a.is(j, "rev")) {
                direction = REVERSE;
            } else if (rangeType == AUTO && a.is(j, "bylex")) {
                rangeType = LEX;
            } else if (rangeType == AUTO && a.is(j, "byscore")) {
                rangeType = SCORE;
            } else {
                throw Errors.SYNTAX;
            }
        }
        if (direction == AUTO) direction = FORWARD;
        if (rangeType == AUTO) rangeType = RANK;
        // Redis tests opt_limit != -1, so "LIMIT 0 -1" passes with a rank range.
        if (limit != -1 && rangeType == RANK) {
            throw Errors.err("syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        }
        if (withScores && rangeType == LEX) {
            throw Errors.err("syntax error, WITHSCORES not supported in combination with BYLEX");
        }
        boolean reverse = direction == REVERSE;
        if (reverse && rangeType != RANK) {
            int t = maxIdx;
            maxIdx = minIdx;
            minIdx = t;
        }
        long start = 0, end = 0;
        ZRange range = null;
        switch (rangeType) {
            case RANK -> {
                start = c.longArg(minIdx);
                end = c.longArg(maxIdx);
            }
            case SCORE -> range = scoreRange(a, minIdx, maxIdx);
            default -> range = lexRange(a, minIdx, maxIdx);
        }
        RangeSink sink = store ? new StoreSink(c) : new ClientSink(c.reply());
        sink.withScores = withScores || store;
        SortedSet z = zset(c.read(keyIdx));
        if (z == null) {
            if (store) {
                sink.begin(-1);
                sink.end(0);
            } else {
                c.reply().emptyArray();
            }
            return;
        }
        if (rangeType == RANK) rangeByRank(sink, z, start, end, reverse);
        else rangeByScoreOrLex(sink, z, range, offset, limit, reverse, rangeType == SCORE);
    }

    /** genericZrangebyrankCommand. */
    private static void rangeByRank(RangeSink sink, SortedSet z, long start, long end, boolean reverse) {
        long llen = z.size();
        if (start < 0) start = llen + start;
        if (end < 0) end = llen + end;
        if (start < 0) start = 0;
        if (start > end || start >= llen) {
            sink.begin(0);
            sink.end(0);
            return;
        }
        if (end >= llen) end = llen - 1;
        long n = end - start + 1;
        sink.begin(n);
        ZCursor cur = z.cursor((int) (reverse ? llen - 1 - start : start));
        for (long i = 0; i < n; i++) {
            sink.emit(cur.buf(), cur.off(), cur.len(), cur.score());
            if (reverse) cur.prev();
            else cur.next();
        }
        sink.end(n);
    }

    /** genericZrangebyscoreCommand and genericZrangebylexCommand. */
    private static void rangeByScoreOrLex(RangeSink sink, SortedSet z, ZRange range, long offset, long limit,
                                          boolean reverse, boolean byScore) {
        sink.begin(-1);
        // Only the score variant has this early exit in Redis; the lex walk gets there by itself.
        if (byScore && offset > 0 && offset >= z.size()) {
            sink.end(0);
            return;
        }
        int first = reverse ? z.lastInRange(range) : z.firstInRange(range);
        long count = 0;
        // A negative offset walks off the end in Redis: nothing is returned.
        if (first >= 0 && offset >= 0) {
            long pos = reverse ? first - offset : first + offset;
            if (pos >= 0 && pos < z.size()) {
                ZCursor cur = z.cursor((int) pos);
                while (cur.valid() && limit-- != 0) {
                    double s = cur.score();
                    boolean in = reverse ? range.gteMin(s, cur.buf(), cur.off(), cur.len())
                            : range.lteMax(s, cur.buf(), cur.off(), cur.len());
                    if (!in) break;
                    count++;
                    sink.emit(cur.buf(), cur.off(), cur.len(), s);
                    if (reverse) cur.prev();
                    else cur.next();
                }
            }
        }
        sink.end(count);
    }

    // ------------------------------------------------------------ ZREMRANGEBY*

    /** zremrangeGenericCommand. */
    void zremrange(CommandContext c, int rangeType) {
        Args a = c.args();
        long start = 0, end = 0;
        ZRange range = null;
        String event;
        switch (rangeType) {
            case RANK -> {
                event = "zremrangebyrank";
                start = c.longArg(2);
                end = c.longArg(3);
            }
            case SCORE -> {
                event = "zremrangebyscore";
                range = scoreRange(a, 2, 3);
            }
            default -> {
                event = "zremrangebylex";
                range = lexRange(a, 2, 3);
            }
        }
        Database db = c.db();
        Lookup l = c.lookup();
        SortedSet z = zset(c.write(1));
        if (z == null) {
            c.reply().integer(0);
            return;
        }
        long deleted;
        if (rangeType == RANK) {
            long llen = z.size();
            if (start < 0) start = llen + start;
            if (end < 0) end = llen + end;
            if (start < 0) start = 0;
            if (start > end || start >= llen) {
                c.reply().integer(0);
                return;
            }
            if (end >= llen) end = llen - 1;
            deleted = z.removeRanks((int) start, (int) end);
        } else {
            deleted = z.removeRange(range);
        }
        if (deleted > 0) {
            boolean removed = removeIfEmpty(db, l, z);
            c.keyModified(db, 1);
            c.notify(KeyspaceEvents.ZSET, event, db, 1);
            if (removed) c.notify(KeyspaceEvents.GENERIC, "del", db, 1);
        }
        c.dirty(deleted);
        c.reply().integer(deleted);
    }

    // ------------------------------------------------------------ ZUNION, ZINTER, ZDIFF (+STORE), ZINTERCARD

    static final int UNION = 0, INTER = 1, DIFF = 2;

    /**
     * An input of a set operation: a sorted set, or a plain set whose members
     * all score 1 (Redis accepts both). Missing keys are empty inputs.
     */
    interface MemberSource {
        int size();

        /** The member's score here, NaN when absent. */
        double score(byte[] b, int off, int len);

        void forEach(SortedSet.ElementVisitor v);
    }

    private static MemberSource source(Object e) {
        if (e == null) return null;
        if (e instanceof SortedSet z) {
            return new MemberSource() {
                @Override
                public int size() {
                    return z.size();
                }

                @Override
                public double score(byte[] b, int off, int len) {
                    return z.score(b, off, len);
                }

                @Override
                public void forEach(SortedSet.ElementVisitor v) {
                    z.forEach(v);
                }
            };
        }
        if (e instanceof SetValue set) return new SetSource(set);
        throw Errors.WRONGTYPE;
    }

    /** A plain set as an input: every member scores 1 (zuiNext / zuiFind on OBJ_SET). */
    private record SetSource(SetValue set) implements MemberSource {
        @Override
        public int size() {
            return set.size();
        }

        @Override
        public double score(byte[] b, int off, int len) {
            return set.contains(b, off, len) ? 1.0 : Double.NaN;
        }

        @Override
        public void forEach(SortedSet.ElementVisitor v) {
            SetValue.Members m = new SetValue.Members().reset(set);
            while (m.next()) {
                m.bytes();
                v.visit(m.array, m.offset, m.length, 1.0);
            }
        }
    }

    private static final class Input {
        final MemberSource src;
        final Object subject;
        double weight = 1;

        Input(MemberSource src, Object subject) {
            this.src = src;
            this.subject = subject;
        }

        int size() {
            return src == null ? 0 : src.size();
        }
    }

    static final int SUM = 0, MIN = 1, MAX = 2;

    private static double aggregate(double target, double val, int agg) {
        return switch (agg) {
            case SUM -> {
                double t = target + val;
                yield Double.isNaN(t) ? 0.0 : t;
            }
            case MIN -> val < target ? val : target;
            default -> val > target ? val : target;
        };
    }

    /** zunionInterDiffGenericCommand. */
    void setOperation(CommandContext c, boolean store, int numkeysIdx, int op, boolean cardinalityOnly) {
        Args a = c.args();
        int argc = a.count();
        long setnum = c.longArg(numkeysIdx);
        if (setnum < 1) {
            throw Errors.err("at least 1 input key is needed for '" + c.command().fullName + "' command");
        }
        if (setnum > argc - (numkeysIdx + 1)) throw Errors.SYNTAX;
        int n = (int) setnum;
        Input[] in = new Input[n];
        Database db = c.db();
        for (int i = 0; i < n; i++) {
            Object e = c.read(db, numkeysIdx + 1 + i);
            in[i] = new Input(source(e), e);
        }
        int agg = SUM;
        boolean withScores = false;
        long limit = 0;
        int j = numkeysIdx + 1 + n;
        int remaining = argc - j;
        while (remaining > 0) {
            if (op != DIFF && !cardinalityOnly && remaining >= n + 1 && a.is(j, "weights")) {
                j++;
                remaining--;
                for (int i = 0; i < n; i++, j++, remaining--) {
                    try {
                        in[i].weight = a.doubleAt(j);
                    } catch (RuntimeException e) {
                        throw Errors.err("weight value is not a float");
                    }
                }
            } else if (op != DIFF && !cardinalityOnly && remaining >= 2 && a.is(j, "aggregate")) {
                j++;
                if (a.is(j, "sum")) agg = SUM;
                else if (a.is(j, "min")) agg = MIN;
                else if (a.is(j, "max")) agg = MAX;
                else throw Errors.SYNTAX;
                j++;
                remaining -= 2;
            } else if (remaining >= 1 && !store && !cardinalityOnly && a.is(j, "withscores")) {
                j++;
                remaining--;
                withScores = true;
            } else if (cardinalityOnly && remaining >= 2 && a.is(j, "limit")) {
                limit = positiveLong(c, j + 1, Errors.err("LIMIT can't be negative"));
                j += 2;
                remaining -= 2;
            } else {
                throw Errors.SYNTAX;
            }
        }
        if (op != DIFF) {
            // qsort by cardinality; glibc's qsort is a stable merge sort here.
            java.util.Arrays.sort(in, java.util.Comparator.comparingInt(Input::size));
        }
        if (cardinalityOnly) {
            c.reply().integer(interCard(in, limit));
            return;
        }
        byte[][] result = switch (op) {
            case UNION -> union(in, agg);
            case INTER -> inter(in, agg);
            default -> diff(in);
        };
        java.util.Arrays.sort(result, SortedSet::compareEntries);
        if (store) {
            if (result.length > 0) {
                SortedSet z = SortedSet.fromSorted(result, result.length, maxEntries, maxValue);
                setKey(c, db, 1, z);
                c.reply().integer(result.length);
                c.notify(KeyspaceEvents.ZSET, op == UNION ? "zunionstore" : op == INTER ? "zinterstore" : "zdiffstore",
                        db, 1);
                c.dirty(1);
            } else {
                c.reply().integer(0);
                if (deleteKey(c, db, 1)) c.dirty(1);
            }
            return;
        }
        Reply r = c.reply();
        r.array(withScores && !r.isResp3() ? result.length * 2L : result.length);
        for (byte[] e : result) {
            if (withScores && r.isResp3()) r.array(2);
            r.bulk(e, SortedSet.ENTRY_HEADER, e.length - SortedSet.ENTRY_HEADER);
            if (withScores) r.doubleValue(SortedSet.entryScore(e));
        }
    }

    private static byte[][] union(Input[] in, int agg) {
        java.util.Map<Member, byte[]> acc = new java.util.HashMap<>();
        for (Input i : in) {
            if (i.size() == 0) continue;
            double w = i.weight;
            i.src.forEach((b, off, len, s) -> {
                double score = w * s;
                if (Double.isNaN(score)) score = 0;
                Member key = new Member(b, off, len);
                byte[] e = acc.get(key);
                if (e == null) {
                    e = SortedSet.entry(score, b, off, len);
                    acc.put(new Member(e, SortedSet.ENTRY_HEADER, len), e);
                } else {
                    SortedSet.setEntryScore(e, aggregate(SortedSet.entryScore(e), score, agg));
                }
            });
        }
        return acc.values().toArray(new byte[0][]);
    }

    private static byte[][] inter(Input[] in, int agg) {
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        if (in[0].size() == 0) return new byte[0][];
        in[0].src.forEach((b, off, len, s) -> {
            double score = in[0].weight * s;
            if (Double.isNaN(score)) score = 0;
            for (int j = 1; j < in.length; j++) {
                double value;
                if (in[j].subject == in[0].subject) {
                    value = s * in[j].weight;
                } else {
                    value = in[j].src == null ? Double.NaN : in[j].src.score(b, off, len);
                    if (Double.isNaN(value)) return;
                    value *= in[j].weight;
                }
                score = aggregate(score, value, agg);
            }
            out.add(SortedSet.entry(score, b, off, len));
        });
        return out.toArray(new byte[0][]);
    }

    private static long interCard(Input[] in, long limit) {
        if (in[0].size() == 0) return 0;
        long[] count = {0};
        // The walk cannot stop early through forEach; counting past the limit is harmless.
        in[0].src.forEach((b, off, len, s) -> {
            if (limit > 0 && count[0] >= limit) return;
            for (int j = 1; j < in.length; j++) {
                if (in[j].subject == in[0].subject) continue;
                if (in[j].src == null || Double.isNaN(in[j].src.score(b, off, len))) return;
            }
            count[0]++;
        });
        return count[0];
    }

    private static byte[][] diff(Input[] in) {
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        if (in[0].size() == 0) return new byte[0][];
        in[0].src.forEach((b, off, len, s) -> {
            for (int j = 1; j < in.length; j++) {
                if (in[j].subject == in[0].subject) return;
                if (in[j].src != null && !Double.isNaN(in[j].src.score(b, off, len))) return;
            }
            out.add(SortedSet.entry(s, b, off, len));
        });
        return out.toArray(new byte[0][]);
    }

    /** A member as a hash key (a slice of some array). */
    private record Member(byte[] b, int off, int len) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Member m && java.util.Arrays.equals(b, off, off + len, m.b, m.off, m.off + m.len);
        }

        @Override
        public int hashCode() {
            int h = 1;
            for (int i = off; i < off + len; i++) h = 31 * h + b[i];
            return h;
        }
    }

    // ------------------------------------------------------------ ZPOPMIN, ZPOPMAX, ZMPOP

    void zpop(CommandContext c, boolean max) {
        if (c.argc() > 3) throw Errors.SYNTAX;
        long count = -1;
        if (c.argc() == 3) count = positiveLong(c, 2, null);
        boolean nested = c.reply().isResp3() && count != -1;
        pop(c, new int[] {1}, max, false, count, nested, false);
    }

    /**
     * genericZpopCommand: pops from the first non-empty key among keyIdx.
     * With emitKey the reply names the key (ZMPOP, BZPOP*).
     */
    void pop(CommandContext c, int[] keyIdx, boolean max, boolean emitKey, long count, boolean nested,
             boolean nilWhenEmpty) {
        Database db = c.db();
        Lookup l = c.lookup();
        SortedSet z = null;
        int key = -1;
        for (int i : keyIdx) {
            z = zset(c.write(db, i));
            if (z != null) {
                key = i;
                break;
            }
        }
        Reply r = c.reply();
        if (z == null) {
            if (nilWhenEmpty) r.nullArray();
            else r.emptyArray();
            return;
        }
        if (count == 0) {
            r.emptyArray();
            return;
        }
        if (count == -1) count = 1;
        int llen = z.size();
        int n = (int) Math.min(count, llen);
        Args a = c.args();
        if (!nested && !emitKey) {
            r.array(n * 2L);
        } else if (nested && !emitKey) {
            r.array(n);
        } else if (!nested) {
            r.array(n * 2L + 1);
            r.bulk(a.buf(), a.off(key), a.len(key));
        } else {
            r.array(2);
            r.bulk(a.buf(), a.off(key), a.len(key));
            r.array(n);
        }
        ZCursor cur = z.cursor(max ? llen - 1 : 0);
        for (int i = 0; i < n; i++) {
            if (nested) r.array(2);
            r.bulk(cur.buf(), cur.off(), cur.len());
            r.doubleValue(cur.score());
            if (max) cur.prev();
            else cur.next();
        }
        if (max) z.removeRanks(llen - n, llen - 1);
        else z.removeRanks(0, n - 1);
        c.dirty(n);
        // ZMPOP and BZMPOP are propagated as ZPOPMIN/ZPOPMAX key count (what was popped),
        // BZPOPMIN/BZPOPMAX as ZPOPMIN/ZPOPMAX key.
        if (emitKey && c.propagating()) {
            byte[] cmd = max ? ZPOPMAX : ZPOPMIN;
            if (nested) c.propagateAs(cmd, a.bytes(key), io.larder.journal.Resp.number(n));
            else c.propagateAs(cmd, a.bytes(key));
        }
        c.notify(KeyspaceEvents.ZSET, max ? "zpopmax" : "zpopmin", db, key);
        c.keyModified(db, key);
        if (removeIfEmpty(db, l, z)) c.notify(KeyspaceEvents.GENERIC, "del", db, key);
    }

    private static final byte[] ZPOPMIN = Propagated.ascii("ZPOPMIN"), ZPOPMAX = Propagated.ascii("ZPOPMAX");

    /** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]. */
    void zmpop(CommandContext c) {
        ParsedMpop p = parseMpop(c, 1);
        pop(c, p.keys, p.max, true, p.count, true, true);
    }

    /** BZPOPMIN/BZPOPMAX key [key ...] timeout: [key, member, score] from the first non-empty key. */
    void bzpop(CommandContext c, boolean max) {
        int last = c.argc() - 1;
        long deadline = BlockingController.deadline(c, last);
        int[] keys = new int[last - 1];
        for (int i = 0; i < keys.length; i++) keys[i] = 1 + i;
        blockingPop(c, keys, max, -1, false, deadline);
    }

    /** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: the options are checked before the timeout. */
    void bzmpop(CommandContext c) {
        ParsedMpop p = parseMpop(c, 2);
        long deadline = BlockingController.deadline(c, 1);
        blockingPop(c, p.keys, p.max, p.count, true, deadline);
    }

    /**
     * Redis's blockingGenericZpopCommand: pops from the first key holding a
     * sorted set (WRONGTYPE stops at a key of another type), else blocks on
     * all the keys until ZADD (or any command creating one of them) feeds one.
     */
    private void blockingPop(CommandContext c, int[] keys, boolean max, long count, boolean nested, long deadline) {
        Database db = c.db();
        for (int k : keys) {
            if (zset(c.write(db, k)) == null) continue;
            pop(c, new int[] {k}, max, true, count, nested, false);
            return;
        }
        if (!blocking.mayBlock(c)) {
            c.reply().nullArray();
            return;
        }
        blocking.block(c, keys, deadline, (cc, keyArg) -> {
            Object e = cc.write(cc.db(), keyArg);
            if (e == null) return Outcome.EXHAUSTED;
            if (!(e instanceof SortedSet)) return Outcome.NOT_SERVED;
            pop(cc, new int[] {keyArg}, max, true, count, nested, false);
            return Outcome.SERVED;
        });
    }

    record ParsedMpop(int[] keys, boolean max, long count) {}

    /** zmpopGenericCommand's parsing, shared with BZMPOP. */
    static ParsedMpop parseMpop(CommandContext c, int numkeysIdx) {
        Args a = c.args();
        CommandError numkeysErr = Errors.NUMKEYS_NOT_POSITIVE;
        long numkeys;
        try {
            numkeys = a.longAt(numkeysIdx);
        } catch (RuntimeException e) {
            throw numkeysErr;
        }
        if (numkeys < 1) throw numkeysErr;
        long whereIdx = numkeysIdx + numkeys + 1;
        if (whereIdx >= a.count()) throw Errors.SYNTAX;
        int w = (int) whereIdx;
        boolean max;
        if (a.is(w, "min")) max = false;
        else if (a.is(w, "max")) max = true;
        else throw Errors.SYNTAX;
        long count = -1;
        CommandError countErr = Errors.COUNT_NOT_POSITIVE;
        for (int j = w + 1; j < a.count(); j++) {
            boolean more = j < a.count() - 1;
            if (count == -1 && a.is(j, "count") && more) {
                j++;
                try {
                    count = a.longAt(j);
                } catch (RuntimeException e) {
                    throw countErr;
                }
                if (count < 1) throw countErr;
            } else {
                throw Errors.SYNTAX;
            }
        }
        if (count == -1) count = 1;
        int[] keys = new int[(int) numkeys];
        for (int i = 0; i < keys.length; i++) keys[i] = numkeysIdx + 1 + i;
        return new ParsedMpop(keys, max, count);
    }

    // ------------------------------------------------------------ ZRANDMEMBER

    void zrandmember(CommandContext c) {
        Args a = c.args();
        if (a.count() >= 3) {
            long l = c.longArg(2);
            boolean withScores = false;
            if (a.count() > 4 || (a.count() == 4 && !a.is(3, "withscores"))) {
                throw Errors.SYNTAX;
            } else if (a.count() == 4) {
                withScores = true;
                if (l < Long.MIN_VALUE / 2 || l > Long.MAX_VALUE / 2) throw Errors.err("value is out of range");
            }
            randomWithCount(c, l, withScores);
            return;
        }
        SortedSet z = zset(c.read(1));
        if (z == null) {
            c.reply().nullBulk();
            return;
        }
        ZCursor cur = z.cursor(ThreadLocalRandom.current().nextInt(z.size()));
        c.reply().bulk(cur.buf(), cur.off(), cur.len());
    }

    /** zrandmemberWithCountCommand. */
    private void randomWithCount(CommandContext c, long l, boolean withScores) {
        SortedSet z = zset(c.read(1));
        Reply r = c.reply();
        if (z == null) {
            r.emptyArray();
            return;
        }
        int size = z.size();
        boolean uniq = l >= 0;
        // -Long.MIN_VALUE wraps in Redis too (an unsigned count of 2^63).
        long count = uniq ? l : -l;
        if (count == 0) {
            r.emptyArray();
            return;
        }
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        SortedSet.ElementVisitor emit = (b, off, len, s) -> {
            if (withScores && r.isResp3()) r.array(2);
            r.bulk(b, off, len);
            if (withScores) r.doubleValue(s);
        };
        if (!uniq || count == 1) {
            // Case 1: with repetition, each pick independent.
            r.array(withScores && !r.isResp3() ? count * 2 : count);
            ZCursor cur = z.cursor(0);
            for (long i = 0; i < count; i++) {
                cur.seek(rnd.nextInt(size));
                emit.visit(cur.buf(), cur.off(), cur.len(), cur.score());
            }
            return;
        }
        long replySize = Math.min(count, size);
        r.array(withScores && !r.isResp3() ? replySize * 2 : replySize);
        if (count >= size) {
            // Case 2: the whole set, walked from the highest score down as Redis's iterator does.
            for (ZCursor cur = z.cursor(size - 1); cur.valid(); cur.prev()) {
                emit.visit(cur.buf(), cur.off(), cur.len(), cur.score());
            }
            return;
        }
        // Cases 3 and 4: count distinct members chosen uniformly, reported in
        // rank order, as Redis reports a listpack's sample (for a large set
        // Redis's order is random anyway). When count is a good part of the
        // set a partial Fisher-Yates over all ranks is cheapest; otherwise
        // random ranks with rejection of repeats, as Redis does.
        int k = (int) count;
        int[] ranks;
        if (count * 3 > size) {
            int[] all = new int[size];
            for (int i = 0; i < size; i++) all[i] = i;
            for (int i = 0; i < k; i++) {
                int j = i + rnd.nextInt(size - i);
                int t = all[i];
                all[i] = all[j];
                all[j] = t;
            }
            ranks = java.util.Arrays.copyOf(all, k);
        } else {
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            ranks = new int[k];
            for (int i = 0; i < k; ) {
                int x = rnd.nextInt(size);
                if (seen.add(x)) ranks[i++] = x;
            }
        }
        java.util.Arrays.sort(ranks);
        ZCursor cur = z.cursor(0);
        for (int rank : ranks) {
            cur.seek(rank);
            emit.visit(cur.buf(), cur.off(), cur.len(), cur.score());
        }
    }

    // ------------------------------------------------------------ ZSCAN

    /** Upper bound of hash ranges tried per ZSCAN call when ranges come back sparse (as CollectionScan). */
    private static final int MAX_SCAN_RANGES = 16;

    /**
     * ZSCAN key cursor [MATCH pattern] [COUNT count]: cursor and options as
     * every SCAN command reads them ({@link Scan}); a listpack is returned
     * whole with cursor 0 and its scores as the listpack holds them, the
     * large encoding walks hash ranges of its member index.
     */
    void zscan(CommandContext c) {
        long cursor = Scan.cursor(c, 2);
        SortedSet z = zset(c.read(1));
        Reply r = c.reply();
        if (z == null) {
            CollectionScan.emptyReply(r);
            return;
        }
        Scan.Options o = Scan.options(c, 3, false);
        if (z.isPacked()) {
            CollectionScan.beginCompact(r);
            long[] n = {0};
            z.forEachPackedText((b, off, len, score) -> {
                if (o.matches(b, off, len)) {
                    r.bulk(b, off, len);
                    r.bulk(score);
                    n[0] += 2;
                }
            });
            r.endArray(n[0]);
            return;
        }
        java.util.List<byte[]> members = new java.util.ArrayList<>();
        java.util.List<String> scores = new java.util.ArrayList<>();
        long next = 0;
        if (SortedSet.validScanCursor(cursor)) {
            long[] visited = {0};
            SortedSet.ElementVisitor v = (b, off, len, s) -> {
                visited[0]++;
                if (o.matches(b, off, len)) {
                    members.add(java.util.Arrays.copyOfRange(b, off, off + len));
                    scores.add(io.larder.util.Numbers.formatDouble(s));
                }
            };
            int ranges = 0;
            next = cursor;
            do {
                next = z.scan(next, o.count(), v);
            } while (next != 0 && visited[0] < o.count() && ++ranges < MAX_SCAN_RANGES);
        }
        r.array(2);
        r.bulkLong(next);
        r.array(members.size() * 2L);
        for (int i = 0; i < members.size(); i++) {
            r.bulk(members.get(i));
            r.bulk(scores.get(i));
        }
    }
}
