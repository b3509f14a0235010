-- wrk script: single-entry appends, each with its own event_id (thread id + counter). With
-- SKILLS (comma-separated), each audit names one of them in turn, so that scoring re-keys its
-- contractor in that skill's ranking.
local counter = 0
local run = os.getenv("RUN") or tostring(os.time())
local skills = {}
for s in string.gmatch(os.getenv("SKILLS") or "", "[^,]+") do
   table.insert(skills, s)
end
local thread_id = 0
local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

function init(args)
   thread_id = tid
end

request = function()
   counter = counter + 1
   local eid = "wrk-" .. run .. "-" .. thread_id .. "-" .. counter
   local skill = ""
   if #skills > 0 then
      skill = '"skills":["' .. skills[counter % #skills + 1] .. '"],'
   end
   local body = '{"kind":"audit.result","contractor":"c-' .. (counter % 5000) .. '","event_id":"' .. eid ..
      '","body":{"occurred_at":"2026-11-01T10:00:00Z","audit_id":"a-' .. eid ..
      '","task_id":"t-1","method":"gold","auditor":"qa-bot-7","verdict":"pass","score_bp":9000,' .. skill ..
      '"error_tags":["none"],"evidence_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}'
   return wrk.format("POST", "/v1/entries", {["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. os.getenv("TOKEN")}, body)
end

function done(summary, latency, requests)
   io.write(string.format("RESULT %d %d %.3f %.3f %d %d\n", summary.requests, summary.duration,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
      summary.errors.status))
end
