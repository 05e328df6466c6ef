package io.larder.protocol;

import io.larder.store.KeyHash;
import io.larder.util.Numbers;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The arguments of one command: views (offset, length) into a byte buffer,
 * normally the client's query buffer, so parsing allocates nothing per
 * argument. An {@code Args} from the parser is valid only while its command
 * executes; code that keeps arguments (MULTI queue, blocked clients,
 * SLOWLOG, propagation) takes a {@link #copy()}.
 *
 * <p>Strings made from arguments use ISO-8859-1, which maps every byte to
 * one char and back, so binary data survives a round trip through a String.
 */
public final class Args {
    byte[] buf;
    int[] off;
    int[] len;
    int argc;
    private long[] hashes;
    private long hashedMask; // bit i set: hashes[i] valid (first 64 args)

    public Args() {
        this(8);
    }

    Args(int capacity) {
        off = new int[capacity];
        len = new int[capacity];
    }

    /** Builds arguments from byte arrays (scripts, internal commands, tests). */
    public static Args of(byte[]... parts) {
        int total = 0;
        for (byte[] p : parts) total += p.length;
        Args a = new Args(Math.max(1, parts.length));
        a.buf = new byte[total];
        int pos = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, a.buf, pos, p.length);
            a.off[a.argc] = pos;
            a.len[a.argc] = p.length;
            a.argc++;
            pos += p.length;
        }
        return a;
    }

    public static Args of(String... parts) {
        byte[][] b = new byte[parts.length][];
        for (int i = 0; i < parts.length; i++) b[i] = parts[i].getBytes(StandardCharsets.ISO_8859_1);
        return of(b);
    }

    void reset(byte[] buffer) {
        this.buf = buffer;
        this.argc = 0;
        this.hashedMask = 0;
    }

    void add(int offset, int length) {
        if (argc == off.length) {
            int n = off.length * 2;
            off = Arrays.copyOf(off, n);
            len = Arrays.copyOf(len, n);
        }
        off[argc] = offset;
        len[argc] = length;
        argc++;
    }

    void shift(int delta) {
        for (int i = 0; i < argc; i++) off[i] -= delta;
    }

    public int count() {
        return argc;
    }

    public byte[] buf() {
        return buf;
    }

    public int off(int i) {
        return off[i];
    }

    public int len(int i) {
        return len[i];
    }

    public byte[] bytes(int i) {
        return Arrays.copyOfRange(buf, off[i], off[i] + len[i]);
    }

    public String str(int i) {
        return new String(buf, off[i], len[i], StandardCharsets.ISO_8859_1);
    }

    /** The keyed hash of argument i, computed once per command. */
    public long hash(int i) {
        if (i < 64) {
            if ((hashedMask & (1L << i)) != 0 && hashes != null) return hashes[i];
        }
        long h = KeyHash.hash(buf, off[i], len[i]);
        if (i < 64) {
            if (hashes == null || hashes.length < argc) hashes = new long[Math.max(8, argc)];
            if (i < hashes.length) {
                hashes[i] = h;
                hashedMask |= 1L << i;
            }
        }
        return h;
    }

    /** ASCII case-insensitive comparison with a token such as "EX". */
    public boolean is(int i, String token) {
        int n = len[i];
        if (n != token.length()) return false;
        int o = off[i];
        for (int k = 0; k < n; k++) {
            int c = buf[o + k];
            int t = token.charAt(k);
            if (c != t) {
                if ((c | 0x20) != (t | 0x20) || !Character.isLetter(t)) return false;
            }
        }
        return true;
    }

    public boolean equals(int i, int j) {
        return Arrays.equals(buf, off[i], off[i] + len[i], buf, off[j], off[j] + len[j]);
    }

    public boolean equals(int i, byte[] other) {
        return Arrays.equals(buf, off[i], off[i] + len[i], other, 0, other.length);
    }

    /** Redis's string2ll on argument i. @throws Numbers.Invalid */
    public long longAt(int i) {
        return Numbers.parseLong(buf, off[i], len[i]);
    }

    /** Redis's strtod rules on argument i. @throws Numbers.Invalid */
    public double doubleAt(int i) {
        return Numbers.parseDouble(buf, off[i], len[i]);
    }

    /** The command name, lower-cased, as Redis prints it in errors. */
    public String lowerName() {
        return str(0).toLowerCase(java.util.Locale.ROOT);
    }

    /** An independent copy with its own compact buffer. */
    public Args copy() {
        int total = 0;
        for (int i = 0; i < argc; i++) total += len[i];
        Args a = new Args(Math.max(1, argc));
        a.buf = new byte[total];
        int pos = 0;
        for (int i = 0; i < argc; i++) {
            System.arraycopy(buf, off[i], a.buf, pos, len[i]);
            a.off[i] = pos;
            a.len[i] = len[i];
            pos += len[i];
        }
        a.argc = argc;
        return a;
    }

    /** A copy of arguments [from, argc) (e.g. the command inside another). */
    public Args slice(int from) {
        Args a = new Args(Math.max(1, argc - from));
        a.buf = buf;
        for (int i = from; i < argc; i++) a.add(off[i], len[i]);
        return a;
    }

    public byte[][] toArray() {
        byte[][] r = new byte[argc][];
        for (int i = 0; i < argc; i++) r[i] = bytes(i);
        return r;
    }

    /** Total bytes of all arguments (for query-buffer accounting). */
    public long totalLength() {
        long t = 0;
        for (int i = 0; i < argc; i++) t += len[i];
        return t;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < argc; i++) {
            if (i > 0) b.append(' ');
            b.append('"').append(str(i)).append('"');
        }
        return b.toString();
    }
}
