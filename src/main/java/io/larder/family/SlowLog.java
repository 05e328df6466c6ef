package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandSpec;
import io.larder.command.CommandTable;
import io.larder.config.Config;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.server.Client;
import io.larder.server.LarderServer;
import io.larder.util.Numbers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;

/**
 * SLOWLOG: commands that ran for at least slowlog-log-slower-than
 * microseconds, newest first, at most slowlog-max-len of them, in Redis's
 * entry format (slowlog.c). Hooked after every command; the common case
 * (fast command) costs one comparison.
 */
public final class SlowLog {
    /** Redis's SLOWLOG_ENTRY_MAX_ARGC and SLOWLOG_ENTRY_MAX_STRING. */
    static final int MAX_ARGC = 32, MAX_STRING = 128;
    private static final byte[] REDACTED = "(redacted)".getBytes(StandardCharsets.ISO_8859_1);

    /** One logged command. */
    record Entry(long id, long time, long durationUs, byte[][] argv, String peer, String name) {}

    private final LarderServer server;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long nextId;
    private volatile long slowerThan;
    private volatile long maxLen;

    public SlowLog(LarderServer server) {
        this.server = server;
        Config cfg = server.config();
        cfg.watch("slowlog-log-slower-than", p -> slowerThan = cfg.getLong("slowlog-log-slower-than"));
        cfg.watch("slowlog-max-len", p -> {
            maxLen = cfg.getLong("slowlog-max-len");
            trim();
        });
        server.addAfterCommand(this::after);
    }

    public void register(CommandTable t) {
        t.add("slowlog|get", this::get).noKeyspace();
        t.add("slowlog|len", c -> c.reply().integer(length())).noKeyspace();
        t.add("slowlog|reset", c -> {
            reset();
            c.reply().ok();
        }).noKeyspace();
        t.add("slowlog|help", c -> ServerCommands.help(c, List.of(
                "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GET [<count>]",
                "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
                "    Entries are made of:",
                "    id, timestamp, time in microseconds, arguments array, client IP and port,",
                "    client name",
                "LEN",
                "    Return the length of the slowlog.",
                "RESET",
                "    Reset the slowlog.",
                "HELP",
                "    Prints this help."))).noKeyspace();
    }

    private void after(CommandContext c, Client client, Args a, CommandSpec cmd, long durationUs) {
        long threshold = slowerThan;
        if (threshold < 0 || durationUs < threshold) return;
        if (cmd.has(CommandSpec.SKIP_SLOWLOG)) return;
        push(c, client, a, durationUs);
    }

    /** Redis's slowlogCreateEntry: at most 32 arguments and 128 bytes of each, with the rest summarised. */
    private void push(CommandContext c, Client client, Args a, long durationUs) {
        int argc = a.count();
        int n = Math.min(argc, MAX_ARGC);
        byte[][] argv = new byte[n][];
        for (int j = 0; j < n; j++) {
            if (n != argc && j == n - 1) {
                argv[j] = ascii("... (" + (argc - n + 1) + " more arguments)");
            } else if (c.isRedacted(j)) {
                argv[j] = REDACTED;
            } else if (a.len(j) > MAX_STRING) {
                byte[] head = new byte[MAX_STRING];
                System.arraycopy(a.buf(), a.off(j), head, 0, MAX_STRING);
                byte[] tail = ascii("... (" + (a.len(j) - MAX_STRING) + " more bytes)");
                byte[] v = new byte[MAX_STRING + tail.length];
                System.arraycopy(head, 0, v, 0, MAX_STRING);
                System.arraycopy(tail, 0, v, MAX_STRING, tail.length);
                argv[j] = v;
            } else {
                argv[j] = a.bytes(j);
            }
        }
        long time = System.currentTimeMillis() / 1000;
        synchronized (this) {
            if (slowerThan < 0) return;
            entries.addFirst(new Entry(nextId++, time, durationUs, argv, client.addr(), client.name()));
            trim();
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private synchronized void trim() {
        while (entries.size() > maxLen) entries.removeLast();
    }

    synchronized long length() {
        return entries.size();
    }

    synchronized void reset() {
        entries.clear();
    }

    /** SLOWLOG GET [count]: count -1 means all; the default is 10. */
    void get(CommandContext c) {
        Args a = c.args();
        long count = 10;
        if (a.count() > 3) throw ServerCommands.subcommandSyntaxError(c);
        if (a.count() == 3) {
            try {
                count = a.longAt(2);
            } catch (Numbers.Invalid e) {
                count = -2;
            }
            if (count < -1) throw new CommandError("ERR count should be greater than or equal to -1");
            if (count == -1) count = Long.MAX_VALUE;
        }
        Entry[] list;
        synchronized (this) {
            int n = (int) Math.min(count, entries.size());
            list = new Entry[n];
            Iterator<Entry> it = entries.iterator();
            for (int i = 0; i < n; i++) list[i] = it.next();
        }
        Reply r = c.reply();
        r.array(list.length);
        for (Entry e : list) {
            r.array(6);
            r.integer(e.id());
            r.integer(e.time());
            r.integer(e.durationUs());
            r.array(e.argv().length);
            for (byte[] arg : e.argv()) r.bulk(arg);
            r.bulk(e.peer());
            r.bulk(e.name());
        }
    }
}
