package io.larder.config;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parameters with their own syntax: save, bind, dir, client-output-buffer-limit,
 * notify-keyspace-events, oom-score-adj-values, replicaof and
 * latency-tracking-info-percentiles. Values are kept here in parsed form;
 * components read them through the static accessors of {@link Config}'s
 * owner (the server) via {@code Config.param(name)}.
 */
public final class Special {
    private Special() {}

    /** A snapshot rule "save after `seconds` if at least `changes` writes". */
    public record SavePoint(long seconds, long changes) {}

    /** One client class's output buffer limits. */
    public record BufferLimit(long hard, long soft, long softSeconds) {}

    public static final class State {
        public volatile List<SavePoint> save = List.of();
        public volatile List<String> bind = List.of();
        public volatile String dir = "";
        public volatile BufferLimit normal = new BufferLimit(0, 0, 0);
        public volatile BufferLimit replica = new BufferLimit(0, 0, 0);
        public volatile BufferLimit pubsub = new BufferLimit(0, 0, 0);
        public volatile int notifyFlags;
        public volatile String oomScoreAdjValues = "0 200 800";
        public volatile String replicaOfHost = null;
        public volatile int replicaOfPort;
        public volatile double[] latencyPercentiles = {50, 99, 99.9};
        /** Set while a config file is read: repeated "save" lines accumulate. */
        boolean saveSeenInFile;
    }

    public static State state(Config c) {
        return c.special;
    }

    static void declare(Config c) {
        State st = c.special;
        Defaults.custom(c, "save", 0, "3600 1 300 100 60 10000", args -> {
            List<String> w = Defaults.words(args);
            if (w.size() % 2 != 0) throw new ConfigException("Invalid save parameters");
            List<SavePoint> pts = new ArrayList<>();
            for (int i = 0; i < w.size(); i += 2) {
                Long s = Config.parsePlainLong(w.get(i));
                Long ch = Config.parsePlainLong(w.get(i + 1));
                if (s == null || ch == null || s < 1 || ch < 0) throw new ConfigException("Invalid save parameters");
                pts.add(new SavePoint(s, ch));
            }
            if (c.loadingFile) {
                // In a config file, the first "save" line replaces the default; later ones add.
                if (st.saveSeenInFile) {
                    List<SavePoint> all = new ArrayList<>(st.save);
                    all.addAll(pts);
                    pts = all;
                }
                st.saveSeenInFile = true;
            }
            st.save = List.copyOf(pts);
        }, () -> {
            StringBuilder b = new StringBuilder();
            for (SavePoint p : st.save) {
                if (b.length() > 0) b.append(' ');
                b.append(p.seconds()).append(' ').append(p.changes());
            }
            return b.toString();
        }, () -> {
            if (st.save.isEmpty()) return List.of("\"\"");
            List<String> out = new ArrayList<>();
            for (SavePoint p : st.save) out.add(p.seconds() + " " + p.changes());
            return out;
        });

        Defaults.custom(c, "bind", 0, "* -::*", args -> {
            List<String> w = Defaults.words(args);
            if (w.size() > 16) throw new ConfigException("Too many bind addresses specified.");
            st.bind = List.copyOf(w);
        }, () -> String.join(" ", st.bind), null);

        Defaults.custom(c, "dir", Param.PROTECTED, ".", args -> {
            if (args.size() != 1) throw new ConfigException("wrong number of arguments");
            File f = new File(args.get(0));
            if (!f.isAbsolute()) f = new File(st.dir.isEmpty() ? System.getProperty("user.dir") : st.dir, args.get(0));
            if (!f.isDirectory()) throw new ConfigException("No such file or directory");
            try {
                st.dir = f.getCanonicalPath();
            } catch (java.io.IOException e) {
                throw new ConfigException(e.getMessage());
            }
        }, () -> st.dir, null);

        Defaults.custom(c, "client-output-buffer-limit", 0,
                "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", args -> {
                List<String> w = Defaults.words(args);
                if (w.size() % 4 != 0) {
                    throw new ConfigException("Wrong number of arguments in buffer limit configuration.");
                }
                BufferLimit n = st.normal, r = st.replica, p = st.pubsub;
                for (int i = 0; i < w.size(); i += 4) {
                    String cls = w.get(i).toLowerCase(Locale.ROOT);
                    Long hard = Config.parseMemory(w.get(i + 1));
                    Long soft = Config.parseMemory(w.get(i + 2));
                    Long secs = Config.parsePlainLong(w.get(i + 3));
                    if (!cls.equals("normal") && !cls.equals("slave") && !cls.equals("replica") && !cls.equals("pubsub")) {
                        throw new ConfigException("Invalid client class specified in buffer limit configuration.");
                    }
                    if (hard == null || soft == null || secs == null || secs < 0) {
                        throw new ConfigException("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
                    }
                    BufferLimit l = new BufferLimit(hard, soft, secs);
                    switch (cls) {
                        case "normal" -> n = l;
                        case "pubsub" -> p = l;
                        default -> r = l;
                    }
                }
                st.normal = n;
                st.replica = r;
                st.pubsub = p;
            }, () -> "normal " + fmt(st.normal) + " slave " + fmt(st.replica) + " pubsub " + fmt(st.pubsub),
            () -> List.of("normal " + fmt(st.normal), "replica " + fmt(st.replica), "pubsub " + fmt(st.pubsub)));

        Defaults.custom(c, "notify-keyspace-events", 0, "", args -> {
            if (args.size() != 1) throw new ConfigException("wrong number of arguments");
            int f = KeyspaceEvents.parse(args.get(0));
            if (f < 0) throw new ConfigException("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
            st.notifyFlags = f;
        }, () -> KeyspaceEvents.format(st.notifyFlags), null);

        Defaults.custom(c, "oom-score-adj-values", 0, "0 200 800", args -> {
            List<String> w = Defaults.words(args);
            if (w.size() != 3) throw new ConfigException("Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
            for (String x : w) {
                Long v = Config.parsePlainLong(x);
                if (v == null || v < -2000 || v > 2000) {
                    throw new ConfigException("Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
                }
            }
            st.oomScoreAdjValues = String.join(" ", w);
        }, () -> st.oomScoreAdjValues, null);

        Defaults.custom(c, "replicaof", Param.IMMUTABLE, "", args -> {
            List<String> w = Defaults.words(args);
            if (w.isEmpty()) {
                st.replicaOfHost = null;
                return;
            }
            if (w.size() != 2) throw new ConfigException("wrong number of arguments");
            if (w.get(0).equalsIgnoreCase("no") && w.get(1).equalsIgnoreCase("one")) {
                st.replicaOfHost = null;
                return;
            }
            Long port = Config.parsePlainLong(w.get(1));
            if (port == null || port < 0 || port > 65535) throw new ConfigException("Invalid master port");
            st.replicaOfHost = w.get(0);
            st.replicaOfPort = port.intValue();
        }, () -> st.replicaOfHost == null ? "" : st.replicaOfHost + " " + st.replicaOfPort, null);
        c.alias("replicaof", "slaveof");

        Defaults.custom(c, "latency-tracking-info-percentiles", 0, "50 99 99.9", args -> {
            List<String> w = Defaults.words(args);
            double[] v = new double[w.size()];
            for (int i = 0; i < v.length; i++) {
                try {
                    v[i] = Double.parseDouble(w.get(i));
                } catch (NumberFormatException e) {
                    throw new ConfigException("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
                }
                if (v[i] < 0 || v[i] > 100) {
                    throw new ConfigException("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
                }
            }
            st.latencyPercentiles = v;
        }, () -> {
            StringBuilder b = new StringBuilder();
            for (double d : st.latencyPercentiles) {
                if (b.length() > 0) b.append(' ');
                b.append(io.larder.util.Numbers.formatG(d, 17).replaceAll("\\.0+$", ""));
            }
            return b.toString();
        }, null);
    }

    private static String fmt(BufferLimit l) {
        return l.hard() + " " + l.soft() + " " + l.softSeconds();
    }
}
