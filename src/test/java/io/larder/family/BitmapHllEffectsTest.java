package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.store.Lookup;
import io.larder.store.StoredValue;
import io.larder.store.StringValue;
import io.larder.testing.DifferentialTestBase;
import io.larder.testing.KeyEvents;
import io.larder.testing.RespClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Effects of bitmap and HyperLogLog commands that replies do not show:
 * keyspace notifications (compared with the events a real Redis publishes)
 * and how much a command allocates.
 */
class BitmapHllEffectsTest extends DifferentialTestBase {

    @Test
    void keyspaceEventsMatchRedis() throws Exception {
        larder.server().config().set("notify-keyspace-events", List.of("EAn"));
        d.redis().call("CONFIG", "SET", "notify-keyspace-events", "EAn");
        try (KeyEvents larderEvents = new KeyEvents(larder.port()); KeyEvents redisEvents = new KeyEvents(redis.port())) {
            d.script("""
                    SETBIT b 3 1
                    SETBIT b 3 1
                    SETBIT b 3 0
                    SETBIT b 100 0
                    GETBIT b 1
                    BITFIELD b SET u8 0 0
                    BITFIELD b SET u8 0 7 INCRBY u8 0 1
                    BITFIELD f OVERFLOW FAIL INCRBY u2 0 9
                    BITFIELD b GET u8 0
                    BITOP NOT n b
                    BITOP AND n missing
                    BITOP AND n missing
                    PFADD h a
                    PFADD h a
                    PFADD h
                    PFADD h2
                    PFCOUNT h
                    PFMERGE h3 h h2
                    PFMERGE h3
                    PFDEBUG TODENSE h
                    SET end x
                    """);
            List<String> events = redisEvents.drain();
            assertEquals(events, larderEvents.drain());
            assertTrue(events.contains("0 set end"), "events were read: " + events);
        } finally {
            larder.server().config().set("notify-keyspace-events", List.of(""));
            d.redis().call("CONFIG", "SET", "notify-keyspace-events", "");
        }
    }

    private StringValue value(String key) {
        Object e = larder.server().keyspace().db(0).find(new Lookup(), key.getBytes(StandardCharsets.ISO_8859_1),
                System.currentTimeMillis());
        return (StringValue) e;
    }

    @Test
    void setbitAllocatesLikeSds() {
        RespClient c = larder.client();
        // A new key is exactly as long as the offset needs (sdsnewlen).
        assertEquals(0L, c.callLong("SETBIT", "big", String.valueOf(8L * 3_000_000 - 1), "1"));
        assertEquals(3_000_000, value("big").data().length);
        // Growing doubles below 1MB and adds 1MB above it (sdsMakeRoomFor).
        c.callLong("SETBIT", "small", "0", "1");
        c.callLong("SETBIT", "small", "80", "1");
        assertEquals(11, value("small").length());
        assertEquals(22, value("small").data().length);
        c.callLong("SETBIT", "big", String.valueOf(8L * 4_000_000), "1");
        assertEquals(4_000_001 + 1024 * 1024, value("big").data().length);
        // A sparse HLL stays small; a dense one is exactly Redis's 12304 bytes.
        c.callLong("PFADD", "h", "a", "b");
        c.call("PFDEBUG", "TODENSE", "h");
        assertEquals(HyperLogLog.DENSE_SIZE, value("h").data().length);
        c.close();
    }

    @Test
    void writesKeepTheTtlExceptBitopWhichReplacesTheKey() {
        try (RespClient c = larder.client()) {
            c.call("SET", "t", "v", "EX", "100");
            c.callLong("SETBIT", "t", "100", "1");
            c.call("BITFIELD", "t", "SET", "u8", "200", "1");
            assertTrue(value("t").expireAt() != StoredValue.NO_EXPIRE);
            c.call("PFADD", "h", "a");
            c.call("SET", "hcopy", c.callString("GET", "h"), "EX", "100");
            c.callLong("PFADD", "hcopy", "b");
            c.callLong("PFCOUNT", "hcopy");
            c.call("PFMERGE", "hcopy", "h");
            assertTrue(value("hcopy").expireAt() != StoredValue.NO_EXPIRE);
            c.callLong("BITOP", "NOT", "t", "t");
            assertEquals(StoredValue.NO_EXPIRE, value("t").expireAt());
        }
    }

    @Test
    void offsetsBeyondWhatAnArrayHoldsAreRefused() throws Exception {
        // proto-max-bulk-len may be raised past 2GB; a string that long cannot exist here.
        larder.server().config().set("proto-max-bulk-len", List.of("8589934592"));
        try (RespClient c = larder.client()) {
            assertEquals("ERR bit offset is not an integer or out of range",
                    ((RespClient.Error) c.call("SETBIT", "k", String.valueOf(8L * Integer.MAX_VALUE), "1")).message());
            assertEquals("ERR bit offset is not an integer or out of range",
                    ((RespClient.Error) c.call("BITFIELD", "k", "SET", "u8", "#" + Integer.MAX_VALUE, "1")).message());
            assertNull(value("k"));
            // Reading past the end is fine: nothing is allocated.
            assertEquals(0L, c.callLong("GETBIT", "k", String.valueOf(8L * Integer.MAX_VALUE)));
        } finally {
            larder.server().config().set("proto-max-bulk-len", List.of("536870912"));
        }
    }
}
