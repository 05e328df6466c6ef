package io.larder.persist;

import io.larder.config.Config;
import io.larder.store.StoredValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code larder --check-rdb FILE}: reads a whole RDB file as the loader
 * does, without a server, and reports like redis-check-rdb: each aux field
 * and database, then either "RDB looks OK" or the error, the offset where
 * it was found and what was being read. Exit status 0 or 1.
 */
public final class RdbCheck {
    private RdbCheck() {}

    public static int run(String file, PrintStream out) {
        return check(Path.of(file), file, out) >= 0 ? 0 : 1;
    }

    /**
     * Checks the RDB at the start of {@code p} (a dump, or an AOF's RDB
     * preamble / base), reporting as redis-check-rdb with {@code name};
     * returns the offset where the RDB ends, or -1 if it is not sane.
     */
    static long check(Path p, String name, PrintStream out) {
        String file = name;
        out.println("[offset 0] Checking RDB file " + file);
        long[] keys = new long[3]; // read, with expiry, already expired
        long now = System.currentTimeMillis();
        RdbInput in = null;
        try (InputStream is = Files.newInputStream(p)) {
            in = new RdbInput(is::read, Files.size(p));
            RdbInput input = in;
            RdbLoader.Sink sink = new RdbLoader.Sink() {
                @Override
                public void aux(byte[] key, byte[] value, long offset) {
                    out.println("[offset " + offset + "] AUX FIELD " + s(key) + " = '" + s(value) + "'");
                }

                @Override
                public void selectDb(int db, long offset) {
                    out.println("[offset " + offset + "] Selecting DB ID " + db);
                }

                @Override
                public void function(byte[] code, RdbInput in) {
                    // Validated as a string; compiling it needs the function engine.
                }

                @Override
                public void key(int db, byte[] key, Object value, long expireAt, int lfuFreq, long lruIdle,
                        RdbInput in) {
                    keys[0]++;
                    if (expireAt != StoredValue.NO_EXPIRE) {
                        keys[1]++;
                        if (expireAt < now) keys[2]++;
                    }
                }
            };
            RdbLoader.Result r = RdbLoader.load(in, sink, LoadOptions.from(new Config()), Integer.MAX_VALUE, true);
            if (r.checksumVerified()) out.println("[offset " + in.position() + "] Checksum OK");
            else if (r.checksumDisabled()) out.println("[offset " + in.position() + "] RDB file was saved with checksum disabled: no check performed.");
            out.println("[offset " + in.position() + "] \\o/ RDB looks OK! \\o/");
            info(out, keys);
            return in.position();
        } catch (RdbException e) {
            out.println("--- RDB ERROR DETECTED ---");
            if (in != null && e.getMessage().endsWith("RDB CRC error")) {
                // redis-check-rdb reports a checksum mismatch after reading it, and no key (none is being read).
                out.println("[offset " + in.position() + "] RDB CRC error");
                out.println("[additional info] While doing: " + in.doing);
                info(out, keys);
                return -1;
            }
            out.println("[offset " + e.offset() + "] " + e.getMessage());
            if (in != null) {
                out.println("[additional info] While doing: " + in.doing);
                if (in.key != null) out.println("[additional info] Reading key '" + s(in.key) + "'");
                if (in.type >= 0) {
                    out.println("[additional info] Reading type " + in.type + " (" + Rdb.typeName(in.type) + ")");
                }
            }
            info(out, keys);
            return -1;
        } catch (IOException | java.io.UncheckedIOException e) {
            out.println("--- RDB ERROR DETECTED ---");
            out.println("[offset 0] Cannot read " + file + ": "
                    + RdbFile.reason(e instanceof java.io.UncheckedIOException u ? u.getCause() : e));
            return -1;
        }
    }

    private static void info(PrintStream out, long[] keys) {
        out.println("[info] " + keys[0] + " keys read");
        out.println("[info] " + keys[1] + " expires");
        out.println("[info] " + keys[2] + " already expired");
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
