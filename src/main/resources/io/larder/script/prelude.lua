-- Larder's Redis scripting environment. Runs once per Lua state as chunk "=larder" (see
-- RedisLua.java). It builds what Redis 7.0's C code builds: the redis table, the cjson,
-- cmsgpack, bit and struct libraries (implemented in Java), Redis's pcall and error handler,
-- and the sandbox: read-only globals and library tables, no os/io/loadfile/dofile/require.
--
-- Arguments: the sentinel Java functions return to raise an error, the table of Java functions,
-- and the mode ("eval" or "function").
local SENTINEL, J, mode = ...

local error, select, type, tostring, next, rawequal = error, select, type, tostring, next, rawequal
local cgetmetatable, csetmetatable, crawget, crawset = getmetatable, setmetatable, rawget, rawset
local cloadstring, cload, cpcall, cipairs = loadstring, load, pcall, ipairs
local tinsert = table.insert
local dbg = debug
local G = _G

-- Java functions cannot raise Lua errors (a longjmp must not cross Java frames): they return
-- (SENTINEL, error) and their wrapper raises it. Java formats the message itself, with the
-- position of the first frame outside this chunk, exactly as Redis's C functions would.
local function check(...)
  if (...) == SENTINEL then error((select(2, ...)), 0) end
  return ...
end
local function wrap(f)
  return function(...) return check(f(...)) end
end
local function lib(t)
  local out = {}
  for k, v in next, t do
    if type(v) == 'function' then out[k] = wrap(v) else out[k] = v end
  end
  return out
end

-- luaL_argerror for the Lua wrappers below, which stand where Redis has C functions: called
-- directly by the wrapper, it names the wrapper as its caller did and reports the caller's line.
local function argerror(narg, extramsg)
  local ar = dbg.getinfo(2, 'n')
  local name = ar and ar.name
  if ar and ar.namewhat == 'method' then
    narg = narg - 1
    if narg == 0 then error("calling '" .. tostring(name) .. "' on bad self (" .. extramsg .. ")", 3) end
  end
  error('bad argument #' .. narg .. " to '" .. (name or '?') .. "' (" .. extramsg .. ')', 3)
end
local function got(n, narg, v)
  if narg > n then return 'no value' end
  return type(v)
end

---------------------------------------------------------------- libraries

G.bit = lib(J.bit)
G.struct = lib(J.struct)
G.cmsgpack = lib(J.cmsgpack)
local function cjsonModule(m)
  local out = lib(m)
  local new = m.new
  out.new = function(...) return cjsonModule(check(new(...))) end
  return out
end
G.cjson = cjsonModule(J.cjson)
math.random = wrap(J.random)
math.randomseed = wrap(J.randomseed)

---------------------------------------------------------------- the redis table

local function redisApi(full)
  local redis = {}
  redis.log = wrap(J.log)
  redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
  redis.REDIS_VERSION, redis.REDIS_VERSION_NUM = J.version, J.version_num
  if not full then return redis end
  redis.call = wrap(J.call)
  redis.pcall = wrap(J.pcall)
  redis.setresp = wrap(J.setresp)
  redis.sha1hex = wrap(J.sha1hex)
  redis.error_reply = wrap(J.error_reply)
  redis.status_reply = wrap(J.status_reply)
  redis.set_repl = wrap(J.set_repl)
  redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
  redis.acl_check_cmd = wrap(J.acl_check_cmd)
  -- Scripts are always replicated by effects since Redis 7.0.
  redis.replicate_commands = function() return true end
  -- The Lua debugger (SCRIPT DEBUG) is not available: outside it these do nothing.
  redis.breakpoint = function() return false end
  redis.debug = function() end
  return redis
end
G.redis = redisApi(true)

-- Redis 7's pcall: an error table raised by redis.call is returned as its message.
local function pcallResult(ok, ...)
  if ok then return ok, ... end
  local e = ...
  if type(e) == 'table' then
    local m = e.err
    local t = type(m)
    if t == 'string' or t == 'number' then return false, m end
  end
  return false, e
end
G.pcall = function(...) return pcallResult(cpcall(...)) end

-- Redis's handler for errors of a script run: the error as a table with the position of the
-- user code that raised it. Where Redis skips one C frame, Larder also skips its own wrappers (and
-- the "(tail call)" entry their tail calls leave).
local function errorHandler(err)
  local i = dbg.getinfo(2, 'nSl')
  local level = 2
  if i and i.what == 'C' then
    level = 3
    i = dbg.getinfo(3, 'nSl')
  end
  while i and (i.source == '=larder' or i.what == 'tail') do
    level = level + 1
    i = dbg.getinfo(level, 'nSl')
  end
  if type(err) ~= 'table' then err = {err = 'ERR ' .. tostring(err)} end
  if i then
    err['source'] = i.source
    err['line'] = i.currentline
  end
  return err
end

---------------------------------------------------------------- loading code

-- Redis compiles only source code: a precompiled (binary) chunk is parsed as text and fails,
-- which is what a leading space makes stock Lua do, with the same message.
local ESC = '\27'
G.loadstring = function(...)
  local n, s, name = select('#', ...), ...
  local ts = type(s)
  if ts ~= 'string' and ts ~= 'number' then argerror(1, 'string expected, got ' .. got(n, 1, s)) end
  if name ~= nil and type(name) ~= 'string' and type(name) ~= 'number' then
    argerror(2, 'string expected, got ' .. type(name))
  end
  s = tostring(s)
  if s:sub(1, 1) == ESC then return cloadstring(' ' .. s, name or s) end
  return cloadstring(s, name)
end
G.load = function(...)
  local n, f, name = select('#', ...), ...
  if type(f) ~= 'function' then argerror(1, 'function expected, got ' .. got(n, 1, f)) end
  if name ~= nil and type(name) ~= 'string' and type(name) ~= 'number' then
    argerror(2, 'string expected, got ' .. type(name))
  end
  local first = true
  return cload(function()
    local piece = f()
    if first and type(piece) == 'string' and piece ~= '' then
      first = false
      if piece:sub(1, 1) == ESC then return ' ' .. piece end
    end
    return piece
  end, name)
end

---------------------------------------------------------------- the sandbox

for _, name in next, {'print', 'dofile', 'loadfile', 'require', 'module', 'package', 'os', 'io',
    'debug', 'newproxy', 'getfenv', 'setfenv'} do
  crawset(G, name, nil)
end

-- Redis 7 makes the globals and every library table read-only. Stock Lua has no read-only
-- tables, so scripts see empty proxies that read through to the real tables and refuse writes;
-- the functions below that bypass metatables (rawset, rawget, next, pairs, ipairs, table.insert,
-- getmetatable, setmetatable) see through the proxies or refuse to write, as Redis's do.
local RO = 'Attempt to modify a readonly table'
local real = {}
local fakemeta = {}
local function readonly() error(RO, 2) end
local function protect(t, meta)
  local p = {}
  real[p] = t
  fakemeta[p] = meta
  csetmetatable(p, {__index = t, __newindex = readonly, __metatable = false})
  return p
end

local function nonexistent(t, k)
  error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
end

local function gsetmetatable(...)
  local n, t, mt = select('#', ...), ...
  if type(t) ~= 'table' then argerror(1, 'table expected, got ' .. got(n, 1, t)) end
  local tm = type(mt)
  if n < 2 or (tm ~= 'nil' and tm ~= 'table') then argerror(2, 'nil or table expected') end
  if real[t] then error(RO, 0) end
  local old = dbg.getmetatable(t)
  if old and crawget(old, '__metatable') ~= nil then error('cannot change a protected metatable', 2) end
  return csetmetatable(t, mt)
end

local stringMeta = dbg.getmetatable('')
local stringMetaProxy
local function ggetmetatable(...)
  local n, o = select('#', ...), ...
  if n < 1 then argerror(1, 'value expected') end
  if real[o] then return fakemeta[o] end
  local m = cgetmetatable(o)
  if rawequal(m, stringMeta) then return stringMetaProxy end
  return m
end

local function grawget(...)
  local n, t, k = select('#', ...), ...
  if type(t) ~= 'table' then argerror(1, 'table expected, got ' .. got(n, 1, t)) end
  if n < 2 then argerror(2, 'value expected') end
  return crawget(real[t] or t, k)
end

local function grawset(...)
  local n, t, k, v = select('#', ...), ...
  if type(t) ~= 'table' then argerror(1, 'table expected, got ' .. got(n, 1, t)) end
  if n < 2 then argerror(2, 'value expected') end
  if n < 3 then argerror(3, 'value expected') end
  if real[t] then error(RO, 0) end
  return crawset(t, k, v)
end

local function gnext(...)
  local n, t, k = select('#', ...), ...
  if type(t) ~= 'table' then argerror(1, 'table expected, got ' .. got(n, 1, t)) end
  return next(real[t] or t, k)
end

local function gpairs(...)
  local n, t = select('#', ...), ...
  if type(t) ~= 'table' then argerror(1, 'table expected, got ' .. got(n, 1, t)) end
  return next, real[t] or t, nil
end

local ipairsIter = cipairs({})
local function gipairs(...)
  local n, t = select('#', ...), ...
  if type(t) ~= 'table' then argerror(1, 'table expected, got ' .. got(n, 1, t)) end
  return ipairsIter, real[t] or t, 0
end

local function ginsert(...)
  local n, t, a = select('#', ...), ...
  if type(t) ~= 'table' then argerror(1, 'table expected, got ' .. got(n, 1, t)) end
  if real[t] then error(RO, 0) end
  if n == 3 and type(a) ~= 'number' and tonumber(a) == nil then
    argerror(2, 'number expected, got ' .. type(a))
  elseif n ~= 2 and n ~= 3 then
    error("wrong number of arguments to 'insert'", 2)
  end
  return tinsert(...)
end

G.setmetatable, G.getmetatable, G.rawget, G.rawset = gsetmetatable, ggetmetatable, grawget, grawset
G.next, G.pairs, G.ipairs = gnext, gpairs, gipairs
table.insert = ginsert

-- Read-only library tables. The string metatable's __index is the string table scripts see.
for _, name in next, {'string', 'math', 'table', 'coroutine', 'bit', 'struct', 'cjson', 'cmsgpack', 'redis'} do
  G[name] = protect(G[name])
end
crawset(stringMeta, '__index', G.string)
stringMetaProxy = protect(stringMeta)

-- The globals: an empty table that reads through to the real ones and refuses writes. The real
-- table raises Redis's error for a name it does not hold.
local globalsMeta = protect({__index = nonexistent})
local globals = protect(G, globalsMeta)
csetmetatable(G, {__index = nonexistent})
crawset(G, '_G', globals)

-- How a script is stopped (SCRIPT KILL, shutdown, FUNCTION LOAD's time limit): Java cannot raise
-- a Lua error, so its count hook installs this line hook, which raises on every line so that
-- pcall cannot catch it for good (Redis switches its hook to every line the same way).
local sethook = dbg.sethook
local function killWith(message)
  sethook(function() error({err = message}, 0) end, 'l')
end

if mode == 'eval' then
  crawset(G, '__redis__err__handler', errorHandler)
  return globals, G, errorHandler, nil, killWith
end

-- The API FUNCTION LOAD's library code sees: redis.register_function, redis.log and the log levels.
local loadRedis = redisApi(false)
loadRedis.register_function = wrap(J.register_function)
csetmetatable(loadRedis, {__index = nonexistent})
local loadG = {redis = protect(loadRedis)}
csetmetatable(loadG, {__index = nonexistent})
return globals, G, errorHandler, loadG, killWith
