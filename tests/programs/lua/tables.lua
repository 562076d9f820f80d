-- tables.lua: arrays, hashes, metatables, table library.
local t = {10, 20, 30, nil, 50}
print(#{1, 2, 3}, t[5], select("#", table.unpack({1, 2, 3})))
local a = {}
for i = 1, 100 do a[i] = i * i end
print(#a, a[1], a[50], a[100])
table.insert(a, 1, 0)
table.insert(a, 10001)
print(#a, a[1], a[2], a[#a])
print(table.remove(a), table.remove(a, 1), #a)
print(table.concat({1, 2, 3}, ", "), table.concat({}, "x"), table.concat({"a", "b", "c"}, "", 2, 3))
print(table.unpack({1, 2, 3, 4}, 2, 3))
local m = table.move({1, 2, 3, 4, 5}, 2, 4, 1)
print(table.concat(m, ","))
local p = table.pack(1, nil, 3)
print(p.n, p[1], p[2], p[3])
-- hash part: count and sorted keys (pairs order is not specified)
local h = {}
for i = 1, 200 do h["k" .. i] = i end
h.k7 = nil
local keys, sum = {}, 0
for k, v in pairs(h) do keys[#keys + 1] = k; sum = sum + v end
table.sort(keys)
print(#keys, sum, keys[1], keys[2], keys[#keys])
-- mixed keys
local mixed = {[1] = "one", [2.0] = "two", ["3"] = "three", [true] = "yes"}
print(mixed[1], mixed[2], mixed[3], mixed["3"], mixed[true], math.type(next({[2.0] = 1})))
-- nested tables
local tree = {value = 1, children = {{value = 2, children = {}}, {value = 3, children = {{value = 4, children = {}}}}}}
local function total(n) local s = n.value for _, c in ipairs(n.children) do s = s + total(c) end return s end
print("tree total", total(tree))
-- metatables
local V = {}
V.__index = V
V.__add = function(x, y) return setmetatable({x = x.x + y.x, y = x.y + y.y}, V) end
V.__eq = function(x, y) return x.x == y.x and x.y == y.y end
V.__tostring = function(v) return "(" .. v.x .. "," .. v.y .. ")" end
V.__lt = function(x, y) return x.x < y.x end
V.__le = function(x, y) return x.x <= y.x end
V.__len = function() return 2 end
V.__call = function(v, k) return v.x * k end
V.__concat = function(x, y) return tostring(x) .. tostring(y) end
function V.new(x, y) return setmetatable({x = x, y = y}, V) end
function V:norm2() return self.x * self.x + self.y * self.y end
local v1, v2 = V.new(1, 2), V.new(3, 4)
print(tostring(v1 + v2), v1 == V.new(1, 2), v1 < v2, v2 <= v1, #v1, v1(10), v1 .. v2, v2:norm2())
-- __index / __newindex functions, rawget/rawset
local log = {}
local proxy = setmetatable({}, {
  __index = function(_, k) log[#log + 1] = "get " .. tostring(k); return k .. "!" end,
  __newindex = function(t, k, v) log[#log + 1] = "set " .. tostring(k); rawset(t, k, v * 2) end,
})
print(proxy.foo, proxy.bar)
proxy.x = 21
print(proxy.x, rawget(proxy, "y"), table.concat(log, ";"))
-- inheritance
local Animal = {} Animal.__index = Animal
function Animal.new(name) return setmetatable({name = name}, Animal) end
function Animal:speak() return self.name .. " makes a sound" end
local Dog = setmetatable({}, {__index = Animal}) Dog.__index = Dog
function Dog.new(name) local d = Animal.new(name) return setmetatable(d, Dog) end
function Dog:speak() return self.name .. " barks" end
print(Animal.new("cat"):speak(), Dog.new("rex"):speak(), getmetatable(Dog.new("a")) == Dog)
-- weak tables and the collector
local weak = setmetatable({}, {__mode = "k"})
do local key = {} weak[key] = 1 end
collectgarbage() collectgarbage()
local n = 0 for _ in pairs(weak) do n = n + 1 end
print("weak entries after gc", n)
-- __gc finalizers run in reverse order of marking
local order = {}
for i = 1, 3 do setmetatable({}, {__gc = function() order[#order + 1] = i end}) end
collectgarbage() collectgarbage()
table.sort(order)
print("finalized", table.concat(order, ","))
-- __close
do
  local res <close> = setmetatable({}, {__close = function() print("closed resource") end})
  print("using resource")
end
-- large array, sparse array
local big = {}
for i = 1, 100000 do big[i] = i % 7 end
local s = 0 for i = 1, #big do s = s + big[i] end
print(#big, s)
local sparse = {}
sparse[1], sparse[1000000] = "a", "b"
print(sparse[1], sparse[1000000], sparse[500])
