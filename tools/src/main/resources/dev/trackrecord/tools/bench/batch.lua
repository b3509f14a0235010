-- wrk script: appends in batches of BATCH entries (default 100), each with its own event_id.
local counter = 0
local run = os.getenv("RUN") or tostring(os.time())
local thread_id = 0
local threads = {}
local batch = tonumber(os.getenv("BATCH") or "100")

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

function init(args)
   thread_id = tid
end

request = function()
   local parts = {}
   for i = 1, batch do
      counter = counter + 1
      local eid = "wrkb-" .. run .. "-" .. thread_id .. "-" .. counter
      parts[i] = '{"kind":"audit.result","contractor":"c-' .. (counter % 5000) .. '","event_id":"' .. eid ..
         '","body":{"occurred_at":"2026-11-01T10:00:00Z","audit_id":"a-' .. eid ..
         '","task_id":"t-1","method":"gold","auditor":"qa-bot-7","verdict":"pass","score_bp":9000,' ..
         '"error_tags":["none"],"evidence_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}'
   end
   return wrk.format("POST", "/v1/entries", {["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. os.getenv("TOKEN")}, '{"entries":[' .. table.concat(parts, ",") .. ']}')
end

function done(summary, latency, requests)
   io.write(string.format("RESULT %d %d %.3f %.3f %d %d\n", summary.requests, summary.duration,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
      summary.errors.status))
end
