-- wrk script of the benchmark (benchmarks/bench.py writes its inputs).
--
-- BENCH_REQUESTS names a file of requests, one a line: method, path, Cookie header and
-- form body separated by tabs. Each connection's thread cycles through them from its
-- own starting point, so 16 connections spread over many products, baskets or pages.
-- BENCH_RESULT names the JSON file that done() writes: counts and latency percentiles.

local requests = {}
local counter = 0
local thread_number = 0

function setup(thread)
  thread_number = thread_number + 1
  thread:set("thread_number", thread_number)
end

function init(args)
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    local method, target, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {}
    if cookie ~= "" then
      headers["Cookie"] = cookie
    end
    if body == "" then
      body = nil
    else
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    end
    requests[#requests + 1] = wrk.format(method, target, headers, body)
  end
  counter = (thread_number or 1) * 7919
end

function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

function done(summary, latency, _requests)
  local errors = summary.errors
  local file = io.open(os.getenv("BENCH_RESULT"), "w")
  file:write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
  file:close()
end
