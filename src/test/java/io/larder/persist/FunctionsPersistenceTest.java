package io.larder.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.LarderTestServer;
import io.larder.testing.RedisOracle;
import io.larder.testing.RespClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Function libraries travel in RDB files (FUNCTION2 opcodes) through the
 * {@link RdbFunctions} hook scripting registers: a library Redis saved
 * reaches the hook when Larder loads the file, the hook's libraries are
 * in Larder's file and Redis loads them, and without a function engine a
 * file holding functions is refused rather than loaded without them.
 */
class FunctionsPersistenceTest {
    @TempDir
    Path tmp;

    static final String LIB = "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return 42 end)";

    /** A stand-in for the function engine: keeps the code it is given. */
    static final class Recorder implements RdbFunctions {
        final List<String> loaded = new ArrayList<>();
        final List<byte[]> saved = new ArrayList<>();

        @Override
        public List<byte[]> codes() {
            return saved;
        }

        @Override
        public void load(byte[] code, boolean replace) {
            loaded.add(new String(code, StandardCharsets.ISO_8859_1));
        }

        @Override
        public void clear() {
            loaded.clear();
        }
    }

    @Test
    void librariesTravelBothWays() throws Exception {
        Path rdir = Files.createDirectories(tmp.resolve("redis"));
        Path ldir = Files.createDirectories(tmp.resolve("larder"));
        try (RedisOracle redis = RedisOracle.start("--dir", rdir.toString()); RespClient rc = redis.client()) {
            assertEquals("mylib", rc.call("FUNCTION", "LOAD", LIB));
            rc.call("SET", "k", "v");
            assertEquals("OK", rc.call("SAVE"));
        }
        try (LarderTestServer l = LarderTestServer.start("--dir", ldir.toString(), "--enable-debug-command", "yes");
                RespClient c = l.client()) {
            // Without an engine the file is refused, not loaded without its functions.
            Files.copy(rdir.resolve("dump.rdb"), ldir.resolve("dump.rdb"));
            Object r = c.call("DEBUG", "RELOAD", "NOSAVE");
            assertTrue(r instanceof RespClient.Error e && e.message().equals("ERR Error trying to load the RDB dump"),
                    String.valueOf(r));
            Recorder rec = new Recorder();
            l.server().persistence().setFunctions(rec);
            assertEquals("OK", c.call("DEBUG", "RELOAD", "NOSAVE"));
            assertEquals(List.of(LIB), rec.loaded);
            assertEquals("v", c.call("GET", "k"));
            // and back: the engine's libraries are saved with the data
            rec.saved.add(LIB.getBytes(StandardCharsets.ISO_8859_1));
            assertEquals("OK", c.call("SAVE"));
        }
        Path back = Files.createDirectories(tmp.resolve("back"));
        Files.copy(ldir.resolve("dump.rdb"), back.resolve("dump.rdb"));
        try (RedisOracle redis = RedisOracle.start("--dir", back.toString()); RespClient rc = redis.client()) {
            assertEquals(42L, rc.call("FCALL", "myfunc", "0"));
            assertEquals("v", rc.call("GET", "k"));
        }
    }
}
