package io.larder.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A raw RESP client for tests: sends commands (or arbitrary bytes) and reads
 * replies as the exact bytes the server sent, so tests can compare two
 * servers byte for byte, and as decoded values for assertions.
 */
public final class RespClient implements Closeable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RespClient(int port) {
        this("127.0.0.1", port);
    }

    public RespClient(String host, int port) {
        try {
            socket = new Socket();
            socket.connect(new InetSocketAddress(host, port), 5000);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(15_000);
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server's port: tests open more connections to the same server with it. */
    public int port() {
        return socket.getPort();
    }

    public void setTimeout(int ms) {
        try {
            socket.setSoTimeout(ms);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] encode(byte[]... args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : args) {
            b.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(a);
            b.writeBytes(new byte[] {'\r', '\n'});
        }
        return b.toByteArray();
    }

    public static byte[][] bytes(String... args) {
        byte[][] r = new byte[args.length][];
        for (int i = 0; i < args.length; i++) r[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        return r;
    }

    public void send(byte[]... args) {
        sendRaw(encode(args));
    }

    public void send(String... args) {
        send(bytes(args));
    }

    public void sendRaw(byte[] data) {
        try {
            out.write(data);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void sendRaw(String data) {
        sendRaw(data.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends a command and returns the raw bytes of its reply. */
    public byte[] callRaw(String... args) {
        send(args);
        return readRaw();
    }

    public byte[] callRaw(byte[]... args) {
        send(args);
        return readRaw();
    }

    /** Sends a command and returns the decoded reply (see {@link #decode}). */
    public Object call(String... args) {
        return decode(callRaw(args));
    }

    /** The reply as a String (bulk/simple), Long, List, Map or Error; null for nil. */
    public String callString(String... args) {
        Object o = call(args);
        if (o instanceof Error e) throw new AssertionError("error reply: " + e.message());
        return (String) o;
    }

    public long callLong(String... args) {
        Object o = call(args);
        if (!(o instanceof Long l)) throw new AssertionError("not an integer reply: " + o);
        return l;
    }

    /** Reads one complete reply, returning its exact bytes. */
    public byte[] readRaw() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            readValue(b);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("timed out waiting for a reply (got so far: "
                    + new String(b.toByteArray(), StandardCharsets.ISO_8859_1) + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    /** True if the server closed the connection (reads EOF within the timeout). */
    public boolean isClosedByServer(int timeoutMs) {
        try {
            socket.setSoTimeout(timeoutMs);
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private String readLine(ByteArrayOutputStream copy) throws IOException {
        StringBuilder s = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c == -1) throw new IOException("connection closed by server");
            copy.write(c);
            if (c == '\r') {
                int n = in.read();
                if (n == -1) throw new IOException("connection closed by server");
                copy.write(n);
                if (n == '\n') return s.toString();
                s.append('\r').append((char) n);
                continue;
            }
            s.append((char) c);
        }
    }

    private void readValue(ByteArrayOutputStream b) throws IOException {
        int type = in.read();
        if (type == -1) throw new IOException("connection closed by server");
        b.write(type);
        String line = readLine(b);
        switch (type) {
            case '+', '-', ':', '_', '#', ',', '(' -> { }
            case '$', '=', '!' -> {
                int n = Integer.parseInt(line);
                if (n >= 0) {
                    byte[] data = in.readNBytes(n + 2);
                    if (data.length < n + 2) throw new IOException("connection closed by server");
                    b.writeBytes(data);
                }
            }
            case '*', '~', '>' -> {
                int n = Integer.parseInt(line);
                for (int i = 0; i < n; i++) readValue(b);
            }
            case '%', '|' -> {
                int n = Integer.parseInt(line);
                for (int i = 0; i < 2 * n; i++) readValue(b);
                if (type == '|') readValue(b); // an attribute precedes the real reply
            }
            default -> throw new IOException("unexpected RESP type byte '" + (char) type + "' line=" + line);
        }
    }

    /** An error reply. */
    public record Error(String message) {}

    /** A RESP3 map, kept as alternating keys and values. */
    public record RespMap(List<Object> entries) {}

    /** A RESP3 set. */
    public record RespSet(List<Object> items) {}

    /** A RESP3 double. */
    public record RespDouble(String text) {}

    /** A RESP3 push message. */
    public record Push(List<Object> items) {}

    /** Decodes a raw reply: bulk/simple → String (Latin-1), integer → Long, arrays → List, nil → null. */
    public static Object decode(byte[] raw) {
        int[] pos = {0};
        return decodeAt(raw, pos);
    }

    private static String line(byte[] raw, int[] pos) {
        int start = pos[0];
        int i = start;
        while (!(raw[i] == '\r' && raw[i + 1] == '\n')) i++;
        pos[0] = i + 2;
        return new String(raw, start, i - start, StandardCharsets.ISO_8859_1);
    }

    private static Object decodeAt(byte[] raw, int[] pos) {
        char t = (char) raw[pos[0]++];
        String l = line(raw, pos);
        switch (t) {
            case '+':
                return l;
            case '-':
                return new Error(l);
            case ':':
                return Long.parseLong(l);
            case '_':
                return null;
            case '#':
                return l.equals("t");
            case ',':
                return new RespDouble(l);
            case '(':
                return new java.math.BigInteger(l);
            case '$':
            case '=':
            case '!': {
                int n = Integer.parseInt(l);
                if (n < 0) return null;
                String s = new String(raw, pos[0], n, StandardCharsets.ISO_8859_1);
                pos[0] += n + 2;
                return t == '!' ? new Error(s) : s;
            }
            case '*':
            case '~':
            case '>': {
                int n = Integer.parseInt(l);
                if (n < 0) return null;
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < n; i++) items.add(decodeAt(raw, pos));
                if (t == '~') return new RespSet(items);
                if (t == '>') return new Push(items);
                return items;
            }
            case '%': {
                int n = Integer.parseInt(l);
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < 2 * n; i++) items.add(decodeAt(raw, pos));
                return new RespMap(items);
            }
            default:
                throw new IllegalArgumentException("bad reply type " + t);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test socket: nothing to do
        }
    }
}
