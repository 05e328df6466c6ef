package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandTable;
import io.larder.command.Errors;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.server.Client;
import io.larder.server.LarderServer;

/** Connection commands: PING, ECHO, QUIT, SELECT, AUTH, HELLO, RESET. */
public final class ConnectionCommands {
    private final LarderServer server;

    public ConnectionCommands(LarderServer server) {
        this.server = server;
    }

    public void register(CommandTable t) {
        t.add("ping", this::ping).noKeyspace();
        t.add("echo", this::echo).noKeyspace();
        t.add("quit", this::quit).noKeyspace();
        t.add("select", this::select).noKeyspace();
        t.add("auth", this::auth).noKeyspace();
        t.add("hello", this::hello).noKeyspace();
        t.add("reset", this::reset).noKeyspace();
    }

    /**
     * RESET: the connection back to its state after connecting (database 0,
     * RESP2, default user, no name, replies on, ...). Features that keep
     * per-connection state (MULTI, pub/sub, tracking, MONITOR) clear theirs
     * through the server's reset listeners.
     */
    void reset(CommandContext c) {
        Client cl = c.client();
        if ((cl.has(Client.REPLICA) && !cl.has(Client.MONITOR)) || cl.has(Client.MASTER)) {
            throw new CommandError("ERR can only reset normal client connections");
        }
        server.resetClient(cl);
        cl.setDb(0);
        cl.setResp(2);
        cl.setAuthenticated(!server.authRequired(), "default");
        cl.setName("");
        for (int f : new int[] {Client.READONLY, Client.PUBSUB, Client.NO_EVICT, Client.MONITOR}) cl.setFlag(f, false);
        cl.setReplyMode(false, false);
        c.reply().setEnabled(true);
        c.reply().simple("RESET");
    }

    void ping(CommandContext c) {
        if (c.argc() > 2) throw Errors.wrongArgs("ping");
        Reply r = c.reply();
        Client cl = c.client();
        if (cl.has(Client.PUBSUB) && cl.resp() == 2) {
            r.array(2);
            r.bulk("pong");
            if (c.argc() == 2) r.bulk(c.args().buf(), c.args().off(1), c.args().len(1));
            else r.bulk("");
            return;
        }
        if (c.argc() == 1) r.simple("PONG");
        else r.bulk(c.args().buf(), c.args().off(1), c.args().len(1));
    }

    void echo(CommandContext c) {
        c.reply().bulk(c.args().buf(), c.args().off(1), c.args().len(1));
    }

    void quit(CommandContext c) {
        c.reply().ok();
        c.client().closeAfterReply();
    }

    void select(CommandContext c) {
        long id;
        try {
            id = c.args().longAt(1);
        } catch (RuntimeException e) {
            throw Errors.NOT_INTEGER;
        }
        // Redis reads the index as a C int.
        if (id < Integer.MIN_VALUE || id > Integer.MAX_VALUE) throw Errors.INT_OUT_OF_RANGE;
        if (server.keyspace().clusterMode() && id != 0) throw Errors.err("SELECT is not allowed in cluster mode");
        if (id < 0 || id >= server.keyspace().databases()) throw Errors.DB_INDEX_OUT_OF_RANGE;
        c.client().setDb((int) id);
        c.reply().ok();
    }

    /** Checks a username/password pair against requirepass (the "default" user). */
    boolean checkPassword(String user, String pass) {
        if (!user.equals("default")) return false;
        String required = server.config().get("requirepass");
        if (required.isEmpty()) return true; // nopass
        return java.security.MessageDigest.isEqual(required.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                pass.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    void auth(CommandContext c) {
        Args a = c.args();
        if (a.count() > 3) throw Errors.SYNTAX;
        // Passwords never reach SLOWLOG or MONITOR.
        for (int i = 1; i < a.count(); i++) c.redact(i);
        String user = a.count() == 3 ? a.str(1) : "default";
        String pass = a.str(a.count() - 1);
        if (a.count() == 2 && server.config().get("requirepass").isEmpty()) {
            throw new CommandError("ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?");
        }
        if (!checkPassword(user, pass)) {
            throw Errors.WRONGPASS;
        }
        c.client().setAuthenticated(true, user);
        c.reply().ok();
    }

    void hello(CommandContext c) {
        Args a = c.args();
        Client cl = c.client();
        int ver = 0;
        int j = 1;
        if (a.count() >= 2) {
            long v;
            try {
                v = a.longAt(1);
            } catch (RuntimeException e) {
                throw new CommandError("ERR Protocol version is not an integer or out of range");
            }
            if (v < 2 || v > 3) throw new CommandError("NOPROTO unsupported protocol version");
            ver = (int) v;
            j = 2;
        }
        String authUser = null, authPass = null, setName = null;
        for (; j < a.count(); j++) {
            int more = a.count() - j - 1;
            if (a.is(j, "AUTH") && more >= 2) {
                c.redact(j + 1);
                c.redact(j + 2);
                authUser = a.str(j + 1);
                authPass = a.str(j + 2);
                j += 2;
            } else if (a.is(j, "SETNAME") && more >= 1) {
                setName = a.str(j + 1);
                j += 1;
            } else {
                throw new CommandError("ERR Syntax error in HELLO option '" + a.str(j) + "'");
            }
        }
        if (authUser != null) {
            if (!checkPassword(authUser, authPass)) throw Errors.WRONGPASS;
            cl.setAuthenticated(true, authUser);
        }
        if (!cl.authenticated()) {
            throw new CommandError("NOAUTH HELLO must be called with the client already authenticated, otherwise the "
                    + "HELLO AUTH <user> <pass> option can be used to authenticate the client and select the "
                    + "RESP protocol version at the same time");
        }
        if (setName != null) {
            ClientNames.validate(setName);
            cl.setName(setName);
        }
        if (ver != 0) cl.setResp(ver);
        Reply r = c.reply();
        r.map(7);
        r.bulk("server");
        r.bulk("redis");
        r.bulk("version");
        r.bulk(LarderServer.REDIS_VERSION);
        r.bulk("proto");
        r.integer(cl.resp());
        r.bulk("id");
        r.integer(cl.id);
        r.bulk("mode");
        r.bulk(server.keyspace().clusterMode() ? "cluster" : "standalone");
        r.bulk("role");
        r.bulk("master");
        r.bulk("modules");
        r.emptyArray();
    }
}
