package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.larder.testing.DifferentialTestBase;
import io.larder.testing.RespClient;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis 7 functions compared with Redis: FUNCTION LOAD and its errors,
 * FCALL/FCALL_RO, LIST, STATS, DELETE, FLUSH, DUMP and RESTORE (payloads
 * moved between Redis and Larder in both directions).
 */
class FunctionCommandsTest extends DifferentialTestBase {
    private static final String LIB = "#!lua name=mylib\n"
            + "redis.register_function('echo', function(keys, args) return args[1] end)\n"
            + "redis.register_function{function_name='nkeys', callback=function(keys, args) return #keys end, "
            + "flags={'no-writes'}, description='counts keys'}\n"
            + "redis.register_function('setit', function(keys, args) return redis.call('set', keys[1], args[1]) end)\n";

    @BeforeEach
    void flushFunctions() {
        d.exec("FUNCTION", "FLUSH");
    }

    @Test
    void loadAndCall() {
        d.check("FUNCTION", "LOAD", LIB);
        d.check("FUNCTION", "LOAD", LIB);
        d.check("FUNCTION", "LOAD", "REPLACE", LIB);
        d.script("""
                FCALL echo 0 hello
                FCALL ECHO 0 hello
                FCALL nkeys 2 a b c
                FCALL setit 1 k v
                GET k
                FCALL_RO nkeys 1 a
                FCALL_RO setit 1 k v
                FCALL_RO echo 0 x
                FCALL nosuch 0
                FCALL echo x
                FCALL echo 2 a
                FCALL echo -1
                FCALL nosuch x
                FCALL
                FCALL echo
                """);
    }

    @Test
    void loadErrors() {
        String[] codes = {
            "#!lua name=lib2\nlocal x = string.rep('a', 2)\nredis.register_function('f2', function() return 1 end)",
            "#!lua name=lib3\nredis.call('set','x','y')",
            "#!lua name=lib3\nerror('boom')",
            "#!lua name=lib3\nlocal a = nil; a.b = 1",
            "#!lua name=lib3\nredis.register_function('f 3', function() end)",
            "#!lua name=lib3\nredis.register_function('f3', function() end) redis.register_function('f3', function() end)",
            "#!lua name=lib3\n",
            "#!lua name=lib3",
            "#!lua name=lib-3\nredis.register_function('f3', function() end)",
            "#!js name=lib3\nredis.register_function('f3', function() end)",
            "#!LUA name=lib4\nredis.register_function('f4', function() end)",
            "#!lua\nredis.register_function('f3', function() end)",
            "#!lua name=a name=b\n",
            "#!lua foo=bar\n",
            "#!lua NAME=lib5\nredis.register_function('f5', function() return 5 end)",
            "lua name=lib3\n",
            "#!lua name=lib3\nreturn +",
            "#!lua name=lib3\nredis.register_function('f3', function() end, 1)",
            "#!lua name=lib3\nredis.register_function('f3')",
            "#!lua name=lib3\nredis.register_function('f3', 'notafunction')",
            "#!lua name=lib3\nredis.register_function(1, function() end)",
            "#!lua name=lib3\nredis.register_function()",
            "#!lua name=lib3\nredis.register_function({function_name='f3', callback=function() end, flags={'foo'}})",
            "#!lua name=lib3\nredis.register_function{function_name='f3', callback=function() end, bar=1}",
            "#!lua name=lib3\nredis.register_function{callback=function() end}",
            "#!lua name=lib3\nredis.register_function{function_name='f3'}",
            "#!lua name=lib3\nredis.register_function{function_name='f3', callback=1}",
            "#!lua name=lib3\nredis.register_function{function_name='f3', callback=function() end, flags=1}",
            "#!lua name=lib3\nredis.register_function{function_name='f3', callback=function() end, description=1}",
            "#!lua name=lib3\nredis.log(redis.LOG_NOTICE, 'loading') redis.register_function('f6', function() return redis.REDIS_VERSION end)",
            "#!lua name=lib3\nredis.setresp(3)",
            "#!lua name=lib3\nx = 1",
            "#!lua name=lib7\nredis.register_function('echo2', function() return 1 end)",
            "#!lua name=lib8\nredis.register_function('ECHO2', function() return 1 end)",
        };
        for (String code : codes) d.check("FUNCTION", "LOAD", code);
        d.script("""
                FCALL f5 0
                FCALL f6 0
                FUNCTION LOAD
                FUNCTION LOAD REPLACE
                FUNCTION LOAD FOO "#!lua name=x\\nredis.register_function('x', function() end)"
                FUNCTION LOAD REPLACE REPLACE "#!lua name=x\\nredis.register_function('x', function() end)"
                """);
    }

    @Test
    void loadTimesOut() {
        d.check("FUNCTION", "LOAD", "#!lua name=slow\nwhile true do end");
        // The timed-out load left no hook behind: the next load runs.
        d.check("FUNCTION", "LOAD", "#!lua name=fine\nlocal n = 0 for i = 1, 300000 do n = n + 1 end "
                + "redis.register_function('f', function() return n end)");
        d.check("FCALL", "f", "0");
        d.check("FUNCTION", "LIST", "LIBRARYNAME", "slow");
    }

    @Test
    void functionsSeeTheFullApiAtRunTime() {
        d.check("FUNCTION", "LOAD", "#!lua name=full\n"
                + "local function helper(x) return string.rep(x, 2) end\n"
                + "redis.register_function('f', function(keys, args) return {helper(args[1]), cjson.encode({1}), "
                + "type(KEYS), type(redis.register_function), redis.call('ping')} end)\n"
                + "redis.register_function('g', function(keys, args) x = 1 end)\n"
                + "redis.register_function('h', function(keys, args) error('boom') end)\n"
                + "redis.register_function('i', function(keys, args) return redis.call('nosuch') end)\n");
        d.script("""
                FCALL f 0 ab
                FCALL g 0
                FCALL h 0
                FCALL i 0
                """);
    }

    /** One function with a description and flags: Redis lists a library's functions in hash order. */
    private static final String LISTED = "#!lua name=mylib\n"
            + "redis.register_function{function_name='nkeys', callback=function(keys, args) return #keys end, "
            + "flags={'no-writes', 'allow-oom'}, description='counts keys'}\n";

    @Test
    void listStatsDeleteFlush() {
        d.check("FUNCTION", "LOAD", LISTED);
        d.script("""
                FUNCTION LIST
                FUNCTION LIST WITHCODE
                FUNCTION LIST LIBRARYNAME my*
                FUNCTION LIST LIBRARYNAME MY*
                FUNCTION LIST LIBRARYNAME x*
                FUNCTION LIST WITHCODE LIBRARYNAME mylib
                FUNCTION LIST LIBRARYNAME
                FUNCTION LIST WITHCODE WITHCODE
                FUNCTION LIST foo
                FUNCTION STATS
                FUNCTION DELETE nosuch
                FUNCTION DELETE MYLIB
                FUNCTION DELETE mylib
                FUNCTION DELETE mylib
                FUNCTION LIST
                FUNCTION STATS
                FCALL nkeys 0
                FUNCTION FLUSH foo
                FUNCTION FLUSH ASYNC
                FUNCTION FLUSH SYNC
                FUNCTION FLUSH SYNC ASYNC
                FUNCTION KILL
                FUNCTION HELP
                FUNCTION NOSUCH
                """);
        d.resp3();
        d.check("FUNCTION", "LOAD", LISTED);
        d.check("FUNCTION", "LIST");
        d.check("FUNCTION", "STATS");
    }

    @Test
    void dumpMatchesRedisAndRestoresEitherWay() {
        d.check("FUNCTION", "LOAD", LIB);
        byte[] larderDump = dump(d.larder());
        byte[] redisDump = dump(d.redis());
        assertArrayEquals(redisDump, larderDump);
        // A payload made by Redis restores in Larder, and the reverse.
        for (String policy : new String[] {"APPEND", "REPLACE", "FLUSH"}) {
            d.check(cmd("FUNCTION", "RESTORE", redisDump, policy));
        }
        d.check("FUNCTION", "FLUSH");
        d.check(cmd("FUNCTION", "RESTORE", larderDump));
        d.check("FCALL", "echo", "0", "restored");
        d.check(cmd("FUNCTION", "RESTORE", larderDump, "nosuch"));
        d.check("FUNCTION", "RESTORE", "garbage");
        d.check("FUNCTION", "RESTORE", "");
        byte[] corrupt = larderDump.clone();
        corrupt[3] ^= 1;
        d.check(cmd("FUNCTION", "RESTORE", corrupt));
        d.check(cmd("FUNCTION", "RESTORE", larderDump, "APPEND", "extra"));
        // Two libraries, one of them already loaded under another library's function name.
        d.check("FUNCTION", "LOAD", "#!lua name=other\nredis.register_function('other', function() return 2 end)");
        byte[] two = dump(d.redis());
        d.check("FUNCTION", "DELETE", "mylib");
        d.check("FUNCTION", "LOAD", "#!lua name=clash\nredis.register_function('echo', function() return 3 end)");
        d.check(cmd("FUNCTION", "RESTORE", two, "REPLACE"));
        d.check(cmd("FUNCTION", "RESTORE", two));
        d.check(cmd("FUNCTION", "RESTORE", two, "FLUSH"));
        d.check("FCALL", "echo", "0", "after flush");
        d.check("FUNCTION", "LIST", "LIBRARYNAME", "clash");
        // A dump of a short library (stored without compression) and of none.
        d.check("FUNCTION", "FLUSH");
        assertArrayEquals(dump(d.redis()), dump(d.larder()));
        d.check("FUNCTION", "LOAD", "#!lua name=s\nredis.register_function('s', function() end)");
        assertArrayEquals(dump(d.redis()), dump(d.larder()));
    }

    private static byte[] dump(RespClient c) {
        byte[] raw = c.callRaw("FUNCTION", "DUMP");
        Object v = RespClient.decode(raw);
        return ((String) v).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A command of strings and byte arrays. */
    private static byte[][] cmd(Object... parts) {
        byte[][] out = new byte[parts.length][];
        for (int i = 0; i < parts.length; i++) {
            out[i] = parts[i] instanceof byte[] b ? b : ((String) parts[i]).getBytes(StandardCharsets.ISO_8859_1);
        }
        return out;
    }

    @Test
    void functionsInsideMulti() {
        d.check("FUNCTION", "LOAD", LIB);
        d.script("""
                MULTI
                FCALL setit 1 k v
                FCALL echo 0 x
                FCALL nosuch 0
                FUNCTION LIST LIBRARYNAME nothing
                EXEC
                GET k
                """);
    }

    @Test
    void infoCountsFunctions() {
        d.check("FUNCTION", "LOAD", LIB);
        for (RespClient c : new RespClient[] {d.larder(), d.redis()}) {
            String info = (String) c.call("INFO", "memory");
            assertEquals(true, info.contains("number_of_functions:3\r\n"), info);
            assertEquals(true, info.contains("number_of_libraries:1\r\n"), info);
        }
    }
}
