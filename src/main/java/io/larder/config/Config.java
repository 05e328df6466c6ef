package io.larder.config;

import io.larder.util.Numbers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Every configuration parameter Redis 7.0 has (so any real redis.conf loads),
 * plus Larder's own, with Redis's parsing rules, error texts, CONFIG GET
 * formatting and CONFIG REWRITE lines. Components read typed values and
 * subscribe to changes with {@link Param#onChange} / {@link Param#onApply}.
 */
public final class Config {
    private final Map<String, Param> params = new LinkedHashMap<>();
    /** Names and aliases, lower case. */
    private final Map<String, Param> byName = new ConcurrentHashMap<>();
    final Special.State special = new Special.State();
    /** True while a config file (not CONFIG SET) is being applied. */
    boolean loadingFile;
    /** Redis resets the default save points at the first "save" line of a file only. */
    boolean saveLoaded;

    public Config() {
        Defaults.declare(this);
    }

    <P extends Param> P add(P p) {
        if (params.put(p.name, p) != null) throw new IllegalStateException("declared twice: " + p.name);
        byName.put(p.name, p);
        return p;
    }

    void alias(String name, String alias) {
        Param p = params.get(name);
        p.alias = alias;
        byName.put(alias, p);
    }

    /** The parameter known by this name or alias (case-insensitive), or null. */
    public Param param(String name) {
        Param p = byName.get(name);
        return p != null ? p : byName.get(name.toLowerCase(Locale.ROOT));
    }

    /** Every parameter, once each, in declaration order. */
    public Collection<Param> all() {
        return params.values();
    }

    public Special.State special() {
        return special;
    }

    public void setLoadingFile(boolean v) {
        loadingFile = v;
    }

    public String get(String name) {
        return param(name).get();
    }

    /** A numeric parameter's value. Unsigned 64-bit parameters (maxmemory) above Long.MAX_VALUE read as negative. */
    public long getLong(String name) {
        Param p = param(name);
        if (p instanceof NumParam n) return n.value;
        return Long.parseLong(p.get());
    }

    public int getInt(String name) {
        return (int) getLong(name);
    }

    public boolean getBool(String name) {
        return ((BoolParam) param(name)).value;
    }

    /**
     * Sets a value from a config-file line or command-line option and puts it
     * into effect (appliers, listeners). Errors carry Redis's reason text.
     */
    public void set(String name, List<String> args) throws ConfigException {
        Param p = param(name);
        if (p == null) throw new ConfigException("Bad directive or wrong number of arguments");
        if (!p.is(Param.MULTI_ARG) && args.size() != 1) throw new ConfigException("wrong number of arguments");
        p.set(args);
        for (Param.Applier a : p.appliers()) a.apply(p);
        p.fire();
    }

    public void set(String name, String value) throws ConfigException {
        set(name, List.of(value));
    }

    /**
     * A CONFIG SET value as the parameter's set() takes it: multi-argument
     * parameters split on single spaces (Redis's sdssplitlen, so two spaces
     * make an empty argument and "" makes none); others take it whole.
     */
    static List<String> splitValue(Param p, String value) {
        if (!p.is(Param.MULTI_ARG)) return List.of(value);
        List<String> out = new ArrayList<>();
        if (value.isEmpty()) return out;
        int start = 0;
        while (true) {
            int sp = value.indexOf(' ', start);
            if (sp < 0) {
                out.add(value.substring(start));
                return out;
            }
            out.add(value.substring(start, sp));
            start = sp + 1;
        }
    }

    /** A rejected CONFIG SET, with the complete error reply text. */
    public static final class SetError extends Exception {
        public SetError(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * CONFIG SET name value [name value ...], all or nothing, exactly as
     * Redis's configSetCommand: every name is checked first (unknown,
     * immutable, protected, duplicate), then all values are set, then the
     * changed ones are applied; if anything fails the old values are restored
     * and re-applied. {@code protectedAllowed} says whether this client may
     * change protected parameters (enable-protected-configs).
     */
    public synchronized void configSet(List<String> pairs, boolean protectedAllowed) throws SetError {
        int n = pairs.size() / 2;
        Param[] set = new Param[n];
        String invalidName = null, errName = null, err = null;
        boolean invalid = false;
        for (int i = 0; i < n; i++) {
            String given = pairs.get(2 * i);
            Param p = param(given);
            if (p == null) {
                if (!invalid) {
                    invalidName = given;
                    invalid = true;
                }
                continue;
            }
            if (invalid) continue;
            if (p.is(Param.IMMUTABLE) || (p.is(Param.PROTECTED) && !protectedAllowed)) {
                err = p.is(Param.IMMUTABLE) ? "can't set immutable config" : "can't set protected config";
                errName = given;
                invalid = true;
                continue;
            }
            // Redis keeps an alias as a separate table entry: only the same name twice is a duplicate.
            for (int j = 0; j < i; j++) {
                if (set[j] == p && reportedName(p, given).equals(reportedName(p, pairs.get(2 * j)))) {
                    err = "duplicate parameter";
                    errName = given;
                    invalid = true;
                    break;
                }
            }
            set[i] = p;
        }
        if (invalid) throw setError(invalidName, errName, err);

        String[] old = new String[n];
        for (int i = 0; i < n; i++) old[i] = set[i].get();
        List<Param> changed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Param p = set[i];
            try {
                p.set(splitValue(p, pairs.get(2 * i + 1)));
            } catch (ConfigException e) {
                restore(set, old, i + 1);
                // Redis names the parameter as its table entry does: the alias if it was used.
                throw setError(null, reportedName(p, pairs.get(2 * i)), e.getMessage());
            }
            if (!p.get().equals(old[i]) || p instanceof CustomParam) changed.add(p);
        }
        // Each apply step runs once, in the order the changed parameters first registered it (parameters
        // may share one, like Redis's applyTlsCfg); a failure is reported against that first parameter.
        Map<Param.Applier, Param> steps = new java.util.LinkedHashMap<>();
        for (Param p : changed) for (Param.Applier a : p.appliers()) steps.putIfAbsent(a, p);
        for (Map.Entry<Param.Applier, Param> step : steps.entrySet()) {
            try {
                step.getKey().apply(step.getValue());
            } catch (ConfigException e) {
                restore(set, old, n);
                for (Param q : changed) reapply(q);
                throw setError(null, step.getValue().name, e.getMessage());
            }
        }
        for (Param p : changed) p.fire();
    }

    private static String reportedName(Param p, String given) {
        return p.alias != null && p.alias.equalsIgnoreCase(given) ? p.alias : p.name;
    }

    private static SetError setError(String invalidName, String errName, String err) {
        if (invalidName != null) {
            return new SetError("ERR Unknown option or number of arguments for CONFIG SET - '" + invalidName + "'");
        }
        if (err != null) {
            return new SetError("ERR CONFIG SET failed (possibly related to argument '" + errName + "') - " + err);
        }
        return new SetError("ERR CONFIG SET failed (possibly related to argument '" + errName + "')");
    }

    private static void restore(Param[] set, String[] old, int count) {
        for (int i = 0; i < count; i++) {
            try {
                set[i].set(splitValue(set[i], old[i]));
            } catch (ConfigException e) {
                io.larder.server.Log.warning("Failed restoring failed CONFIG SET command. Error setting "
                        + set[i].name + " to '" + old[i] + "': " + e.getMessage());
            }
        }
    }

    private static void reapply(Param p) {
        for (Param.Applier a : p.appliers()) {
            try {
                a.apply(p);
            } catch (ConfigException e) {
                io.larder.server.Log.warning("Failed applying restored failed CONFIG SET command: " + e.getMessage());
            }
        }
    }

    /** Subscribes to a parameter and applies its current value at once. */
    public void watch(String name, Consumer<Param> l) {
        Param p = param(name);
        p.onChange(l);
        l.accept(p);
    }

    /**
     * Redis's sdscatrepr: the value in double quotes with \\ \" \n \r \t \a
     * \b escaped and other unprintable bytes as \xHH. CONFIG REWRITE quotes
     * string values this way.
     */
    public static String repr(String v) {
        StringBuilder b = new StringBuilder(v.length() + 2).append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case 7 -> b.append("\\a");
                case '\b' -> b.append("\\b");
                default -> {
                    if (c < ' ' || c > '~') b.append(String.format("\\x%02x", (int) c & 0xFF));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    /** Quotes (as {@link #repr}) only when needed: for command-line options turned into config lines. */
    public static String quoteIfNeeded(String v) {
        if (v.isEmpty()) return "\"\"";
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c <= ' ' || c == '"' || c == '\'' || c == '\\' || c > '~') return repr(v);
        }
        return v;
    }

    // ---------------------------------------------------------------- types

    /** yes/no. */
    public static final class BoolParam extends Param {
        volatile boolean value;
        final boolean dflt;
        final Validator validator;

        interface Validator {
            void check(boolean v) throws ConfigException;
        }

        BoolParam(String name, int flags, boolean dflt, Validator validator) {
            super(name, flags);
            this.dflt = dflt;
            this.value = dflt;
            this.validator = validator;
        }

        @Override
        public void set(List<String> args) throws ConfigException {
            String v = args.isEmpty() ? "" : args.get(0);
            boolean b;
            if (v.equalsIgnoreCase("yes")) b = true;
            else if (v.equalsIgnoreCase("no")) b = false;
            else throw new ConfigException("argument must be 'yes' or 'no'");
            if (validator != null) validator.check(b);
            value = b;
        }

        @Override
        public String get() {
            return value ? "yes" : "no";
        }

        @Override
        void rewrite(ConfigRewrite r) {
            r.line(name, name + " " + get(), value != dflt);
        }

        public boolean value() {
            return value;
        }
    }

    /**
     * Free text. Redis stores some empty strings as NULL ("not set"): those
     * are left out of a rewritten file entirely, while the others are written
     * whenever they differ from the default.
     */
    public static final class StringParam extends Param {
        volatile String value;
        /** Null for parameters whose default is "not set". */
        final String dflt;
        final boolean emptyIsNull;
        final Validator validator;

        interface Validator {
            void check(String v) throws ConfigException;
        }

        StringParam(String name, int flags, String dflt, boolean emptyIsNull, Validator validator) {
            super(name, flags);
            this.dflt = dflt;
            this.emptyIsNull = emptyIsNull;
            this.validator = validator;
            this.value = dflt == null ? "" : dflt;
        }

        @Override
        public void set(List<String> args) throws ConfigException {
            String v = args.isEmpty() ? "" : args.get(0);
            if (validator != null) validator.check(v);
            value = v;
        }

        @Override
        public String get() {
            return value;
        }

        @Override
        void rewrite(ConfigRewrite r) {
            String v = value;
            if (emptyIsNull && v.isEmpty()) {
                r.markProcessed(name);
                return;
            }
            boolean force = !(dflt != null && v.equals(dflt));
            r.line(name, name + " " + repr(v), force);
        }

        public String value() {
            return value;
        }
    }

    /** One word of a fixed list; "bit flag" enums (shutdown-on-sigterm) take several and OR them. */
    public static final class EnumParam extends Param {
        volatile int value;
        final int dflt;
        final String[] names;
        final int[] values;
        final boolean bitflags;
        final IntValidator validator;
        /** How many names the "must be one of" error lists: Larder's own extra values stay out of Redis's text. */
        int listed;

        interface IntValidator {
            void check(int v) throws ConfigException;
        }

        EnumParam(String name, int flags, boolean bitflags, int dflt, String[] names, int[] values,
                  IntValidator validator) {
            super(name, flags | (bitflags ? MULTI_ARG : 0));
            this.dflt = dflt;
            this.value = dflt;
            this.names = names;
            this.values = values;
            this.bitflags = bitflags;
            this.validator = validator;
            this.listed = names.length;
        }

        @Override
        public void set(List<String> args) throws ConfigException {
            int v = parse(args);
            if (v == Integer.MIN_VALUE) {
                String msg = "argument(s) must be one of the following: "
                        + String.join(", ", java.util.Arrays.asList(names).subList(0, listed));
                // Redis builds the text in a 256-byte buffer.
                throw new ConfigException(msg.length() > 255 ? msg.substring(0, 255) : msg);
            }
            if (validator != null) validator.check(v);
            value = v;
        }

        private int parse(List<String> args) {
            if (args.isEmpty() || (!bitflags && args.size() != 1)) return Integer.MIN_VALUE;
            int v = 0;
            for (String a : args) {
                boolean matched = false;
                for (int i = 0; i < names.length; i++) {
                    if (names[i].equalsIgnoreCase(a)) {
                        v |= values[i];
                        matched = true;
                        if (!bitflags) break;
                    }
                }
                if (!matched) return Integer.MIN_VALUE;
            }
            return v;
        }

        /** Redis's configEnumGetName: the first exact match, else the flags' names, else "unknown". */
        String nameOf(int v) {
            StringBuilder b = null;
            int unmatched = v;
            for (int i = 0; i < names.length; i++) {
                if (values[i] == v) return names[i];
                if (bitflags && values[i] != 0 && values[i] == (unmatched & values[i])) {
                    if (b == null) b = new StringBuilder(names[i]);
                    else b.append(' ').append(names[i]);
                    unmatched &= ~values[i];
                }
            }
            return b == null || unmatched != 0 ? "unknown" : b.toString();
        }

        @Override
        public String get() {
            return nameOf(value);
        }

        @Override
        void rewrite(ConfigRewrite r) {
            r.line(name, name + " " + get(), value != dflt);
        }

        /** The canonical name of the value (what CONFIG GET prints). */
        public String value() {
            return get();
        }

        public int intValue() {
            return value;
        }
    }

    /** Number formats a numeric parameter accepts besides plain integers. */
    static final int MEMORY = 1, PERCENT = 2, OCTAL = 4;

    /**
     * Integers, with Redis's parsing order (memory units, then percent, then
     * octal, then a plain integer) and bounds checks; unsigned C types
     * (maxclients, maxmemory, size_t limits) compare as unsigned, so -1 is
     * "too big" rather than "too small", as in Redis.
     */
    public static final class NumParam extends Param {
        volatile long value;
        final long dflt;
        final long min, max;
        final boolean unsigned;
        final int format;

        NumParam(String name, int flags, long dflt, long min, long max, boolean unsigned, int format) {
            super(name, flags);
            this.dflt = dflt;
            this.value = dflt;
            this.min = min;
            this.max = max;
            this.unsigned = unsigned;
            this.format = format;
        }

        @Override
        public void set(List<String> args) throws ConfigException {
            long v = parse(args.isEmpty() ? "" : args.get(0));
            check(v);
            value = v;
        }

        private long parse(String s) throws ConfigException {
            if ((format & MEMORY) != 0) {
                Long m = memtoull(s);
                if (m != null) return m;
            }
            if ((format & PERCENT) != 0 && s.length() > 1 && s.endsWith("%")) {
                Long p = parsePlainLong(s.substring(0, s.length() - 1));
                if (p != null && p >= 0) return -p;
            }
            if ((format & OCTAL) != 0) {
                Long o = strtoll(s, 8, false);
                if (o != null) return o;
            }
            if (format == 0) {
                Long p = parsePlainLong(s);
                if (p != null) return p;
            }
            if ((format & MEMORY) != 0 && (format & PERCENT) != 0) {
                throw new ConfigException("argument must be a memory or percent value");
            }
            if ((format & MEMORY) != 0) throw new ConfigException("argument must be a memory value");
            if ((format & OCTAL) != 0) throw new ConfigException("argument couldn't be parsed as an octal number");
            throw new ConfigException("argument couldn't be parsed into an integer");
        }

        private void check(long v) throws ConfigException {
            if (unsigned) {
                if (Long.compareUnsigned(v, max) > 0 || Long.compareUnsigned(v, min) < 0) {
                    throw new ConfigException((format & OCTAL) != 0
                            ? "argument must be between " + Long.toOctalString(min) + " and "
                                    + Long.toOctalString(max) + " inclusive"
                            : "argument must be between " + Long.toUnsignedString(min) + " and "
                                    + Long.toUnsignedString(max) + " inclusive");
                }
            } else if ((format & PERCENT) != 0 && v < 0) {
                if (v < min) throw new ConfigException("percentage argument must be less or equal to " + (-min));
            } else if (v > max || v < min) {
                throw new ConfigException("argument must be between " + min + " and " + max + " inclusive");
            }
        }

        @Override
        public String get() {
            long v = value;
            if ((format & PERCENT) != 0 && v < 0) return (-v) + "%";
            if ((format & MEMORY) != 0) return Long.toUnsignedString(v);
            if ((format & OCTAL) != 0) return Long.toOctalString(v);
            return Long.toString(v);
        }

        @Override
        void rewrite(ConfigRewrite r) {
            long v = value;
            boolean force = v != dflt;
            String text;
            if ((format & PERCENT) != 0 && v < 0) {
                // Redis compares the percentage itself with the default here.
                force = -v != dflt;
                text = (-v) + "%";
            } else if ((format & MEMORY) != 0) {
                text = formatMemory(v);
            } else if ((format & OCTAL) != 0) {
                text = Long.toOctalString(v);
            } else {
                text = Long.toString(v);
            }
            r.line(name, name + " " + text, force);
        }

        public long value() {
            return value;
        }
    }

    /** Redis's rewriteConfigFormatMemory: the largest of gb/mb/kb that divides the value. */
    static String formatMemory(long bytes) {
        long gb = 1L << 30, mb = 1L << 20, kb = 1L << 10;
        if (bytes != 0 && bytes % gb == 0) return bytes / gb + "gb";
        if (bytes != 0 && bytes % mb == 0) return bytes / mb + "mb";
        if (bytes != 0 && bytes % kb == 0) return bytes / kb + "kb";
        return Long.toString(bytes);
    }

    /** Redis's string2ll: an exact decimal integer, no spaces, no '+'. */
    static Long parsePlainLong(String s) {
        try {
            return Numbers.parseLong(s.getBytes(StandardCharsets.ISO_8859_1));
        } catch (Numbers.Invalid e) {
            return null;
        }
    }

    /**
     * C's strtoll followed by Redis's "*endptr == '\\0'" check: leading white
     * space and a sign are accepted, a string without digits parses only if
     * it is empty (as 0). On overflow strtoll saturates; {@code saturate}
     * says whether the caller accepts that (Redis checks errno only in some
     * places). Null when the whole string is not a number.
     */
    static Long strtoll(String s, int radix, boolean saturate) {
        int i = 0, n = s.length();
        while (i < n && isCSpace(s.charAt(i))) i++;
        boolean neg = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        int digitsStart = i;
        long v = 0;
        boolean overflow = false;
        while (i < n) {
            char ch = s.charAt(i);
            int d = ch < 128 ? Character.digit(ch, radix) : -1;
            if (d < 0) break;
            if (!overflow) {
                try {
                    v = Math.addExact(Math.multiplyExact(v, radix), d);
                } catch (ArithmeticException e) {
                    overflow = true;
                }
            }
            i++;
        }
        if (i == digitsStart) return n == 0 ? 0L : null;
        if (i != n) return null;
        if (overflow) return saturate ? (neg ? Long.MIN_VALUE : Long.MAX_VALUE) : null;
        return neg ? -v : v;
    }

    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    /**
     * Redis's memtoull: digits with an optional b/k/kb/m/mb/g/gb unit (any
     * case). Like Redis, an empty number counts as 0 and an overlong one
     * saturates at 2^64-1. Null when invalid.
     */
    public static Long memtoull(String s) {
        if (!s.isEmpty() && s.charAt(0) == '-') return null;
        int u = 0;
        while (u < s.length() && s.charAt(u) >= '0' && s.charAt(u) <= '9') u++;
        String unit = s.substring(u);
        long mul;
        switch (unit.toLowerCase(Locale.ROOT)) {
            case "", "b" -> mul = 1;
            case "k" -> mul = 1000;
            case "kb" -> mul = 1024;
            case "m" -> mul = 1000 * 1000;
            case "mb" -> mul = 1024 * 1024;
            case "g" -> mul = 1000L * 1000 * 1000;
            case "gb" -> mul = 1024L * 1024 * 1024;
            default -> {
                return null;
            }
        }
        if (u >= 128) return null;
        String digits = s.substring(0, u);
        long val;
        if (digits.isEmpty()) {
            val = 0;
        } else {
            try {
                val = Long.parseUnsignedLong(digits);
            } catch (NumberFormatException e) {
                val = -1; // strtoull saturates at ULLONG_MAX
            }
        }
        if (Long.compareUnsigned(val, Long.divideUnsigned(-1L, mul)) > 0) return null;
        return val * mul;
    }

    /** A parameter with its own syntax (save, bind, client-output-buffer-limit ...). */
    public static final class CustomParam extends Param {
        interface Setter {
            void set(List<String> args) throws ConfigException;
        }

        interface Rewriter {
            void rewrite(CustomParam p, ConfigRewrite r);
        }

        private final Setter setter;
        private final Supplier<String> getter;
        private final Rewriter rewriter;

        CustomParam(String name, int flags, Setter setter, Supplier<String> getter, Rewriter rewriter) {
            super(name, flags);
            this.setter = setter;
            this.getter = getter;
            this.rewriter = rewriter;
        }

        @Override
        public void set(List<String> args) throws ConfigException {
            setter.set(args);
        }

        @Override
        public String get() {
            return getter.get();
        }

        @Override
        void rewrite(ConfigRewrite r) {
            rewriter.rewrite(this, r);
        }
    }
}
