-- wrk script: GET requests. With PATHS ('|'-separated) a random one of them; otherwise
-- PATH_PREFIX .. string.format(FORMAT, random(MIN, MAX)) .. PATH_SUFFIX.
local prefix = os.getenv("PATH_PREFIX") or "/"
local suffix = os.getenv("PATH_SUFFIX") or ""
local format = os.getenv("FORMAT") or "%d"
local min = tonumber(os.getenv("MIN") or "0")
local max = tonumber(os.getenv("MAX") or "0")
local token = os.getenv("TOKEN")
local paths = {}
for p in string.gmatch(os.getenv("PATHS") or "", "[^|]+") do
   table.insert(paths, p)
end
local headers = {}
if token and token ~= "" then
   headers["Authorization"] = "Bearer " .. token
end

request = function()
   local path
   if #paths > 0 then
      path = paths[math.random(1, #paths)]
   else
      path = prefix .. string.format(format, math.random(min, max)) .. suffix
   end
   return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
   io.write(string.format("RESULT %d %d %.3f %.3f %d %d\n", summary.requests, summary.duration,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
      summary.errors.status))
end
