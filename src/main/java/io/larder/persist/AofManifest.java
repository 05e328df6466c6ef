package io.larder.persist;

import io.larder.config.Config;
import io.larder.protocol.RequestParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The manifest of Redis 7.0's multi-part AOF ({@code <appendfilename>.manifest}
 * in {@code appenddirname}): at most one BASE file (an RDB, or AOF commands),
 * the INCR files written since, in order, and HISTORY files replaced by a
 * rewrite and waiting to be deleted. One line per file:
 * {@code file appendonly.aof.1.base.rdb seq 1 type b}. Parsing follows
 * aofLoadManifestFromFile (its error texts too); formatting follows
 * getAofManifestAsString (base, then history, then incr).
 */
public final class AofManifest {
    static final char BASE = 'b', HISTORY = 'h', INCR = 'i';
    static final String BASE_SUFFIX = ".base", INCR_SUFFIX = ".incr", RDB_SUFFIX = ".rdb", AOF_SUFFIX = ".aof";
    static final String MANIFEST_SUFFIX = ".manifest", TEMP_PREFIX = "temp-";
    /** MANIFEST_MAX_LINE. */
    private static final int MAX_LINE = 1024;

    /** One file of the manifest. */
    public record Entry(String name, long seq, char type) {
        Entry withType(char t) {
            return new Entry(name, seq, t);
        }
    }

    Entry base;
    final List<Entry> history = new ArrayList<>();
    final List<Entry> incr = new ArrayList<>();
    long baseSeq, incrSeq;
    /** Changed since it was last written. */
    boolean dirty;

    /** A manifest that could not be read; the message is Redis's, the details its log lines. */
    public static final class Invalid extends Exception {
        final int line;
        final String text;

        Invalid(String message, int line, String text) {
            super(message);
            this.line = line;
            this.text = text;
        }

        /** The lines Redis logs for it (after "*** FATAL AOF MANIFEST FILE ERROR ***"). */
        public List<String> report() {
            List<String> out = new ArrayList<>();
            if (text != null) {
                out.add("Reading the manifest file, at line " + line);
                out.add(">>> '" + text + "'");
            }
            out.add(getMessage());
            return out;
        }
    }

    AofManifest copy() {
        AofManifest m = new AofManifest();
        m.base = base;
        m.history.addAll(history);
        m.incr.addAll(incr);
        m.baseSeq = baseSeq;
        m.incrSeq = incrSeq;
        m.dirty = dirty;
        return m;
    }

    /** Reads a manifest file (aofLoadManifestFromFile). */
    public static AofManifest read(Path file) throws IOException, Invalid {
        byte[] data = Files.readAllBytes(file);
        AofManifest m = new AofManifest();
        long maxSeq = 0;
        int lineNo = 0;
        int p = 0;
        if (data.length == 0) throw new Invalid("Found an empty AOF manifest", 0, null);
        while (p < data.length) {
            // fgets(buf, MANIFEST_MAX_LINE+1): at most 1024 bytes, up to and including a newline.
            int end = p;
            while (end < data.length && end - p < MAX_LINE && data[end] != '\n') end++;
            boolean newline = end < data.length && data[end] == '\n';
            String raw = new String(data, p, end - p + (newline ? 1 : 0), StandardCharsets.ISO_8859_1);
            p = end + (newline ? 1 : 0);
            lineNo++;
            if (raw.startsWith("#")) continue;
            // A C string ends at its first NUL.
            int nul = raw.indexOf('\0');
            if (nul >= 0) raw = raw.substring(0, nul);
            String line = trim(raw);
            // Redis has not kept the line yet when it finds it too long: no line in the report.
            if (!newline) throw new Invalid("The AOF manifest file contains too long line", lineNo, null);
            if (line.isEmpty()) throw new Invalid("Invalid AOF manifest file format", lineNo, line);
            List<String> argv = RequestParser.splitLine(line);
            if (argv == null || argv.size() < 6 || argv.size() % 2 != 0) {
                throw new Invalid("Invalid AOF manifest file format", lineNo, line);
            }
            String name = null;
            long seq = 0;
            char type = 0;
            for (int i = 0; i < argv.size(); i += 2) {
                String k = argv.get(i), v = argv.get(i + 1);
                if (k.equalsIgnoreCase("file")) {
                    name = v;
                    if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
                        throw new Invalid("File can't be a path, just a filename", lineNo, line);
                    }
                } else if (k.equalsIgnoreCase("seq")) {
                    seq = atoll(v);
                } else if (k.equalsIgnoreCase("type")) {
                    type = v.isEmpty() ? 0 : v.charAt(0);
                }
            }
            if (name == null || seq == 0 || type == 0) {
                throw new Invalid("Invalid AOF manifest file format", lineNo, line);
            }
            Entry e = new Entry(name, seq, type);
            switch (type) {
                case BASE -> {
                    if (m.base != null) throw new Invalid("Found duplicate base file information", lineNo, line);
                    m.base = e;
                    m.baseSeq = seq;
                }
                case HISTORY -> m.history.add(e);
                case INCR -> {
                    if (seq <= maxSeq) throw new Invalid("Found a non-monotonic sequence number", lineNo, line);
                    m.incr.add(e);
                    m.incrSeq = seq;
                    maxSeq = seq;
                }
                default -> throw new Invalid("Unknown AOF file type", lineNo, line);
            }
        }
        return m;
    }

    /** sdstrim(" \t\r\n"). */
    private static String trim(String s) {
        int a = 0, b = s.length();
        while (a < b && " \t\r\n".indexOf(s.charAt(a)) >= 0) a++;
        while (b > a && " \t\r\n".indexOf(s.charAt(b - 1)) >= 0) b--;
        return s.substring(a, b);
    }

    /** C's atoll: leading space, sign, digits, stops at the first other character. */
    static long atoll(String s) {
        int i = 0, n = s.length();
        while (i < n && Character.isWhitespace(s.charAt(i))) i++;
        boolean neg = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) neg = s.charAt(i++) == '-';
        long v = 0;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') v = v * 10 + (s.charAt(i++) - '0');
        return neg ? -v : v;
    }

    /** getAofManifestAsString. */
    public String format() {
        StringBuilder b = new StringBuilder();
        if (base != null) line(b, base);
        for (Entry e : history) line(b, e);
        for (Entry e : incr) line(b, e);
        return b.toString();
    }

    private static void line(StringBuilder b, Entry e) {
        String name = needsRepr(e.name) ? Config.repr(e.name) : e.name;
        b.append("file ").append(name).append(" seq ").append(e.seq).append(" type ").append(e.type).append('\n');
    }

    /** sdsneedsrepr. */
    private static boolean needsRepr(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == '"' || c == '\n' || c == '\r' || c == '\t' || c == 7 || c == '\b' || c < ' '
                    || c > '~' || c == ' ') {
                return true;
            }
        }
        return false;
    }

    /** getNewBaseFileNameAndMarkPreAsHistory. */
    String newBase(String appendFileName, boolean rdb) {
        if (base != null) history.add(0, base.withType(HISTORY));
        base = new Entry(appendFileName + "." + (++baseSeq) + BASE_SUFFIX + (rdb ? RDB_SUFFIX : AOF_SUFFIX), baseSeq,
                BASE);
        dirty = true;
        return base.name;
    }

    /** getNewIncrAofName. */
    String newIncr(String appendFileName) {
        Entry e = new Entry(appendFileName + "." + (++incrSeq) + INCR_SUFFIX + AOF_SUFFIX, incrSeq, INCR);
        incr.add(e);
        dirty = true;
        return e.name;
    }

    /** getLastIncrAofName: the last INCR file, or a new one. */
    String lastIncr(String appendFileName) {
        if (incr.isEmpty()) return newIncr(appendFileName);
        return incr.get(incr.size() - 1).name;
    }

    /**
     * markRewrittenIncrAofAsHistory: after a rewrite every INCR file but the
     * one being written ({@code keepLast}: AOF on) becomes HISTORY.
     */
    void markRewrittenIncrsAsHistory(boolean keepLast) {
        if (incr.isEmpty()) return;
        int n = incr.size() - (keepLast ? 1 : 0);
        for (int i = n - 1; i >= 0; i--) history.add(0, incr.remove(i).withType(HISTORY));
        dirty = true;
    }

    static String manifestName(String appendFileName) {
        return appendFileName + MANIFEST_SUFFIX;
    }

    static String tempManifestName(String appendFileName) {
        return TEMP_PREFIX + appendFileName + MANIFEST_SUFFIX;
    }

    static String tempIncrName(String appendFileName) {
        return TEMP_PREFIX + appendFileName + INCR_SUFFIX;
    }
}
