package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.config.KeyspaceEvents;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.server.Client;
import io.larder.server.LarderServer;
import io.larder.store.Database;
import io.larder.store.Entries;
import io.larder.store.Keyspace;
import io.larder.store.Lookup;
import io.larder.store.StoredValue;
import io.larder.store.StringBlob;
import io.larder.store.StringValue;
import io.larder.util.LongDouble;
import io.larder.util.Numbers;

/**
 * The string family (Redis's t_string.c): GET, SET and its variants, GETEX,
 * GETDEL, MGET/MSET, APPEND, SETRANGE/GETRANGE, the INCR family, INCRBYFLOAT
 * and LCS.
 */
public final class StringCommands {
    private final LarderServer server;
    private final Keyspace keyspace;
    /** proto-max-bulk-len, the largest string APPEND and SETRANGE may build. */
    private volatile long maxBulkLen;

    /** Java arrays stop a little short of 2^31; larger strings get Redis's size error. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 16;

    private static final CommandError OFFSET_OUT_OF_RANGE = Errors.err("offset is out of range");
    private static final CommandError DECREMENT_OVERFLOW = Errors.err("decrement would overflow");
    private static final CommandError LCS_NOT_STRINGS = Errors.err("The specified keys must contain string values");
    private static final CommandError LCS_LEN_AND_IDX =
            Errors.err("If you want both the length and indexes, please just use IDX.");
    private static final CommandError LCS_TOO_BIG =
            Errors.err("Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    private static final CommandError LCS_NO_MEMORY =
            Errors.err("Insufficient memory, failed allocating transient memory for LCS");

    public StringCommands(LarderServer server) {
        this.server = server;
        this.keyspace = server.keyspace();
        server.config().watch("proto-max-bulk-len", p -> maxBulkLen = server.config().getLong("proto-max-bulk-len"));
    }

    public void register(CommandTable t) {
        t.add("get", this::get);
        t.add("set", this::set);
        t.add("setnx", this::setnx);
        t.add("setex", c -> setGeneric(c, EX, 3, 2, false));
        t.add("psetex", c -> setGeneric(c, PX, 3, 2, false));
        t.add("getex", this::getex);
        t.add("getdel", this::getdel);
        t.add("getset", this::getset);
        t.add("mget", this::mget);
        t.add("mset", c -> mset(c, false));
        t.add("msetnx", c -> mset(c, true));
        t.add("append", this::append);
        t.add("strlen", this::strlen);
        t.add("setrange", this::setrange);
        t.add("getrange", this::getrange);
        t.add("substr", this::getrange);
        t.add("incr", c -> incrDecr(c, 1));
        t.add("decr", c -> incrDecr(c, -1));
        t.add("incrby", c -> incrDecr(c, c.longArg(2)));
        t.add("decrby", this::decrby);
        t.add("incrbyfloat", this::incrbyfloat);
        t.add("lcs", this::lcs);
    }

    // ------------------------------------------------------------ GET / SET

    void get(CommandContext c) {
        Object e = c.read(1);
        if (!Strings.check(e)) {
            c.reply().nullBulk();
            return;
        }
        Strings.writeBulk(c.reply(), e);
    }

    // Option flags of SET and GETEX (Redis's OBJ_* flags).
    private static final int NX = 1, XX = 2, GET = 4, KEEPTTL = 8, EX = 16, PX = 32, EXAT = 64, PXAT = 128,
            PERSIST = 256;
    private static final int ANY_EXPIRE = EX | PX | EXAT | PXAT;

    /**
     * Redis's parseExtendedStringArgumentsOrReply for SET (from argument 3)
     * and GETEX (from argument 2): returns the flags in the low 16 bits and
     * the index of the expiry argument above them (0 if none).
     */
    private static long parseOptions(CommandContext c, boolean set) {
        Args a = c.args();
        int flags = 0;
        int expireArg = 0;
        for (int j = set ? 3 : 2; j < a.count(); j++) {
            boolean hasNext = j < a.count() - 1;
            int expireFlag = 0;
            if (set && a.is(j, "NX") && (flags & XX) == 0) {
                flags |= NX;
            } else if (set && a.is(j, "XX") && (flags & NX) == 0) {
                flags |= XX;
            } else if (set && a.is(j, "GET")) {
                flags |= GET;
            } else if (set && a.is(j, "KEEPTTL") && (flags & (PERSIST | ANY_EXPIRE)) == 0) {
                flags |= KEEPTTL;
            } else if (!set && a.is(j, "PERSIST") && (flags & (ANY_EXPIRE | KEEPTTL)) == 0) {
                flags |= PERSIST;
            } else if (a.is(j, "EX")) {
                expireFlag = EX;
            } else if (a.is(j, "PX")) {
                expireFlag = PX;
            } else if (a.is(j, "EXAT")) {
                expireFlag = EXAT;
            } else if (a.is(j, "PXAT")) {
                expireFlag = PXAT;
            } else {
                throw Errors.SYNTAX;
            }
            if (expireFlag != 0) {
                // Any other expiry option, KEEPTTL or PERSIST excludes it; it needs a value.
                if ((flags & (KEEPTTL | PERSIST | (ANY_EXPIRE & ~expireFlag))) != 0 || !hasNext) throw Errors.SYNTAX;
                flags |= expireFlag;
                expireArg = ++j;
            }
        }
        return flags | ((long) expireArg << 16);
    }

    void set(CommandContext c) {
        long p = parseOptions(c, true);
        setGeneric(c, (int) p & 0xFFFF, 2, (int) (p >>> 16), false);
    }

    void setnx(CommandContext c) {
        setGeneric(c, NX, 2, 0, true);
    }

    /**
     * Redis's setGenericCommand, shared by SET, SETNX, SETEX and PSETEX.
     * {@code intReply}: reply 1/0 (SETNX) instead of OK/null.
     */
    private void setGeneric(CommandContext c, int flags, int valueArg, int expireArg, boolean intReply) {
        Args a = c.args();
        long expireAt = StoredValue.NO_EXPIRE;
        if (expireArg > 0) {
            expireAt = expireMillis(c, expireArg, (flags & (EX | EXAT)) != 0, (flags & (EX | PX)) != 0);
        }
        Database db = c.db();
        if ((flags & GET) != 0) {
            // getGenericCommand: the old value is the reply whatever happens next; WRONGTYPE stops here.
            Object old = c.read(1);
            if (Strings.check(old)) Strings.writeBulk(c.reply(), old);
            else c.reply().nullBulk();
        }
        Lookup l = c.lookup();
        Object old = c.write(1);
        boolean found = old != null;
        if (((flags & NX) != 0 && found) || ((flags & XX) != 0 && !found)) {
            if ((flags & GET) == 0) {
                if (intReply) c.reply().integer(0);
                else c.reply().nullBulk();
            }
            return;
        }
        if ((flags & KEEPTTL) != 0 && found && expireArg == 0) expireAt = Entries.expireAt(old);
        c.put(db, l, newString(c, a, 1, valueArg, expireAt, old));
        c.dirty(1);
        if (expireArg > 0) {
            // A relative (or any) expiry is propagated as SET key value PXAT ms, nothing else kept.
            if (c.propagating()) {
                c.propagateAs(Propagated.SET, a.bytes(1), a.bytes(valueArg), Propagated.PXAT,
                        io.larder.journal.Resp.number(expireAt));
            }
        } else if ((flags & GET) != 0) {
            Propagated.withoutGet(c);
        }
        c.keyModified(db, 1);
        c.notify(KeyspaceEvents.STRING, "set", db, 1);
        if (expireArg > 0) c.notify(KeyspaceEvents.GENERIC, "expire", db, 1);
        if ((flags & GET) == 0) {
            if (intReply) c.reply().integer(1);
            else c.reply().ok();
        }
    }

    /**
     * A string entry for key argument k and value argument v as SET stores it (tryObjectEncoding), written
     * over {@code old} (the key's current entry, or null) when it can be: see {@link Strings#entryOver}.
     */
    private Object newString(CommandContext c, Args a, int k, int v, long expireAt, Object old) {
        return Strings.entryOver(keyspace, old, a.buf(), a.off(k), a.len(k), a.buf(), a.off(v), a.len(v), expireAt,
                Strings.encodedForm(keyspace, a.buf(), a.off(v), a.len(v)), keyspace.newEntryClock(c.now()));
    }

    /**
     * Redis's getExpireMillisecondsOrReply: the expiry argument as an absolute
     * time in ms, with its checks and error texts.
     */
    static long expireMillis(CommandContext c, int arg, boolean seconds, boolean relative) {
        long v = c.longArg(arg);
        if (v <= 0 || (seconds && v > Long.MAX_VALUE / 1000)) throw Errors.invalidExpire(c.command().fullName);
        if (seconds) v *= 1000;
        if (relative) v += c.now();
        if (v <= 0) throw Errors.invalidExpire(c.command().fullName);
        return v;
    }

    void getex(CommandContext c) {
        long p = parseOptions(c, false);
        int flags = (int) p & 0xFFFF;
        int expireArg = (int) (p >>> 16);
        Object e = c.read(1);
        if (!Strings.check(e)) {
            c.reply().nullBulk();
            return;
        }
        Lookup l = c.lookup();
        long expireAt = 0;
        if (expireArg > 0) expireAt = expireMillis(c, expireArg, (flags & (EX | EXAT)) != 0, (flags & (EX | PX)) != 0);
        Strings.writeBulk(c.reply(), e);
        Database db = c.db();
        if ((flags & (EXAT | PXAT)) != 0 && expireAt <= c.now() && !c.server().loading()) {
            // An absolute time already past deletes the key (propagated as DEL, or UNLINK).
            db.remove(l);
            c.keyModified(db, 1);
            c.notify(KeyspaceEvents.GENERIC, "del", db, 1);
            c.dirty(1);
            Propagated.asDeletion(c, "lazyfree-lazy-expire", 1);
        } else if (expireArg > 0) {
            db.setExpire(l, expireAt);
            c.keyModified(db, 1);
            c.notify(KeyspaceEvents.GENERIC, "expire", db, 1);
            c.dirty(1);
            Propagated.asPexpireat(c, 1, expireAt);
        } else if ((flags & PERSIST) != 0 && l.expireAt() != StoredValue.NO_EXPIRE) {
            db.setExpire(l, StoredValue.NO_EXPIRE);
            c.keyModified(db, 1);
            c.notify(KeyspaceEvents.GENERIC, "persist", db, 1);
            c.dirty(1);
            if (c.propagating()) c.propagateAs(Propagated.PERSIST, c.args().bytes(1));
        }
    }

    void getdel(CommandContext c) {
        Object e = c.read(1);
        if (!Strings.check(e)) {
            c.reply().nullBulk();
            return;
        }
        Strings.writeBulk(c.reply(), e);
        Database db = c.db();
        db.remove(c.lookup());
        c.keyModified(db, 1);
        c.notify(KeyspaceEvents.GENERIC, "del", db, 1);
        c.dirty(1);
        Propagated.asDeletion(c, "lazyfree-lazy-user-del", 1);
    }

    void getset(CommandContext c) {
        Object old = c.read(1);
        if (Strings.check(old)) Strings.writeBulk(c.reply(), old);
        else c.reply().nullBulk();
        Database db = c.db();
        // setKey looks the key up again (touching it once more, as Redis does) and drops any TTL.
        Object cur = c.write(1);
        c.put(db, c.lookup(), newString(c, c.args(), 1, 2, StoredValue.NO_EXPIRE, cur));
        c.keyModified(db, 1);
        c.notify(KeyspaceEvents.STRING, "set", db, 1);
        c.dirty(1);
        // Propagated as SET (getsetCommand rewrites argv[0]).
        c.propagateArg(0, Propagated.SET);
    }

    void mget(CommandContext c) {
        int n = c.argc() - 1;
        Reply r = c.reply();
        r.array(n);
        Database db = c.db();
        for (int i = 1; i <= n; i++) {
            Object e = c.read(db, i);
            if (Strings.isString(e)) Strings.writeBulk(r, e);
            else r.nullBulk();
        }
    }

    void mset(CommandContext c, boolean nx) {
        Args a = c.args();
        if (a.count() % 2 == 0) throw Errors.wrongArgs(c.command().fullName);
        Database db = c.db();
        if (nx) {
            for (int j = 1; j < a.count(); j += 2) {
                if (c.write(db, j) != null) {
                    c.reply().integer(0);
                    return;
                }
            }
        }
        for (int j = 1; j < a.count(); j += 2) {
            Object cur = c.write(db, j);
            c.put(db, c.lookup(), newString(c, a, j, j + 1, StoredValue.NO_EXPIRE, cur));
            c.keyModified(db, j);
            c.notify(KeyspaceEvents.STRING, "set", db, j);
        }
        c.dirty((a.count() - 1) / 2);
        if (nx) c.reply().integer(1);
        else c.reply().ok();
    }

    // ------------------------------------------------------------ APPEND / SETRANGE / GETRANGE

    /** Redis's checkStringLength: the size a string would grow to, against proto-max-bulk-len. */
    private void checkStringLength(CommandContext c, long size, long append) {
        if (c.client().has(Client.MASTER)) return;
        if (size > Long.MAX_VALUE - append) throw Errors.STRING_TOO_LONG;
        long total = size + append;
        if (total > maxBulkLen || total > MAX_ARRAY) throw Errors.STRING_TOO_LONG;
    }

    void append(CommandContext c) {
        Args a = c.args();
        Database db = c.db();
        Lookup l = c.lookup();
        Object e = c.write(1);
        long total;
        if (e == null) {
            c.insert(db, l, newString(c, a, 1, 2, StoredValue.NO_EXPIRE, null));
            total = a.len(2);
        } else {
            Strings.check(e);
            int len = Strings.length(e);
            checkStringLength(c, len, a.len(2));
            StringValue s = Strings.mutable(db, l, e, 0);
            int n = len + a.len(2);
            s.ensureCapacity(n);
            System.arraycopy(a.buf(), a.off(2), s.data(), len, a.len(2));
            s.setLength(n);
            db.updated(l);
            total = n;
        }
        c.keyModified(db, 1);
        c.notify(KeyspaceEvents.STRING, "append", db, 1);
        c.dirty(1);
        c.reply().integer(total);
    }

    void strlen(CommandContext c) {
        Object e = c.read(1);
        c.reply().integer(Strings.check(e) ? Strings.length(e) : 0);
    }

    void setrange(CommandContext c) {
        Args a = c.args();
        long offset = c.longArg(2);
        if (offset < 0) throw OFFSET_OUT_OF_RANGE;
        int vlen = a.len(3);
        Database db = c.db();
        Lookup l = c.lookup();
        Object e = c.write(1);
        StringValue s;
        if (e == null) {
            if (vlen == 0) {
                c.reply().integer(0);
                return;
            }
            checkStringLength(c, offset, vlen);
            int n = (int) (offset + vlen);
            s = new StringValue(new byte[n], n, StringBlob.FORM_RAW);
            s.init(a.bytes(1), StoredValue.NO_EXPIRE, keyspace.newEntryClock(c.now()));
            c.insert(db, l, s);
        } else {
            Strings.check(e);
            int len = Strings.length(e);
            if (vlen == 0) {
                c.reply().integer(len);
                return;
            }
            checkStringLength(c, offset, vlen);
            // sdsgrowzero: the gap between the old end and the offset reads as zero bytes.
            s = Strings.mutable(db, l, e, (int) (offset + vlen));
        }
        System.arraycopy(a.buf(), a.off(3), s.data(), (int) offset, vlen);
        db.updated(l);
        c.keyModified(db, 1);
        c.notify(KeyspaceEvents.STRING, "setrange", db, 1);
        c.dirty(1);
        c.reply().integer(s.length());
    }

    void getrange(CommandContext c) {
        long start = c.longArg(2);
        long end = c.longArg(3);
        Object e = c.read(1);
        if (!Strings.check(e)) {
            c.reply().bulk(EMPTY);
            return;
        }
        long len = Strings.length(e);
        if (start < 0 && end < 0 && start > end) {
            c.reply().bulk(EMPTY);
            return;
        }
        if (start < 0) start = len + start;
        if (end < 0) end = len + end;
        if (start < 0) start = 0;
        if (end < 0) end = 0;
        if (end >= len) end = len - 1;
        if (start > end || len == 0) {
            c.reply().bulk(EMPTY);
            return;
        }
        c.reply().bulk(Strings.array(e), Strings.offset(e) + (int) start, (int) (end - start + 1));
    }

    private static final byte[] EMPTY = new byte[0];

    // ------------------------------------------------------------ counters

    void decrby(CommandContext c) {
        long incr = c.longArg(2);
        if (incr == Long.MIN_VALUE) throw DECREMENT_OVERFLOW;
        incrDecr(c, -incr);
    }

    /** Redis's incrDecrCommand. The result is an int-encoded value; the TTL stays. */
    private void incrDecr(CommandContext c, long incr) {
        Database db = c.db();
        Lookup l = c.lookup();
        Object e = c.write(1);
        long value = 0;
        if (e != null) {
            Strings.check(e);
            byte[] arr = Strings.array(e);
            try {
                value = Numbers.parseLong(arr, Strings.offset(e), Strings.length(e));
            } catch (Numbers.Invalid x) {
                throw Errors.NOT_INTEGER;
            }
        }
        if ((incr < 0 && value < 0 && incr < Long.MIN_VALUE - value)
                || (incr > 0 && value > 0 && incr > Long.MAX_VALUE - value)) {
            throw Errors.OVERFLOW;
        }
        value += incr;
        int form = Strings.integerForm(keyspace, value);
        // A running snapshot may hold the blob itself: then the new value needs a new array.
        if (!(e instanceof byte[] b && !keyspace.snapshotRunning() && inPlace(b, value, form))) {
            byte[] digits = Numbers.longBytes(value);
            Object entry = Strings.entry(c.args().buf(), c.args().off(1), c.args().len(1), digits, 0, digits.length,
                    e == null ? StoredValue.NO_EXPIRE : Entries.expireAt(e), form,
                    keyspace.newEntryClock(c.now()));
            c.put(db, l, entry);
        }
        c.keyModified(db, 1);
        c.notify(KeyspaceEvents.STRING, "incrby", db, 1);
        c.dirty(1);
        c.reply().integer(value);
    }

    /**
     * Writes a counter's new value into its blob when the digits fit exactly
     * and the encoding form stays the same, sparing an allocation per INCR.
     */
    private static boolean inPlace(byte[] b, long value, int form) {
        if (StringBlob.form(b) != form || form != StringBlob.FORM_AUTO) return false;
        int vo = StringBlob.valueOffset(b);
        int len = b.length - vo;
        int digits = value < 0 ? (value == Long.MIN_VALUE ? 20 : 1 + Numbers.digitCount(-value))
                : Numbers.digitCount(value);
        if (digits != len) return false;
        Numbers.longToAscii(value, b, vo);
        return true;
    }

    void incrbyfloat(CommandContext c) {
        Args a = c.args();
        Database db = c.db();
        Lookup l = c.lookup();
        Object e = c.write(1);
        byte[] result;
        if (e == null) {
            result = LongDouble.addStrings(ZERO, 0, 1, a.buf(), a.off(2), a.len(2));
        } else {
            Strings.check(e);
            result = LongDouble.addStrings(Strings.array(e), Strings.offset(e), Strings.length(e),
                    a.buf(), a.off(2), a.len(2));
        }
        if (result == null) throw Errors.NOT_FLOAT;
        if (result == LongDouble.NAN_OR_INF) throw Errors.NAN_OR_INF;
        // createStringObjectFromLongDouble: a plain string object, never int-encoded.
        Object entry = Strings.entry(a.buf(), a.off(1), a.len(1), result, 0, result.length,
                e == null ? StoredValue.NO_EXPIRE : Entries.expireAt(e), StringBlob.FORM_STRING,
                keyspace.newEntryClock(c.now()));
        c.put(db, l, entry);
        c.keyModified(db, 1);
        c.notify(KeyspaceEvents.STRING, "incrbyfloat", db, 1);
        c.dirty(1);
        // Propagated as SET with the result, so float formatting can never make a replay differ.
        if (c.propagating()) c.propagateAs(Propagated.SET, a.bytes(1), result, Propagated.KEEPTTL);
        c.reply().bulk(result);
    }

    private static final byte[] ZERO = {'0'};

    // ------------------------------------------------------------ LCS

    /**
     * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the
     * classic dynamic programming table, as Redis builds it (so ties between
     * equally long subsequences resolve the same way), bounded by
     * proto-max-bulk-len like Redis 7.0.
     */
    void lcs(CommandContext c) {
        Args a = c.args();
        Database db = c.db();
        Object ea = c.read(db, 1);
        Object eb = c.read(db, 2);
        if ((ea != null && !Strings.isString(ea)) || (eb != null && !Strings.isString(eb))) throw LCS_NOT_STRINGS;
        byte[] sa = ea == null ? EMPTY : Strings.value(ea);
        byte[] sb = eb == null ? EMPTY : Strings.value(eb);
        boolean getLen = false, getIdx = false, withMatchLen = false;
        long minMatchLen = 0;
        for (int j = 3; j < a.count(); j++) {
            boolean more = j < a.count() - 1;
            if (a.is(j, "IDX")) {
                getIdx = true;
            } else if (a.is(j, "LEN")) {
                getLen = true;
            } else if (a.is(j, "WITHMATCHLEN")) {
                withMatchLen = true;
            } else if (a.is(j, "MINMATCHLEN") && more) {
                minMatchLen = c.longArg(j + 1);
                if (minMatchLen < 0) minMatchLen = 0;
                j++;
            } else {
                throw Errors.SYNTAX;
            }
        }
        if (getLen && getIdx) throw LCS_LEN_AND_IDX;
        int alen = sa.length, blen = sb.length;
        long cells = (long) (alen + 1) * (blen + 1);
        if (cells * 4 > maxBulkLen) throw LCS_TOO_BIG;
        if (cells > MAX_ARRAY) throw LCS_NO_MEMORY;
        int[] lcs;
        try {
            lcs = new int[(int) cells];
        } catch (OutOfMemoryError oom) {
            throw LCS_NO_MEMORY;
        }
        int w = blen + 1;
        for (int i = 1; i <= alen; i++) {
            byte x = sa[i - 1];
            int row = i * w, prev = row - w;
            for (int j = 1; j <= blen; j++) {
                if (x == sb[j - 1]) {
                    lcs[row + j] = lcs[prev + j - 1] + 1;
                } else {
                    int l1 = lcs[prev + j], l2 = lcs[row + j - 1];
                    lcs[row + j] = Math.max(l1, l2);
                }
            }
        }
        int total = lcs[alen * w + blen];
        Reply r = c.reply();
        if (getLen) {
            r.integer(total);
            return;
        }
        byte[] result = getIdx ? null : new byte[total];
        int idx = total;
        if (getIdx) {
            r.map(2);
            r.bulk("matches");
            r.beginDeferred();
        }
        long ranges = 0;
        // Walk back from the end, emitting maximal contiguous ranges of matches.
        int arangeStart = alen, arangeEnd = 0, brangeStart = 0, brangeEnd = 0;
        int i = alen, j = blen;
        while (i > 0 && j > 0) {
            boolean emit = false;
            if (sa[i - 1] == sb[j - 1]) {
                if (result != null) result[idx - 1] = sa[i - 1];
                if (arangeStart == alen) {
                    arangeStart = i - 1;
                    arangeEnd = i - 1;
                    brangeStart = j - 1;
                    brangeEnd = j - 1;
                } else if (arangeStart == i && brangeStart == j) {
                    arangeStart--;
                    brangeStart--;
                } else {
                    emit = true;
                }
                if (arangeStart == 0 || brangeStart == 0) emit = true;
                idx--;
                i--;
                j--;
            } else {
                int l1 = lcs[(i - 1) * w + j], l2 = lcs[i * w + j - 1];
                if (l1 > l2) i--;
                else j--;
                if (arangeStart != alen) emit = true;
            }
            if (emit) {
                long matchLen = arangeEnd - arangeStart + 1;
                if (getIdx && (minMatchLen == 0 || matchLen >= minMatchLen)) {
                    r.array(withMatchLen ? 3 : 2);
                    r.array(2);
                    r.integer(arangeStart);
                    r.integer(arangeEnd);
                    r.array(2);
                    r.integer(brangeStart);
                    r.integer(brangeEnd);
                    if (withMatchLen) r.integer(matchLen);
                    ranges++;
                }
                arangeStart = alen;
            }
        }
        if (getIdx) {
            r.endArray(ranges);
            r.bulk("len");
            r.integer(total);
        } else {
            r.bulk(result);
        }
    }
}
