package io.larder.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.larder.testing.DifferentialTestBase;
import io.larder.testing.RespClient;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * EVAL and friends compared with Redis 7.0 byte for byte: the conversions
 * between Lua and RESP2/RESP3 in both directions, errors and their
 * positions, the sandbox, the libraries (cjson, cmsgpack, bit, struct),
 * script flags, the script cache and scripts inside MULTI.
 */
class ScriptingCommandsTest extends DifferentialTestBase {

    /** EVAL of each script with no keys, replies compared. */
    private void evals(String... scripts) {
        for (String s : scripts) d.check("EVAL", s, "0");
    }

    @Test
    void luaValuesToReplies() {
        evals("return 1", "return -7", "return 3.99", "return -3.99", "return 0/0", "return 1/0", "return -1/0",
                "return 2^63", "return 1e300", "return 'hello'", "return ''", "return true", "return false",
                "return nil", "return", "return {}", "return {1,2,3}", "return {1,2,3,nil,5}", "return {nil,2}",
                "return {1,'a',{2,3},false,true}", "return {{{{{1}}}}}", "return {a=1,b=2}", "return {1,2,a=3}",
                "return {ok='fine'}", "return {ok='multi\\r\\nline'}", "return {err='ERR oops'}",
                "return {err='CUSTOM oops'}", "return {err='nocode'}", "return {double=3.5}",
                "return {double=1/0}", "return {double=0.1}", "return {big_number='123456789012345678901234567890'}",
                "return {map={a=1}}", "return {set={a=true}}", "return {1, {err='ERR inner'}, 3}",
                "return {ok=1}", "return {err=1}", "return redis.status_reply('FOO')",
                "return redis.error_reply('FOO')", "return redis.error_reply('-FOO bar')",
                "return redis.error_reply('FOO\\r\\n')", "return redis.status_reply(1)",
                "return redis.error_reply()", "return function() end", "return coroutine.create(function() end)");
    }

    @Test
    void resp3Replies() {
        d.resp3();
        evals("return {map={a=1,b={1,2}}}", "return {set={a=true,b=true}}", "return {double=3.5}",
                "return {double=0/0}", "return true", "return false", "return nil",
                "return {big_number='12345678901234567890'}", "return {verbatim_string={format='txt',string='hi'}}",
                "return {1, {map={x={set={y=true}}}}}",
                "redis.setresp(3) return true", "redis.setresp(3) return false",
                "redis.setresp(3) return redis.call('config','get','maxmemory')",
                "redis.setresp(3) return redis.call('get','nosuchkey')");
    }

    @Test
    void repliesToLuaValues() {
        d.exec("RPUSH", "list", "a", "b", "c");
        d.exec("SET", "str", "value");
        evals("return redis.call('set','k','v')", "return type(redis.call('set','k','v'))",
                "return redis.call('set','k','v').ok", "return redis.call('get','k')",
                "return redis.call('get','missing')", "return type(redis.call('get','missing'))",
                "return redis.call('exists','k','k')", "return type(redis.call('exists','k'))",
                "return redis.call('lrange','list',0,-1)", "return #redis.call('lrange','list',0,-1)",
                "return redis.call('lrange','missing',0,-1)", "return redis.call('blpop','missing',1)",
                "return type(redis.call('blpop','missing',1))", "return redis.call('ping')",
                "return redis.call('xread','block','100','streams','s','0')",
                "return redis.pcall('XREADGROUP','GROUP','g','c','BLOCK','0','STREAMS','s','>')",
                "return redis.call('xread','count','1','streams','s','0')",
                "return redis.call('echo', 'x\\0y')", "return redis.pcall('lpush','str','x')",
                "return redis.pcall('lpush','str','x').err", "return redis.call('config','get','maxmemory')",
                "redis.setresp(3) return redis.call('config','get','maxmemory')",
                "redis.setresp(3) local r = redis.call('config','get','maxmemory') return r.map.maxmemory",
                "redis.setresp(3) return type(redis.call('get','missing'))",
                "redis.setresp(3) return redis.call('set','k','v')",
                "redis.setresp(2) return redis.call('config','get','maxmemory')");
    }

    @Test
    void argumentsToCommands() {
        evals("return redis.call('set','n',3.14159265358979) and redis.call('get','n')",
                "return redis.call('set','n',0.1) and redis.call('get','n')",
                "return redis.call('set','n',1e100) and redis.call('get','n')",
                "return redis.call('set','n',-0.0) and redis.call('get','n')",
                "return redis.call('set','n',0/0) and redis.call('get','n')",
                "return redis.call('set','n',1/0) and redis.call('get','n')",
                "return redis.call('set','n',123456789012345678) and redis.call('get','n')",
                "return redis.call('set','n',42) and redis.call('get','n')",
                "return redis.call('SET','UPPER','1')", "return redis.call('get', 1.5)",
                "return redis.call()", "return redis.call({})", "return redis.call('get', {})",
                "return redis.call('get', nil)", "return redis.call('get', true)", "return redis.pcall()",
                "return redis.pcall('get', {})", "return redis.call('nosuchcommand')",
                "return redis.call('get')", "return redis.call('get','a','b')", "return redis.call('config')",
                "return redis.call('config','nosuchsub')", "return redis.call('eval','return 1','0')",
                "return redis.call('multi')", "return redis.call('script','load','return 1')",
                "return redis.pcall('nosuchcommand')", "return redis.pcall('get','a','b')");
    }

    @Test
    void keysAndArgv() {
        d.script("""
                EVAL "return KEYS" 3 a b c d e
                EVAL "return ARGV" 1 a b c d e
                EVAL "return {#KEYS, #ARGV}" 0
                EVAL "return {KEYS[1], ARGV[1]}" 1 "k\\0ey" "a\\xffrg"
                EVAL "KEYS[1] = 'x' return KEYS[1]" 1 a
                EVAL "return redis.call('set', KEYS[1], ARGV[1])" 1 mykey myvalue
                GET mykey
                EVAL "return 1" x
                EVAL "return 1" 2 a
                EVAL "return 1" -1
                EVAL "return 1" 9223372036854775808
                EVAL "return 1"
                EVAL
                """);
    }

    @Test
    void errorsAndPositions() {
        evals("return +", "return redis.call('lpush','s','x') + ", "local a; return a.b", "return a", "a = 1",
                "error('x')", "error({err='MYCODE hello'})", "error(nil)", "error(12)", "error('x', 0)",
                "error('x', 2)", "local function f() error('deep') end f()", "local function f() error('up', 2) end f()",
                "return {pcall(function() redis.call('get','x','y') end)}", "return {pcall(function() error('boom') end)}",
                "return {pcall(function() error({err='X'}) end)}", "return {pcall(function() error({foo='X'}) end)}",
                "return {pcall(error)}", "return {pcall(bit.band)}", "return redis.pcall('get','x','y')",
                "return redis.call('lpush','s','x')", "redis.call('set','s','v') return redis.call('lpush','s','x')",
                "redis.call('set','s','v')\nlocal x = 1\nreturn redis.call('lpush','s','x')",
                "local t = {}\nfor i = 1, 3 do\n  t[i] = i\nend\nreturn t.x.y",
                "return string.rep()", "local s = 'x' return s:rep()", "return ('x'):bad()",
                "return bit.band()", "return bit.band('a')", "return bit.tohex()", "return struct.pack()",
                "return struct.unpack('i', 'x')", "return cjson.encode()", "return cjson.decode('{')",
                "return cjson.decode()", "return cjson.encode(function() end)", "return cmsgpack.pack()",
                "return cmsgpack.unpack('\\xc1')", "return cmsgpack.unpack('\\xda')", "return math.random(0)",
                "return math.random(3, 1)", "return math.random(1, 2, 3)", "return redis.log()",
                "return redis.log('x', 'y')", "return redis.log(99, 'y')", "return redis.sha1hex()",
                "return redis.setresp()", "return redis.setresp(4)", "return redis.set_repl()",
                "return redis.set_repl(99)", "return redis.acl_check_cmd()", "return redis.acl_check_cmd('nosuch')",
                "return redis.acl_check_cmd('get', 'x')", "local x = redis.call('get') return x",
                "return tostring(nil) .. nil", "return #nil", "return 1 < 'x'", "local t = setmetatable({}, "
                        + "{__index = function() error('in index') end}) return t.x");
    }

    @Test
    void sandbox() {
        evals("return type(print)", "return type(os)", "return type(io)", "return type(debug)", "return type(require)",
                "return type(loadfile)", "return type(dofile)", "return type(newproxy)", "return type(getfenv)",
                "return type(setfenv)", "return type(module)", "return type(package)", "return _VERSION",
                "rawset(_G, 'x', 1) return 1", "setmetatable(_G, nil) return 1", "return type(getmetatable(_G))",
                "return type(getmetatable(_G).__index)", "return type(getmetatable(string))",
                "return type(getmetatable(''))", "return getmetatable('').__index == string",
                "getmetatable('').__index = {} return 1", "local t = getmetatable('') t.x = 1 return 1",
                "getmetatable('').__index.upper = nil return 1", "KEYS = 1 return 1", "string.foo = 1",
                "string.format = nil", "redis.call = nil", "cjson.encode = 1", "math.pi = 3", "table.insert(_G, 1)",
                "table.insert(string, 1)", "rawset(redis, 'call', 1)", "setmetatable(string, {})",
                "return rawget(_G, 'redis') ~= nil", "return rawget(string, 'format') ~= nil",
                "return rawequal(_G, _G._G)", "function foo() return 1 end return foo()",
                "local n = 0 for k,v in pairs(_G) do n = n + 1 end return n",
                "local n = 0 for k,v in pairs(string) do n = n + 1 end return n",
                "local n = 0 for k,v in pairs(redis) do n = n + 1 end return n",
                "local n = 0 for k,v in pairs(math) do n = n + 1 end return n",
                "local t = {} for k,v in pairs(_G) do t[#t+1]=k end table.sort(t) return t",
                "local t = {} for k,v in pairs(redis) do t[#t+1]=k end table.sort(t) return t",
                "local t = {} for k,v in pairs(cjson) do t[#t+1]=k..'='..type(v) end table.sort(t) return t",
                "local t = {} for k,v in pairs(cmsgpack) do t[#t+1]=k..'='..type(v) end table.sort(t) return t",
                "local t = {} for k,v in pairs(bit) do t[#t+1]=k end table.sort(t) return t",
                "local t = {} for k,v in pairs(struct) do t[#t+1]=k end table.sort(t) return t",
                "local t = {} for k,v in pairs(table) do t[#t+1]=k end table.sort(t) return t",
                "local t = {} for k,v in pairs(coroutine) do t[#t+1]=k end table.sort(t) return t",
                "local t = {} for k,v in next, string do t[#t+1]=k end table.sort(t) return t",
                "local t = {} for i,v in ipairs(KEYS) do t[i]=v end return #t",
                "local f, e = loadstring(string.dump(function() return 1 end)) return e",
                "local f, e = loadstring('return 1 +') return e", "return loadstring('return 7')()",
                "return loadstring('return ...')(5)", "return load(function() return nil end) ~= nil",
                "local f = loadstring('x = 1') return {pcall(f)}", "return pcall(loadstring('return undefined_var'))",
                "return rawget()", "return rawset()", "return next()", "return pairs()", "return ipairs(nil)",
                "return getmetatable()", "return setmetatable()", "return setmetatable({})",
                "return setmetatable({}, 1)", "return table.insert()", "return table.insert({}, 1, 2, 3)",
                "local t = {} table.insert(t, 'a') table.insert(t, 1, 'b') return t",
                "local t = setmetatable({}, {__metatable = 'locked'}) return {getmetatable(t), pcall(setmetatable, t, {})}",
                "local co = coroutine.create(function() return x end) return {coroutine.resume(co)}",
                "local co = coroutine.wrap(function() coroutine.yield(1) return 2 end) return {co(), co()}",
                "return collectgarbage('count') > 0", "return gcinfo() > 0", "return select('#', 1, nil, 3)",
                "return unpack({1,2,3})", "return tonumber('0x10')", "return tonumber('10', 2)",
                "return tostring(1/3)", "return tostring(2^53)", "return tostring(-0.0)", "return tostring(0/0)",
                "return string.format('%5.2f %d %s %q', 3.14159, 42, 'x', 'a\\nb')",
                "return string.format('%g %e %x %o %c', 1e20, 12345.678, 255, 8, 65)",
                "local t={} for i=1,10 do t['k'..i]=i end local s='' for k,v in pairs(t) do s=s..k..',' end return s",
                "return table.concat({1,2,3}, '-')", "local t = {3,1,2} table.sort(t) return t",
                "return {string.find('hello world', 'o w')}", "return {string.match('key:123', '(%a+):(%d+)')}",
                "return string.gsub('hello', 'l', 'L')", "return math.mod(7, 3)", "return table.getn({1,2})",
                "return math.floor(-3.5)", "return math.max(1, 5, 3)", "return math.huge", "return #'abc'",
                "return string.byte('A')", "return string.char(72, 105)", "return ('x'):rep(3, ',')");
    }

    @Test
    void cjsonLibrary() {
        evals("return cjson.encode({})", "return cjson.encode({1,2,{a=1}})", "return cjson.encode(2^60)",
                "return cjson.encode(0.1)", "return cjson.encode(-0.0)", "return cjson.encode(1/3)",
                "return cjson.encode('a/b\"c\\\\d\\n\\t\\0\\1\\127\\200')", "return cjson.encode(true)",
                "return cjson.encode(nil)", "return cjson.encode(cjson.null)", "return cjson.encode({cjson.null})",
                "return cjson.encode({[1]=1,[2]=2,[4]=4})", "return cjson.encode({[1]=1,[20]=2})",
                "return cjson.encode({[1.5]=1})", "return cjson.encode({[true]=1})", "return cjson.encode(0/0)",
                "return cjson.encode(1/0)", "return cjson.encode({a={b={c={}}}})", "return cjson.encode({1,2,nil,4})",
                "local t = {} t[1] = t return cjson.encode(t)", "return cjson.encode({[-1]=1})",
                "return cjson.encode({[0]=1})", "return cjson.encode(string.rep('x', 300))",
                "return cjson.decode('[1,2,3.5]')", "return cjson.decode('{\"a\":1}').a",
                "return cjson.decode('\"\\\\u00e9\\\\ud83d\\\\ude00\"')", "return cjson.decode('12345678901234567890')",
                "return tostring(cjson.decode('12345678901234567890'))", "return cjson.decode('null') == cjson.null",
                "return type(cjson.decode('null'))", "return cjson.decode('[true,false,null]')",
                "return #cjson.decode('[1,null,3]')", "return cjson.decode('  [ 1 , 2 ]  ')", "return cjson.decode('0x10')",
                "return cjson.decode('-Infinity') == -1/0", "return tostring(cjson.decode('1e400'))",
                "return cjson.decode('[1,2')", "return cjson.decode('{\"a\" 1}')", "return cjson.decode('{1:2}')",
                "return cjson.decode('[1,]')", "return cjson.decode('tru')", "return cjson.decode('\"abc')",
                "return cjson.decode('\"\\\\q\"')", "return cjson.decode('\"\\\\u12\"')", "return cjson.decode('[1] x')",
                "return cjson.decode('')", "return cjson.decode('\\0a')", "return cjson.decode('+1')",
                "return cjson.decode(string.rep('[', 1001) .. string.rep(']', 1001))",
                "return cjson.decode(string.rep('[', 1000) .. string.rep(']', 1000)) ~= nil",
                "return {cjson.encode_sparse_array()}", "return cjson.encode_max_depth()",
                "return cjson.encode_number_precision()", "return {cjson.encode_keep_buffer()}",
                "return cjson.encode_max_depth(0)", "return cjson.encode_max_depth(1, 2)",
                "local c = cjson.new() c.encode_max_depth(2) return {pcall(c.encode, {{{1}}})}",
                "return cjson.encode(cjson.decode('{\"k\":[1,2,{\"x\":\"y\"}]}'))");
    }

    @Test
    void cmsgpackLibrary() {
        evals("return cmsgpack.pack(1, 2)", "return cmsgpack.pack(0, 127, 128, 255, 256, 65535, 65536, 4294967295, "
                        + "4294967296, -1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649)",
                "return cmsgpack.pack(1.5, 0.1, 1e300, -0.0, 1/0)", "return cmsgpack.pack(true, false, nil)",
                "return cmsgpack.pack('', 'abc', string.rep('x', 31), string.rep('x', 32), string.rep('x', 256), "
                        + "string.rep('x', 70000))",
                "return cmsgpack.pack({}, {1,2,3}, {a=1}, {1,2,nil,4}, {[2]=1})",
                "return cmsgpack.pack({1,{2,{3,{4,{5,{6,{7,{8,{9,{10,{11,{12,{13,{14,{15,{16,{17}}}}}}}}}}}}}}}}})",
                "return {cmsgpack.unpack(cmsgpack.pack(1, 'a', {1,2}, {k='v'}, true, 1.5))}",
                "return cmsgpack.unpack(cmsgpack.pack({k='v'})).k", "return {cmsgpack.unpack_one(cmsgpack.pack(1,2,3))}",
                "return {cmsgpack.unpack_one(cmsgpack.pack(1,2,3), 1)}", "return {cmsgpack.unpack_limit(cmsgpack.pack(1,2,3), 2)}",
                "return {cmsgpack.unpack_limit(cmsgpack.pack(1,2,3), 2, 2)}", "return {cmsgpack.unpack_one('\\1', 5)}",
                "return {cmsgpack.unpack_one('\\1', -1)}", "return cmsgpack.unpack('')",
                "return {cmsgpack.unpack('\\xcf\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff')}",
                "return {cmsgpack.unpack('\\xd3\\x80\\x00\\x00\\x00\\x00\\x00\\x00\\x00')}",
                "return {cmsgpack.unpack('\\x81\\xc0\\x01')}", "return cmsgpack.pack()");
    }

    @Test
    void bitAndStructLibraries() {
        evals("return bit.band(7,3)", "return bit.bor(1,2,4)", "return bit.bxor(5,3)", "return bit.bnot(0)",
                "return bit.lshift(1,31)", "return bit.rshift(-1,28)", "return bit.arshift(-256,4)",
                "return bit.rol(0x12345678, 8)", "return bit.ror(0x12345678, 8)", "return bit.bswap(0x12345678)",
                "return bit.tobit(2^32 + 5)", "return bit.tobit(-1)", "return bit.tohex(255)", "return bit.tohex(-1, -4)",
                "return bit.tohex(0x1234, 2)", "return bit.band('7', '3')", "return bit.band(1, 'x', 'y')",
                "return struct.pack('>I', 1)", "return struct.pack('<i2h', 1, -2)", "return struct.pack('b B', -1, 255)",
                "return struct.pack('>l L', -1, 2^40)", "return struct.pack('f d', 1.5, 0.1)", "return struct.pack('c3', 'abcdef')",
                "return struct.pack('c0', 'abc')", "return struct.pack('s', 'str')", "return struct.pack('!4 b i', 1, 2)",
                "return struct.pack('x i', 1)", "return struct.pack('c5', 'ab')", "return struct.pack('i40', 1)",
                "return struct.pack('!3 i', 1)", "return struct.pack('z', 1)", "return {struct.unpack('>I', '\\0\\0\\0\\1')}",
                "return {struct.unpack('<i2h', struct.pack('<i2h', 1, -2))}", "return {struct.unpack('s', 'abc\\0def')}",
                "return {struct.unpack('b c0', '\\3abcd')}", "return {struct.unpack('d', struct.pack('d', 0.1))}",
                "return {struct.unpack('i', 'abcdefgh', 5)}", "return {struct.unpack('i', 'abcd', 2)}",
                "return {struct.unpack('i', 'abcd', 0)}", "return {struct.unpack('s', 'abc')}",
                "return struct.size('>iIbBhH')", "return struct.size('!8 b d')", "return struct.size('s')",
                "return struct.size('c0')", "return struct.size('i1000')");
    }

    @Test
    void randomIsRedisRand48() {
        evals("math.randomseed(42) return {math.random(), math.random(100), math.random(5, 10)}",
                "math.randomseed(-7) return math.random(1000000)", "math.randomseed(0) return math.random()");
    }

    @Test
    void evalshaAndScriptCommands() {
        d.script("""
                SCRIPT FLUSH
                SCRIPT LOAD "return 'loaded'"
                EVALSHA 6e6ba0ca1b56a50bbd4d1c3c8e64e97bd5e0b74f 0
                SCRIPT EXISTS 6e6ba0ca1b56a50bbd4d1c3c8e64e97bd5e0b74f 0000000000000000000000000000000000000000
                EVAL "return 1" 0
                SCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db E0E1F9FABFC9D4800C877A703B823AC0578FF8DB foo
                EVALSHA e0e1f9fabfc9d4800c877a703b823ac0578ff8db 0
                EVALSHA E0E1F9FABFC9D4800C877A703B823AC0578FF8DB 0
                EVALSHA e0e1f9fabfc9d4800c877a703b823ac0578ff8db x
                EVALSHA 0000000000000000000000000000000000000000 x
                EVALSHA 0000000000000000000000000000000000000000 0
                EVALSHA short 0
                EVALSHA short x
                EVALSHA_RO e0e1f9fabfc9d4800c877a703b823ac0578ff8db 0
                SCRIPT LOAD "return +"
                SCRIPT LOAD
                SCRIPT LOAD a b
                SCRIPT EXISTS
                SCRIPT FLUSH ASYNC
                SCRIPT FLUSH SYNC
                SCRIPT FLUSH foo
                SCRIPT FLUSH ASYNC SYNC
                SCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db
                EVALSHA e0e1f9fabfc9d4800c877a703b823ac0578ff8db 0
                SCRIPT KILL
                SCRIPT KILL extra
                SCRIPT NOSUCH
                SCRIPT
                """);
    }

    @Test
    void readOnlyScriptsAndShebangFlags() {
        d.exec("SET", "x", "1");
        for (String[] cmd : List.of(
                new String[] {"EVAL_RO", "return redis.call('get','x')", "0"},
                new String[] {"EVAL_RO", "return redis.call('set','x',1)", "0"},
                new String[] {"EVAL_RO", "return redis.pcall('set','x',1)", "0"},
                new String[] {"EVAL_RO", "return redis.call('del','x')", "0"},
                new String[] {"EVAL", "#!lua\nreturn redis.call('get',KEYS[1])", "1", "x"},
                new String[] {"EVAL", "#!lua", "0"},
                new String[] {"EVAL", "#!lua\n", "0"},
                new String[] {"EVAL", "#!python\nreturn 1", "0"},
                new String[] {"EVAL", "#!lua flags=no-writes\nreturn redis.call('set','x',1)", "0"},
                new String[] {"EVAL", "#!lua flags=no-writes\nreturn redis.call('get','x')", "0"},
                new String[] {"EVAL", "#!lua flags=no-writes,allow-oom\nreturn 1", "0"},
                new String[] {"EVAL", "#!lua flags=\nreturn 1", "0"},
                new String[] {"EVAL", "#!lua flags=foo\nreturn 1", "0"},
                new String[] {"EVAL", "#!lua flags=NO-WRITES\nreturn 1", "0"},
                new String[] {"EVAL", "#!lua name=x\nreturn 1", "0"},
                new String[] {"EVAL", "#!lua flags=no-writes flags=allow-oom\nreturn 1", "0"},
                new String[] {"EVAL", "#!lua \"unbalanced\nreturn 1", "0"},
                new String[] {"EVAL", "#!lua\n\nerror('line 3')", "0"},
                new String[] {"EVAL_RO", "#!lua\nreturn 1", "0"},
                new String[] {"EVAL_RO", "#!lua flags=no-writes\nreturn redis.call('get','x')", "0"},
                new String[] {"EVAL", "#!lua flags=allow-cross-slot-keys,allow-stale,no-cluster\nreturn 1", "0"})) {
            d.check(cmd);
        }
    }

    @Test
    void selectInsideScriptDoesNotAffectTheCaller() {
        d.script("""
                EVAL "return {redis.call('select', 1), redis.call('set','x','db1'), redis.call('get','x')}" 0
                GET x
                SELECT 1
                GET x
                EVAL "return redis.call('get','x')" 0
                SELECT 0
                EVAL "redis.call('select', 9) return redis.call('select', 99)" 0
                """);
    }

    @Test
    void scriptsInsideMulti() {
        d.script("""
                SCRIPT FLUSH
                MULTI
                EVAL "return redis.call('set', KEYS[1], ARGV[1])" 1 k v
                EVAL "return redis.call('get', KEYS[1])" 1 k
                EVALSHA 0000000000000000000000000000000000000000 0
                EVAL "error('x')" 0
                SET k2 v2
                EXEC
                MULTI
                EVAL "return 1"
                EXEC
                WATCH k
                MULTI
                EVAL "return redis.call('get', 'k')" 0
                EXEC
                """);
        String sha = io.larder.script.Sha1.hex("return 'in multi'".getBytes());
        d.check("MULTI");
        d.check("SCRIPT", "LOAD", "return 'in multi'");
        d.check("EVALSHA", sha, "0");
        d.check("SCRIPT", "EXISTS", sha);
        d.check("SCRIPT", "FLUSH");
        d.check("FUNCTION", "LOAD", "REPLACE", "#!lua name=m\nredis.register_function('m', function() return 'm' end)");
        d.check("FCALL", "m", "0");
        d.check("FUNCTION", "DELETE", "m");
        d.check("EXEC");
        d.check("SCRIPT", "EXISTS", sha);
    }

    @Test
    void infoCountsScripts() {
        d.exec("SCRIPT", "FLUSH");
        d.exec("EVAL", "return 1", "0");
        d.exec("SCRIPT", "LOAD", "return 2");
        for (RespClient c : List.of(d.larder(), d.redis())) {
            String info = (String) c.call("INFO", "memory");
            assertTrue(info.contains("number_of_cached_scripts:2\r\n"), info);
        }
    }

    @Test
    void randomizedScriptsAgainstRedis() {
        Random rnd = new Random(5150);
        String[] keys = {"a", "b", "c"};
        String[] bodies = {
            "return redis.call('set', KEYS[1], ARGV[1])",
            "return redis.call('get', KEYS[1])",
            "return redis.pcall('lpush', KEYS[1], ARGV[1])",
            "return redis.call('del', KEYS[1])",
            "return redis.call('lrange', KEYS[1], 0, -1)",
            "local v = redis.call('get', KEYS[1]) if v then return {v, #v} end return {false}",
            "redis.call('rpush', KEYS[1], ARGV[1]) return redis.call('llen', KEYS[1])",
            "return cjson.encode(redis.call('lrange', KEYS[1], 0, -1))",
            "return cmsgpack.pack(redis.pcall('get', KEYS[1]))",
            "return {redis.call('exists', KEYS[1]), tonumber(ARGV[1]) or 'nan'}",
        };
        for (String b : bodies) d.exec("SCRIPT", "LOAD", b);
        for (int i = 0; i < 600; i++) {
            String body = bodies[rnd.nextInt(bodies.length)];
            String key = keys[rnd.nextInt(keys.length)];
            String arg = String.valueOf(rnd.nextInt(20));
            if (rnd.nextInt(5) == 0) d.check("EVAL", body, "1", key, arg);
            else d.check("EVALSHA", io.larder.script.Sha1.hex(body.getBytes()), "1", key, arg);
        }
        assertEquals(d.check("DBSIZE"), d.check("DBSIZE"));
    }
}
