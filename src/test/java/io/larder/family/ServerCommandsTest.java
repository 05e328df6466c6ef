package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.command.CommandSpec;
import io.larder.testing.DifferentialTestBase;
import org.junit.jupiter.api.Test;

class ServerCommandsTest extends DifferentialTestBase {

    @Test
    void commandInfoAndDocsMatchRedisForEveryImplementedCommand() {
        int n = 0;
        for (CommandSpec c : larder.server().commands().all()) {
            if (c.isContainer()) continue; // containers list only Larder's implemented subcommands
            d.check("COMMAND", "INFO", c.fullName);
            d.check("COMMAND", "DOCS", c.fullName);
            n++;
        }
        d.resp3();
        for (CommandSpec c : larder.server().commands().all()) {
            if (c.isContainer()) continue;
            d.check("COMMAND", "INFO", c.fullName);
            d.check("COMMAND", "DOCS", c.fullName);
        }
        assertTrue(n > 5);
    }

    @Test
    void commandSubcommands() {
        d.script("""
                COMMAND HELP
                COMMAND INFO nosuchcommand get
                COMMAND DOCS nosuchcommand
                COMMAND GETKEYS set a b
                COMMAND GETKEYS get
                COMMAND GETKEYS ping
                COMMAND GETKEYS nosuch a
                COMMAND FOO
                COMMAND LIST FILTERBY BAD x
                """);
    }

    @Test
    void dbsizeAndFlush() {
        d.script("""
                DBSIZE
                SET a 1
                SET b 2
                DBSIZE
                FLUSHDB
                DBSIZE
                SET a 1
                FLUSHALL ASYNC
                DBSIZE
                FLUSHALL BAD
                FLUSHDB SYNC extra
                """);
    }
}
