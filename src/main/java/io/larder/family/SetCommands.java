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
import io.larder.store.IntSet;
import io.larder.store.Lookup;
import io.larder.store.SetValue;
import io.larder.store.StoredValue;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/** The set family (Redis's t_set.c): SADD, SINTER, SSCAN and friends. */
public final class SetCommands {
    static final CommandError TOO_MANY_KEYS =
            new CommandError("ERR Number of keys can't be greater than number of args");
    static final CommandError NEGATIVE_LIMIT = new CommandError("ERR LIMIT can't be negative");

    /** Redis's SPOP_MOVE_STRATEGY_MUL. */
    private static final int SPOP_MOVE_STRATEGY_MUL = 5;
    /** Redis caps set-max-intset-entries at 2^30 (intset internals). */
    private static final long INTSET_HARD_LIMIT = 1L << 30;

    private volatile long maxIntsetEntries;

    public SetCommands(LarderServer server) {
        Config cfg = server.config();
        cfg.watch("set-max-intset-entries",
                p -> maxIntsetEntries = Math.min(INTSET_HARD_LIMIT, cfg.getLong("set-max-intset-entries")));
    }

    public void register(CommandTable t) {
        t.add("sadd", this::sadd);
        t.add("srem", this::srem);
        t.add("smove", this::smove);
        t.add("sismember", this::sismember);
        t.add("smismember", this::smismember);
        t.add("scard", this::scard);
        t.add("spop", this::spop);
        t.add("srandmember", this::srandmember);
        t.add("smembers", c -> inter(c, 1, 1, -1, false, 0));
        t.add("sinter", c -> inter(c, 1, c.argc() - 1, -1, false, 0));
        t.add("sinterstore", c -> inter(c, 2, c.argc() - 2, 1, false, 0));
        t.add("sintercard", this::sintercard);
        t.add("sunion", c -> unionDiff(c, 1, c.argc() - 1, -1, false));
        t.add("sunionstore", c -> unionDiff(c, 2, c.argc() - 2, 1, false));
        t.add("sdiff", c -> unionDiff(c, 1, c.argc() - 1, -1, true));
        t.add("sdiffstore", c -> unionDiff(c, 2, c.argc() - 2, 1, true));
        t.add("sscan", this::sscan);
    }

    /** The entry as a set; null stays null; other types are WRONGTYPE. */
    static SetValue set(Object e) {
        if (e == null || e instanceof SetValue) return (SetValue) e;
        throw Errors.WRONGTYPE;
    }

    private static void writeMember(Reply r, SetValue.Members m) {
        if (m.isInt) r.bulkLong(m.intValue);
        else r.bulk(m.array, m.offset, m.length);
    }

    // ------------------------------------------------------------ single-set writes

    void sadd(CommandContext c) {
        Args a = c.args();
        Database db = c.db();
        byte[] b = a.buf();
        SetValue s = set(c.write(db, 1));
        if (s == null) {
            s = SetValue.forFirstMember(b, a.off(2), a.len(2));
            s.init(a.bytes(1), StoredValue.NO_EXPIRE, c.keyspace().newEntryClock(c.now()));
            c.insert(db, c.lookup(), s);
        }
        long max = maxIntsetEntries;
        long added = 0;
        for (int i = 2; i < a.count(); i++) {
            if (s.add(b, a.off(i), a.len(i), max)) added++;
        }
        db.updated(c.lookup());
        if (added > 0) {
            c.keyModified(db, 1);
            c.notify(KeyspaceEvents.SET, "sadd", db, 1);
        }
        c.dirty(added);
        c.reply().integer(added);
    }

    void srem(CommandContext c) {
        Database db = c.db();
        SetValue s = set(c.write(db, 1));
        if (s == null) {
            c.reply().integer(0);
            return;
        }
        MemberRemoval.removeArgs(c, db, s::remove, s::size, KeyspaceEvents.SET, "srem");
    }

    void smove(CommandContext c) {
        Args a = c.args();
        Database db = c.db();
        Lookup l = c.lookup();
        Object srcEntry = c.write(db, 1);
        Object dstEntry = c.write(db, 2);
        if (srcEntry == null) {
            c.reply().integer(0);
            return;
        }
        SetValue src = set(srcEntry);
        SetValue dst = set(dstEntry);
        byte[] b = a.buf();
        int off = a.off(3), len = a.len(3);
        if (src == dst) {
            c.reply().integer(src.contains(b, off, len) ? 1 : 0);
            return;
        }
        if (!src.remove(b, off, len)) {
            c.reply().integer(0);
            return;
        }
        c.notify(KeyspaceEvents.SET, "srem", db, 1);
        db.find(l, a, 1, c.now());
        if (src.size() == 0) {
            db.remove(l);
            c.notify(KeyspaceEvents.GENERIC, "del", db, 1);
        } else {
            db.updated(l);
        }
        db.find(l, a, 2, c.now());
        if (dst == null) {
            dst = SetValue.forFirstMember(b, off, len);
            dst.init(a.bytes(2), StoredValue.NO_EXPIRE, c.keyspace().newEntryClock(c.now()));
            c.insert(db, l, dst);
        }
        c.keyModified(db, 1);
        c.dirty(1);
        if (dst.add(b, off, len, maxIntsetEntries)) {
            db.updated(l);
            c.dirty(1);
            c.keyModified(db, 2);
            c.notify(KeyspaceEvents.SET, "sadd", db, 2);
        }
        c.reply().integer(1);
    }

    // ------------------------------------------------------------ single-set reads

    void sismember(CommandContext c) {
        Args a = c.args();
        SetValue s = set(c.read(1));
        c.reply().integer(s != null && s.contains(a.buf(), a.off(2), a.len(2)) ? 1 : 0);
    }

    void smismember(CommandContext c) {
        Args a = c.args();
        SetValue s = set(c.read(1));
        Reply r = c.reply();
        r.array(a.count() - 2);
        for (int i = 2; i < a.count(); i++) {
            r.integer(s != null && s.contains(a.buf(), a.off(i), a.len(i)) ? 1 : 0);
        }
    }

    void scard(CommandContext c) {
        SetValue s = set(c.read(1));
        c.reply().integer(s == null ? 0 : s.size());
    }

    // ------------------------------------------------------------ SPOP, SRANDMEMBER

    void spop(CommandContext c) {
        Args a = c.args();
        if (a.count() == 3) {
            spopWithCount(c);
            return;
        }
        if (a.count() > 3) throw Errors.SYNTAX;
        Database db = c.db();
        Reply r = c.reply();
        SetValue s = set(c.write(db, 1));
        if (s == null) {
            r.nullBulk();
            return;
        }
        SetValue.Members m = new SetValue.Members();
        m.random(s, ThreadLocalRandom.current());
        c.notify(KeyspaceEvents.SET, "spop", db, 1);
        writeMember(r, m);
        // Propagated as SREM of the member it chose.
        if (c.propagating()) c.propagateAs(SREM, a.bytes(1), memberBytes(m));
        m.remove();
        if (s.size() == 0) {
            db.remove(c.lookup());
            c.notify(KeyspaceEvents.GENERIC, "del", db, 1);
        } else {
            db.updated(c.lookup());
        }
        c.keyModified(db, 1);
        c.dirty(1);
    }

    /** Redis's spopWithCountCommand, with its three strategies (they decide the encoding left behind). */
    private void spopWithCount(CommandContext c) {
        long count = c.longArg(2, 0, Long.MAX_VALUE, Errors.NOT_POSITIVE);
        Database db = c.db();
        Reply r = c.reply();
        SetValue s = set(c.write(db, 1));
        if (s == null || count == 0) {
            r.set(0);
            return;
        }
        int size = s.size();
        c.notify(KeyspaceEvents.SET, "spop", db, 1);
        c.dirty(Math.min(count, size));
        // Case 1: everything, replied as SUNION of the one set would; propagated as the key's deletion.
        if (count >= size) {
            writeSet(r, union(new SetValue[] {s}));
            db.remove(c.lookup());
            c.notify(KeyspaceEvents.GENERIC, "del", db, 1);
            Propagated.asDeletion(c, "lazyfree-lazy-server-del", 1);
            c.keyModified(db, 1);
            return;
        }
        // Otherwise one SREM per member popped (wrapped in MULTI/EXEC with the rest), not SPOP itself.
        boolean propagating = c.propagating();
        byte[] key = propagating ? c.args().bytes(1) : null;
        c.preventPropagation();
        r.set(count);
        RandomGenerator rnd = ThreadLocalRandom.current();
        SetValue.Members m = new SetValue.Members();
        long remaining = size - count;
        if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
            // Case 2: few to pop; take them out one by one.
            for (long i = 0; i < count; i++) {
                m.random(s, rnd);
                writeMember(r, m);
                if (propagating) c.alsoPropagate(db, SREM, key, memberBytes(m));
                m.remove();
            }
            db.updated(c.lookup());
        } else {
            // Case 3: most of the set goes; the members that stay move to a new set
            // and the rest is replied.
            java.util.List<byte[]> stay = new java.util.ArrayList<>((int) remaining);
            for (long i = 0; i < remaining; i++) {
                m.random(s, rnd);
                m.bytes();
                stay.add(Arrays.copyOfRange(m.array, m.offset, m.offset + m.length));
                m.remove();
            }
            m.reset(s);
            while (m.next()) {
                writeMember(r, m);
                if (propagating) c.alsoPropagate(db, SREM, key, memberBytes(m));
            }
            SetValue kept = SetValue.rebuilt(stay, maxIntsetEntries, s);
            kept.init(s.key(), s.expireAt(), c.keyspace().newEntryClock(c.now()));
            db.replace(c.lookup(), kept);
        }
        c.keyModified(db, 1);
    }

    private static final byte[] SREM = Propagated.ascii("SREM");

    /** The member a Members cursor is at, as its own array. */
    private static byte[] memberBytes(SetValue.Members m) {
        m.bytes();
        return Arrays.copyOfRange(m.array, m.offset, m.offset + m.length);
    }

    void srandmember(CommandContext c) {
        Args a = c.args();
        if (a.count() == 3) {
            srandmemberWithCount(c);
            return;
        }
        if (a.count() > 3) throw Errors.SYNTAX;
        Reply r = c.reply();
        SetValue s = set(c.read(1));
        if (s == null) {
            r.nullBulk();
            return;
        }
        SetValue.Members m = new SetValue.Members();
        m.random(s, ThreadLocalRandom.current());
        writeMember(r, m);
    }

    private void srandmemberWithCount(CommandContext c) {
        long l = CountArgs.inRange(c, 2, -Long.MAX_VALUE, Long.MAX_VALUE);
        boolean unique = l >= 0;
        long count = unique ? l : -l;
        Reply r = c.reply();
        SetValue s = set(c.read(1));
        if (s == null || count == 0) {
            r.emptyArray();
            return;
        }
        int size = s.size();
        RandomGenerator rnd = ThreadLocalRandom.current();
        SetValue.Members m = new SetValue.Members();
        // Case 1: repeats allowed, or a single member.
        if (!unique || count == 1) {
            r.array(count);
            for (long i = 0; i < count; i++) {
                m.random(s, rnd);
                writeMember(r, m);
            }
            return;
        }
        // Case 2: the whole set, in its own order.
        if (count >= size) {
            r.array(size);
            m.reset(s);
            while (m.next()) writeMember(r, m);
            return;
        }
        int n = (int) count;
        int[] picks = s.isIntSet() ? RandomPicks.indices(size, n, rnd) : RandomPicks.slots(s.table(), n, rnd);
        r.array(n);
        for (int p : picks) {
            m.at(s, p);
            writeMember(r, m);
        }
    }

    // ------------------------------------------------------------ intersection

    void sintercard(CommandContext c) {
        Args a = c.args();
        long numkeys = c.longArg(1, 1, Long.MAX_VALUE, Errors.NUMKEYS_NOT_POSITIVE);
        if (numkeys > a.count() - 2) throw TOO_MANY_KEYS;
        long limit = 0;
        for (int j = 2 + (int) numkeys; j < a.count(); j++) {
            boolean more = j < a.count() - 1;
            if (a.is(j, "LIMIT") && more) {
                limit = c.longArg(++j, 0, Long.MAX_VALUE, NEGATIVE_LIMIT);
            } else {
                throw Errors.SYNTAX;
            }
        }
        inter(c, 2, (int) numkeys, -1, true, limit);
    }

    /**
     * Redis's sinterGenericCommand: SMEMBERS, SINTER, SINTERSTORE and
     * SINTERCARD. Iterates the smallest set and probes the others, so the
     * cost is the smallest size times the number of sets.
     */
    private void inter(CommandContext c, int first, int n, int dst, boolean cardinalityOnly, long limit) {
        Database db = c.db();
        Reply r = c.reply();
        SetValue[] sets = new SetValue[n];
        boolean empty = false;
        for (int j = 0; j < n; j++) {
            Object e = c.read(db, first + j); // lookupKeyRead even for *STORE, as 7.0 counts hits and misses
            if (e == null) {
                empty = true;
                continue;
            }
            sets[j] = set(e);
        }
        if (empty) {
            if (dst >= 0) {
                deleteTarget(c, db, dst);
                r.integer(0);
            } else if (cardinalityOnly) {
                r.integer(0);
            } else {
                r.set(0);
            }
            return;
        }
        // Smallest first; a stable sort, so equal sizes keep the order of the arguments.
        Integer[] order = new Integer[n];
        for (int j = 0; j < n; j++) order[j] = j;
        Arrays.sort(order, (x, y) -> Integer.compare(sets[x].size(), sets[y].size()));
        SetValue[] sorted = new SetValue[n];
        for (int j = 0; j < n; j++) sorted[j] = sets[order[j]];

        SetValue result = dst >= 0 ? SetValue.emptyIntSet() : null;
        long max = maxIntsetEntries;
        if (result == null && !cardinalityOnly) r.beginDeferred();
        long cardinality = 0;
        SetValue smallest = sorted[0];
        SetValue.Members m = new SetValue.Members().reset(smallest);
        while (m.next()) {
            if (!inAllOthers(m, sorted, smallest)) continue;
            if (cardinalityOnly) {
                cardinality++;
                if (limit != 0 && cardinality >= limit) break;
            } else if (result == null) {
                writeMember(r, m);
                cardinality++;
            } else {
                m.bytes();
                result.add(m.array, m.offset, m.length, max);
            }
        }
        if (cardinalityOnly) {
            r.integer(cardinality);
        } else if (result != null) {
            store(c, db, dst, result, "sinterstore");
        } else {
            r.endSet(cardinality);
        }
    }

    private static boolean inAllOthers(SetValue.Members m, SetValue[] sets, SetValue first) {
        for (int j = 1; j < sets.length; j++) {
            SetValue other = sets[j];
            if (other == first) continue;
            if (m.isInt) {
                IntSet is = other.intSet();
                if (is != null) {
                    if (!is.contains(m.intValue)) return false;
                } else {
                    m.bytes();
                    if (other.table().find(m.array, m.offset, m.length) < 0) return false;
                }
            } else if (!other.contains(m.array, m.offset, m.length)) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------ union and difference

    /**
     * Redis's sunionDiffGenericCommand: the result is built in a new set
     * that starts as an intset, with Redis's choice between its two SDIFF
     * algorithms, so the encoding of the result (and the order of a reply
     * that is an intset) is Redis's.
     */
    private void unionDiff(CommandContext c, int first, int n, int dst, boolean diff) {
        Database db = c.db();
        SetValue[] sets = new SetValue[n];
        for (int j = 0; j < n; j++) {
            Object e = c.read(db, first + j); // lookupKeyRead even for *STORE, as 7.0 counts hits and misses
            sets[j] = set(e);
        }
        SetValue result = diff ? difference(sets) : union(sets);
        if (dst < 0) {
            writeSet(c.reply(), result);
            return;
        }
        store(c, db, dst, result, diff ? "sdiffstore" : "sunionstore");
    }

    private SetValue union(SetValue[] sets) {
        SetValue result = SetValue.emptyIntSet();
        long max = maxIntsetEntries;
        SetValue.Members m = new SetValue.Members();
        for (SetValue s : sets) {
            if (s == null) continue;
            m.reset(s);
            while (m.next()) {
                m.bytes();
                result.add(m.array, m.offset, m.length, max);
            }
        }
        return result;
    }

    private SetValue difference(SetValue[] sets) {
        SetValue result = SetValue.emptyIntSet();
        SetValue head = sets[0];
        if (head == null) return result;
        int n = sets.length;
        for (int j = 1; j < n; j++) {
            if (sets[j] == head) return result; // the first set minus itself
        }
        long algoOneWork = 0, algoTwoWork = 0;
        for (SetValue s : sets) {
            if (s == null) continue;
            algoOneWork += head.size();
            algoTwoWork += s.size();
        }
        algoOneWork /= 2;
        long max = maxIntsetEntries;
        SetValue.Members m = new SetValue.Members();
        if (algoOneWork <= algoTwoWork) {
            // Algorithm 1: each member of the first set, probed in the others (largest first).
            SetValue[] others = Arrays.copyOfRange(sets, 1, n);
            Arrays.sort(others, (x, y) -> Integer.compare(size(y), size(x)));
            m.reset(head);
            outer:
            while (m.next()) {
                m.bytes();
                for (SetValue o : others) {
                    if (o != null && o.contains(m.array, m.offset, m.length)) continue outer;
                }
                result.add(m.array, m.offset, m.length, max);
            }
            return result;
        }
        // Algorithm 2: add the first set, remove the members of the others.
        long cardinality = 0;
        for (int j = 0; j < n; j++) {
            SetValue s = sets[j];
            if (s == null) continue;
            m.reset(s);
            while (m.next()) {
                m.bytes();
                if (j == 0) {
                    if (result.add(m.array, m.offset, m.length, max)) cardinality++;
                } else if (result.remove(m.array, m.offset, m.length)) {
                    cardinality--;
                }
            }
            if (cardinality == 0) break;
        }
        return result;
    }

    private static int size(SetValue s) {
        return s == null ? 0 : s.size();
    }

    private static void writeSet(Reply r, SetValue s) {
        r.set(s.size());
        SetValue.Members m = new SetValue.Members().reset(s);
        while (m.next()) writeMember(r, m);
    }

    // ------------------------------------------------------------ storing results

    /** The *STORE tail: the result replaces the target (no TTL), or an empty result deletes it. */
    private static void store(CommandContext c, Database db, int dst, SetValue result, String event) {
        Reply r = c.reply();
        if (result.size() == 0) {
            r.integer(0);
            deleteTarget(c, db, dst);
            return;
        }
        Lookup l = c.lookup();
        c.write(db, dst);
        result.init(c.args().bytes(dst), StoredValue.NO_EXPIRE, c.keyspace().newEntryClock(c.now()));
        c.put(db, l, result);
        c.keyModified(db, dst);
        r.integer(result.size());
        c.notify(KeyspaceEvents.SET, event, db, dst);
        c.dirty(1);
    }

    private static void deleteTarget(CommandContext c, Database db, int dst) {
        Lookup l = c.lookup();
        if (db.find(l, c.args(), dst, c.now()) != null) {
            db.remove(l);
            c.dirty(1);
            c.keyModified(db, dst);
            c.notify(KeyspaceEvents.GENERIC, "del", db, dst);
        }
    }

    // ------------------------------------------------------------ SSCAN

    void sscan(CommandContext c) {
        long cursor = Scan.cursor(c, 2);
        SetValue s = set(c.read(1));
        Reply r = c.reply();
        if (s == null) {
            CollectionScan.emptyReply(r);
            return;
        }
        Scan.Options o = Scan.options(c, 3, false);
        ElementTable t = s.table();
        if (t != null) {
            CollectionScan.scanTable(r, t, cursor, o);
            return;
        }
        CollectionScan.beginCompact(r);
        long n = 0;
        SetValue.Members m = new SetValue.Members().reset(s);
        while (m.next()) {
            m.bytes();
            if (o.matches(m.array, m.offset, m.length)) {
                r.bulk(m.array, m.offset, m.length);
                n++;
            }
        }
        r.endArray(n);
    }
}
