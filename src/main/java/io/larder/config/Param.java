package io.larder.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One configuration parameter: its name (and aliases), how values are parsed
 * and printed (as Redis prints them in CONFIG GET and CONFIG REWRITE), its
 * default, and whether it may change at run time.
 */
public abstract class Param {
    public static final int IMMUTABLE = 1, SENSITIVE = 2, MULTI_ARG = 4, HIDDEN = 8, PROTECTED = 16;

    public final String name;
    public final List<String> aliases = new ArrayList<>();
    public final int flags;
    final String defaultText;
    private final List<Consumer<Param>> listeners = new ArrayList<>();

    Param(String name, int flags, String defaultText) {
        this.name = name;
        this.flags = flags;
        this.defaultText = defaultText;
    }

    public Param alias(String a) {
        aliases.add(a);
        return this;
    }

    public boolean is(int flag) {
        return (flags & flag) != 0;
    }

    /** Parses and stores a value given as config-file/CONFIG SET arguments. */
    public abstract void set(List<String> args) throws ConfigException;

    /** The value as CONFIG GET prints it. */
    public abstract String get();

    /** The lines CONFIG REWRITE writes for this value (each without the name). */
    public List<String> rewriteValues() {
        return List.of(Config.quoteIfNeeded(get()));
    }

    public String defaultText() {
        return defaultText;
    }

    public boolean isDefault() {
        Param probe = this;
        return probe.get().equals(normalizedDefault());
    }

    private String normalizedDefault;

    String normalizedDefault() {
        return normalizedDefault;
    }

    void setNormalizedDefault(String d) {
        normalizedDefault = d;
    }

    public void onChange(Consumer<Param> l) {
        listeners.add(l);
    }

    void fire() {
        for (Consumer<Param> l : listeners) l.accept(this);
    }
}
