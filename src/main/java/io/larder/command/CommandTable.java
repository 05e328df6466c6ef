package io.larder.command;

import io.larder.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The command table: metadata for every Redis 7.0 command (from
 * {@code commands.json}) joined with the handlers families registered. Only
 * commands with a handler are in the table; for a client, the rest do not
 * exist, exactly like names Redis does not know.
 */
public final class CommandTable {
    private final Map<String, Map<String, Object>> metadata;
    private final Map<String, CommandSpec> commands = new LinkedHashMap<>();
    /** Renamed/disabled names from rename-command: original -> new (or "" to disable). */
    private final Map<String, CommandSpec> byName = new HashMap<>();
    private final CommandLookup lookup = new CommandLookup();

    private static volatile Map<String, Map<String, Object>> cached;

    public CommandTable() {
        this.metadata = metadata();
    }

    /** The parsed commands.json (read once per process; treat as read-only). */
    @SuppressWarnings("unchecked")
    public static Map<String, Map<String, Object>> metadata() {
        Map<String, Map<String, Object>> m = cached;
        if (m != null) return m;
        try (InputStream in = CommandTable.class.getResourceAsStream("commands.json")) {
            if (in == null) throw new IllegalStateException("commands.json missing from the classpath");
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            m = (Map<String, Map<String, Object>>) Json.parse(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        cached = m;
        return m;
    }

    /** Registration handle returned by {@link #add}; declares execution properties. */
    public static final class Registration {
        private final CommandSpec spec;

        Registration(CommandSpec spec) {
            this.spec = spec;
        }

        /** The command runs with the whole keyspace to itself (see architecture.md). */
        public Registration exclusive() {
            spec.exclusive = true;
            return this;
        }

        /**
         * The command runs exclusive only when the predicate holds for its
         * arguments: it then reads keys that neither key specs nor an
         * extractor can name before it runs (SORT ... BY weight_* GET obj_*).
         */
        public Registration exclusiveWhen(java.util.function.Predicate<io.larder.protocol.Args> p) {
            spec.exclusiveWhen = p;
            return this;
        }

        /** The command touches no keys and no database state: no gate, no locks. */
        public Registration noKeyspace() {
            spec.noKeyspace = true;
            return this;
        }

        /**
         * Redis's "protected" commands (DEBUG, MODULE): refused unless the
         * option ("enable-debug-command" ...) is "yes", or "local" and the
         * client is local. COMMAND INFO does not show this flag, so it is
         * declared here rather than read from the metadata.
         */
        public Registration protectedBy(String option) {
            spec.protectedBy = option;
            return this;
        }

        /** Custom key positions where the key specs do not describe them. */
        public Registration keys(KeyExtractor k) {
            spec.keyExtractor = k;
            return this;
        }

        public CommandSpec spec() {
            return spec;
        }
    }

    /**
     * Registers the handler of a command ("get") or subcommand ("config|get").
     * Fails fast if Redis 7.0 has no such command: the table never invents
     * commands Redis does not have.
     */
    @SuppressWarnings("unchecked")
    public Registration add(String name, CommandHandler handler) {
        String lower = name.toLowerCase(Locale.ROOT);
        int bar = lower.indexOf('|');
        CommandSpec spec;
        if (bar < 0) {
            spec = commands.get(lower);
            if (spec == null) {
                Map<String, Object> m = metadata.get(lower);
                if (m == null) throw new IllegalArgumentException("no Redis command named " + name);
                spec = new CommandSpec(lower, null, m);
                commands.put(lower, spec);
            }
        } else {
            String parentName = lower.substring(0, bar);
            String sub = lower.substring(bar + 1);
            CommandSpec parent = commands.get(parentName);
            if (parent == null) {
                Map<String, Object> pm = metadata.get(parentName);
                if (pm == null) throw new IllegalArgumentException("no Redis command named " + parentName);
                parent = new CommandSpec(parentName, null, pm);
                commands.put(parentName, parent);
            }
            Map<String, Object> subs = (Map<String, Object>) metadata.get(parentName).get("subcommands");
            Map<String, Object> sm = subs == null ? null : (Map<String, Object>) subs.get(lower);
            if (sm == null) throw new IllegalArgumentException("no Redis subcommand named " + name);
            spec = parent.subcommands.get(sub);
            if (spec == null) {
                spec = new CommandSpec(sub, parent, sm);
                parent.subcommands.put(sub, spec);
            }
        }
        if (spec.handler != null) throw new IllegalArgumentException("registered twice: " + name);
        spec.handler = handler;
        return new Registration(spec);
    }

    private int statsSlots;

    /** How many statistics indexes commands and subcommands use. */
    public int statsSlots() {
        return statsSlots;
    }

    /** Finishes registration: builds the name index. */
    public void seal(Map<String, String> renames) {
        int index = 0;
        for (CommandSpec c : commands.values()) {
            c.statsIndex = index++;
            for (CommandSpec sub : c.subcommands.values()) sub.statsIndex = index++;
        }
        statsSlots = index;
        byName.clear();
        for (CommandSpec c : commands.values()) byName.put(c.name, c);
        for (Map.Entry<String, String> r : renames.entrySet()) {
            CommandSpec c = byName.remove(r.getKey().toLowerCase(Locale.ROOT));
            if (c != null && !r.getValue().isEmpty()) byName.put(r.getValue().toLowerCase(Locale.ROOT), c);
        }
        lookup.build(byName);
    }

    /** Lookup by the bytes of a command name, case-insensitively, without allocating. */
    public CommandSpec lookup(byte[] b, int off, int len) {
        return lookup.find(b, off, len);
    }

    public CommandSpec get(String lowerName) {
        return byName.get(lowerName);
    }

    /** Every registered top-level command (COMMAND, COMMAND COUNT, INFO commandstats). */
    public Collection<CommandSpec> all() {
        return commands.values();
    }

    /**
     * The commands clients can reach, in registration order: every
     * registered command except those rename-command disabled (renamed ones
     * keep their original name here, as in Redis's COMMAND output).
     */
    public java.util.List<CommandSpec> visible() {
        java.util.Set<CommandSpec> reachable = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        reachable.addAll(byName.values());
        java.util.List<CommandSpec> out = new java.util.ArrayList<>();
        for (CommandSpec c : commands.values()) if (reachable.contains(c)) out.add(c);
        return out;
    }

    /** The name a command is reachable under (after rename-command), or null if disabled. */
    public String visibleName(CommandSpec c) {
        for (Map.Entry<String, CommandSpec> e : byName.entrySet()) {
            if (e.getValue() == c) return e.getKey();
        }
        return null;
    }

    public boolean isKnownRedisCommand(String lower) {
        return metadata.containsKey(lower);
    }
}
