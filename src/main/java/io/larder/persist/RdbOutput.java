package io.larder.persist;

import io.larder.util.Numbers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Writes the primitives of the RDB format (rdbSaveLen, rdbSaveRawString with
 * its integer and LZF encodings, millisecond times, binary doubles) into a
 * growing buffer. Without a sink the buffer keeps everything (DUMP payloads,
 * a snapshot's captured values); with one it is handed to the sink whenever
 * it passes {@link #FLUSH_AT} bytes (files), and the CRC-64 of everything
 * handed over is kept.
 */
public final class RdbOutput {
    /** Where full buffers go. */
    public interface Sink {
        void write(byte[] b, int off, int len) throws IOException;
    }

    static final int FLUSH_AT = 64 * 1024;

    private byte[] buf;
    private int pos;
    private final Sink sink;
    private boolean compress;
    private long crc;
    private boolean checksum = true;
    private long flushed;
    private final Lzf.Table lzf = new Lzf.Table();
    private byte[] scratch = new byte[256];

    public RdbOutput(int initialCapacity, Sink sink, boolean compress) {
        this.buf = new byte[Math.max(16, initialCapacity)];
        this.sink = sink;
        this.compress = compress;
    }

    /** An in-memory output (no sink). */
    public RdbOutput(boolean compress) {
        this(256, null, compress);
    }

    public void setCompression(boolean on) {
        compress = on;
    }

    /** rdbchecksum no: the checksum written at the end is 0, which loaders take as "not checked". */
    public void setChecksum(boolean on) {
        checksum = on;
    }

    public boolean checksumEnabled() {
        return checksum;
    }

    // ------------------------------------------------------------ buffer

    private void ensure(int n) {
        if (pos + n <= buf.length) return;
        if (sink != null && pos > 0) {
            flush();
            if (n <= buf.length) return;
        }
        long cap = Math.max((long) pos + n, (long) buf.length * 2);
        if (cap > Integer.MAX_VALUE - 16) cap = (long) pos + n;
        if (cap > Integer.MAX_VALUE - 16) throw new IllegalStateException("RDB value too large for a buffer");
        buf = Arrays.copyOf(buf, (int) cap);
    }

    /** Hands buffered bytes to the sink (no-op without one). */
    public void flush() {
        if (sink == null || pos == 0) return;
        if (checksum) crc = Crc64.update(crc, buf, 0, pos);
        try {
            sink.write(buf, 0, pos);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        flushed += pos;
        pos = 0;
    }

    /** Bytes written so far (handed to the sink or buffered). */
    public long written() {
        return flushed + pos;
    }

    /** Bytes in the buffer (everything, without a sink). */
    public int size() {
        return pos;
    }

    public byte[] buffer() {
        return buf;
    }

    /** The buffered bytes as a new array. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    /** Forgets the buffered bytes (reuse without a sink). */
    public void reset() {
        pos = 0;
    }

    /** CRC-64 of everything flushed plus what is buffered. */
    public long crc() {
        return checksum ? Crc64.update(crc, buf, 0, pos) : 0;
    }

    // ------------------------------------------------------------ raw

    public void writeByte(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
    }

    public void writeRaw(byte[] b, int off, int len) {
        if (sink != null && len > FLUSH_AT) {
            // A big value goes straight to the sink rather than through a buffer grown to its size.
            flush();
            if (checksum) crc = Crc64.update(crc, b, off, len);
            try {
                sink.write(b, off, len);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            flushed += len;
            return;
        }
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    public void writeLongLE(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) buf[pos++] = (byte) (v >>> (8 * i));
    }

    // ------------------------------------------------------------ RDB primitives

    /** rdbSaveLen. */
    public void writeLen(long len) {
        ensure(9);
        if (len >= 0 && len < (1 << 6)) {
            buf[pos++] = (byte) len;
        } else if (len >= 0 && len < (1 << 14)) {
            buf[pos++] = (byte) ((len >>> 8) | 0x40);
            buf[pos++] = (byte) len;
        } else if (len >= 0 && len <= 0xFFFFFFFFL) {
            buf[pos++] = (byte) Rdb.LEN_32BIT;
            for (int i = 3; i >= 0; i--) buf[pos++] = (byte) (len >>> (8 * i));
        } else {
            buf[pos++] = (byte) Rdb.LEN_64BIT;
            for (int i = 7; i >= 0; i--) buf[pos++] = (byte) (len >>> (8 * i));
        }
    }

    /** rdbEncodeInteger: false when the value needs more than 32 bits. */
    private boolean writeEncodedInteger(long v) {
        ensure(5);
        if (v >= -(1 << 7) && v <= (1 << 7) - 1) {
            buf[pos++] = (byte) ((Rdb.ENCVAL << 6) | Rdb.ENC_INT8);
            buf[pos++] = (byte) v;
        } else if (v >= -(1 << 15) && v <= (1 << 15) - 1) {
            buf[pos++] = (byte) ((Rdb.ENCVAL << 6) | Rdb.ENC_INT16);
            buf[pos++] = (byte) v;
            buf[pos++] = (byte) (v >>> 8);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            buf[pos++] = (byte) ((Rdb.ENCVAL << 6) | Rdb.ENC_INT32);
            buf[pos++] = (byte) v;
            buf[pos++] = (byte) (v >>> 8);
            buf[pos++] = (byte) (v >>> 16);
            buf[pos++] = (byte) (v >>> 24);
        } else {
            return false;
        }
        return true;
    }

    /**
     * rdbSaveRawString: a string of up to 11 bytes that is a canonical
     * integer fitting 32 bits is saved as that integer; one longer than 20
     * bytes is LZF-compressed when compression is on and it saves at least 4
     * bytes; anything else is saved as length and bytes.
     */
    public void writeString(byte[] s, int off, int len) {
        if (len <= 11 && len > 0 && isCanonicalLong(s, off, len)
                && writeEncodedInteger(Numbers.parseLong(s, off, len))) {
            return;
        }
        if (compress && len > 20 && writeLzf(s, off, len)) return;
        writeLen(len);
        if (len > 0) writeRaw(s, off, len);
    }

    public void writeString(byte[] s) {
        writeString(s, 0, s.length);
    }

    /** rdbSaveLongLongAsStringObject: an integer value, as an int encoding or decimal digits. */
    public void writeLongString(long v) {
        if (writeEncodedInteger(v)) return;
        byte[] d = Numbers.longBytes(v);
        writeLen(d.length);
        writeRaw(d, 0, d.length);
    }

    /** string2ll's acceptance: the canonical decimal form of a 64-bit integer. */
    static boolean isCanonicalLong(byte[] s, int off, int len) {
        return io.larder.store.Listpack.isInt(s, off, len);
    }

    /** rdbSaveLzfStringObject; false when compression does not save at least 4 bytes. */
    private boolean writeLzf(byte[] s, int off, int len) {
        int outLen = len - 4;
        if (scratch.length < outLen + 1) scratch = new byte[Math.max(outLen + 1, scratch.length * 2)];
        int clen = Lzf.compress(lzf, s, off, len, scratch, 0, outLen);
        if (clen == 0) return false;
        writeLzfBlob(scratch, 0, clen, len);
        // Do not keep a huge scratch array alive after one huge value.
        if (scratch.length > 4 * FLUSH_AT) scratch = new byte[256];
        return true;
    }

    /** rdbSaveLzfBlob: already compressed data and its original length. */
    public void writeLzfBlob(byte[] c, int off, int clen, long originalLen) {
        writeByte((Rdb.ENCVAL << 6) | Rdb.ENC_LZF);
        writeLen(clen);
        writeLen(originalLen);
        writeRaw(c, off, clen);
    }

    /** rdbSaveMillisecondTime: 8 bytes little endian. */
    public void writeMillis(long t) {
        writeLongLE(t);
    }

    /** rdbSaveBinaryDoubleValue: the IEEE 754 bits, little endian. */
    public void writeBinaryDouble(double d) {
        writeLongLE(Double.doubleToRawLongBits(d));
    }

    /** rdbSaveBinaryFloatValue. */
    public void writeBinaryFloat(float f) {
        int v = Float.floatToRawIntBits(f);
        ensure(4);
        for (int i = 0; i < 4; i++) buf[pos++] = (byte) (v >>> (8 * i));
    }
}
