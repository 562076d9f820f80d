-- strings.lua: string library and string handling.
local s = "Hello, WebAssembly world"
print(#s, s:upper(), s:lower())
print(s:sub(1, 5), s:sub(-5), s:sub(8, -7), s:sub(100), ("x"):rep(0) == "")
print(s:find("World"), s:find("world"), s:find("o", 6), s:find("%s"), s:find(".", 1, true))
print(s:match("(%a+), (%a+)"))
print(s:gsub("o", "0"))
print(s:gsub("(%w+)", "<%1>", 2))
print(("abc"):rep(3, "-"), ("abc"):reverse(), ("abc"):byte(1, -1))
print(string.char(72, 105, 33), ("%d items"):format(3))
-- gmatch and captures
local words = {}
for w in ("the quick brown fox jumps over the lazy dog"):gmatch("%a+") do
  words[#words + 1] = w
end
print(#words, table.concat(words, "|"))
for k, v in ("a=1, b=22, ccc=333"):gmatch("(%w+)=(%w+)") do io.write(k, ":", v, " ") end
print()
print(("  trim me  "):match("^%s*(.-)%s*$") .. "|")
print(("key = value # comment"):match("^(%w+)%s*=%s*(%w+)"))
print(("2024-01-15"):match("(%d+)-(%d+)-(%d+)"))
print(("f(a(b)c)d"):match("%b()"), ("THE (quick) fox"):find("%f[%a]%a+%f[%A]"))
-- gsub with a function and a table
print(("hello world"):gsub("%w+", function(w) return w:sub(1,1):upper() .. w:sub(2) end))
print(("$name is $age"):gsub("%$(%w+)", {name = "Lua", age = "30"}))
print(("abc"):gsub("", "-"))
-- escapes, embedded zeros, long strings
local z = "a\0b\0c"
print(#z, z:byte(2), (z:gsub("%z", "0")))
local long = [[
line one
line "two"]]
print(long, #long)
print("tab\tnew\\line \65\066\x43 \u{48}\u{20AC}", #"\u{20AC}")
-- utf8 library
local u = "héllo wörld €"
print(utf8.len(u), #u, utf8.char(72, 228, 8364, 128512))
local cps = {}
for _, c in utf8.codes(u) do cps[#cps + 1] = c end
print(table.concat(cps, ","))
print(utf8.offset(u, 3), utf8.codepoint(u, 1, 3))
-- comparison and concatenation
print("a" < "b", "abc" < "abd", "Z" < "a", "" < "a", "a" .. 1 .. 2.5)
print(tostring(12):len(), ("x"):rep(5, ","), string.len("\n\n"))
-- building a large string
local parts = {}
for i = 1, 1000 do parts[i] = string.format("%04d", i) end
local big = table.concat(parts)
print(#big, big:sub(1, 12), big:sub(-8))
local count = select(2, big:gsub("00", ""))
print("count 00:", count)
-- string.pack / unpack
local packed = string.pack("<i4 >i2 z s1 d", -2, 513, "zs", "abc", 1.5)
print(#packed, string.unpack("<i4 >i2 z s1 d", packed))
print(string.packsize("i4 i8 d"), ("%q"):format(1/3), ("%q"):format(math.mininteger))
