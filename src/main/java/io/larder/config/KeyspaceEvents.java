package io.larder.config;

/**
 * The classes of keyspace notifications ({@code notify-keyspace-events}), with
 * Redis's flag letters and canonical string form.
 */
public final class KeyspaceEvents {
    private KeyspaceEvents() {}

    public static final int KEYSPACE = 1, KEYEVENT = 1 << 1, GENERIC = 1 << 2, STRING = 1 << 3, LIST = 1 << 4,
            SET = 1 << 5, HASH = 1 << 6, ZSET = 1 << 7, EXPIRED = 1 << 8, EVICTED = 1 << 9, STREAM = 1 << 10,
            KEY_MISS = 1 << 11, LOADED = 1 << 12, MODULE = 1 << 13, NEW = 1 << 14;
    public static final int ALL = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

    /** Flags from letters, or -1 for an unknown letter. */
    public static int parse(String s) {
        int f = 0;
        for (int i = 0; i < s.length(); i++) {
            switch (s.charAt(i)) {
                case 'A' -> f |= ALL;
                case 'g' -> f |= GENERIC;
                case '$' -> f |= STRING;
                case 'l' -> f |= LIST;
                case 's' -> f |= SET;
                case 'h' -> f |= HASH;
                case 'z' -> f |= ZSET;
                case 'x' -> f |= EXPIRED;
                case 'e' -> f |= EVICTED;
                case 'K' -> f |= KEYSPACE;
                case 'E' -> f |= KEYEVENT;
                case 't' -> f |= STREAM;
                case 'm' -> f |= KEY_MISS;
                case 'd' -> f |= MODULE;
                case 'n' -> f |= NEW;
                default -> {
                    return -1;
                }
            }
        }
        return f;
    }

    public static String format(int f) {
        StringBuilder b = new StringBuilder();
        if ((f & ALL) == ALL) {
            b.append('A');
        } else {
            if ((f & GENERIC) != 0) b.append('g');
            if ((f & STRING) != 0) b.append('$');
            if ((f & LIST) != 0) b.append('l');
            if ((f & SET) != 0) b.append('s');
            if ((f & HASH) != 0) b.append('h');
            if ((f & ZSET) != 0) b.append('z');
            if ((f & EXPIRED) != 0) b.append('x');
            if ((f & EVICTED) != 0) b.append('e');
            if ((f & STREAM) != 0) b.append('t');
            if ((f & MODULE) != 0) b.append('d');
            if ((f & NEW) != 0) b.append('n');
        }
        if ((f & KEYSPACE) != 0) b.append('K');
        if ((f & KEYEVENT) != 0) b.append('E');
        if ((f & KEY_MISS) != 0) b.append('m');
        return b.toString();
    }
}
