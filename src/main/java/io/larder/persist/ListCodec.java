package io.larder.persist;

import io.larder.store.ListValue;
import io.larder.store.Listpack;
import io.larder.store.ValueType;
import io.larder.util.Numbers;

/**
 * Lists: Redis 7.0 saves every list as RDB_TYPE_LIST_QUICKLIST_2, one
 * listpack per quicklist node; Larder's list nodes hold exactly those
 * listpack entries, so a node is written as its header, its entries and the
 * terminator. Reading also takes the older forms: linked lists of strings
 * (1), a single ziplist (10), and quicklists of ziplists (14).
 */
final class ListCodec implements RdbTypeCodec {
    /** Redis's packed_threshold: elements this large live in "plain" quicklist nodes. */
    static final long PLAIN_THRESHOLD = 1L << 30;

    @Override
    public int valueType() {
        return ValueType.LIST;
    }

    @Override
    public int[] rdbTypes() {
        return new int[] {Rdb.TYPE_LIST, Rdb.TYPE_LIST_ZIPLIST, Rdb.TYPE_LIST_QUICKLIST, Rdb.TYPE_LIST_QUICKLIST_2};
    }

    @Override
    public int rdbType(Object entry) {
        return Rdb.TYPE_LIST_QUICKLIST_2;
    }

    @Override
    public void write(RdbOutput out, Object entry) {
        ListValue l = (ListValue) entry;
        out.writeLen(l.nodeCount());
        byte[][] scratch = new byte[1][];
        l.forEachNode((buf, start, end, count) -> {
            if (count == 1 && Listpack.isString(buf, start) && Listpack.strLength(buf, start) >= PLAIN_THRESHOLD) {
                out.writeLen(Rdb.QUICKLIST_PLAIN);
                out.writeString(buf, Listpack.strOffset(buf, start), Listpack.strLength(buf, start));
                return;
            }
            out.writeLen(Rdb.QUICKLIST_PACKED);
            int used = end - start;
            int n = Blobs.LP_HEADER + used + 1;
            byte[] b = scratch[0];
            if (b == null || b.length < n) b = scratch[0] = new byte[Math.max(n, 256)];
            Blobs.writeListpackHeader(b, 0, used, count);
            System.arraycopy(buf, start, b, Blobs.LP_HEADER, used);
            b[n - 1] = (byte) 0xFF;
            out.writeString(b, 0, n);
        });
    }

    @Override
    public Object read(int rdbType, RdbInput in, LoadOptions opts) {
        ListValue l = new ListValue();
        int fill = opts.listFill();
        switch (rdbType) {
            case Rdb.TYPE_LIST -> {
                long n = in.readCount();
                for (long i = 0; i < n; i++) {
                    byte[] s = in.readString();
                    l.push(false, s, fill);
                }
            }
            case Rdb.TYPE_LIST_ZIPLIST -> {
                byte[] zl = in.readString();
                int n = Blobs.readZiplist(zl, 0, zl.length, pusher(l, fill));
                if (n < 0) throw in.corrupt("List ziplist integrity check failed.");
            }
            default -> {
                long nodes = in.readCount();
                for (long i = 0; i < nodes; i++) {
                    long container = Rdb.QUICKLIST_PACKED;
                    if (rdbType == Rdb.TYPE_LIST_QUICKLIST_2) {
                        container = in.readLen();
                        if (container != Rdb.QUICKLIST_PACKED && container != Rdb.QUICKLIST_PLAIN) {
                            throw in.corrupt("Quicklist integrity check failed.");
                        }
                    }
                    byte[] data = in.readString();
                    if (data.length == 0) throw in.corrupt("Quicklist integrity check failed.");
                    if (container == Rdb.QUICKLIST_PLAIN) {
                        byte[] enc = Listpack.encode(data);
                        l.appendNode(enc, 0, enc.length, 1);
                        continue;
                    }
                    if (rdbType == Rdb.TYPE_LIST_QUICKLIST_2) {
                        int count = Blobs.readListpack(data, 0, data.length, null);
                        if (count < 0) throw in.corrupt("Listpack integrity check failed.");
                        // Empty nodes are skipped silently, as Redis does.
                        if (count > 0) l.appendNode(data, Blobs.LP_HEADER, data.length - Blobs.LP_HEADER - 1, count);
                    } else {
                        EntryBuilder b = new EntryBuilder(data.length);
                        if (Blobs.readZiplist(data, 0, data.length, b) < 0) {
                            throw in.corrupt("Ziplist integrity check failed.");
                        }
                        if (b.count > 0) l.appendNode(b.buf, 0, b.len, b.count);
                    }
                }
            }
        }
        if (l.isEmpty()) return null;
        l.trimToSize();
        return l;
    }

    private static Blobs.ElementVisitor pusher(ListValue l, int fill) {
        return new Blobs.ElementVisitor() {
            @Override
            public void string(byte[] b, int off, int len) {
                l.push(false, b, off, len, fill);
            }

            @Override
            public void integer(long v) {
                byte[] d = Numbers.longBytes(v);
                l.push(false, d, 0, d.length, fill);
            }
        };
    }

    /** Re-encodes elements (of a ziplist, a zipmap ...) as consecutive listpack entries. */
    static final class EntryBuilder implements Blobs.ElementVisitor {
        byte[] buf;
        int len;
        int count;

        EntryBuilder(int capacity) {
            buf = new byte[Math.max(16, capacity)];
        }

        @Override
        public void string(byte[] b, int off, int n) {
            int size = Listpack.encodedSize(b, off, n);
            ensure(size);
            Listpack.write(buf, len, b, off, n);
            len += size;
            count++;
        }

        @Override
        public void integer(long v) {
            byte[] d = Numbers.longBytes(v);
            string(d, 0, d.length);
        }

        private void ensure(int n) {
            if (len + n > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(len + n, buf.length * 2));
        }
    }
}
