package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.larder.protocol.RequestParser;
import io.larder.testing.Diff;
import io.larder.testing.RespClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Comparing stream replies that contain times: XINFO's seen-time and
 * delivery times, XINFO CONSUMERS' idle, XPENDING's elapsed time. Both
 * replies must have the same shape byte for byte with every integer blanked,
 * and the same values once those times are blanked.
 */
final class StreamTesting {
    private StreamTesting() {}

    /** Runs a script like Diff.script; lines starting with "@ " are compared with times masked. */
    static void script(Diff d, String text) {
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("@ ")) {
                List<String> args = RequestParser.splitLine(line.substring(2));
                checkTimed(d, args.toArray(new String[0]));
            } else if (!line.isEmpty()) {
                d.script(line);
            }
        }
    }

    static Object checkTimed(Diff d, String... cmd) {
        byte[] l = d.larder().callRaw(cmd);
        byte[] r = d.redis().callRaw(cmd);
        String what = String.join(" ", cmd);
        assertEquals(shape(r), shape(l), "reply shape differs for " + what + "\n  larder: " + text(l) + "\n  redis:  "
                + text(r));
        Object lv = mask(RespClient.decode(l));
        Object rv = mask(RespClient.decode(r));
        assertEquals(String.valueOf(rv), String.valueOf(lv), "reply differs for " + what);
        return lv;
    }

    /** The raw reply with every integer value blanked. */
    static String shape(byte[] raw) {
        return text(raw).replaceAll("(?<=^|\n):-?[0-9]+\r\n", ":N\r\n");
    }

    static String text(byte[] raw) {
        return new String(raw, StandardCharsets.ISO_8859_1);
    }

    /** Blanks times: values after "idle"/"seen-time", epoch-ms integers, XPENDING's elapsed field. */
    static Object mask(Object v) {
        if (v instanceof Long n) return n >= 1_000_000_000_000L ? "T" : n;
        List<Object> items;
        boolean map = false;
        if (v instanceof RespClient.RespMap m) {
            items = m.entries();
            map = true;
        } else if (v instanceof List<?> l) {
            @SuppressWarnings("unchecked")
            List<Object> x = (List<Object>) l;
            items = x;
        } else {
            return v;
        }
        List<Object> out = new ArrayList<>();
        boolean maskNext = false;
        for (Object o : items) {
            if (maskNext) {
                out.add("T");
                maskNext = false;
                continue;
            }
            out.add(mask(o));
            if ("idle".equals(o) || "seen-time".equals(o)) maskNext = true;
        }
        // XPENDING extended entries: [id, consumer, elapsed, deliveries].
        if (out.size() == 4 && out.get(0) instanceof String id && id.matches("[0-9]+-[0-9]+")
                && out.get(1) instanceof String && out.get(2) instanceof Long && out.get(3) instanceof Long) {
            out.set(2, "T");
        }
        return map ? new RespClient.RespMap(out) : out;
    }
}
