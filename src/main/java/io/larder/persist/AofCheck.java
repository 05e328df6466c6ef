package io.larder.persist;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code larder --check-aof [--fix|--truncate-to-timestamp ts] FILE}: Redis
 * 7.0's redis-check-aof, report for report. FILE is a manifest (every file
 * it names is checked: the BASE, an RDB checked as redis-check-rdb does, or
 * commands, then the INCR files) or a single file (an old-style AOF, with or
 * without an RDB preamble). Each file is read as a sequence of RESP
 * commands and {@code #} annotations; the first problem is reported with
 * its offset, and --fix cuts the last file back to the last complete
 * command outside a MULTI (after asking). --truncate-to-timestamp cuts the
 * last file at the first {@code #TS:} annotation later than the time.
 */
public final class AofCheck {
    static final int OK = 0, EMPTY = 1, TRUNCATED = 2, TIMESTAMP_TRUNCATED = 3;

    /** exit(status) in the C tool. */
    private static final class Exit extends RuntimeException {
        final int status;

        Exit(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }

    private final PrintStream out;
    private final InputStream stdin;
    private String error = "";
    private long epos;
    /** Lines consumed so far, over every file checked (a global in the C tool). */
    private long line = 1;
    private long toTimestamp;

    private AofCheck(PrintStream out, InputStream stdin) {
        this.out = out;
        this.stdin = stdin;
    }

    /** Runs the tool; returns the exit status. */
    public static int run(String[] args, PrintStream out, InputStream stdin) {
        AofCheck c = new AofCheck(out, stdin);
        try {
            c.main(args);
            return 0;
        } catch (Exit e) {
            return e.status;
        } finally {
            out.flush();
        }
    }

    private void main(String[] argv) {
        String file;
        boolean fix = false;
        if (argv.length == 1) {
            file = argv[0];
        } else if (argv.length == 2 && argv[0].equals("--fix")) {
            file = argv[1];
            fix = true;
        } else if (argv.length == 3 && argv[0].equals("--truncate-to-timestamp")) {
            try {
                toTimestamp = Long.parseLong(argv[1]);
            } catch (NumberFormatException e) {
                out.println("Invalid timestamp, aborting...");
                throw new Exit(1);
            }
            file = argv[2];
        } else {
            out.println("Usage: larder --check-aof [--fix|--truncate-to-timestamp $timestamp] "
                    + "<file.manifest|file.aof>");
            throw new Exit(1);
        }
        Path path = Path.of(file);
        Path parent = path.getParent() == null ? Path.of(".") : path.getParent();
        String dir = path.getParent() == null ? "." : path.getParent().toString();
        if (isManifest(file)) {
            checkMultiPart(dir, parent, file, fix);
        } else {
            out.println("Start checking Old-Style AOF");
            int ret = checkSingle(file, file, true, fix, isRdb(file));
            printStyle(ret, file, "AOF");
        }
    }

    // ------------------------------------------------------------ file kinds

    private Path open(String file) {
        Path p = Path.of(file);
        if (!Files.isReadable(p)) {
            out.println("Cannot open file " + file + ": " + (Files.exists(p) ? "Permission denied"
                    : "No such file or directory"));
            throw new Exit(1);
        }
        return p;
    }

    /** fileIsManifest: a line (not a comment) starting with "file". */
    private boolean isManifest(String file) {
        Path p = open(file);
        try {
            byte[] data = Files.readAllBytes(p);
            if (data.length == 0) return false;
            boolean manifest = false;
            int i = 0;
            while (i < data.length) {
                int end = i;
                while (end < data.length && end - i < 1024 && data[end] != '\n') end++;
                int next = end < data.length && data[end] == '\n' ? end + 1 : end;
                if (data[i] != '#' && end - i >= 4 && data[i] == 'f' && data[i + 1] == 'i' && data[i + 2] == 'l'
                        && data[i + 3] == 'e') {
                    manifest = true;
                }
                i = next == i ? i + 1 : next;
            }
            return manifest;
        } catch (IOException e) {
            out.println("Cannot read file: " + file);
            throw new Exit(1);
        }
    }

    /** fileIsRDB: at least 8 bytes starting with "REDIS". */
    private boolean isRdb(String file) {
        Path p = open(file);
        try (InputStream in = Files.newInputStream(p)) {
            if (Files.size(p) < 8) return false;
            byte[] sig = in.readNBytes(5);
            return new String(sig, StandardCharsets.US_ASCII).equals("REDIS");
        } catch (IOException e) {
            out.println("Cannot stat file: " + file);
            throw new Exit(1);
        }
    }

    // ------------------------------------------------------------ multi part

    private void checkMultiPart(String dir, Path parent, String manifestPath, boolean fix) {
        out.println("Start checking Multi Part AOF");
        AofManifest am;
        try {
            am = AofManifest.read(Path.of(manifestPath));
        } catch (AofManifest.Invalid e) {
            // aofLoadManifestFromFile logs (to standard output here) and exits.
            logLine("\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
            for (String l : e.report()) logLine(l + "\n");
            throw new Exit(1);
        } catch (IOException e) {
            logLine("Fatal error: can't open the AOF manifest file " + manifestPath + " for reading: "
                    + RdbFile.reason(e));
            throw new Exit(1);
        }
        int total = (am.base != null ? 1 : 0) + am.incr.size();
        int n = 0;
        if (am.base != null) {
            String name = am.base.name();
            String filePath = dir + "/" + name;
            boolean last = ++n == total;
            boolean rdb = isRdbQuiet(filePath);
            out.println("Start to check BASE AOF (" + (rdb ? "RDB" : "RESP") + " format).");
            int ret = checkSingle(name, filePath, last, fix, rdb);
            printStyle(ret, name, "BASE AOF");
        }
        if (!am.incr.isEmpty()) {
            out.println("Start to check INCR files.");
            for (AofManifest.Entry e : am.incr) {
                String name = e.name();
                boolean last = ++n == total;
                int ret = checkSingle(name, dir + "/" + name, last, fix, false);
                printStyle(ret, name, "INCR AOF");
            }
        }
        out.println("All AOF files and manifest are valid");
    }

    private boolean isRdbQuiet(String file) {
        Path p = Path.of(file);
        if (!Files.exists(p)) {
            out.println("Cannot open file " + file + ": No such file or directory");
            throw new Exit(1);
        }
        return isRdb(file);
    }

    /** serverLog as the tool prints it: "pid:C date # message". */
    private void logLine(String msg) {
        out.println(ProcessHandle.current().pid() + ":C " + java.time.LocalDateTime.now().format(
                java.time.format.DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss.SSS", Locale.ENGLISH)) + " # "
                + msg);
    }

    private void printStyle(int ret, String name, String type) {
        switch (ret) {
            case OK -> out.println(type + " " + name + " is valid");
            case EMPTY -> out.println(type + " " + name + " is empty");
            case TIMESTAMP_TRUNCATED -> out.println("Successfully truncated AOF " + name + " to timestamp "
                    + toTimestamp);
            case TRUNCATED -> out.println("Successfully truncated AOF " + name);
            default -> { }
        }
    }

    // ------------------------------------------------------------ one file

    /** checkSingleAof. */
    private int checkSingle(String name, String path, boolean last, boolean fix, boolean preamble) {
        Path p = Path.of(path);
        if (!Files.exists(p)) {
            out.println("Cannot open file " + path + ": No such file or directory, aborting...");
            throw new Exit(1);
        }
        try (CFile f = new CFile(p)) {
            long size = f.size();
            if (size == 0) return EMPTY;
            if (preamble) {
                long end = RdbCheck.check(p, name, out);
                if (end < 0) {
                    out.println("RDB preamble of AOF file is not sane, aborting.");
                    throw new Exit(1);
                }
                out.println("RDB preamble is OK, proceeding with AOF tail...");
                f.seek(end);
            }
            long pos = 0;
            int[] multi = {0};
            while (true) {
                if (multi[0] == 0) pos = f.tell();
                int ch = f.peek();
                if (ch < 0) break;
                if (ch == '#') {
                    if (!annotation(f, path, last)) return TIMESTAMP_TRUNCATED;
                } else if (ch == '*') {
                    if (!resp(f, path, multi)) break;
                } else {
                    out.println("AOF " + name + " format error");
                    break;
                }
            }
            if (f.eof() && multi[0] != 0 && error.isEmpty()) error("Reached EOF before reading EXEC for MULTI");
            if (!error.isEmpty()) out.println(error);
            long diff = size - pos;
            if (diff == 0 && toTimestamp != 0) {
                out.println("Truncate nothing in AOF " + name + " to timestamp " + toTimestamp);
                return OK;
            }
            out.println("AOF analyzed: filename=" + name + ", size=" + size + ", ok_up_to=" + pos + ", ok_up_to_line="
                    + line + ", diff=" + diff);
            if (diff > 0) {
                if (!fix) {
                    out.println("AOF " + name + " is not valid. Use the --fix option to try fixing it.");
                    throw new Exit(1);
                }
                if (!last) {
                    out.println("Failed to truncate AOF " + name + " because it is not the last file");
                    throw new Exit(1);
                }
                out.println("This will shrink the AOF " + name + " from " + size + " bytes, with " + diff
                        + " bytes, to " + pos + " bytes");
                out.print("Continue? [y/N]: ");
                out.flush();
                if (!confirmed()) {
                    out.println("Aborting...");
                    throw new Exit(1);
                }
                try {
                    f.truncate(pos);
                } catch (IOException e) {
                    out.println("Failed to truncate AOF " + name);
                    throw new Exit(1);
                }
                return TRUNCATED;
            }
            return OK;
        } catch (IOException e) {
            out.println("Failed to read from AOF " + name + ", aborting...");
            throw new Exit(1);
        }
    }

    /** fgets(buf, 2, stdin) and strncasecmp(buf, "y", 1). */
    private boolean confirmed() {
        try {
            int c = stdin.read();
            return c == 'y' || c == 'Y';
        } catch (IOException e) {
            return false;
        }
    }

    private void error(String msg) {
        error = String.format("0x%16x: %s", epos, msg);
    }

    /** processAnnotations: the #TS: cut of --truncate-to-timestamp. */
    private boolean annotation(CFile f, String path, boolean last) throws IOException {
        epos = f.tell();
        byte[] l = f.fgets(AofLoader.LINE_MAX);
        if (l == null) {
            out.println("Failed to read annotations from AOF " + path + ", aborting...");
            throw new Exit(1);
        }
        if (toTimestamp != 0 && l.length >= 4 && l[0] == '#' && l[1] == 'T' && l[2] == 'S' && l[3] == ':') {
            int i = 4;
            boolean neg = i < l.length && l[i] == '-';
            if (neg || (i < l.length && l[i] == '+')) i++;
            long ts = 0;
            int digits = 0;
            while (i < l.length && l[i] >= '0' && l[i] <= '9') {
                ts = ts * 10 + (l[i++] - '0');
                digits++;
            }
            if (neg) ts = -ts;
            if (digits == 0 && i == 4) ts = 0;
            if (i >= l.length || l[i] != '\r') {
                out.println("Invalid timestamp annotation");
                throw new Exit(1);
            }
            if (ts <= toTimestamp) return true;
            if (epos == 0) {
                out.println("AOF " + path + " has nothing before timestamp " + toTimestamp + ", aborting...");
                throw new Exit(1);
            }
            if (!last) {
                out.println("Failed to truncate AOF " + path + " to timestamp " + toTimestamp + " to offset " + epos
                        + " because it is not the last file.");
                out.println("If you insist, please delete all files after this file according to the manifest file "
                        + "and delete the corresponding records in manifest file manually. Then re-run "
                        + "redis-check-aof.");
                throw new Exit(1);
            }
            try {
                f.truncate(epos);
            } catch (IOException e) {
                out.println("Failed to truncate AOF " + path + " to timestamp " + toTimestamp);
                throw new Exit(1);
            }
            return false;
        }
        return true;
    }

    /** processRESP: one command; MULTI/EXEC nesting tracked in multi[0]. */
    private boolean resp(CFile f, String path, int[] multi) throws IOException {
        long[] argc = new long[1];
        if (!readLong(f, '*', argc)) return false;
        for (long i = 0; i < argc[0]; i++) {
            byte[] s = readString(f);
            if (s == null) return false;
            if (i == 0) {
                String cmd = new String(s, StandardCharsets.ISO_8859_1);
                if (cmd.equalsIgnoreCase("multi")) {
                    if (multi[0]++ != 0) {
                        error("Unexpected MULTI in AOF " + path);
                        return false;
                    }
                } else if (cmd.equalsIgnoreCase("exec")) {
                    if (--multi[0] != 0) {
                        error("Unexpected EXEC in AOF " + path);
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * readLong's stack buffer: fgets writes the line and a NUL into it and
     * the check then looks at the two bytes after the number, which, past a
     * short line's NUL (a file cut in the middle of a line), are whatever
     * was there before.
     */
    private final byte[] argcBuf = new byte[128];

    /** readLong: a line "<prefix><number>\r\n" read with fgets(buf, 128). */
    private boolean readLong(CFile f, char prefix, long[] target) throws IOException {
        epos = f.tell();
        byte[] read = f.fgets(128);
        if (read == null) return false;
        // The '*' lines' buffer keeps what the previous one left; for '$' lines the calls in between
        // (fread ...) leave zeros there, as observed with redis-check-aof 7.0.
        byte[] longBuf = prefix == '*' ? argcBuf : new byte[128];
        System.arraycopy(read, 0, longBuf, 0, read.length);
        longBuf[read.length] = 0;
        int nul = 0;
        while (nul < read.length && read[nul] != 0) nul++;
        // As C sees it: the string up to its NUL, the rest of the buffer as it was.
        byte[] l = java.util.Arrays.copyOf(longBuf, longBuf.length);
        if (nul == 0) {
            error("Expected prefix '" + prefix + "', got: '" + (char) 0 + "'");
            return false;
        }
        if (l[0] != prefix) {
            error("Expected prefix '" + prefix + "', got: '" + (char) (l[0] & 0xFF) + "'");
            return false;
        }
        int i = 1;
        while (i < nul && (l[i] == ' ' || (l[i] >= 9 && l[i] <= 13))) i++;
        int start = i;
        if (i < nul && (l[i] == '+' || l[i] == '-')) i++;
        int digitsFrom = i;
        while (i < nul && l[i] >= '0' && l[i] <= '9') i++;
        // strtol with no digits leaves eptr at the start of the number.
        if (i == digitsFrom) i = 1;
        target[0] = i == 1 ? 0 : AofLoader.strtol(java.util.Arrays.copyOf(l, nul), start);
        return consumeNewline(l, i);
    }

    private boolean consumeNewline(byte[] b, int at) {
        int c0 = at < b.length ? b[at] : 0, c1 = at + 1 < b.length ? b[at + 1] : 0;
        if (c0 != '\r' || c1 != '\n') {
            // %02x of a C char: bytes above 0x7f print as ffffffXX.
            error(String.format("Expected \\r\\n, got: %02x%02x", c0, c1));
            return false;
        }
        line++;
        return true;
    }

    /** readString: "$len\r\n", len bytes and "\r\n". */
    private byte[] readString(CFile f) throws IOException {
        long[] len = new long[1];
        if (!readLong(f, '$', len)) return null;
        if (len[0] < 0 || len[0] > Long.MAX_VALUE - 2) {
            error("Expected to read string of " + len[0] + " bytes, which is not in the suitable range");
            return null;
        }
        long n = len[0] + 2;
        epos = f.tell();
        byte[] s = f.read(n);
        if (s.length != n) {
            error("Expected to read " + n + " bytes, got " + s.length + " bytes");
            return null;
        }
        int at = s.length - 2;
        int c0 = s[at], c1 = s[at + 1];
        if (c0 != '\r' || c1 != '\n') {
            error(String.format("Expected \\r\\n, got: %02x%02x", c0, c1));
            return null;
        }
        line++;
        return java.util.Arrays.copyOf(s, at);
    }

    /** The few stdio operations the tool uses, over a file opened for reading and writing. */
    private static final class CFile implements AutoCloseable {
        private final RandomAccessFile raf;
        private final byte[] buf = new byte[64 * 1024];
        private long base;
        private int pos, lim;
        private boolean eof;

        CFile(Path p) throws IOException {
            this.raf = new RandomAccessFile(p.toFile(), Files.isWritable(p) ? "rw" : "r");
        }

        long size() throws IOException {
            return raf.length();
        }

        long tell() {
            return base + pos;
        }

        boolean eof() {
            return eof;
        }

        void seek(long at) throws IOException {
            raf.seek(at);
            base = at;
            pos = lim = 0;
            eof = false;
        }

        private boolean fill() throws IOException {
            if (pos < lim) return true;
            base += lim;
            pos = lim = 0;
            raf.seek(base);
            int n = raf.read(buf, 0, buf.length);
            if (n <= 0) {
                eof = true;
                return false;
            }
            lim = n;
            return true;
        }

        /** fgets(buf, 2) then fseek(-1): the next byte, or -1 at the end. */
        int peek() throws IOException {
            if (!fill()) return -1;
            return buf[pos] & 0xFF;
        }

        /** fgets(buf, size): up to size-1 bytes, stopping after a newline; null at the end. */
        byte[] fgets(int size) throws IOException {
            java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
            while (o.size() < size - 1) {
                if (!fill()) break;
                byte b = buf[pos++];
                o.write(b);
                if (b == '\n') break;
            }
            if (o.size() == 0) return null;
            return o.toByteArray();
        }

        /** fread(n): as many bytes as there are, up to n. */
        byte[] read(long n) throws IOException {
            long avail = raf.length() - tell();
            int take = (int) Math.max(0, Math.min(n, Math.min(avail, Integer.MAX_VALUE - 16)));
            byte[] out = new byte[take];
            int got = 0;
            while (got < take) {
                if (!fill()) break;
                int k = Math.min(lim - pos, take - got);
                System.arraycopy(buf, pos, out, got, k);
                pos += k;
                got += k;
            }
            if (got < n) {
                eof = true;
                // fread past the end leaves the position at the end.
                seek(raf.length());
                eof = true;
            }
            return got == out.length ? out : java.util.Arrays.copyOf(out, got);
        }

        void truncate(long at) throws IOException {
            raf.setLength(at);
        }

        @Override
        public void close() throws IOException {
            raf.close();
        }
    }
}
