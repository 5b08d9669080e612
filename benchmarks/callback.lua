-- wrk script of the callback benchmark: replay pre-signed WeChat callbacks, each at most once.
--
-- Usage: wrk ... -s callback.lua URL -- FILE OFFSET THREADS EXPECT
--   FILE     one request a line: "<path?query>\t<body>" (written by benchmarks/_load.py)
--   OFFSET   first line to use (the lines before were used by an earlier run)
--   THREADS  wrk's -t; thread k takes lines OFFSET+k, OFFSET+k+THREADS, ...
--   EXPECT   a plain substring every good response body contains
-- done() prints one line "WRK_RESULT {json}" with exact percentiles and the response checks,
-- and "WRK_SAMPLE <body>" with the first bad response, if any.

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

function init(args)
  local path, offset, step = args[1], tonumber(args[2]), tonumber(args[3])
  expect = args[4]
  local headers = { ["Content-Type"] = "text/xml" }
  requests, position, sent, reused = {}, 0, 0, 0
  ok, bad, codes, sample = 0, 0, "", ""
  local line_number = 0
  for line in io.lines(path) do
    if line_number >= offset and (line_number - offset) % step == id then
      local target, body = line:match("^([^\t]*)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", target, headers, body)
    end
    line_number = line_number + 1
  end
  if #requests == 0 then
    error("no requests left in " .. path .. " after line " .. offset)
  end
end

function request()
  position = position + 1
  sent = sent + 1
  if position > #requests then
    -- Out of distinct messages: start over (the app then answers from its dedupe cache).
    position = 1
  end
  if sent > #requests then
    reused = reused + 1
  end
  return requests[position]
end

local seen_codes = {}

function response(status, headers, body)
  if status == 200 and body:find(expect, 1, true) then
    ok = ok + 1
    return
  end
  bad = bad + 1
  seen_codes[status] = (seen_codes[status] or 0) + 1
  local parts = {}
  for code, count in pairs(seen_codes) do
    parts[#parts + 1] = code .. ":" .. count
  end
  codes = table.concat(parts, ",")
  if sample == "" then
    sample = status .. " " .. body:sub(1, 300):gsub("[\r\n]", " ")
  end
end

function done(summary, latency, requests)
  local total = { ok = 0, bad = 0, sent = 0, most_sent = 0, reused = 0 }
  local codes_all, first_sample = {}, ""
  for _, thread in ipairs(threads) do
    local sent = thread:get("sent")
    total.ok = total.ok + thread:get("ok")
    total.bad = total.bad + thread:get("bad")
    total.sent = total.sent + sent
    total.most_sent = math.max(total.most_sent, sent)
    total.reused = total.reused + thread:get("reused")
    local codes = thread:get("codes")
    if codes ~= "" then codes_all[#codes_all + 1] = codes end
    if first_sample == "" then first_sample = thread:get("sample") end
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f, "ok": %d, "bad": %d, "codes": "%s", ' ..
    '"sent": %d, "consumed": %d, "reused": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "timeouts": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, total.ok, total.bad,
    table.concat(codes_all, ","), total.sent, total.most_sent * thread_count, total.reused,
    errors.connect, errors.read, errors.write, errors.timeout, errors.status))
  if first_sample ~= "" then
    io.write("WRK_SAMPLE " .. first_sample .. "\n")
  end
end
