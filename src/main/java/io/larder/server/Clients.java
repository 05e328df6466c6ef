package io.larder.server;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every connected client by id (CLIENT LIST order), admission (maxclients,
 * protected mode) and id allocation.
 */
public final class Clients {
    private final LarderServer server;
    private final AtomicLong nextId = new AtomicLong(1);
    private final ConcurrentSkipListMap<Long, Client> byId = new ConcurrentSkipListMap<>();

    static final String PROTECTED_MODE_ERROR = "-DENIED Redis is running in protected mode because protected "
            + "mode is enabled and no password is set for the default user. "
            + "In this mode connections are only accepted from the loopback interface. "
            + "If you want to connect from external computers to Redis you "
            + "may adopt one of the following solutions: "
            + "1) Just disable protected mode sending the command "
            + "'CONFIG SET protected-mode no' from the loopback interface "
            + "by connecting to Redis from the same host the server is "
            + "running, however MAKE SURE Redis is not publicly accessible "
            + "from internet if you do so. Use CONFIG REWRITE to make this "
            + "change permanent. "
            + "2) Alternatively you can just disable the protected mode by "
            + "editing the Redis configuration file, and setting the protected "
            + "mode option to 'no', and then restarting the server. "
            + "3) If you started the server manually just for testing, restart "
            + "it with the '--protected-mode no' option. "
            + "4) Setup a an authentication password for the default user. "
            + "NOTE: You only need to do one of the above things in order for "
            + "the server to start accepting connections from the outside.\r\n";

    Clients(LarderServer server) {
        this.server = server;
    }

    Client newClient(long id) {
        return new Client(server, id);
    }

    /** Registers a new connection; returns the refusal to send instead, or null to accept. */
    String admit(Client c, SocketAddress remote) {
        // As in Redis, refused connections count as rejected, not as received.
        if (byId.size() >= server.config().getLong("maxclients")) {
            server.stats().rejectedConnections.increment();
            return "-ERR max number of clients reached\r\n";
        }
        if (server.config().getBool("protected-mode") && !server.authRequired() && !isLoopback(remote)) {
            server.stats().rejectedConnections.increment();
            return PROTECTED_MODE_ERROR;
        }
        byId.put(c.id, c);
        server.stats().connectionsReceived.increment();
        return null;
    }

    /** Loopback addresses and unix sockets count as local (Redis's connIsLocal). */
    public static boolean isLoopback(SocketAddress a) {
        if (a instanceof InetSocketAddress i && i.getAddress() != null) return i.getAddress().isLoopbackAddress();
        return true; // unix sockets count as local
    }

    void remove(Client c) {
        byId.remove(c.id);
    }

    /** A new client id (also for clients without a connection, which Redis numbers the same way). */
    public long nextId() {
        return nextId.getAndIncrement();
    }

    public Client get(long id) {
        return byId.get(id);
    }

    public Collection<Client> all() {
        return byId.values();
    }

    public int count() {
        return byId.size();
    }

    public List<Client> snapshot() {
        return new ArrayList<>(byId.values());
    }
}
