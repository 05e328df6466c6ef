package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandSpec;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.pubsub.PubSub;
import io.larder.pubsub.PubSub.Kind;
import io.larder.server.Client;
import io.larder.server.LarderServer;
import java.util.List;
import java.util.Set;

/**
 * Pub/sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE,
 * SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB's introspection, with
 * Redis 7.0's replies. Sharded pub/sub behaves as in a standalone Redis 7.0:
 * separate channels, no patterns, no slot checks. The subscriptions and
 * delivery live in {@link PubSub}.
 *
 * <p>A RESP2 connection with a subscription may only run the subscribe
 * commands, PING, QUIT and RESET (checked where Redis's processCommand does);
 * RESP3 connections run anything and get messages as push replies.
 * Subscription confirmations, like messages, are delivered even under
 * CLIENT REPLY OFF (Redis's CLIENT_PUSHING).
 */
public final class PubSubCommands {
    /** Commands a RESP2 connection in subscribed mode may run. */
    private static final Set<String> ALLOWED_SUBSCRIBED = Set.of("ping", "subscribe", "ssubscribe", "unsubscribe",
            "sunsubscribe", "psubscribe", "punsubscribe", "quit", "reset");

    private final LarderServer server;
    private final PubSub pubsub;

    public PubSubCommands(LarderServer server) {
        this.server = server;
        this.pubsub = new PubSub(server);
        server.dispatcher().addCheck(this::subscribedContext);
        // RESET leaves pub/sub without unsubscribe replies (ConnectionCommands clears the flag).
        server.addResetListener(pubsub::unsubscribeAll);
    }

    public PubSub pubsub() {
        return pubsub;
    }

    public void register(CommandTable t) {
        t.add("subscribe", c -> subscribe(c, Kind.CHANNEL)).noKeyspace();
        t.add("psubscribe", c -> subscribe(c, Kind.PATTERN)).noKeyspace();
        t.add("ssubscribe", c -> subscribe(c, Kind.SHARD)).noKeyspace();
        t.add("unsubscribe", c -> unsubscribe(c, Kind.CHANNEL)).noKeyspace();
        t.add("punsubscribe", c -> unsubscribe(c, Kind.PATTERN)).noKeyspace();
        t.add("sunsubscribe", c -> unsubscribe(c, Kind.SHARD)).noKeyspace();
        t.add("publish", c -> publish(c, false)).noKeyspace();
        t.add("spublish", c -> publish(c, true)).noKeyspace();
        t.add("pubsub|channels", c -> channels(c, false)).noKeyspace();
        t.add("pubsub|shardchannels", c -> channels(c, true)).noKeyspace();
        t.add("pubsub|numsub", c -> numsub(c, false)).noKeyspace();
        t.add("pubsub|shardnumsub", c -> numsub(c, true)).noKeyspace();
        t.add("pubsub|numpat", c -> c.reply().integer(pubsub.patternCount())).noKeyspace();
        t.add("pubsub|help", c -> ServerCommands.help(c, HELP)).noKeyspace();
    }

    static final List<String> HELP = List.of(
            "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the currently active shard level channels matching a <pattern> (default: '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the number of subscribers for the specified shard level channel(s)",
            "HELP",
            "    Prints this help.");

    /** Redis's processCommand: RESP2 clients in subscribed mode run only the subscribe family. */
    private String subscribedContext(Client client, CommandSpec cmd) {
        if (!client.has(Client.PUBSUB) || client.resp() != 2) return null;
        if (cmd.parent == null && ALLOWED_SUBSCRIBED.contains(cmd.name)) return null;
        return "ERR Can't execute '" + cmd.fullName + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
                + "RESET are allowed in this context";
    }

    void subscribe(CommandContext c, Kind kind) {
        Client cl = c.client();
        // A client that expects one reply per command (inside EXEC, scripts) cannot subscribe, except
        // that SUBSCRIBE and PSUBSCRIBE stay allowed in a transaction for backward compatibility.
        if (cl.has(Client.DENY_BLOCKING) && (kind == Kind.SHARD || !cl.has(Client.MULTI))) {
            String name = kind == Kind.CHANNEL ? "SUBSCRIBE" : kind == Kind.PATTERN ? "PSUBSCRIBE" : "SSUBSCRIBE";
            throw new CommandError("ERR " + name + " isn't allowed for a DENY BLOCKING client");
        }
        Args a = c.args();
        Reply r = c.reply();
        boolean enabled = pushing(r);
        try {
            for (int i = 1; i < a.count(); i++) {
                byte[] name = a.bytes(i);
                pubsub.subscribe(cl, kind, name);
                confirm(r, kind, true, name, count(cl, kind));
            }
        } finally {
            r.setEnabled(enabled);
        }
        cl.setFlag(Client.PUBSUB, true);
    }

    void unsubscribe(CommandContext c, Kind kind) {
        Client cl = c.client();
        Args a = c.args();
        Reply r = c.reply();
        boolean enabled = pushing(r);
        try {
            if (a.count() == 1) {
                List<byte[]> all = pubsub.subscriptions(cl, kind);
                for (byte[] name : all) {
                    pubsub.unsubscribe(cl, kind, name);
                    confirm(r, kind, false, name, count(cl, kind));
                }
                // Nothing to unsubscribe from: still one reply, with a null name.
                if (all.isEmpty()) confirm(r, kind, false, null, count(cl, kind));
            } else {
                for (int i = 1; i < a.count(); i++) {
                    byte[] name = a.bytes(i);
                    pubsub.unsubscribe(cl, kind, name);
                    confirm(r, kind, false, name, count(cl, kind));
                }
            }
        } finally {
            r.setEnabled(enabled);
        }
        if (cl.subscriptions + cl.patternSubscriptions + cl.shardSubscriptions == 0) cl.setFlag(Client.PUBSUB, false);
    }

    /** Pub/sub replies reach the client even under CLIENT REPLY OFF; returns the previous state. */
    private static boolean pushing(Reply r) {
        boolean was = r.enabled();
        r.setEnabled(true);
        return was;
    }

    private static int count(Client cl, Kind kind) {
        return kind == Kind.SHARD ? cl.shardSubscriptions : PubSub.channelCount(cl);
    }

    /** [subscribe|unsubscribe ..., name, count] as a push (an array in RESP2). */
    private static void confirm(Reply r, Kind kind, boolean subscribed, byte[] name, int count) {
        r.push(3);
        r.bulk(kind.replyName(subscribed));
        if (name == null) r.nullBulk();
        else r.bulk(name);
        r.integer(count);
    }

    void publish(CommandContext c, boolean shard) {
        Args a = c.args();
        c.reply().integer(pubsub.publish(a.bytes(1), a.bytes(2), shard, c));
    }

    /** PUBSUB CHANNELS|SHARDCHANNELS [pattern]. */
    void channels(CommandContext c, boolean shard) {
        Args a = c.args();
        if (a.count() > 3) throw Errors.subcommandSyntax(a);
        List<byte[]> names = pubsub.channels(shard, a.count() == 3 ? a.bytes(2) : null);
        c.reply().array(names.size());
        for (byte[] n : names) c.reply().bulk(n);
    }

    /** PUBSUB NUMSUB|SHARDNUMSUB [channel ...]: a flat array of channel, count (also in RESP3). */
    void numsub(CommandContext c, boolean shard) {
        Args a = c.args();
        Reply r = c.reply();
        r.array((a.count() - 2) * 2L);
        for (int i = 2; i < a.count(); i++) {
            byte[] ch = a.bytes(i);
            r.bulk(ch);
            r.integer(pubsub.subscriberCount(shard, ch));
        }
    }
}
