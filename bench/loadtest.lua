-- wrk script for bench/loadtest.py: signed-in requests picked from a file, counted by status class.
--
-- LOADTEST_REQUESTS names a file of lines "COOKIE PATH" (COOKIE is "-" for none, else "name=value"); each
-- request picks one line at random, so a path listed three times is asked three times as often. Every
-- request says X-Forwarded-Proto: https, as the TLS proxy in front of the app would.
-- At the end one line "LOADTEST_RESULT {json}" gives the totals, the latency percentiles (microseconds)
-- and the responses per status class, summed over wrk's threads.

local entries = {}
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  local name = os.getenv("LOADTEST_REQUESTS")
  if not name then
    error("LOADTEST_REQUESTS is not set")
  end
  for line in io.lines(name) do
    local cookie, target = line:match("^(%S+)%s+(%S+)$")
    if target then
      table.insert(entries, { cookie, target })
    end
  end
  if #entries == 0 then
    error("no requests in " .. name)
  end
  math.randomseed(os.time() * 100 + id)
  s2, s3, s4, s5, other = 0, 0, 0, 0, 0
end

function request()
  local entry = entries[math.random(#entries)]
  local headers = { ["X-Forwarded-Proto"] = "https", ["User-Agent"] = "scr-loadtest" }
  if entry[1] ~= "-" then
    headers["Cookie"] = entry[1]
  end
  return wrk.format("GET", entry[2], headers)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    s2 = s2 + 1
  elseif status < 400 and status >= 300 then
    s3 = s3 + 1
  elseif status < 500 and status >= 400 then
    s4 = s4 + 1
  elseif status >= 500 and status < 600 then
    s5 = s5 + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local totals = { s2 = 0, s3 = 0, s4 = 0, s5 = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do
      totals[key] = totals[key] + (thread:get(key) or 0)
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'LOADTEST_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, '
      .. '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, '
      .. '"status_2xx": %d, "status_3xx": %d, "status_4xx": %d, "status_5xx": %d, "status_other": %d}\n',
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, totals.s2, totals.s3, totals.s4, totals.s5, totals.other
  ))
end
