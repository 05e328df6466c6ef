package io.larder.family;

import io.larder.testing.DifferentialTestBase;
import org.junit.jupiter.api.Test;

class StringCommandsTest extends DifferentialTestBase {

    @Test
    void getAndSetOptions() {
        d.script("""
                GET missing
                SET a 1
                GET a
                SET a 2 NX
                SET a 3 XX
                GET a
                SET b 1 XX
                SET b 1 NX
                SET b 2 NX GET
                SET b 3 XX GET
                SET c 1 GET
                SET a 1 EX 100
                SET a 1 PX 100000 KEEPTTL
                SET a 1 KEEPTTL
                SET a 1 EX 0
                SET a 1 EX -5
                SET a 1 EX abc
                SET a 1 PX 9223372036854775807
                SET a 1 EX 9223372036854775
                SET a 1 EXAT 1
                GET a
                SET a 1 NX XX
                SET a 1 FOO
                SET a 1 EX
                SET a 1 EX 10 PX 10
                SET a
                GET a b
                """);
    }

    @Test
    void setGetOnWrongTypeFailsBeforeChanging() {
        // Needs a non-string type; covered with the collection families.
        d.script("""
                SET s hello
                SET s world GET
                GET s
                """);
    }

    @Test
    void resp3Replies() {
        d.resp3();
        d.script("""
                GET nothing
                SET k v
                GET k
                SET k v2 GET
                """);
    }
}
