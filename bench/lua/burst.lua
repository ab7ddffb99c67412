-- wrk script: distinct Radarr and Sonarr "Download" webhooks, alternating, as fast as wrk can.
-- Bodies come from the templates bench/lib/payloads.mjs writes (the real fixtures with a request
-- number in every title and path), so no two requests are the same and duplicate folding hides nothing.
-- Environment:
--   BENCH_TEMPLATES  folder with radarr.json and sonarr.json (required)
--   BENCH_MIX        both (default) | radarr | sonarr
--   BENCH_ACKS       if set, each wrk thread writes "<status> <job_id or ->" per response to BENCH_ACKS.<thread>
--   BENCH_RATE       if set, requests per second over all threads (BENCH_THREADS of them): each thread
--                    sends on a fixed schedule (open loop while a connection is free) instead of at full speed
--   BENCH_PHASE      a number that keeps the payloads of several runs against one database distinct
local dir = assert(os.getenv("BENCH_TEMPLATES"), "BENCH_TEMPLATES not set")
local mix = os.getenv("BENCH_MIX") or "both"
local acks_prefix = os.getenv("BENCH_ACKS")
local function number_env(name)
  local v = os.getenv(name)
  if v == nil or v == "" then return nil end
  return assert(tonumber(v), name .. " is not a number")
end
local rate = number_env("BENCH_RATE")
local phase = number_env("BENCH_PHASE") or 0

local function slurp(path)
  local f = assert(io.open(path, "r"))
  local s = f:read("*a")
  f:close()
  return s
end
local radarr = slurp(dir .. "/radarr.json")
local sonarr = slurp(dir .. "/sonarr.json")

local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

local counter = 0
local acks
function init(args)
  if acks_prefix then acks = assert(io.open(acks_prefix .. "." .. tid, "w")) end
end

wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "Radarr/6.0.3.10276 (alpine 3.22.1)"

function request()
  counter = counter + 1
  -- unique across threads: thread number in the high digits
  local n = phase * 100000000 + tid * 10000000 + counter
  local sonarr_turn = (mix == "sonarr") or (mix == "both" and counter % 2 == 0)
  if sonarr_turn then
    local season = math.floor(n / 20) % 12 + 1
    local episode = n % 20 + 1
    local vars = { N = n, SHOW = math.floor(n / 200), S = season, E = episode,
                   SS = string.format("%02d", season), EE = string.format("%02d", episode) }
    return wrk.format("POST", "/sync/sonarr", nil, (sonarr:gsub("__(%u+)__", vars)))
  end
  return wrk.format("POST", "/sync/radarr", nil, (radarr:gsub("__(%u+)__", { N = n })))
end

-- Pacing: every request takes the next slot of this thread's schedule and waits for it. wrk's delay()
-- counts whole milliseconds, so requests leave in clumps of a millisecond's worth at most.
if rate then
  local ffi = require("ffi")
  ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } bench_timespec; int clock_gettime(int, bench_timespec *); ]]
  local ts = ffi.new("bench_timespec")
  local function now_ms()
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
  end
  local interval = 1000 * assert(number_env("BENCH_THREADS"), "BENCH_THREADS not set") / rate
  local next_at
  function delay()
    local now = now_ms()
    next_at = (next_at or now) + interval
    -- Behind schedule (every connection was busy): send at once; the schedule keeps its pace.
    return math.max(0, next_at - now)
  end
end

function response(status, headers, body)
  if acks then
    acks:write(status, " ", (body and body:match('"job_id":(%d+)')) or "-", "\n")
  end
end

-- This script's folder, so the shared RESULT printer is found wherever wrk is started from.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
done = dofile(here .. "result.lua")
