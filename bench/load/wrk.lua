-- The bench's wrk script: each thread sends the pre-rendered requests of its own slice file, in order (cycling,
-- or each once and then the thread stops), counts replies by status and problem code, keeps the bodies of one
-- status when asked, and done() writes everything as JSON for bench/load/wrk.ts.
-- Settings come from the environment (the setup/done state gets no script arguments):
--   BENCH_WRK_DATA  slice files are <BENCH_WRK_DATA>.<thread index>, records "<byte length>\n<raw request>"
--   BENCH_WRK_PORTS comma-separated ports on 127.0.0.1; thread i is given port i mod their number
--   BENCH_WRK_ONCE  "1": every request at most once, then the thread stops
--   BENCH_WRK_CODES "1": look at replies (status and problem code); "0": no response() at all (cheapest)
--   BENCH_WRK_CAPTURE a status whose reply bodies are kept (0: none)
--   BENCH_WRK_OUT   where done() writes the JSON; captured bodies go to <BENCH_WRK_OUT>.captured

local threads = {}

function setup (thread)
  local ports = {}
  for p in string.gmatch(os.getenv("BENCH_WRK_PORTS"), "%d+") do ports[#ports + 1] = p end
  local index = #threads
  local addrs = wrk.lookup("127.0.0.1", ports[(index % #ports) + 1])
  thread.addr = addrs[1]
  thread:set("index", index)
  threads[#threads + 1] = thread
end

local requests = {}
local next_index = 1
local filler = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
local verified = false

-- Globals read back by done() through thread:get.
consumed = 0
exhausted = false
counts = {}
captured = {}

function init (_args)
  local f = assert(io.open(os.getenv("BENCH_WRK_DATA") .. "." .. index, "rb"))
  local data = f:read("*a")
  f:close()
  local pos = 1
  while pos <= #data do
    local nl = string.find(data, "\n", pos, true)
    local n = tonumber(string.sub(data, pos, nl - 1))
    requests[#requests + 1] = string.sub(data, nl + 1, nl + n)
    pos = nl + n + 1
  end
  once = os.getenv("BENCH_WRK_ONCE") == "1"
  capture = tonumber(os.getenv("BENCH_WRK_CAPTURE") or "0")
  if os.getenv("BENCH_WRK_CODES") ~= "1" and capture == 0 then response = nil end
  -- wrk calls request() once on thread 0 before the run, to count pipelined requests: that call must not use an item.
  verified = index ~= 0
end

function request ()
  if not verified then verified = true; return requests[1] or filler end
  if next_index > #requests then
    if once then
      if not exhausted then
        exhausted = true
        -- wrk sleeps for its whole -d even when every thread has stopped: this line tells wrk.ts to end it now.
        io.stdout:write("bench-wrk: exhausted\n")
        io.stdout:flush()
        wrk.thread:stop()
      end
      return filler -- written but never read: the loop stops first
    end
    next_index = 1
  end
  local r = requests[next_index]
  next_index = next_index + 1
  consumed = consumed + 1
  return r
end

function response (status, _headers, body)
  local label = tostring(status)
  if status >= 300 then
    local code = string.match(body, '"code"%s*:%s*"([^"]+)"')
    if code then label = label .. " " .. code end
  end
  counts[label] = (counts[label] or 0) + 1
  if status == capture then captured[#captured + 1] = body end
end

local function quote (s)
  return '"' .. string.gsub(s, '[%c"\\]', function (c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

function done (summary, latency, _requests)
  local out = assert(io.open(os.getenv("BENCH_WRK_OUT"), "w"))
  local cap = assert(io.open(os.getenv("BENCH_WRK_OUT") .. ".captured", "wb"))
  local e = summary.errors
  out:write(string.format('{"requests":%d,"durationUs":%d,"bytes":%d,', summary.requests, summary.duration, summary.bytes))
  out:write(string.format('"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},', e.connect, e.read, e.write, e.status, e.timeout))
  out:write(string.format('"latencyUs":{"min":%d,"mean":%f,"max":%d,"p50":%d,"p90":%d,"p99":%d},',
    latency.min, latency.mean, latency.max, latency:percentile(50), latency:percentile(90), latency:percentile(99)))
  out:write('"threads":[')
  for i, t in ipairs(threads) do
    local parts = {}
    for k, v in pairs(t:get("counts") or {}) do parts[#parts + 1] = quote(k) .. ":" .. v end
    out:write(string.format('%s{"consumed":%d,"exhausted":%s,"counts":{%s}}', i > 1 and "," or "", t:get("consumed"), tostring(t:get("exhausted")), table.concat(parts, ",")))
    for _, b in ipairs(t:get("captured") or {}) do cap:write(#b, "\n", b) end
  end
  out:write("]}\n")
  out:close()
  cap:close()
end
