package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.config.KeyspaceEvents;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.server.LarderServer;
import io.larder.store.Database;
import io.larder.store.Entries;
import io.larder.store.ValueType;
import io.larder.store.zset.SortedSet;
import io.larder.store.zset.ZCursor;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * SORT and SORT_RO (Redis's sort.c) over lists, sets and sorted sets: BY
 * (a constant pattern means "don't sort"), LIMIT, GET (several, "#", hash
 * fields with "->"), ASC/DESC, ALPHA and STORE into a list.
 *
 * <p>Atomicity: BY and GET patterns name keys that are only known while the
 * command runs, so no lock set can be computed up front. A SORT whose
 * arguments contain such a pattern ({@link #readsPatternKeys}) is therefore
 * registered to run exclusive (the whole keyspace to itself); the plain
 * forms lock only the sorted key and the STORE key, found as Redis's
 * sortGetKeys finds them.
 */
public final class SortCommands {
    private final LarderServer server;
    /** list-max-listpack-size, for the lists STORE creates. */
    private volatile int listFill;

    public SortCommands(LarderServer server) {
        this.server = server;
        server.config().watch("list-max-listpack-size", p -> listFill = Integer.parseInt(p.get()));
    }

    public void register(CommandTable t) {
        t.add("sort", c -> sort(c, false)).keys(SortCommands::sortKeys).exclusiveWhen(a -> readsPatternKeys(a, false));
        t.add("sort_ro", c -> sort(c, true)).exclusiveWhen(a -> readsPatternKeys(a, true));
    }

    // ------------------------------------------------------------ keys and exclusivity

    /**
     * Redis's sortGetKeys: the sorted key, and the last STORE's key. Options
     * are skipped by their known argument counts; unknown words are taken to
     * have none.
     */
    static int sortKeys(Args a, int[] out) {
        int n = 0;
        out[n++] = 1;
        int store = -1;
        for (int i = 2; i < a.count(); i++) {
            if (a.is(i, "limit")) i += 2;
            else if (a.is(i, "get") || a.is(i, "by")) i += 1;
            else if (a.is(i, "store") && i + 1 < a.count()) store = i + 1;
        }
        if (store > 0) out[n++] = store;
        return n;
    }

    /**
     * True when the options, read exactly as {@link #parse} reads them, have
     * a BY or GET pattern that makes SORT look keys up (one with a '*' before
     * any NUL byte; "#" and constant patterns look nothing up).
     */
    static boolean readsPatternKeys(Args a, boolean readonly) {
        for (int j = 2; j < a.count(); j++) {
            int left = a.count() - j - 1;
            if (a.is(j, "asc") || a.is(j, "desc") || a.is(j, "alpha")) continue;
            if (a.is(j, "limit") && left >= 2) {
                j += 2;
            } else if (!readonly && a.is(j, "store") && left >= 1) {
                j++;
            } else if ((a.is(j, "by") || a.is(j, "get")) && left >= 1) {
                if (star(a.buf(), a.off(j + 1), a.len(j + 1)) >= 0) return true;
                j++;
            } else {
                return false; // a syntax error: nothing is looked up
            }
        }
        return false;
    }

    /** Offset of the first '*' of a pattern read as a C string, or -1 (strchr). */
    private static int star(byte[] b, int off, int len) {
        for (int i = off; i < off + len && b[i] != 0; i++) {
            if (b[i] == '*') return i;
        }
        return -1;
    }

    // ------------------------------------------------------------ SORT

    private static final CommandError NOT_DOUBLE = Errors.err("One or more scores can't be converted into double");

    /** One element being sorted: the element, and its weight (score or comparison bytes). */
    private static final class Item {
        final byte[] obj;
        double score;
        byte[] cmp;

        Item(byte[] obj) {
            this.obj = obj;
        }
    }

    void sort(CommandContext c, boolean readonly) {
        Args a = c.args();
        boolean desc = false, alpha = false, dontsort = false;
        long limitStart = 0, limitCount = -1;
        int storeIdx = -1, byIdx = -1;
        List<Integer> gets = new ArrayList<>();
        boolean cluster = server.keyspace().clusterMode();
        for (int j = 2; j < a.count(); j++) {
            int left = a.count() - j - 1;
            if (a.is(j, "asc")) {
                desc = false;
            } else if (a.is(j, "desc")) {
                desc = true;
            } else if (a.is(j, "alpha")) {
                alpha = true;
            } else if (a.is(j, "limit") && left >= 2) {
                limitStart = c.longArg(j + 1);
                limitCount = c.longArg(j + 2);
                j += 2;
            } else if (!readonly && a.is(j, "store") && left >= 1) {
                storeIdx = ++j;
            } else if (a.is(j, "by") && left >= 1) {
                byIdx = ++j;
                // A BY pattern without '*' is a constant: nothing to sort by.
                if (star(a.buf(), a.off(j), a.len(j)) < 0) dontsort = true;
                else if (cluster) throw Errors.err("BY option of SORT denied in Cluster mode.");
            } else if (a.is(j, "get") && left >= 1) {
                if (cluster) throw Errors.err("GET option of SORT denied in Cluster mode.");
                gets.add(++j);
            } else {
                throw Errors.SYNTAX;
            }
        }
        Database db = c.db();
        Object src = c.read(db, 1);
        int type = src == null ? ValueType.LIST : Entries.type(src);
        if (type != ValueType.SET && type != ValueType.LIST && type != ValueType.ZSET) throw Errors.WRONGTYPE;
        SortSource source = SortSource.of(src);
        // A set has no order of its own: unsorted output that is stored is
        // sorted alphabetically so it is the same everywhere it is replicated.
        // (Redis does the same inside scripts; that joins here with scripting.)
        if (dontsort && type == ValueType.SET && storeIdx >= 0) {
            dontsort = false;
            alpha = true;
            byIdx = -1;
        }
        // Redis converts a listpack-encoded sorted set for good before sorting it.
        if (src instanceof SortedSet z && z.isPacked()) {
            z.convertToTree();
            db.updated(c.lookup());
        }
        int vectorlen = source.size();
        long start = Math.min(Math.max(limitStart, 0), vectorlen);
        long count = Math.min(Math.max(limitCount, -1), vectorlen);
        long end = count < 0 ? vectorlen - 1 : start + count - 1;
        if (start >= vectorlen) {
            start = vectorlen - 1;
            end = vectorlen - 2;
        }
        if (end >= vectorlen) end = vectorlen - 1;

        List<Item> items = new ArrayList<>();
        if (dontsort && type != ValueType.SET) {
            // Lists and sorted sets have an order: read just the range, in direction.
            if (end >= start) source.range((int) start, (int) (end - start + 1), desc, b -> items.add(new Item(b)));
            end -= start;
            start = 0;
        } else {
            source.all(b -> items.add(new Item(b)));
        }

        boolean conversionError = false;
        if (!dontsort) {
            for (Item it : items) {
                byte[] by;
                if (byIdx >= 0) {
                    by = lookupByPattern(c, db, a, byIdx, it.obj);
                    if (by == null) continue;
                } else {
                    by = it.obj;
                }
                if (alpha) {
                    if (byIdx >= 0) it.cmp = by;
                } else {
                    double s = sortScore(by);
                    if (Double.isNaN(s)) conversionError = true;
                    else it.score = s;
                }
            }
            items.sort(comparator(alpha, byIdx >= 0, storeIdx >= 0, desc));
        }

        long outputlen = gets.isEmpty() ? end - start + 1 : (long) gets.size() * (end - start + 1);
        if (conversionError) throw NOT_DOUBLE;
        if (storeIdx < 0) {
            Reply r = c.reply();
            r.array(outputlen);
            for (long j = start; j <= end; j++) {
                Item it = items.get((int) j);
                if (gets.isEmpty()) r.bulk(it.obj);
                for (int g : gets) {
                    byte[] v = lookupByPattern(c, db, a, g, it.obj);
                    if (v == null) r.nullBulk();
                    else r.bulk(v);
                }
            }
            return;
        }
        List<byte[]> out = new ArrayList<>();
        for (long j = start; j <= end; j++) {
            Item it = items.get((int) j);
            if (gets.isEmpty()) out.add(it.obj);
            for (int g : gets) {
                byte[] v = lookupByPattern(c, db, a, g, it.obj);
                out.add(v == null ? new byte[0] : v);
            }
        }
        if (outputlen > 0) {
            SortTypes.storeList(c, db, storeIdx, out, listFill);
            c.notify(KeyspaceEvents.LIST, "sortstore", db, storeIdx);
            c.dirty(outputlen);
        } else if (c.write(db, storeIdx) != null) {
            db.remove(c.lookup());
            c.keyModified(db, storeIdx);
            c.notify(KeyspaceEvents.GENERIC, "del", db, storeIdx);
            c.dirty(1);
        }
        c.reply().integer(outputlen);
    }

    /**
     * sortCompare. Numeric: by score, ties by the elements' bytes. ALPHA:
     * the BY values (missing ones first) or the elements themselves, as
     * bytes; Redis uses strcoll without STORE, which under the C and C.UTF-8
     * locales compares as strcmp, i.e. only up to a NUL byte.
     */
    private static Comparator<Item> comparator(boolean alpha, boolean byPattern, boolean store, boolean desc) {
        Comparator<Item> cmp;
        if (!alpha) {
            cmp = (x, y) -> x.score > y.score ? 1 : x.score < y.score ? -1 : Arrays.compareUnsigned(x.obj, y.obj);
        } else {
            Comparator<byte[]> bytes = store ? Arrays::compareUnsigned : SortCommands::strcmp;
            if (byPattern) {
                cmp = (x, y) -> {
                    if (x.cmp == null || y.cmp == null) {
                        if (x.cmp == y.cmp) return 0;
                        return x.cmp == null ? -1 : 1;
                    }
                    return bytes.compare(x.cmp, y.cmp);
                };
            } else {
                cmp = (x, y) -> bytes.compare(x.obj, y.obj);
            }
        }
        return desc ? cmp.reversed() : cmp;
    }

    /** C's strcmp on byte arrays read as C strings. */
    static int strcmp(byte[] x, byte[] y) {
        int n = Math.min(x.length, y.length);
        for (int i = 0; i < n; i++) {
            int a = x[i] & 0xFF, b = y[i] & 0xFF;
            if (a != b) return a - b;
            if (a == 0) return 0;
        }
        int a = x.length > n ? x[n] & 0xFF : 0;
        int b = y.length > n ? y[n] & 0xFF : 0;
        return a - b;
    }

    /**
     * The weight of a value for numeric SORT, or NaN when Redis refuses it:
     * strtod on the value as a C string must consume everything and report
     * no range error (overflow, underflow to zero, or an inexact subnormal,
     * which glibc flags too) and must not give NaN. Leading white space is
     * skipped, and an empty string is 0.
     */
    static double sortScore(byte[] v) {
        int end = 0;
        while (end < v.length && v[end] != 0) end++;
        int p = 0;
        while (p < end && (v[p] == ' ' || (v[p] >= '\t' && v[p] <= '\r'))) p++;
        if (end == 0) return 0;
        if (p == end) return Double.NaN;
        String s = new String(v, p, end - p, StandardCharsets.ISO_8859_1);
        Double d = io.larder.util.Numbers.strtod(s);
        if (d == null || d.isNaN() || rangeError(s, d)) return Double.NaN;
        return d;
    }

    private static boolean rangeError(String s, double d) {
        String t = s.toLowerCase(java.util.Locale.ROOT);
        if (Double.isInfinite(d)) return !(t.endsWith("inf") || t.endsWith("infinity"));
        if (d != 0 && Math.abs(d) >= Double.MIN_NORMAL) return false;
        boolean hex = t.startsWith("0x") || t.startsWith("+0x") || t.startsWith("-0x");
        if (d == 0) {
            // Zero from a literal with a non-zero digit underflowed.
            int stop = hex ? t.indexOf('p') : t.indexOf('e');
            if (stop < 0) stop = t.length();
            for (int i = hex ? t.indexOf('x') + 1 : 0; i < stop; i++) {
                char ch = t.charAt(i);
                if (ch >= '1' && ch <= '9' || (hex && ch >= 'a' && ch <= 'f')) return true;
            }
            return false;
        }
        if (hex) return false; // a subnormal hex literal is taken as exact
        try {
            return new BigDecimal(s.startsWith("+") ? s.substring(1) : s).compareTo(new BigDecimal(d)) != 0;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    /**
     * lookupKeyByPattern: "#" is the element itself; otherwise the first '*'
     * is replaced by the element and the key read (a string), or with
     * "key*->field" a hash field. Null when there is nothing to return.
     */
    private static byte[] lookupByPattern(CommandContext c, Database db, Args a, int patIdx, byte[] subst) {
        byte[] b = a.buf();
        int off = a.off(patIdx), len = a.len(patIdx);
        if (len >= 1 && b[off] == '#' && (len == 1 || b[off + 1] == 0)) return subst;
        int p = star(b, off, len);
        if (p < 0) return null;
        // "->" after the '*' (within the C string) followed by at least one byte starts a field name.
        int fieldStart = -1;
        for (int i = p + 1; i + 1 < off + len && b[i] != 0 && b[i + 1] != 0; i++) {
            if (b[i] == '-' && b[i + 1] == '>') {
                if (i + 2 < off + len && b[i + 2] != 0) fieldStart = i + 2;
                break;
            }
        }
        int fieldLen = fieldStart < 0 ? 0 : off + len - fieldStart;
        int prefix = p - off;
        int postfix = len - (prefix + 1) - (fieldLen > 0 ? fieldLen + 2 : 0);
        byte[] key = new byte[prefix + subst.length + postfix];
        System.arraycopy(b, off, key, 0, prefix);
        System.arraycopy(subst, 0, key, prefix, subst.length);
        System.arraycopy(b, p + 1, key, prefix + subst.length, postfix);
        Object e = c.readKey(db, key);
        if (e == null) return null;
        if (fieldLen > 0) {
            return SortSource.hashField(e, b, fieldStart, fieldLen);
        }
        if (Entries.type(e) != ValueType.STRING) return null;
        return Strings.value(e);
    }

    /** What SORT reads, whatever the type of the sorted key. */
    abstract static class SortSource {
        abstract int size();

        /** Every element (sets in their own order, lists and sorted sets in theirs). */
        abstract void all(java.util.function.Consumer<byte[]> out);

        /** count elements from position start, from the end when desc (lists and sorted sets). */
        abstract void range(int start, int count, boolean desc, java.util.function.Consumer<byte[]> out);

        static SortSource of(Object e) {
            if (e == null) return EMPTY;
            if (e instanceof SortedSet z) return new ZsetSource(z);
            return SortTypes.source(e);
        }

        /** A hash field's value for "->" patterns; null when the entry is no hash or lacks the field. */
        static byte[] hashField(Object e, byte[] f, int off, int len) {
            return SortTypes.hashField(e, f, off, len);
        }

        static final SortSource EMPTY = new SortSource() {
            @Override
            int size() {
                return 0;
            }

            @Override
            void all(java.util.function.Consumer<byte[]> out) {}

            @Override
            void range(int start, int count, boolean desc, java.util.function.Consumer<byte[]> out) {}
        };
    }

    private static final class ZsetSource extends SortSource {
        private final SortedSet z;

        ZsetSource(SortedSet z) {
            this.z = z;
        }

        @Override
        int size() {
            return z.size();
        }

        @Override
        void all(java.util.function.Consumer<byte[]> out) {
            z.forEach((b, off, len, s) -> out.accept(Arrays.copyOfRange(b, off, off + len)));
        }

        @Override
        void range(int start, int count, boolean desc, java.util.function.Consumer<byte[]> out) {
            ZCursor cur = z.cursor(desc ? z.size() - 1 - start : start);
            for (int i = 0; i < count && cur.valid(); i++) {
                out.accept(cur.member());
                if (desc) cur.prev();
                else cur.next();
            }
        }
    }
}
