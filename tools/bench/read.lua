-- wrk script: GET requests to PATH_PREFIX .. random(0, MAX-1) .. PATH_SUFFIX.
local prefix = os.getenv("PATH_PREFIX")
local suffix = os.getenv("PATH_SUFFIX") or ""
local max = tonumber(os.getenv("MAX") or "1")

request = function()
   return wrk.format("GET", prefix .. math.random(0, max - 1) .. suffix,
      {["Authorization"] = "Bearer " .. os.getenv("TOKEN")})
end

function done(summary, latency, requests)
   io.write(string.format("RESULT %d %d %.3f %.3f %d\n", summary.requests, summary.duration,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
