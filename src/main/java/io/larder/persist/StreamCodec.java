package io.larder.persist;

import io.larder.store.Listpack;
import io.larder.store.StreamGroup;
import io.larder.store.StreamId;
import io.larder.store.StreamValue;
import io.larder.store.ValueType;
import io.larder.util.Numbers;

/**
 * Streams: RDB_TYPE_STREAM_LISTPACKS_2, as Redis 7.0 writes it: each node
 * as its master ID (16 bytes, big endian) and its listpack (Larder keeps
 * node entries in Redis's listpack format, so the node is written as it
 * is, behind the live and deleted counters); then length, last, first and
 * maximal deleted IDs, entries added; then the consumer groups with their
 * pending entries and consumers. Reading also takes the older
 * RDB_TYPE_STREAM_LISTPACKS (no first ID, tombstone or read counters: they
 * are derived as Redis derives them). Every node is validated entry by entry
 * (streamValidateListpackIntegrity, deep), IDs must ascend, and every
 * pending entry must have a consumer.
 */
final class StreamCodec implements RdbTypeCodec {
    @Override
    public int valueType() {
        return ValueType.STREAM;
    }

    @Override
    public int[] rdbTypes() {
        return new int[] {Rdb.TYPE_STREAM_LISTPACKS, Rdb.TYPE_STREAM_LISTPACKS_2};
    }

    @Override
    public int rdbType(Object entry) {
        return Rdb.TYPE_STREAM_LISTPACKS_2;
    }

    static byte[] idBytes(long ms, long seq) {
        byte[] k = new byte[16];
        for (int i = 0; i < 8; i++) {
            k[i] = (byte) (ms >>> (56 - 8 * i));
            k[8 + i] = (byte) (seq >>> (56 - 8 * i));
        }
        return k;
    }

    private static long longAt(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (b[off + i] & 0xFF);
        return v;
    }

    @Override
    public void write(RdbOutput out, Object entry) {
        StreamValue s = (StreamValue) entry;
        out.writeLen(s.radixTreeKeys());
        s.forEachNode((ms, seq, live, deleted, lp, used) -> {
            byte[] key = idBytes(ms, seq);
            out.writeString(key, 0, 16);
            byte[] c1 = Listpack.encode(Numbers.longBytes(live)), c2 = Listpack.encode(Numbers.longBytes(deleted));
            int elements = 2;
            for (int p = 0; p < used; p += Listpack.entrySize(lp, p)) elements++;
            int entriesLen = c1.length + c2.length + used;
            byte[] b = new byte[Blobs.LP_HEADER + entriesLen + 1];
            Blobs.writeListpackHeader(b, 0, entriesLen, elements);
            System.arraycopy(c1, 0, b, Blobs.LP_HEADER, c1.length);
            System.arraycopy(c2, 0, b, Blobs.LP_HEADER + c1.length, c2.length);
            System.arraycopy(lp, 0, b, Blobs.LP_HEADER + c1.length + c2.length, used);
            b[b.length - 1] = (byte) 0xFF;
            out.writeString(b, 0, b.length);
        });
        out.writeLen(s.length());
        out.writeLen(s.lastMs());
        out.writeLen(s.lastSeq());
        StreamId first = s.firstId(), maxDel = s.maxDeletedId();
        out.writeLen(first.ms());
        out.writeLen(first.seq());
        out.writeLen(maxDel.ms());
        out.writeLen(maxDel.seq());
        out.writeLen(s.entriesAdded());
        out.writeLen(s.groupCount());
        for (StreamGroup g : s.groups()) {
            out.writeString(g.name);
            out.writeLen(g.lastMs);
            out.writeLen(g.lastSeq);
            out.writeLen(g.entriesRead);
            out.writeLen(g.pel.size());
            for (StreamGroup.Nack n : g.pel) {
                out.writeRaw(idBytes(n.ms, n.seq), 0, 16);
                out.writeMillis(n.deliveryTime);
                out.writeLen(n.deliveryCount);
            }
            out.writeLen(g.consumers.size());
            for (StreamGroup.Consumer c : g.consumers.values()) {
                out.writeString(c.name);
                out.writeMillis(c.seenTime);
                out.writeLen(c.pel.size());
                for (StreamGroup.Nack n : c.pel) out.writeRaw(idBytes(n.ms, n.seq), 0, 16);
            }
        }
    }

    @Override
    public Object read(int rdbType, RdbInput in, LoadOptions opts) {
        StreamValue s = new StreamValue();
        long nodes = in.readCount();
        long prevLastMs = 0, prevLastSeq = 0;
        boolean any = false;
        for (long i = 0; i < nodes; i++) {
            byte[] key = in.readString();
            if (key.length != 16) throw in.corrupt("Stream node key entry is not the size of a stream ID");
            long ms = longAt(key, 0), seq = longAt(key, 8);
            byte[] lp = in.readString();
            Node node = validate(lp, ms, seq);
            if (node == null) throw in.corrupt("Stream listpack integrity check failed.");
            if (node.empty) throw in.corrupt("Empty listpack inside stream");
            // Nodes come in ID order, and each starts after the previous one's last entry.
            if (any && StreamId.compare(ms, seq, prevLastMs, prevLastSeq) <= 0) {
                throw in.corrupt("Stream listpack integrity check failed.");
            }
            if (!s.restoreNode(ms, seq, node.live, node.deleted, node.entries, node.masterFields,
                    node.masterFieldsStart, node.entriesStart, node.lastMs, node.lastSeq)) {
                throw in.corrupt("Listpack re-added with existing key");
            }
            prevLastMs = node.lastMs;
            prevLastSeq = node.lastSeq;
            any = true;
        }
        long length = in.readLen();
        long lastMs = in.readLen(), lastSeq = in.readLen();
        long firstMs, firstSeq, maxDelMs = 0, maxDelSeq = 0, added;
        if (rdbType == Rdb.TYPE_STREAM_LISTPACKS_2) {
            firstMs = in.readLen();
            firstSeq = in.readLen();
            maxDelMs = in.readLen();
            maxDelSeq = in.readLen();
            added = in.readLen();
            s.restoreCounters(length, lastMs, lastSeq, firstMs, firstSeq, maxDelMs, maxDelSeq, added);
        } else {
            // Before 7.0: the offset starts at the length, and the first ID is the first live entry's.
            s.restoreCounters(length, lastMs, lastSeq, 0, 0, 0, 0, length);
            StreamId first = s.edge(true);
            if (length > 0) s.restoreCounters(length, lastMs, lastSeq, first.ms(), first.seq(), 0, 0, length);
        }
        long groups = in.readCount();
        for (long gi = 0; gi < groups; gi++) {
            byte[] name = in.readString();
            long gms = in.readLen(), gseq = in.readLen();
            long read = rdbType == Rdb.TYPE_STREAM_LISTPACKS_2 ? in.readLen() : s.estimateReads(gms, gseq);
            StreamGroup g = s.createGroup(name, new StreamId(gms, gseq), read);
            if (g == null) {
                throw in.corrupt("Duplicated consumer group name " + new String(name,
                        java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            long pel = in.readCount();
            for (long p = 0; p < pel; p++) {
                byte[] id = new byte[16];
                in.readFully(id, 0, 16);
                StreamGroup.Nack n = new StreamGroup.Nack(longAt(id, 0), longAt(id, 8));
                n.deliveryTime = in.readMillis();
                n.deliveryCount = in.readLen();
                if (!g.pel.add(n)) throw in.corrupt("Duplicated global PEL entry loading stream consumer group");
            }
            long consumers = in.readCount();
            for (long ci = 0; ci < consumers; ci++) {
                byte[] cname = in.readString();
                StreamGroup.Consumer c = g.createConsumer(cname, 0);
                if (c == null) throw in.corrupt("Duplicate stream consumer detected.");
                c.seenTime = in.readMillis();
                long cpel = in.readCount();
                for (long p = 0; p < cpel; p++) {
                    byte[] id = new byte[16];
                    in.readFully(id, 0, 16);
                    StreamGroup.Nack n = g.pending(longAt(id, 0), longAt(id, 8));
                    if (n == null) throw in.corrupt("Consumer entry not found in group global PEL");
                    if (n.consumer != null) {
                        throw in.corrupt("Duplicated consumer PEL entry  loading a stream consumer group");
                    }
                    n.consumer = c;
                    c.pel.add(n);
                }
            }
            for (StreamGroup.Nack n : g.pel) {
                if (n.consumer == null) throw in.corrupt("Stream CG PEL entry without consumer");
            }
        }
        return s;
    }

    /** A node's listpack, checked and taken apart. */
    private static final class Node {
        int live, deleted, masterFields, masterFieldsStart, entriesStart;
        long lastMs, lastSeq;
        byte[] entries;
        boolean empty;
    }

    /**
     * streamValidateListpackIntegrity, deep: the listpack, the counters, the
     * master entry and every entry (flags, ID deltas, fields, lp-count);
     * also that the IDs ascend from the master ID. Null if invalid.
     */
    private static Node validate(byte[] lp, long masterMs, long masterSeq) {
        int count = Blobs.readListpack(lp, 0, lp.length, null);
        if (count < 0) return null;
        Node n = new Node();
        if (count == 0) {
            n.empty = true;
            return n;
        }
        int end = lp.length - 1;
        int[] pos = {Blobs.LP_HEADER};
        try {
            long live = nextInt(lp, pos, end), deleted = nextInt(lp, pos, end);
            if (live < 0 || deleted < 0 || live > Integer.MAX_VALUE || deleted > Integer.MAX_VALUE) return null;
            int start = pos[0];
            long masterFields = nextInt(lp, pos, end);
            if (masterFields < 0 || masterFields > count) return null;
            int masterFieldsStart = pos[0] - start;
            for (long j = 0; j < masterFields; j++) skip(lp, pos, end);
            if (nextInt(lp, pos, end) != 0) return null;
            int entriesStart = pos[0] - start;
            long lastMs = masterMs, lastSeq = masterSeq;
            boolean first = true;
            for (long e = 0; e < live + deleted; e++) {
                long flags = nextInt(lp, pos, end);
                long ms = masterMs + nextInt(lp, pos, end), seq = masterSeq + nextInt(lp, pos, end);
                if (!first && StreamId.compare(ms, seq, lastMs, lastSeq) <= 0) return null;
                if (first && StreamId.compare(ms, seq, masterMs, masterSeq) < 0) return null;
                first = false;
                lastMs = ms;
                lastSeq = seq;
                long fields = masterFields, extra = 3;
                if ((flags & 2) == 0) {
                    fields = nextInt(lp, pos, end);
                    if (fields < 0 || fields > count) return null;
                    for (long j = 0; j < fields; j++) skip(lp, pos, end);
                    extra += fields + 1;
                }
                for (long j = 0; j < fields; j++) skip(lp, pos, end);
                if (nextInt(lp, pos, end) != fields + extra) return null;
            }
            if (pos[0] != end) return null;
            n.live = (int) live;
            n.deleted = (int) deleted;
            n.masterFields = (int) masterFields;
            n.masterFieldsStart = masterFieldsStart;
            n.entriesStart = entriesStart;
            n.lastMs = lastMs;
            n.lastSeq = lastSeq;
            n.entries = java.util.Arrays.copyOfRange(lp, start, end);
            return n;
        } catch (IndexOutOfBoundsException | NotAnInteger e) {
            return null;
        }
    }

    private static final class NotAnInteger extends RuntimeException {
        NotAnInteger() {
            super(null, null, false, false);
        }
    }

    /**
     * The integer entry at pos[0] (advancing). Stricter than Redis's
     * lpGetIntegerIfValid, which also takes a string of digits: Redis never
     * writes one there, and Larder's stream reader expects integer entries.
     */
    private static long nextInt(byte[] b, int[] pos, int end) {
        int p = pos[0];
        if (p >= end) throw new IndexOutOfBoundsException();
        if (Listpack.isString(b, p)) throw new NotAnInteger();
        long v = Listpack.intValue(b, p);
        pos[0] = p + Listpack.entrySize(b, p);
        return v;
    }

    private static void skip(byte[] b, int[] pos, int end) {
        if (pos[0] >= end) throw new IndexOutOfBoundsException();
        pos[0] += Listpack.entrySize(b, pos[0]);
    }
}
