package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandSpec;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.protocol.Args;
import io.larder.server.Client;
import io.larder.server.ClientPause;
import io.larder.server.LarderServer;
import io.larder.util.Numbers;
import io.netty.channel.ChannelOutboundBuffer;
import java.util.List;
import java.util.Locale;

/**
 * CLIENT ID, SETNAME, GETNAME, LIST, INFO, KILL, PAUSE, UNPAUSE, REPLY,
 * NO-EVICT and HELP. CLIENT UNBLOCK belongs to blocking commands and CLIENT
 * TRACKING, CACHING, GETREDIR and TRACKINGINFO to client-side caching; they
 * register themselves.
 */
public final class ClientCommands {
    /** Client types, as CLIENT LIST/KILL TYPE name them. */
    static final int NORMAL = 0, REPLICA = 1, PUBSUB = 2, MASTER = 3;
    /** Bytes of a connection's own objects (Client, parser, reply writer), for tot-mem. */
    static final long CLIENT_OVERHEAD = 1024;

    private final LarderServer server;

    public ClientCommands(LarderServer server) {
        this.server = server;
    }

    public void register(CommandTable t) {
        t.add("client|id", c -> c.reply().integer(c.client().id)).noKeyspace();
        t.add("client|setname", this::setName).noKeyspace();
        t.add("client|getname", this::getName).noKeyspace();
        t.add("client|list", this::list).noKeyspace();
        t.add("client|info", c -> c.reply().verbatim(info(c, c.client()) + "\n", "txt")).noKeyspace();
        t.add("client|kill", this::kill).noKeyspace();
        t.add("client|pause", this::pause).noKeyspace();
        t.add("client|unpause", c -> {
            server.pause().unpause();
            c.reply().ok();
        }).noKeyspace();
        t.add("client|reply", this::reply).noKeyspace();
        t.add("client|no-evict", this::noEvict).noKeyspace();
        t.add("client|help", c -> ServerCommands.help(c, HELP)).noKeyspace();
    }

    static final List<String> HELP = List.of(
            "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CACHING (YES|NO)",
            "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
            "GETREDIR",
            "    Return the client ID we are redirecting to when tracking is enabled.",
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "UNPAUSE",
            "    Stop the current client pause, resuming traffic.",
            "PAUSE <timeout> [WRITE|ALL]",
            "    Suspend all, or just write, clients for <timeout> milliseconds.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
            "         [OPTIN] [OPTOUT] [NOLOOP]",
            "    Control server assisted client side caching.",
            "TRACKINGINFO",
            "    Report tracking status for the current connection.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
            "HELP",
            "    Prints this help.");

    void setName(CommandContext c) {
        String name = c.args().str(2);
        ClientNames.validate(name);
        c.client().setName(name);
        c.reply().ok();
    }

    void getName(CommandContext c) {
        String name = c.client().name();
        if (name.isEmpty()) c.reply().nullBulk();
        else c.reply().bulk(name);
    }

    /** CLIENT LIST [TYPE type] | [ID id ...]. */
    void list(CommandContext c) {
        Args a = c.args();
        StringBuilder out = new StringBuilder();
        if (a.count() == 4 && a.is(2, "type")) {
            int type = typeByName(a.str(3));
            if (type < 0) throw new CommandError("ERR Unknown client type '" + a.str(3) + "'");
            for (Client cl : server.clients().all()) {
                if (typeOf(cl) == type) out.append(info(c, cl)).append('\n');
            }
        } else if (a.count() > 3 && a.is(2, "id")) {
            long[] ids = new long[a.count() - 3];
            for (int i = 3; i < a.count(); i++) {
                try {
                    ids[i - 3] = a.longAt(i);
                } catch (Numbers.Invalid e) {
                    throw new CommandError("ERR Invalid client ID");
                }
            }
            for (long id : ids) {
                Client cl = server.clients().get(id);
                if (cl != null) out.append(info(c, cl)).append('\n');
            }
        } else if (a.count() != 2) {
            throw Errors.SYNTAX;
        } else {
            for (Client cl : server.clients().all()) out.append(info(c, cl)).append('\n');
        }
        c.reply().verbatim(out.toString(), "txt");
    }

    /**
     * CLIENT KILL addr (the old form: may kill the caller, "No such client"
     * if none) or CLIENT KILL filter value ... (replies the number killed,
     * skips the caller unless SKIPME no).
     */
    void kill(CommandContext c) {
        Args a = c.args();
        String addr = null, laddr = null, user = null;
        int type = -1;
        long id = 0;
        boolean skipme = true;
        if (a.count() == 3) {
            addr = a.str(2);
            skipme = false;
        } else if (a.count() > 3) {
            for (int i = 2; i < a.count(); i += 2) {
                boolean more = a.count() > i + 1;
                if (a.is(i, "id") && more) {
                    long v;
                    try {
                        v = a.longAt(i + 1);
                    } catch (Numbers.Invalid e) {
                        v = 0;
                    }
                    if (v < 1) throw new CommandError("ERR client-id should be greater than 0");
                    id = v;
                } else if (a.is(i, "type") && more) {
                    type = typeByName(a.str(i + 1));
                    if (type < 0) throw new CommandError("ERR Unknown client type '" + a.str(i + 1) + "'");
                } else if (a.is(i, "addr") && more) {
                    addr = a.str(i + 1);
                } else if (a.is(i, "laddr") && more) {
                    laddr = a.str(i + 1);
                } else if (a.is(i, "user") && more) {
                    user = a.str(i + 1);
                    if (!server.userExists(user)) throw new CommandError("ERR No such user '" + user + "'");
                } else if (a.is(i, "skipme") && more) {
                    if (a.is(i + 1, "yes")) skipme = true;
                    else if (a.is(i + 1, "no")) skipme = false;
                    else throw Errors.SYNTAX;
                } else {
                    throw Errors.SYNTAX;
                }
            }
        } else {
            throw Errors.SYNTAX;
        }
        Client self = c.client();
        int killed = 0;
        boolean closeSelf = false;
        for (Client cl : server.clients().snapshot()) {
            if (addr != null && !cl.addr().equals(addr)) continue;
            if (laddr != null && !cl.laddr().equals(laddr)) continue;
            if (type != -1 && typeOf(cl) != type) continue;
            if (id != 0 && cl.id != id) continue;
            if (user != null && !cl.user().equals(user)) continue;
            if (cl == self && skipme) continue;
            if (cl == self) closeSelf = true;
            else cl.close();
            killed++;
        }
        if (closeSelf) self.closeAfterReply();
        if (a.count() == 3) {
            if (killed == 0) throw new CommandError("ERR No such client");
            c.reply().ok();
        } else {
            c.reply().integer(killed);
        }
    }

    /** CLIENT PAUSE timeout [WRITE|ALL]: the mode is checked before the timeout, as in Redis. */
    void pause(CommandContext c) {
        Args a = c.args();
        if (a.count() > 4) throw ServerCommands.subcommandSyntaxError(c);
        int type = ClientPause.ALL;
        if (a.count() == 4) {
            if (a.is(3, "write")) type = ClientPause.WRITE;
            else if (a.is(3, "all")) type = ClientPause.ALL;
            else throw new CommandError("ERR CLIENT PAUSE mode must be WRITE or ALL");
        }
        long ms;
        try {
            ms = a.longAt(2);
        } catch (Numbers.Invalid e) {
            throw new CommandError("ERR timeout is not an integer or out of range");
        }
        if (ms < 0) throw new CommandError("ERR timeout is negative");
        // Redis adds the current time without an overflow check: a huge timeout ends in the past.
        long end = ms > 0 ? ms + System.currentTimeMillis() : 0;
        server.pause().pause(type, end);
        c.reply().ok();
    }

    /** CLIENT REPLY ON|OFF|SKIP: OFF and SKIP themselves get no reply. */
    void reply(CommandContext c) {
        Args a = c.args();
        Client cl = c.client();
        if (a.is(2, "on")) {
            cl.setReplyMode(false, false);
            c.reply().setEnabled(true);
            c.reply().ok();
        } else if (a.is(2, "off")) {
            cl.setReplyMode(true, false);
        } else if (a.is(2, "skip")) {
            cl.setReplyMode(false, true);
        } else {
            throw Errors.SYNTAX;
        }
    }

    void noEvict(CommandContext c) {
        Args a = c.args();
        if (a.is(2, "on")) c.client().setFlag(Client.NO_EVICT, true);
        else if (a.is(2, "off")) c.client().setFlag(Client.NO_EVICT, false);
        else throw Errors.SYNTAX;
        c.reply().ok();
    }

    // ------------------------------------------------------------ CLIENT LIST lines

    static int typeByName(String n) {
        return switch (n.toLowerCase(Locale.ROOT)) {
            case "normal" -> NORMAL;
            case "slave", "replica" -> REPLICA;
            case "pubsub" -> PUBSUB;
            case "master" -> MASTER;
            default -> -1;
        };
    }

    /** Redis's getClientType: a MONITOR client is a normal client. */
    static int typeOf(Client c) {
        if (c.has(Client.MASTER)) return MASTER;
        if (c.has(Client.REPLICA) && !c.has(Client.MONITOR)) return REPLICA;
        if (c.has(Client.PUBSUB)) return PUBSUB;
        return NORMAL;
    }

    /** The flags field, letters in Redis's order ("N" when none). */
    static String flags(Client c) {
        StringBuilder f = new StringBuilder();
        if (c.has(Client.MONITOR)) f.append('O');
        else if (c.has(Client.REPLICA)) f.append('S');
        if (c.has(Client.MASTER)) f.append('M');
        if (c.has(Client.PUBSUB)) f.append('P');
        if (c.has(Client.MULTI)) f.append('x');
        if (c.has(Client.BLOCKED) || c.isPostponed()) f.append('b');
        if (c.has(Client.TRACKING)) f.append('t');
        if (c.has(Client.TRACKING_BROKEN_REDIR)) f.append('R');
        if (c.has(Client.TRACKING_BCAST)) f.append('B');
        if (c.has(Client.DIRTY_CAS)) f.append('d');
        if (c.has(Client.CLOSE_AFTER_REPLY)) f.append('c');
        if (c.has(Client.UNBLOCKED)) f.append('u');
        if (c.has(Client.CLOSE_ASAP)) f.append('A');
        if (c.has(Client.UNIX_SOCKET)) f.append('U');
        if (c.has(Client.READONLY)) f.append('r');
        if (c.has(Client.NO_EVICT)) f.append('e');
        if (f.isEmpty()) f.append('N');
        return f.toString();
    }

    /** Bytes of query buffer the client holds (qbuf + qbuf-free). */
    static long queryBufferSize(Client c) {
        return c.parser().capacity();
    }

    /** Reply bytes waiting in the connection's outbound buffer (omem). */
    static long outputMemory(Client c) {
        var ch = c.channel();
        if (ch == null) return 0;
        ChannelOutboundBuffer ob = ch.unsafe().outboundBuffer();
        return ob == null ? 0 : ob.totalPendingWriteBytes();
    }

    private static int outputEntries(Client c) {
        var ch = c.channel();
        if (ch == null) return 0;
        ChannelOutboundBuffer ob = ch.unsafe().outboundBuffer();
        return ob == null ? 0 : ob.size();
    }

    /** The reply buffer size: Netty's pooled buffers come in powers of two, at least 1 kB. */
    static long replyBufferSize(Client c) {
        long peak = Math.max(1024, c.replyPeak());
        return Long.highestOneBit(peak - 1) << 1;
    }

    /** tot-mem: query buffer, reply buffer, pending output and the connection's own objects. */
    static long totalMemory(Client c) {
        return queryBufferSize(c) + replyBufferSize(c) + outputMemory(c) + CLIENT_OVERHEAD;
    }

    /**
     * One CLIENT LIST / CLIENT INFO line, fields in Redis 7.0's order. For
     * the calling client the command being run is still in its query buffer
     * (qbuf) and argv (argv-mem), as in Redis.
     */
    static String info(CommandContext ctx, Client cl) {
        long nowSec = System.currentTimeMillis() / 1000;
        boolean self = cl == ctx.client();
        long argvMem = 0, current = 0;
        if (self) {
            Args a = ctx.args();
            argvMem = a.totalLength();
            current = respLength(a);
        }
        long qbuf = cl.parser().pending() + current;
        long qbufFree = Math.max(0, cl.parser().capacity() - qbuf);
        long omem = outputMemory(cl);
        CommandSpec last = cl.lastCommand();
        StringBuilder b = new StringBuilder(256);
        b.append("id=").append(cl.id)
                .append(" addr=").append(cl.addr())
                .append(" laddr=").append(cl.laddr())
                .append(" fd=").append(cl.fd())
                .append(" name=").append(cl.name())
                .append(" age=").append(nowSec - cl.createdMs() / 1000)
                .append(" idle=").append(nowSec - cl.lastInteractionMs() / 1000)
                .append(" flags=").append(flags(cl))
                .append(" db=").append(cl.db())
                .append(" sub=").append(cl.subscriptions)
                .append(" psub=").append(cl.patternSubscriptions)
                .append(" ssub=").append(cl.shardSubscriptions)
                .append(" multi=").append(cl.has(Client.MULTI) ? cl.multiQueued : -1)
                .append(" qbuf=").append(qbuf)
                .append(" qbuf-free=").append(qbufFree)
                .append(" argv-mem=").append(argvMem)
                .append(" multi-mem=0")
                .append(" rbs=").append(replyBufferSize(cl))
                .append(" rbp=").append(cl.replyPeak())
                .append(" obl=0")
                .append(" oll=").append(omem == 0 ? 0 : outputEntries(cl))
                .append(" omem=").append(omem)
                .append(" tot-mem=").append(totalMemory(cl) + argvMem)
                .append(" events=").append(omem > 0 ? "rw" : "r")
                .append(" cmd=").append(last == null ? "NULL" : last.fullName)
                .append(" user=").append(cl.user())
                .append(" redir=").append(cl.has(Client.TRACKING) ? cl.trackingRedirect : -1)
                .append(" resp=").append(cl.resp());
        return b.toString();
    }

    /** The length of the arguments as a RESP multibulk request. */
    private static long respLength(Args a) {
        long n = 1 + Numbers.digitCount(a.count()) + 2;
        for (int i = 0; i < a.count(); i++) n += 1 + Numbers.digitCount(a.len(i)) + 2 + a.len(i) + 2;
        return n;
    }
}
