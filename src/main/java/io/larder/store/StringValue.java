package io.larder.store;

import java.util.Arrays;

/**
 * A string held as an object: large values, and values that are modified in
 * place (APPEND, SETRANGE, SETBIT) and so keep spare capacity, as Redis's
 * raw-encoded sds strings do.
 */
public final class StringValue extends StoredValue {
    byte[] data;
    int length;
    /** How Redis would have encoded it: one of {@link StringBlob}'s FORM_* constants. */
    int form;

    public StringValue(byte[] data, int length, boolean raw) {
        this(data, length, raw ? StringBlob.FORM_RAW : StringBlob.FORM_AUTO);
    }

    public StringValue(byte[] data, int length, int form) {
        this.data = data;
        this.length = length;
        this.form = form;
    }

    public byte[] data() {
        return data;
    }

    public int length() {
        return length;
    }

    /** Makes room for at least {@code newLength} bytes, growing like sds (double up to 1MB). */
    public void ensureCapacity(int newLength) {
        if (newLength <= data.length) return;
        long cap = newLength < 1024 * 1024 ? (long) newLength * 2 : (long) newLength + 1024 * 1024;
        if (cap > Integer.MAX_VALUE - 16) cap = newLength;
        data = Arrays.copyOf(data, (int) cap);
    }

    public void setLength(int len) {
        this.length = len;
    }

    /**
     * Takes a new buffer as the value (HyperLogLog sparse-to-dense promotion
     * builds the dense form beside the sparse one, then swaps it in; growing
     * the old buffer would leave it with doubled capacity).
     */
    public void adopt(byte[] data, int length) {
        this.data = data;
        this.length = length;
    }

    public void markRaw() {
        this.form = StringBlob.FORM_RAW;
    }

    public int form() {
        return form;
    }

    @Override
    public int type() {
        return ValueType.STRING;
    }

    @Override
    public String encoding() {
        return StringBlob.encoding(form, data, 0, length);
    }

    @Override
    public long memoryUsage() {
        return 40 + arrayBytes(data.length);
    }

    @Override
    public StoredValue copy() {
        StringValue s = new StringValue(Arrays.copyOf(data, length), length, form);
        s.expireAt = expireAt;
        return s;
    }
}
