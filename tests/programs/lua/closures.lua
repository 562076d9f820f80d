-- closures.lua: upvalues, recursion, varargs, higher-order functions.
local function counter()
  local n = 0
  return function() n = n + 1 return n end, function() return n end
end
local inc, get = counter()
inc() inc() inc()
local inc2 = counter()
inc2()
print(get(), inc2())
-- shared upvalues in a loop: each iteration has a fresh local
local fs = {}
for i = 1, 5 do fs[i] = function() return i * 10 end end
print(fs[1](), fs[3](), fs[5]())
local gs = {}
local j = 0
while j < 3 do j = j + 1 local k = j gs[j] = function() k = k + 100 return k end end
print(gs[1](), gs[1](), gs[2](), gs[3]())
-- memoize
local function memoize(f)
  local cache, calls = {}, 0
  return function(x)
    if cache[x] == nil then calls = calls + 1 cache[x] = f(x) end
    return cache[x]
  end, function() return calls end
end
local fib
local calls
fib, calls = memoize(function(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end)
print(fib(80), calls())
-- recursion
local function ack(m, n)
  if m == 0 then return n + 1 end
  if n == 0 then return ack(m - 1, 1) end
  return ack(m - 1, ack(m, n - 1))
end
print(ack(2, 3), ack(3, 3))
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
print(fact(20), fact(25), fact(30.0))
-- tail calls do not grow the stack
local function loop(n, acc) if n == 0 then return acc end return loop(n - 1, acc + n) end
print(loop(1000000, 0))
-- varargs
local function va(...)
  local n = select("#", ...)
  local t = {...}
  return n, #t, (select(2, ...)), select(-1, ...)
end
print(va(1, nil, 3))
print(va("a", "b"))
local function pass(...) return ... end
print(pass(1, 2, 3), (pass(1, 2, 3)))
print(table.unpack({pass()}, 1, 2))
-- higher-order
local function map(f, t) local r = {} for i, v in ipairs(t) do r[i] = f(v) end return r end
local function filter(p, t) local r = {} for _, v in ipairs(t) do if p(v) then r[#r + 1] = v end end return r end
local function reduce(f, acc, t) for _, v in ipairs(t) do acc = f(acc, v) end return acc end
local nums = {}
for i = 1, 20 do nums[i] = i end
local evens = filter(function(x) return x % 2 == 0 end, nums)
local squares = map(function(x) return x * x end, evens)
print(table.concat(squares, " "), reduce(function(a, b) return a + b end, 0, squares))
local function compose(...)
  local fns = {...}
  return function(x) for i = #fns, 1, -1 do x = fns[i](x) end return x end
end
print(compose(function(x) return x + 1 end, function(x) return x * 2 end)(5))
local function curry(f) return function(a) return function(b) return f(a, b) end end end
print(curry(math.max)(3)(7), curry(string.rep)("ab")(3))
-- string.dump / load round trip of a closure-free function
local src = "local a, b = ... return a * b + 1"
local f = load(src, "=chunk")
print(f(6, 7), load("return 1 + 1")(), load(string.dump(f))(2, 3))
-- load with an environment
local env = {x = 5}
print(load("return x * 2", "=env", "t", env)(), load("y = 9", "=e2", "t", env)(), env.y)
-- goto
local out = {}
for i = 1, 3 do
  for k = 1, 3 do
    if k == 2 then goto continue end
    out[#out + 1] = i .. k
    ::continue::
  end
end
print(table.concat(out, " "))
-- integer / float for loops
local acc = {}
for x = 1, 2, 0.25 do acc[#acc + 1] = x end
print(table.concat(acc, " "))
for x = 10, 1, -4 do io.write(x, " ") end
print()
for x = math.maxinteger - 2, math.maxinteger do io.write(x, " ") end
print()
