package io.larder.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.LarderTestServer;
import io.larder.testing.RespClient;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * used_memory must follow what the data really takes on the heap, since
 * eviction trusts it: for each kind of value, the keyspace's accounted
 * bytes are compared with the growth of the live heap (measured after full
 * collections) when many such values are loaded. The server runs in this
 * JVM, which has the launcher's object layout (compact headers).
 */
class MemoryAccountingTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Bytes of live objects, from a class histogram (a full collection, then every live object counted at
     * its exact size: unlike the heap's "used", not rounded to regions).
     */
    private static long liveHeap() {
        try {
            var server = ManagementFactory.getPlatformMBeanServer();
            var name = new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand");
            String h = (String) server.invoke(name, "gcClassHistogram", new Object[] {new String[0]},
                    new String[] {String[].class.getName()});
            for (String line : h.split("\n")) {
                line = line.trim();
                if (line.startsWith("Total")) return Long.parseLong(line.split("\\s+")[2]);
            }
            throw new AssertionError("no total in the class histogram");
        } catch (javax.management.JMException e) {
            throw new AssertionError(e);
        }
    }

    /** Loads {@code n} commands from {@code command} and returns {accounted, heap} growth in bytes. */
    private static long[] measure(LarderTestServer s, RespClient c, int n, IntFunction<String[]> command) {
        Keyspace ks = s.server().keyspace();
        {
            c.call("FLUSHALL");
            // A worker remembers the entry of its last lookup (read-modify-write): make it forget the last one.
            c.call("EXISTS", "nokey");
            long heap0 = liveHeap(), acc0 = ks.memory();
            for (int from = 0; from < n; from += 5000) {
                int to = Math.min(n, from + 5000);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (int i = from; i < to; i++) {
                    String[] args = command.apply(i);
                    byte[][] bs = new byte[args.length][];
                    for (int k = 0; k < args.length; k++) bs[k] = b(args[k]);
                    out.writeBytes(RespClient.encode(bs));
                }
                c.sendRaw(out.toByteArray());
                for (int i = from; i < to; i++) c.readRaw();
            }
            c.call("EXISTS", "nokey");
            long heap1 = liveHeap(), acc1 = ks.memory();
            return new long[] {acc1 - acc0, heap1 - heap0};
        }
    }

    @Test
    void accountedBytesFollowTheHeap() {
        record Case(String name, int n, IntFunction<String[]> cmd) {}
        String v100 = "v".repeat(100), v5000 = "x".repeat(5000);
        List<Case> cases = List.of(
                new Case("small strings", 300_000, i -> new String[] {"SET", "key:" + i, "abc"}),
                new Case("100-byte strings", 200_000, i -> new String[] {"SET", "key:" + i, v100}),
                new Case("integers", 300_000, i -> new String[] {"SET", "key:" + i, Integer.toString(i + 100000)}),
                new Case("strings with expiry", 200_000, i -> new String[] {"SET", "key:" + i, "abc", "EX", "9999"}),
                new Case("5000-byte strings", 20_000, i -> new String[] {"SET", "key:" + i, v5000}),
                new Case("appended strings", 100_000, i -> new String[] {"APPEND", "key:" + i, "abcdef"}),
                new Case("big hash", 300_000, i -> new String[] {"HSET", "h", "field:" + i, "value:" + i}),
                new Case("small hashes", 300_000, i -> new String[] {"HSET", "h:" + i / 5, "f" + i % 5, "v"}),
                new Case("big set", 300_000, i -> new String[] {"SADD", "s", "member:" + i}),
                new Case("int sets", 300_000, i -> new String[] {"SADD", "s:" + i / 5, Integer.toString(i)}),
                new Case("big zset", 300_000, i -> new String[] {"ZADD", "z", Integer.toString(i), "member:" + i}),
                new Case("small zsets", 300_000, i -> new String[] {"ZADD", "z:" + i / 5, "1", "m" + i % 5}),
                new Case("big list", 300_000, i -> new String[] {"RPUSH", "l", "element:" + i}),
                new Case("small lists", 300_000, i -> new String[] {"RPUSH", "l:" + i / 5, "e" + i}),
                new Case("stream", 200_000, i -> new String[] {"XADD", "x", "*", "f", "v" + i}));
        List<String> report = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        // One connection, so one worker thread, does everything.
        try (LarderTestServer s = LarderTestServer.start(); RespClient c = s.client()) {
            for (Case k : cases) {
                long[] r = measure(s, c, k.n, k.cmd);
                double ratio = (double) r[0] / r[1];
                String line = String.format("%-20s accounted %6.1f heap %6.1f bytes per command (ratio %.2f)", k.name,
                        (double) r[0] / k.n, (double) r[1] / k.n, ratio);
                report.add(line);
                // Counting somewhat more than the heap holds only evicts a little early; counting less would let
                // the heap outgrow maxmemory.
                if (ratio < 0.9 || ratio > 1.3) bad.add(line);
            }
        }
        System.out.println(String.join("\n", report));
        assertTrue(bad.isEmpty(), "accounting off:\n" + String.join("\n", bad) + "\nall:\n" + String.join("\n", report));
    }
}
