package io.larder.family;

import io.larder.testing.DifferentialTestBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * OBJECT ENCODING of sorted sets follows Redis's: "listpack" while small,
 * "skiplist" from the moment Redis converts (never back, except for the
 * results of store commands), around both limits and after CONFIG SET.
 * OBJECT ENCODING is compared after every step of each script.
 */
class SortedSetEncodingTest extends DifferentialTestBase {

    private void config(String name, String value) {
        d.check("CONFIG", "SET", name, value);
    }

    @AfterEach
    void restoreLimits() {
        config("zset-max-listpack-entries", "128");
        config("zset-max-listpack-value", "64");
    }

    /** Runs each command on both servers (replies compared) and then compares the key's encoding. */
    private void steps(String key, String script) {
        for (String line : script.strip().split("\n")) {
            line = line.strip();
            if (line.isEmpty()) continue;
            d.script(line);
            try {
                d.check("OBJECT", "ENCODING", key);
            } catch (AssertionError e) {
                throw new AssertionError("after: " + line + "\n" + e.getMessage(), e);
            }
        }
    }

    @Test
    void entriesLimit() {
        config("zset-max-listpack-entries", "4");
        steps("z", """
                ZADD z 1 a 2 b 3 c
                ZADD z 4 d
                ZADD z 5 d
                ZADD z XX 5 e
                ZADD z 5 e
                ZREM z a b c d
                ZADD z 1 a
                """);
        // Creation looks at the first member only; a batch converts while it is added.
        config("zset-max-listpack-entries", "2");
        steps("w", """
                ZADD w 1 a 1 a 1 a
                ZADD w 1 b 2 b
                ZADD w 1 c
                """);
        steps("v", """
                ZADD v 1 a 2 b 3 c
                """);
        config("zset-max-listpack-entries", "0");
        steps("u", """
                ZADD u 1 a
                ZINCRBY u2 1 a
                """);
        steps("u2", "ZINCRBY u2 1 b");
    }

    @Test
    void valueLimit() {
        config("zset-max-listpack-value", "8");
        steps("z", """
                ZADD z 1 12345678
                ZADD z 2 123456789
                """);
        steps("y", """
                ZADD y 1 123456789 2 a
                """);
        steps("x", """
                ZADD x 1 a 2 123456789
                """);
        steps("w", """
                ZINCRBY w 1 a
                ZINCRBY w 1 123456789
                """);
    }

    @Test
    void configSetAppliesToLaterAdditionsOnly() {
        steps("z", "ZADD z 1 a 2 b 3 c");
        config("zset-max-listpack-entries", "2");
        steps("z", """
                ZADD z 4 a
                ZREM z a
                ZADD z 1 d
                """);
        config("zset-max-listpack-entries", "128");
        steps("z", """
                ZREM z b c
                ZADD z 1 e
                """);
    }

    @Test
    void storeCommandsBuildSmallResultsAsListpacks() {
        config("zset-max-listpack-entries", "3");
        d.script("""
                ZADD big 1 a 2 b 3 c 4 d 5 e
                ZADD small 1 a 2 b
                ZADD long 1 a-member-longer-than-sixty-four-bytes-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
                """);
        steps("d", """
                ZUNIONSTORE d 1 big
                ZINTERSTORE d 2 big small
                ZDIFFSTORE d 2 big small
                ZUNIONSTORE d 2 small long
                ZRANGESTORE d big 0 1
                ZRANGESTORE d big 0 3
                ZRANGESTORE d big 0 2
                ZRANGESTORE d big 1 4 BYSCORE
                ZRANGESTORE d big 1 3 BYSCORE
                ZRANGESTORE d big [a [c BYLEX
                ZRANGESTORE d long 0 -1
                ZRANGESTORE d big 0 100 BYSCORE LIMIT 1 2
                ZUNIONSTORE d 1 nosuch
                """);
        config("zset-max-listpack-entries", "0");
        steps("d", """
                ZUNIONSTORE d 1 small
                ZRANGESTORE d small 0 -1
                ZRANGESTORE d small 0 -1 BYSCORE
                """);
    }

    @Test
    void popsAndRemovalsNeverConvertBack() {
        config("zset-max-listpack-entries", "3");
        steps("z", """
                ZADD z 1 a 2 b 3 c 4 d
                ZPOPMIN z 2
                ZREMRANGEBYRANK z 0 0
                ZMPOP 1 z MAX
                ZADD z 1 x
                """);
    }
}
