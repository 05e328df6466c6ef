package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.store.Entries;
import io.larder.store.Lookup;
import io.larder.store.StreamValue;
import io.larder.testing.DifferentialTestBase;
import io.larder.testing.KeyEvents;
import io.larder.testing.RespClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Effects of stream commands that replies do not show: keyspace
 * notifications (both servers' read from a subscriber) and
 * memory per entry (compared with Redis's MEMORY USAGE).
 */
class StreamEffectsTest extends DifferentialTestBase {

    @Test
    void keyspaceEventsMatchRedis() throws Exception {
        larder.server().config().set("notify-keyspace-events", List.of("EAnm"));
        d.redis().call("CONFIG", "SET", "notify-keyspace-events", "EAnm");
        try (KeyEvents redisEvents = new KeyEvents(redis.port()); KeyEvents larderEvents = new KeyEvents(larder.port())) {
            StreamTesting.script(d, """
                    XADD s 1-1 f v
                    XADD s 2-1 f v
                    XADD s MAXLEN 1 3-1 f v
                    XADD s MAXLEN 5 4-1 f v
                    XADD s 1-1 f v
                    XADD missing NOMKSTREAM 1-1 f v
                    XTRIM s MAXLEN 5
                    XTRIM s MAXLEN 1
                    XTRIM missing MAXLEN 1
                    XDEL s 9-9
                    XDEL s 4-1
                    XDEL missing 1-1
                    XLEN missing
                    XRANGE missing - +
                    XREVRANGE s + -
                    XREAD STREAMS missing s 0 0
                    XGROUP CREATE s g $
                    XGROUP CREATE s g $
                    XGROUP CREATE s2 g $ MKSTREAM
                    XGROUP CREATE missing g $
                    XGROUP CREATECONSUMER s g c1
                    XGROUP CREATECONSUMER s g c1
                    XGROUP SETID s g 0
                    XADD s 5-1 f v
                    XADD s 6-1 f v
                    XREADGROUP GROUP g c2 COUNT 1 STREAMS s >
                    XREADGROUP GROUP g c2 COUNT 1 STREAMS s >
                    XREADGROUP GROUP g c3 STREAMS s 0
                    XREADGROUP GROUP g c4 STREAMS s >
                    XREADGROUP GROUP g c5 STREAMS missing >
                    XACK s g 5-1
                    XACK missing g 5-1
                    @ XPENDING s g - + 10
                    XPENDING missing g
                    XCLAIM s g c6 0 6-1 JUSTID
                    XCLAIM s g c7 0 9-9
                    XAUTOCLAIM s g c8 0 0
                    XAUTOCLAIM s g c9 100000000 0
                    XINFO STREAM missing
                    XINFO GROUPS s
                    @ XINFO CONSUMERS s g
                    XGROUP DELCONSUMER s g c1
                    XGROUP DELCONSUMER s g nobody
                    XGROUP DESTROY s g
                    XGROUP DESTROY s g
                    XSETID s 100-0
                    XSETID missing 100-0
                    XTRIM s MAXLEN 0
                    EXISTS s
                    DEL s s2
                    SET end x
                    """);
            List<String> expected = redisEvents.drain();
            assertEquals(String.join("\n", expected), String.join("\n", larderEvents.drain()));
            assertTrue(expected.contains("0 set end"), "events were read");
        } finally {
            larder.server().config().set("notify-keyspace-events", List.of(""));
            d.redis().call("CONFIG", "SET", "notify-keyspace-events", "");
        }
    }

    @Test
    void objectEncodingIsStream() {
        d.check("XADD", "s", "1-1", "f", "v");
        assertEquals("stream", Entries.encoding(find("s")));
        d.check("OBJECT", "ENCODING", "s");
        d.check("TYPE", "s");
    }

    private Object find(String key) {
        return larder.server().keyspace().db(0).find(new Lookup(), key.getBytes(StandardCharsets.ISO_8859_1),
                System.currentTimeMillis());
    }

    /**
     * Memory per entry at or below Redis's MEMORY USAGE for typical streams:
     * Larder's estimate (key and table slot included) against Redis's
     * figure, both divided by the number of entries.
     */
    @Test
    void memoryPerEntryAtOrBelowRedis() {
        record Shape(String name, int entries, int fields, int valueLen, boolean numeric) {}
        List<Shape> shapes = List.of(new Shape("1 field, 8-byte value", 100_000, 1, 8, false),
                new Shape("3 fields, integer values", 100_000, 3, 0, true),
                new Shape("5 fields, 20-byte values", 50_000, 5, 20, false),
                new Shape("1 field, 200-byte value", 20_000, 1, 200, false),
                new Shape("10 entries", 10, 2, 10, false));
        StringBuilder report = new StringBuilder();
        for (Shape sh : shapes) {
            d.exec("DEL", "m");
            int batch = 500;
            long id = 1_700_000_000_000L;
            for (int i = 0; i < sh.entries(); i += batch) {
                List<String> pipeline = new ArrayList<>();
                for (int j = i; j < Math.min(sh.entries(), i + batch); j++) {
                    id += j % 3 == 0 ? 1 : 0;
                    List<String> cmd = new ArrayList<>(List.of("XADD", "m", id + "-" + j));
                    for (int f = 0; f < sh.fields(); f++) {
                        cmd.add("field" + f);
                        cmd.add(sh.numeric() ? "" + (j * 7 + f) : ("v" + j + "-" + f + "x".repeat(sh.valueLen()))
                                .substring(0, sh.valueLen()));
                    }
                    pipeline.add(String.join("\u0000", cmd));
                }
                for (String p : pipeline) {
                    String[] a = p.split("\u0000");
                    d.larder().send(a);
                    d.redis().send(a);
                }
                for (int k = 0; k < pipeline.size(); k++) {
                    d.larder().readRaw();
                    d.redis().readRaw();
                }
            }
            long redisBytes = (Long) d.redis().call("MEMORY", "USAGE", "m", "SAMPLES", "0");
            Object e = find("m");
            long larderBytes = Entries.memoryUsage(e) + 8;
            double r = (double) redisBytes / sh.entries(), l = (double) larderBytes / sh.entries();
            report.append(String.format("%-28s %8d entries: Redis %7.1f B/entry, Larder %7.1f B/entry (%d nodes)%n",
                    sh.name(), sh.entries(), r, l, ((StreamValue) e).radixTreeKeys()));
            assertTrue(l <= r * 1.001, sh.name() + ": Larder " + l + " > Redis " + r + " bytes per entry");
        }
        System.out.print(report);
    }
}
