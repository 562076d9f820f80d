-- coroutines.lua: generators, pipelines, status, errors, wrap.
local function gen(n)
  return coroutine.wrap(function()
    for i = 1, n do coroutine.yield(i) end
  end)
end
local s = 0
for v in gen(100) do s = s + v end
print("sum", s)
-- passing values both ways
local co = coroutine.create(function(a, b)
  print("start", a, b)
  local c = coroutine.yield(a + b)
  print("got", c)
  local d, e = coroutine.yield(c * 2)
  print("got", d, e)
  return "end", d + e
end)
print(coroutine.status(co))
print(coroutine.resume(co, 1, 2))
print(coroutine.status(co))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, 3, 4))
print(coroutine.status(co), coroutine.resume(co))
-- errors inside coroutines
local bad = coroutine.create(function() coroutine.yield(1) error("inside") end)
print(coroutine.resume(bad))
local ok, err = coroutine.resume(bad)
print(ok, (err:gsub("^.-:%d+: ", "")), coroutine.status(bad))
local badt = coroutine.create(function() error({code = 7}) end)
local ok2, e2 = coroutine.resume(badt)
print(ok2, type(e2), e2.code)
-- wrap propagates errors
local w = coroutine.wrap(function() error("wrapped failure", 0) end)
print(pcall(w))
-- producer / filter / consumer pipeline
local function producer()
  return coroutine.create(function()
    for _, word in ipairs({"alpha", "beta", "gamma", "delta", "epsilon"}) do coroutine.yield(word) end
  end)
end
local function filter(src)
  return coroutine.create(function()
    while true do
      local _, v = coroutine.resume(src)
      if v == nil then return end
      if #v > 4 then coroutine.yield(v:upper()) end
    end
  end)
end
local f = filter(producer())
while true do
  local _, v = coroutine.resume(f)
  if v == nil then break end
  print("consumed", v)
end
-- running, isyieldable, close
print(coroutine.isyieldable(), select(2, coroutine.running()))
local inner = coroutine.create(function()
  print("yieldable inside", coroutine.isyieldable(), select(2, coroutine.running()))
end)
coroutine.resume(inner)
local closable = coroutine.create(function()
  local r <close> = setmetatable({}, {__close = function() print("closing on coroutine.close") end})
  coroutine.yield()
end)
coroutine.resume(closable)
print(coroutine.close(closable), coroutine.status(closable))
-- many coroutines alive at once
local cos = {}
for i = 1, 200 do
  cos[i] = coroutine.create(function(x) while true do x = coroutine.yield(x + i) end end)
end
local total = 0
for round = 1, 10 do
  for i = 1, #cos do local _, v = coroutine.resume(cos[i], round) total = total + v end
end
print("total", total)
-- yield across pcall
local yp = coroutine.create(function()
  local ok3, v = pcall(function()
    local got = coroutine.yield("from inside pcall")
    error("after yield: " .. got, 0)
  end)
  coroutine.yield(tostring(ok3) .. " " .. v)
  return "finished"
end)
print(coroutine.resume(yp))
print(coroutine.resume(yp, "resumed"))
print(coroutine.resume(yp))
-- deep recursion inside a coroutine
local deep = coroutine.wrap(function()
  local function r(n) if n == 0 then coroutine.yield("bottom") return 0 end return 1 + r(n - 1) end
  coroutine.yield(r(150))
end)
print(deep(), deep())
-- generator of permutations (classic PiL example)
local function permgen(a, n)
  n = n or #a
  if n <= 1 then coroutine.yield(a)
  else
    for i = 1, n do
      a[n], a[i] = a[i], a[n]
      permgen(a, n - 1)
      a[n], a[i] = a[i], a[n]
    end
  end
end
local perms = {}
for p in coroutine.wrap(function() permgen({"a", "b", "c", "d"}) end) do perms[#perms + 1] = table.concat(p) end
print(#perms, perms[1], perms[2], perms[24])
