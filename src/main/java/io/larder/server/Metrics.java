package io.larder.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Values INFO prints that other subsystems own (pub/sub channel counts,
 * tracking tables, blocked clients, replication offsets ...), by Redis's
 * INFO field name. A subsystem registers a supplier once; INFO prints the
 * supplier's value, or Redis's idle value (0, "ok", ...) when none is
 * registered, so sections keep Redis's fields in Redis's order whichever
 * features exist.
 */
public final class Metrics {
    private final Map<String, Supplier<?>> fields = new ConcurrentHashMap<>();
    private final Map<String, Supplier<String>> sections = new ConcurrentHashMap<>();

    /**
     * Replaces a whole INFO section's body (its "field:value\r\n" lines,
     * without the "# Name" header): for a subsystem that owns every field of
     * it (replication, persistence).
     */
    public void registerSection(String section, Supplier<String> body) {
        sections.put(section, body);
    }

    /** The registered body of a section, or null for Larder's built-in one. */
    public String section(String section) {
        Supplier<String> s = sections.get(section);
        return s == null ? null : s.get();
    }

    /** Registers (or replaces) the source of an INFO field. */
    public void register(String field, Supplier<?> value) {
        fields.put(field, value);
    }

    /** The field's value as INFO prints it, or {@code dflt} when no subsystem provides it. */
    public String get(String field, Object dflt) {
        Supplier<?> s = fields.get(field);
        Object v = s == null ? null : s.get();
        return String.valueOf(v == null ? dflt : v);
    }

    public long getLong(String field, long dflt) {
        Supplier<?> s = fields.get(field);
        Object v = s == null ? null : s.get();
        return v instanceof Number n ? n.longValue() : dflt;
    }
}
