-- The traffic of `make load` (tests/bench/load_mix.py), one wrk thread per Lua state:
--   wrk -s tests/bench/load_mix.lua URL -- TOWN UNIT_ID EVENT_ID KIND[,KIND...]
-- KINDs are sent in turn; "newsletter" (the form) first fetches the form once per
-- thread for its CSRF token and session cookie, "registration" posts to the API twin
-- of the event form (anonymous JSON, no token). Each address is new.
-- done() prints one JSON line: requests, errors, latency percentiles, statuses.

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local town, unit, event
local kinds = {}
local turn = 0
local sent = 0
local token, cookie
statuses = {}

function init(args)
  town, unit, event = args[1], args[2], args[3]
  for kind in string.gmatch(args[4], "[^,]+") do table.insert(kinds, kind) end
end

local function address()
  sent = sent + 1
  return string.format("last-%d-%d-%d@example.org", id, os.time(), sent)
end

local reads = {
  healthz = "/healthz",
  home = "/%s/",
  listing = "/%s/leerstand",
  unit = "/%s/leerstand/" .. "%s",
  calendar = "/%s/veranstaltungen",
  feed = "/%s/veranstaltungen.ics",
  directory = "/%s/gewerbe",
  api_units = "/%s/api/v1/units",
  api_events = "/%s/api/v1/events",
}

local function newsletter()
  if not token then
    return wrk.format("GET", "/" .. town .. "/newsletter")
  end
  local body = "email=" .. address():gsub("@", "%%40") .. "&lists=residents&consent=y&csrf_token=" .. token
  return wrk.format("POST", "/" .. town .. "/newsletter", {
    ["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookie}, body)
end

local function registration()
  local body = string.format('{"name": "Lena Last", "email": "%s", "consent": true}', address())
  return wrk.format("POST", "/" .. town .. "/api/v1/events/" .. event .. "/registrations",
    {["Content-Type"] = "application/json"}, body)
end

function request()
  turn = turn % #kinds + 1
  local kind = kinds[turn]
  if kind == "newsletter" then return newsletter() end
  if kind == "registration" then return registration() end
  return wrk.format("GET", string.format(reads[kind], town, unit))
end

function response(status, headers, body)
  statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1
  if not token and body then
    local found = string.match(body, 'name="csrf_token"[^>]-value="([^"]+)"')
    local set = headers["Set-Cookie"] or headers["set-cookie"]
    if found and set then
      token, cookie = found, string.match(set, "^([^;]+)")
    end
  end
end

function done(summary, latency, requests)
  local counted = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counted[status] = (counted[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(counted) do table.insert(parts, string.format('"%s": %d', status, count)) end
  local e = summary.errors
  io.write(string.format(
    'LOAD_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    table.concat(parts, ", ")))
end
