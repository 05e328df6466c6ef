package io.larder.config;

import io.larder.protocol.RequestParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads redis.conf syntax (a file, then the command-line options as extra
 * lines, as redis-server does) into a {@link Config}. Directives that are
 * not parameters (include, rename-command, user) are handled here.
 */
public final class ConfigFile {
    /** A fatal error in a configuration line, reported the way redis-server reports it. */
    public static final class LoadError extends Exception {
        public final String source;
        public final int line;
        public final String text;

        LoadError(String source, int line, String text, String reason) {
            super(reason, null, false, false);
            this.source = source;
            this.line = line;
            this.text = text;
        }

        /**
         * The block redis-server prints on standard error before exiting. Redis
         * says only "Reading the configuration file, at line N"; Larder names
         * the file (or "(command line)") in that sentence.
         */
        public String report(String version) {
            StringBuilder b = new StringBuilder();
            b.append("\n*** FATAL CONFIG FILE ERROR (Redis ").append(version).append(") ***\n");
            if (line > 0) {
                b.append("Reading the configuration file ").append(source).append(", at line ").append(line).append('\n');
                b.append(">>> '").append(text).append("'\n");
            }
            b.append(getMessage()).append('\n');
            return b.toString();
        }
    }

    /** Redis ignores these obsolete directives when they have their old arity. */
    private static final Map<String, int[]> DEPRECATED = Map.of(
            "list-max-ziplist-entries", new int[] {2, 2},
            "list-max-ziplist-value", new int[] {2, 2},
            "lua-replicate-commands", new int[] {2, 2});

    private final Config config;
    /** Command names as rename-command sees them (Redis's command table, renamed so far). */
    private final Set<String> commandNames;
    /** rename-command directives in order: original (or earlier new) name -> new name ("" disables). */
    public final Map<String, String> renames = new LinkedHashMap<>();
    /** ACL "user" directives, in order, for the security layer. */
    public final List<List<String>> users = new ArrayList<>();
    /** The config file's absolute path, for CONFIG REWRITE (null if none). */
    public String path;

    /** rename-command may rename any Redis 7.0 command. */
    public ConfigFile(Config config) {
        this(config, io.larder.command.CommandTable.metadata().keySet());
    }

    /** Kept for callers that pass the command-name test as a predicate. */
    public ConfigFile(Config config, java.util.function.Predicate<String> knownCommand) {
        this(config, filter(knownCommand));
    }

    /** {@code commands}: every command name rename-command may rename. */
    public ConfigFile(Config config, Set<String> commands) {
        this.config = config;
        this.commandNames = new HashSet<>(commands);
    }

    private static Set<String> filter(java.util.function.Predicate<String> known) {
        Set<String> s = new HashSet<>();
        for (String n : io.larder.command.CommandTable.metadata().keySet()) if (known.test(n)) s.add(n);
        return s;
    }

    /**
     * Loads a file (may be null; "-" reads standard input), then the options
     * text (lines from the command line). Checks what Redis checks once
     * everything is read (the log file can be opened, no replicaof in
     * cluster mode).
     */
    public void load(String file, String options) throws LoadError {
        boolean stdin = "-".equals(file);
        load(stdin ? null : file, stdin, options);
    }

    /**
     * Loads a file (may be null), then, if {@code stdin}, standard input,
     * then the options text, as redis-server reads its file, "-" and
     * command-line options in that order.
     */
    public void load(String file, boolean stdin, String options) throws LoadError {
        config.setLoadingFile(true);
        try {
            // Redis reads file, stdin and "\n" + options as one text: line numbers continue across them.
            int lines = 0;
            if (file != null) {
                Path p = Path.of(file).toAbsolutePath();
                String text = read(p, file);
                loadText(file, text, 0, 0);
                path = p.toString();
                lines = text.split("\n", -1).length - 1;
            }
            if (stdin) {
                String text;
                try {
                    text = new String(System.in.readAllBytes(), StandardCharsets.ISO_8859_1);
                } catch (IOException e) {
                    throw new LoadError("(stdin)", 0, "", "Fatal error, can't read config from stdin");
                }
                loadText("(stdin)", text, 0, lines);
                lines += text.split("\n", -1).length - 1;
            }
            if (options != null && !options.isEmpty()) loadText("(command line)", options, 0, lines + 1);
        } finally {
            config.setLoadingFile(false);
        }
        String logfile = config.get("logfile");
        if (!logfile.isEmpty()) {
            Path lp = Path.of(config.special.dir).resolve(logfile);
            try {
                Files.newOutputStream(lp, java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND).close();
            } catch (IOException e) {
                throw new LoadError("", 0, "", "Can't open the log file: " + ioReason(e));
            }
        }
        if (config.getBool("cluster-enabled") && config.special.replicaOfHost != null) {
            throw new LoadError("", 0, "", "replicaof directive not allowed in cluster mode");
        }
    }

    private static String read(Path p, String shown) throws LoadError {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new LoadError(shown, 0, "", "Fatal error, can't open config file '" + shown + "': " + ioReason(e));
        }
    }

    /** strerror-like text for an I/O failure. */
    static String ioReason(IOException e) {
        if (e instanceof NoSuchFileException) return "No such file or directory";
        if (e instanceof java.nio.file.AccessDeniedException) return "Permission denied";
        if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) return fs.getReason();
        return e.getMessage();
    }

    /** Applies the lines of one source; {@code lineOffset}: lines of the same text before this source. */
    private void loadText(String source, String text, int depth, int lineOffset) throws LoadError {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = strip(lines[i]);
            if (line.isEmpty() || line.charAt(0) == '#') continue;
            int lineNo = lineOffset + i + 1;
            List<String> argv = RequestParser.splitLine(line);
            if (argv == null) throw new LoadError(source, lineNo, line, "Unbalanced quotes in configuration line");
            if (argv.isEmpty()) continue;
            String name = argv.get(0).toLowerCase(Locale.ROOT);
            List<String> args = argv.subList(1, argv.size());
            try {
                directive(name, args, depth);
            } catch (ConfigException e) {
                throw new LoadError(source, lineNo, line, e.getMessage());
            }
        }
    }

    /** Redis trims " \t\r\n" from both ends of each line. */
    private static String strip(String s) {
        int b = 0, e = s.length();
        while (b < e && " \t\r\n".indexOf(s.charAt(b)) >= 0) b++;
        while (e > b && " \t\r\n".indexOf(s.charAt(e - 1)) >= 0) e--;
        return s.substring(b, e);
    }

    private void directive(String name, List<String> args, int depth) throws ConfigException, LoadError {
        Param p = config.param(name);
        if (p != null) {
            if (p.is(Param.MULTI_ARG) && args.size() == 1 && !args.get(0).isEmpty()) {
                // Like redis-server, a single argument of a multi-argument directive is split
                // with the config-line rules, so `--save "900 1 300 10"` works.
                List<String> split = io.larder.protocol.RequestParser.splitLine(args.get(0));
                if (split != null) args = split;
            }
            config.set(name, args);
            return;
        }
        int[] dep = DEPRECATED.get(name);
        if (dep != null && args.size() + 1 >= dep[0] && args.size() + 1 <= dep[1]) return;
        switch (name) {
            case "include" -> {
                if (args.size() != 1) throw new ConfigException("Bad directive or wrong number of arguments");
                include(args.get(0), depth);
            }
            case "rename-command" -> {
                if (args.size() != 2) throw new ConfigException("Bad directive or wrong number of arguments");
                String from = args.get(0).toLowerCase(Locale.ROOT);
                String to = args.get(1).toLowerCase(Locale.ROOT);
                if (!commandNames.remove(from)) throw new ConfigException("No such command in rename-command");
                if (!to.isEmpty() && !commandNames.add(to)) {
                    throw new ConfigException("Target command name already exists");
                }
                renames.put(from, to);
            }
            case "user" -> {
                if (args.isEmpty()) throw new ConfigException("Bad directive or wrong number of arguments");
                users.add(List.copyOf(args));
            }
            case "loadmodule" -> {
                if (args.isEmpty()) throw new ConfigException("Bad directive or wrong number of arguments");
                throw new ConfigException("Larder cannot load Redis modules (native shared libraries)");
            }
            case "sentinel" -> throw new ConfigException(args.isEmpty()
                    ? "Larder has no Sentinel mode" : "sentinel directive while not in sentinel mode");
            default -> {
                if (name.indexOf('.') >= 0) {
                    if (args.size() != 1) throw new ConfigException("Module config specified without value");
                    throw new ConfigException("Module Configuration detected without loadmodule directive or no "
                            + "ApplyConfig call: aborting");
                }
                throw new ConfigException("Bad directive or wrong number of arguments");
            }
        }
    }

    /** include: a file, or a glob pattern whose matches are read in order (none is fine). */
    private void include(String pattern, int depth) throws ConfigException, LoadError {
        if (depth >= 16) throw new ConfigException("Too many nested includes");
        Path base = Path.of(config.special.dir);
        if (pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0 && pattern.indexOf('[') < 0) {
            Path p = base.resolve(pattern);
            loadText(pattern, read(p, pattern), depth + 1, 0);
            return;
        }
        Path full = base.resolve(pattern);
        Path dir = full.getParent();
        String glob = full.getFileName().toString();
        TreeSet<Path> matches = new TreeSet<>();
        if (dir != null && Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
                for (Path m : ds) matches.add(m);
            } catch (IOException e) {
                throw new ConfigException("Fatal error, can't open config file '" + pattern + "': " + ioReason(e));
            }
        }
        for (Path m : matches) loadText(m.toString(), read(m, m.toString()), depth + 1, 0);
    }

    /**
     * Turns redis-server style command-line options into config lines, as
     * redis-server's main() does: "--name" starts a line, each following
     * argument is appended quoted (so values may contain spaces or start
     * with "--"), "--port 7000" as one argument is a whole line, and a bare
     * "--save" becomes {@code save ""}.
     */
    public static String optionsToText(List<String> opts) {
        StringBuilder b = new StringBuilder();
        boolean handledLastArg = true;
        for (int j = 0; j < opts.size(); j++) {
            String o = opts.get(j);
            boolean last = j == opts.size() - 1;
            if (handledLastArg && o.startsWith("--")) {
                if (b.length() > 0) b.append('\n');
                b.append(o.substring(2)).append(' ');
                List<String> parts = RequestParser.splitLine(o);
                if (parts != null && parts.size() == 1) {
                    handledLastArg = false;
                    boolean nextIsOption = !last && opts.get(j + 1).startsWith("--");
                    if (o.equalsIgnoreCase("--save") && (nextIsOption || last)) {
                        b.append("\"\"");
                        handledLastArg = nextIsOption;
                    }
                } else {
                    handledLastArg = true;
                }
            } else {
                b.append(Config.repr(o)).append(' ');
                handledLastArg = true;
            }
        }
        return b.toString();
    }
}
