package io.larder.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * A subscriber to a server's keyevent notifications (PSUBSCRIBE
 * __keyevent@*__:*), read up to a sentinel message it publishes itself, so a
 * test gets exactly the events of what it ran since the last read. The same
 * code reads Larder and Redis, so their events compare as delivered to a
 * real subscriber.
 */
public final class KeyEvents implements AutoCloseable {
    private final RespClient control;
    private final RespClient events;
    private int sentinel;

    public KeyEvents(int port) {
        this(port, "__keyevent@*__:*");
    }

    /** Subscribed to another pattern; it must match __keyevent@99__:sentinel-N. */
    public KeyEvents(int port, String pattern) {
        control = new RespClient(port);
        events = new RespClient(port);
        events.send("PSUBSCRIBE", pattern);
        events.readRaw();
    }

    /**
     * The events published since the last call, as "db event key": everything
     * the subscriber got before the sentinel published now (a server delivers
     * one subscriber's messages in publishing order).
     */
    public List<String> drain() {
        List<String> out = new ArrayList<>();
        for (String[] m : drainMessages()) {
            String channel = m[0];
            int at = channel.indexOf('@'), end = channel.indexOf("__:");
            out.add(channel.substring(at + 1, end) + " " + channel.substring(end + 3) + " " + m[1]);
        }
        return out;
    }

    /** The messages published since the last call, as {channel, message}. */
    public List<String[]> drainMessages() {
        String mark = "sentinel-" + (sentinel++);
        control.call("PUBLISH", "__keyevent@99__:" + mark, mark);
        List<String[]> out = new ArrayList<>();
        while (true) {
            @SuppressWarnings("unchecked")
            List<Object> m = (List<Object>) RespClient.decode(events.readRaw());
            String channel = (String) m.get(2);
            String message = (String) m.get(3);
            if (message.equals(mark)) return out;
            out.add(new String[] {channel, message});
        }
    }

    /** A client for commands on the same server (INFO, CONFIG ...). */
    public RespClient control() {
        return control;
    }

    @Override
    public void close() {
        control.close();
        events.close();
    }
}
