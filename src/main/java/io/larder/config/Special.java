package io.larder.config;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parameters with their own syntax: dir, save, client-output-buffer-limit,
 * oom-score-adj-values, notify-keyspace-events, bind, replicaof and
 * latency-tracking-info-percentiles, with Redis's parsing, CONFIG GET text
 * and CONFIG REWRITE lines (config.c's setConfig*Option and friends). Values
 * are kept parsed in {@link State}.
 */
public final class Special {
    private Special() {}

    /** A snapshot rule "save after `seconds` if at least `changes` writes". */
    public record SavePoint(long seconds, int changes) {}

    /** One client class's output buffer limits. */
    public record BufferLimit(long hard, long soft, long softSeconds) {}

    private static final BufferLimit NORMAL_DEFAULT = new BufferLimit(0, 0, 0);
    private static final BufferLimit REPLICA_DEFAULT = new BufferLimit(256L << 20, 64L << 20, 60);
    private static final BufferLimit PUBSUB_DEFAULT = new BufferLimit(32L << 20, 8L << 20, 60);
    private static final List<SavePoint> SAVE_DEFAULT =
            List.of(new SavePoint(3600, 1), new SavePoint(300, 100), new SavePoint(60, 10000));
    private static final List<String> BIND_DEFAULT = List.of("*", "-::*");
    private static final int[] OOM_DEFAULT = {0, 200, 800};

    public static final class State {
        public volatile List<SavePoint> save = SAVE_DEFAULT;
        public volatile List<String> bind = BIND_DEFAULT;
        /** The working directory (Redis chdir()s to it; Larder resolves files against it). */
        public volatile String dir = new File("").getAbsolutePath();
        public volatile BufferLimit normal = NORMAL_DEFAULT;
        public volatile BufferLimit replica = REPLICA_DEFAULT;
        public volatile BufferLimit pubsub = PUBSUB_DEFAULT;
        public volatile int notifyFlags;
        public volatile int[] oomScoreAdjValues = OOM_DEFAULT.clone();
        public volatile String replicaOfHost = null;
        public volatile int replicaOfPort;
        public volatile double[] latencyPercentiles = {50, 99, 99.9};
    }

    public static State state(Config c) {
        return c.special;
    }

    static void declare(Config c) {
        State st = c.special;

        Defaults.custom(c, "dir", Param.PROTECTED, args -> {
            if (args.size() != 1) throw new ConfigException("wrong number of arguments");
            st.dir = changeDir(st.dir, args.get(0));
        }, () -> st.dir, (p, r) -> r.line(p.name, p.name + " " + Config.repr(st.dir), true));

        Defaults.custom(c, "save", Param.MULTI_ARG, args -> {
            List<String> w = args;
            if (w.size() == 1 && w.get(0).isEmpty()) {
                // save "" always clears, even after save lines in a file (so --save "" overrides the file).
                st.save = List.of();
                if (c.loadingFile) c.saveLoaded = true;
                return;
            }
            if (w.size() % 2 != 0) throw new ConfigException("Invalid save parameters");
            List<SavePoint> pts = new ArrayList<>();
            for (int i = 0; i < w.size(); i += 2) {
                Long s = Config.strtoll(w.get(i), 10, true);
                Long ch = Config.strtoll(w.get(i + 1), 10, true);
                if (s == null || ch == null || s < 1 || ch < 0) throw new ConfigException("Invalid save parameters");
                pts.add(new SavePoint(s, (int) (long) ch));
            }
            if (c.loadingFile && c.saveLoaded) {
                // In a config file the first "save" line replaces the defaults; later ones add to it.
                List<SavePoint> all = new ArrayList<>(st.save);
                all.addAll(pts);
                pts = all;
            }
            if (c.loadingFile) c.saveLoaded = true;
            st.save = List.copyOf(pts);
        }, () -> {
            StringBuilder b = new StringBuilder();
            for (SavePoint p : st.save) {
                if (b.length() > 0) b.append(' ');
                b.append(p.seconds()).append(' ').append(p.changes());
            }
            return b.toString();
        }, (p, r) -> {
            List<SavePoint> save = st.save;
            if (save.isEmpty()) {
                r.line(p.name, "save \"\"", true);
            } else {
                for (SavePoint s : save) r.line(p.name, "save " + s.seconds() + " " + s.changes(), true);
            }
            r.markProcessed(p.name);
        });

        Defaults.custom(c, "client-output-buffer-limit", Param.MULTI_ARG, args -> {
            if (args.size() % 4 != 0) {
                throw new ConfigException("Wrong number of arguments in buffer limit configuration.");
            }
            BufferLimit n = null, rp = null, ps = null;
            for (int i = 0; i < args.size(); i += 4) {
                String cls = args.get(i).toLowerCase(Locale.ROOT);
                if (!cls.equals("normal") && !cls.equals("slave") && !cls.equals("replica") && !cls.equals("pubsub")) {
                    throw new ConfigException("Invalid client class specified in buffer limit configuration.");
                }
                Long hard = Config.memtoull(args.get(i + 1));
                Long soft = Config.memtoull(args.get(i + 2));
                Long secs = Config.strtoll(args.get(i + 3), 10, true);
                if (hard == null || soft == null || secs == null || (int) (long) secs < 0) {
                    throw new ConfigException("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
                }
                BufferLimit l = new BufferLimit(hard, soft, (int) (long) secs);
                switch (cls) {
                    case "normal" -> n = l;
                    case "pubsub" -> ps = l;
                    default -> rp = l;
                }
            }
            if (n != null) st.normal = n;
            if (rp != null) st.replica = rp;
            if (ps != null) st.pubsub = ps;
        }, () -> "normal " + fmt(st.normal) + " slave " + fmt(st.replica) + " pubsub " + fmt(st.pubsub), (p, r) -> {
            bufferLimitLine(r, p.name, "normal", st.normal, NORMAL_DEFAULT);
            bufferLimitLine(r, p.name, "replica", st.replica, REPLICA_DEFAULT);
            bufferLimitLine(r, p.name, "pubsub", st.pubsub, PUBSUB_DEFAULT);
        });

        Defaults.custom(c, "oom-score-adj-values", Param.MULTI_ARG, args -> {
            if (args.size() != 3) throw new ConfigException("wrong number of arguments");
            int[] v = new int[3];
            for (int i = 0; i < 3; i++) {
                Long x = Config.strtoll(args.get(i), 10, true);
                if (x == null || x < -2000 || x > 2000) {
                    throw new ConfigException("Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
                }
                v[i] = (int) (long) x;
            }
            st.oomScoreAdjValues = v;
        }, () -> oom(st.oomScoreAdjValues), (p, r) -> {
            int[] v = st.oomScoreAdjValues;
            boolean force = v[0] != OOM_DEFAULT[0] || v[1] != OOM_DEFAULT[1] || v[2] != OOM_DEFAULT[2];
            r.line(p.name, p.name + " " + oom(v), force);
        });

        Defaults.custom(c, "notify-keyspace-events", 0, args -> {
            if (args.size() != 1) throw new ConfigException("wrong number of arguments");
            int f = KeyspaceEvents.parse(args.get(0));
            if (f < 0) throw new ConfigException("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
            st.notifyFlags = f;
        }, () -> KeyspaceEvents.format(st.notifyFlags),
            (p, r) -> r.line(p.name, p.name + " " + Config.repr(KeyspaceEvents.format(st.notifyFlags)),
                st.notifyFlags != 0));

        Defaults.custom(c, "bind", Param.MULTI_ARG, args -> {
            if (args.size() > 16) throw new ConfigException("Too many bind addresses specified.");
            List<String> w = args.size() == 1 && args.get(0).isEmpty() ? List.of() : args;
            st.bind = List.copyOf(w);
        }, () -> String.join(" ", st.bind), (p, r) -> {
            if (st.bind.equals(BIND_DEFAULT)) {
                r.markProcessed(p.name);
                return;
            }
            r.line(p.name, p.name + " " + (st.bind.isEmpty() ? "\"\"" : String.join(" ", st.bind)), true);
        });

        Defaults.custom(c, "replicaof", Param.IMMUTABLE | Param.MULTI_ARG, args -> {
            if (args.size() != 2) throw new ConfigException("wrong number of arguments");
            st.replicaOfHost = null;
            if (args.get(0).equalsIgnoreCase("no") && args.get(1).equalsIgnoreCase("one")) return;
            Long port = Config.strtoll(args.get(1), 10, true);
            if (port == null || port < 0 || port > 65535) throw new ConfigException("Invalid master port");
            st.replicaOfPort = (int) (long) port;
            st.replicaOfHost = args.get(0);
        }, () -> st.replicaOfHost == null ? "" : st.replicaOfHost + " " + st.replicaOfPort, (p, r) -> {
            if (st.replicaOfHost == null || c.getBool("cluster-enabled")) {
                r.markProcessed(p.name);
                return;
            }
            r.line(p.name, p.name + " " + st.replicaOfHost + " " + st.replicaOfPort, true);
        });
        c.alias("replicaof", "slaveof");

        Defaults.custom(c, "latency-tracking-info-percentiles", Param.MULTI_ARG, args -> {
            List<String> w = args.size() == 1 && args.get(0).isEmpty() ? List.of() : args;
            double[] v = new double[w.size()];
            for (int i = 0; i < v.length; i++) {
                Double d = string2d(w.get(i));
                if (d == null) {
                    st.latencyPercentiles = new double[0];
                    throw new ConfigException("Invalid latency-tracking-info-percentiles parameters");
                }
                if (d > 100.0 || d < 0.0) {
                    st.latencyPercentiles = new double[0];
                    throw new ConfigException("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
                }
                v[i] = d;
            }
            st.latencyPercentiles = v;
        }, () -> percentiles(st.latencyPercentiles), (p, r) -> {
            double[] v = st.latencyPercentiles;
            r.line(p.name, p.name + " " + (v.length == 0 ? "\"\"" : percentiles(v)), true);
        });
    }

    /**
     * What chdir() would do: the new directory, resolved against the current
     * one, with chdir's error texts.
     */
    static String changeDir(String current, String arg) throws ConfigException {
        Path p = Path.of(current).resolve(arg);
        if (arg.isEmpty() || !Files.exists(p)) throw new ConfigException("No such file or directory");
        if (!Files.isDirectory(p)) throw new ConfigException("Not a directory");
        if (!Files.isExecutable(p)) throw new ConfigException("Permission denied");
        try {
            return p.toRealPath().toString();
        } catch (IOException e) {
            throw new ConfigException("No such file or directory");
        }
    }

    private static void bufferLimitLine(ConfigRewrite r, String name, String cls, BufferLimit v, BufferLimit d) {
        boolean force = !v.equals(d);
        r.line(name, name + " " + cls + " " + Config.formatMemory(v.hard()) + " " + Config.formatMemory(v.soft())
                + " " + v.softSeconds(), force);
    }

    private static String fmt(BufferLimit l) {
        return Long.toUnsignedString(l.hard()) + " " + Long.toUnsignedString(l.soft()) + " " + l.softSeconds();
    }

    private static String oom(int[] v) {
        return v[0] + " " + v[1] + " " + v[2];
    }

    /** "%f" with trailing zeros (and a trailing '.') removed, as Redis prints the percentiles. */
    public static String percentiles(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double d : v) {
            if (b.length() > 0) b.append(' ');
            b.append(trimDouble(String.format(Locale.ROOT, "%f", d)));
        }
        return b.toString();
    }

    /** Redis's string2d: the whole string as a double, no leading space, not NaN. */
    private static Double string2d(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        try {
            return io.larder.util.Numbers.parseDouble(b, 0, b.length);
        } catch (io.larder.util.Numbers.Invalid e) {
            return null;
        }
    }

    static String trimDouble(String s) {
        if (s.indexOf('.') < 0) return s;
        int e = s.length();
        while (s.charAt(e - 1) == '0') e--;
        if (s.charAt(e - 1) == '.') e--;
        return s.substring(0, e);
    }
}
