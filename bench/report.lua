-- wrk script: extra headers (BENCH_HEADERS), optional POST body with a unique e-mail per
-- request, and one JSON summary line (bytes include the response headers).
local counter = 0
local body_template = os.getenv("BENCH_BODY")
local method = os.getenv("BENCH_METHOD") or "GET"
local extra_headers = os.getenv("BENCH_HEADERS")

function setup(thread)
  thread:set("id", math.random(1, 1000000))
end

request = function()
  local headers = {}
  if extra_headers then
    for line in string.gmatch(extra_headers, "[^\n]+") do
      local name, value = line:match("^([^:]+):%s*(.*)$")
      if name then headers[name] = value end
    end
  end
  if body_template then
    counter = counter + 1
    local body = body_template:gsub("{n}", tostring(id) .. "-" .. tostring(counter))
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format(method, nil, headers, body)
  end
  return wrk.format(method, nil, headers)
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "errors": %d, "non2xx": %d, "bytes": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    errors, summary.errors.status, summary.bytes))
end
