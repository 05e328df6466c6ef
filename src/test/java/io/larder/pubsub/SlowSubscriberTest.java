package io.larder.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.LarderTestServer;
import io.larder.testing.RespClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * client-output-buffer-limit for pub/sub clients: a subscriber that stops
 * reading is disconnected once what is pending for it reaches the hard limit,
 * or stays above the soft limit for longer than its seconds, while a
 * thousand subscribers that keep reading get every message, in order.
 */
class SlowSubscriberTest {
    private static final int SUBSCRIBERS = 1000;
    private static final int MESSAGES = 400;
    private static final byte[] BULK = new byte[64 * 1024];

    /** The exact bytes of fan-out message i as a RESP2 subscriber receives it. */
    private static byte[] message(int i) {
        String payload = String.format("m%06d", i);
        return ("*3\r\n$7\r\nmessage\r\n$3\r\nfan\r\n$" + payload.length() + "\r\n" + payload + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    private static final int MESSAGE_LENGTH = message(0).length;

    @Test
    void slowSubscriberIsCutOffAtTheHardLimitWhileTheOthersGetEverything() throws Exception {
        try (LarderTestServer larder = LarderTestServer.start("--client-output-buffer-limit", "pubsub", "1mb", "0", "0");
                RespClient pub = larder.client(); RespClient admin = larder.client()) {
            List<SocketChannel> fans = subscribeAll(larder.port());
            Socket slow = slowSubscriber(larder.port());
            AtomicReference<Throwable> readerFailure = new AtomicReference<>();
            int[] received = new int[SUBSCRIBERS];
            Thread reader = new Thread(() -> {
                try {
                    readAll(fans, received);
                } catch (Throwable e) {
                    readerFailure.set(e);
                }
            }, "fan-reader");
            reader.start();

            // Fan-out messages, and every fourth one a 64 kB message only the slow subscriber wants.
            ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
            for (int i = 0; i < MESSAGES; i++) {
                pipeline.writeBytes(RespClient.encode(RespClient.bytes("PUBLISH", "fan", String.format("m%06d", i))));
                if (i % 4 == 0) pipeline.writeBytes(RespClient.encode("PUBLISH".getBytes(), "bulk".getBytes(), BULK));
            }
            pub.sendRaw(pipeline.toByteArray());
            int bulkDelivered = 0, bulkRefused = 0;
            for (int i = 0; i < MESSAGES; i++) {
                long fanReceivers = (Long) RespClient.decode(pub.readRaw());
                assertTrue(fanReceivers == SUBSCRIBERS || fanReceivers == SUBSCRIBERS + 1, "fan receivers " + fanReceivers);
                if (i % 4 == 0) {
                    long r = (Long) RespClient.decode(pub.readRaw());
                    if (r == 1) {
                        assertEquals(0, bulkRefused, "once cut off, the slow subscriber stays gone");
                        bulkDelivered++;
                    } else {
                        bulkRefused++;
                    }
                }
            }
            // It was cut off, and not before a megabyte was pending for it.
            assertTrue(bulkRefused > 0, "the slow subscriber was disconnected");
            assertTrue(bulkDelivered * (long) BULK.length >= 1 << 20, "cut off only past the limit: " + bulkDelivered);
            assertEquals(List.of("bulk", 0L), pub.call("PUBSUB", "NUMSUB", "bulk"));
            assertTrue(!((String) admin.call("CLIENT", "LIST")).contains("name=slow "));

            reader.join(120_000);
            if (readerFailure.get() != null) throw new AssertionError(readerFailure.get());
            for (int k = 0; k < SUBSCRIBERS; k++) assertEquals(MESSAGES, received[k], "messages of subscriber " + k);

            // The slow subscriber sees the end of its stream after what the kernel had buffered.
            assertTrue(readsToEof(slow), "slow subscriber's connection closed");
            for (SocketChannel f : fans) f.close();
        }
    }

    @Test
    void softLimitAllowsItsSecondsFirst() throws Exception {
        try (LarderTestServer larder = LarderTestServer.start("--client-output-buffer-limit", "pubsub", "0", "256kb", "1");
                RespClient pub = larder.client()) {
            Socket slow = slowSubscriber(larder.port());
            long start = System.nanoTime();
            // 8 MB: more than the kernel buffers, so well above the soft limit from here on.
            ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
            for (int i = 0; i < 128; i++) pipeline.writeBytes(RespClient.encode("PUBLISH".getBytes(), "bulk".getBytes(), BULK));
            pub.sendRaw(pipeline.toByteArray());
            for (int i = 0; i < 128; i++) assertEquals(1L, RespClient.decode(pub.readRaw()), "still subscribed at " + i);
            // Above the soft limit it may stay for a second; each new message checks again.
            long cutAfterMs = -1;
            while (System.nanoTime() - start < 15_000_000_000L) {
                if ((Long) pub.call("PUBLISH", "bulk", "tick") == 0) {
                    cutAfterMs = (System.nanoTime() - start) / 1_000_000;
                    break;
                }
                Thread.sleep(50);
            }
            assertTrue(cutAfterMs >= 1000, "cut off after " + cutAfterMs + " ms, not before the soft limit's second");
            assertTrue(readsToEof(slow));
        }
    }

    /** A subscriber with a tiny receive buffer that never reads after subscribing. */
    private static Socket slowSubscriber(int port) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", port));
        s.getOutputStream().write(RespClient.encode(RespClient.bytes("CLIENT", "SETNAME", "slow")));
        s.getOutputStream().write(RespClient.encode(RespClient.bytes("SUBSCRIBE", "fan", "bulk")));
        byte[] expect = ("+OK\r\n*3\r\n$9\r\nsubscribe\r\n$3\r\nfan\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$4\r\nbulk\r\n:2\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] got = s.getInputStream().readNBytes(expect.length);
        assertEquals(new String(expect, StandardCharsets.ISO_8859_1), new String(got, StandardCharsets.ISO_8859_1));
        return s;
    }

    private static boolean readsToEof(Socket s) throws IOException {
        s.setSoTimeout(30_000);
        InputStream in = s.getInputStream();
        byte[] buf = new byte[1 << 16];
        try {
            while (in.read(buf) >= 0) {
                // discard what was delivered before the cut
            }
            return true;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset");
        } finally {
            s.close();
        }
    }

    private static List<SocketChannel> subscribeAll(int port) throws IOException {
        byte[] cmd = RespClient.encode(RespClient.bytes("SUBSCRIBE", "fan"));
        byte[] ok = "*3\r\n$9\r\nsubscribe\r\n$3\r\nfan\r\n:1\r\n".getBytes(StandardCharsets.ISO_8859_1);
        List<SocketChannel> out = new ArrayList<>();
        for (int k = 0; k < SUBSCRIBERS; k++) {
            SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            ch.write(ByteBuffer.wrap(cmd));
            ByteBuffer b = ByteBuffer.allocate(ok.length);
            while (b.hasRemaining()) {
                if (ch.read(b) < 0) throw new IOException("closed while subscribing");
            }
            assertTrue(Arrays.equals(ok, b.array()), "subscription " + k);
            out.add(ch);
        }
        return out;
    }

    /** Reads every subscriber until each has all messages, checking each one's bytes and order. */
    private static void readAll(List<SocketChannel> fans, int[] received) throws IOException {
        byte[][] expected = new byte[MESSAGES][];
        for (int i = 0; i < MESSAGES; i++) expected[i] = message(i);
        try (Selector sel = Selector.open()) {
            ByteBuffer[] partial = new ByteBuffer[fans.size()];
            for (int k = 0; k < fans.size(); k++) {
                SocketChannel ch = fans.get(k);
                ch.configureBlocking(false);
                ch.register(sel, SelectionKey.OP_READ, k);
                partial[k] = ByteBuffer.allocate(MESSAGE_LENGTH * 64);
            }
            int done = 0;
            long deadline = System.nanoTime() + 110_000_000_000L;
            while (done < fans.size()) {
                if (System.nanoTime() > deadline) throw new AssertionError("timed out with " + done + " complete");
                sel.select(1000);
                for (SelectionKey key : sel.selectedKeys()) {
                    int k = (Integer) key.attachment();
                    ByteBuffer b = partial[k];
                    int n = ((SocketChannel) key.channel()).read(b);
                    if (n < 0) throw new AssertionError("subscriber " + k + " was disconnected");
                    b.flip();
                    while (b.remaining() >= MESSAGE_LENGTH) {
                        byte[] m = new byte[MESSAGE_LENGTH];
                        b.get(m);
                        int i = received[k];
                        if (i >= MESSAGES || !Arrays.equals(expected[i], m)) {
                            throw new AssertionError("subscriber " + k + " message " + i + ": "
                                    + new String(m, StandardCharsets.ISO_8859_1));
                        }
                        if (++received[k] == MESSAGES) done++;
                    }
                    b.compact();
                }
                sel.selectedKeys().clear();
            }
        }
    }
}
