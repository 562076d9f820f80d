-- fileio.lua: the io library inside the directory given as arg[1] (a
-- preopened directory under weft). Prints nothing that names that directory.
local dir = assert(arg[1], "usage: fileio.lua DIR")
local function path(name) return dir .. "/" .. name end

-- write, then read back in several ways
local f = assert(io.open(path("lines.txt"), "w"))
for i = 1, 50 do f:write("line ", i, "\n") end
f:write("last line without newline")
print("close", f:close())
f = assert(io.open(path("lines.txt"), "r"))
print(f:read("l"), f:read("L"), f:read("n"), f:read("l"))
print(f:seek("cur"), f:seek("set", 5), f:read(3), f:seek("end"))
f:seek("set")
local n = 0
for line in f:lines() do n = n + 1 end
print("lines", n)
f:close()
print(pcall(f.read, f))
local count, last = 0, nil
for line in io.lines(path("lines.txt")) do count = count + 1 last = line end
print(count, last)
for a, b in io.lines(path("lines.txt"), 4, "n") do print("pair", a, b) break end
-- read everything, sizes
f = assert(io.open(path("lines.txt"), "rb"))
local all = f:read("a")
print(#all, f:read("a") == "", f:read("l"), f:read(0))
f:close()
-- append mode
f = assert(io.open(path("lines.txt"), "a"))
f:write("\nappended")
f:close()
f = assert(io.open(path("lines.txt")))
local content = f:read("a")
f:close()
print(#content, content:sub(-20):gsub("\n", "\\n"))
-- r+ : overwrite in the middle
f = assert(io.open(path("lines.txt"), "r+"))
f:seek("set", 0)
f:write("LINE")
f:seek("set", 0)
print(f:read("l"))
f:close()
-- binary data with every byte value
local bytes = {}
for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end
local blob = table.concat(bytes):rep(64)
f = assert(io.open(path("blob.bin"), "wb"))
f:write(blob)
f:close()
f = assert(io.open(path("blob.bin"), "rb"))
local back = f:read("a")
print("blob", #back, back == blob, f:seek("end"), f:seek("set", 1000), f:read(4):byte(1, -1))
f:close()
-- a larger file written in chunks, read with a small buffer
f = assert(io.open(path("big.txt"), "w"))
f:setvbuf("full", 512)
for i = 1, 20000 do f:write(string.format("%06d\n", i)) end
f:close()
f = assert(io.open(path("big.txt")))
f:setvbuf("no")
local sum, lines = 0, 0
for l in f:lines("n") do sum = sum + l lines = lines + 1 end
print("big", lines, sum, f:seek("end"))
f:close()
-- io.output / io.input redirection
io.output(path("out.txt"))
io.write("via io.write ", 42, "\n")
io.output():close()
io.output(io.stdout)
io.input(path("out.txt"))
print(io.read("l"))
io.input():close()
io.input(io.stdin)
-- rename, remove, errors
print(os.rename(path("out.txt"), path("renamed.txt")))
print(io.open(path("out.txt")) == nil, io.type(io.open(path("renamed.txt"))))
print(os.remove(path("renamed.txt")))
-- (the numeric errno differs between WASI and Linux: only its type is shown)
local ok, msg, code = os.remove(path("renamed.txt"))
print(ok, (msg:gsub(dir, "DIR")), math.type(code))
local nf, nmsg, ncode = io.open(path("no/such/file.txt"))
print(nf, (nmsg:gsub(dir, "DIR")), math.type(ncode))
print(io.type(f), io.type(io.stdout), io.type(42))
local okl, lerr = pcall(io.lines, path("missing.txt"))
print(okl, (lerr:gsub(dir, "DIR")))
-- cleanup
for _, name in ipairs({"lines.txt", "blob.bin", "big.txt"}) do print(name, os.remove(path(name))) end
