package io.larder.testing;

import io.larder.command.CommandTable;
import io.larder.config.Config;
import io.larder.config.ConfigFile;
import io.larder.server.LarderServer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A real Larder server started in the test JVM, listening on an ephemeral
 * loopback port. Tests talk to it over sockets exactly as clients do.
 */
public final class LarderTestServer implements AutoCloseable {
    private final LarderServer server;
    private final int port;

    private LarderTestServer(LarderServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts a server with redis-server style options, e.g. "--requirepass", "pw". */
    public static LarderTestServer start(String... options) {
        return startWithConfig(null, options);
    }

    /**
     * Starts a server from a config file (CONFIG REWRITE, rename-command ...),
     * then the options; the test defaults (ephemeral port, no save points,
     * a new temporary directory) come first so the file and options override them.
     */
    public static LarderTestServer startWithConfig(java.nio.file.Path file, String... options) {
        List<String> opts = new ArrayList<>();
        if (file == null) {
            // A directory of its own: a server loads the dump.rdb it finds there at start.
            String dir;
            try {
                dir = java.nio.file.Files.createTempDirectory("larder-test").toString();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            // More event loops than this machine's CPUs (whose default is one loop on two CPUs): tests
            // exercise commands from different threads racing each other, as on a many-core server.
            opts.addAll(List.of("--port", "0", "--save", "", "--dir", dir, "--threads", "4"));
        }
        opts.addAll(Arrays.asList(options));
        Config config = new Config();
        ConfigFile cf = new ConfigFile(config, CommandTable.metadata().keySet()::contains);
        try {
            cf.load(file == null ? null : file.toString(), ConfigFile.optionsToText(opts));
            LarderServer s = new LarderServer(config, cf);
            s.start();
            return new LarderTestServer(s, s.bindEphemeral());
        } catch (Exception e) {
            throw new IllegalStateException("could not start Larder: " + e.getMessage(), e);
        }
    }

    public int port() {
        return port;
    }

    public LarderServer server() {
        return server;
    }

    public RespClient client() {
        return new RespClient(port);
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
