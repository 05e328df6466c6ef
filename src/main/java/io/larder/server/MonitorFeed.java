package io.larder.server;

import io.larder.command.CommandContext;
import io.larder.command.CommandSpec;
import io.larder.protocol.Args;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * MONITOR: every command that ran, as one status line per command to each
 * monitoring client (Redis's replicationFeedMonitors):
 * {@code +<unix time>.<micros> [<db> <addr>] "CMD" "arg" ...}.
 *
 * <p>As in Redis 7.0 a command is shown once it has run (or blocked), with
 * the database selected after it and its redacted arguments (AUTH and HELLO
 * passwords read "(redacted)"); commands rejected before running, queued in
 * MULTI, flagged admin or skip_monitor are not shown. Commands of a
 * transaction appear when EXEC runs them, before EXEC itself.
 *
 * <p>Scripts: EVAL, EVALSHA and FCALL are skip_monitor because Redis shows
 * them before their script runs: the scripting family calls
 * {@link #feed(CommandContext, Client, Args)} for them when the script
 * starts. The commands a script runs come through the dispatcher like any
 * other; the client they run as carries {@link Client#SCRIPT}, so they read
 * {@code [<db> lua]}. A script runner that does not go through the
 * dispatcher calls {@link #feedScriptCommand}.
 */
public final class MonitorFeed {
    private static final byte[] REDACTED = "(redacted)".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

    private final LarderServer server;
    private volatile Client[] monitors = new Client[0];

    MonitorFeed(LarderServer server) {
        this.server = server;
    }

    /** Starts feeding a client; false if it already is a monitor. */
    public synchronized boolean add(Client c) {
        for (Client m : monitors) if (m == c) return false;
        Client[] n = Arrays.copyOf(monitors, monitors.length + 1);
        n[n.length - 1] = c;
        monitors = n;
        return true;
    }

    /** Stops feeding a client (RESET, disconnection). */
    public synchronized void remove(Client c) {
        Client[] cur = monitors;
        for (int i = 0; i < cur.length; i++) {
            if (cur[i] == c) {
                Client[] n = new Client[cur.length - 1];
                System.arraycopy(cur, 0, n, 0, i);
                System.arraycopy(cur, i + 1, n, i, cur.length - i - 1);
                monitors = n;
                return;
            }
        }
    }

    public int count() {
        return monitors.length;
    }

    /** The dispatcher: a command ran (or blocked). */
    void executed(CommandContext c, Client client, Args a, CommandSpec cmd) {
        if (monitors.length == 0 || cmd.has(CommandSpec.SKIP_MONITOR | CommandSpec.ADMIN)) return;
        feed(c, client, a);
    }

    /**
     * Shows a command now, whatever its flags: for EVAL/EVALSHA/FCALL when
     * their script starts (Redis feeds them there, before the commands the
     * script runs). The source is the client's address, or "lua" if it runs
     * as a script.
     */
    public void feed(CommandContext c, Client client, Args a) {
        Client[] ms = monitors;
        if (ms.length == 0) return;
        String source = client.has(Client.SCRIPT) ? "lua"
                : client.has(Client.UNIX_SOCKET) ? "unix:" + server.config().get("unixsocket") : client.addr();
        send(ms, line(c, client.db(), source, a), c);
    }

    /** A command a script ran, shown as coming from "lua". */
    public void feedScriptCommand(CommandContext c, int db, Args a) {
        Client[] ms = monitors;
        if (ms.length == 0) return;
        send(ms, line(c, db, "lua", a), c);
    }

    private static void send(Client[] ms, byte[] line, CommandContext c) {
        for (Client m : ms) {
            // Unlike pub/sub pushes, monitor lines are ordinary replies: CLIENT REPLY OFF drops them.
            if (!m.replyOff) m.outbox().send(line, c);
        }
    }

    /** The status line: time, database, source, then every argument quoted as sdscatrepr does. */
    private static byte[] line(CommandContext c, int db, String source, Args a) {
        Instant now = Instant.now();
        StringBuilder head = new StringBuilder(64).append('+').append(now.getEpochSecond()).append('.');
        String micros = Integer.toString(now.getNano() / 1000);
        for (int i = micros.length(); i < 6; i++) head.append('0');
        head.append(micros).append(" [").append(db).append(' ').append(source).append("] ");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(head.length() + 16 * a.count());
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        for (int i = 0; i < a.count(); i++) {
            if (i > 0) out.write(' ');
            if (c != null && c.isRedacted(i)) repr(out, REDACTED, 0, REDACTED.length);
            else repr(out, a.buf(), a.off(i), a.len(i));
        }
        out.write('\r');
        out.write('\n');
        return out.toByteArray();
    }

    /** Redis's sdscatrepr: quoted, with C escapes and \xhh for bytes that are not printable ASCII. */
    static void repr(java.io.ByteArrayOutputStream out, byte[] b, int off, int len) {
        out.write('"');
        for (int i = off; i < off + len; i++) {
            int ch = b[i] & 0xFF;
            switch (ch) {
                case '\\', '"' -> {
                    out.write('\\');
                    out.write(ch);
                }
                case '\n' -> escape(out, 'n');
                case '\r' -> escape(out, 'r');
                case '\t' -> escape(out, 't');
                case 7 -> escape(out, 'a');
                case '\b' -> escape(out, 'b');
                default -> {
                    if (ch >= 0x20 && ch <= 0x7e) {
                        out.write(ch);
                    } else {
                        out.write('\\');
                        out.write('x');
                        out.write(HEX[ch >> 4]);
                        out.write(HEX[ch & 15]);
                    }
                }
            }
        }
        out.write('"');
    }

    private static void escape(java.io.ByteArrayOutputStream out, char c) {
        out.write('\\');
        out.write(c);
    }
}
