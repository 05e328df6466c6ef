package io.larder.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.DifferentialTestBase;
import io.larder.testing.RespClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Malformed and unusual requests: Larder must answer exactly as Redis does
 * (same error text, same decision to close the connection) and must not be
 * disturbed for other clients.
 */
class ProtocolDifferentialTest extends DifferentialTestBase {

    /** Sends bytes on fresh connections to both servers; returns what each sent back until close or quiet. */
    private static String[] exchange(byte[] input, int larderPort, int redisPort) {
        return new String[] {drain(larderPort, input), drain(redisPort, input)};
    }

    private static String drain(int port, byte[] input) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(500);
            s.getOutputStream().write(input);
            s.getOutputStream().flush();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (true) {
                int n;
                try {
                    n = s.getInputStream().read(buf);
                } catch (java.net.SocketTimeoutException e) {
                    return out.toString(StandardCharsets.ISO_8859_1) + "<open>";
                } catch (java.io.IOException e) {
                    return out.toString(StandardCharsets.ISO_8859_1) + "<reset>";
                }
                if (n < 0) return out.toString(StandardCharsets.ISO_8859_1) + "<closed>";
                out.write(buf, 0, n);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void same(String input) {
        same(input.getBytes(StandardCharsets.ISO_8859_1));
    }

    private void same(byte[] input) {
        String[] r = exchange(input, larder.port(), redis.port());
        // A reset after a protocol error is the same outcome as a clean close.
        String l = r[0].replace("<reset>", "<closed>");
        String x = r[1].replace("<reset>", "<closed>");
        assertEquals(x, l, "input: " + new String(input, 0, Math.min(input.length, 80), StandardCharsets.ISO_8859_1));
    }

    @Test
    void malformedRequestsGetRedisErrorsAndClose() {
        same("*-5\r\nPING\r\n");
        same("*2147483648\r\n");
        same("*2147483647\r\n");
        same("$abc\r\n");
        same("*1\r\n$abc\r\n");
        same("*1\r\n$-1\r\n");
        same("*1\r\nx\r\n");
        same("*abc\r\n");
        same("*1\r\r\n");
        same("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$600000000\r\n");
        same("*2000000\r\n");
        same("x".repeat(70000));
        same("*" + "1".repeat(70000));
        same("*1\r\n$" + "1".repeat(70000));
        same("\"unbalanced\r\n");
        same("echo \"a\"b\r\n");
    }

    @Test
    void inlineAndOddButValidRequests() {
        same("PING\r\n");
        same("PING\n");
        same("\r\n\r\nPING\r\n");
        same("*0\r\nPING\r\n");
        same("*1\r\n$4\r\nPINGxx");
        same("*1\r\n$4\r\nping\n\n");
        same("foo a b\r\n");
        same("\"foo\\x41\" bar\r\n");
        same("echo \"a\\nb\"\r\n");
        same("echo 'a\\'b'\r\n");
        same("*1\r\n$0\r\n\r\n");
        same("*2\r\n$3\r\nget\r\n$0\r\n\r\n");
        same("GET a b\r\n");
        same("get\r\n");
        same("ECHO \"multi word\" extra\r\n");
    }

    @Test
    void pipelineOfAnyDepth() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 5000; i++) b.append("*3\r\n$3\r\nSET\r\n$").append(String.valueOf(i).length()).append("\r\n")
                .append(i).append("\r\n$1\r\nv\r\n");
        for (int i = 0; i < 5000; i++) b.append("GET ").append(i).append("\r\n");
        try (RespClient c = larder.client()) {
            c.sendRaw(b.toString());
            for (int i = 0; i < 5000; i++) assertArrayEquals("+OK\r\n".getBytes(StandardCharsets.ISO_8859_1), c.readRaw());
            for (int i = 0; i < 5000; i++) assertArrayEquals("$1\r\nv\r\n".getBytes(StandardCharsets.ISO_8859_1), c.readRaw());
        }
    }

    @Test
    void argumentsSplitAcrossPacketsAreReassembled() {
        byte[] big = new byte[3_000_000];
        new Random(1).nextBytes(big);
        byte[] cmd = RespClient.encode("SET".getBytes(), "big".getBytes(), big);
        try (RespClient c = larder.client()) {
            for (int off = 0; off < cmd.length; off += 7919) {
                c.sendRaw(java.util.Arrays.copyOfRange(cmd, off, Math.min(cmd.length, off + 7919)));
            }
            assertArrayEquals("+OK\r\n".getBytes(StandardCharsets.ISO_8859_1), c.readRaw());
            byte[] back = c.callRaw("GET", "big");
            byte[] expected = ("$" + big.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            assertArrayEquals(expected, java.util.Arrays.copyOf(back, expected.length));
            assertArrayEquals(big, java.util.Arrays.copyOfRange(back, expected.length, expected.length + big.length));
        }
    }

    @Test
    void fuzzedRequestsBehaveAsRedisAndHarmNobody() {
        Random rnd = new Random(20261126);
        int rounds = Boolean.getBoolean("larder.soak") ? 20000 : 600;
        List<String> atoms = List.of("*", "$", "\r\n", "\r", "\n", "-1", "0", "1", "2", "3", "10", "2147483648",
                "PING", "ECHO", "SET", "GET", "a", "\"", "'", "\\x41", " ", "abc", "*2\r\n", "$3\r\n", "$-1\r\n");
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            StringBuilder s = new StringBuilder();
            int n = 1 + rnd.nextInt(12);
            for (int k = 0; k < n; k++) s.append(atoms.get(rnd.nextInt(atoms.size())));
            // End with a line break so that a request left open is visible as "<open>" on both.
            s.append("\r\n");
            inputs.add(s.toString());
        }
        // Each exchange waits for a quiet period, so run them side by side.
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(32);
        try (RespClient bystander = larder.client()) {
            List<java.util.concurrent.Future<String[]>> results = new ArrayList<>();
            for (String in : inputs) {
                byte[] b = in.getBytes(StandardCharsets.ISO_8859_1);
                results.add(pool.submit(() -> exchange(b, larder.port(), redis.port())));
            }
            for (int i = 0; i < inputs.size(); i++) {
                String[] r = results.get(i).get();
                assertEquals(r[1].replace("<reset>", "<closed>"), r[0].replace("<reset>", "<closed>"),
                        "input: " + inputs.get(i));
                if (i % 50 == 0) assertEquals("PONG", bystander.call("PING"));
            }
            assertTrue(rounds > 0);
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new AssertionError(e);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void randomBytesNeverCrashTheServer() throws Exception {
        Random rnd = new Random(7);
        int rounds = Boolean.getBoolean("larder.soak") ? 5000 : 300;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(32);
        try (RespClient bystander = larder.client()) {
            List<java.util.concurrent.Future<String>> done = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                byte[] junk = new byte[1 + rnd.nextInt(300)];
                rnd.nextBytes(junk);
                if (rnd.nextBoolean()) junk[0] = '*';
                done.add(pool.submit(() -> drain(larder.port(), junk)));
            }
            for (var f : done) f.get();
            assertEquals("PONG", bystander.call("PING"));
            assertEquals("OK", bystander.call("SET", "still", "fine"));
        } finally {
            pool.shutdownNow();
        }
    }
}
