package io.larder.persist;

import io.larder.store.Entries;
import java.util.List;

/**
 * Every type's RDB codec, by value type (for writing) and by RDB type (for
 * reading). Adding a data type to persistence is one line here.
 */
public final class RdbCodecs {
    private RdbCodecs() {}

    public static final List<RdbTypeCodec> ALL = List.of(
            new StringCodec(),
            new ListCodec(),
            new SetCodec(),
            new ZsetCodec(),
            new HashCodec(),
            new StreamCodec());

    private static final RdbTypeCodec[] BY_VALUE_TYPE = new RdbTypeCodec[16];
    private static final RdbTypeCodec[] BY_RDB_TYPE = new RdbTypeCodec[256];

    static {
        for (RdbTypeCodec c : ALL) {
            if (BY_VALUE_TYPE[c.valueType()] != null) throw new IllegalStateException("two codecs for a value type");
            BY_VALUE_TYPE[c.valueType()] = c;
            for (int t : c.rdbTypes()) {
                if (BY_RDB_TYPE[t] != null) throw new IllegalStateException("two codecs for RDB type " + t);
                BY_RDB_TYPE[t] = c;
            }
        }
    }

    /** The codec that writes this entry's type, or null if none exists (a type without persistence). */
    public static RdbTypeCodec forEntry(Object entry) {
        return BY_VALUE_TYPE[Entries.type(entry)];
    }

    /** The codec that reads an RDB value type, or null. */
    public static RdbTypeCodec forRdbType(int rdbType) {
        return rdbType >= 0 && rdbType < 256 ? BY_RDB_TYPE[rdbType] : null;
    }

    /** The codec for an entry; fails for a type that has none (a bug: every type must have one). */
    public static RdbTypeCodec of(Object entry) {
        RdbTypeCodec c = forEntry(entry);
        if (c == null) {
            throw new IllegalStateException("no RDB codec for values of type "
                    + io.larder.store.ValueType.name(Entries.type(entry)));
        }
        return c;
    }

    /** Writes an entry's type byte and value (a DUMP payload's body). */
    public static void writeValue(RdbOutput out, Object entry) {
        RdbTypeCodec c = of(entry);
        out.writeByte(c.rdbType(entry));
        c.write(out, entry);
    }
}
