package io.larder.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Every configuration parameter Redis 7.0 has (so any real redis.conf loads),
 * plus Larder's own, with Redis's parsing rules, error texts and CONFIG GET
 * formatting. Components read typed values and subscribe to changes with
 * {@link Param#onChange}.
 */
public final class Config {
    private final Map<String, Param> params = new LinkedHashMap<>();
    final Special.State special = new Special.State();
    /** True while a config file (not CONFIG SET) is being applied. */
    boolean loadingFile;
    private final Map<String, Param> byName = new LinkedHashMap<>();

    public Config() {
        Defaults.declare(this);
        for (Param p : params.values()) {
            try {
                p.set(splitDefault(p.defaultText));
            } catch (ConfigException e) {
                throw new IllegalStateException("bad default for " + p.name + ": " + e.getMessage());
            }
            p.setNormalizedDefault(p.get());
        }
    }

    private static List<String> splitDefault(String d) {
        return List.of(d);
    }

    <P extends Param> P add(P p) {
        params.put(p.name, p);
        byName.put(p.name, p);
        return p;
    }

    void alias(String name, String alias) {
        Param p = params.get(name);
        p.alias(alias);
        byName.put(alias, p);
    }

    /** The parameter known by this name or alias (case-insensitive), or null. */
    public Param param(String name) {
        return byName.get(name.toLowerCase(Locale.ROOT));
    }

    /** Every parameter, once each, in declaration order. */
    public Collection<Param> all() {
        return params.values();
    }

    /** Every name including aliases (CONFIG GET matches patterns against these). */
    public Map<String, Param> names() {
        return byName;
    }

    public Special.State special() {
        return special;
    }

    public void setLoadingFile(boolean v) {
        loadingFile = v;
        if (!v) special.saveSeenInFile = false;
    }

    public String get(String name) {
        return param(name).get();
    }

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

    /** Sets a value from a config-file line or command-line option. */
    public void set(String name, List<String> args) throws ConfigException {
        Param p = param(name);
        if (p == null) throw new ConfigException("Bad directive or wrong number of arguments");
        p.set(args);
        p.fire();
    }

    public void set(String name, String value) throws ConfigException {
        set(name, List.of(value));
    }

    /** Quotes a value for CONFIG REWRITE when it is empty or has spaces/quotes. */
    public static String quoteIfNeeded(String v) {
        if (v.isEmpty()) return "\"\"";
        boolean plain = true;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c <= ' ' || c == '"' || c == '\'' || c == '\\' || c > '~') {
                plain = false;
                break;
            }
        }
        if (plain) return v;
        StringBuilder b = new StringBuilder("\"");
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
                    if (c < ' ' || c > '~') b.append(String.format("\\x%02x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    // ---------------------------------------------------------------- types

    /** yes/no. */
    public static final class BoolParam extends Param {
        volatile boolean value;

        BoolParam(String name, int flags, boolean dflt) {
            super(name, flags, dflt ? "yes" : "no");
        }

        @Override
        public void set(List<String> args) throws ConfigException {
            if (args.size() != 1) throw new ConfigException("wrong number of arguments");
            String v = args.get(0).toLowerCase(Locale.ROOT);
            if (v.equals("yes")) value = true;
            else if (v.equals("no")) value = false;
            else throw new ConfigException("argument must be 'yes' or 'no'");
        }

        @Override
        public String get() {
            return value ? "yes" : "no";
        }

        public boolean value() {
            return value;
        }
    }

    /** Integers, optionally with memory units (1k, 1kb, 1m ...) or a percent form. */
    public static final class NumParam extends Param {
        volatile long value;
        final long min, max;
        final boolean memory;
        final boolean percentAllowed;
        final boolean octal;
        /** For percent configs: a negative value -p means p percent. */

        NumParam(String name, int flags, long dflt, long min, long max, boolean memory, boolean percent, boolean octal) {
            super(name, flags, octal ? Long.toOctalString(dflt) : Long.toString(dflt));
            this.min = min;
            this.max = max;
            this.memory = memory;
            this.percentAllowed = percent;
            this.octal = octal;
        }

        @Override
        public void set(List<String> args) throws ConfigException {
            if (args.size() != 1) throw new ConfigException("wrong number of arguments");
            String s = args.get(0);
            long v;
            if (percentAllowed && s.endsWith("%")) {
                Long p = parsePlainLong(s.substring(0, s.length() - 1));
                if (p == null || p < 0) throw new ConfigException("argument must be a memory or percent value");
                v = -p;
            } else if (memory) {
                Long m = parseMemory(s);
                if (m == null) {
                    throw new ConfigException(percentAllowed ? "argument must be a memory or percent value"
                            : "argument must be a memory value");
                }
                v = m;
            } else if (octal) {
                try {
                    v = Long.parseLong(s, 8);
                } catch (NumberFormatException e) {
                    throw new ConfigException("argument couldn't be parsed into an integer");
                }
            } else {
                Long p = parsePlainLong(s);
                if (p == null) throw new ConfigException("argument couldn't be parsed into an integer");
                v = p;
            }
            if (v >= 0 || !percentAllowed) {
                if (v < min || v > max) {
                    throw new ConfigException("argument must be between " + min + " and " + max + " inclusive");
                }
            }
            value = v;
        }

        @Override
        public String get() {
            if (octal) return Long.toOctalString(value);
            if (percentAllowed && value < 0) return (-value) + "%";
            return Long.toString(value);
        }

        public long value() {
            return value;
        }
    }

    static Long parsePlainLong(String s) {
        try {
            return io.larder.util.Numbers.parseLong(s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        } catch (io.larder.util.Numbers.Invalid e) {
            return null;
        }
    }

    /** Redis's memtoull: digits with an optional b/k/kb/m/mb/g/gb unit. */
    public static Long parseMemory(String s) {
        String l = s.toLowerCase(Locale.ROOT);
        long mul = 1;
        String digits = l;
        String[][] units = {{"gb", "1073741824"}, {"mb", "1048576"}, {"kb", "1024"}, {"g", "1000000000"},
            {"m", "1000000"}, {"k", "1000"}, {"b", "1"}};
        for (String[] u : units) {
            if (l.endsWith(u[0])) {
                mul = Long.parseLong(u[1]);
                digits = l.substring(0, l.length() - u[0].length());
                break;
            }
        }
        if (digits.isEmpty()) return null;
        for (int i = 0; i < digits.length(); i++) {
            if (!Character.isDigit(digits.charAt(i))) return null;
        }
        try {
            return Math.multiplyExact(Long.parseLong(digits), mul);
        } catch (ArithmeticException | NumberFormatException e) {
            return null;
        }
    }

    /** One of a fixed set of words; multi-flag enums accept several words. */
    public static final class EnumParam extends Param {
        volatile String value;
        final List<String> values;
        final boolean multi;

        EnumParam(String name, int flags, String dflt, boolean multi, String... values) {
            super(name, flags, dflt);
            this.values = List.of(values);
            this.multi = multi;
        }

        @Override
        public void set(List<String> args) throws ConfigException {
            List<String> words = new ArrayList<>();
            for (String a : args) {
                for (String w : a.split(" ")) if (!w.isEmpty()) words.add(w.toLowerCase(Locale.ROOT));
            }
            if (words.isEmpty() || (!multi && words.size() != 1)) throw bad();
            for (String w : words) if (!values.contains(w)) throw bad();
            value = String.join(" ", words);
        }

        private ConfigException bad() {
            return new ConfigException("argument(s) must be one of the following: " + String.join(", ", values));
        }

        @Override
        public String get() {
            return value;
        }

        public String value() {
            return value;
        }
    }

    /** Free text. */
    public static final class StringParam extends Param {
        volatile String value;
        final Validator validator;

        interface Validator {
            void check(String v) throws ConfigException;
        }

        StringParam(String name, int flags, String dflt, Validator validator) {
            super(name, flags, dflt);
            this.validator = validator;
        }

        @Override
        public void set(List<String> args) throws ConfigException {
            if (args.size() != 1) throw new ConfigException("wrong number of arguments");
            if (validator != null) validator.check(args.get(0));
            value = args.get(0);
        }

        @Override
        public String get() {
            return value;
        }

        public String value() {
            return value;
        }
    }

    /** A parameter with its own syntax (save, bind, client-output-buffer-limit ...). */
    public static final class CustomParam extends Param {
        interface Setter {
            void set(List<String> args) throws ConfigException;
        }

        private final Setter setter;
        private final Supplier<String> getter;
        private final Supplier<List<String>> rewriter;

        CustomParam(String name, int flags, String dflt, Setter setter, Supplier<String> getter,
                    Supplier<List<String>> rewriter) {
            super(name, flags | MULTI_ARG, dflt);
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
        public List<String> rewriteValues() {
            return rewriter != null ? rewriter.get() : super.rewriteValues();
        }
    }

    /** Subscribes to a parameter and applies its current value at once. */
    public void watch(String name, Consumer<Param> l) {
        Param p = param(name);
        p.onChange(l);
        l.accept(p);
    }
}
