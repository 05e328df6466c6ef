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
import io.larder.store.ListValue;
import io.larder.store.Listpack;
import io.larder.store.Lookup;
import io.larder.store.StoredValue;
import java.util.Arrays;

/**
 * The list family (Redis's t_list.c): pushes and pops at both ends, ranges,
 * indexes, searches, moves between lists, and the blocking pops and moves
 * built on {@link BlockingController}. Checks, error texts, keyspace events
 * and their order follow Redis 7.0.
 */
public final class ListCommands {
    private static final CommandError RANK_ZERO = Errors.err("RANK can't be zero: use 1 to start from the first "
            + "match, 2 from the second ... or use negative to start from the end of the list");
    private static final CommandError COUNT_NEGATIVE = Errors.err("COUNT can't be negative");
    private static final CommandError MAXLEN_NEGATIVE = Errors.err("MAXLEN can't be negative");

    private final BlockingController blocking;
    /** list-max-listpack-size, followed as CONFIG SET changes it. */
    private volatile int fill;

    public ListCommands(LarderServer server) {
        this.blocking = server.blocking();
        server.config().watch("list-max-listpack-size", p -> fill = Integer.parseInt(p.get()));
    }

    public void register(CommandTable t) {
        t.add("lpush", c -> push(c, true, false));
        t.add("rpush", c -> push(c, false, false));
        t.add("lpushx", c -> push(c, true, true));
        t.add("rpushx", c -> push(c, false, true));
        t.add("linsert", this::linsert);
        t.add("llen", this::llen);
        t.add("lindex", this::lindex);
        t.add("lset", this::lset);
        t.add("lpop", c -> pop(c, true));
        t.add("rpop", c -> pop(c, false));
        t.add("lrange", this::lrange);
        t.add("ltrim", this::ltrim);
        t.add("lpos", this::lpos);
        t.add("lrem", this::lrem);
        t.add("lmove", c -> lmove(c, position(c, 3), position(c, 4)));
        t.add("rpoplpush", c -> lmove(c, false, true));
        t.add("lmpop", c -> lmpop(c, 1, false));
        t.add("blpop", c -> blockingPop(c, true));
        t.add("brpop", c -> blockingPop(c, false));
        t.add("blmove", this::blmove);
        t.add("brpoplpush", c -> blockingMove(c, false, true, BlockingController.deadline(c, 3)));
        t.add("blmpop", c -> lmpop(c, 2, true));
    }

    // ------------------------------------------------------------ shared pieces

    /** The list an entry holds, null for no entry, or WRONGTYPE. */
    static ListValue list(Object e) {
        if (e == null) return null;
        if (e instanceof ListValue l) return l;
        throw Errors.WRONGTYPE;
    }

    /** LEFT or RIGHT (getListPositionFromObjectOrReply); true for the head. */
    static boolean position(CommandContext c, int i) {
        if (c.args().is(i, "LEFT")) return true;
        if (c.args().is(i, "RIGHT")) return false;
        throw Errors.SYNTAX;
    }

    /** The entry under a cursor as a bulk string (integers in decimal). */
    static void writeEntry(Reply r, ListValue.Cursor cur) {
        writeEncoded(r, cur.buf(), cur.pos());
    }

    static void writeEncoded(Reply r, byte[] b, int p) {
        if (Listpack.isString(b, p)) r.bulk(b, Listpack.strOffset(b, p), Listpack.strLength(b, p));
        else r.bulkLong(Listpack.intValue(b, p));
    }

    /** Looks up key argument i for writing with its own Lookup (commands that touch two keys). */
    static Object findForWrite(CommandContext c, Database db, Lookup l, int i) {
        Object e = db.find(l, c.args(), i, c.now());
        if (e != null) c.keyspace().touch(e, c.now());
        return e;
    }

    /**
     * After a change to list key argument i: removes the key if the list is
     * now empty (with the "del" event), else accounts the new size. With
     * {@code refind} it looks the key up again first (after another key of
     * the segment changed); otherwise {@code c.lookup()} still addresses it.
     */
    static boolean storeOrDelete(CommandContext c, Database db, int keyArg, ListValue l, boolean refind) {
        Lookup lk = c.lookup();
        if (refind && db.find(lk, c.args(), keyArg, c.now()) == null) return false;
        if (l.isEmpty()) {
            db.remove(lk);
            c.notify(KeyspaceEvents.GENERIC, "del", db, keyArg);
            return true;
        }
        db.updated(lk);
        return false;
    }

    /** Redis's listElementsRemoved: the pop event, deleting an emptied key, WATCH, dirty. */
    static void elementsRemoved(CommandContext c, Database db, int keyArg, ListValue l, boolean head, long count) {
        c.notify(KeyspaceEvents.LIST, head ? "lpop" : "rpop", db, keyArg);
        storeOrDelete(c, db, keyArg, l, false);
        c.keyModified(db, keyArg);
        c.dirty(count);
    }

    /**
     * Redis's addListRangeReply: elements start..end (negative from the
     * tail, clamped), in reverse when asked (RPOP with a count).
     */
    static void rangeReply(Reply r, ListValue l, long start, long end, boolean reverse) {
        long llen = l.size();
        if (start < 0) start = llen + start;
        if (end < 0) end = llen + end;
        if (start < 0) start = 0;
        if (start > end || start >= llen) {
            r.emptyArray();
            return;
        }
        if (end >= llen) end = llen - 1;
        long n = end - start + 1;
        r.array(n);
        ListValue.Cursor cur = l.cursor(reverse ? end : start);
        for (long i = 0; i < n; i++) {
            writeEntry(r, cur);
            if (reverse) cur.prev();
            else cur.next();
        }
    }

    /** Pops up to count elements from one end, replying with them as an array (LPOP count, LMPOP). */
    static long popRange(CommandContext c, ListValue l, boolean head, long count) {
        long n = Math.min(count, l.size());
        if (head) rangeReply(c.reply(), l, 0, n - 1, false);
        else rangeReply(c.reply(), l, -n, -1, true);
        l.removeFromEnd(head, n);
        return n;
    }

    /** Redis's listPopRangeAndReplyWithKey: [key, [elements]] (LMPOP, BLMPOP). */
    static void popRangeWithKey(CommandContext c, Database db, int keyArg, ListValue l, boolean head, long count) {
        Reply r = c.reply();
        Args a = c.args();
        r.array(2);
        r.bulk(a.buf(), a.off(keyArg), a.len(keyArg));
        long n = popRange(c, l, head, count);
        elementsRemoved(c, db, keyArg, l, head, n);
        // [B]LMPOP is propagated as [LR]POP key count, the count it really popped.
        if (c.propagating()) c.propagateAs(head ? LPOP : RPOP, a.bytes(keyArg), io.larder.journal.Resp.number(n));
    }

    private static final byte[] LPOP = Propagated.ascii("LPOP"), RPOP = Propagated.ascii("RPOP"),
            LMOVE = Propagated.ascii("LMOVE"), RPOPLPUSH = Propagated.ascii("RPOPLPUSH");

    /** Pops one element, replying [key, element] (BLPOP, BRPOP). */
    static void popOneWithKey(CommandContext c, Database db, int keyArg, ListValue l, boolean head) {
        Reply r = c.reply();
        Args a = c.args();
        r.array(2);
        r.bulk(a.buf(), a.off(keyArg), a.len(keyArg));
        writeEntry(r, l.cursor(head ? 0 : -1));
        l.removeFromEnd(head, 1);
        elementsRemoved(c, db, keyArg, l, head, 1);
        // BLPOP/BRPOP are propagated as the pop they did.
        if (c.propagating()) c.propagateAs(head ? LPOP : RPOP, a.bytes(keyArg));
    }

    // ------------------------------------------------------------ commands

    void push(CommandContext c, boolean head, boolean onlyIfExists) {
        Args a = c.args();
        Database db = c.db();
        Lookup lk = c.lookup();
        ListValue l = list(c.write(db, 1));
        int f = fill;
        if (l == null) {
            if (onlyIfExists) {
                c.reply().integer(0);
                return;
            }
            l = new ListValue();
            for (int j = 2; j < a.count(); j++) l.push(head, a.buf(), a.off(j), a.len(j), f);
            if (a.count() > 3) l.trimToSize();
            l.init(a.bytes(1), StoredValue.NO_EXPIRE, Keyspace.lruClock(c.now()));
            c.insert(db, lk, l); // signals the key ready for blocked clients
        } else {
            for (int j = 2; j < a.count(); j++) l.push(head, a.buf(), a.off(j), a.len(j), f);
            db.updated(lk);
        }
        c.reply().integer(l.size());
        c.keyModified(db, 1);
        c.notify(KeyspaceEvents.LIST, head ? "lpush" : "rpush", db, 1);
        c.dirty(a.count() - 2);
    }

    void linsert(CommandContext c) {
        Args a = c.args();
        boolean after;
        if (a.is(2, "AFTER")) after = true;
        else if (a.is(2, "BEFORE")) after = false;
        else throw Errors.SYNTAX;
        Database db = c.db();
        ListValue l = list(c.write(db, 1));
        if (l == null) {
            c.reply().integer(0);
            return;
        }
        byte[] pivot = Listpack.encode(a.buf(), a.off(3), a.len(3));
        boolean inserted = false;
        for (ListValue.Cursor cur = l.cursor(0); cur.valid(); cur.next()) {
            if (cur.matches(pivot)) {
                cur.insert(after, a.buf(), a.off(4), a.len(4), fill);
                inserted = true;
                break;
            }
        }
        if (!inserted) {
            c.reply().integer(-1);
            return;
        }
        db.updated(c.lookup());
        c.keyModified(db, 1);
        c.notify(KeyspaceEvents.LIST, "linsert", db, 1);
        c.dirty(1);
        c.reply().integer(l.size());
    }

    void llen(CommandContext c) {
        ListValue l = list(c.read(1));
        c.reply().integer(l == null ? 0 : l.size());
    }

    void lindex(CommandContext c) {
        ListValue l = list(c.read(1));
        if (l == null) {
            c.reply().nullBulk();
            return;
        }
        ListValue.Cursor cur = l.cursor(c.longArg(2));
        if (cur.valid()) writeEntry(c.reply(), cur);
        else c.reply().nullBulk();
    }

    void lset(CommandContext c) {
        Args a = c.args();
        Database db = c.db();
        ListValue l = list(c.write(db, 1));
        if (l == null) throw Errors.NO_SUCH_KEY;
        ListValue.Cursor cur = l.cursor(c.longArg(2));
        if (!cur.valid()) throw Errors.INDEX_OUT_OF_RANGE;
        cur.replace(a.buf(), a.off(3), a.len(3), fill);
        db.updated(c.lookup());
        c.reply().ok();
        c.keyModified(db, 1);
        c.notify(KeyspaceEvents.LIST, "lset", db, 1);
        c.dirty(1);
    }

    void pop(CommandContext c, boolean head) {
        Args a = c.args();
        boolean hasCount = a.count() == 3;
        if (a.count() > 3) throw Errors.wrongArgs(c.command().fullName);
        long count = hasCount ? c.longArg(2, 0, Long.MAX_VALUE, Errors.NOT_POSITIVE) : 0;
        Database db = c.db();
        ListValue l = list(c.write(db, 1));
        if (l == null) {
            if (hasCount) c.reply().nullArray();
            else c.reply().nullBulk();
            return;
        }
        if (hasCount && count == 0) {
            c.reply().emptyArray();
            return;
        }
        if (!hasCount) {
            writeEntry(c.reply(), l.cursor(head ? 0 : -1));
            l.removeFromEnd(head, 1);
            elementsRemoved(c, db, 1, l, head, 1);
        } else {
            long n = popRange(c, l, head, count);
            elementsRemoved(c, db, 1, l, head, n);
        }
    }

    void lrange(CommandContext c) {
        long start = c.longArg(2);
        long end = c.longArg(3);
        ListValue l = list(c.read(1));
        if (l == null) {
            c.reply().emptyArray();
            return;
        }
        rangeReply(c.reply(), l, start, end, false);
    }

    void ltrim(CommandContext c) {
        long start = c.longArg(2);
        long end = c.longArg(3);
        Database db = c.db();
        ListValue l = list(c.write(db, 1));
        if (l == null) {
            c.reply().ok();
            return;
        }
        long llen = l.size();
        if (start < 0) start = llen + start;
        if (end < 0) end = llen + end;
        if (start < 0) start = 0;
        long ltrim, rtrim;
        if (start > end || start >= llen) {
            ltrim = llen;
            rtrim = 0;
        } else {
            if (end >= llen) end = llen - 1;
            ltrim = start;
            rtrim = llen - end - 1;
        }
        l.removeFromEnd(true, ltrim);
        l.removeFromEnd(false, rtrim);
        c.notify(KeyspaceEvents.LIST, "ltrim", db, 1);
        storeOrDelete(c, db, 1, l, false);
        c.keyModified(db, 1);
        c.dirty(ltrim + rtrim);
        c.reply().ok();
    }

    void lrem(CommandContext c) {
        Args a = c.args();
        long toRemove = c.longArg(2);
        Database db = c.db();
        ListValue l = list(c.write(db, 1));
        if (l == null) {
            c.reply().integer(0);
            return;
        }
        long removed = l.removeMatching(Listpack.encode(a.buf(), a.off(3), a.len(3)), toRemove);
        c.dirty(removed);
        if (removed > 0) {
            c.keyModified(db, 1);
            c.notify(KeyspaceEvents.LIST, "lrem", db, 1);
            storeOrDelete(c, db, 1, l, false);
        }
        c.reply().integer(removed);
    }

    void lpos(CommandContext c) {
        Args a = c.args();
        long rank = 1, count = -1, maxlen = 0;
        for (int j = 3; j < a.count(); j++) {
            boolean more = j < a.count() - 1;
            if (a.is(j, "RANK") && more) {
                rank = c.longArg(++j);
                if (rank == 0) throw RANK_ZERO;
            } else if (a.is(j, "COUNT") && more) {
                count = c.longArg(++j, 0, Long.MAX_VALUE, COUNT_NEGATIVE);
            } else if (a.is(j, "MAXLEN") && more) {
                maxlen = c.longArg(++j, 0, Long.MAX_VALUE, MAXLEN_NEGATIVE);
            } else {
                throw Errors.SYNTAX;
            }
        }
        boolean fromHead = true;
        if (rank < 0) {
            rank = -rank; // Long.MIN_VALUE stays negative, as in C: every match then counts
            fromHead = false;
        }
        Reply r = c.reply();
        ListValue l = list(c.read(1));
        if (l == null) {
            if (count != -1) r.emptyArray();
            else r.nullBulk();
            return;
        }
        byte[] ele = Listpack.encode(a.buf(), a.off(2), a.len(2));
        if (count != -1) r.beginDeferred();
        long llen = l.size();
        long index = 0, matches = 0, matchIndex = -1, found = 0;
        ListValue.Cursor cur = l.cursor(fromHead ? 0 : -1);
        while (cur.valid() && (maxlen == 0 || index < maxlen)) {
            if (cur.matches(ele)) {
                matches++;
                matchIndex = fromHead ? index : llen - index - 1;
                if (matches >= rank) {
                    if (count == -1) break;
                    found++;
                    r.integer(matchIndex);
                    if (count != 0 && matches - rank + 1 >= count) break;
                }
            }
            index++;
            matchIndex = -1;
            if (fromHead) cur.next();
            else cur.prev();
        }
        if (count != -1) r.endArray(found);
        else if (matchIndex != -1) r.integer(matchIndex);
        else r.nullBulk();
    }

    /** Redis's lmoveGenericCommand (LMOVE, RPOPLPUSH, and BLMOVE when the source has elements). */
    void lmove(CommandContext c, boolean fromHead, boolean toHead) {
        Args a = c.args();
        Database db = c.db();
        ListValue src = list(c.write(db, 1));
        if (src == null) {
            c.reply().nullBulk();
            return;
        }
        Lookup dl = new Lookup();
        ListValue dst = list(findForWrite(c, db, dl, 2));
        ListValue.Cursor cur = src.cursor(fromHead ? 0 : -1);
        // A copy: when source and destination are one list, the push may reuse the popped bytes' room.
        byte[] enc = Arrays.copyOfRange(cur.buf(), cur.pos(), cur.pos() + cur.entrySize());
        src.removeFromEnd(fromHead, 1);
        // lmoveHandlePush
        if (dst == null) {
            dst = new ListValue();
            dst.pushEncoded(toHead, enc, 0, enc.length, fill);
            dst.init(a.bytes(2), StoredValue.NO_EXPIRE, Keyspace.lruClock(c.now()));
            c.insert(db, dl, dst);
        } else {
            dst.pushEncoded(toHead, enc, 0, enc.length, fill);
            if (dst != src) db.updated(dl);
        }
        c.keyModified(db, 2);
        c.notify(KeyspaceEvents.LIST, toHead ? "lpush" : "rpush", db, 2);
        writeEncoded(c.reply(), enc, 0);
        // back in lmoveGenericCommand
        c.notify(KeyspaceEvents.LIST, fromHead ? "lpop" : "rpop", db, 1);
        storeOrDelete(c, db, 1, src, true);
        c.keyModified(db, 1);
        c.dirty(1);
    }

    /**
     * LMPOP (numkeys at argument 1) and BLMPOP (timeout at 1, numkeys at 2):
     * Redis's lmpopGenericCommand, checks in its order, the timeout last.
     */
    void lmpop(CommandContext c, int numkeysIdx, boolean block) {
        Args a = c.args();
        int argc = a.count();
        long numkeys = c.longArg(numkeysIdx, 1, Long.MAX_VALUE, Errors.NUMKEYS_NOT_POSITIVE);
        if (numkeys >= argc - numkeysIdx - 1) throw Errors.SYNTAX;
        int whereIdx = numkeysIdx + (int) numkeys + 1;
        boolean head = position(c, whereIdx);
        long count = -1;
        for (int j = whereIdx + 1; j < argc; j++) {
            if (count == -1 && a.is(j, "COUNT") && j < argc - 1) {
                count = c.longArg(++j, 1, Long.MAX_VALUE, Errors.COUNT_NOT_POSITIVE);
            } else {
                throw Errors.SYNTAX;
            }
        }
        if (count == -1) count = 1;
        int first = numkeysIdx + 1;
        int last = whereIdx - 1;
        if (block) {
            blockingPopGeneric(c, first, last, head, count, BlockingController.deadline(c, 1));
            return;
        }
        Database db = c.db();
        for (int i = first; i <= last; i++) {
            ListValue l = list(c.write(db, i));
            if (l == null || l.isEmpty()) continue;
            popRangeWithKey(c, db, i, l, head, count);
            return;
        }
        c.reply().nullArray();
    }

    void blockingPop(CommandContext c, boolean head) {
        int last = c.argc() - 1;
        long deadline = BlockingController.deadline(c, last);
        blockingPopGeneric(c, 1, last - 1, head, -1, deadline);
    }

    /**
     * Redis's blockingPopGenericCommand: serves from the first non-empty key
     * of first..last, else blocks on all of them. count -1 is BLPOP/BRPOP
     * ([key, element]); otherwise BLMPOP ([key, [elements]]).
     */
    void blockingPopGeneric(CommandContext c, int first, int last, boolean head, long count, long deadline) {
        Database db = c.db();
        for (int i = first; i <= last; i++) {
            ListValue l = list(c.write(db, i));
            if (l == null || l.isEmpty()) continue;
            if (count == -1) popOneWithKey(c, db, i, l, head);
            else popRangeWithKey(c, db, i, l, head, count);
            return;
        }
        if (!blocking.mayBlock(c)) {
            c.reply().nullArray();
            return;
        }
        int[] keys = new int[last - first + 1];
        for (int i = 0; i < keys.length; i++) keys[i] = first + i;
        blocking.block(c, keys, deadline, (cc, keyArg) -> {
            Database bdb = cc.db();
            Object e = cc.write(bdb, keyArg);
            if (e == null) return Outcome.EXHAUSTED;
            if (!(e instanceof ListValue l) || l.isEmpty()) return Outcome.NOT_SERVED;
            if (count == -1) popOneWithKey(cc, bdb, keyArg, l, head);
            else popRangeWithKey(cc, bdb, keyArg, l, head, count);
            return Outcome.SERVED;
        });
    }

    void blmove(CommandContext c) {
        boolean from = position(c, 3);
        boolean to = position(c, 4);
        blockingMove(c, from, to, BlockingController.deadline(c, 5));
    }

    /** Redis's blmoveGenericCommand (BLMOVE, BRPOPLPUSH). */
    void blockingMove(CommandContext c, boolean fromHead, boolean toHead, long deadline) {
        ListValue src = list(c.write(1));
        if (src != null) {
            lmove(c, fromHead, toHead);
            // Served at once: propagated as the non-blocking command, with the client's own arguments.
            if (c.propagating() && c.dirtyCount() > 0) {
                Args a = c.args();
                if (c.command().name.equals("brpoplpush")) c.propagateAs(RPOPLPUSH, a.bytes(1), a.bytes(2));
                else c.propagateAs(LMOVE, a.bytes(1), a.bytes(2), a.bytes(3), a.bytes(4));
            }
            return;
        }
        if (!blocking.mayBlock(c)) {
            c.reply().nullBulk(); // unlike the null array of a real timeout, as in Redis
            return;
        }
        blocking.block(c, new int[] {1}, deadline, (cc, keyArg) -> {
            Object e = cc.write(1);
            if (e == null) return Outcome.EXHAUSTED;
            if (!(e instanceof ListValue)) return Outcome.NOT_SERVED;
            // A destination of the wrong type makes lmove throw WRONGTYPE before popping:
            // the client is unblocked with that error and the element stays for the next waiter.
            lmove(cc, fromHead, toHead);
            // Served later: propagated as the non-blocking command, the client's own directions included.
            if (cc.propagating()) {
                Args a = cc.args();
                if (cc.command().name.equals("brpoplpush")) cc.propagateAs(RPOPLPUSH, a.bytes(1), a.bytes(2));
                else cc.propagateAs(LMOVE, a.bytes(1), a.bytes(2), a.bytes(3), a.bytes(4));
            }
            return Outcome.SERVED;
        });
    }
}
