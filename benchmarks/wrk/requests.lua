-- wrk script of the benchmark (benchmarks/bench.py writes its inputs).
--
-- BENCH_REQUESTS names a file of requests, one a line: method, path, Cookie header and
-- form body separated by tabs. Each connection's thread cycles through them from its
-- own starting point, so 16 connections spread over many products, baskets or pages.
-- BENCH_RESULT names the JSON file that done() writes: counts and latency percentiles.
-- Requests ask for gzip, as every phone's browser does.
--
-- Every request comes from an address of its own (X-Forwarded-For, read by the shop as
-- behind one proxy): from one address, the shop's per-address rate limits (search: 60 a
-- minute) would refuse what many shoppers' phones are served.

local rows = {}
local counter = 0
local threads_made = 0

function setup(thread)
  threads_made = threads_made + 1
  -- A global of the thread's own Lua state, read by init() there.
  thread:set("thread_number", threads_made)
end

function init(args)
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    local method, target, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    -- As a phone's browser asks: pages come compressed (GZipMiddleware, or kept so).
    local headers = {["Accept-Encoding"] = "gzip, deflate"}
    if cookie ~= "" then
      headers["Cookie"] = cookie
    end
    if body == "" then
      body = nil
    else
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    end
    rows[#rows + 1] = {method = method, target = target, headers = headers, body = body}
  end
  counter = (thread_number or 1) * 7919
end

function request()
  counter = counter + 1
  local row = rows[(counter % #rows) + 1]
  row.headers["X-Forwarded-For"] = string.format(
    "10.%d.%d.%d", thread_number or 1, math.floor(counter / 256) % 256, counter % 256)
  return wrk.format(row.method, row.target, row.headers, row.body)
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
