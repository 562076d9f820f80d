-- numbers.lua: integer and float arithmetic, conversions, string.format.
print(1, 1.0, -0.0, 1e100, 1e-100, 2^63, -2^63, 1/0, -1/0, math.pi)
print(math.maxinteger, math.mininteger, math.maxinteger + 1 == math.mininteger)
print(7 // 2, -7 // 2, 7 % 3, -7 % 3, 7 % -3, 7.5 // 2, -7.5 % 2, 2^10, 10 / 2)
print(3 | 5, 3 & 5, 3 ~ 5, ~0, 1 << 62, 1 << 63, 1 << 64, -1 >> 1, 5 // 0.0, -5 % math.huge)
print(math.type(1), math.type(1.0), math.type("1"), math.tointeger(3.0), math.tointeger(3.5))
print(0.1 + 0.2, 0.1 + 0.2 == 0.3, 100000000000000, 1e15, 123456789012345678)
print(tonumber("0x10"), tonumber("  12  "), tonumber("1e2"), tonumber("0x1p4"), tonumber("z", 36),
  tonumber("ff", 16), tonumber("777", 8), tonumber("1.5e"), tonumber(""), tonumber("10", 2))
print(tostring(1e15), tostring(1e16), tostring(-1e300 * 1e10), tostring(2^53 + 1), 2^53 + 1.0)
print(math.floor(3.7), math.ceil(3.2), math.floor(-3.5), math.ceil(-3.5), math.abs(math.mininteger))
print(math.max(1, 5, 3), math.min(2.5, -1, 0), math.fmod(7, 3), math.fmod(-7, 3), math.fmod(7, -3.5))
print(math.sqrt(2), math.exp(1), math.log(10), math.log(8, 2), math.log(100, 10), math.log(2, 3))
print(math.sin(1), math.cos(1), math.tan(1), math.asin(0.5), math.acos(0.5), math.atan(1, 2))
print(math.ult(1, -1), math.modf(3.75), math.modf(-3.75), math.modf(1/0))
print(string.format("%d %5d %-5d| %05d %+d %x %X %o %c", 42, 42, 42, 42, 42, 255, 255, 8, 65))
print(string.format("%f %.3f %10.2f %-10.2f| %e %.2E %g %G", math.pi, math.pi, math.pi, math.pi, 12345.678, 0.000123, 1e-5, 1e20))
print(string.format("%g %g %g %g %g %g", 100000, 1000000, 1e-4, 1e-5, 0.1, 2^63))
print(string.format("%.0f %.1f %.2f %.3f", 0.5, 0.05, 0.005, 0.0005))
print(string.format("%.14g %.17g %.20f", 0.1, 0.1, 0.1))
print(string.format("%s %s %s", 1, 1.5, -0.0), string.format("%10s|%-10s|", "r", "l"))
print(string.format("%q %q %q", 255, 0.5, "tab\there\0zero"))
print(string.format("%i %u", -3, 3), string.format("%5.1s|", "abc"), string.format("%%"))
print(string.format("%.3f %.3f %.3f", 2.0005, 2.0015, -2.0025), string.format("%.10g", 1/7))
print(string.format("%a %a", 1.0, 0.5))
print(8 // 3 * 3 + 8 % 3, 2^-1074, 2^-1075, 1.7976931348623157e308 * 10, -(0/0) ~= -(0/0))
print(math.floor(2^62) == 2^62, 2^53 == 2^53 + 1, math.tointeger("8"), 3 == 3.0, "10" + 5, "3" * "4")
print(10 == "10", 0.1 + 0.7, 1e300 * 1e300, -1e300 * 1e300, 5 // -2, 5.0 // -2, -5 // 2.0)
-- integer overflow wraps
print(math.maxinteger * 2, math.mininteger - 1, math.mininteger // -1, math.mininteger % -1)
-- conversions between float and integer keys
local t = {}
t[1.0] = "a" t[2] = "b" t[2^53] = "c"
print(t[1], t[2.0], t[2^53 | 0], #t)
-- numeric for with float accumulations
local acc = 0
for i = 1, 1000 do acc = acc + 1 / i end
print(acc, string.format("%.15f", acc))
-- deterministic pseudo-random numbers
math.randomseed(42)
local r = {}
for i = 1, 5 do r[i] = math.random(1, 1000) end
print(table.concat(r, " "), math.random(0) ~= nil, math.random() < 1)
math.randomseed(123, 456)
print(math.random(100), math.random(100), string.format("%.6f", math.random()))
-- integer division and modulo tables
for _, a in ipairs({7, -7}) do
  for _, b in ipairs({3, -3}) do io.write(a, "//", b, "=", a // b, " ", a, "%", b, "=", a % b, "  ") end
end
print()
-- string <-> number edge cases
print(tostring(1e308 * 10), tostring(-(1e308 * 10)), tostring(0/0) == tostring(0/0), math.huge // 1)
print(string.rep("9", 20) + 0, tonumber("9223372036854775807"), tonumber("9223372036854775808"), 0x7fffffffffffffff + 1)
print(tonumber("0x"), tonumber("1e"), tonumber("inf"), tonumber("nan"), tonumber(" 0x1P-2 "), tonumber("1 2"))
