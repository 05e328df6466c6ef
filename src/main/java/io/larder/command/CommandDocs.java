package io.larder.command;

import io.larder.protocol.Reply;
import java.util.List;
import java.util.Map;

/**
 * Renders command metadata as COMMAND INFO and COMMAND DOCS reply with
 * Redis's exact types: flags and ACL categories as sets of status strings,
 * tips as sets of bulk strings, key specs and docs as maps, "history" as a
 * set of pairs. Only registered subcommands are listed.
 */
public final class CommandDocs {
    private CommandDocs() {}

    /** One COMMAND INFO entry (an array of ten). */
    public static void writeInfo(Reply r, CommandSpec c) {
        r.array(10);
        r.bulk(c.fullName);
        r.integer(c.arity);
        r.set(c.flagNames.size());
        for (String f : c.flagNames) r.simple(f);
        r.integer(c.firstKey);
        r.integer(c.lastKey);
        r.integer(c.step);
        r.set(c.aclCategories.size());
        for (String a : c.aclCategories) r.simple(a);
        r.set(c.tips.size());
        for (String t : c.tips) r.bulk(t);
        r.set(c.keySpecsJson.size());
        for (Map<String, Object> ks : c.keySpecsJson) writeValue(r, ks, null);
        List<CommandSpec> subs = registered(c);
        if (subs.isEmpty()) r.set(0);
        else r.array(subs.size());
        for (CommandSpec s : subs) writeInfo(r, s);
    }

    /** One COMMAND DOCS value (the map after the name). */
    public static void writeDocs(Reply r, CommandSpec c) {
        Map<String, Object> d = c.docs;
        List<CommandSpec> subs = registered(c);
        int n = d.size() + (subs.isEmpty() ? 0 : 1);
        r.map(n);
        for (Map.Entry<String, Object> e : d.entrySet()) {
            r.bulk(e.getKey());
            writeValue(r, e.getValue(), e.getKey());
        }
        if (!subs.isEmpty()) {
            r.bulk("subcommands");
            r.map(subs.size());
            for (CommandSpec s : subs) {
                r.bulk(s.fullName);
                writeDocs(r, s);
            }
        }
    }

    private static List<CommandSpec> registered(CommandSpec c) {
        return c.subcommands.values().stream().filter(s -> s.handler != null).toList();
    }

    @SuppressWarnings("unchecked")
    private static void writeValue(Reply r, Object v, String key) {
        if (v instanceof Map<?, ?> m) {
            r.map(m.size());
            for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
                r.bulk(e.getKey());
                writeValue(r, e.getValue(), e.getKey());
            }
        } else if (v instanceof List<?> l) {
            boolean statusSet = "flags".equals(key) || "doc_flags".equals(key);
            if (statusSet) {
                r.set(l.size());
                for (Object o : l) r.simple((String) o);
            } else if ("history".equals(key)) {
                r.set(l.size());
                for (Object o : l) writeValue(r, o, null);
            } else {
                r.array(l.size());
                for (Object o : l) writeValue(r, o, null);
            }
        } else if (v instanceof String s) {
            r.bulk(s);
        } else if (v instanceof Long n) {
            r.integer(n);
        } else if (v instanceof Double d) {
            r.doubleValue(d);
        } else if (v instanceof Boolean b) {
            r.bool(b);
        } else {
            r.nullBulk();
        }
    }
}
