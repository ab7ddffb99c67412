-- The RESULT lines every benchmark wrk script prints at the end (parsed by bench/lib/common.mjs runWrk).
-- Loaded with dofile from the scripts next to it; returns the function to use as wrk's done().
return function(summary, latency, requests)
  local ms = function(us) return string.format("%.2f", us / 1000) end
  io.write(string.format("RESULT requests=%d duration_s=%.2f rps=%.1f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("RESULT latency_ms p50=%s p90=%s p99=%s p99.9=%s max=%s mean=%s\n",
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)),
    ms(latency:percentile(99.9)), ms(latency.max), ms(latency.mean)))
end
