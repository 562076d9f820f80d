-- bench.lua: a CPU-bound mix for timing (run.sh --time); output is checked
-- like the other scripts'.
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print("fib(27)", fib(27))
-- sieve
local N = 300000
local sieve, count = {}, 0
for i = 2, N do sieve[i] = true end
for i = 2, N do
  if sieve[i] then count = count + 1 for j = i * i, N, i do sieve[j] = false end end
end
print("primes below", N, count)
-- spectral norm (float arithmetic)
local function A(i, j) local ij = i + j - 1 return 1.0 / (ij * (ij - 1) * 0.5 + i) end
local function Av(x, y, n) for i = 1, n do local a = 0 for j = 1, n do a = a + x[j] * A(i, j) end y[i] = a end end
local function Atv(x, y, n) for i = 1, n do local a = 0 for j = 1, n do a = a + x[j] * A(j, i) end y[i] = a end end
local function AtAv(x, y, t, n) Av(x, t, n) Atv(t, y, n) end
local n = 100
local u, v, t = {}, {}, {}
for i = 1, n do u[i] = 1 end
for _ = 1, 10 do AtAv(u, v, t, n) AtAv(v, u, t, n) end
local vBv, vv = 0, 0
for i = 1, n do local ui, vi = u[i], v[i] vBv = vBv + ui * vi vv = vv + vi * vi end
print("spectral norm", string.format("%0.9f", math.sqrt(vBv / vv)))
-- string building and hashing
local parts = {}
for i = 1, 20000 do parts[#parts + 1] = tostring(i * 7) end
local s = table.concat(parts, ",")
local h = 0
for i = 1, #s, 7 do h = (h * 31 + s:byte(i)) % 4294967296 end
print("string hash", #s, h)
-- table churn
local map = {}
for i = 1, 50000 do map["k" .. (i % 5000)] = (map["k" .. (i % 5000)] or 0) + i end
local tot = 0
for _, val in pairs(map) do tot = tot + val end
print("map total", tot)
