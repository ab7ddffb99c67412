-- wrk script for one endpoint, the same request over and over: GET by default,
-- BENCH_METHOD=POST for POST endpoints (sent without a body, like `curl -X POST`). Prints RESULT lines.
wrk.method = os.getenv("BENCH_METHOD") or "GET"

-- This script's folder, so the shared RESULT printer is found wherever wrk is started from.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
done = dofile(here .. "result.lua")
