package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.config.Config;
import io.larder.config.KeyspaceEvents;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.server.LarderServer;
import io.larder.store.Database;
import io.larder.store.ElementTable;
import io.larder.store.HashValue;
import io.larder.store.HashListpack;
import io.larder.store.Slice;
import io.larder.store.StoredValue;
import io.larder.util.LongDouble;
import io.larder.util.Numbers;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/** The hash family (Redis's t_hash.c): HSET, HGET, HSCAN and friends. */
public final class HashCommands {
    static final CommandError NOT_INTEGER_VALUE = new CommandError("ERR hash value is not an integer");
    static final CommandError NOT_FLOAT_VALUE = new CommandError("ERR hash value is not a float");
    static final CommandError INCR_NAN_OR_INF = new CommandError("ERR value is NaN or Infinity");
    static final CommandError WITHVALUES_RANGE = new CommandError("ERR value is out of range");

    private volatile long maxListpackEntries;
    private volatile long maxListpackValue;

    public HashCommands(LarderServer server) {
        Config cfg = server.config();
        cfg.watch("hash-max-listpack-entries", p -> maxListpackEntries = cfg.getLong("hash-max-listpack-entries"));
        cfg.watch("hash-max-listpack-value", p -> maxListpackValue = cfg.getLong("hash-max-listpack-value"));
    }

    public void register(CommandTable t) {
        t.add("hset", this::hset);
        t.add("hmset", this::hset);
        t.add("hsetnx", this::hsetnx);
        t.add("hget", this::hget);
        t.add("hmget", this::hmget);
        t.add("hgetall", c -> getAll(c, true, true));
        t.add("hkeys", c -> getAll(c, true, false));
        t.add("hvals", c -> getAll(c, false, true));
        t.add("hdel", this::hdel);
        t.add("hexists", this::hexists);
        t.add("hlen", this::hlen);
        t.add("hstrlen", this::hstrlen);
        t.add("hincrby", this::hincrby);
        t.add("hincrbyfloat", this::hincrbyfloat);
        t.add("hrandfield", this::hrandfield);
        t.add("hscan", this::hscan);
    }

    /** The entry as a hash; null stays null; other types are WRONGTYPE. */
    static HashValue hash(Object e) {
        if (e == null || e instanceof HashValue) return (HashValue) e;
        throw Errors.WRONGTYPE;
    }

    /** Redis's hashTypeLookupWriteOrCreate on key argument 1; {@code c.lookup()} then addresses it. */
    private static HashValue writeOrCreate(CommandContext c, Database db) {
        HashValue h = hash(c.write(db, 1));
        if (h != null) return h;
        h = new HashValue();
        h.init(c.args().bytes(1), StoredValue.NO_EXPIRE, c.keyspace().newEntryClock(c.now()));
        c.insert(db, c.lookup(), h);
        return h;
    }

    // ------------------------------------------------------------ writes

    void hset(CommandContext c) {
        Args a = c.args();
        int argc = a.count();
        if (argc % 2 == 1) throw Errors.wrongArgs(c.command().fullName);
        Database db = c.db();
        HashValue h = writeOrCreate(c, db);
        long maxValue = maxListpackValue, maxEntries = maxListpackEntries;
        for (int i = 2; i < argc && h.isListpack(); i++) h.convertIfLonger(a.len(i), maxValue);
        long created = 0;
        byte[] b = a.buf();
        for (int i = 2; i < argc; i += 2) {
            if (h.set(b, a.off(i), a.len(i), b, a.off(i + 1), a.len(i + 1), maxEntries, maxValue)) created++;
        }
        db.updated(c.lookup());
        if (c.command().fullName.equals("hset")) c.reply().integer(created);
        else c.reply().ok();
        written(c, db, "hset", (argc - 2) / 2);
    }

    void hsetnx(CommandContext c) {
        Args a = c.args();
        Database db = c.db();
        HashValue h = writeOrCreate(c, db);
        byte[] b = a.buf();
        if (h.contains(b, a.off(2), a.len(2))) {
            c.reply().integer(0);
            return;
        }
        long maxValue = maxListpackValue;
        h.convertIfLonger(a.len(2), maxValue);
        h.convertIfLonger(a.len(3), maxValue);
        h.set(b, a.off(2), a.len(2), b, a.off(3), a.len(3), maxListpackEntries, maxValue);
        db.updated(c.lookup());
        c.reply().integer(1);
        written(c, db, "hset", 1);
    }

    void hdel(CommandContext c) {
        Database db = c.db();
        HashValue h = hash(c.write(db, 1));
        if (h == null) {
            c.reply().integer(0);
            return;
        }
        MemberRemoval.removeArgs(c, db, h::delete, h::size, KeyspaceEvents.HASH, "hdel");
    }

    void hincrby(CommandContext c) {
        Args a = c.args();
        long incr = c.longArg(3);
        Database db = c.db();
        HashValue h = writeOrCreate(c, db);
        byte[] b = a.buf();
        Slice s = new Slice();
        long value = 0;
        if (h.get(b, a.off(2), a.len(2), s)) {
            try {
                value = Numbers.parseLong(s.array, s.offset, s.length);
            } catch (Numbers.Invalid e) {
                throw NOT_INTEGER_VALUE;
            }
        }
        if ((incr < 0 && value < 0 && incr < Long.MIN_VALUE - value)
                || (incr > 0 && value > 0 && incr > Long.MAX_VALUE - value)) {
            throw Errors.OVERFLOW;
        }
        value += incr;
        setField(c, db, h, Numbers.longBytes(value));
        c.reply().integer(value);
        written(c, db, "hincrby", 1);
    }

    /**
     * Redis's hincrbyfloatCommand: x87 long double arithmetic ({@link LongDouble})
     * and ld2string's human format, so results match Redis digit for digit.
     */
    void hincrbyfloat(CommandContext c) {
        Args a = c.args();
        LongDouble incr = LongDouble.parse(a.buf(), a.off(3), a.len(3));
        if (incr == null) throw Errors.NOT_FLOAT;
        if (!incr.isFinite()) throw INCR_NAN_OR_INF;
        Database db = c.db();
        HashValue h = writeOrCreate(c, db);
        byte[] b = a.buf();
        Slice s = new Slice();
        LongDouble value = LongDouble.ZERO;
        if (h.get(b, a.off(2), a.len(2), s)) {
            value = LongDouble.parse(s.array, s.offset, s.length);
            if (value == null) throw NOT_FLOAT_VALUE;
        }
        LongDouble sum = value.add(incr);
        if (!sum.isFinite()) throw Errors.NAN_OR_INF;
        byte[] result = sum.toHumanBytes();
        setField(c, db, h, result);
        c.reply().bulk(result);
        written(c, db, "hincrbyfloat", 1);
        // Propagated as HSET with the result, so float formatting can never make a replay differ.
        c.propagateArg(0, HSET);
        c.propagateArg(3, result);
    }

    private static final byte[] HSET = Propagated.ascii("HSET");

    /** HINCRBY*: the new value of field argument 2, where {@code c.lookup()} addresses the hash. */
    private void setField(CommandContext c, Database db, HashValue h, byte[] v) {
        Args a = c.args();
        h.set(a.buf(), a.off(2), a.len(2), v, 0, v.length, maxListpackEntries, maxListpackValue);
        db.updated(c.lookup());
    }

    /** The effects of a write to the hash at argument 1, after the reply as in Redis. */
    private static void written(CommandContext c, Database db, String event, long dirty) {
        c.keyModified(db, 1);
        c.notify(KeyspaceEvents.HASH, event, db, 1);
        c.dirty(dirty);
    }

    // ------------------------------------------------------------ reads

    void hget(CommandContext c) {
        Args a = c.args();
        HashValue h = hash(c.read(1));
        Slice s = new Slice();
        if (h != null && h.get(a.buf(), a.off(2), a.len(2), s)) c.reply().bulk(s.array, s.offset, s.length);
        else c.reply().nullBulk();
    }

    void hmget(CommandContext c) {
        Args a = c.args();
        HashValue h = hash(c.read(1));
        Reply r = c.reply();
        r.array(a.count() - 2);
        Slice s = new Slice();
        for (int i = 2; i < a.count(); i++) {
            if (h != null && h.get(a.buf(), a.off(i), a.len(i), s)) r.bulk(s.array, s.offset, s.length);
            else r.nullBulk();
        }
    }

    void getAll(CommandContext c, boolean fields, boolean values) {
        HashValue h = hash(c.read(1));
        Reply r = c.reply();
        boolean both = fields && values;
        if (h == null) {
            if (both) r.map(0);
            else r.emptyArray();
            return;
        }
        if (both) r.map(h.size());
        else r.array(h.size());
        h.forEach((f, fo, fl, v, vo, vl) -> {
            if (fields) r.bulk(f, fo, fl);
            if (values) r.bulk(v, vo, vl);
        });
    }

    void hexists(CommandContext c) {
        Args a = c.args();
        HashValue h = hash(c.read(1));
        c.reply().integer(h != null && h.contains(a.buf(), a.off(2), a.len(2)) ? 1 : 0);
    }

    void hlen(CommandContext c) {
        HashValue h = hash(c.read(1));
        c.reply().integer(h == null ? 0 : h.size());
    }

    void hstrlen(CommandContext c) {
        Args a = c.args();
        HashValue h = hash(c.read(1));
        Slice s = new Slice();
        c.reply().integer(h != null && h.get(a.buf(), a.off(2), a.len(2), s) ? s.length : 0);
    }

    // ------------------------------------------------------------ HRANDFIELD

    void hrandfield(CommandContext c) {
        Args a = c.args();
        Reply r = c.reply();
        if (a.count() >= 3) {
            long count = CountArgs.inRange(c, 2, -Long.MAX_VALUE, Long.MAX_VALUE);
            boolean withValues = false;
            if (a.count() > 4 || (a.count() == 4 && !a.is(3, "WITHVALUES"))) throw Errors.SYNTAX;
            if (a.count() == 4) {
                withValues = true;
                if (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2) throw WITHVALUES_RANGE;
            }
            randomFieldsWithCount(c, count, withValues);
            return;
        }
        HashValue h = hash(c.read(1));
        if (h == null) {
            r.nullBulk();
            return;
        }
        Slice f = new Slice(), v = new Slice();
        h.randomPair(ThreadLocalRandom.current(), f, v);
        r.bulk(f.array, f.offset, f.length);
    }

    /** Redis's hrandfieldWithCountCommand, case by case. */
    private void randomFieldsWithCount(CommandContext c, long l, boolean withValues) {
        Reply r = c.reply();
        HashValue h = hash(c.read(1));
        if (h == null) {
            r.emptyArray();
            return;
        }
        int size = h.size();
        boolean unique = l >= 0;
        long count = unique ? l : -l;
        if (count == 0) {
            r.emptyArray();
            return;
        }
        RandomGenerator rnd = ThreadLocalRandom.current();
        boolean nested = withValues && r.isResp3();
        // Case 1: a negative count (repeats allowed), or a single field.
        if (!unique || count == 1) {
            r.array(withValues && !nested ? count * 2 : count);
            Slice f = new Slice(), v = new Slice();
            for (long i = 0; i < count; i++) {
                h.randomPair(rnd, f, v);
                writePair(r, f.array, f.offset, f.length, v.array, v.offset, v.length, withValues, nested);
            }
            return;
        }
        long replySize = Math.min(count, size);
        r.array(withValues && !nested ? replySize * 2 : replySize);
        // Case 2: at least the whole hash is asked for.
        if (count >= size) {
            h.forEach((f, fo, fl, v, vo, vl) -> writePair(r, f, fo, fl, v, vo, vl, withValues, nested));
            return;
        }
        int n = (int) count;
        if (h.isListpack()) {
            // Like Redis's lpRandomPairsUnique: distinct fields, in listpack order.
            int[] picks = RandomPicks.indices(size, n, rnd);
            java.util.Arrays.sort(picks);
            HashListpack lp = h.listpack();
            Slice f = new Slice(), v = new Slice();
            int p = lp.first();
            int index = 0;
            for (int pick : picks) {
                while (index < pick) {
                    p = lp.next(lp.next(p));
                    index++;
                }
                lp.get(p, f);
                lp.get(lp.next(p), v);
                writePair(r, f.array, f.offset, f.length, v.array, v.offset, v.length, withValues, nested);
            }
            return;
        }
        ElementTable t = h.table();
        for (int slot : RandomPicks.slots(t, n, rnd)) {
            HashValue.visitEntry(t.entryAt(slot),
                    (f, fo, fl, v, vo, vl) -> writePair(r, f, fo, fl, v, vo, vl, withValues, nested));
        }
    }

    private static void writePair(Reply r, byte[] f, int fo, int fl, byte[] v, int vo, int vl, boolean withValues,
                                  boolean nested) {
        if (nested) r.array(2);
        r.bulk(f, fo, fl);
        if (withValues) r.bulk(v, vo, vl);
    }

    // ------------------------------------------------------------ HSCAN

    void hscan(CommandContext c) {
        long cursor = Scan.cursor(c, 2);
        HashValue h = hash(c.read(1));
        Reply r = c.reply();
        if (h == null) {
            CollectionScan.emptyReply(r);
            return;
        }
        Scan.Options o = Scan.options(c, 3, false);
        if (!h.isListpack()) {
            CollectionScan.scanTable(r, h.table(), cursor, o);
            return;
        }
        CollectionScan.beginCompact(r);
        long[] n = {0};
        h.forEach((f, fo, fl, v, vo, vl) -> {
            if (o.matches(f, fo, fl)) {
                r.bulk(f, fo, fl);
                r.bulk(v, vo, vl);
                n[0] += 2;
            }
        });
        r.endArray(n[0]);
    }
}
