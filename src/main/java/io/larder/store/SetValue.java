package io.larder.store;

import io.larder.util.Numbers;
import java.util.random.RandomGenerator;

/**
 * A set: an {@link IntSet} while every member is an integer and there are
 * at most set-max-intset-entries of them (Redis's "intset"), an
 * {@link ElementTable} otherwise ("hashtable"). Redis 7.0 has no listpack
 * encoding for sets (7.2 added it). The rules are Redis's setTypeCreate /
 * setTypeAdd, so OBJECT ENCODING changes at the same moments; a set never
 * converts back to an intset, but a new set built from members (SPOP with a
 * count, SINTERSTORE ...) starts as an intset as in Redis.
 */
public final class SetValue extends StoredValue {
    private IntSet ints;
    private ElementTable table;

    private SetValue(IntSet ints, ElementTable table) {
        this.ints = ints;
        this.table = table;
    }

    /** A set in the intset encoding over the given intset (RDB loading). */
    public static SetValue ofIntSet(IntSet ints) {
        return new SetValue(ints, null);
    }

    /** An empty set in the intset encoding (Redis's createIntsetObject). */
    public static SetValue emptyIntSet() {
        return new SetValue(new IntSet(), null);
    }

    /** An empty set in the hashtable encoding, sized for {@code expected} members. */
    public static SetValue emptyTable(int expected) {
        return new SetValue(null, new ElementTable(false, expected));
    }

    /** Redis's setTypeCreate: the encoding a new set gets from its first member. */
    public static SetValue forFirstMember(byte[] b, int off, int len) {
        return Listpack.isInt(b, off, len) ? emptyIntSet() : emptyTable(0);
    }

    /**
     * The set Redis's SPOP builds from the members that stay (setTypeCreate
     * from the first, then setTypeAdd): an intset exactly when all of them
     * are integers and they fit set-max-intset-entries. A hashtable keeps the
     * positions of {@code previous}'s table, so an SSCAN in progress goes on.
     */
    public static SetValue rebuilt(java.util.List<byte[]> members, long maxIntsetEntries, SetValue previous) {
        boolean ints = members.size() <= maxIntsetEntries;
        for (int i = 0; ints && i < members.size(); i++) {
            byte[] m = members.get(i);
            ints = Listpack.isInt(m, 0, m.length);
        }
        if (ints) {
            IntSet is = new IntSet();
            for (byte[] m : members) is.add(Numbers.parseLong(m, 0, m.length));
            return new SetValue(is, null);
        }
        ElementTable t = previous.table != null ? new ElementTable(false, members.size(), previous.table)
                : new ElementTable(false, members.size());
        for (byte[] m : members) t.insert(m, t.hash(m, 0, m.length));
        return new SetValue(null, t);
    }

    @Override
    public int type() {
        return ValueType.SET;
    }

    @Override
    public String encoding() {
        return ints != null ? "intset" : "hashtable";
    }

    public boolean isIntSet() {
        return ints != null;
    }

    /** The intset, or null in the hashtable encoding. */
    public IntSet intSet() {
        return ints;
    }

    /** The table of members, or null in the intset encoding. */
    public ElementTable table() {
        return table;
    }

    public int size() {
        return ints != null ? ints.size() : table.size();
    }

    @Override
    public long memoryUsage() {
        return 16 + (ints != null ? ints.memory() : table.memory());
    }

    @Override
    public StoredValue copy() {
        SetValue s = new SetValue(ints != null ? ints.copy() : null, table != null ? table.copy() : null);
        s.expireAt = expireAt;
        return s;
    }

    // ------------------------------------------------------------ membership

    public boolean contains(byte[] b, int off, int len) {
        if (ints != null) return Listpack.isInt(b, off, len) && ints.contains(Numbers.parseLong(b, off, len));
        return table.find(b, off, len) >= 0;
    }

    /** Membership of an integer (given also as its decimal bytes for the hashtable case). */
    public boolean containsLong(long v, byte[] digits, int off, int len) {
        return ints != null ? ints.contains(v) : table.find(digits, off, len) >= 0;
    }

    // ------------------------------------------------------------ writes

    /** Redis's setTypeAdd: true when the member is new; converts as Redis does. */
    public boolean add(byte[] b, int off, int len, long maxIntsetEntries) {
        if (ints != null) {
            if (!Listpack.isInt(b, off, len)) {
                convertToTable(ints.size() + 1);
                return table.add(b, off, len);
            }
            if (!ints.add(Numbers.parseLong(b, off, len))) return false;
            if (ints.size() > maxIntsetEntries) convertToTable(ints.size());
            return true;
        }
        return table.add(b, off, len);
    }

    /** Removes a member; false if absent. */
    public boolean remove(byte[] b, int off, int len) {
        if (ints != null) return Listpack.isInt(b, off, len) && ints.remove(Numbers.parseLong(b, off, len));
        return table.remove(b, off, len);
    }

    /** Moves to the hashtable encoding (Redis's setTypeConvert), sized for {@code expected} members. */
    public void convertToTable(int expected) {
        if (ints == null) return;
        ElementTable t = new ElementTable(false, Math.max(expected, ints.size()));
        byte[] buf = new byte[20];
        for (int i = 0, n = ints.size(); i < n; i++) {
            int len = Numbers.longToAscii(ints.get(i), buf, 0);
            t.insert(java.util.Arrays.copyOf(buf, len), t.hash(buf, 0, len));
        }
        table = t;
        ints = null;
    }

    // ------------------------------------------------------------ iteration and random access

    /**
     * A reusable cursor over the members: ascending for an intset, table
     * order otherwise. An integer member is given as {@link #intValue} and,
     * after {@link #bytes()}, as digits; others as bytes directly.
     */
    public static final class Members {
        private SetValue set;
        private int pos;
        private final byte[] digits = new byte[20];
        private boolean digitsReady;
        /** The current member is from an intset. */
        public boolean isInt;
        public long intValue;
        public byte[] array;
        public int offset;
        public int length;

        /** Starts iterating a set. */
        public Members reset(SetValue s) {
            set = s;
            pos = -1;
            return this;
        }

        /** Advances; false after the last member. */
        public boolean next() {
            if (set.ints != null) {
                if (++pos >= set.ints.size()) return false;
                isInt = true;
                intValue = set.ints.get(pos);
                digitsReady = false;
                return true;
            }
            ElementTable t = set.table;
            int cap = t.capacity();
            while (++pos < cap) {
                byte[] e = t.entryAt(pos);
                if (e != null) {
                    isInt = false;
                    array = e;
                    offset = 0;
                    length = e.length;
                    return true;
                }
            }
            return false;
        }

        /** Positions on one member chosen uniformly at random (the set must not be empty). */
        public void random(SetValue s, RandomGenerator rnd) {
            set = s;
            if (s.ints != null) {
                pos = rnd.nextInt(s.ints.size());
                isInt = true;
                intValue = s.ints.get(pos);
                digitsReady = false;
            } else {
                pos = s.table.randomSlot(rnd);
                isInt = false;
                array = s.table.entryAt(pos);
                offset = 0;
                length = array.length;
            }
        }

        /** Positions on the member at an intset index or table slot. */
        public void at(SetValue s, int position) {
            set = s;
            pos = position;
            if (s.ints != null) {
                isInt = true;
                intValue = s.ints.get(position);
                digitsReady = false;
            } else {
                isInt = false;
                array = s.table.entryAt(position);
                offset = 0;
                length = array.length;
            }
        }

        /** Makes {@link #array}/{@link #offset}/{@link #length} valid for an integer member too. */
        public Members bytes() {
            if (isInt && !digitsReady) {
                length = Numbers.longToAscii(intValue, digits, 0);
                array = digits;
                offset = 0;
                digitsReady = true;
            }
            return this;
        }

        /** Removes the current member from its set (positions after it may shift). */
        public void remove() {
            if (set.ints != null) set.ints.removeAt(pos);
            else set.table.removeAt(pos);
        }
    }
}
