package io.larder.persist;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Reads the primitives of the RDB format from a byte array (DUMP payloads)
 * or a stream (files), keeping the offset (for error messages) and the
 * CRC-64 of what was read (for the checksum at the end of a file). Lengths
 * read from the data are checked against what is left before anything is
 * allocated, so a corrupt length fails with a message instead of an attempt
 * to allocate gigabytes.
 */
public final class RdbInput {
    /** Where bytes come from: read up to len bytes, -1 at the end. */
    public interface Source {
        int read(byte[] b, int off, int len) throws IOException;
    }

    private static final int BUFFER = 64 * 1024;

    private byte[] buf;
    private int pos;
    private int limit;
    /** File offset of buf[0]. */
    private long base;
    private final Source source;
    /** Total bytes available (file size or payload length), for length checks; -1 if unknown. */
    private final long total;
    private long crc;
    private int crcPos;
    private boolean checksum = true;
    /** What is being read, for redis-check-rdb style reports ("read-object-value" ...). */
    String doing = "start";
    /** The key and value type being read, for the same reports (null / -1 before the first key). */
    byte[] key;
    int type = -1;

    /** Reads a whole array (a DUMP payload without its footer). */
    public RdbInput(byte[] data, int off, int len) {
        this.buf = data;
        this.pos = off;
        this.limit = off + len;
        this.base = -off;
        this.source = null;
        this.total = len;
        this.crcPos = off;
    }

    /** Reads a stream of {@code total} bytes (-1 if unknown). */
    public RdbInput(Source source, long total) {
        this.buf = new byte[BUFFER];
        this.source = source;
        this.total = total;
    }

    public void setChecksum(boolean on) {
        checksum = on;
    }

    /** Offset of the next byte. */
    public long position() {
        return base + pos;
    }

    /** Bytes known to remain, or Long.MAX_VALUE when the size is unknown. */
    public long remaining() {
        return total < 0 ? Long.MAX_VALUE : total - position();
    }

    public RdbException corrupt(String message) {
        return new RdbException(message, position());
    }

    private RdbException eof() {
        return new RdbException("Unexpected EOF reading RDB file", position(), true);
    }

    /** CRC-64 of everything read so far. */
    public long crc() {
        if (checksum && crcPos < pos) crc = Crc64.update(crc, buf, crcPos, pos - crcPos);
        crcPos = pos;
        return crc;
    }

    /** Makes at least n bytes available in buf from pos; false at the end of the data. */
    private boolean fill(int n) {
        if (limit - pos >= n) return true;
        if (source == null) return false;
        crc();
        int have = limit - pos;
        if (n > buf.length) {
            byte[] nb = new byte[Math.max(n, buf.length * 2)];
            System.arraycopy(buf, pos, nb, 0, have);
            buf = nb;
        } else {
            System.arraycopy(buf, pos, buf, 0, have);
        }
        base += pos;
        pos = 0;
        crcPos = 0;
        limit = have;
        try {
            while (limit < n) {
                int r = source.read(buf, limit, buf.length - limit);
                if (r < 0) return false;
                limit += r;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return true;
    }

    public int readByte() {
        if (pos >= limit && !fill(1)) throw eof();
        return buf[pos++] & 0xFF;
    }

    /** Reads exactly len bytes into dst. */
    public void readFully(byte[] dst, int off, int len) {
        int have = Math.min(len, limit - pos);
        System.arraycopy(buf, pos, dst, off, have);
        pos += have;
        off += have;
        len -= have;
        if (len == 0) return;
        if (source == null) throw eof();
        // Large remainder: read it straight into dst and checksum it there.
        crc();
        try {
            while (len > 0) {
                int r = source.read(dst, off, len);
                if (r < 0) throw eof();
                if (checksum) crc = Crc64.update(crc, dst, off, r);
                off += r;
                len -= r;
                base += r;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A length of bytes about to be read: fails (as a short read) if more than what is left. */
    private int checkedLength(long len) {
        if (len < 0 || len > remaining()) throw eof();
        if (len > Integer.MAX_VALUE - 16) throw corrupt("Value too large for Larder (" + len + " bytes)");
        return (int) len;
    }

    public byte[] readBytes(long len) {
        byte[] b = new byte[checkedLength(len)];
        readFully(b, 0, b.length);
        return b;
    }

    /** Skips len bytes. */
    public void skip(long len) {
        checkedLength(len);
        long left = len;
        while (left > 0) {
            if (pos >= limit && !fill(1)) throw eof();
            int n = (int) Math.min(left, limit - pos);
            pos += n;
            left -= n;
        }
    }

    public long readLongLE() {
        if (!fill(8)) throw eof();
        long v = 0;
        for (int i = 0; i < 8; i++) v |= (long) (buf[pos + i] & 0xFF) << (8 * i);
        pos += 8;
        return v;
    }

    public int readIntLE() {
        if (!fill(4)) throw eof();
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    // ------------------------------------------------------------ RDB primitives

    /** Set by {@link #readLenOrEncoding} when the length byte announced a special string encoding. */
    private boolean encoded;

    /** rdbLoadLenByRef: a length, or (see {@link #wasEncoded}) a string encoding type. */
    public long readLenOrEncoding() {
        int b = readByte();
        int type = (b & 0xC0) >>> 6;
        encoded = false;
        if (type == Rdb.ENCVAL) {
            encoded = true;
            return b & 0x3F;
        }
        if (type == Rdb.LEN_6BIT) return b & 0x3F;
        if (type == Rdb.LEN_14BIT) return ((b & 0x3F) << 8) | readByte();
        if (b == Rdb.LEN_32BIT) {
            long v = 0;
            for (int i = 0; i < 4; i++) v = (v << 8) | readByte();
            return v;
        }
        if (b == Rdb.LEN_64BIT) {
            long v = 0;
            for (int i = 0; i < 8; i++) v = (v << 8) | readByte();
            return v;
        }
        throw corrupt("Unknown length encoding " + type + " in rdbLoadLen()");
    }

    public boolean wasEncoded() {
        return encoded;
    }

    /** rdbLoadLen for counts: an encoding marker there is corruption. */
    public long readLen() {
        long v = readLenOrEncoding();
        if (encoded) throw corrupt("Unexpected string encoding where a length was expected");
        return v;
    }

    /** A count of elements that each take at least one byte: larger than what is left is a short read. */
    public long readCount() {
        long n = readLen();
        if (n < 0 || n > remaining()) throw eof();
        return n;
    }

    /** rdbGenericLoadStringObject: a string in any of its encodings, as bytes. */
    public byte[] readString() {
        long len = readLenOrEncoding();
        if (encoded) {
            switch ((int) len) {
                case Rdb.ENC_INT8 -> {
                    return io.larder.util.Numbers.longBytes((byte) readByte());
                }
                case Rdb.ENC_INT16 -> {
                    int v = readByte() | readByte() << 8;
                    return io.larder.util.Numbers.longBytes((short) v);
                }
                case Rdb.ENC_INT32 -> {
                    return io.larder.util.Numbers.longBytes(readIntLE());
                }
                case Rdb.ENC_LZF -> {
                    return readLzf();
                }
                default -> throw corrupt("Unknown RDB string encoding type " + len);
            }
        }
        return readBytes(len);
    }

    private byte[] readLzf() {
        long clen = readLen();
        long len = readLen();
        int c = checkedLength(clen);
        // LZF expands at most ~130 times (a 2-byte back reference copies up to 264 bytes).
        if (len < 0 || len > (long) c * 132 + 64) throw corrupt("Invalid LZF compressed string");
        if (len > Integer.MAX_VALUE - 16) throw corrupt("Value too large for Larder (" + len + " bytes)");
        byte[] out = new byte[(int) len];
        int n;
        if (limit - pos >= c || fill(c)) {
            n = Lzf.decompress(buf, pos, c, out, 0, out.length);
            pos += c;
        } else {
            throw eof();
        }
        if (n != len) throw corrupt("Invalid LZF compressed string");
        return out;
    }

    /** rdbLoadMillisecondTime. */
    public long readMillis() {
        return readLongLE();
    }

    /** rdbLoadBinaryDoubleValue. */
    public double readBinaryDouble() {
        return Double.longBitsToDouble(readLongLE());
    }

    /** rdbLoadBinaryFloatValue. */
    public float readBinaryFloat() {
        return Float.intBitsToFloat(readIntLE());
    }

    /** rdbLoadDoubleValue: the old textual double of RDB_TYPE_ZSET. */
    public double readTextDouble() {
        int len = readByte();
        switch (len) {
            case 255 -> {
                return Double.NEGATIVE_INFINITY;
            }
            case 254 -> {
                return Double.POSITIVE_INFINITY;
            }
            case 253 -> {
                return Double.NaN;
            }
            default -> {
                byte[] b = readBytes(len);
                String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).strip();
                try {
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw corrupt("Invalid double value");
                }
            }
        }
    }
}
