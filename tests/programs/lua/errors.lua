-- errors.lua: error, pcall, xpcall, error objects, levels, messages.
print(pcall(error))
print(pcall(error, nil))
print(pcall(error, "plain", 0))
print(pcall(error, 42))
print(select("#", pcall(error)))
local function lvl1() error("at level 1") end
local function lvl2() error("at level 2", 2) end
local function caller() lvl2() end
print(pcall(lvl1))
print(pcall(caller))
-- runtime errors and their messages
local cases = {
  function() local x = nil; return x.field end,
  function() return 1 + {} end,
  function() return "a" + 1 end,
  function() return "abc" < 1 end,
  function() return #nil end,
  function() local t = setmetatable({}, {__index = function() error("no index") end}) return t.x end,
  function() return math.floor("x") end,
  function() return ("x"):rep(1, 2, 3) .. nil end,
  function() return 1 // 0 end,
  function() return 1 % 0 end,
  function() return string.rep("x", -1) end,
  function() undefined_global_function() end,
  function() return tostring() end,
  function() return setmetatable(1, {}) end,
  function() return ipairs() end,
  function() local a <const> = 1; return a + nil end,
  function() return string.format("%d", 1.5) end,
  function() return ("x"):bad() end,
  function() return table.concat({1, {}, 3}) end,
  function() return utf8.codepoint("\xff") end,
  function() return math.tointeger(2^63) + nil end,
}
for i, f in ipairs(cases) do
  local ok, err = pcall(f)
  print(i, ok, err)
end
-- error objects keep their identity
local obj = {msg = "object error"}
local ok, e = pcall(error, obj)
print(ok, e == obj, e.msg)
-- xpcall with a message handler and traceback-free handler
print(xpcall(function() error("handled") end, function(m) return "handler saw: " .. m end))
print(xpcall(function(a, b) return a + b end, print, 3, 4))
print(xpcall(function() local t = nil; return t[1] end, function(m) return (m:gsub("^.-:%d+: ", "")) end))
-- error in the handler
print(xpcall(error, function() error("again") end))
-- nested pcall, and rethrow
local function nested(depth)
  if depth == 0 then error("deep error " .. depth, 0) end
  local ok2, err = pcall(nested, depth - 1)
  error(err .. "<" .. depth, 0)
end
print(pcall(nested, 10))
-- many errors in a loop: each protected call recovers cleanly
local caught = 0
for i = 1, 2000 do
  local ok3 = pcall(function() if i % 3 == 0 then error(i) end return i end)
  if not ok3 then caught = caught + 1 end
end
print("caught", caught)
-- errors thrown from deep recursion
local function down(n) if n == 0 then error("bottom reached", 0) end return down(n - 1) + 1 end
print(pcall(down, 180))
-- stack overflow is caught as an error
local function inf(n) return 1 + inf(n + 1) end
local okso, eso = pcall(inf, 1)
print(okso, (tostring(eso):match("stack overflow")))
-- assert
print(pcall(assert, false))
print(pcall(assert, nil, "custom assert message"))
print(pcall(assert, 1, 2, 3))
print(select("#", assert(true, "x", nil)))
-- error with a table carrying a __tostring
local E = setmetatable({}, {__tostring = function() return "E-object" end})
print(select(2, pcall(error, E)) == E, tostring(E))
-- tostring of error values by the standalone interpreter's conventions
print(pcall(string.rep))
print(pcall(string.sub))
print(pcall(table.insert, {}, 1, 2, 3))
print(pcall(setmetatable, {}, 1))
-- close variables run on error
local ok4, e4 = pcall(function()
  local a <close> = setmetatable({}, {__close = function(_, err) print("closing with", err) end})
  error("boom", 0)
end)
print(ok4, e4)
