package io.larder.command;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Case-insensitive command-name lookup straight from the request bytes: an
 * open-addressing table keyed by the lower-cased ASCII name, so dispatch
 * allocates no String.
 */
final class CommandLookup {
    private byte[][] names = new byte[0][];
    private CommandSpec[] specs = new CommandSpec[0];
    private int mask;

    void build(Map<String, CommandSpec> byName) {
        int cap = Integer.highestOneBit(Math.max(4, byName.size() * 4) - 1) << 1;
        names = new byte[cap][];
        specs = new CommandSpec[cap];
        mask = cap - 1;
        for (Map.Entry<String, CommandSpec> e : byName.entrySet()) {
            byte[] n = e.getKey().getBytes(StandardCharsets.ISO_8859_1);
            int i = hash(n, 0, n.length) & mask;
            while (names[i] != null) i = (i + 1) & mask;
            names[i] = n;
            specs[i] = e.getValue();
        }
    }

    private static int lower(int c) {
        return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    }

    private static int hash(byte[] b, int off, int len) {
        int h = len;
        for (int i = 0; i < len; i++) h = h * 31 + lower(b[off + i]);
        return h ^ (h >>> 16);
    }

    CommandSpec find(byte[] b, int off, int len) {
        if (mask == 0) return null;
        int i = hash(b, off, len) & mask;
        while (true) {
            byte[] n = names[i];
            if (n == null) return null;
            if (n.length == len) {
                int k = 0;
                while (k < len && n[k] == lower(b[off + k])) k++;
                if (k == len) return specs[i];
            }
            i = (i + 1) & mask;
        }
    }
}
