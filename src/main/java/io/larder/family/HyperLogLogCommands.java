package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.config.KeyspaceEvents;
import io.larder.protocol.Args;
import io.larder.server.LarderServer;
import io.larder.store.Database;
import io.larder.store.Keyspace;
import io.larder.store.Lookup;
import io.larder.store.StoredValue;
import io.larder.store.StringValue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * HyperLogLog commands (Redis's hyperloglog.c): PFADD, PFCOUNT, PFMERGE,
 * PFDEBUG, PFSELFTEST. Values are strings in Redis's exact representation
 * ({@link HyperLogLog}); a command that changes one (including PFCOUNT,
 * which stores the cardinality it computed) makes it a raw
 * {@link StringValue} first, as Redis's dbUnshareStringValue does.
 */
public final class HyperLogLogCommands {
    /** hll-sparse-max-bytes, kept current by a config watch (no lookup per command). */
    private volatile long sparseMaxBytes;

    public HyperLogLogCommands(LarderServer server) {
        server.config().watch("hll-sparse-max-bytes", p -> sparseMaxBytes = server.config().getLong(p.name));
    }

    public void register(CommandTable t) {
        t.add("pfadd", this::pfadd);
        t.add("pfcount", this::pfcount);
        t.add("pfmerge", this::pfmerge);
        t.add("pfdebug", this::pfdebug);
        t.add("pfselftest", this::pfselftest).noKeyspace();
    }

    /** isHLLObjectOrReply: a string holding a well-formed HLL header, else a WRONGTYPE error. */
    private static void checkHll(Object e) {
        Strings.check(e);
        if (!HyperLogLog.isValid(Strings.array(e), Strings.offset(e), Strings.length(e))) {
            throw Errors.HLL_WRONGTYPE;
        }
    }

    private static StringValue newHll(CommandContext c, int keyArg) {
        byte[] v = HyperLogLog.createSparse();
        StringValue s = new StringValue(v, v.length, true);
        s.init(c.args().bytes(keyArg), StoredValue.NO_EXPIRE, Keyspace.lruClock(c.now()));
        return s;
    }

    /** PFADD key [element ...]: 1 if a register changed or the key was created. */
    void pfadd(CommandContext c) {
        Args a = c.args();
        Database db = c.db();
        Lookup l = c.lookup();
        Object e = c.write(1);
        StringValue s;
        long updated = 0;
        if (e == null) {
            s = newHll(c, 1);
            c.insert(db, l, s);
            updated++;
        } else {
            checkHll(e);
            s = Strings.mutable(db, l, e, 0);
        }
        long max = sparseMaxBytes;
        try {
            for (int j = 2; j < a.count(); j++) {
                int r = HyperLogLog.add(s, a.buf(), a.off(j), a.len(j), max);
                // Like Redis, a corrupt value fails the command but keeps what was already added.
                if (r < 0) throw Errors.HLL_CORRUPTED;
                updated += r;
            }
        } finally {
            db.updated(l);
        }
        if (updated > 0) {
            HyperLogLog.invalidateCache(s.data(), 0);
            c.dirty(updated);
            c.keyModified(db, 1);
            c.notify(KeyspaceEvents.STRING, "pfadd", db, 1);
        }
        c.reply().integer(updated > 0 ? 1 : 0);
    }

    /**
     * PFCOUNT key [key ...]. One key: the cached cardinality, or a fresh
     * estimate stored back into the value's header (a change clients can
     * see in GET, so it counts as a write for WATCH and persistence, as in
     * Redis). Several keys: the cardinality of their union, computed in a
     * temporary that is never stored.
     */
    void pfcount(CommandContext c) {
        Args a = c.args();
        Database db = c.db();
        if (a.count() > 2) {
            byte[] max = new byte[HyperLogLog.REGISTERS];
            for (int j = 1; j < a.count(); j++) {
                Object e = c.read(db, j);
                if (e == null) continue;
                checkHll(e);
                if (!HyperLogLog.merge(max, Strings.array(e), Strings.offset(e), Strings.length(e))) {
                    throw Errors.HLL_CORRUPTED;
                }
            }
            int[] reghisto = new int[64];
            HyperLogLog.rawHistogram(max, reghisto);
            c.reply().integer(HyperLogLog.estimate(reghisto));
            return;
        }
        Lookup l = c.lookup();
        Object e = c.read(db, 1);
        if (e == null) {
            c.reply().integer(0);
            return;
        }
        checkHll(e);
        StringValue s = Strings.mutable(db, l, e, 0);
        byte[] v = s.data();
        long card;
        if (HyperLogLog.cacheValid(v, 0)) {
            card = HyperLogLog.cachedCard(v, 0);
        } else {
            card = HyperLogLog.count(v, 0, s.length());
            if (card == -1) throw Errors.HLL_CORRUPTED;
            HyperLogLog.setCachedCard(v, 0, card);
            c.dirty(1);
            c.keyModified(db, 1);
        }
        c.reply().integer(card);
    }

    /**
     * PFMERGE dest [source ...]: the register-wise maximum of dest and the
     * sources, written into dest (created sparse if missing, made dense
     * first if any input is dense), as Redis does it, so dest's bytes match.
     */
    void pfmerge(CommandContext c) {
        Args a = c.args();
        Database db = c.db();
        byte[] max = new byte[HyperLogLog.REGISTERS];
        boolean useDense = false;
        for (int j = 1; j < a.count(); j++) {
            Object e = c.read(db, j);
            if (e == null) continue;
            checkHll(e);
            byte[] v = Strings.array(e);
            int off = Strings.offset(e);
            if (HyperLogLog.encoding(v, off) == HyperLogLog.DENSE) useDense = true;
            if (!HyperLogLog.merge(max, v, off, Strings.length(e))) throw Errors.HLL_CORRUPTED;
        }
        Lookup l = c.lookup();
        Object e = c.write(db, 1);
        StringValue s;
        if (e == null) {
            s = newHll(c, 1);
            c.insert(db, l, s);
        } else {
            s = Strings.mutable(db, l, e, 0);
        }
        try {
            if (useDense && !HyperLogLog.sparseToDense(s)) throw Errors.HLL_CORRUPTED;
            long sparseMax = sparseMaxBytes;
            for (int j = 0; j < HyperLogLog.REGISTERS; j++) {
                if (max[j] != 0) HyperLogLog.set(s, j, max[j], sparseMax);
            }
        } finally {
            db.updated(l);
        }
        HyperLogLog.invalidateCache(s.data(), 0);
        c.dirty(1);
        c.keyModified(db, 1);
        // Redis reports a merge as "pfadd": in effect it adds many elements.
        c.notify(KeyspaceEvents.STRING, "pfadd", db, 1);
        c.reply().ok();
    }

    /**
     * PFDEBUG GETREG|DECODE|ENCODING|TODENSE key. As in Redis the key is
     * checked before the subcommand, and converting to dense counts as a
     * change for persistence but is not signalled to WATCH.
     */
    void pfdebug(CommandContext c) {
        Args a = c.args();
        Database db = c.db();
        Lookup l = c.lookup();
        Object e = c.write(db, 2);
        if (e == null) throw Errors.err("The specified key does not exist");
        checkHll(e);
        StringValue s = Strings.mutable(db, l, e, 0);
        if (a.is(1, "GETREG")) {
            if (HyperLogLog.encoding(s.data(), 0) == HyperLogLog.SPARSE) {
                toDense(db, l, s);
                c.dirty(1);
            }
            byte[] v = s.data();
            c.reply().array(HyperLogLog.REGISTERS);
            for (int j = 0; j < HyperLogLog.REGISTERS; j++) {
                c.reply().integer(HyperLogLog.denseGet(v, HyperLogLog.HDR_SIZE, j));
            }
        } else if (a.is(1, "DECODE")) {
            if (HyperLogLog.encoding(s.data(), 0) != HyperLogLog.SPARSE) throw Errors.err("HLL encoding is not sparse");
            c.reply().bulk(decode(s.data(), s.length()));
        } else if (a.is(1, "ENCODING")) {
            c.reply().simple(HyperLogLog.encoding(s.data(), 0) == HyperLogLog.DENSE ? "dense" : "sparse");
        } else if (a.is(1, "TODENSE")) {
            boolean converted = false;
            if (HyperLogLog.encoding(s.data(), 0) == HyperLogLog.SPARSE) {
                toDense(db, l, s);
                converted = true;
                c.dirty(1);
            }
            c.reply().integer(converted ? 1 : 0);
        } else {
            throw new CommandError("ERR Unknown PFDEBUG subcommand '" + a.str(1) + "'");
        }
    }

    private static void toDense(Database db, Lookup l, StringValue s) {
        if (!HyperLogLog.sparseToDense(s)) throw Errors.HLL_CORRUPTED;
        db.updated(l);
    }

    /** PFDEBUG DECODE: the sparse opcodes as "z:len", "Z:len" and "v:value,len", space separated. */
    private static String decode(byte[] v, int end) {
        StringBuilder b = new StringBuilder();
        int p = HyperLogLog.HDR_SIZE;
        while (p < end) {
            int op = v[p] & 0xFF;
            if ((op & 0xC0) == 0) {
                b.append("z:").append((op & 0x3F) + 1).append(' ');
                p++;
            } else if ((op & 0xC0) == 0x40) {
                int next = p + 1 < end ? v[p + 1] & 0xFF : 0;
                b.append("Z:").append((((op & 0x3F) << 8) | next) + 1).append(' ');
                p += 2;
            } else {
                b.append("v:").append(((op >>> 2) & 0x1F) + 1).append(',').append((op & 3) + 1).append(' ');
                p++;
            }
        }
        int n = b.length();
        while (n > 0 && b.charAt(n - 1) == ' ') n--;
        return b.substring(0, n);
    }

    /**
     * PFSELFTEST: Redis's self-test of the register packing and of the
     * estimator's error, with dense and sparse HLLs fed the same elements.
     */
    void pfselftest(CommandContext c) {
        String failure = selfTest(sparseMaxBytes);
        if (failure == null) c.reply().ok();
        else c.reply().error(failure);
    }

    static String selfTest(long sparseMaxBytes) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        byte[] dense = new byte[HyperLogLog.DENSE_SIZE];
        int base = HyperLogLog.HDR_SIZE;
        byte[] expected = new byte[HyperLogLog.REGISTERS];
        for (int cycle = 0; cycle < 1000; cycle++) {
            for (int i = 0; i < HyperLogLog.REGISTERS; i++) {
                int r = rnd.nextInt() & HyperLogLog.REGISTER_MAX;
                expected[i] = (byte) r;
                HyperLogLog.denseSetRegister(dense, base, i, r);
            }
            for (int i = 0; i < HyperLogLog.REGISTERS; i++) {
                int val = HyperLogLog.denseGet(dense, base, i);
                if (val != expected[i]) {
                    return "TESTFAILED Register " + i + " should be " + expected[i] + " but is " + val;
                }
            }
        }

        java.util.Arrays.fill(dense, (byte) 0);
        dense[HyperLogLog.ENCODING] = HyperLogLog.DENSE;
        byte[] init = HyperLogLog.createSparse();
        StringValue sparse = new StringValue(init, init.length, true);
        double relerr = 1.04 / Math.sqrt(HyperLogLog.REGISTERS);
        long checkpoint = 1;
        long seed = rnd.nextLong();
        byte[] ele = new byte[8];
        for (long j = 1; j <= 10_000_000; j++) {
            long x = j ^ seed;
            for (int k = 0; k < 8; k++) ele[k] = (byte) (x >>> (8 * k));
            long h = HyperLogLog.hash(ele, 0, 8);
            HyperLogLog.denseSet(dense, base, HyperLogLog.index(h), HyperLogLog.runLength(h));
            HyperLogLog.add(sparse, ele, 0, 8, sparseMaxBytes);
            if (j != checkpoint) continue;
            if (j < sparseMaxBytes / 2 && HyperLogLog.encoding(sparse.data(), 0) != HyperLogLog.SPARSE) {
                return "TESTFAILED sparse encoding not used";
            }
            long denseCard = HyperLogLog.count(dense, 0, dense.length);
            if (denseCard != HyperLogLog.count(sparse.data(), 0, sparse.length())) {
                return "TESTFAILED dense/sparse disagree";
            }
            long abserr = Math.abs(checkpoint - denseCard);
            long maxerr = (long) Math.ceil(relerr * 6 * checkpoint);
            if (j == 10) maxerr = 1;
            if (abserr > maxerr) return "TESTFAILED Too big error. card:" + checkpoint + " abserr:" + abserr;
            checkpoint *= 10;
        }
        return null;
    }
}
