package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.store.Database;
import io.larder.store.Keyspace;
import io.larder.store.HashValue;
import io.larder.store.ListValue;
import io.larder.store.SetValue;
import io.larder.store.Slice;
import io.larder.store.StoredValue;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where SORT meets the other collection types: reading a list or a set to
 * sort, a hash field for "->" patterns, and writing STORE's list. Kept apart
 * so SortCommands depends on those types in this one place.
 */
final class SortTypes {
    private SortTypes() {}

    static SortCommands.SortSource source(Object e) {
        if (e instanceof ListValue l) return new ListSource(l);
        if (e instanceof SetValue s) return new SetSource(s);
        throw new IllegalStateException("SORT cannot read a value of type " + io.larder.store.Entries.type(e));
    }

    /** A hash field's value, or null (also when the entry is not a hash). */
    static byte[] hashField(Object e, byte[] f, int off, int len) {
        if (!(e instanceof HashValue h)) return null;
        Slice v = new Slice();
        return h.get(f, off, len, v) ? v.copy() : null;
    }

    /** STORE: the result as a new list under key argument keyIdx, replacing whatever was there. */
    static void storeList(CommandContext c, Database db, int keyIdx, List<byte[]> values, int fill) {
        ListValue l = new ListValue();
        for (byte[] v : values) l.push(false, v, 0, v.length, fill);
        l.trimToSize();
        c.write(db, keyIdx);
        l.init(c.args().bytes(keyIdx), StoredValue.NO_EXPIRE, Keyspace.lruClock(c.now()));
        c.put(db, c.lookup(), l);
        c.keyModified(db, keyIdx);
    }

    private static final class ListSource extends SortCommands.SortSource {
        private final ListValue l;

        ListSource(ListValue l) {
            this.l = l;
        }

        @Override
        int size() {
            return (int) l.size();
        }

        @Override
        void all(Consumer<byte[]> out) {
            for (ListValue.Cursor c = l.cursor(0); c.valid(); c.next()) out.accept(c.value());
        }

        @Override
        void range(int start, int count, boolean desc, Consumer<byte[]> out) {
            ListValue.Cursor c = l.cursor(desc ? l.size() - 1 - start : start);
            for (int i = 0; i < count && c.valid(); i++) {
                out.accept(c.value());
                if (desc) c.prev();
                else c.next();
            }
        }
    }

    /** A set: its members in the set's own order (SORT sorts them, or with BY nosort returns them so). */
    private static final class SetSource extends SortCommands.SortSource {
        private final SetValue s;

        SetSource(SetValue s) {
            this.s = s;
        }

        @Override
        int size() {
            return s.size();
        }

        @Override
        void all(Consumer<byte[]> out) {
            SetValue.Members m = new SetValue.Members().reset(s);
            while (m.next()) {
                m.bytes();
                out.accept(java.util.Arrays.copyOfRange(m.array, m.offset, m.offset + m.length));
            }
        }

        @Override
        void range(int start, int count, boolean desc, Consumer<byte[]> out) {
            throw new IllegalStateException("a set has no ranges");
        }
    }
}
