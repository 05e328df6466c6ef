package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.larder.testing.Diff;
import io.larder.testing.KeyEvents;
import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares what a command does besides its reply: the keyspace events it
 * emits (on both servers read from a PSUBSCRIBE to __keyevent@*__:*, so
 * Larder's notifications are checked all the way to a subscriber) and its
 * dirty count (Redis's rdb_changes_since_last_save delta; Larder's command
 * context). Both servers must run with notify-keyspace-events "EAnm".
 */
final class SideEffects implements AutoCloseable {
    static final String[] OPTIONS = {"--notify-keyspace-events", "EAnm"};

    private final Diff d;
    private final RespClient redisInfo;
    private final KeyEvents redisEvents;
    private final KeyEvents larderEvents;
    private volatile long larderDirty;
    private volatile long larderCommands;

    SideEffects(LarderTestServer larder, RedisOracle redis, Diff d) {
        this.d = d;
        larder.server().addAfterCommand((c, client, args, cmd, us) -> {
            larderDirty += c.dirtyCount();
            larderCommands++;
        });
        redisInfo = redis.client();
        redisEvents = new KeyEvents(redis.port());
        larderEvents = new KeyEvents(larder.port());
    }

    private long redisDirty() {
        String info = (String) redisInfo.call("INFO", "persistence");
        for (String line : info.split("\r\n")) {
            if (line.startsWith("rdb_changes_since_last_save:")) return Long.parseLong(line.substring(28));
        }
        throw new AssertionError("no rdb_changes_since_last_save");
    }

    /** Forgets events of set-up steps done outside {@link #check}. */
    void sync() {
        redisEvents.drain();
        larderEvents.drain();
    }

    /** Runs a command on both servers; replies, events and dirty counts must agree. */
    Object check(String... cmd) {
        return check(null, cmd);
    }

    /**
     * Like {@link #check}, but the decoded replies are compared after
     * {@code normalize} (element order, time-dependent values); null
     * compares the raw bytes.
     */
    Object check(java.util.function.UnaryOperator<Object> normalize, String... cmd) {
        long rd = redisDirty();
        long ld = larderDirty;
        long lc = larderCommands;
        Object reply;
        if (normalize == null) {
            reply = d.check(cmd);
        } else {
            Object l = d.larder().call(cmd), r = d.redis().call(cmd);
            assertEquals(String.valueOf(normalize.apply(r)), String.valueOf(normalize.apply(l)),
                    "normalized reply of " + String.join(" ", cmd));
            reply = l;
        }
        List<String> redisSeen = redisEvents.drain();
        // The after-command hook runs after the reply is written: wait for it.
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (larderCommands == lc && System.nanoTime() < deadline) Thread.onSpinWait();
        List<String> larderSeen = larderEvents.drain();
        String what = String.join(" ", cmd);
        assertEquals(redisSeen, larderSeen, "keyspace events of " + what);
        assertEquals(redisDirty() - rd, larderDirty - ld, "dirty count of " + what);
        return reply;
    }

    void script(String text) {
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            check(io.larder.protocol.RequestParser.splitLine(line).toArray(new String[0]));
        }
    }

    @Override
    public void close() {
        redisInfo.close();
        redisEvents.close();
        larderEvents.close();
    }
}
