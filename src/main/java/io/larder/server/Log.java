package io.larder.server;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Redis-format logging: {@code pid:M 26 Nov 2026 10:00:00.123 * message}, to
 * stdout or {@code logfile}, filtered by {@code loglevel}.
 */
public final class Log {
    public static final int DEBUG = 0, VERBOSE = 1, NOTICE = 2, WARNING = 3, NOTHING = 4;
    private static final char[] MARK = {'.', '-', '*', '#'};
    private static final DateTimeFormatter FMT = DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss.SSS", Locale.ENGLISH);
    private static volatile int level = NOTICE;
    private static volatile PrintStream out = System.out;
    private static volatile char role = 'M';
    private static final long PID = ProcessHandle.current().pid();

    private Log() {}

    public static void setLevel(int l) {
        level = l;
    }

    public static int level() {
        return level;
    }

    public static void setRole(char r) {
        role = r;
    }

    /** Sends the log to a file ("" = standard output). */
    public static synchronized void setFile(String path) throws IOException {
        if (path == null || path.isEmpty()) {
            out = System.out;
        } else {
            out = new PrintStream(new FileOutputStream(path, true), true, StandardCharsets.UTF_8);
        }
    }

    public static int parseLevel(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "debug" -> DEBUG;
            case "verbose" -> VERBOSE;
            case "notice" -> NOTICE;
            case "warning" -> WARNING;
            case "nothing" -> NOTHING;
            default -> -1;
        };
    }

    public static String levelName(int l) {
        return switch (l) {
            case DEBUG -> "debug";
            case VERBOSE -> "verbose";
            case NOTICE -> "notice";
            case WARNING -> "warning";
            default -> "nothing";
        };
    }

    public static void log(int l, String msg) {
        if (l < level) return;
        String line = PID + ":" + role + " " + LocalDateTime.now().format(FMT) + " " + MARK[Math.min(l, 3)] + " " + msg;
        PrintStream o = out;
        synchronized (Log.class) {
            o.println(line);
        }
    }

    public static void debug(String m) {
        log(DEBUG, m);
    }

    public static void verbose(String m) {
        log(VERBOSE, m);
    }

    public static void notice(String m) {
        log(NOTICE, m);
    }

    public static void warning(String m) {
        log(WARNING, m);
    }
}
