package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.pubsub.Tracking;
import io.larder.server.Client;
import io.larder.server.LarderServer;
import io.larder.util.Numbers;
import java.util.ArrayList;
import java.util.List;

/**
 * Client-side caching commands: CLIENT TRACKING, CLIENT CACHING, CLIENT
 * GETREDIR and CLIENT TRACKINGINFO, with Redis 7.0's option checks in its
 * order and its error texts. The tables and invalidations are {@link Tracking}.
 */
public final class ClientTrackingCommands {
    private final LarderServer server;
    private final Tracking tracking;

    public ClientTrackingCommands(LarderServer server) {
        this.server = server;
        this.tracking = new Tracking(server);
        // Redis keeps the table under tracking-table-max-keys before every command while anyone tracks.
        server.dispatcher().addCheck((client, cmd) -> {
            if (tracking.active()) tracking.limitUsedSlots(client);
            return null;
        });
    }

    public void register(CommandTable t) {
        t.add("client|tracking", this::tracking).noKeyspace();
        t.add("client|caching", this::caching).noKeyspace();
        t.add("client|getredir", this::getRedir).noKeyspace();
        t.add("client|trackinginfo", this::trackingInfo).noKeyspace();
    }

    /** CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP]. */
    void tracking(CommandContext c) {
        Args a = c.args();
        Client cl = c.client();
        long redirect = 0;
        int options = 0;
        List<byte[]> prefixes = new ArrayList<>();
        for (int j = 3; j < a.count(); j++) {
            boolean more = a.count() - 1 - j > 0;
            if (a.is(j, "redirect") && more) {
                j++;
                if (redirect != 0) throw new CommandError("ERR A client can only redirect to a single other client");
                try {
                    redirect = a.longAt(j);
                } catch (Numbers.Invalid e) {
                    throw Errors.NOT_INTEGER;
                }
                // The target must exist now, even though it may disconnect later.
                if (server.clients().get(redirect) == null) {
                    throw new CommandError("ERR The client ID you want redirect to does not exist");
                }
            } else if (a.is(j, "bcast")) {
                options |= Client.TRACKING_BCAST;
            } else if (a.is(j, "optin")) {
                options |= Client.TRACKING_OPTIN;
            } else if (a.is(j, "optout")) {
                options |= Client.TRACKING_OPTOUT;
            } else if (a.is(j, "noloop")) {
                options |= Client.TRACKING_NOLOOP;
            } else if (a.is(j, "prefix") && more) {
                j++;
                prefixes.add(a.bytes(j));
            } else {
                throw Errors.SYNTAX;
            }
        }
        if (a.is(2, "on")) {
            boolean bcast = (options & Client.TRACKING_BCAST) != 0;
            if (!bcast && !prefixes.isEmpty()) {
                throw new CommandError("ERR PREFIX option requires BCAST mode to be enabled");
            }
            if (cl.has(Client.TRACKING) && cl.has(Client.TRACKING_BCAST) != bcast) {
                throw new CommandError("ERR You can't switch BCAST mode on/off before disabling tracking for this "
                        + "client, and then re-enabling it with a different mode.");
            }
            boolean optin = (options & Client.TRACKING_OPTIN) != 0, optout = (options & Client.TRACKING_OPTOUT) != 0;
            if (bcast && (optin || optout)) throw new CommandError("ERR OPTIN and OPTOUT are not compatible with BCAST");
            if (optin && optout) throw new CommandError("ERR You can't specify both OPTIN mode and OPTOUT mode");
            if ((optin && cl.has(Client.TRACKING_OPTOUT)) || (optout && cl.has(Client.TRACKING_OPTIN))) {
                throw new CommandError("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this "
                        + "client, and then re-enabling it with a different mode.");
            }
            if (bcast) {
                String collision = tracking.prefixCollision(cl, prefixes);
                if (collision != null) throw new CommandError(collision);
            }
            tracking.enable(cl, redirect, options, prefixes);
        } else if (a.is(2, "off")) {
            tracking.disable(cl);
        } else {
            throw Errors.SYNTAX;
        }
        c.reply().ok();
    }

    /** CLIENT CACHING YES|NO: in OPTIN (YES) or OPTOUT (NO) mode, for the next command only. */
    void caching(CommandContext c) {
        Client cl = c.client();
        if (!cl.has(Client.TRACKING)) {
            throw new CommandError("ERR CLIENT CACHING can be called only when the client is in tracking mode with "
                    + "OPTIN or OPTOUT mode enabled");
        }
        Args a = c.args();
        if (a.is(2, "yes")) {
            if (!cl.has(Client.TRACKING_OPTIN)) {
                throw new CommandError("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
            }
        } else if (a.is(2, "no")) {
            if (!cl.has(Client.TRACKING_OPTOUT)) {
                throw new CommandError("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
            }
        } else {
            throw Errors.SYNTAX;
        }
        cl.setFlag(Client.TRACKING_CACHING, true);
        c.reply().ok();
    }

    void getRedir(CommandContext c) {
        Client cl = c.client();
        c.reply().integer(cl.has(Client.TRACKING) ? cl.trackingRedirect : -1);
    }

    /** CLIENT TRACKINGINFO: flags (a set), redirect, prefixes. */
    void trackingInfo(CommandContext c) {
        Client cl = c.client();
        List<String> flags = new ArrayList<>();
        flags.add(cl.has(Client.TRACKING) ? "on" : "off");
        if (cl.has(Client.TRACKING_BCAST)) flags.add("bcast");
        if (cl.has(Client.TRACKING_OPTIN)) {
            flags.add("optin");
            if (cl.has(Client.TRACKING_CACHING)) flags.add("caching-yes");
        }
        if (cl.has(Client.TRACKING_OPTOUT)) {
            flags.add("optout");
            if (cl.has(Client.TRACKING_CACHING)) flags.add("caching-no");
        }
        if (cl.has(Client.TRACKING_NOLOOP)) flags.add("noloop");
        if (cl.has(Client.TRACKING_BROKEN_REDIR)) flags.add("broken_redirect");
        Reply r = c.reply();
        r.map(3);
        r.bulk("flags");
        r.set(flags.size());
        for (String f : flags) r.bulk(f);
        r.bulk("redirect");
        r.integer(cl.has(Client.TRACKING) ? cl.trackingRedirect : -1);
        r.bulk("prefixes");
        List<byte[]> prefixes = tracking.prefixes(cl);
        r.array(prefixes.size());
        for (byte[] p : prefixes) r.bulk(p);
    }
}
