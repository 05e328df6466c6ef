package io.larder.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.LarderTestServer;
import io.larder.testing.RespClient;
import org.junit.jupiter.api.Test;

/**
 * A command asked to produce a practically endless reply (Redis would stream
 * it until memory runs out) is stopped at the output limit: its client is
 * disconnected and everybody else keeps being served.
 */
class RunawayReplyTest {

    @Test
    void endlessReplyDisconnectsOnlyItsClient() {
        try (LarderTestServer s = LarderTestServer.start("--client-output-buffer-limit", "normal 16mb 0 0");
             RespClient greedy = s.client(); RespClient other = s.client()) {
            assertEquals(1L, greedy.call("SADD", "set", "a"));
            greedy.send("SRANDMEMBER", "set", "-4611686018427387903");
            assertTrue(greedy.isClosedByServer(30_000), "the runaway client should be disconnected");
            assertEquals("PONG", other.call("PING"));
            assertEquals(1L, other.call("SCARD", "set"));
        }
    }
}
