package io.larder;

import io.larder.config.Config;
import io.larder.config.ConfigFile;
import io.larder.server.LarderServer;
import io.larder.server.Log;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Command line, as redis-server takes it: {@code larder [configfile] [--name value ...]}.
 * Options are applied after the file, so they override it. Start-up follows
 * redis-server: configuration errors are reported in its format and stop the
 * process with status 1; daemonize detaches; SIGTERM and SIGINT shut down as
 * shutdown-on-sigterm / shutdown-on-sigint say.
 */
public final class Main {
    /** Set in the environment of the detached copy started by daemonize. */
    static final String DAEMON_ENV = "LARDER_DAEMONIZED";
    private static final String DEFAULT_PIDFILE = "/var/run/redis.pid";

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
                case "--check-aof" -> {
                    // Like redis-check-aof: a manifest (and every file it names) or a single AOF file.
                    System.exit(io.larder.persist.AofCheck.run(Arrays.copyOfRange(argv, 1, argv.length), System.out,
                            System.in));
                }
                case "--check-rdb" -> {
                    // Like redis-check-rdb: report what is wrong with a dump, without starting a server.
                    if (argv.length != 2) {
                        System.err.println("Usage: larder --check-rdb <rdb-file-name>");
                        System.exit(1);
                    }
                    System.exit(io.larder.persist.RdbCheck.run(argv[1], System.out));
                }
                default -> { }
            }
        }
        // Like redis-server, log lines before the server is initialised carry the role 'C'.
        Log.setRole('C');
        Config config = new Config();
        String file = null;
        int j = 0;
        // As redis-server: a first argument not starting with "--" is the config file ("-" is stdin).
        if (argv.length > 0 && !argv[0].startsWith("--")) {
            file = argv[0];
            j = 1;
        }
        List<String> opts = new ArrayList<>(Arrays.asList(argv).subList(j, argv.length));
        // "-" first or last: the configuration (also) comes from standard input, after the file.
        boolean stdin = false;
        if ("-".equals(file)) {
            file = null;
            stdin = true;
        } else if (!opts.isEmpty() && opts.get(opts.size() - 1).equals("-")) {
            opts.remove(opts.size() - 1);
            stdin = true;
        }
        ConfigFile cf = new ConfigFile(config);
        try {
            cf.load(file, stdin, ConfigFile.optionsToText(opts));
        } catch (ConfigFile.LoadError e) {
            if (e.line == 0 && e.getMessage().startsWith("Fatal error, can't open config file")) {
                // redis-server logs this one rather than printing the FATAL block.
                Log.warning(e.getMessage());
            } else {
                System.err.print(e.report(LarderServer.REDIS_VERSION));
            }
            System.exit(1);
        }
        boolean daemonized = System.getenv(DAEMON_ENV) != null;
        if (config.getBool("daemonize") && !daemonized) {
            if (stdin) {
                System.err.println("Can't daemonize with the configuration read from standard input.");
                System.exit(1);
            }
            daemonize(argv);
            return;
        }
        String logfile = config.get("logfile");
        try {
            Log.setFile(logfile.isEmpty() ? "" : Path.of(config.special().dir).resolve(logfile).toString());
        } catch (IOException e) {
            System.err.println("Can't open the log file: " + e.getMessage());
            System.exit(1);
        }
        if (daemonized && config.get("pidfile").isEmpty()) {
            // Redis writes a pid file when daemonized even if none is configured.
            try {
                config.set("pidfile", DEFAULT_PIDFILE);
            } catch (io.larder.config.ConfigException e) {
                throw new IllegalStateException(e);
            }
        }
        Log.notice("oO0OoO0OoO0Oo Larder is starting oO0OoO0OoO0Oo");
        Log.notice("Larder version=" + LarderServer.LARDER_VERSION + " (Redis " + LarderServer.REDIS_VERSION
                + " compatible), bits=64, pid=" + ProcessHandle.current().pid() + ", just started");
        Log.notice(file == null ? "Warning: no config file specified, using the default config. In order to "
                + "specify a config file use larder /path/to/redis.conf" : "Configuration loaded");
        LarderServer server = new LarderServer(config, cf);
        server.setExitHandler(System::exit);
        try {
            server.start();
        } catch (Exception e) {
            Log.warning(e.getMessage());
            System.exit(1);
        }
        Log.setRole('M');
        server.writePidFile();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            server.removePidFile();
        }, "larder-shutdown"));
        installSignalHandlers(server);
        Log.notice("Server initialized, " + server.threads() + " threads");
        Log.notice("Ready to accept connections tcp");
        try {
            Thread.currentThread().join();
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * SIGTERM and SIGINT as Redis handles them: log, then shut down with the
     * flags of shutdown-on-sigterm / shutdown-on-sigint (saving first if save
     * points are configured); if that fails the server keeps running. A
     * second SIGINT during a shutdown exits at once.
     */
    @SuppressWarnings("removal")
    private static void installSignalHandlers(LarderServer server) {
        for (String name : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> onSignal(server, name));
            } catch (IllegalArgumentException e) {
                Log.verbose("Cannot handle SIG" + name + ": " + e.getMessage());
            }
        }
    }

    private static volatile boolean signalled;

    private static void onSignal(LarderServer server, String name) {
        if (signalled && name.equals("INT")) {
            Log.warning("You insist... exiting now.");
            Runtime.getRuntime().halt(1);
        }
        signalled = true;
        Log.warning("Received SIG" + name + " scheduling shutdown...");
        int flags = server.config().param(name.equals("TERM") ? "shutdown-on-sigterm" : "shutdown-on-sigint") instanceof
                Config.EnumParam e ? e.intValue() : 0;
        Thread t = new Thread(() -> {
            if (!server.prepareForShutdown(flags)) {
                Log.warning("SIG" + name + " received but errors trying to shut down the server, check the logs "
                        + "for more information");
                signalled = false;
            }
        }, "larder-signal");
        t.start();
    }

    /**
     * daemonize yes: starts a detached copy of this process (new session, no
     * terminal, standard streams to /dev/null) and exits, as redis-server
     * forks and its parent exits. The copy re-reads the same configuration.
     */
    private static void daemonize(String[] args) {
        ProcessHandle.Info info = ProcessHandle.current().info();
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) cmd.add("/usr/bin/setsid");
        cmd.add(info.command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // The same JVM options, class path and arguments. Not ProcessHandle's arguments(): the JDK gives
        // none at all for a command line longer than a page (a long class path).
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        String launched = System.getProperty("sun.java.command", "").split(" ", 2)[0];
        if (launched.endsWith(".jar")) {
            // -jar keeps the manifest's settings (native access for Lua).
            cmd.add("-jar");
            cmd.add(launched);
        } else {
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(Main.class.getName());
        }
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put(DAEMON_ENV, "1");
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            pb.start();
        } catch (IOException e) {
            System.err.println("Can't daemonize: " + e.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }

    private static void usage() {
        System.err.println("""
                Usage: ./larder [/path/to/redis.conf] [options] [-]
                       ./larder - (read config from stdin)
                       ./larder -v or --version
                       ./larder -h or --help
                       ./larder --check-rdb /path/to/dump.rdb (check a dump file)
                       ./larder --check-aof [--fix|--truncate-to-timestamp ts] <file.manifest|file.aof>

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
