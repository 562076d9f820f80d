-- sorting.lua: table.sort with and without comparators, stable-sort helpers,
-- classic algorithms written in Lua.
local function lcg(seed)
  local s = seed
  return function() s = (s * 1103515245 + 12345) % 2147483648 return s end
end
local rnd = lcg(2024)
local a = {}
for i = 1, 2000 do a[i] = rnd() % 10000 end
local b = {table.unpack(a, 1, 2000)}
table.sort(a)
local ok = true
for i = 2, #a do if a[i - 1] > a[i] then ok = false end end
print("sorted", ok, a[1], a[1000], a[2000])
table.sort(b, function(x, y) return x > y end)
print("desc", b[1], b[2], b[2000])
-- strings
local words = {"pear", "Apple", "banana", "apple", "Cherry", "date", "", "fig", "Banana"}
table.sort(words)
print(table.concat(words, ","))
table.sort(words, function(x, y) return x:lower() < y:lower() or (x:lower() == y:lower() and x < y) end)
print(table.concat(words, ","))
-- records by several keys
local people = {
  {name = "Ann", age = 31}, {name = "Bob", age = 25}, {name = "Cid", age = 31},
  {name = "Dee", age = 22}, {name = "Eve", age = 25}, {name = "Fay", age = 40},
}
table.sort(people, function(p, q) if p.age ~= q.age then return p.age < q.age end return p.name < q.name end)
for _, p in ipairs(people) do io.write(p.name, ":", p.age, " ") end
print()
-- stable merge sort in Lua
local function mergesort(t, lt)
  local n = #t
  if n <= 1 then return t end
  local mid = n // 2
  local l, r = {}, {}
  for i = 1, mid do l[#l + 1] = t[i] end
  for i = mid + 1, n do r[#r + 1] = t[i] end
  l, r = mergesort(l, lt), mergesort(r, lt)
  local out, i, j = {}, 1, 1
  while i <= #l and j <= #r do
    if lt(r[j], l[i]) then out[#out + 1] = r[j] j = j + 1 else out[#out + 1] = l[i] i = i + 1 end
  end
  for k = i, #l do out[#out + 1] = l[k] end
  for k = j, #r do out[#out + 1] = r[k] end
  return out
end
local pairs_ = {}
for i = 1, 40 do pairs_[i] = {key = rnd() % 5, seq = i} end
local ms = mergesort(pairs_, function(x, y) return x.key < y.key end)
local stable = true
for i = 2, #ms do
  if ms[i - 1].key == ms[i].key and ms[i - 1].seq > ms[i].seq then stable = false end
end
local keys = {}
for i = 1, #ms do keys[i] = ms[i].key .. "." .. ms[i].seq end
print("stable", stable, table.concat(keys, " ", 1, 12))
-- quicksort and insertion sort agree with table.sort
local function quicksort(t, lo, hi)
  lo, hi = lo or 1, hi or #t
  if lo < hi then
    local p, i = t[hi], lo - 1
    for j = lo, hi - 1 do if t[j] <= p then i = i + 1 t[i], t[j] = t[j], t[i] end end
    t[i + 1], t[hi] = t[hi], t[i + 1]
    quicksort(t, lo, i) quicksort(t, i + 2, hi)
  end
  return t
end
local function insertion(t)
  for i = 2, #t do
    local v, j = t[i], i - 1
    while j >= 1 and t[j] > v do t[j + 1] = t[j] j = j - 1 end
    t[j + 1] = v
  end
  return t
end
local c, d, e = {}, {}, {}
for i = 1, 500 do local v = rnd() % 1000 - 500 c[i], d[i], e[i] = v, v, v end
quicksort(c) insertion(d) table.sort(e)
local same = true
for i = 1, 500 do if c[i] ~= d[i] or d[i] ~= e[i] then same = false end end
print("agree", same, c[1], c[250], c[500])
-- floats and mixed integer/float keys
local f = {3.5, -1, 2, 2.0, 1e10, -1e-10, 0, math.huge, -math.huge, 7}
table.sort(f)
print(table.concat(f, " "))
-- invalid order function is detected (or at least does not crash)
local okbad = pcall(table.sort, {3, 1, 2, 5, 4, 9, 8, 7, 6, 10, 12, 11}, function() return true end)
print("bad comparator handled", type(okbad))
print(pcall(table.sort, {1, "x", 2}))
-- sort a large array of strings
local strs = {}
for i = 1, 3000 do strs[i] = string.format("%05d-%s", rnd() % 100000, string.char(65 + i % 26)) end
table.sort(strs)
print(#strs, strs[1], strs[1500], strs[3000])
