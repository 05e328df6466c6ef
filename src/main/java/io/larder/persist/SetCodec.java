package io.larder.persist;

import io.larder.store.ElementTable;
import io.larder.store.IntSet;
import io.larder.store.Listpack;
import io.larder.store.SetValue;
import io.larder.store.ValueType;
import io.larder.util.Numbers;

/**
 * Sets: RDB_TYPE_SET_INTSET (the intset blob as one string) or RDB_TYPE_SET
 * (count, then members). Loaded sets get the encoding Redis's rdbLoadObject
 * gives them under the current set-max-intset-entries; duplicate members are
 * refused.
 */
final class SetCodec implements RdbTypeCodec {
    /** The most members a set is presized for before they arrive. */
    static final int PRESIZE_LIMIT = 1 << 20;

    @Override
    public int valueType() {
        return ValueType.SET;
    }

    @Override
    public int[] rdbTypes() {
        return new int[] {Rdb.TYPE_SET, Rdb.TYPE_SET_INTSET};
    }

    @Override
    public int rdbType(Object entry) {
        return ((SetValue) entry).isIntSet() ? Rdb.TYPE_SET_INTSET : Rdb.TYPE_SET;
    }

    @Override
    public void write(RdbOutput out, Object entry) {
        SetValue s = (SetValue) entry;
        if (s.isIntSet()) {
            IntSet is = s.intSet();
            byte[] b = new byte[is.blobLength()];
            is.writeBlob(b, 0);
            out.writeString(b, 0, b.length);
            return;
        }
        ElementTable t = s.table();
        out.writeLen(t.size());
        for (int i = 0, n = t.capacity(); i < n; i++) {
            byte[] e = t.entryAt(i);
            if (e != null) out.writeString(e, 0, e.length);
        }
    }

    @Override
    public Object read(int rdbType, RdbInput in, LoadOptions opts) {
        if (rdbType == Rdb.TYPE_SET_INTSET) {
            byte[] b = in.readString();
            int w = Blobs.intsetWidth(b, 0, b.length);
            if (w < 0) throw in.corrupt("Intset integrity check failed.");
            int count = (b.length - 8) / w;
            SetValue s = SetValue.ofIntSet(IntSet.fromMembers(b, 8, w, count));
            if (count > opts.setMaxIntsetEntries()) s.convertToTable(count);
            return s;
        }
        long n = in.readCount();
        if (n == 0) return null;
        long max = Math.min(opts.setMaxIntsetEntries(), 1L << 30);
        // Sized for the count, but not beyond a bound: a corrupt count must not allocate gigabytes.
        int expected = (int) Math.min(n, PRESIZE_LIMIT);
        SetValue s = n > max ? SetValue.emptyTable(expected) : SetValue.emptyIntSet();
        for (long i = 0; i < n; i++) {
            byte[] m = in.readString();
            boolean added;
            if (s.isIntSet()) {
                if (Listpack.isInt(m, 0, m.length)) {
                    added = s.intSet().add(Numbers.parseLong(m, 0, m.length));
                } else {
                    s.convertToTable(expected);
                    added = s.table().add(m, 0, m.length);
                }
            } else {
                added = s.table().add(m, 0, m.length);
            }
            if (!added) throw in.corrupt("Duplicate set members detected");
        }
        return s;
    }
}
