package io.larder.protocol;

import io.larder.util.Numbers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * Writes replies in RESP2 or RESP3 (per the client's HELLO) straight into the
 * outgoing buffer. Families describe replies by meaning (map, set, double,
 * null); the protocol version decides the bytes, as Redis's addReply* do.
 */
public final class Reply {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] OK = ascii("+OK\r\n");
    private static final byte[] NULL_BULK = ascii("$-1\r\n");
    private static final byte[] NULL_ARRAY = ascii("*-1\r\n");
    private static final byte[] NULL3 = ascii("_\r\n");
    private static final byte[] EMPTY_ARRAY = ascii("*0\r\n");
    private static final byte[] EMPTY_SET3 = ascii("~0\r\n");
    private static final byte[] EMPTY_MAP3 = ascii("%0\r\n");
    private static final byte[] TRUE3 = ascii("#t\r\n");
    private static final byte[] FALSE3 = ascii("#f\r\n");
    private static final byte[][] SMALL_INTS = new byte[64][];

    static {
        for (int i = 0; i < SMALL_INTS.length; i++) SMALL_INTS[i] = ascii(":" + i + "\r\n");
    }

    /** Receives every error reply (INFO errorstats, failed_calls). */
    public interface ErrorListener {
        void onError(String message);
    }

    private final ByteBufAllocator alloc;
    private ByteBuf out;
    private int resp = 2;
    private ErrorListener errors;
    private final byte[] scratch = new byte[24];
    private final ArrayDeque<ByteBuf> deferred = new ArrayDeque<>();
    /** Error replies written so far (a command failed if it grew: commandstats failed_calls). */
    private long errorCount;
    /** When false (CLIENT REPLY OFF/SKIP) replies are discarded. */
    private boolean enabled = true;

    public Reply(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    public void setErrorListener(ErrorListener l) {
        this.errors = l;
    }

    public int resp() {
        return resp;
    }

    public void setResp(int v) {
        this.resp = v;
    }

    public long errorCount() {
        return errorCount;
    }

    public boolean isResp3() {
        return resp == 3;
    }

    public void setEnabled(boolean e) {
        this.enabled = e;
    }

    public boolean enabled() {
        return enabled;
    }

    /** The buffer replies are written to, allocated on first use. */
    public ByteBuf buffer() {
        ByteBuf b = out;
        if (b == null) {
            b = out = alloc.ioBuffer(256);
        }
        return b;
    }

    /** Hands over what was written so far (null if nothing) and starts afresh. */
    public ByteBuf take() {
        ByteBuf b = out;
        out = null;
        return b;
    }

    /**
     * Takes back a buffer whose bytes were all written to the socket, to be
     * reused for the next replies instead of allocating a new one.
     */
    public void recycle(ByteBuf b) {
        if (out == null && b.capacity() <= 64 * 1024) {
            b.clear();
            out = b;
        } else {
            b.release();
        }
    }

    public boolean hasPending() {
        return out != null && out.isReadable();
    }

    /** Diverts writes into a private buffer (for captured replies); returns the previous one. */
    public ByteBuf redirect(ByteBuf target) {
        ByteBuf prev = out;
        out = target;
        return prev;
    }

    /**
     * Thrown when one batch of replies outgrows {@link #setOutputCap}: the
     * client is disconnected (as Redis does past an output-buffer limit), and
     * the command producing the output stops instead of running away.
     */
    public static final class OverflowException extends RuntimeException {
        OverflowException() {
            super("reply exceeds the output buffer limit", null, false, false);
        }
    }

    private static final OverflowException OVERFLOW = new OverflowException();
    private long outputCap = 1L << 30;

    /** The most reply bytes a client may have pending before it is cut off. */
    public void setOutputCap(long cap) {
        this.outputCap = cap;
    }

    private ByteBuf w() {
        if (!enabled) {
            ByteBuf sink = discard;
            sink.clear();
            return sink;
        }
        ByteBuf b = buffer();
        if (b.writerIndex() > outputCap) throw OVERFLOW;
        return b;
    }

    private final ByteBuf discard = Unpooled.buffer(0, 1 << 30);

    public void raw(byte[] b) {
        w().writeBytes(b);
    }

    public void raw(ByteBuf b) {
        w().writeBytes(b, b.readerIndex(), b.readableBytes());
    }

    public void ok() {
        w().writeBytes(OK);
    }

    public void simple(String s) {
        ByteBuf b = w();
        b.writeByte('+');
        b.writeCharSequence(s, StandardCharsets.ISO_8859_1);
        b.writeBytes(CRLF);
    }

    /**
     * An error reply. {@code message} starts with the error code (ERR,
     * WRONGTYPE, ...); newlines are replaced by spaces as Redis does so the
     * protocol stays intact.
     */
    public void error(String message) {
        errorCount++;
        if (errors != null) errors.onError(message);
        ByteBuf b = w();
        b.writeByte('-');
        if (message.indexOf('\r') >= 0 || message.indexOf('\n') >= 0) {
            message = message.replace('\r', ' ').replace('\n', ' ');
        }
        b.writeCharSequence(message, StandardCharsets.ISO_8859_1);
        b.writeBytes(CRLF);
    }

    /**
     * An error reply that is not counted in the error statistics: one
     * already counted when it happened (a script returning the error of a
     * command it ran, Redis's ERR_REPLY_FLAG_NO_STATS_UPDATE).
     */
    public void errorUncounted(String message) {
        ByteBuf b = w();
        b.writeByte('-');
        if (message.indexOf('\r') >= 0 || message.indexOf('\n') >= 0) {
            message = message.replace('\r', ' ').replace('\n', ' ');
        }
        b.writeCharSequence(message, StandardCharsets.ISO_8859_1);
        b.writeBytes(CRLF);
    }

    public void integer(long v) {
        ByteBuf b = w();
        if (v >= 0 && v < SMALL_INTS.length) {
            b.writeBytes(SMALL_INTS[(int) v]);
            return;
        }
        b.writeByte(':');
        writeLong(b, v);
        b.writeBytes(CRLF);
    }

    private void writeLong(ByteBuf b, long v) {
        int n = Numbers.longToAscii(v, scratch, 0);
        b.writeBytes(scratch, 0, n);
    }

    private void header(char type, long n) {
        ByteBuf b = w();
        b.writeByte(type);
        writeLong(b, n);
        b.writeBytes(CRLF);
    }

    public void bulk(byte[] v) {
        bulk(v, 0, v.length);
    }

    public void bulk(byte[] v, int off, int len) {
        ByteBuf b = w();
        b.writeByte('$');
        writeLong(b, len);
        b.writeBytes(CRLF);
        b.writeBytes(v, off, len);
        b.writeBytes(CRLF);
    }

    public void bulk(String s) {
        bulk(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A bulk string holding the decimal form of v (Redis's addReplyBulkLongLong). */
    public void bulkLong(long v) {
        int n = Numbers.longToAscii(v, scratch, 0);
        ByteBuf b = w();
        b.writeByte('$');
        // Not writeLong: it would overwrite the digits in scratch. n is at most 20.
        if (n >= 10) b.writeByte('0' + n / 10);
        b.writeByte('0' + n % 10);
        b.writeBytes(CRLF);
        b.writeBytes(scratch, 0, n);
        b.writeBytes(CRLF);
    }

    /** The null bulk string: $-1 in RESP2, _ in RESP3. */
    public void nullBulk() {
        w().writeBytes(resp == 3 ? NULL3 : NULL_BULK);
    }

    /** The null array: *-1 in RESP2, _ in RESP3. */
    public void nullArray() {
        w().writeBytes(resp == 3 ? NULL3 : NULL_ARRAY);
    }

    public void array(long n) {
        if (n == 0) {
            w().writeBytes(EMPTY_ARRAY);
            return;
        }
        header('*', n);
    }

    public void emptyArray() {
        w().writeBytes(EMPTY_ARRAY);
    }

    /** A map of n pairs: %n in RESP3, a flat array of 2n in RESP2. */
    public void map(long n) {
        if (resp == 3) {
            if (n == 0) w().writeBytes(EMPTY_MAP3);
            else header('%', n);
        } else {
            array(n * 2);
        }
    }

    /** A set of n elements: ~n in RESP3, an array in RESP2. */
    public void set(long n) {
        if (resp == 3) {
            if (n == 0) w().writeBytes(EMPTY_SET3);
            else header('~', n);
        } else {
            array(n);
        }
    }

    /** An out-of-band push message header: >n in RESP3, an array in RESP2. */
    public void push(long n) {
        if (resp == 3) header('>', n);
        else array(n);
    }

    /** A double: ,d in RESP3, a bulk string in RESP2 (formatted as Redis's %.17g). */
    public void doubleValue(double d) {
        if (resp == 3) {
            ByteBuf b = w();
            b.writeByte(',');
            b.writeCharSequence(Numbers.formatDouble(d), StandardCharsets.ISO_8859_1);
            b.writeBytes(CRLF);
        } else {
            bulk(Numbers.formatDouble(d));
        }
    }

    /**
     * A double already printed by the caller (Redis's addReplyHumanLongDouble:
     * GEOPOS coordinates): ,text in RESP3, a bulk string in RESP2.
     */
    public void doubleText(String text) {
        if (resp == 3) {
            ByteBuf b = w();
            b.writeByte(',');
            b.writeCharSequence(text, StandardCharsets.ISO_8859_1);
            b.writeBytes(CRLF);
        } else {
            bulk(text);
        }
    }

    public void bool(boolean v) {
        if (resp == 3) w().writeBytes(v ? TRUE3 : FALSE3);
        else integer(v ? 1 : 0);
    }

    /** Verbatim string (RESP3 "=len\r\ntxt:..."), a bulk string in RESP2. */
    public void verbatim(String text, String format) {
        if (resp == 3) {
            byte[] body = text.getBytes(StandardCharsets.ISO_8859_1);
            ByteBuf b = w();
            b.writeByte('=');
            writeLong(b, body.length + 4);
            b.writeBytes(CRLF);
            b.writeCharSequence(format + ":", StandardCharsets.ISO_8859_1);
            b.writeBytes(body);
            b.writeBytes(CRLF);
        } else {
            bulk(text);
        }
    }

    public void bigNumber(String digits) {
        if (resp == 3) {
            ByteBuf b = w();
            b.writeByte('(');
            b.writeCharSequence(digits, StandardCharsets.ISO_8859_1);
            b.writeBytes(CRLF);
        } else {
            bulk(digits);
        }
    }

    /** Bulk strings from Strings (Latin-1). */
    public void bulkArray(java.util.List<String> items) {
        array(items.size());
        for (String s : items) bulk(s);
    }

    /**
     * Starts a reply whose element count is known only at the end (Redis's
     * addReplyDeferredLen). Elements written until {@link #endArray} go to a
     * side buffer.
     */
    public void beginDeferred() {
        deferred.push(buffer()); // ArrayDeque takes no null: start the outer buffer now
        out = alloc.heapBuffer(256);
    }

    /** True while a reply whose length comes at the end is being written (its elements go to a side buffer). */
    public boolean inDeferred() {
        return !deferred.isEmpty();
    }

    /** Ends a deferred reply as an array of n elements. */
    public void endArray(long n) {
        endDeferred('*', n);
    }

    public void endMap(long pairs) {
        if (resp == 3) endDeferred('%', pairs);
        else endDeferred('*', pairs * 2);
    }

    public void endSet(long n) {
        endDeferred(resp == 3 ? '~' : '*', n);
    }

    private void endDeferred(char type, long n) {
        ByteBuf body = out;
        out = deferred.pop();
        try {
            if (n == 0 && type == '*') w().writeBytes(EMPTY_ARRAY);
            else header(type, n);
            w().writeBytes(body);
        } finally {
            body.release();
        }
    }
}
