package io.larder.family;

import io.larder.command.CommandContext;
import io.larder.command.CommandError;
import io.larder.command.CommandSpec;
import io.larder.command.CommandTable;
import io.larder.config.Config;
import io.larder.config.ConfigRewrite;
import io.larder.config.Param;
import io.larder.protocol.Args;
import io.larder.protocol.Reply;
import io.larder.server.LarderServer;
import io.larder.server.Log;
import io.larder.util.Glob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** CONFIG GET, SET, RESETSTAT, REWRITE and HELP. */
public final class ConfigCommands {
    private final LarderServer server;

    public ConfigCommands(LarderServer server) {
        this.server = server;
    }

    public void register(CommandTable t) {
        t.add("config|get", this::get).noKeyspace();
        t.add("config|set", this::set).noKeyspace();
        t.add("config|resetstat", this::resetStat).noKeyspace();
        t.add("config|rewrite", this::rewrite).noKeyspace();
        t.add("config|help", c -> ServerCommands.help(c, List.of(
                "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GET <pattern>",
                "    Return parameters matching the glob-like <pattern> and their values.",
                "SET <directive> <value>",
                "    Set the configuration <directive> to <value>.",
                "RESETSTAT",
                "    Reset statistics reported by the INFO command.",
                "REWRITE",
                "    Rewrite the configuration file.",
                "HELP",
                "    Prints this help."))).noKeyspace();
    }

    /**
     * Redis's configGetCommand: a name without glob characters is looked up
     * directly (and reported as the client spelled it; hidden parameters
     * only this way); a pattern is matched against every name and alias.
     * Each parameter name appears once.
     */
    void get(CommandContext c) {
        Args a = c.args();
        Config config = server.config();
        // Keys compare case-insensitively, as Redis's matches dictionary does.
        Map<String, Param> matches = new LinkedHashMap<>();
        TreeMap<String, Boolean> seen = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 2; i < a.count(); i++) {
            String pattern = a.str(i);
            if (pattern.indexOf('[') < 0 && pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0) {
                if (seen.containsKey(pattern)) continue;
                Param p = config.param(pattern);
                if (p != null) {
                    matches.put(pattern, p);
                    seen.put(pattern, true);
                }
                continue;
            }
            byte[] pat = a.bytes(i);
            for (Param p : config.all()) {
                if (p.is(Param.HIDDEN)) continue;
                for (String name : p.names()) {
                    if (seen.containsKey(name)) continue;
                    if (Glob.match(pat, name.getBytes(StandardCharsets.ISO_8859_1), true)) {
                        matches.put(name, p);
                        seen.put(name, true);
                    }
                }
            }
        }
        Reply r = c.reply();
        r.map(matches.size());
        for (Map.Entry<String, Param> e : matches.entrySet()) {
            r.bulk(e.getKey());
            r.bulk(e.getValue().get());
        }
    }

    void set(CommandContext c) {
        Args a = c.args();
        Config config = server.config();
        if ((a.count() & 1) != 0) throw io.larder.command.Errors.SYNTAX;
        // Passwords never reach SLOWLOG or MONITOR, even when the command fails.
        for (int i = 2; i + 1 < a.count(); i += 2) {
            Param p = config.param(a.str(i));
            if (p != null && p.is(Param.SENSITIVE)) c.redact(i + 1);
        }
        List<String> pairs = new ArrayList<>(a.count() - 2);
        for (int i = 2; i < a.count(); i++) pairs.add(a.str(i));
        try {
            config.configSet(pairs, server.protectedActionAllowed("enable-protected-configs", c.client()));
        } catch (Config.SetError e) {
            throw new CommandError(e.getMessage());
        }
        c.reply().ok();
    }

    void resetStat(CommandContext c) {
        server.stats().reset();
        server.stats().resetCommandStats(server.commands().statsSlots());
        server.latency().reset();
        c.reply().ok();
    }

    void rewrite(CommandContext c) {
        String path = server.configFile().path;
        if (path == null) throw new CommandError("ERR The server is running without a config file");
        try {
            rewriteFile(server, Path.of(path), false);
        } catch (IOException e) {
            String reason = ioReason(e);
            Log.warning("CONFIG REWRITE failed: " + reason);
            throw new CommandError("ERR Rewriting config file: " + reason);
        }
        Log.warning("CONFIG REWRITE executed with success.");
        c.reply().ok();
    }

    /** CONFIG REWRITE (and DEBUG CONFIG-REWRITE-FORCE-ALL) of the server's config file. */
    static void rewriteFile(LarderServer server, Path path, boolean forceAll) throws IOException {
        ConfigRewrite.rewrite(server.config(), path, server.aclUserLines(), forceAll);
    }

    static String ioReason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) return "Permission denied";
        if (e instanceof java.nio.file.NoSuchFileException) return "No such file or directory";
        String m = e.getMessage();
        return m == null ? e.toString() : m.toLowerCase(Locale.ROOT).contains("read-only")
                ? "Read-only file system" : m;
    }
}
