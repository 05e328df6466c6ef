package io.larder.store;

import java.util.random.RandomGenerator;

/**
 * A hash: a {@link HashListpack} of alternating fields and values while small
 * (Redis's "listpack" encoding, which keeps insertion order), an
 * {@link ElementTable} of pair entries beyond ("hashtable"). The conversion
 * rules are Redis's hashTypeSet / hashTypeTryConversion, so OBJECT ENCODING
 * changes at the same moments: a field or value longer than
 * hash-max-listpack-value, or more fields than hash-max-listpack-entries.
 * A hash never converts back.
 */
public final class HashValue extends StoredValue {
    private HashListpack lp;
    private ElementTable table;

    public HashValue() {
        lp = new HashListpack();
    }

    private HashValue(HashListpack lp, ElementTable table) {
        this.lp = lp;
        this.table = table;
    }

    /** A hash in the listpack encoding over the given listpack (RDB loading). */
    public static HashValue ofListpack(HashListpack lp) {
        return new HashValue(lp, null);
    }

    /** A hash in the hashtable encoding over the given table of pair entries (RDB loading). */
    public static HashValue ofTable(ElementTable table) {
        return new HashValue(null, table);
    }

    @Override
    public int type() {
        return ValueType.HASH;
    }

    @Override
    public String encoding() {
        return lp != null ? "listpack" : "hashtable";
    }

    public boolean isListpack() {
        return lp != null;
    }

    /** The listpack (fields at even positions), or null in the hashtable encoding. */
    public HashListpack listpack() {
        return lp;
    }

    /** The table of pair entries, or null in the listpack encoding. */
    public ElementTable table() {
        return table;
    }

    public int size() {
        return lp != null ? lp.count() >>> 1 : table.size();
    }

    @Override
    public long memoryUsage() {
        return 16 + (lp != null ? lp.memory() : table.memory());
    }

    @Override
    public StoredValue copy() {
        HashValue h = new HashValue(lp != null ? lp.copy() : null, table != null ? table.copy() : null);
        h.expireAt = expireAt;
        return h;
    }

    // ------------------------------------------------------------ reads

    /** Finds a field; on success {@code value} views its value. */
    public boolean get(byte[] f, int off, int len, Slice value) {
        if (lp != null) {
            int p = lp.findField(f, off, len);
            if (p < 0) return false;
            lp.get(lp.next(p), value);
            return true;
        }
        int slot = table.find(f, off, len);
        if (slot < 0) return false;
        byte[] e = table.entryAt(slot);
        int vo = ElementTable.valueOffset(e);
        value.set(e, vo, e.length - vo);
        return true;
    }

    public boolean contains(byte[] f, int off, int len) {
        return lp != null ? lp.findField(f, off, len) >= 0 : table.find(f, off, len) >= 0;
    }

    /** Receives a field and its value (views valid during the call only). */
    public interface PairVisitor {
        void visit(byte[] f, int foff, int flen, byte[] v, int voff, int vlen);
    }

    /** Visits every pair: insertion order for a listpack, table order otherwise. */
    public void forEach(PairVisitor v) {
        if (lp != null) {
            Slice f = new Slice(), val = new Slice();
            for (int p = lp.first(); p >= 0; ) {
                int vp = lp.next(p);
                lp.get(p, f);
                lp.get(vp, val);
                v.visit(f.array, f.offset, f.length, val.array, val.offset, val.length);
                p = lp.next(vp);
            }
            return;
        }
        for (int i = 0, n = table.capacity(); i < n; i++) {
            byte[] e = table.entryAt(i);
            if (e != null) visitEntry(e, v);
        }
    }

    /** Visits one pair entry of the hashtable encoding. */
    public static void visitEntry(byte[] e, PairVisitor v) {
        int fl = Varint.read(e, 0);
        int fo = Varint.size(fl);
        v.visit(e, fo, fl, e, fo + fl, e.length - fo - fl);
    }

    /** One pair chosen uniformly at random (the hash must not be empty). */
    public void randomPair(RandomGenerator rnd, Slice field, Slice value) {
        if (lp != null) {
            int p = lp.seek(2 * rnd.nextInt(size()));
            lp.get(p, field);
            lp.get(lp.next(p), value);
            return;
        }
        byte[] e = table.entryAt(table.randomSlot(rnd));
        int fl = Varint.read(e, 0);
        int fo = Varint.size(fl);
        field.set(e, fo, fl);
        value.set(e, fo + fl, e.length - fo - fl);
    }

    // ------------------------------------------------------------ writes

    /**
     * Redis's hashTypeTryConversion: leaves the listpack encoding when any of
     * the given lengths exceeds hash-max-listpack-value, before anything is set.
     */
    public void convertIfLonger(int length, long maxValue) {
        if (lp != null && length > maxValue) convertToTable();
    }

    /**
     * Sets a field (Redis's hashTypeSet); true when the field is new. A field
     * or value too long for the listpack converts first (HINCRBY* reach here
     * without hashTypeTryConversion), more fields than the limit convert after.
     */
    public boolean set(byte[] f, int foff, int flen, byte[] v, int voff, int vlen, long maxEntries, long maxValue) {
        if (lp != null && (flen > maxValue || vlen > maxValue)) convertToTable();
        if (lp != null) {
            int p = lp.findField(f, foff, flen);
            boolean added = p < 0;
            if (added) {
                lp.append(f, foff, flen);
                lp.append(v, voff, vlen);
            } else {
                lp.replace(lp.next(p), v, voff, vlen);
            }
            // Checked after an update too, as Redis does: a lowered limit converts on any write.
            if (size() > maxEntries) convertToTable();
            return added;
        }
        int h = table.hash(f, foff, flen);
        int slot = table.find(f, foff, flen, h);
        byte[] e = ElementTable.pairEntry(f, foff, flen, v, voff, vlen);
        if (slot >= 0) {
            table.replaceAt(slot, e);
            return false;
        }
        table.insert(e, h);
        return true;
    }

    /** Deletes a field; false if absent. */
    public boolean delete(byte[] f, int off, int len) {
        if (lp != null) {
            int p = lp.findField(f, off, len);
            if (p < 0) return false;
            lp.delete(p, 2);
            return true;
        }
        return table.remove(f, off, len);
    }

    /** Moves to the hashtable encoding (Redis's hashTypeConvert). */
    public void convertToTable() {
        if (lp == null) return;
        ElementTable t = new ElementTable(true, size());
        forEach((f, fo, fl, v, vo, vl) -> t.insert(ElementTable.pairEntry(f, fo, fl, v, vo, vl),
                t.hash(f, fo, fl)));
        table = t;
        lp = null;
    }
}
