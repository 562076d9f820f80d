-- os.lua: environment, arguments, dates in UTC, clocks, exit status.
-- run.sh sets WEFT_LUA_TEST both ways (weft: --env) and TZ=UTC natively.
print("env", os.getenv("WEFT_LUA_TEST"), os.getenv("WEFT_LUA_EMPTY") == "", os.getenv("NO_SUCH_VARIABLE_X"))
print("args", #arg, arg[0], select("#", ...))
print(os.date("!%Y-%m-%d %H:%M:%S", 0), os.date("!%Y-%m-%d %H:%M:%S", 1700000000))
print(os.date("!%A %B %j %U %w %y %p", 86400 * 365))
local t = os.date("!*t", 1234567890)
print(t.year, t.month, t.day, t.hour, t.min, t.sec, t.wday, t.yday, t.isdst)
print(os.time({year = 2000, month = 1, day = 1, hour = 0}), os.time({year = 2038, month = 1, day = 19, hour = 3, min = 14, sec = 8}))
print(os.time({year = 2024, month = 2, day = 30, hour = 12}) - os.time({year = 2024, month = 3, day = 1, hour = 12}))
print(os.difftime(10, 4), math.type(os.time()), os.time() > 1700000000)
local c0 = os.clock()
local x = 0
for i = 1, 200000 do x = x + i % 3 end
local c1 = os.clock()
print("clock advances", c1 >= c0, x)
print(os.execute() ~= nil, type(os.tmpname))
io.stdout:write("flushed before exit\n")
os.exit(7)
