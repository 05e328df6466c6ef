package io.larder.persist;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandSpec;
import io.larder.protocol.Args;
import io.larder.server.Client;
import io.larder.server.LarderServer;
import io.larder.server.Log;
import io.larder.store.ExecutionGate;
import io.larder.store.Keyspace;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Replays AOF files into the keyspace: Redis's loadAppendOnlyFiles and
 * loadSingleAppendOnlyFile. A file that starts with "REDIS" is an RDB (a
 * base file, or an old-style file with an RDB preamble) loaded by the RDB
 * loader, with its expired keys kept; what follows is commands, which run
 * through their handlers as a client of their own ({@link Client#AOF}) with
 * the keyspace held exclusively and nothing expiring (the commands were
 * logged against keys alive at the time). Replies are dropped; a command
 * that fails is skipped, as Redis's fake client does.
 *
 * <p>Reading follows Redis's stdio loop exactly, because what counts as a
 * torn tail (loadable with aof-load-truncated) rather than a corrupt file
 * depends on it: lines are read with fgets into 1024 bytes, a line starting
 * with '#' is an annotation, a '*' line gives the argument count, each
 * argument is a '$' line, that many bytes and two more (not checked). Only
 * the last file may end early; it is then cut back to the last complete
 * command (or to before an unfinished MULTI).
 */
final class AofLoader {
    enum Status { OK, NOT_EXIST, EMPTY, OPEN_ERR, FAILED, TRUNCATED }

    /** AOF_ANNOTATION_LINE_MAX_LEN: fgets's buffer. */
    static final int LINE_MAX = 1024;

    private final LarderServer server;
    private final Persistence persistence;
    private final Keyspace keyspace;
    private final Path dir;
    private final String appendFileName;
    private final boolean loadTruncated;
    private final long keyLoadDelay;
    /** null: the caller holds the keyspace exclusively (DEBUG LOADAOF); else the loader's own worker. */
    private final ExecutionGate.Worker worker;
    private final Client client;
    /** Bytes of the files loaded before the current one (INFO loading_loaded_bytes). */
    private long progressBase;
    private long commands;

    AofLoader(LarderServer server, Path dir, String appendFileName, ExecutionGate.Worker worker) {
        this.server = server;
        this.persistence = server.persistence();
        this.keyspace = server.keyspace();
        this.dir = dir;
        this.appendFileName = appendFileName;
        this.loadTruncated = server.config().getBool("aof-load-truncated");
        this.keyLoadDelay = server.config().getLong("key-load-delay");
        this.worker = worker;
        this.client = Client.detached(server);
        client.setFlag(Client.AOF, true);
        client.setFlag(Client.DENY_BLOCKING, true);
        client.reply().setEnabled(false);
    }

    /** loadAppendOnlyFiles (the old-style upgrade is done by the caller). */
    Status loadAll(AofManifest am) {
        if (am.base == null && am.incr.isEmpty()) return Status.NOT_EXIST;
        List<AofManifest.Entry> files = new ArrayList<>();
        if (am.base != null) files.add(am.base);
        files.addAll(am.incr);
        long total = 0;
        for (AofManifest.Entry e : files) {
            try {
                total += Files.size(dir.resolve(e.name()));
            } catch (IOException x) {
                Log.warning("Unable to obtain the AOF file " + e.name() + " length. stat: " + RdbFile.reason(x));
                // A file named by the manifest but missing on disk is fatal (AOF_NOT_EXIST becomes AOF_FAILED).
                return x instanceof NoSuchFileException ? Status.FAILED : Status.OPEN_ERR;
            }
        }
        if (total == 0) return Status.EMPTY;
        persistence.beginLoading(total);
        keyspace.setExpiryPaused(true);
        boolean ok = false;
        try {
            Status ret = Status.OK;
            for (int i = 0; i < files.size(); i++) {
                AofManifest.Entry e = files.get(i);
                boolean last = i == files.size() - 1;
                boolean base = e.type() == AofManifest.BASE;
                long t0 = System.nanoTime();
                ret = loadOne(e.name(), last);
                if (ret == Status.OK || (ret == Status.TRUNCATED && last)) {
                    Log.notice(String.format(Locale.ROOT, "DB loaded from %s file %s: %.3f seconds",
                            base ? "base" : "incr", e.name(), (System.nanoTime() - t0) / 1e9));
                }
                // One of the files has data, so an empty INCR file is nothing to worry about.
                if (ret == Status.EMPTY && !base) ret = Status.OK;
                if (ret == Status.TRUNCATED && !last) {
                    ret = Status.FAILED;
                    Log.warning("Fatal error: the truncated file is not the last file");
                }
                if (ret == Status.OPEN_ERR || ret == Status.FAILED) return ret;
                try {
                    progressBase += Files.size(dir.resolve(e.name()));
                } catch (IOException ignored) {
                    // progress only
                }
            }
            ok = true;
            return ret == Status.EMPTY ? Status.OK : ret;
        } finally {
            keyspace.setExpiryPaused(false);
            if (!ok) Log.verbose("AOF loading stopped after " + commands + " commands");
        }
    }

    /** loadSingleAppendOnlyFile. */
    Status loadOne(String name, boolean last) {
        Path path = dir.resolve(name);
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            Log.warning("The append log file " + name + " doesn't exist: No such file or directory");
            return Status.NOT_EXIST;
        } catch (IOException e) {
            Log.warning("Fatal error: can't open the append log file " + name + " for reading: " + RdbFile.reason(e));
            return Status.OPEN_ERR;
        }
        try (ch) {
            long size = ch.size();
            if (size == 0) return Status.EMPTY;
            long start = 0;
            byte[] sig = new byte[5];
            int n = ch.read(java.nio.ByteBuffer.wrap(sig), 0);
            if (n == 5 && new String(sig, StandardCharsets.US_ASCII).equals("REDIS")) {
                boolean oldStyle = name.equals(appendFileName);
                Log.notice(oldStyle ? "Reading RDB preamble from AOF file..."
                        : "Reading RDB base file on AOF loading...");
                ch.position(0);
                RdbInput in = new RdbInput(new ChannelSource(ch), size);
                try {
                    persistence.loadRdb(in, false, worker != null, true, progressBase);
                } catch (RdbException e) {
                    Log.warning("Error loading " + name + " at offset " + e.offset() + ": " + e.getMessage());
                    Log.warning(oldStyle ? "Error reading the RDB preamble of the AOF file " + name
                            + ", AOF loading aborted" : "Error reading the RDB base file " + name
                            + ", AOF loading aborted");
                    return Status.FAILED;
                }
                start = in.position();
                if (oldStyle) Log.notice("Reading the remaining AOF tail...");
            }
            return replay(name, path, ch, start, last);
        } catch (IOException e) {
            Log.warning("Unrecoverable error reading the append only file " + name + ": " + RdbFile.reason(e));
            return Status.FAILED;
        }
    }

    /** Channel reads for the RDB reader. */
    private record ChannelSource(FileChannel ch) implements RdbInput.Source {
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return ch.read(java.nio.ByteBuffer.wrap(b, off, len));
        }
    }

    /** The command loop of loadSingleAppendOnlyFile, from {@code start}. */
    private Status replay(String name, Path path, FileChannel ch, long start, boolean last) throws IOException {
        ch.position(start);
        LineReader r = new LineReader(Channels.newInputStream(ch), start, ch.size());
        long validUpTo = start;
        long validBeforeMulti = start;
        List<Args> queued = null;
        client.setDb(0);
        Runner runner = new Runner();
        try {
            while (true) {
                if ((commands & 1023) == 0) {
                    persistence.loadingProgress(progressBase + r.position());
                    runner.pause();
                }
                byte[] line = r.fgets();
                if (line == null) break;
                if (line[0] == '#') continue;
                if (line[0] != '*') return formatError(name, r);
                if (line.length == 1) return endOfFile(name, path, validUpTo, last, r);
                long argc = atoi(line, 1);
                if (argc < 1) return formatError(name, r);
                // Grown as arguments arrive: a corrupt count must not allocate what the file cannot hold.
                byte[][] argv = new byte[(int) Math.min(argc, 64)][];
                for (int j = 0; j < argc; j++) {
                    if (j == argv.length) argv = java.util.Arrays.copyOf(argv, (int) Math.min(argc, j * 2L));
                    byte[] l = r.fgets();
                    if (l == null) return endOfFile(name, path, validUpTo, last, r);
                    if (l[0] != '$') return formatError(name, r);
                    long len = strtol(l, 1);
                    if (len < 0) return formatError(name, r);
                    byte[] arg = r.read(len);
                    if (arg == null) return endOfFile(name, path, validUpTo, last, r);
                    if (!r.skip(2)) return endOfFile(name, path, validUpTo, last, r);
                    argv[j] = arg;
                }
                Args a = Args.of(argv);
                CommandSpec cmd = lookup(a);
                if (cmd == null) {
                    Log.warning("Unknown command '" + cString(argv[0]) + "' reading the append only file " + name);
                    return Status.FAILED;
                }
                boolean multi = cmd.parent == null && cmd.name.equals("multi");
                boolean exec = cmd.parent == null && cmd.name.equals("exec");
                if (multi) validBeforeMulti = validUpTo;
                if (queued != null && !exec) {
                    queued.add(a);
                } else if (multi) {
                    queued = new ArrayList<>();
                } else if (exec) {
                    // Redis's fake client runs the queue at EXEC (an EXEC without MULTI fails, and is skipped).
                    if (queued != null) {
                        for (Args q : queued) runner.run(q, lookup(q));
                        queued = null;
                    }
                } else {
                    runner.run(a, cmd);
                }
                commands++;
                if (loadTruncated) validUpTo = r.position();
                if (keyLoadDelay != 0) Delays.pause(keyLoadDelay);
            }
            if (queued != null) {
                // The file ends inside MULTI/EXEC: as a short read, back to before the MULTI.
                Log.warning("Revert incomplete MULTI/EXEC transaction in AOF file " + name);
                return endOfFile(name, path, validBeforeMulti, last, r);
            }
            persistence.loadingProgress(progressBase + r.position());
            return Status.OK;
        } finally {
            runner.finish();
        }
    }

    /** lookupCommand: a container's subcommand by argv[1]; null if either is unknown. */
    private CommandSpec lookup(Args a) {
        CommandSpec cmd = server.commands().lookup(a.buf(), a.off(0), a.len(0));
        if (cmd != null && cmd.isContainer() && a.count() >= 2) {
            cmd = cmd.subcommand(a.str(1).toLowerCase(Locale.ROOT));
        }
        return cmd;
    }

    private Status formatError(String name, LineReader r) {
        Log.warning("Bad file format reading the append only file " + name + ": make a backup of your AOF file, then "
                + "use ./redis-check-aof --fix <filename.manifest>");
        Log.warning("(the bad line starts at offset " + r.lineStart() + " of " + name + ")");
        return Status.FAILED;
    }

    /** uxeof: the file ends in the middle of a command (or of a transaction). */
    private Status endOfFile(String name, Path path, long validUpTo, boolean last, LineReader r) {
        if (loadTruncated && last) {
            Log.warning("!!! Warning: short read while loading the AOF file " + name + "!!!");
            Log.warning("!!! Truncating the AOF " + name + " at offset " + validUpTo + " !!!");
            try (FileChannel w = FileChannel.open(path, StandardOpenOption.WRITE)) {
                w.truncate(validUpTo);
                w.force(true);
                Log.warning("AOF " + name + " loaded anyway because aof-load-truncated is enabled");
                return Status.TRUNCATED;
            } catch (IOException e) {
                Log.warning("Error truncating the AOF file " + name + ": " + RdbFile.reason(e));
            }
        } else if (loadTruncated) {
            // Redis would cut this file too and then refuse it; a file that is not the last is left as it is.
            Log.warning("!!! Warning: short read while loading the AOF file " + name + "!!!");
            return Status.TRUNCATED;
        }
        Log.warning("Unexpected end of file reading the append only file " + name + ". You can: 1) Make a backup of "
                + "your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set "
                + "the 'aof-load-truncated' configuration option to yes and restart the server.");
        Log.warning("(the last complete command ends at offset " + validUpTo + " of " + name + ", the file at "
                + r.position() + ")");
        return Status.FAILED;
    }

    /**
     * Runs commands with the keyspace held: the loader's worker holds the
     * gate exclusively, letting go every 1024 commands so a command waiting
     * for it (INFO, CLIENT ...) is not held up for the whole load.
     */
    private final class Runner {
        private final CommandContext c = server.context();
        private boolean held;

        void run(Args a, CommandSpec cmd) {
            if (cmd == null) return;
            if (server.scripts().runsHere(cmd)) {
                // FUNCTION LOAD (in AOF-format bases) uses the Lua states, which live on the script thread;
                // it runs there while this thread waits, as part of the load.
                hold();
                try {
                    server.scripts().callOnScriptThread(() -> {
                        CommandContext cs = server.context();
                        boolean was = cs.exclusive();
                        cs.setExclusive(true);
                        try {
                            execute(cs, a, cmd);
                        } finally {
                            cs.setExclusive(was);
                        }
                        return null;
                    });
                } catch (Exception e) {
                    Log.warning("AOF: '" + cmd.fullName + "' failed while loading: " + e);
                }
                return;
            }
            hold();
            boolean was = c.exclusive();
            c.setExclusive(true);
            try {
                execute(c, a, cmd);
            } finally {
                c.setExclusive(was);
            }
        }

        private void execute(CommandContext cc, Args a, CommandSpec cmd) {
            // DEBUG LOADAOF replays inside its own command: keep that command's state for its reply.
            boolean nested = cc.enterCall() > 1;
            if (nested) cc.pushFrame();
            try {
                cc.begin(client, a, cmd, System.currentTimeMillis(), client.reply());
                cmd.handler().handle(cc);
            } catch (CommandError e) {
                // The fake client's error reply is dropped; the file goes on.
            } catch (RuntimeException e) {
                Log.warning("AOF: internal error replaying '" + cmd.fullName + "': " + e);
            } finally {
                if (nested) cc.popFrame();
                int d = cc.exitCall();
                // Nothing loaded is propagated or wakes anyone: forget what the handler asked for.
                cc.pending().resetCall(d + 1);
                cc.pending().clear();
                cc.readyKeys().clear();
                io.netty.buffer.ByteBuf b = client.reply().take();
                if (b != null) b.release();
            }
        }

        private long heldSince;

        private void hold() {
            if (held || worker == null) return;
            keyspace.gate.enterExclusive(worker);
            held = true;
            heldSince = System.nanoTime();
        }

        /**
         * Every 1024 commands: after 50 ms with the keyspace, lets it go for a
         * moment (a waiting command parks up to a millisecond between looks,
         * so taking it back at once would starve it), as Redis serves clients
         * while it loads.
         */
        void pause() {
            if (held && System.nanoTime() - heldSince > 50_000_000L) {
                keyspace.gate.exitExclusive(worker);
                held = false;
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000L);
            }
        }

        void finish() {
            if (held) {
                keyspace.gate.exitExclusive(worker);
                held = false;
            }
        }
    }

    /** A C string's text for messages (up to the first NUL). */
    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** C's atoi on a line (stops at the first non-digit; overflow as strtol clamps, then truncated to int). */
    static long atoi(byte[] line, int from) {
        return (int) strtol(line, from);
    }

    /** C's strtol(s, NULL, 10): leading space, sign, digits; clamps on overflow. */
    static long strtol(byte[] line, int from) {
        int i = from, n = line.length;
        while (i < n && (line[i] == ' ' || (line[i] >= 9 && line[i] <= 13))) i++;
        boolean neg = false;
        if (i < n && (line[i] == '+' || line[i] == '-')) neg = line[i++] == '-';
        long v = 0;
        boolean overflow = false;
        while (i < n && line[i] >= '0' && line[i] <= '9') {
            int d = line[i++] - '0';
            if (v > (Long.MAX_VALUE - d) / 10) overflow = true;
            else v = v * 10 + d;
        }
        if (overflow) return neg ? Long.MIN_VALUE : Long.MAX_VALUE;
        return neg ? -v : v;
    }

    /** fgets and fread over a stream, counting the position (ftello). */
    static final class LineReader {
        private final InputStream in;
        private final byte[] buf = new byte[64 * 1024];
        private int pos, lim;
        private long base;
        private long lineStart;
        private final byte[] line = new byte[LINE_MAX];

        /** The file's size: a length beyond it is a short read, found without allocating it. */
        private final long size;

        LineReader(InputStream in, long start, long size) {
            this.in = in;
            this.base = start;
            this.size = size;
        }

        long position() {
            return base + pos;
        }

        long lineStart() {
            return lineStart;
        }

        private boolean fill() throws IOException {
            if (pos < lim) return true;
            base += lim;
            pos = 0;
            lim = 0;
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) return false;
            lim = n;
            return true;
        }

        /**
         * fgets(buf, 1024): up to 1023 bytes, stopping after a newline; null
         * at the end of the file with nothing read. The result does not
         * include a NUL-terminated tail: a NUL in the line ends it, as C sees it.
         */
        byte[] fgets() throws IOException {
            lineStart = position();
            int n = 0;
            while (n < LINE_MAX - 1) {
                if (!fill()) break;
                byte b = buf[pos++];
                line[n++] = b;
                if (b == '\n') break;
            }
            if (n == 0) return null;
            int c = 0;
            while (c < n && line[c] != 0) c++;
            // A line that starts with NUL reads as an empty C string: not '#', not '*'.
            if (c == 0) return new byte[] {0};
            return java.util.Arrays.copyOf(line, c);
        }

        /** fread(len): the bytes, or null if the file ends first. */
        byte[] read(long len) throws IOException {
            if (len > size - position() || len > Integer.MAX_VALUE - 16) {
                base = size;
                pos = 0;
                lim = 0;
                return null;
            }
            byte[] out = new byte[(int) len];
            int got = 0;
            while (got < len) {
                if (!fill()) return null;
                int k = Math.min(lim - pos, (int) len - got);
                System.arraycopy(buf, pos, out, got, k);
                pos += k;
                got += k;
            }
            return out;
        }

        boolean skip(int n) throws IOException {
            for (int i = 0; i < n; i++) {
                if (!fill()) return false;
                pos++;
            }
            return true;
        }
    }
}
