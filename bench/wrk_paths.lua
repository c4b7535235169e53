-- wrk script: each request GETs a random line of BENCH_PATHS (one URL path a line, already
-- percent-encoded) with the headers of BENCH_HEADERS, and at the end prints one line "BENCH_JSON {...}" with wrk's own counts and
-- latency percentiles (microseconds) for bench/load.py to read.
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  if #line > 0 then
    paths[#paths + 1] = line
  end
end
assert(#paths > 0, "BENCH_PATHS is empty")

-- BENCH_HEADERS: request headers as a flat JSON object of strings ({} for none).
local headers = {}
for name, value in string.gmatch(os.getenv("BENCH_HEADERS") or "{}", '"([^"]+)"%s*:%s*"([^"]*)"') do
  headers[name] = value
end

local seeded = false

request = function()
  if not seeded then -- per thread, after wrk has started it
    math.randomseed(os.time() + math.floor(os.clock() * 1e6))
    seeded = true
  end
  return wrk.format("GET", paths[math.random(#paths)], headers)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "errors_connect": %d, "errors_read": %d, ' ..
    '"errors_write": %d, "errors_status": %d, "errors_timeout": %d, "latency_mean_us": %.1f, ' ..
    '"latency_p50_us": %d, "latency_p90_us": %d, "latency_p99_us": %d, "latency_max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
