package io.larder;

import io.larder.command.CommandTable;
import io.larder.config.Config;
import io.larder.config.ConfigFile;
import io.larder.server.LarderServer;
import io.larder.server.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Command line, as redis-server takes it: {@code larder [configfile] [--name value ...]}.
 * Options are applied after the file, so they override it.
 */
public final class Main {
    private Main() {}

    public static void main(String[] argv) {
        if (argv.length > 0) {
            switch (argv[0]) {
                case "-v", "--version" -> {
                    System.out.println("Larder server v=" + LarderServer.LARDER_VERSION + " redis_version="
                            + LarderServer.REDIS_VERSION + " bits=64 java=" + Runtime.version());
                    return;
                }
                case "-h", "--help" -> {
                    usage();
                    return;
                }
                default -> { }
            }
        }
        Config config = new Config();
        String file = null;
        int j = 0;
        if (argv.length > 0 && (!argv[0].startsWith("-") || argv[0].equals("-"))) {
            file = argv[0];
            j = 1;
        }
        List<String> opts = new ArrayList<>(Arrays.asList(argv).subList(j, argv.length));
        var known = CommandTable.metadata().keySet();
        ConfigFile cf = new ConfigFile(config, known::contains);
        try {
            cf.load(file, ConfigFile.optionsToText(opts));
        } catch (ConfigFile.LoadError e) {
            System.err.print(e.report(LarderServer.REDIS_VERSION));
            System.exit(1);
        }
        try {
            Log.setFile(config.get("logfile"));
        } catch (IOException e) {
            System.err.println("Can't open the log file: " + e.getMessage());
            System.exit(1);
        }
        if (config.getBool("daemonize") && System.getenv("LARDER_DAEMONIZED") == null) {
            daemonize(argv);
            return;
        }
        Log.notice("oO0OoO0OoO0Oo Larder is starting oO0OoO0OoO0Oo");
        Log.notice("Larder version=" + LarderServer.LARDER_VERSION + " (Redis " + LarderServer.REDIS_VERSION
                + " compatible), bits=64, pid=" + ProcessHandle.current().pid() + ", just started");
        Log.notice(file == null ? "No config file specified, using the default config."
                : "Configuration loaded");
        LarderServer server = new LarderServer(config, cf);
        try {
            server.start();
        } catch (Exception e) {
            Log.warning(e.getMessage());
            System.exit(1);
        }
        String pidfile = config.get("pidfile");
        if (!pidfile.isEmpty()) {
            try {
                Files.writeString(Path.of(pidfile), ProcessHandle.current().pid() + "\n");
            } catch (IOException e) {
                Log.warning("Failed to write PID file: " + e.getMessage());
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Log.warning("Received SIGTERM scheduling shutdown...");
            server.shutdown();
            if (!pidfile.isEmpty()) {
                try {
                    Files.deleteIfExists(Path.of(pidfile));
                } catch (IOException ignored) {
                    // Nothing to do: the process is exiting.
                }
            }
            Log.warning("Larder is now ready to exit, bye bye...");
        }, "larder-shutdown"));
        Log.notice("Server initialized, " + server.threads() + " threads");
        Log.notice("Ready to accept connections tcp");
        try {
            Thread.currentThread().join();
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
    }

    /** daemonize yes: start a detached copy of this process and exit, as redis-server forks. */
    private static void daemonize(String[] argv) {
        ProcessHandle.Info info = ProcessHandle.current().info();
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) cmd.add("/usr/bin/setsid");
        cmd.add(info.command().orElse("java"));
        cmd.addAll(Arrays.asList(info.arguments().orElse(new String[0])));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("LARDER_DAEMONIZED", "1");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            pb.start();
        } catch (IOException e) {
            System.err.println("Can't daemonize: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void usage() {
        System.err.println("""
                Usage: ./larder [/path/to/redis.conf] [options] [-]
                       ./larder - (read config from stdin)
                       ./larder -v or --version
                       ./larder -h or --help

                Examples:
                       ./larder (run the server with default conf)
                       ./larder /etc/redis/6379.conf
                       ./larder --port 7777
                       ./larder --port 7777 --replicaof 127.0.0.1 8888
                       ./larder /etc/myredis.conf --loglevel verbose -
                       ./larder /etc/myredis.conf --loglevel verbose
                """);
    }
}
