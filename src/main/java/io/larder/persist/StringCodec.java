package io.larder.persist;

import io.larder.store.StringBlob;
import io.larder.store.StringValue;
import io.larder.store.ValueType;

/** Strings: RDB_TYPE_STRING, the value saved with rdbSaveRawString (integer, LZF or plain). */
final class StringCodec implements RdbTypeCodec {
    @Override
    public int valueType() {
        return ValueType.STRING;
    }

    @Override
    public int[] rdbTypes() {
        return new int[] {Rdb.TYPE_STRING};
    }

    @Override
    public int rdbType(Object entry) {
        return Rdb.TYPE_STRING;
    }

    @Override
    public void write(RdbOutput out, Object entry) {
        // An int-encoded value saves as rdbSaveLongLongAsStringObject, which gives the same bytes as
        // rdbSaveRawString of its digits, so one path serves every encoding.
        if (entry instanceof byte[] b) {
            int vo = StringBlob.valueOffset(b);
            out.writeString(b, vo, b.length - vo);
        } else {
            StringValue s = (StringValue) entry;
            out.writeString(s.data(), 0, s.length());
        }
    }

    @Override
    public Object read(int rdbType, RdbInput in, LoadOptions opts) {
        return in.readString();
    }
}
