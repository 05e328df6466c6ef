package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.config.KeyspaceEvents;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.server.BlockingController;
import io.larder.server.BlockingController.Outcome;
import io.larder.server.LarderServer;
import io.larder.store.Database;
import io.larder.store.Keyspace;
import io.larder.store.Lookup;
import io.larder.store.StoredValue;
import io.larder.store.StreamGroup;
import io.larder.store.StreamGroup.Consumer;
import io.larder.store.StreamGroup.Nack;
import io.larder.store.StreamId;
import io.larder.store.StreamValue;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The stream family (Redis's t_stream.c): appending and trimming, ranges,
 * reads that block, consumer groups with their pending entries, claiming,
 * and introspection. Argument parsing, checks and their order, error texts,
 * keyspace events, WATCH signals and reply shapes follow Redis 7.0.
 *
 * <p>Redis reads several arguments as C strings ({@code strcasecmp},
 * {@code strcmp}, {@code %s} in errors): an argument with a NUL byte counts
 * only up to it there, so these helpers ({@link #is}, {@link #cstr}) do the
 * same.
 */
public final class StreamCommands {
    static final CommandError INVALID_ID = Errors.err("Invalid stream ID specified as stream command argument");
    private static final CommandError MAXLEN_AND_MINID =
            Errors.err("syntax error, MAXLEN and MINID options at the same time are not compatible");
    private static final CommandError MAXLEN_NEGATIVE = Errors.err("The MAXLEN argument must be >= 0.");
    private static final CommandError LIMIT_NEGATIVE = Errors.err("The LIMIT argument must be >= 0.");
    private static final CommandError LIMIT_WITHOUT_STRATEGY =
            Errors.err("syntax error, LIMIT cannot be used without specifying a trimming strategy");
    private static final CommandError XTRIM_WITHOUT_STRATEGY =
            Errors.err("syntax error, XTRIM must be called with a trimming strategy");
    private static final CommandError LIMIT_WITHOUT_APPROX =
            Errors.err("syntax error, LIMIT cannot be used without the special ~ option");
    private static final CommandError XADD_ZERO_ID = Errors.err("The ID specified in XADD must be greater than 0-0");
    private static final CommandError XADD_EXHAUSTED =
            Errors.err("The stream has exhausted the last possible ID, unable to add more items");
    private static final CommandError XADD_ID_TOO_SMALL =
            Errors.err("The ID specified in XADD is equal or smaller than the target stream top item");
    private static final CommandError XADD_TOO_LARGE = Errors.err("Elements are too large to be stored");
    private static final CommandError START_ID = Errors.err("invalid start ID for the interval");
    private static final CommandError END_ID = Errors.err("invalid end ID for the interval");
    private static final CommandError TIMEOUT_NOT_INTEGER = Errors.err("timeout is not an integer or out of range");
    private static final CommandError UNBALANCED = Errors.err("Unbalanced XREAD list of streams: for each stream key "
            + "an ID or '$' must be specified.");
    private static final CommandError GROUP_ONLY_XREADGROUP =
            Errors.err("The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
    private static final CommandError NOACK_ONLY_XREADGROUP =
            Errors.err("The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
    private static final CommandError MISSING_GROUP = Errors.err("Missing GROUP option for XREADGROUP");
    private static final CommandError DOLLAR_IN_XREADGROUP = Errors.err("The $ ID is meaningless in the context of "
            + "XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID "
            + "to get new messages. The $ ID would just return an empty result set.");
    private static final CommandError GT_IN_XREAD = Errors.err("The > ID can be specified only when calling "
            + "XREADGROUP using the GROUP <group> <consumer> option.");
    private static final CommandError XGROUP_NO_KEY = Errors.err("The XGROUP subcommand requires the key to exist. "
            + "Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.");
    private static final CommandError BUSYGROUP = new CommandError("BUSYGROUP Consumer Group name already exists");
    private static final CommandError ENTRIESREAD_RANGE = Errors.err("value for ENTRIESREAD must be positive or -1");
    private static final CommandError ENTRIES_ADDED_NEGATIVE = Errors.err("entries_added must be positive");
    private static final CommandError XSETID_BELOW_GIVEN_MAXDEL =
            Errors.err("The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
    private static final CommandError XSETID_BELOW_TOP =
            Errors.err("The ID specified in XSETID is smaller than the target stream top item");
    private static final CommandError XSETID_ADDED_BELOW_LENGTH =
            Errors.err("The entries_added specified in XSETID is smaller than the target stream length");
    private static final CommandError XCLAIM_MIN_IDLE = Errors.err("Invalid min-idle-time argument for XCLAIM");
    private static final CommandError XCLAIM_IDLE = Errors.err("Invalid IDLE option argument for XCLAIM");
    private static final CommandError XCLAIM_TIME = Errors.err("Invalid TIME option argument for XCLAIM");
    private static final CommandError XCLAIM_RETRYCOUNT = Errors.err("Invalid RETRYCOUNT option argument for XCLAIM");
    private static final CommandError XAUTOCLAIM_MIN_IDLE =
            Errors.err("Invalid min-idle-time argument for XAUTOCLAIM");
    private static final CommandError XAUTOCLAIM_COUNT = Errors.err("COUNT must be > 0");
    private static final CommandError XAUTOCLAIM_NO_MEMORY =
            Errors.err("Insufficient memory, failed allocating transient memory, COUNT too high.");
    private static final long MAX_TRANSIENT_BYTES = 5L << 44;
    private static final String UNBLOCKED_DELETED = "UNBLOCKED the stream key no longer exists";
    private static final String UNBLOCKED_NOGROUP =
            "NOGROUP the consumer group this client was blocked on no longer exists";

    /** XREAD_BLOCKED_DEFAULT_COUNT: a blocked read without COUNT gets at most this many entries. */
    private static final long BLOCKED_DEFAULT_COUNT = 1000;
    /** XAUTOCLAIM scans at most COUNT times this many pending entries. */
    private static final long ATTEMPTS_FACTOR = 10;

    /** Room to format an ID ("18446744073709551615-18446744073709551615") without allocating per reply. */
    private static final FastThreadLocal<byte[]> ID_SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[48];
        }
    };

    private final BlockingController blocking;
    private volatile long nodeMaxBytes, nodeMaxEntries;

    public StreamCommands(LarderServer server) {
        this.blocking = server.blocking();
        server.config().watch("stream-node-max-bytes", p -> nodeMaxBytes = server.config().getLong(p.name));
        server.config().watch("stream-node-max-entries", p -> nodeMaxEntries = server.config().getLong(p.name));
    }

    public void register(CommandTable t) {
        t.add("xadd", this::xadd);
        t.add("xrange", c -> xrange(c, false));
        t.add("xrevrange", c -> xrange(c, true));
        t.add("xlen", this::xlen);
        t.add("xdel", this::xdel);
        t.add("xtrim", this::xtrim);
        t.add("xsetid", this::xsetid);
        t.add("xread", c -> xread(c, false)).keys(StreamCommands::xreadKeys);
        t.add("xreadgroup", c -> xread(c, true)).keys(StreamCommands::xreadKeys);
        t.add("xgroup|create", c -> xgroup(c, GroupOp.CREATE));
        t.add("xgroup|setid", c -> xgroup(c, GroupOp.SETID));
        t.add("xgroup|destroy", c -> xgroup(c, GroupOp.DESTROY));
        t.add("xgroup|createconsumer", c -> xgroup(c, GroupOp.CREATECONSUMER));
        t.add("xgroup|delconsumer", c -> xgroup(c, GroupOp.DELCONSUMER));
        t.add("xgroup|help", c -> ServerCommands.help(c, List.of(
                "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "CREATE <key> <groupname> <id|$> [option]",
                "    Create a new consumer group. Options are:",
                "    * MKSTREAM",
                "      Create the empty stream if it does not exist.",
                "    * ENTRIESREAD entries_read",
                "      Set the group's entries_read counter (internal use).",
                "CREATECONSUMER <key> <groupname> <consumer>",
                "    Create a new consumer in the specified group.",
                "DELCONSUMER <key> <groupname> <consumer>",
                "    Remove the specified consumer.",
                "DESTROY <key> <groupname>",
                "    Remove the specified group.",
                "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
                "    Set the current group ID and entries_read counter.",
                "HELP",
                "    Prints this help."))).noKeyspace();
        t.add("xack", this::xack);
        t.add("xpending", this::xpending);
        t.add("xclaim", this::xclaim);
        t.add("xautoclaim", this::xautoclaim);
        t.add("xinfo|stream", this::xinfoStream);
        t.add("xinfo|groups", this::xinfoGroups);
        t.add("xinfo|consumers", this::xinfoConsumers);
        t.add("xinfo|help", c -> ServerCommands.help(c, List.of(
                "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "CONSUMERS <key> <groupname>",
                "    Show consumers of <groupname>.",
                "GROUPS <key>",
                "    Show the stream consumer groups.",
                "STREAM <key> [FULL [COUNT <count>]",
                "    Show information about the stream.",
                "HELP",
                "    Prints this help."))).noKeyspace();
    }

    // ------------------------------------------------------------ arguments as Redis reads them

    /** The stream an entry holds, null for no entry, or WRONGTYPE. */
    static StreamValue stream(Object e) {
        if (e == null) return null;
        if (e instanceof StreamValue s) return s;
        throw Errors.WRONGTYPE;
    }

    /** Length of argument i as a C string: up to its first NUL byte. */
    static int clen(Args a, int i) {
        byte[] b = a.buf();
        int o = a.off(i), n = a.len(i);
        for (int k = 0; k < n; k++) if (b[o + k] == 0) return k;
        return n;
    }

    /** strcasecmp(argument, token) == 0. */
    static boolean is(Args a, int i, String token) {
        int n = token.length();
        if (clen(a, i) != n) return false;
        byte[] b = a.buf();
        int o = a.off(i);
        for (int k = 0; k < n; k++) {
            int x = b[o + k], y = token.charAt(k);
            if (x != y && Character.toLowerCase((char) (x & 0xFF)) != Character.toLowerCase((char) y)) return false;
        }
        return true;
    }

    /** strcmp(argument, s) == 0 for one-character s ("$", ">", "*", "~", "="). */
    static boolean isChar(Args a, int i, char ch) {
        return a.len(i) >= 1 && a.buf()[a.off(i)] == ch && (a.len(i) == 1 || a.buf()[a.off(i) + 1] == 0);
    }

    /** The argument as %s prints it: up to its first NUL byte. */
    static String cstr(Args a, int i) {
        return new String(a.buf(), a.off(i), clen(a, i), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /**
     * Redis's streamGenericParseIDOrReply on bytes [off, off+len) of the
     * buffer: "-" and "+" (unless strict), "ms-seq", "ms" (sequence
     * {@code missingSeq}); with {@code autoSeq} non-null also "ms-*", which
     * sets autoSeq[0]. Numbers follow string2ull, including its strtoull
     * fallback (leading spaces, '+', leading zeros and even a '-' wrapping
     * modulo 2^64 are accepted). Throws the invalid ID error.
     */
    static StreamId parseId(byte[] b, int off, int len, long missingSeq, boolean strict, boolean[] autoSeq) {
        if (len > 127) throw INVALID_ID;
        int n = 0;
        while (n < len && b[off + n] != 0) n++;
        if (n == 1 && (b[off] == '-' || b[off] == '+')) {
            if (strict) throw INVALID_ID;
            return b[off] == '-' ? StreamId.MIN : StreamId.MAX;
        }
        int dash = -1;
        for (int k = 0; k < n; k++) {
            if (b[off + k] == '-') {
                dash = k;
                break;
            }
        }
        long[] v = new long[1];
        if (!string2ull(b, off, dash < 0 ? n : dash, v)) throw INVALID_ID;
        long ms = v[0], seq;
        if (dash >= 0) {
            int so = off + dash + 1, sl = n - dash - 1;
            if (autoSeq != null && sl == 1 && b[so] == '*') {
                autoSeq[0] = true;
                seq = 0;
            } else {
                if (!string2ull(b, so, sl, v)) throw INVALID_ID;
                seq = v[0];
            }
        } else {
            seq = missingSeq;
        }
        return new StreamId(ms, seq);
    }

    static StreamId parseId(Args a, int i, long missingSeq, boolean strict) {
        return parseId(a.buf(), a.off(i), a.len(i), missingSeq, strict, null);
    }

    /** string2ull: string2ll, rejecting negatives, else strtoull(s, &end, 10) consuming everything. */
    static boolean string2ull(byte[] b, int off, int len, long[] out) {
        if (io.larder.util.Numbers.isLong(b, off, len)) {
            long v = io.larder.util.Numbers.parseLong(b, off, len);
            if (v < 0) return false;
            out[0] = v;
            return true;
        }
        int p = off, end = off + len;
        while (p < end && (b[p] == ' ' || (b[p] >= '\t' && b[p] <= '\r'))) p++;
        boolean neg = false;
        if (p < end && (b[p] == '+' || b[p] == '-')) {
            neg = b[p] == '-';
            p++;
        }
        if (p == end || b[p] < '0' || b[p] > '9') return false;
        long v = 0;
        while (p < end && b[p] >= '0' && b[p] <= '9') {
            int d = b[p] - '0';
            // v * 10 + d must fit in 64 unsigned bits (else ERANGE).
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) return false;
            v = v * 10 + d;
            p++;
        }
        if (p != end) return false;
        out[0] = neg ? -v : v;
        return true;
    }

    /** A range start ("(" for exclusive, Redis's streamParseIntervalIDOrReply then streamIncrID). */
    static StreamId rangeStart(Args a, int i) {
        if (a.len(i) > 1 && a.buf()[a.off(i)] == '(') {
            StreamId id = parseId(a.buf(), a.off(i) + 1, a.len(i) - 1, 0, true, null).next();
            if (id == null) throw START_ID;
            return id;
        }
        return parseId(a, i, 0, false);
    }

    static StreamId rangeEnd(Args a, int i) {
        if (a.len(i) > 1 && a.buf()[a.off(i)] == '(') {
            StreamId id = parseId(a.buf(), a.off(i) + 1, a.len(i) - 1, -1, true, null).prev();
            if (id == null) throw END_ID;
            return id;
        }
        return parseId(a, i, -1, false);
    }

    /** getLongLongFromObjectOrReply with a custom message. */
    static long longArg(Args a, int i, CommandError err) {
        try {
            return a.longAt(i);
        } catch (io.larder.util.Numbers.Invalid e) {
            throw err;
        }
    }

    // ------------------------------------------------------------ replies

    static void writeId(Reply r, long ms, long seq) {
        byte[] b = ID_SCRATCH.get();
        r.bulk(b, 0, StreamId.format(ms, seq, b));
    }

    static void writeId(Reply r, StreamId id) {
        writeId(r, id.ms(), id.seq());
    }

    /** One entry: [id, [field, value, ...]]. */
    static void writeEntry(Reply r, StreamValue.Cursor cur) {
        r.array(2);
        writeId(r, cur.ms(), cur.seq());
        int n = cur.numFields();
        r.array(2L * n);
        cur.beginFields();
        byte[] b = cur.buf();
        for (int i = 0; i < n; i++) {
            ListCommands.writeEncoded(r, b, cur.nextField());
            ListCommands.writeEncoded(r, b, cur.nextValue());
        }
    }

    /** The single entry with this ID as [id, fields] (STREAM_RWR_RAWENTRIES), or false if it does not exist. */
    static boolean writeRawEntry(Reply r, StreamValue s, long ms, long seq) {
        StreamValue.Cursor cur = s.cursor(ms, seq, ms, seq, false);
        if (!cur.next()) return false;
        writeEntry(r, cur);
        return true;
    }

    /**
     * Redis's streamReplyWithRange: an array of the entries in [start, end]
     * (at most count, 0 = all). With a group, each entry is delivered: the
     * group's last ID and read counter advance and, unless noack, the entry
     * becomes pending for the consumer (moved to it if another consumer had
     * it). Returns the number of entries.
     */
    static long replyRange(CommandContext c, StreamValue s, StreamId start, StreamId end, long count, boolean rev,
            StreamGroup g, Consumer consumer, boolean noack) {
        return replyRange(c, s, start, end, count, rev, g, consumer, noack, null);
    }

    /**
     * {@link #replyRange} propagating a group read ({@code p} not null): each
     * delivery as XCLAIM; with NOACK the group's new last ID as XGROUP SETID
     * (after XGROUP CREATECONSUMER for a consumer this read created).
     */
    static long replyRange(CommandContext c, StreamValue s, StreamId start, StreamId end, long count, boolean rev,
            StreamGroup g, Consumer consumer, boolean noack, Propagation p) {
        Reply r = c.reply();
        r.beginDeferred();
        long n = 0;
        StreamValue.Cursor cur = s.cursor(start, end, rev);
        long now = c.now();
        boolean propagate = p != null && c.propagating();
        boolean lastIdMoved = false;
        while (cur.next()) {
            long ms = cur.ms(), seq = cur.seq();
            if (g != null && StreamId.compare(ms, seq, g.lastMs, g.lastSeq) > 0) {
                if (g.entriesRead != StreamGroup.UNKNOWN_READS && !s.hasTombstonesFrom(ms, seq)) {
                    g.entriesRead++;
                } else if (s.entriesAdded() != 0) {
                    g.entriesRead = s.estimateReads(ms, seq);
                }
                g.lastMs = ms;
                g.lastSeq = seq;
                // Without NOACK the XCLAIMs carry the last ID.
                if (noack) lastIdMoved = true;
            }
            writeEntry(r, cur);
            if (g != null && !noack) {
                Nack nack = new Nack(ms, seq);
                if (g.pel.add(nack)) {
                    nack.consumer = consumer;
                    consumer.pel.add(nack);
                } else {
                    nack = g.pel.ceiling(nack);
                    g.assign(nack, consumer);
                }
                nack.deliveryTime = now;
                nack.deliveryCount = 1;
                if (propagate) propagateClaim(c, p.key(), p.group(), idBytes(ms, seq), nack, g);
            }
            n++;
            if (count != 0 && n == count) break;
        }
        r.endArray(n);
        if (propagate && lastIdMoved) {
            if (p.consumerCreated()) c.alsoPropagate(c.db(), XGROUP, CREATECONSUMER, p.key(), p.group(), consumer.name);
            propagateGroupId(c, p.key(), p.group(), g);
        }
        return n;
    }

    /**
     * Redis's streamReplyWithRangeFromConsumerPEL (XREADGROUP with an ID):
     * the consumer's own pending entries from start on, each delivered again
     * (delivery time and count updated); an entry deleted meanwhile comes
     * as [id, nil].
     */
    static void replyConsumerPel(CommandContext c, StreamValue s, StreamId start, long count, Consumer consumer) {
        Reply r = c.reply();
        r.beginDeferred();
        long n = 0;
        long now = c.now();
        for (Nack nack : consumer.pel.tailSet(new Nack(start.ms(), start.seq()), true)) {
            if (count != 0 && n >= count) break;
            if (!writeRawEntry(r, s, nack.ms, nack.seq)) {
                r.array(2);
                writeId(r, nack.ms, nack.seq);
                r.nullArray();
            } else {
                nack.deliveryTime = now;
                nack.deliveryCount++;
            }
            n++;
        }
        r.endArray(n);
    }

    // ------------------------------------------------------------ XADD, XTRIM

    private static final int TRIM_NONE = 0, TRIM_MAXLEN = 1, TRIM_MINID = 2;

    /** Parsed XADD/XTRIM options (Redis's streamAddTrimArgs). */
    static final class AddTrimArgs {
        int strategy = TRIM_NONE;
        long maxlen;
        StreamId minId;
        boolean approx;
        long limit;
        boolean noMkstream;
        StreamId id;
        boolean idGiven;
        boolean autoSeq;
        /** XADD: the position of the ID argument. */
        int idPos;
        /** The position of the MAXLEN / MINID value (Redis's trim_strategy_arg_idx). */
        int trimArg;
    }

    /** Redis's streamParseAddOrTrimArgsOrReply, options in their order, errors as they come. */
    private AddTrimArgs parseAddTrim(CommandContext c, boolean xadd) {
        Args a = c.args();
        int argc = a.count();
        AddTrimArgs t = new AddTrimArgs();
        boolean limitGiven = false;
        int i = 2;
        for (; i < argc; i++) {
            int more = argc - 1 - i;
            if (xadd && isChar(a, i, '*')) {
                break;
            } else if (is(a, i, "maxlen") && more > 0) {
                if (t.strategy != TRIM_NONE) throw MAXLEN_AND_MINID;
                t.approx = false;
                if (more >= 2 && isChar(a, i + 1, '~')) {
                    t.approx = true;
                    i++;
                } else if (more >= 2 && isChar(a, i + 1, '=')) {
                    i++;
                }
                t.maxlen = c.longArg(i + 1);
                if (t.maxlen < 0) throw MAXLEN_NEGATIVE;
                t.trimArg = i + 1;
                i++;
                t.strategy = TRIM_MAXLEN;
            } else if (is(a, i, "minid") && more > 0) {
                if (t.strategy != TRIM_NONE) throw MAXLEN_AND_MINID;
                t.approx = false;
                if (more >= 2 && isChar(a, i + 1, '~')) {
                    t.approx = true;
                    i++;
                } else if (more >= 2 && isChar(a, i + 1, '=')) {
                    i++;
                }
                t.minId = parseId(a, i + 1, 0, true);
                t.trimArg = i + 1;
                i++;
                t.strategy = TRIM_MINID;
            } else if (is(a, i, "limit") && more > 0) {
                t.limit = c.longArg(i + 1);
                if (t.limit < 0) throw LIMIT_NEGATIVE;
                limitGiven = true;
                i++;
            } else if (xadd && is(a, i, "nomkstream")) {
                t.noMkstream = true;
            } else if (xadd) {
                boolean[] auto = new boolean[1];
                t.id = parseId(a.buf(), a.off(i), a.len(i), 0, true, auto);
                t.autoSeq = auto[0];
                t.idGiven = true;
                break;
            } else {
                throw Errors.SYNTAX;
            }
        }
        t.idPos = i;
        if (t.limit != 0 && t.strategy == TRIM_NONE) throw LIMIT_WITHOUT_STRATEGY;
        if (!xadd && t.strategy == TRIM_NONE) throw XTRIM_WITHOUT_STRATEGY;
        if (c.client().has(io.larder.server.Client.AOF)) {
            // From the AOF (a master, later): the trim argument was rewritten to what was trimmed, exactly.
            t.limit = 0;
        } else if (limitGiven) {
            if (!t.approx) throw LIMIT_WITHOUT_APPROX;
        } else if (t.approx) {
            // 100 * stream-node-max-entries, at most 10000 (and 10000 when the product is not positive).
            long e = nodeMaxEntries;
            t.limit = e > 0 && e <= 100 ? 100 * e : 10000;
        } else {
            t.limit = 0;
        }
        return t;
    }

    private static long trim(StreamValue s, AddTrimArgs t) {
        if (t.strategy == TRIM_NONE) return 0;
        return s.trim(t.strategy == TRIM_MAXLEN, t.maxlen, t.minId, t.approx, t.limit);
    }

    void xadd(CommandContext c) {
        AddTrimArgs t = parseAddTrim(c, true);
        Args a = c.args();
        int fieldPos = t.idPos + 1;
        int n = a.count() - fieldPos;
        if (n < 2 || n % 2 == 1) throw Errors.wrongArgs(c.command().fullName);
        if (t.idGiven && !t.autoSeq && t.id.isZero()) throw XADD_ZERO_ID;
        Database db = c.db();
        Lookup lk = c.lookup();
        StreamValue s = stream(c.write(db, 1));
        boolean created = false;
        if (s == null) {
            if (t.noMkstream) {
                c.reply().nullBulk();
                return;
            }
            s = new StreamValue();
            s.init(a.bytes(1), StoredValue.NO_EXPIRE, Keyspace.lruClock(c.now()));
            c.insert(db, lk, s); // signals the key ready for blocked readers
            created = true;
        }
        long lastMs = s.lastMs(), lastSeq = s.lastSeq();
        if (lastMs == -1 && lastSeq == -1) throw XADD_EXHAUSTED;
        long ms, seq;
        if (!t.idGiven) {
            // streamNextID: the clock, or one more than the last ID if the clock is not ahead of it.
            long now = c.now();
            if (Long.compareUnsigned(now, lastMs) > 0) {
                ms = now;
                seq = 0;
            } else if (lastSeq == -1) {
                ms = lastMs + 1;
                seq = 0;
            } else {
                ms = lastMs;
                seq = lastSeq + 1;
            }
        } else if (t.autoSeq) {
            ms = t.id.ms();
            if (ms == lastMs) {
                // Redis 7.0 fails here without setting errno to EDOM, so it reports the size error.
                if (lastSeq == -1) throw XADD_TOO_LARGE;
                seq = lastSeq + 1;
            } else {
                seq = 0;
            }
        } else {
            ms = t.id.ms();
            seq = t.id.seq();
        }
        if (StreamId.compare(ms, seq, lastMs, lastSeq) <= 0) throw XADD_ID_TOO_SMALL;
        long total = 0;
        for (int i = fieldPos; i < a.count(); i++) total += a.len(i);
        if (total > StreamValue.LISTPACK_MAX_SIZE) throw XADD_TOO_LARGE;
        s.append(ms, seq, a, fieldPos, n / 2, nodeMaxBytes, nodeMaxEntries);
        writeId(c.reply(), ms, seq);
        c.keyModified(db, 1);
        c.notify(KeyspaceEvents.STREAM, "xadd", db, 1);
        c.dirty(1);
        if (t.strategy != TRIM_NONE && trim(s, t) > 0) c.notify(KeyspaceEvents.STREAM, "xtrim", db, 1);
        if (c.propagating()) {
            // The ID it made ("*", "ms-*") is propagated, and an approximate trim as the exact one it did.
            if (!t.idGiven || t.autoSeq) c.propagateArg(t.idPos, idBytes(ms, seq));
            if (t.strategy != TRIM_NONE && t.approx) propagateExactTrim(c, s, t);
        }
        db.updated(lk);
        // A stream growing in place feeds blocked readers (a new one was signalled by insert).
        if (!created && blocking.hasWaiters()) c.keyReady(db, a.bytes(1));
    }

    /**
     * streamRewriteApproxSpecifier and streamRewriteTrimArgument: "~" becomes
     * "=" and the threshold what the stream now is (its length, or its first
     * ID), so a replay trims exactly what was trimmed here.
     */
    private static void propagateExactTrim(CommandContext c, StreamValue s, AddTrimArgs t) {
        c.propagateArg(t.trimArg - 1, EQUALS);
        if (t.strategy == TRIM_MAXLEN) {
            c.propagateArg(t.trimArg, io.larder.journal.Resp.number(s.length()));
        } else {
            StreamId first = s.edge(true);
            c.propagateArg(t.trimArg, idBytes(first.ms(), first.seq()));
        }
    }

    static byte[] idBytes(long ms, long seq) {
        byte[] b = new byte[44];
        int n = StreamId.format(ms, seq, b);
        return Arrays.copyOf(b, n);
    }

    private static final byte[] EQUALS = {'='}, XCLAIM = Propagated.ascii("XCLAIM"), ZERO = {'0'},
            TIME = Propagated.ascii("TIME"), RETRYCOUNT = Propagated.ascii("RETRYCOUNT"),
            FORCE = Propagated.ascii("FORCE"), JUSTID = Propagated.ascii("JUSTID"), LASTID = Propagated.ascii("LASTID"),
            XGROUP = Propagated.ascii("XGROUP"), SETID = Propagated.ascii("SETID"),
            ENTRIESREAD = Propagated.ascii("ENTRIESREAD"), CREATECONSUMER = Propagated.ascii("CREATECONSUMER");

    /**
     * streamPropagateXCLAIM: the idempotent form of a delivery or claim
     * (XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID
     * LASTID group-last-id), with the pending entry's state as it is now.
     */
    static void propagateClaim(CommandContext c, byte[] key, byte[] group, byte[] id, Nack n, StreamGroup g) {
        c.alsoPropagate(c.db(), XCLAIM, key, group, n.consumer.name, ZERO, id, TIME,
                io.larder.journal.Resp.number(n.deliveryTime), RETRYCOUNT, io.larder.journal.Resp.number(n.deliveryCount),
                FORCE, JUSTID, LASTID, idBytes(g.lastMs, g.lastSeq));
    }

    /** streamPropagateGroupID: XGROUP SETID key group last-id ENTRIESREAD n. */
    static void propagateGroupId(CommandContext c, byte[] key, byte[] group, StreamGroup g) {
        c.alsoPropagate(c.db(), XGROUP, SETID, key, group, idBytes(g.lastMs, g.lastSeq), ENTRIESREAD,
                io.larder.journal.Resp.number(g.entriesRead));
    }

    /** Where a group read propagates its deliveries (Redis's streamPropagateInfo). */
    record Propagation(byte[] key, byte[] group, boolean consumerCreated) {}

    void xtrim(CommandContext c) {
        AddTrimArgs t = parseAddTrim(c, false);
        Database db = c.db();
        StreamValue s = stream(c.write(db, 1));
        if (s == null) {
            c.reply().integer(0);
            return;
        }
        long deleted = trim(s, t);
        if (deleted > 0) {
            if (t.approx && c.propagating()) propagateExactTrim(c, s, t);
            db.updated(c.lookup());
            c.notify(KeyspaceEvents.STREAM, "xtrim", db, 1);
            c.keyModified(db, 1);
            c.dirty(deleted);
        }
        c.reply().integer(deleted);
    }

    // ------------------------------------------------------------ XRANGE, XREVRANGE, XLEN, XDEL, XSETID

    void xrange(CommandContext c, boolean rev) {
        Args a = c.args();
        StreamId start = rangeStart(a, rev ? 3 : 2);
        StreamId end = rangeEnd(a, rev ? 2 : 3);
        long count = -1;
        for (int j = 4; j < a.count(); j++) {
            if (is(a, j, "COUNT") && a.count() - j - 1 >= 1) {
                count = c.longArg(j + 1);
                if (count < 0) count = 0;
                j++;
            } else {
                throw Errors.SYNTAX;
            }
        }
        StreamValue s = stream(c.read(1));
        if (s == null) {
            c.reply().emptyArray();
            return;
        }
        if (count == 0) {
            c.reply().nullArray();
            return;
        }
        replyRange(c, s, start, end, count == -1 ? 0 : count, rev, null, null, false);
    }

    void xlen(CommandContext c) {
        StreamValue s = stream(c.read(1));
        c.reply().integer(s == null ? 0 : s.length());
    }

    void xdel(CommandContext c) {
        Args a = c.args();
        Database db = c.db();
        StreamValue s = stream(c.write(db, 1));
        if (s == null) {
            c.reply().integer(0);
            return;
        }
        List<StreamId> ids = new ArrayList<>(a.count() - 2);
        for (int j = 2; j < a.count(); j++) ids.add(parseId(a, j, 0, true));
        long deleted = s.delete(ids);
        if (deleted > 0) {
            db.updated(c.lookup());
            c.keyModified(db, 1);
            c.notify(KeyspaceEvents.STREAM, "xdel", db, 1);
            c.dirty(deleted);
        }
        c.reply().integer(deleted);
    }

    void xsetid(CommandContext c) {
        Args a = c.args();
        StreamId id = parseId(a, 2, 0, true);
        long added = -1;
        StreamId maxDel = StreamId.MIN;
        int i = 3;
        while (i < a.count()) {
            boolean more = a.count() - 1 - i > 0;
            if (is(a, i, "ENTRIESADDED") && more) {
                added = c.longArg(i + 1);
                if (added < 0) throw ENTRIES_ADDED_NEGATIVE;
                i += 2;
            } else if (is(a, i, "MAXDELETEDID") && more) {
                maxDel = parseId(a, i + 1, 0, true);
                if (id.compareTo(maxDel) < 0) throw XSETID_BELOW_GIVEN_MAXDEL;
                i += 2;
            } else {
                throw Errors.SYNTAX;
            }
        }
        Database db = c.db();
        StreamValue s = stream(c.write(db, 1));
        if (s == null) throw Errors.NO_SUCH_KEY;
        if (s.length() > 0) {
            if (id.compareTo(s.lastValidId()) < 0) throw XSETID_BELOW_TOP;
            if (added != -1 && s.length() > added) throw XSETID_ADDED_BELOW_LENGTH;
        }
        s.setId(id, added, maxDel);
        c.reply().ok();
        c.dirty(1);
        c.notify(KeyspaceEvents.STREAM, "xsetid", db, 1);
    }

    // ------------------------------------------------------------ XREAD, XREADGROUP

    /**
     * Key positions of XREAD/XREADGROUP (Redis's xreadGetKeys): the first
     * half of the arguments after the STREAMS option, found by skipping the
     * other options as the command does ("STREAMS" may also be a group,
     * consumer or key name).
     */
    static int xreadKeys(Args a, int[] out) {
        int argc = a.count();
        int streamsPos = -1;
        for (int i = 1; i < argc; i++) {
            if (is(a, i, "block") || is(a, i, "count")) {
                i++;
            } else if (is(a, i, "group")) {
                i += 2;
            } else if (is(a, i, "noack")) {
                continue;
            } else if (is(a, i, "streams")) {
                streamsPos = i;
                break;
            } else {
                break;
            }
        }
        int num = argc - streamsPos - 1;
        if (streamsPos == -1 || num == 0 || num % 2 != 0) return 0;
        num /= 2;
        for (int k = 0; k < num; k++) out[k] = streamsPos + 1 + k;
        return num;
    }

    void xread(CommandContext c, boolean group) {
        Args a = c.args();
        int argc = a.count();
        long timeout = -1;
        long count = 0;
        int streamsArg = 0, streams = 0;
        boolean noack = false;
        int groupArg = -1;
        for (int i = 1; i < argc; i++) {
            int more = argc - i - 1;
            if (is(a, i, "BLOCK") && more > 0) {
                // Redis keeps this error for scripts (elsewhere a client that may not block reads at once).
                if (c.client().has(io.larder.server.Client.SCRIPT)) {
                    throw new CommandError("ERR " + a.str(0) + " command is not allowed with BLOCK option from scripts");
                }
                i++;
                timeout = longArg(a, i, TIMEOUT_NOT_INTEGER);
                if (timeout < 0) throw Errors.TIMEOUT_NEGATIVE;
            } else if (is(a, i, "COUNT") && more > 0) {
                i++;
                count = c.longArg(i);
                if (count < 0) count = 0;
            } else if (is(a, i, "STREAMS") && more > 0) {
                streamsArg = i + 1;
                streams = argc - streamsArg;
                if (streams % 2 != 0) throw UNBALANCED;
                streams /= 2;
                break;
            } else if (is(a, i, "GROUP") && more >= 2) {
                if (!group) throw GROUP_ONLY_XREADGROUP;
                groupArg = i + 1;
                i += 2;
            } else if (is(a, i, "NOACK")) {
                if (!group) throw NOACK_ONLY_XREADGROUP;
                noack = true;
            } else {
                throw Errors.SYNTAX;
            }
        }
        if (streamsArg == 0) throw Errors.SYNTAX;
        if (group && groupArg < 0) throw MISSING_GROUP;

        Database db = c.db();
        byte[] groupName = groupArg < 0 ? null : a.bytes(groupArg);
        // XREADGROUP is propagated through what it does (XCLAIM, XGROUP SETID), never itself.
        if (group) c.preventPropagation();
        StreamId[] ids = new StreamId[streams];
        StreamGroup[] groups = groupName == null ? null : new StreamGroup[streams];
        for (int k = 0; k < streams; k++) {
            int keyArg = streamsArg + k, idArg = keyArg + streams;
            StreamValue s = stream(c.read(db, keyArg));
            if (groupName != null) {
                StreamGroup g = s == null ? null : s.group(groupName);
                if (g == null) {
                    throw new CommandError("NOGROUP No such key '" + cstr(a, keyArg) + "' or consumer group '"
                            + cstr(a, groupArg) + "' in XREADGROUP with GROUP option");
                }
                groups[k] = g;
            }
            if (isChar(a, idArg, '$')) {
                if (group) throw DOLLAR_IN_XREADGROUP;
                ids[k] = s == null ? StreamId.MIN : s.lastId();
            } else if (isChar(a, idArg, '>')) {
                if (!group) throw GT_IN_XREAD;
                ids[k] = StreamId.MAX; // ">": the group's last delivered ID, resolved when serving
            } else {
                ids[k] = parseId(a, idArg, 0, true);
            }
        }

        Reply r = c.reply();
        long served = 0;
        for (int k = 0; k < streams; k++) {
            int keyArg = streamsArg + k;
            StreamValue s = stream(c.read(db, keyArg));
            if (s == null) continue;
            StreamId gt = ids[k];
            boolean serve = false, history = false;
            Consumer consumer = null;
            if (groups != null) {
                StreamGroup g = groups[k];
                if (!gt.isMax()) {
                    serve = true;
                    history = true;
                } else if (s.length() > 0) {
                    if (s.lastValidId().compareTo(g.lastMs, g.lastSeq) > 0) {
                        serve = true;
                        gt = new StreamId(g.lastMs, g.lastSeq);
                    }
                }
            } else if (s.length() > 0) {
                serve = s.lastValidId().compareTo(gt) > 0;
            }
            if (!serve) continue;
            if (++served == 1) r.beginDeferred();
            StreamId start = gt.next();
            if (!r.isResp3()) r.array(2);
            r.bulk(a.buf(), a.off(keyArg), a.len(keyArg));
            // Redis 7.0 creates the consumer only when it is served something.
            boolean created = false;
            if (groups != null) {
                created = groups[k].consumer(a.bytes(groupArg + 1)) == null;
                consumer = consumerFor(c, db, keyArg, groups[k], a.bytes(groupArg + 1));
            }
            if (history) {
                replyConsumerPel(c, s, start == null ? StreamId.MIN : start, count, consumer);
            } else {
                replyRange(c, s, start == null ? StreamId.MIN : start, StreamId.MAX, count, false,
                        groups == null ? null : groups[k], consumer, noack,
                        groups == null ? null : new Propagation(a.bytes(keyArg), groupName, created));
            }
            if (groups != null) {
                c.dirty(1);
                db.updated(c.lookup());
            }
        }
        if (served > 0) {
            if (r.isResp3()) r.endMap(served);
            else r.endArray(served);
            return;
        }
        if (timeout == -1 || !blocking.mayBlock(c)) {
            r.nullArray();
            return;
        }
        long deadline = timeout == 0 ? 0 : (timeout > Long.MAX_VALUE - c.now() ? 0 : c.now() + timeout);
        int[] keys = new int[streams];
        for (int k = 0; k < streams; k++) keys[k] = streamsArg + k;
        long blockedCount = count != 0 ? count : BLOCKED_DEFAULT_COUNT;
        byte[] consumerName = groupName == null ? null : a.bytes(groupArg + 1);
        final boolean ack = !noack;
        final int firstKey = streamsArg;
        blocking.block(c, keys, deadline, (cc, keyArg) ->
                serveBlocked(cc, keyArg, ids[keyArg - firstKey], groupName, consumerName, ack, blockedCount));
    }

    /**
     * Serves a client blocked in XREAD or XREADGROUP from one of its keys
     * (Redis 7.0's serveClientsBlockedOnStreamKey and, for a key that is gone
     * or no longer a stream, unblockDeletedStreamReadgroupClients).
     */
    private static Outcome serveBlocked(CommandContext c, int keyArg, StreamId gt, byte[] groupName,
            byte[] consumerName, boolean ack, long count) {
        Database db = c.db();
        Object e = db.find(c.lookup(), c.args(), keyArg, c.now());
        if (!(e instanceof StreamValue s)) {
            if (groupName == null) return Outcome.NOT_SERVED;
            c.reply().error(UNBLOCKED_DELETED);
            return Outcome.SERVED;
        }
        StreamGroup g = null;
        if (groupName != null) {
            g = s.group(groupName);
            if (g == null) {
                c.reply().error(UNBLOCKED_NOGROUP);
                return Outcome.SERVED;
            }
            gt = new StreamId(g.lastMs, g.lastSeq);
        }
        if (StreamId.compare(s.lastMs(), s.lastSeq(), gt.ms(), gt.seq()) <= 0) return Outcome.NOT_SERVED;
        StreamId start = gt.next();
        Consumer consumer = null;
        boolean created = false;
        if (g != null) {
            created = g.consumer(consumerName) == null;
            consumer = consumerFor(c, db, keyArg, g, consumerName);
            c.preventPropagation();
        }
        Reply r = c.reply();
        Args a = c.args();
        if (r.isResp3()) {
            r.map(1);
        } else {
            r.array(1);
            r.array(2);
        }
        r.bulk(a.buf(), a.off(keyArg), a.len(keyArg));
        replyRange(c, s, start, StreamId.MAX, count, false, g, consumer, !ack,
                g == null ? null : new Propagation(a.bytes(keyArg), groupName, created));
        if (g != null) db.updated(c.lookup());
        return Outcome.SERVED;
    }

    /** streamLookupConsumer (refreshing its seen time) or streamCreateConsumer (event and dirty). */
    private static Consumer consumerFor(CommandContext c, Database db, int keyArg, StreamGroup g, byte[] name) {
        Consumer consumer = g.consumer(name);
        if (consumer != null) {
            consumer.seenTime = c.now();
            return consumer;
        }
        consumer = g.createConsumer(name, c.now());
        c.dirty(1);
        c.notify(KeyspaceEvents.STREAM, "xgroup-createconsumer", db, keyArg);
        return consumer;
    }

    // ------------------------------------------------------------ XGROUP

    private enum GroupOp { CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER }

    /** Redis's xgroupCommand: the shared preamble (options, key, group) in its order, then the subcommand. */
    void xgroup(CommandContext c, GroupOp op) {
        Args a = c.args();
        int argc = a.count();
        boolean mkstream = false;
        long entriesRead = StreamGroup.UNKNOWN_READS;
        if (op == GroupOp.CREATE && argc >= 6) {
            int i = 5;
            while (i < argc) {
                if (is(a, i, "MKSTREAM")) {
                    mkstream = true;
                    i++;
                } else if (is(a, i, "ENTRIESREAD") && i + 1 < argc) {
                    entriesRead = c.longArg(i + 1);
                    if (entriesRead < 0 && entriesRead != StreamGroup.UNKNOWN_READS) throw ENTRIESREAD_RANGE;
                    i += 2;
                } else {
                    throw Errors.subcommandSyntax(a);
                }
            }
        }
        Database db = c.db();
        Lookup lk = c.lookup();
        StreamValue s = stream(c.write(db, 2));
        byte[] name = a.bytes(3);
        StreamGroup g = null;
        if (!mkstream) {
            if (s == null) throw XGROUP_NO_KEY;
            g = s.group(name);
            if (g == null && (op == GroupOp.SETID || op == GroupOp.CREATECONSUMER || op == GroupOp.DELCONSUMER)) {
                throw new CommandError("NOGROUP No such consumer group '" + cstr(a, 3) + "' for key name '"
                        + cstr(a, 2) + "'");
            }
        }
        switch (op) {
            case CREATE -> {
                if (argc > 8) throw Errors.subcommandSyntax(a);
                StreamId id;
                if (isChar(a, 4, '$')) id = s == null ? StreamId.MIN : s.lastId();
                else id = parseId(a, 4, 0, true);
                if (s == null) {
                    s = new StreamValue();
                    s.init(a.bytes(2), StoredValue.NO_EXPIRE, Keyspace.lruClock(c.now()));
                    c.insert(db, lk, s);
                    c.keyModified(db, 2);
                }
                if (s.createGroup(name, id, entriesRead) == null) throw BUSYGROUP;
                db.updated(lk);
                c.reply().ok();
                c.dirty(1);
                c.notify(KeyspaceEvents.STREAM, "xgroup-create", db, 2);
            }
            case SETID -> {
                if (argc != 5 && argc != 7) throw Errors.subcommandSyntax(a);
                StreamId id = isChar(a, 4, '$') ? s.lastId() : parseId(a, 4, 0, false);
                if (argc == 7) {
                    if (!is(a, 5, "ENTRIESREAD")) throw Errors.subcommandSyntax(a);
                    entriesRead = c.longArg(6);
                    if (entriesRead < 0 && entriesRead != StreamGroup.UNKNOWN_READS) throw ENTRIESREAD_RANGE;
                }
                g.lastMs = id.ms();
                g.lastSeq = id.seq();
                g.entriesRead = entriesRead;
                c.reply().ok();
                c.dirty(1);
                c.notify(KeyspaceEvents.STREAM, "xgroup-setid", db, 2);
            }
            case DESTROY -> {
                if (argc != 4) throw Errors.subcommandSyntax(a);
                if (g == null) {
                    c.reply().integer(0);
                    return;
                }
                s.destroyGroup(name);
                db.updated(lk);
                c.reply().integer(1);
                c.dirty(1);
                c.notify(KeyspaceEvents.STREAM, "xgroup-destroy", db, 2);
                // Clients blocked in XREADGROUP on this group get -NOGROUP.
                c.keyReady(db, a.bytes(2));
            }
            case CREATECONSUMER -> {
                if (argc != 5) throw Errors.subcommandSyntax(a);
                Consumer created = g.createConsumer(a.bytes(4), c.now());
                if (created != null) {
                    db.updated(lk);
                    c.dirty(1);
                    c.notify(KeyspaceEvents.STREAM, "xgroup-createconsumer", db, 2);
                }
                c.reply().integer(created != null ? 1 : 0);
            }
            case DELCONSUMER -> {
                if (argc != 5) throw Errors.subcommandSyntax(a);
                Consumer consumer = g.consumer(a.bytes(4));
                long pending = 0;
                if (consumer != null) {
                    pending = consumer.pel.size();
                    g.deleteConsumer(consumer);
                    db.updated(lk);
                    c.dirty(1);
                    c.notify(KeyspaceEvents.STREAM, "xgroup-delconsumer", db, 2);
                }
                c.reply().integer(pending);
            }
        }
    }

    // ------------------------------------------------------------ XACK, XPENDING

    void xack(CommandContext c) {
        Args a = c.args();
        StreamValue s = stream(c.read(1));
        StreamGroup g = s == null ? null : s.group(a.bytes(2));
        if (g == null) {
            c.reply().integer(0);
            return;
        }
        List<StreamId> ids = new ArrayList<>(a.count() - 3);
        for (int j = 3; j < a.count(); j++) ids.add(parseId(a, j, 0, true));
        long acked = 0;
        for (StreamId id : ids) {
            Nack n = g.pending(id.ms(), id.seq());
            if (n != null) {
                g.removePending(n);
                acked++;
            }
        }
        if (acked > 0) {
            c.dirty(acked);
            c.db().updated(c.lookup());
        }
        c.reply().integer(acked);
    }

    void xpending(CommandContext c) {
        Args a = c.args();
        int argc = a.count();
        boolean summary = argc == 3;
        if (argc != 3 && (argc < 6 || argc > 9)) throw Errors.SYNTAX;
        StreamId start = null, end = null;
        long count = 0, minIdle = 0;
        int consumerArg = -1;
        if (argc >= 6) {
            int startIdx = 3;
            if (is(a, 3, "IDLE")) {
                minIdle = c.longArg(4);
                if (argc < 8) throw Errors.SYNTAX;
                startIdx += 2;
            }
            count = c.longArg(startIdx + 2);
            if (count < 0) count = 0;
            start = rangeStart(a, startIdx);
            end = rangeEnd(a, startIdx + 1);
            if (startIdx + 3 < argc) consumerArg = startIdx + 3;
        }
        StreamValue s = stream(c.read(1));
        StreamGroup g = s == null ? null : s.group(a.bytes(2));
        if (g == null) {
            throw new CommandError("NOGROUP No such key '" + cstr(a, 1) + "' or consumer group '" + cstr(a, 2) + "'");
        }
        Reply r = c.reply();
        if (summary) {
            r.array(4);
            r.integer(g.pel.size());
            if (g.pel.isEmpty()) {
                r.nullBulk();
                r.nullBulk();
                r.nullArray();
                return;
            }
            writeId(r, g.pel.first().ms, g.pel.first().seq);
            writeId(r, g.pel.last().ms, g.pel.last().seq);
            long withPending = 0;
            for (Consumer consumer : g.consumers.values()) if (!consumer.pel.isEmpty()) withPending++;
            r.array(withPending);
            for (Consumer consumer : g.consumers.values()) {
                if (consumer.pel.isEmpty()) continue;
                r.array(2);
                r.bulk(consumer.name);
                r.bulkLong(consumer.pel.size());
            }
            return;
        }
        java.util.TreeSet<Nack> pel = g.pel;
        if (consumerArg >= 0) {
            Consumer consumer = g.consumer(a.bytes(consumerArg));
            if (consumer == null) {
                r.emptyArray();
                return;
            }
            pel = consumer.pel;
        }
        long now = c.now();
        r.beginDeferred();
        long n = 0;
        if (count > 0) {
            for (Nack nack : pel.tailSet(new Nack(start.ms(), start.seq()), true)) {
                if (StreamId.compare(nack.ms, nack.seq, end.ms(), end.seq()) > 0) break;
                if (minIdle != 0 && now - nack.deliveryTime < minIdle) continue;
                n++;
                r.array(4);
                writeId(r, nack.ms, nack.seq);
                r.bulk(nack.consumer.name);
                r.integer(Math.max(0, now - nack.deliveryTime));
                r.integer(nack.deliveryCount);
                if (n == count) break;
            }
        }
        r.endArray(n);
    }

    // ------------------------------------------------------------ XCLAIM, XAUTOCLAIM

    void xclaim(CommandContext c) {
        Args a = c.args();
        int argc = a.count();
        StreamValue s = stream(c.read(1));
        StreamGroup g = s == null ? null : s.group(a.bytes(2));
        if (g == null) {
            throw new CommandError("NOGROUP No such key '" + cstr(a, 1) + "' or consumer group '" + cstr(a, 2) + "'");
        }
        long minIdle = longArg(a, 4, XCLAIM_MIN_IDLE);
        if (minIdle < 0) minIdle = 0;
        List<StreamId> ids = new ArrayList<>();
        int j = 5;
        for (; j < argc; j++) {
            try {
                ids.add(parseId(a, j, 0, true));
            } catch (CommandError e) {
                break; // not an ID: the options start here
            }
        }
        // XCLAIM is propagated as one idempotent XCLAIM per ID it changed (see propagateClaim).
        c.preventPropagation();
        boolean propagate = c.propagating();
        long now = c.now();
        long deliveryTime = -1, retryCount = -1;
        boolean force = false, justId = false;
        StreamId lastId = StreamId.MIN;
        for (; j < argc; j++) {
            boolean more = argc - 1 - j > 0;
            if (is(a, j, "FORCE")) {
                force = true;
            } else if (is(a, j, "JUSTID")) {
                justId = true;
            } else if (is(a, j, "IDLE") && more) {
                j++;
                deliveryTime = now - longArg(a, j, XCLAIM_IDLE);
            } else if (is(a, j, "TIME") && more) {
                j++;
                deliveryTime = longArg(a, j, XCLAIM_TIME);
            } else if (is(a, j, "RETRYCOUNT") && more) {
                j++;
                retryCount = longArg(a, j, XCLAIM_RETRYCOUNT);
            } else if (is(a, j, "LASTID") && more) {
                j++;
                lastId = parseId(a, j, 0, true);
            } else {
                throw Errors.err("Unrecognized XCLAIM option '" + cstr(a, j) + "'");
            }
        }
        boolean propagateLastId = false;
        if (lastId.compareTo(g.lastMs, g.lastSeq) > 0) {
            g.lastMs = lastId.ms();
            g.lastSeq = lastId.seq();
            propagateLastId = true;
        }
        if (deliveryTime != -1) {
            // A bogus time (negative, or in the future) becomes now rather than an error.
            if (deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
        } else {
            deliveryTime = now;
        }
        Database db = c.db();
        byte[] consumerName = a.bytes(3);
        Consumer consumer = null;
        List<Nack> claimed = new ArrayList<>();
        for (int k = 0; k < ids.size(); k++) {
            StreamId id = ids.get(k);
            Nack nack = g.pending(id.ms(), id.seq());
            if (!s.exists(id.ms(), id.seq())) {
                // The entry was deleted: it leaves the PEL (propagated as its XCLAIM, as it was).
                if (nack != null) {
                    if (propagate && nack.consumer != null) propagateClaim(c, a.bytes(1), a.bytes(2), a.bytes(5 + k), nack, g);
                    propagateLastId = false;
                    g.removePending(nack);
                    c.dirty(1);
                }
                continue;
            }
            if (force && nack == null) {
                // FORCE: a pending entry made from scratch (replication of groups uses this).
                nack = new Nack(id.ms(), id.seq());
                nack.deliveryTime = now;
                nack.deliveryCount = 1;
                g.pel.add(nack);
            }
            if (nack == null) continue;
            if (nack.consumer != null && minIdle != 0 && now - nack.deliveryTime < minIdle) continue;
            if (consumer == null) consumer = consumerFor(c, db, 1, g, consumerName);
            g.assign(nack, consumer);
            nack.deliveryTime = deliveryTime;
            if (retryCount >= 0) nack.deliveryCount = retryCount;
            else if (!justId) nack.deliveryCount++;
            claimed.add(nack);
            c.dirty(1);
            if (propagate) propagateClaim(c, a.bytes(1), a.bytes(2), a.bytes(5 + k), nack, g);
            propagateLastId = false;
        }
        if (propagate && propagateLastId) propagateGroupId(c, a.bytes(1), a.bytes(2), g);
        db.updated(c.lookup());
        writeClaimed(c.reply(), s, claimed, justId);
    }

    void xautoclaim(CommandContext c) {
        Args a = c.args();
        int argc = a.count();
        long minIdle = longArg(a, 4, XAUTOCLAIM_MIN_IDLE);
        if (minIdle < 0) minIdle = 0;
        StreamId start = rangeStart(a, 5);
        long count = 100;
        boolean justId = false;
        for (int j = 6; j < argc; j++) {
            boolean more = argc - 1 - j > 0;
            if (is(a, j, "COUNT") && more) {
                // getRangeLongFromObjectOrReply(1, LONG_MAX / max(sizeof(streamID), attempts factor))
                count = longArg(a, j + 1, XAUTOCLAIM_COUNT);
                if (count < 1 || count > Long.MAX_VALUE / 16) throw XAUTOCLAIM_COUNT;
                j++;
            } else if (is(a, j, "JUSTID")) {
                justId = true;
            } else {
                throw Errors.SYNTAX;
            }
        }
        StreamValue s = stream(c.read(1));
        StreamGroup g = s == null ? null : s.group(a.bytes(2));
        if (g == null) {
            throw new CommandError("NOGROUP No such key '" + cstr(a, 1) + "' or consumer group '" + cstr(a, 2) + "'");
        }
        // Redis allocates COUNT IDs up front and answers this error when the allocation fails. Where
        // that happens depends on free address space: on a fresh 64-bit Linux Redis the largest that
        // succeeds is 80 TiB (the jemalloc size class 5 * 2^44 below the 128 TiB user address space).
        if (count > MAX_TRANSIENT_BYTES / 16) throw XAUTOCLAIM_NO_MEMORY;
        Database db = c.db();
        byte[] consumerName = a.bytes(3);
        Consumer consumer = null;
        long attempts = count * ATTEMPTS_FACTOR;
        long now = c.now();
        List<StreamId> deleted = new ArrayList<>();
        List<Nack> claimed = new ArrayList<>();
        // Propagated as one XCLAIM per entry claimed or dropped, never as XAUTOCLAIM.
        c.preventPropagation();
        boolean propagate = c.propagating();
        Nack nack = g.pel.ceiling(new Nack(start.ms(), start.seq()));
        while (attempts-- > 0 && count > 0 && nack != null) {
            Nack next = g.pel.higher(nack);
            if (!s.exists(nack.ms, nack.seq)) {
                // The entry was deleted: it leaves the PEL and is reported as such.
                if (propagate) propagateClaim(c, a.bytes(1), a.bytes(2), idBytes(nack.ms, nack.seq), nack, g);
                g.removePending(nack);
                deleted.add(new StreamId(nack.ms, nack.seq));
                c.dirty(1);
                count--;
                nack = next;
                continue;
            }
            if (minIdle != 0 && now - nack.deliveryTime < minIdle) {
                nack = next;
                continue;
            }
            if (consumer == null) consumer = consumerFor(c, db, 1, g, consumerName);
            g.assign(nack, consumer);
            nack.deliveryTime = now;
            if (!justId) nack.deliveryCount++;
            claimed.add(nack);
            count--;
            c.dirty(1);
            if (propagate) propagateClaim(c, a.bytes(1), a.bytes(2), idBytes(nack.ms, nack.seq), nack, g);
            nack = next;
        }
        db.updated(c.lookup());
        // The entries are unchanged by claiming, so the reply can be written once the cursor is known.
        Reply r = c.reply();
        r.array(3);
        if (nack == null) writeId(r, 0, 0);
        else writeId(r, nack.ms, nack.seq);
        writeClaimed(r, s, claimed, justId);
        r.array(deleted.size());
        for (StreamId id : deleted) writeId(r, id);
    }

    /** The claimed entries: IDs (JUSTID) or whole entries. */
    private static void writeClaimed(Reply r, StreamValue s, List<Nack> claimed, boolean justId) {
        r.array(claimed.size());
        for (Nack n : claimed) {
            if (justId) writeId(r, n.ms, n.seq);
            else if (!writeRawEntry(r, s, n.ms, n.seq)) r.nullBulk();
        }
    }

    // ------------------------------------------------------------ XINFO

    void xinfoStream(CommandContext c) {
        Args a = c.args();
        StreamValue s = stream(c.read(2));
        if (s == null) throw Errors.NO_SUCH_KEY;
        if (a.count() != 3 && a.count() != 4 && a.count() != 6) throw Errors.subcommandSyntax(a);
        boolean full = false;
        long count = 10;
        int extra = a.count() - 3;
        if (extra > 0) {
            if (!is(a, 3, "full")) throw Errors.subcommandSyntax(a);
            full = true;
            if (extra > 1) {
                if (extra != 3 || !is(a, 4, "count")) throw Errors.subcommandSyntax(a);
                count = c.longArg(5);
                if (count < 0) count = 10;
            }
        }
        Reply r = c.reply();
        r.map(full ? 9 : 10);
        r.bulk("length");
        r.integer(s.length());
        r.bulk("radix-tree-keys");
        r.integer(s.radixTreeKeys());
        r.bulk("radix-tree-nodes");
        r.integer(s.radixTreeNodes());
        r.bulk("last-generated-id");
        writeId(r, s.lastId());
        r.bulk("max-deleted-entry-id");
        writeId(r, s.maxDeletedId());
        r.bulk("entries-added");
        r.integer(s.entriesAdded());
        r.bulk("recorded-first-entry-id");
        writeId(r, s.firstId());
        if (!full) {
            r.bulk("groups");
            r.integer(s.groupCount());
            r.bulk("first-entry");
            StreamValue.Cursor first = s.cursor(StreamId.MIN, StreamId.MAX, false);
            if (first.next()) writeEntry(r, first);
            else r.nullBulk();
            r.bulk("last-entry");
            StreamValue.Cursor last = s.cursor(StreamId.MIN, StreamId.MAX, true);
            if (last.next()) writeEntry(r, last);
            else r.nullBulk();
            return;
        }
        r.bulk("entries");
        replyRange(c, s, StreamId.MIN, StreamId.MAX, count, false, null, null, false);
        r.bulk("groups");
        r.array(s.groupCount());
        for (StreamGroup g : s.groups()) {
            r.map(7);
            r.bulk("name");
            r.bulk(g.name);
            r.bulk("last-delivered-id");
            writeId(r, g.lastMs, g.lastSeq);
            r.bulk("entries-read");
            if (g.entriesRead != StreamGroup.UNKNOWN_READS) r.integer(g.entriesRead);
            else r.nullBulk();
            r.bulk("lag");
            writeLag(r, s, g);
            r.bulk("pel-count");
            r.integer(g.pel.size());
            r.bulk("pending");
            long pn = count == 0 ? g.pel.size() : Math.min(count, g.pel.size());
            r.array(pn);
            long k = 0;
            for (Nack nack : g.pel) {
                if (k++ == pn) break;
                r.array(4);
                writeId(r, nack.ms, nack.seq);
                r.bulk(nack.consumer.name);
                r.integer(nack.deliveryTime);
                r.integer(nack.deliveryCount);
            }
            r.bulk("consumers");
            r.array(g.consumers.size());
            for (Consumer consumer : g.consumers.values()) {
                r.map(4);
                r.bulk("name");
                r.bulk(consumer.name);
                r.bulk("seen-time");
                r.integer(consumer.seenTime);
                r.bulk("pel-count");
                r.integer(consumer.pel.size());
                r.bulk("pending");
                long cn = count == 0 ? consumer.pel.size() : Math.min(count, consumer.pel.size());
                r.array(cn);
                long q = 0;
                for (Nack nack : consumer.pel) {
                    if (q++ == cn) break;
                    r.array(3);
                    writeId(r, nack.ms, nack.seq);
                    r.integer(nack.deliveryTime);
                    r.integer(nack.deliveryCount);
                }
            }
        }
    }

    private static void writeLag(Reply r, StreamValue s, StreamGroup g) {
        long lag = s.lag(g);
        if (lag == StreamValue.UNKNOWN_LAG) r.nullBulk();
        else r.integer(lag);
    }

    void xinfoGroups(CommandContext c) {
        StreamValue s = stream(c.read(2));
        if (s == null) throw Errors.NO_SUCH_KEY;
        Reply r = c.reply();
        r.array(s.groupCount());
        for (StreamGroup g : s.groups()) {
            r.map(6);
            r.bulk("name");
            r.bulk(g.name);
            r.bulk("consumers");
            r.integer(g.consumers.size());
            r.bulk("pending");
            r.integer(g.pel.size());
            r.bulk("last-delivered-id");
            writeId(r, g.lastMs, g.lastSeq);
            r.bulk("entries-read");
            if (g.entriesRead != StreamGroup.UNKNOWN_READS) r.integer(g.entriesRead);
            else r.nullBulk();
            r.bulk("lag");
            writeLag(r, s, g);
        }
    }

    void xinfoConsumers(CommandContext c) {
        Args a = c.args();
        StreamValue s = stream(c.read(2));
        if (s == null) throw Errors.NO_SUCH_KEY;
        StreamGroup g = s.group(a.bytes(3));
        if (g == null) {
            throw new CommandError("NOGROUP No such consumer group '" + cstr(a, 3) + "' for key name '"
                    + cstr(a, 2) + "'");
        }
        Reply r = c.reply();
        long now = c.now();
        r.array(g.consumers.size());
        for (Consumer consumer : g.consumers.values()) {
            r.map(3);
            r.bulk("name");
            r.bulk(consumer.name);
            r.bulk("pending");
            r.integer(consumer.pel.size());
            r.bulk("idle");
            r.integer(Math.max(0, now - consumer.seenTime));
        }
    }
}
