package io.larder.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.LarderTestServer;
import io.larder.testing.RespClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Evicted keys reach the AOF as DEL (UNLINK with lazyfree-lazy-eviction), as
 * Redis's performEvictions propagates them: every key INFO counts as evicted
 * has its deletion in the file, and a restart from the AOF has none of them.
 */
class AofEvictionTest {
    @Test
    void evictedKeysArePropagated() throws Exception {
        for (boolean lazy : new boolean[] {false, true}) {
            List<String> deleted = new ArrayList<>();
            long evicted;
            Path dir;
            try (LarderTestServer l = LarderTestServer.start("--appendonly", "yes", "--appendfsync", "always",
                    "--lazyfree-lazy-eviction", lazy ? "yes" : "no");
                    RespClient c = l.client()) {
                dir = Path.of((String) ((List<?>) c.call("CONFIG", "GET", "dir")).get(1)).resolve("appendonlydir");
                for (int i = 0; i < 2000; i++) c.call("SET", "k:" + i, "x".repeat(100));
                String used = ((String) c.call("INFO", "memory")).lines()
                        .filter(s -> s.startsWith("used_memory:")).findFirst().orElseThrow().substring(12);
                c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
                // A quarter below: client buffers count in used_memory and the cron re-sums them, so a small
                // margin may vanish before the writes below and nothing would be evicted.
                c.call("CONFIG", "SET", "maxmemory", String.valueOf(Long.parseLong(used) * 3 / 4));
                for (int i = 2000; i < 2500; i++) c.call("SET", "k:" + i, "x".repeat(100));
                // No eviction (in the background either) between reading the count and reading the file.
                c.call("CONFIG", "SET", "maxmemory", "0");
                evicted = Long.parseLong(((String) c.call("INFO", "stats")).lines()
                        .filter(s -> s.startsWith("evicted_keys:")).findFirst().orElseThrow().substring(13));
                assertTrue(evicted > 0, "nothing was evicted");
                for (String cmd : AofDiff.commands(AofDiff.lastIncr(dir))) {
                    String[] w = cmd.split(" ");
                    if (w[0].equalsIgnoreCase(lazy ? "UNLINK" : "DEL")) deleted.add(w[1]);
                    assertTrue(!w[0].equalsIgnoreCase(lazy ? "DEL" : "UNLINK"), cmd);
                }
                for (String k : deleted) assertEquals(0L, c.call("EXISTS", k), k);
            }
            assertEquals(evicted, deleted.size(), "one deletion per evicted key");
        }
    }
}
