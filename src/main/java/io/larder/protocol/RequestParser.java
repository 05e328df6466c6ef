package io.larder.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Incremental RESP request parser over a client's query buffer, with Redis's
 * exact rules (networking.c: processMultibulkBuffer and
 * processInlineBuffer): multibulk or inline requests, lines found by their
 * '\r', counts parsed with string2ll, the same limits and the same error
 * texts. Nothing is allocated from a length the client announced: the buffer
 * grows only as bytes actually arrive.
 */
public final class RequestParser {
    /** Redis's PROTO_INLINE_MAX_SIZE: longest inline request or count line. */
    public static final int INLINE_MAX = 64 * 1024;
    private static final int INITIAL = 16 * 1024;
    /** Above this the buffer is given back once it is empty again. */
    private static final int SHRINK_ABOVE = 256 * 1024;

    private byte[] q = new byte[INITIAL];
    private int rpos; // start of unparsed data
    private int wpos; // end of received data

    // State of a multibulk request in progress.
    private int multibulkLen; // arguments still to read; 0 = not inside a multibulk
    private long bulkLen = -1; // length of the bulk being read, -1 = reading its header
    private boolean inMultibulk;
    private final Args args = new Args();

    private long maxBulkLen = 512L * 1024 * 1024;
    private boolean authenticated = true;

    public void setMaxBulkLen(long v) {
        this.maxBulkLen = v;
    }

    /** Unauthenticated clients get Redis's tighter limits on announced sizes. */
    public void setAuthenticated(boolean a) {
        this.authenticated = a;
    }

    /** Bytes received and not yet consumed (client-query-buffer-limit, CLIENT LIST qbuf). */
    public int pending() {
        return wpos - rpos;
    }

    public int capacity() {
        return q.length;
    }

    /** Appends received bytes to the query buffer. */
    public void append(ByteBuf in) {
        int n = in.readableBytes();
        ensureRoom(n);
        in.readBytes(q, wpos, n);
        wpos += n;
    }

    public void append(byte[] b, int off, int n) {
        ensureRoom(n);
        System.arraycopy(b, off, q, wpos, n);
        wpos += n;
    }

    private void ensureRoom(int n) {
        if (q.length - wpos >= n) return;
        // Slide unconsumed bytes (and the partial request) to the front first.
        int start = partialStart();
        int live = wpos - start;
        if (start > 0 && q.length - live >= n && start >= live) {
            System.arraycopy(q, start, q, 0, live);
            moved(start);
            return;
        }
        long need = (long) live + n;
        long cap = q.length;
        while (cap < need) cap *= 2;
        if (cap > Integer.MAX_VALUE - 16) cap = Integer.MAX_VALUE - 16;
        if (cap < need) throw new OutOfMemoryError("query buffer");
        byte[] nq = new byte[(int) cap];
        System.arraycopy(q, start, nq, 0, live);
        q = nq;
        moved(start);
    }

    /** Where the data that must be kept begins: the current partial request, if any. */
    private int partialStart() {
        if (inMultibulk && args.argc > 0) return Math.min(rpos, args.off[0]);
        return rpos;
    }

    private void moved(int delta) {
        if (delta == 0) return;
        rpos -= delta;
        wpos -= delta;
        if (inMultibulk) args.shift(delta);
    }

    /** Releases a large buffer when nothing is pending (after big requests). */
    public void trim() {
        if (rpos == wpos && !inMultibulk) {
            rpos = wpos = 0;
            if (q.length > SHRINK_ABOVE) q = new byte[INITIAL];
        }
    }

    /**
     * Parses the next complete request. Returns it, or null when more bytes
     * are needed. The returned Args is valid until the next call.
     */
    public Args next() throws ProtocolException {
        while (rpos < wpos) {
            if (inMultibulk) return continueMultibulk();
            Args a = q[rpos] == '*' ? startMultibulk() : inline();
            if (a != EMPTY) return a;
        }
        if (!inMultibulk) rpos = wpos = 0;
        return null;
    }

    private static final Args EMPTY = new Args(1);

    private int findCr(int from) {
        for (int i = from; i < wpos; i++) {
            if (q[i] == '\r') return i;
        }
        return -1;
    }

    private Args startMultibulk() throws ProtocolException {
        int cr = findCr(rpos);
        if (cr < 0) {
            if (wpos - rpos > INLINE_MAX) throw new ProtocolException("too big mbulk count string");
            return null;
        }
        // Redis needs the byte after '\r' to be present too.
        if (cr + 1 >= wpos) return null;
        long ll = parseCount(rpos + 1, cr);
        if (ll == BAD || ll > Integer.MAX_VALUE) throw new ProtocolException("invalid multibulk length");
        // Redis 7.0.15: before AUTH a request may carry at most 10 arguments.
        if (!authenticated && ll > 10) throw new ProtocolException("unauthenticated multibulk length");
        rpos = cr + 2;
        if (ll <= 0) return EMPTY;
        multibulkLen = (int) ll;
        bulkLen = -1;
        inMultibulk = true;
        args.reset(q);
        return continueMultibulk();
    }

    private Args continueMultibulk() throws ProtocolException {
        while (multibulkLen > 0) {
            if (bulkLen == -1) {
                int cr = findCr(rpos);
                if (cr < 0) {
                    if (wpos - rpos > INLINE_MAX) throw new ProtocolException("too big bulk count string");
                    return null;
                }
                if (cr + 1 >= wpos) return null;
                if (q[rpos] != '$') {
                    throw new ProtocolException("expected '$', got '" + (char) (q[rpos] & 0xFF) + "'");
                }
                long ll = parseCount(rpos + 1, cr);
                if (ll == BAD || ll < 0 || (authenticated && ll > maxBulkLen)) {
                    throw new ProtocolException("invalid bulk length");
                }
                if (!authenticated && ll > 16384) throw new ProtocolException("unauthenticated bulk length");
                rpos = cr + 2;
                bulkLen = ll;
            }
            if (wpos - rpos < bulkLen + 2) return null;
            args.buf = q;
            args.add(rpos, (int) bulkLen);
            rpos += (int) bulkLen + 2;
            bulkLen = -1;
            multibulkLen--;
        }
        inMultibulk = false;
        return args;
    }

    private static final long BAD = Long.MIN_VALUE;

    /** string2ll over q[from, to), or BAD. */
    private long parseCount(int from, int to) {
        try {
            return io.larder.util.Numbers.parseLong(q, from, to - from);
        } catch (io.larder.util.Numbers.Invalid e) {
            return BAD;
        }
    }

    private byte[] inlineBuf = new byte[256];

    private Args inline() throws ProtocolException {
        int nl = -1;
        for (int i = rpos; i < wpos; i++) {
            if (q[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) {
            if (wpos - rpos > INLINE_MAX) throw new ProtocolException("too big inline request");
            return null;
        }
        int end = nl;
        if (end > rpos && q[end - 1] == '\r') end--;
        int start = rpos;
        rpos = nl + 1;
        List<int[]> spans = new ArrayList<>();
        if (inlineBuf.length < end - start) inlineBuf = new byte[end - start];
        if (!splitArgs(q, start, end, inlineBuf, spans)) {
            throw new ProtocolException("unbalanced quotes in request");
        }
        if (spans.isEmpty()) return EMPTY;
        args.reset(inlineBuf);
        for (int[] s : spans) args.add(s[0], s[1]);
        return args;
    }

    /**
     * Redis's sdssplitargs: whitespace-separated arguments, "double quoted"
     * with \xHH, \n, \r, \t, \b, \a escapes, 'single quoted' with \' only; a
     * closing quote must be followed by a space or the end. Unescaped bytes go
     * to out; spans receive (offset, length) pairs into out.
     */
    public static boolean splitArgs(byte[] in, int from, int to, byte[] out, List<int[]> spans) {
        int p = from, w = 0;
        while (true) {
            while (p < to && isSpace(in[p])) p++;
            if (p >= to) return true;
            boolean inq = false, insq = false, done = false;
            int start = w;
            while (!done) {
                if (inq) {
                    if (p >= to) return false;
                    byte c = in[p];
                    if (c == '\\' && p + 3 < to && in[p + 1] == 'x' && isHex(in[p + 2]) && isHex(in[p + 3])) {
                        out[w++] = (byte) (hex(in[p + 2]) * 16 + hex(in[p + 3]));
                        p += 3;
                    } else if (c == '\\' && p + 1 < to) {
                        p++;
                        byte e = in[p];
                        out[w++] = switch (e) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> e;
                        };
                    } else if (c == '"') {
                        if (p + 1 < to && !isSpace(in[p + 1])) return false;
                        done = true;
                    } else {
                        out[w++] = c;
                    }
                } else if (insq) {
                    if (p >= to) return false;
                    byte c = in[p];
                    if (c == '\\' && p + 1 < to && in[p + 1] == '\'') {
                        p++;
                        out[w++] = '\'';
                    } else if (c == '\'') {
                        if (p + 1 < to && !isSpace(in[p + 1])) return false;
                        done = true;
                    } else {
                        out[w++] = c;
                    }
                } else {
                    if (p >= to) {
                        done = true;
                        break;
                    }
                    byte c = in[p];
                    switch (c) {
                        case ' ', '\n', '\r', '\t' -> done = true;
                        case 0 -> {
                            // A NUL ends a C string: Redis stops splitting here.
                            if (w > start) spans.add(new int[] {start, w - start});
                            return true;
                        }
                        case '"' -> inq = true;
                        case '\'' -> insq = true;
                        default -> out[w++] = c;
                    }
                }
                if (p < to) p++;
            }
            spans.add(new int[] {start, w - start});
        }
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    private static boolean isHex(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return c - 'A' + 10;
    }

    /** Splits a config-file line the way Redis does; null on unbalanced quotes. */
    public static List<String> splitLine(String line) {
        byte[] in = line.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[in.length];
        List<int[]> spans = new ArrayList<>();
        if (!splitArgs(in, 0, in.length, out, spans)) return null;
        List<String> r = new ArrayList<>(spans.size());
        for (int[] s : spans) r.add(new String(out, s[0], s[1], StandardCharsets.ISO_8859_1));
        return r;
    }
}
