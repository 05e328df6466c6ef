package io.larder.config;

import io.larder.protocol.RequestParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads redis.conf syntax (a file, then command-line options as extra lines,
 * as redis-server does) into a {@link Config}. Directives that are not
 * parameters (include, rename-command, user) are handled here.
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

        /** The message redis-server prints before exiting, plus the file name. */
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

    private final Config config;
    private final Predicate<String> knownCommand;
    /** rename-command directives: original name -> new name ("" disables). */
    public final Map<String, String> renames = new LinkedHashMap<>();
    /** ACL "user" directives, in order, for the security layer. */
    public final List<List<String>> users = new ArrayList<>();
    /** The config file's absolute path, for CONFIG REWRITE (null if none). */
    public String path;

    public ConfigFile(Config config, Predicate<String> knownCommand) {
        this.config = config;
        this.knownCommand = knownCommand;
    }

    /** Loads a file (may be null), then the options text (lines from the command line). */
    public void load(String file, String options) throws LoadError {
        config.setLoadingFile(true);
        try {
            if (file != null) {
                String text;
                if (file.equals("-")) {
                    try {
                        text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        throw new LoadError("(stdin)", 0, "", "Fatal error, can't read config from stdin");
                    }
                } else {
                    Path p = Path.of(file).toAbsolutePath();
                    try {
                        text = Files.readString(p, StandardCharsets.ISO_8859_1);
                    } catch (IOException e) {
                        throw new LoadError(file, 0, "", "Fatal error, can't open config file '" + p + "': "
                                + (e instanceof java.nio.file.NoSuchFileException ? "No such file or directory" : e.getMessage()));
                    }
                    path = p.toString();
                }
                loadText(file, text, 0);
            }
            if (options != null && !options.isEmpty()) loadText("(command line)", options, 0);
        } finally {
            config.setLoadingFile(false);
        }
    }

    private void loadText(String source, String text, int depth) throws LoadError {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String raw = lines[i];
            String line = raw.strip();
            if (line.isEmpty() || line.charAt(0) == '#') continue;
            List<String> argv = RequestParser.splitLine(line);
            if (argv == null) throw new LoadError(source, i + 1, line, "Unbalanced quotes in configuration line");
            if (argv.isEmpty()) continue;
            String name = argv.get(0).toLowerCase(Locale.ROOT);
            List<String> args = argv.subList(1, argv.size());
            try {
                directive(name, args, depth);
            } catch (ConfigException e) {
                throw new LoadError(source, i + 1, line, e.getMessage());
            } catch (LoadError e) {
                throw e;
            }
        }
    }

    private void directive(String name, List<String> args, int depth) throws ConfigException, LoadError {
        switch (name) {
            case "include" -> {
                if (args.size() != 1) throw new ConfigException("Bad directive or wrong number of arguments");
                if (depth > 10) throw new ConfigException("Too many nested includes");
                String inc = args.get(0);
                String text;
                try {
                    text = Files.readString(Path.of(inc), StandardCharsets.ISO_8859_1);
                } catch (IOException e) {
                    throw new ConfigException("Fatal error, can't open config file '" + inc + "'");
                }
                loadText(inc, text, depth + 1);
            }
            case "rename-command" -> {
                if (args.size() != 2) throw new ConfigException("Bad directive or wrong number of arguments");
                String cmd = args.get(0).toLowerCase(Locale.ROOT);
                if (!knownCommand.test(cmd)) throw new ConfigException("No such command in rename-command");
                renames.put(cmd, args.get(1));
            }
            case "user" -> {
                if (args.isEmpty()) throw new ConfigException("Bad directive or wrong number of arguments");
                users.add(List.copyOf(args));
            }
            default -> {
                Param p = config.param(name);
                if (p == null) throw new ConfigException("Bad directive or wrong number of arguments");
                if (!p.is(Param.MULTI_ARG) && args.size() != 1) {
                    throw new ConfigException("Bad directive or wrong number of arguments");
                }
                p.set(args);
                p.fire();
            }
        }
    }

    /**
     * Turns redis-server style command-line options into config lines:
     * {@code --port 7000 --save "" --bind a b} becomes "port 7000\nsave \"\"\nbind a b".
     */
    public static String optionsToText(List<String> opts) {
        StringBuilder b = new StringBuilder();
        for (String o : opts) {
            if (o.startsWith("--")) {
                if (b.length() > 0) b.append('\n');
                b.append(o.substring(2)).append(' ');
            } else {
                b.append(Config.quoteIfNeeded(o)).append(' ');
            }
        }
        return b.append('\n').toString();
    }
}
