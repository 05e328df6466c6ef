package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.config.KeyspaceEvents;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.server.LarderServer;
import io.larder.store.Database;
import io.larder.store.Entries;
import io.larder.store.Keyspace;
import io.larder.store.Lfu;
import io.larder.store.Lookup;
import io.larder.store.ScanCursor;
import io.larder.store.Segment;
import io.larder.store.StoredValue;
import io.larder.store.StringBlob;
import io.larder.store.ValueType;
import io.larder.util.Glob;
import io.larder.util.Numbers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * The generic keyspace family (Redis's db.c, expire.c and object.c commands):
 * DEL, EXISTS, TYPE, RENAME, MOVE, COPY, KEYS, SCAN, RANDOMKEY, OBJECT, the
 * EXPIRE and TTL families, PERSIST, TOUCH and SWAPDB.
 */
public final class KeyCommands {
    private final LarderServer server;
    private final Keyspace keyspace;

    private static final CommandError SAME_OBJECT = Errors.err("source and destination objects are the same");
    private static final CommandError INT_RANGE =
            Errors.err("value is out of range, value must between -2147483648 and 2147483647");
    private static final CommandError EXPIRE_NX_CONFLICT =
            Errors.err("NX and XX, GT or LT options at the same time are not compatible");
    private static final CommandError EXPIRE_GT_LT_CONFLICT =
            Errors.err("GT and LT options at the same time are not compatible");
    private static final CommandError NO_LFU = Errors.err("An LFU maxmemory policy is not selected, access frequency "
            + "not tracked. Please note that when switching between policies at runtime LRU and LFU data will take "
            + "some time to adjust.");
    private static final CommandError LFU_NO_IDLE = Errors.err("An LFU maxmemory policy is selected, idle time not "
            + "tracked. Please note that when switching between policies at runtime LRU and LFU data will take some "
            + "time to adjust.");

    public KeyCommands(LarderServer server) {
        this.server = server;
        this.keyspace = server.keyspace();
    }

    public void register(CommandTable t) {
        t.add("del", this::del);
        t.add("unlink", this::del);
        t.add("exists", this::exists);
        t.add("type", this::type);
        t.add("touch", this::touch);
        t.add("rename", c -> rename(c, false));
        t.add("renamenx", c -> rename(c, true));
        t.add("move", this::move);
        t.add("copy", this::copy);
        t.add("keys", this::keys).exclusive();
        t.add("scan", this::scan);
        t.add("randomkey", this::randomkey);
        t.add("swapdb", this::swapdb).exclusive();
        t.add("expire", c -> expire(c, c.now(), true));
        t.add("pexpire", c -> expire(c, c.now(), false));
        t.add("expireat", c -> expire(c, 0, true));
        t.add("pexpireat", c -> expire(c, 0, false));
        t.add("ttl", c -> ttl(c, false, false));
        t.add("pttl", c -> ttl(c, true, false));
        t.add("expiretime", c -> ttl(c, false, true));
        t.add("pexpiretime", c -> ttl(c, true, true));
        t.add("persist", this::persist);
        t.add("object|encoding", this::objectEncoding);
        t.add("object|refcount", this::objectRefcount);
        t.add("object|idletime", this::objectIdletime);
        t.add("object|freq", this::objectFreq);
        t.add("object|help", c -> ServerCommands.help(c, List.of(
                "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "ENCODING <key>",
                "    Return the kind of internal representation used in order to store the value",
                "    associated with a <key>.",
                "FREQ <key>",
                "    Return the access frequency index of the <key>. The returned integer is",
                "    proportional to the logarithm of the recent access frequency of the key.",
                "IDLETIME <key>",
                "    Return the idle time of the <key>, that is the approximated number of",
                "    seconds elapsed since the last access to the key.",
                "REFCOUNT <key>",
                "    Return the number of references of the value associated with the specified",
                "    <key>.",
                "HELP",
                "    Prints this help."))).noKeyspace();
    }

    // ------------------------------------------------------------ DEL, EXISTS, TYPE, TOUCH

    /** DEL and UNLINK (memory is reclaimed by the collector either way). */
    void del(CommandContext c) {
        Args a = c.args();
        Database db = c.db();
        Lookup l = c.lookup();
        long n = 0;
        for (int i = 1; i < a.count(); i++) {
            if (db.find(l, a, i, c.now()) != null) {
                db.remove(l);
                n++;
                c.keyModified(db, i);
                c.notify(KeyspaceEvents.GENERIC, "del", db, i);
            }
        }
        c.dirty(n);
        c.reply().integer(n);
    }

    void exists(CommandContext c) {
        Database db = c.db();
        long n = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (c.read(db, i, CommandContext.NOTOUCH) != null) n++;
        }
        c.reply().integer(n);
    }

    void type(CommandContext c) {
        Object e = c.read(c.db(), 1, CommandContext.NOTOUCH);
        c.reply().simple(e == null ? "none" : ValueType.name(Entries.type(e)));
    }

    void touch(CommandContext c) {
        Database db = c.db();
        long n = 0;
        for (int i = 1; i < c.argc(); i++) {
            if (c.read(db, i) != null) n++;
        }
        c.reply().integer(n);
    }

    // ------------------------------------------------------------ RENAME, MOVE, COPY

    void rename(CommandContext c, boolean nx) {
        Args a = c.args();
        Database db = c.db();
        Lookup src = c.lookup();
        Object e = c.write(1);
        if (e == null) throw Errors.NO_SUCH_KEY;
        if (a.equals(1, 2)) {
            if (nx) c.reply().integer(0);
            else c.reply().ok();
            return;
        }
        Lookup dst = new Lookup();
        long now = c.now();
        Object there = db.find(dst, a, 2, now);
        if (there != null) {
            keyspace.touch(there, now); // lookupKeyWrite
            if (nx) {
                c.reply().integer(0);
                return;
            }
            db.remove(dst);
        }
        // Removing the destination may have shifted the source within a shared segment.
        db.find(src, a, 1, now);
        db.remove(src);
        byte[] newKey = a.bytes(2);
        Object moved = Entries.rekey(e, newKey);
        db.find(dst, a, 2, now);
        c.insert(db, dst, moved);
        c.keyModified(db, 1);
        c.keyModified(db, 2);
        c.notify(KeyspaceEvents.GENERIC, "rename_from", db, 1);
        c.notify(KeyspaceEvents.GENERIC, "rename_to", db, 2);
        c.dirty(1);
        if (nx) c.reply().integer(1);
        else c.reply().ok();
    }

    /**
     * Redis's getIntFromObjectOrReply: an int argument; with {@code msg} that
     * text for any failure, else Redis's two default texts.
     */
    private static int intArg(CommandContext c, int i, String msg) {
        long v;
        try {
            v = c.args().longAt(i);
        } catch (Numbers.Invalid e) {
            throw msg != null ? Errors.err(msg) : Errors.NOT_INTEGER;
        }
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw msg != null ? Errors.err(msg) : INT_RANGE;
        return (int) v;
    }

    private Database dbArg(CommandContext c, int i) {
        int id = intArg(c, i, null);
        if (id < 0 || id >= keyspace.databases()) throw Errors.DB_INDEX_OUT_OF_RANGE;
        return keyspace.db(id);
    }

    /** MOVE key db: the stripe of a key is the same in every database, so the key's lock covers both. */
    void move(CommandContext c) {
        if (keyspace.clusterMode()) throw Errors.err("MOVE is not allowed in cluster mode");
        Args a = c.args();
        Database src = c.db();
        Database dst = dbArg(c, 2);
        if (src == dst) throw SAME_OBJECT;
        Lookup l = c.lookup();
        Object e = c.write(src, 1);
        if (e == null) {
            c.reply().integer(0);
            return;
        }
        Lookup ld = new Lookup();
        Object there = dst.find(ld, a, 1, c.now());
        if (there != null) {
            keyspace.touch(there, c.now());
            c.reply().integer(0);
            return;
        }
        src.remove(l);
        // insert signals blocked clients too, as Redis's dbAdd does.
        c.insert(dst, ld, e);
        c.keyModified(src, 1);
        c.keyModified(dst, 1);
        c.notify(KeyspaceEvents.GENERIC, "move_from", src, 1);
        c.notify(KeyspaceEvents.GENERIC, "move_to", dst, 1);
        c.dirty(1);
        c.reply().integer(1);
    }

    void copy(CommandContext c) {
        Args a = c.args();
        Database src = c.db();
        Database dst = src;
        boolean replace = false;
        for (int j = 3; j < a.count(); j++) {
            if (a.is(j, "REPLACE")) {
                replace = true;
            } else if (a.is(j, "DB") && j + 1 < a.count()) {
                dst = dbArg(c, j + 1);
                j++;
            } else {
                throw Errors.SYNTAX;
            }
        }
        if (keyspace.clusterMode() && (src.id != 0 || dst.id != 0)) {
            throw Errors.err("Copying to another database is not allowed in cluster mode");
        }
        if (src == dst && a.equals(1, 2)) throw SAME_OBJECT;
        Object e = c.read(src, 1);
        if (e == null) {
            c.reply().integer(0);
            return;
        }
        long now = c.now();
        Lookup ld = new Lookup();
        Object there = dst.find(ld, a, 2, now);
        if (there != null) {
            if (!replace) {
                keyspace.touch(there, now);
                c.reply().integer(0);
                return;
            }
            dst.remove(ld);
            dst.find(ld, a, 2, now);
        }
        byte[] newKey = a.bytes(2);
        Object copy = Entries.copy(e, newKey, keyspace.newEntryClock(now));
        c.insert(dst, ld, copy);
        c.keyModified(dst, 2);
        c.notify(KeyspaceEvents.GENERIC, "copy_to", dst, 2);
        c.dirty(1);
        c.reply().integer(1);
    }

    // ------------------------------------------------------------ KEYS, SCAN, RANDOMKEY

    /** KEYS pattern: runs exclusive, so it reads every segment without locks. Expired keys are skipped, not deleted. */
    void keys(CommandContext c) {
        byte[] pattern = c.args().bytes(1);
        boolean all = pattern.length == 1 && pattern[0] == '*';
        Database db = c.db();
        long now = c.now();
        Reply r = c.reply();
        r.beginDeferred();
        long n = 0;
        for (int i = 0; i < Keyspace.SEGMENTS; i++) {
            Segment s = db.segment(i);
            if (s == null || s.size() == 0) continue;
            for (int slot = 0; slot < s.capacity(); slot++) {
                if (s.metaAt(slot) == 0) continue;
                Object e = s.entry(slot);
                if (s.isVolatile(slot) && Entries.expireAt(e) <= now) continue;
                byte[] k;
                int off, len;
                if (e instanceof byte[] b) {
                    k = b;
                    off = StringBlob.keyOffset(b);
                    len = StringBlob.keyLength(b);
                } else {
                    k = ((StoredValue) e).key();
                    off = 0;
                    len = k.length;
                }
                if (all || Glob.match(pattern, 0, pattern.length, k, off, len, false)) {
                    r.bulk(k, off, len);
                    n++;
                }
            }
        }
        r.endArray(n);
    }

    /**
     * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. Walks segments
     * in cursor order, holding one stripe at a time; COUNT bounds the
     * entries visited, MATCH and TYPE filter them afterwards, and expired
     * keys met on the way are deleted, as in Redis.
     */
    void scan(CommandContext c) {
        long cursor = Scan.cursor(c, 1);
        Scan.Options o = Scan.options(c, 2, true);
        List<byte[]> keys = new ArrayList<>();
        long next = 0;
        if (ScanCursor.segment(cursor) < Keyspace.SEGMENTS) {
            Database db = c.db();
            long now = c.now();
            int seg = (int) ScanCursor.segment(cursor);
            int hash = ScanCursor.hash(cursor);
            List<Object> batch = new ArrayList<>();
            Segment.EntryVisitor collect = (e, meta) -> batch.add(e);
            Lookup l = c.lookup();
            int visited = 0;
            while (seg < Keyspace.SEGMENTS && visited < o.count()) {
                c.lockStripe(seg);
                try {
                    batch.clear();
                    hash = ScanCursor.step(db.segment(seg), hash, o.count() - visited, collect);
                    visited += batch.size();
                    for (Object e : batch) {
                        byte[] key = Entries.key(e);
                        if (!o.matches(key, 0, key.length)) continue;
                        long exp = Entries.expireAt(e);
                        boolean expired = exp != StoredValue.NO_EXPIRE && exp <= now;
                        if (expired) db.find(l, key, now); // deletes it, with the "expired" event
                        if (o.type() != Scan.Options.ANY_TYPE) {
                            // Redis checks the type with a read lookup: a keyspace hit, or a miss
                            // with its "keymiss" event when the key just expired.
                            if (expired) {
                                c.stats().miss();
                                c.notify(KeyspaceEvents.KEY_MISS, "keymiss", db, key);
                                continue;
                            }
                            c.stats().hit();
                            if (!o.typeMatches(Entries.type(e))) continue;
                        }
                        if (!expired) keys.add(key);
                    }
                } finally {
                    c.unlockStripe(seg);
                }
                if (hash == Segment.HASH_SPACE) {
                    seg++;
                    hash = 0;
                }
            }
            next = seg == Keyspace.SEGMENTS ? 0 : ScanCursor.of(seg, hash);
        }
        Scan.reply(c, next, keys);
    }

    /**
     * RANDOMKEY: a segment chosen with probability proportional to its size,
     * then a uniformly random occupied slot. An expired pick clears its
     * segment's expired keys and tries again, so the loop ends even when
     * most keys have expired.
     */
    void randomkey(CommandContext c) {
        Database db = c.db();
        long now = c.now();
        RandomGenerator rnd = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 64; attempt++) {
            // Sizes are read without locks: a stale one only skews this pick, the locked check below decides.
            long total = 0;
            for (int i = 0; i < Keyspace.SEGMENTS; i++) {
                Segment s = db.segment(i);
                if (s != null) total += s.size();
            }
            if (total == 0) break;
            long r = rnd.nextLong(total);
            int seg = 0;
            for (; seg < Keyspace.SEGMENTS; seg++) {
                Segment s = db.segment(seg);
                int n = s == null ? 0 : s.size();
                if (r < n) break;
                r -= n;
            }
            if (seg == Keyspace.SEGMENTS) continue;
            if (pickFrom(c, db, seg, now, rnd)) return;
        }
        // Unlucky or racing with deletions: take the first live key in order.
        for (int seg = 0; seg < Keyspace.SEGMENTS; seg++) {
            if (pickFrom(c, db, seg, now, rnd)) return;
        }
        c.reply().nullBulk();
    }

    /** Replies with a random live key of one segment and returns true, or false if it has none. */
    private static boolean pickFrom(CommandContext c, Database db, int seg, long now, RandomGenerator rnd) {
        c.lockStripe(seg);
        try {
            while (true) {
                Segment s = db.segment(seg);
                if (s == null || s.size() == 0) return false;
                int slot = randomSlot(s, rnd);
                Object e = s.entry(slot);
                if (s.isVolatile(slot) && Entries.expireAt(e) <= now) {
                    db.expireSegment(seg, now);
                    continue;
                }
                if (e instanceof byte[] b) c.reply().bulk(b, StringBlob.keyOffset(b), StringBlob.keyLength(b));
                else c.reply().bulk(((StoredValue) e).key());
                return true;
            }
        } finally {
            c.unlockStripe(seg);
        }
    }

    /** A uniformly random occupied slot: rejection sampling, falling back to a probe walk. */
    private static int randomSlot(Segment s, RandomGenerator rnd) {
        int cap = s.capacity();
        for (int t = 0; t < 32; t++) {
            int i = rnd.nextInt(cap);
            if (s.metaAt(i) != 0) return i;
        }
        return s.randomSlot(rnd);
    }

    void swapdb(CommandContext c) {
        if (keyspace.clusterMode()) throw Errors.err("SWAPDB is not allowed in cluster mode");
        int a = intArg(c, 1, "invalid first DB index");
        int b = intArg(c, 2, "invalid second DB index");
        int n = keyspace.databases();
        if (a < 0 || a >= n || b < 0 || b >= n) throw Errors.DB_INDEX_OUT_OF_RANGE;
        if (a != b) {
            keyspace.swap(a, b);
            // Every key of both databases may have changed (WATCH) or become ready (blocked clients).
            server.flushed(keyspace.db(a));
            server.flushed(keyspace.db(b));
            server.blocking().signalDatabase(c, keyspace.db(a));
            server.blocking().signalDatabase(c, keyspace.db(b));
        }
        c.dirty(1);
        c.reply().ok();
    }

    // ------------------------------------------------------------ OBJECT

    private static Object objectLookup(CommandContext c) {
        return c.read(c.db(), 2, CommandContext.NOTOUCH | CommandContext.NONOTIFY);
    }

    void objectEncoding(CommandContext c) {
        Object e = objectLookup(c);
        if (e == null) c.reply().nullBulk();
        else c.reply().bulk(Entries.encoding(e));
    }

    void objectRefcount(CommandContext c) {
        Object e = objectLookup(c);
        if (e == null) c.reply().nullBulk();
        else c.reply().integer(Strings.isString(e) ? Strings.refcount(e) : 1);
    }

    void objectIdletime(CommandContext c) {
        Object e = objectLookup(c);
        if (e == null) {
            c.reply().nullBulk();
            return;
        }
        if (keyspace.lfu()) throw LFU_NO_IDLE;
        // estimateObjectIdleTime: the 24-bit seconds clock, wrapping.
        int clock = Keyspace.lruClock(c.now());
        int lru = Entries.lru(e);
        long idle = clock >= lru ? clock - lru : clock + (0xFFFFFF - lru);
        c.reply().integer(idle);
    }

    void objectFreq(CommandContext c) {
        Object e = objectLookup(c);
        if (e == null) {
            c.reply().nullBulk();
            return;
        }
        if (!keyspace.lfu()) throw NO_LFU;
        c.reply().integer(Lfu.counter(Entries.lru(e), c.now(), keyspace.lfuDecayTime()));
    }

    // ------------------------------------------------------------ expiry

    private static final int E_NX = 1, E_XX = 2, E_GT = 4, E_LT = 8;

    /**
     * Redis's expireGenericCommand: options, then the time (overflow is an
     * error), then the key. A time not in the future deletes the key, with a
     * "del" event, as Redis 7.0 does.
     */
    void expire(CommandContext c, long basetime, boolean seconds) {
        Args a = c.args();
        int flags = 0;
        for (int j = 3; j < a.count(); j++) {
            if (a.is(j, "NX")) flags |= E_NX;
            else if (a.is(j, "XX")) flags |= E_XX;
            else if (a.is(j, "GT")) flags |= E_GT;
            else if (a.is(j, "LT")) flags |= E_LT;
            else throw Errors.err("Unsupported option " + cString(a, j));
        }
        if ((flags & E_NX) != 0 && (flags & (E_XX | E_GT | E_LT)) != 0) throw EXPIRE_NX_CONFLICT;
        if ((flags & E_GT) != 0 && (flags & E_LT) != 0) throw EXPIRE_GT_LT_CONFLICT;
        long when = c.longArg(2);
        if (seconds) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                throw Errors.invalidExpire(c.command().fullName);
            }
            when *= 1000;
        }
        if (when > Long.MAX_VALUE - basetime) throw Errors.invalidExpire(c.command().fullName);
        when += basetime;
        Database db = c.db();
        Lookup l = c.lookup();
        Object e = c.write(1);
        if (e == null) {
            c.reply().integer(0);
            return;
        }
        if (flags != 0) {
            long current = Entries.expireAt(e);
            boolean none = current == StoredValue.NO_EXPIRE;
            if (((flags & E_NX) != 0 && !none)
                    || ((flags & E_XX) != 0 && none)
                    || ((flags & E_GT) != 0 && (none || when <= current))
                    || ((flags & E_LT) != 0 && !none && when >= current)) {
                c.reply().integer(0);
                return;
            }
        }
        // checkAlreadyExpired: not while loading (an AOF replays the key's later commands against it).
        if (when <= c.now() && !c.server().loading()) {
            db.remove(l);
            c.dirty(1);
            c.keyModified(db, 1);
            c.notify(KeyspaceEvents.GENERIC, "del", db, 1);
            Propagated.asDeletion(c, "lazyfree-lazy-expire", 1);
            c.reply().integer(1);
            return;
        }
        db.setExpire(l, when);
        c.reply().integer(1);
        c.keyModified(db, 1);
        c.notify(KeyspaceEvents.GENERIC, "expire", db, 1);
        c.dirty(1);
        // Propagated as PEXPIREAT with the absolute time; the options (NX, GT ...) stay as given.
        if (c.propagating()) {
            if (!c.command().name.equals("pexpireat")) c.propagateArg(0, Propagated.PEXPIREAT);
            if (basetime != 0 || seconds) c.propagateArg(2, io.larder.journal.Resp.number(when));
        }
    }

    /** An argument as C's "%s" prints it: up to the first NUL byte. */
    private static String cString(Args a, int i) {
        byte[] b = a.buf();
        int off = a.off(i), n = 0;
        while (n < a.len(i) && b[off + n] != 0) n++;
        return new String(b, off, n, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 for no key, -1 for no expiry. */
    void ttl(CommandContext c, boolean ms, boolean absolute) {
        Object e = c.read(c.db(), 1, CommandContext.NOTOUCH);
        if (e == null) {
            c.reply().integer(-2);
            return;
        }
        long exp = Entries.expireAt(e);
        if (exp == StoredValue.NO_EXPIRE) {
            c.reply().integer(-1);
            return;
        }
        long t = absolute ? exp : exp - c.now();
        if (t < 0) t = 0;
        c.reply().integer(ms ? t : (t + 500) / 1000);
    }

    void persist(CommandContext c) {
        Database db = c.db();
        Lookup l = c.lookup();
        Object e = c.write(1);
        if (e == null || Entries.expireAt(e) == StoredValue.NO_EXPIRE) {
            c.reply().integer(0);
            return;
        }
        db.setExpire(l, StoredValue.NO_EXPIRE);
        c.keyModified(db, 1);
        c.notify(KeyspaceEvents.GENERIC, "persist", db, 1);
        c.dirty(1);
        c.reply().integer(1);
    }
}
