package io.larder.config;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One configuration parameter: its name (and alias), how values are parsed
 * and printed (as Redis prints them in CONFIG GET and writes them in CONFIG
 * REWRITE), its default, and whether it may change at run time.
 *
 * <p>Changing a value has two steps, as in Redis's config.c: {@link #set}
 * parses and stores (and may fail with Redis's reason text), then
 * {@link Config#apply} runs the parameter's {@link Applier}s (rebinding a
 * port, say), which may also fail, and finally notifies the
 * {@link #onChange} listeners, which may not.
 */
public abstract class Param {
    /** Cannot be changed with CONFIG SET. */
    public static final int IMMUTABLE = 1;
    /** The value is redacted from SLOWLOG, MONITOR and the like. */
    public static final int SENSITIVE = 2;
    /** Takes several arguments in a config file; CONFIG SET splits its value on spaces. */
    public static final int MULTI_ARG = 4;
    /** Only CONFIG GET with the exact name shows it; patterns do not match it. */
    public static final int HIDDEN = 8;
    /** CONFIG SET needs enable-protected-configs. */
    public static final int PROTECTED = 16;

    public final String name;
    /** The older name Redis also accepts (slave-*, *-ziplist-*), or null. */
    String alias;
    public final int flags;
    private final List<Consumer<Param>> listeners = new CopyOnWriteArrayList<>();
    private final List<Applier> appliers = new CopyOnWriteArrayList<>();

    /** Puts a new value into effect; throws with Redis's reason text if it cannot. */
    public interface Applier {
        void apply(Param p) throws ConfigException;
    }

    Param(String name, int flags) {
        this.name = name;
        this.flags = flags;
    }

    public String alias() {
        return alias;
    }

    /** The names CONFIG GET knows this parameter by: the name, then the alias if any. */
    public List<String> names() {
        List<String> n = new ArrayList<>(2);
        n.add(name);
        if (alias != null) n.add(alias);
        return n;
    }

    public boolean is(int flag) {
        return (flags & flag) != 0;
    }

    /**
     * Parses and stores a value given as config-file arguments (or a CONFIG
     * SET value split as {@link Config#splitValue} does).
     */
    public abstract void set(List<String> args) throws ConfigException;

    /** The value as CONFIG GET prints it. */
    public abstract String get();

    /** Writes this parameter's lines for CONFIG REWRITE (Redis's per-type rewrite functions). */
    abstract void rewrite(ConfigRewrite r);

    /** Listeners notified after every successful change (not allowed to fail). */
    public void onChange(Consumer<Param> l) {
        listeners.add(l);
    }

    /** An action that puts a changed value into effect and may fail (CONFIG SET then restores the old value). */
    public void onApply(Applier a) {
        appliers.add(a);
    }

    List<Applier> appliers() {
        return appliers;
    }

    void fire() {
        for (Consumer<Param> l : listeners) l.accept(this);
    }

    @Override
    public String toString() {
        return name + "=" + get();
    }
}
