package io.larder.command;

import io.larder.protocol.Args;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything known about one command or subcommand: the metadata from
 * {@code commands.json} (arity, flags, ACL categories, key specs, docs) and
 * the handler a family registered. Dispatch, COMMAND, key locking, MULTI
 * queueing and ACL checks all read this one record.
 */
public final class CommandSpec {
    // Command flags, as Redis names them.
    public static final long WRITE = 1L, READONLY = 1L << 1, DENYOOM = 1L << 2, ADMIN = 1L << 4,
            PUBSUB = 1L << 5, NOSCRIPT = 1L << 6, BLOCKING = 1L << 8, LOADING = 1L << 9, STALE = 1L << 10,
            SKIP_MONITOR = 1L << 11, SKIP_SLOWLOG = 1L << 12, ASKING = 1L << 13, FAST = 1L << 14,
            NO_AUTH = 1L << 15, MAY_REPLICATE = 1L << 16, SENTINEL = 1L << 17, ONLY_SENTINEL = 1L << 18,
            NO_MANDATORY_KEYS = 1L << 19, PROTECTED = 1L << 20, NO_ASYNC_LOADING = 1L << 23,
            NO_MULTI = 1L << 24, MOVABLE_KEYS = 1L << 25, ALLOW_BUSY = 1L << 26;

    private static final Map<String, Long> FLAG_BITS = Map.ofEntries(
            Map.entry("write", WRITE), Map.entry("readonly", READONLY), Map.entry("denyoom", DENYOOM),
            Map.entry("admin", ADMIN), Map.entry("pubsub", PUBSUB), Map.entry("noscript", NOSCRIPT),
            Map.entry("blocking", BLOCKING), Map.entry("loading", LOADING), Map.entry("stale", STALE),
            Map.entry("skip_monitor", SKIP_MONITOR), Map.entry("skip_slowlog", SKIP_SLOWLOG),
            Map.entry("asking", ASKING), Map.entry("fast", FAST), Map.entry("no_auth", NO_AUTH),
            Map.entry("may_replicate", MAY_REPLICATE), Map.entry("sentinel", SENTINEL),
            Map.entry("only_sentinel", ONLY_SENTINEL), Map.entry("no_mandatory_keys", NO_MANDATORY_KEYS),
            Map.entry("protected", PROTECTED), Map.entry("no_async_loading", NO_ASYNC_LOADING),
            Map.entry("no_multi", NO_MULTI), Map.entry("movablekeys", MOVABLE_KEYS),
            Map.entry("allow_busy", ALLOW_BUSY));

    /**
     * Commands Redis flags may_replicate (EVAL and friends may write, PUBLISH
     * is propagated, PFCOUNT may update its cache), which COMMAND INFO does
     * not print, so commands.json cannot say: CLIENT PAUSE WRITE holds them
     * and replicas (and monitors) may not run them. Found by probing a Redis
     * 7.0 from a MONITOR connection and under CLIENT PAUSE WRITE.
     */
    private static final java.util.Set<String> MAY_REPLICATE_COMMANDS =
            java.util.Set.of("eval", "evalsha", "fcall", "publish", "spublish", "pfcount");

    /** Lower-case name; "container|sub" for subcommands, as Redis prints it. */
    public final String fullName;
    /** The bare name ("get", or "get" of "config|get"). */
    public final String name;
    public final CommandSpec parent;
    public final int arity;
    public final long flags;
    public final List<String> flagNames;
    public final List<String> aclCategories;
    public final List<String> tips;
    public final int firstKey, lastKey, step;
    final List<Map<String, Object>> keySpecsJson;
    final List<KeySpec> keySpecs;
    public final Map<String, Object> docs;
    final Map<String, CommandSpec> subcommands = new LinkedHashMap<>();

    CommandHandler handler;
    KeyExtractor keyExtractor;
    boolean exclusive;
    /** Exclusive only for some arguments (SORT with BY/GET patterns reads keys it cannot name up front). */
    java.util.function.Predicate<Args> exclusiveWhen;
    boolean noKeyspace;
    /** The enable-*-command option that guards this command (DEBUG, MODULE), or null. */
    String protectedBy;

    /** Dense number of this command or subcommand (per-command statistics arrays); set when the table is sealed. */
    public int statsIndex = -1;


    @SuppressWarnings("unchecked")
    CommandSpec(String name, CommandSpec parent, Map<String, Object> m) {
        this.name = name;
        this.parent = parent;
        this.fullName = parent == null ? name : parent.name + "|" + name;
        this.arity = ((Number) m.get("arity")).intValue();
        List<String> fl = (List<String>) m.getOrDefault("flags", List.of());
        long bits = 0;
        for (String f : fl) {
            Long b = FLAG_BITS.get(f);
            if (b != null) bits |= b;
        }
        if (parent == null && MAY_REPLICATE_COMMANDS.contains(name)) bits |= MAY_REPLICATE;
        this.flags = bits;
        this.flagNames = List.copyOf(fl);
        this.aclCategories = List.copyOf((List<String>) m.getOrDefault("acl_categories", List.of()));
        this.tips = List.copyOf((List<String>) m.getOrDefault("tips", List.of()));
        this.firstKey = ((Number) m.get("first_key")).intValue();
        this.lastKey = ((Number) m.get("last_key")).intValue();
        this.step = ((Number) m.get("step")).intValue();
        this.keySpecsJson = (List<Map<String, Object>>) m.getOrDefault("key_specs", List.of());
        List<KeySpec> ks = new ArrayList<>();
        for (Map<String, Object> k : keySpecsJson) ks.add(new KeySpec(k));
        this.keySpecs = List.copyOf(ks);
        this.docs = (Map<String, Object>) m.getOrDefault("docs", Map.of());
    }

    public boolean has(long flag) {
        return (flags & flag) != 0;
    }

    public boolean isWrite() {
        return (flags & WRITE) != 0;
    }

    public CommandHandler handler() {
        return handler;
    }

    /** True when the command must run with the whole keyspace to itself. */
    public boolean exclusive() {
        return exclusive;
    }

    /** The option that must allow a client to run this command (Redis's CMD_PROTECTED), or null. */
    public String protectedBy() {
        return protectedBy;
    }

    /** Like {@link #exclusive()}, for these arguments (see {@code Registration.exclusiveWhen}). */
    public boolean exclusive(Args a) {
        return exclusive || (exclusiveWhen != null && exclusiveWhen.test(a));
    }

    /** True when the command neither reads nor writes keys (no gate, no locks). */
    public boolean noKeyspace() {
        return noKeyspace;
    }

    public boolean isContainer() {
        return !subcommands.isEmpty();
    }

    public Map<String, CommandSpec> subcommands() {
        return Collections.unmodifiableMap(subcommands);
    }

    public CommandSpec subcommand(String lowerName) {
        return subcommands.get(lowerName);
    }

    public boolean hasKeys() {
        return !keySpecs.isEmpty() || keyExtractor != null;
    }

    /**
     * Key argument positions for these arguments (for locking, COMMAND
     * GETKEYS, cluster slots). Returns the count written into out, which must
     * hold args.count() entries; -1 when the arguments do not match the specs.
     */
    public int keys(Args a, int[] out) {
        if (keyExtractor != null) return keyExtractor.keys(a, out);
        if ((flags & MOVABLE_KEYS) == 0 && firstKey > 0) {
            // Keys at fixed positions: Redis's legacy (first, last, step) triple says it all,
            // without evaluating key specs on every call.
            int argc = a.count();
            int last = lastKey < 0 ? argc + lastKey : lastKey;
            int n = 0;
            for (int i = firstKey; i <= last && i < argc; i += Math.max(step, 1)) out[n++] = i;
            return n;
        }
        int n = 0;
        for (KeySpec ks : keySpecs) {
            if (ks.notKey) continue;
            int r = ks.extract(a, out, n);
            if (r < 0) continue; // Redis's GET_KEYSPEC_RETURN_PARTIAL
            n = r;
        }
        return n;
    }

    /** Whether any key spec is a write spec (used for read-only script checks). */
    public boolean writesKeys() {
        for (KeySpec k : keySpecs) if (k.write) return true;
        return false;
    }

    public String upperName() {
        return fullName.toUpperCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return fullName;
    }
}
