package io.larder.persist;

import io.larder.family.Strings;
import io.larder.server.LarderServer;
import io.larder.store.Database;
import io.larder.store.Entries;
import io.larder.store.HashValue;
import io.larder.store.IntSet;
import io.larder.store.Keyspace;
import io.larder.store.ListValue;
import io.larder.store.Listpack;
import io.larder.store.Segment;
import io.larder.store.SetValue;
import io.larder.store.StoredValue;
import io.larder.store.StreamGroup;
import io.larder.store.StreamId;
import io.larder.store.StreamValue;
import io.larder.store.ValueType;
import io.larder.store.zset.SortedSet;
import io.larder.util.Numbers;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * A BASE file made of commands (aof-use-rdb-preamble no), as Redis's
 * rewriteAppendOnlyFileRio writes it: a {@code #TS:} annotation when
 * aof-timestamp-enabled, FUNCTION LOAD for each library, then per non-empty
 * database a SELECT and, per key, the commands that rebuild it (SET; RPUSH,
 * SADD, ZADD, HMSET in batches of {@link #ITEMS_PER_CMD}; XADD per entry,
 * XSETID, XGROUP CREATE, XCLAIM per pending entry, XGROUP CREATECONSUMER for
 * consumers without one), then PEXPIREAT for a key with a TTL.
 *
 * <p>The rewrite's snapshot is an RDB ({@link Snapshot} copies collections
 * in that form), which is then turned into commands here; a BASE created at
 * start-up is written from the live keyspace.
 */
final class AofBaseWriter {
    /** AOF_REWRITE_ITEMS_PER_CMD. */
    static final int ITEMS_PER_CMD = 64;

    private final OutputStream out;
    private final byte[] num = new byte[24];

    private AofBaseWriter(OutputStream out) {
        this.out = out;
    }

    /** Converts the RDB file {@code rdb} (a rewrite's snapshot) into {@code target}, through a temporary file. */
    static void convert(LarderServer server, Path rdb, Path target, boolean timestamps) throws IOException {
        Keyspace ks = server.keyspace();
        LoadOptions opts = LoadOptions.from(server.config());
        write(target, timestamps, w -> {
            try (InputStream is = Files.newInputStream(rdb)) {
                long size = Files.size(rdb);
                RdbInput in = new RdbInput(is::read, size);
                int[] selected = {-1};
                RdbLoader.load(in, new RdbLoader.Sink() {
                    @Override
                    public void function(byte[] code, RdbInput input) {
                        try {
                            w.functionLoad(code);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }

                    @Override
                    public void key(int db, byte[] key, Object value, long expireAt, int lfuFreq, long lruIdle,
                            RdbInput input) {
                        try {
                            if (db != selected[0]) {
                                selected[0] = db;
                                w.select(db);
                            }
                            w.key(KeyRecords.entry(ks, key, value, expireAt, 0, -1, -1));
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }, opts, ks.databases(), false);
            } catch (RdbException e) {
                throw new IOException("reading the rewrite's snapshot: " + e.getMessage(), e);
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
        });
    }

    /** Writes the live keyspace (held exclusively by the caller) as {@code dir/name}. */
    static void writeLive(LarderServer server, Path dir, String name, String tempName, boolean timestamps)
            throws IOException {
        Keyspace ks = server.keyspace();
        java.util.List<byte[]> libs = server.persistence().functions().codes();
        Path target = dir.resolve(name);
        write(target, timestamps, w -> {
            for (byte[] code : libs) w.functionLoad(code);
            for (int d = 0; d < ks.databases(); d++) {
                Database db = ks.db(d);
                if (db.size() == 0) continue;
                w.select(d);
                for (int i = 0; i < Keyspace.SEGMENTS; i++) {
                    Segment s = db.segment(i);
                    if (s == null || s.size() == 0) continue;
                    for (int slot = 0, cap = s.capacity(); slot < cap; slot++) {
                        Object e = s.entry(slot);
                        if (e != null) w.key(e);
                    }
                }
            }
        });
    }

    private interface Body {
        void write(AofBaseWriter w) throws IOException;
    }

    /** rewriteAppendOnlyFile's file handling: a temporary file, flushed and fsynced, renamed into place. */
    private static void write(Path target, boolean timestamps, Body body) throws IOException {
        Path tmp = target.resolveSibling("temp-" + target.getFileName() + "." + ProcessHandle.current().pid());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream os = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
            AofBaseWriter w = new AofBaseWriter(os);
            if (timestamps) {
                w.raw(("#TS:" + System.currentTimeMillis() / 1000 + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            body.write(w);
            os.flush();
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        RdbFile.fsyncDirectory(target.getParent());
    }

    // ------------------------------------------------------------ commands

    private void functionLoad(byte[] code) throws IOException {
        count(3);
        bulk("FUNCTION");
        bulk("LOAD");
        bulk(code, 0, code.length);
    }

    private void select(int db) throws IOException {
        count(2);
        bulk("SELECT");
        bulk(db);
    }

    /** The commands that rebuild one key, then its expiry. */
    private void key(Object e) throws IOException {
        byte[] key = Entries.key(e);
        switch (Entries.type(e)) {
            case ValueType.STRING -> {
                count(3);
                bulk("SET");
                bulk(key, 0, key.length);
                bulk(Strings.array(e), Strings.offset(e), Strings.length(e));
            }
            case ValueType.LIST -> list(key, (ListValue) e);
            case ValueType.SET -> set(key, (SetValue) e);
            case ValueType.ZSET -> zset(key, (SortedSet) e);
            case ValueType.HASH -> hash(key, (HashValue) e);
            case ValueType.STREAM -> stream(key, (StreamValue) e);
            default -> throw new IOException("Unknown object type");
        }
        long exp = Entries.expireAt(e);
        if (exp != StoredValue.NO_EXPIRE) {
            count(3);
            bulk("PEXPIREAT");
            bulk(key, 0, key.length);
            bulk(exp);
        }
    }

    /** Starts a batch command when {@code done} items of {@code items} were written (every 64). */
    private boolean batch(long done, long items, String cmd, byte[] key, int perItem) throws IOException {
        if (done % ITEMS_PER_CMD != 0) return false;
        long n = Math.min(ITEMS_PER_CMD, items - done);
        count(2 + n * perItem);
        bulk(cmd);
        bulk(key, 0, key.length);
        return true;
    }

    private void list(byte[] key, ListValue l) throws IOException {
        long items = l.size(), done = 0;
        for (ListValue.Cursor c = l.cursor(0); c.valid(); c.next()) {
            batch(done, items, "RPUSH", key, 1);
            if (c.isString()) bulk(c.buf(), c.strOffset(), c.strLength());
            else bulk(c.intValue());
            done++;
        }
    }

    private void set(byte[] key, SetValue s) throws IOException {
        long items = s.size(), done = 0;
        if (s.isIntSet()) {
            IntSet is = s.intSet();
            for (int i = 0; i < is.size(); i++) {
                batch(done++, items, "SADD", key, 1);
                bulk(is.get(i));
            }
            return;
        }
        io.larder.store.ElementTable t = s.table();
        for (int i = 0, n = t.capacity(); i < n; i++) {
            byte[] m = t.entryAt(i);
            if (m == null) continue;
            batch(done++, items, "SADD", key, 1);
            bulk(m, 0, m.length);
        }
    }

    private void zset(byte[] key, SortedSet z) throws IOException {
        long items = z.size();
        long[] done = {0};
        IOException[] err = {null};
        z.forEach((buf, off, len, score) -> {
            if (err[0] != null) return;
            try {
                batch(done[0]++, items, "ZADD", key, 2);
                // rioWriteBulkDouble: "%.17g".
                bulk(Numbers.formatDouble(score));
                bulk(buf, off, len);
            } catch (IOException e) {
                err[0] = e;
            }
        });
        if (err[0] != null) throw err[0];
    }

    private void hash(byte[] key, HashValue h) throws IOException {
        long items = h.size();
        long[] done = {0};
        IOException[] err = {null};
        h.forEach((f, foff, flen, v, voff, vlen) -> {
            if (err[0] != null) return;
            try {
                batch(done[0]++, items, "HMSET", key, 2);
                bulk(f, foff, flen);
                bulk(v, voff, vlen);
            } catch (IOException e) {
                err[0] = e;
            }
        });
        if (err[0] != null) throw err[0];
    }

    private void stream(byte[] key, StreamValue s) throws IOException {
        if (s.length() > 0) {
            StreamValue.Cursor c = s.cursor(StreamId.MIN, StreamId.MAX, false);
            while (c.next()) {
                int fields = c.numFields();
                count(3 + fields * 2L);
                bulk("XADD");
                bulk(key, 0, key.length);
                id(c.ms(), c.seq());
                byte[] lp = c.buf();
                c.beginFields();
                for (int i = 0; i < fields; i++) {
                    value(lp, c.nextField());
                    value(lp, c.nextValue());
                }
            }
        } else {
            // An empty stream: the XADD MAXLEN 0 trick.
            count(7);
            bulk("XADD");
            bulk(key, 0, key.length);
            bulk("MAXLEN");
            bulk("0");
            id(0, 1);
            bulk("x");
            bulk("y");
        }
        // XSETID after the XADDs, so the last ID is right even after XDEL.
        count(7);
        bulk("XSETID");
        bulk(key, 0, key.length);
        id(s.lastMs(), s.lastSeq());
        bulk("ENTRIESADDED");
        bulk(s.entriesAdded());
        bulk("MAXDELETEDID");
        StreamId md = s.maxDeletedId();
        id(md.ms(), md.seq());
        for (StreamGroup g : s.groups()) {
            count(7);
            bulk("XGROUP");
            bulk("CREATE");
            bulk(key, 0, key.length);
            bulk(g.name, 0, g.name.length);
            id(g.lastMs, g.lastSeq);
            bulk("ENTRIESREAD");
            bulk(g.entriesRead);
            for (Map.Entry<byte[], StreamGroup.Consumer> ce : g.consumers.entrySet()) {
                StreamGroup.Consumer consumer = ce.getValue();
                if (consumer.pel.isEmpty()) {
                    count(5);
                    bulk("XGROUP");
                    bulk("CREATECONSUMER");
                    bulk(key, 0, key.length);
                    bulk(g.name, 0, g.name.length);
                    bulk(consumer.name, 0, consumer.name.length);
                    continue;
                }
                for (StreamGroup.Nack n : consumer.pel) {
                    count(12);
                    bulk("XCLAIM");
                    bulk(key, 0, key.length);
                    bulk(g.name, 0, g.name.length);
                    bulk(consumer.name, 0, consumer.name.length);
                    bulk("0");
                    id(n.ms, n.seq);
                    bulk("TIME");
                    bulk(n.deliveryTime);
                    bulk("RETRYCOUNT");
                    bulk(n.deliveryCount);
                    bulk("JUSTID");
                    bulk("FORCE");
                }
            }
        }
    }

    // ------------------------------------------------------------ RESP

    private void value(byte[] lp, int p) throws IOException {
        if (Listpack.isString(lp, p)) bulk(lp, Listpack.strOffset(lp, p), Listpack.strLength(lp, p));
        else bulk(Listpack.intValue(lp, p));
    }

    private void id(long ms, long seq) throws IOException {
        byte[] b = new byte[44];
        int n = StreamId.format(ms, seq, b);
        bulk(b, 0, n);
    }

    private void count(long n) throws IOException {
        out.write('*');
        int k = Numbers.longToAscii(n, num, 0);
        out.write(num, 0, k);
        out.write('\r');
        out.write('\n');
    }

    private void bulk(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        bulk(b, 0, b.length);
    }

    private void bulk(long v) throws IOException {
        int k = Numbers.longToAscii(v, num, 0);
        byte[] b = java.util.Arrays.copyOf(num, k);
        bulk(b, 0, k);
    }

    private void bulk(byte[] b, int off, int len) throws IOException {
        out.write('$');
        int k = Numbers.longToAscii(len, num, 0);
        out.write(num, 0, k);
        out.write('\r');
        out.write('\n');
        out.write(b, off, len);
        out.write('\r');
        out.write('\n');
    }

    private void raw(byte[] b) throws IOException {
        out.write(b);
    }
}
