package io.larder.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Function libraries travel in RDB files (FUNCTION2 opcodes): a library
 * Redis saved is callable in Larder after loading the file, Larder's
 * libraries are in its file and Redis calls them after loading it, a
 * DEBUG RELOAD replaces the libraries with the file's, and without a
 * function engine a file holding functions is refused rather than loaded
 * without them.
 */
class FunctionsPersistenceTest {
    @TempDir
    Path tmp;

    static final String LIB = "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return 42 end)";
    static final String LIB2 = "#!lua name=lib2\nredis.register_function('f2', function(keys, args) return 'two' end)";

    @Test
    void librariesTravelBothWays() throws Exception {
        Path rdir = Files.createDirectories(tmp.resolve("redis"));
        Path ldir = Files.createDirectories(tmp.resolve("larder"));
        try (RedisOracle redis = RedisOracle.start("--dir", rdir.toString()); RespClient rc = redis.client()) {
            assertEquals("mylib", rc.call("FUNCTION", "LOAD", LIB));
            rc.call("SET", "k", "v");
            assertEquals("OK", rc.call("SAVE"));
        }
        Files.copy(rdir.resolve("dump.rdb"), ldir.resolve("dump.rdb"));
        try (LarderTestServer l = LarderTestServer.start("--dir", ldir.toString(), "--enable-debug-command", "yes");
                RespClient c = l.client()) {
            RdbInterchangeTest.awaitLoaded(c);
            assertEquals(42L, c.call("FCALL", "myfunc", "0"));
            assertEquals("v", c.call("GET", "k"));
            assertEquals("lib2", c.call("FUNCTION", "LOAD", LIB2));
            assertEquals("OK", c.call("SAVE"));
            // A reload replaces the libraries with the file's: one loaded after the save is gone.
            assertEquals("OK", c.call("FUNCTION", "DELETE", "mylib"));
            c.call("FUNCTION", "LOAD", "#!lua name=lib3\nredis.register_function('f3', function() return 3 end)");
            assertEquals("OK", c.call("DEBUG", "RELOAD", "NOSAVE"));
            assertEquals(42L, c.call("FCALL", "myfunc", "0"));
            assertEquals("two", c.call("FCALL", "f2", "0"));
            Object gone = c.call("FCALL", "f3", "0");
            assertTrue(gone instanceof RespClient.Error e && e.message().equals("ERR Function not found"), String.valueOf(gone));

            // Without an engine the file is refused, not loaded without its functions.
            l.server().persistence().setFunctions(RdbFunctions.NONE);
            Object r = c.call("DEBUG", "RELOAD", "NOSAVE");
            assertTrue(r instanceof RespClient.Error e && e.message().equals("ERR Error trying to load the RDB dump"),
                    String.valueOf(r));
        }
        Path back = Files.createDirectories(tmp.resolve("back"));
        Files.copy(ldir.resolve("dump.rdb"), back.resolve("dump.rdb"));
        try (RedisOracle redis = RedisOracle.start("--dir", back.toString()); RespClient rc = redis.client()) {
            assertEquals(42L, rc.call("FCALL", "myfunc", "0"));
            assertEquals("two", rc.call("FCALL", "f2", "0"));
            assertEquals("v", rc.call("GET", "k"));
            assertEquals(List.of("lib2", "mylib"),
                    ((List<?>) rc.call("FUNCTION", "LIST")).stream().map(x -> (String) ((List<?>) x).get(1)).sorted().toList());
        }
    }
}
