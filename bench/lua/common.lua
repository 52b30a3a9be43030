-- Shared by the wrk scenario scripts (each loads it with dofile).
--
-- Environment (set by bench/run.sh):
--   BENCH_TOKENS       file with one access token a line (seeded users); requests rotate over them
--   BENCH_RUN_ID       unique per run, so Idempotency-Keys never repeat across runs
--   BENCH_MONTH_START  start of the server's month (UTC, epoch seconds): spends are dated after it
--   BENCH_NOW          the server's "now" when the run started (epoch seconds; MITA_CLOCK_START)
--   BENCH_CELLS        the plan's cells before the clock, `date category planned_cents` a line
--                      (from `seed`): P2's creates go to them
--   BENCH_WRK_OUT      where done() writes the summary as JSON (read by `mita-bench report`)
--   BENCH_LIST_PATH    the GET of P1 (default /api/transactions?limit=50), for experiments
local M = {}

local function read_lines(path)
  local t = {}
  for line in io.lines(path) do
    if #line > 0 then t[#t + 1] = line end
  end
  return t
end

-- Main state: numbers the threads (the number reaches each thread as the global `thread_id`).
local threads = 0
function M.setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end

-- Thread state: tokens, counters, pre-built GET requests.
function M.init()
  M.tokens = read_lines(assert(os.getenv("BENCH_TOKENS"), "BENCH_TOKENS is not set"))
  M.run_id = os.getenv("BENCH_RUN_ID") or tostring(os.time())
  M.month_start = tonumber(os.getenv("BENCH_MONTH_START") or "") or (os.time() - 86400)
  M.now = tonumber(os.getenv("BENCH_NOW") or "") or os.time()
  M.cells = {}
  for _, line in ipairs(read_lines(assert(os.getenv("BENCH_CELLS"), "BENCH_CELLS is not set"))) do
    local date, category, planned = line:match("^(%S+) (%S+) (%d+)$")
    M.cells[#M.cells + 1] = { date = date, category = category, planned = tonumber(planned) }
  end
  M.n = 0
  M.list = {}
  for i, token in ipairs(M.tokens) do
    M.list[i] = wrk.format("GET", os.getenv("BENCH_LIST_PATH") or "/api/transactions?limit=50",
      { ["Authorization"] = "Bearer " .. token })
  end
  math.randomseed(os.time() + (thread_id or 0) * 7919)
  -- Scenarios of one run share BENCH_RUN_ID: the nonce keeps their keys apart too.
  M.nonce = string.format("%d-%d", os.time(), math.random(1, 1000000000))
end

local function next_index()
  M.n = M.n + 1
  return (M.n % #M.tokens) + 1
end

-- P1: the caller's newest 50 transactions, rotating over the seeded users.
function M.list_request()
  return M.list[next_index()]
end

-- P2: a new spend with a key no other request of any run uses. It goes to a plan cell (a day
-- before the clock and a variable category) chosen uniformly, for 1-4 % of the cell's plan: a
-- 10 s run adds about 15 spends to each cell of a user, so most cells stay under plan (the seed
-- filled them to 35 %) and most creates do not overspend, whatever the date of the run.
function M.create_request()
  local i = next_index()
  local cell = M.cells[math.random(#M.cells)]
  local cents = math.max(1, math.floor(cell.planned * math.random(100, 400) / 10000))
  local body = string.format(
    '{"amount":"%d.%02d","category":"%s","spent_at":"%sT%02d:%02d:00Z","description":"bench"}',
    math.floor(cents / 100), cents % 100, cell.category, cell.date,
    math.random(8, 20), math.random(0, 59))
  local headers = {
    ["Authorization"] = "Bearer " .. M.tokens[i],
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("bench-%s-%s-%d-%d", M.run_id, M.nonce, thread_id or 0, M.n),
  }
  return wrk.format("POST", "/api/transactions", headers, body)
end

-- Main state, at the end: the figures `mita-bench report` needs, as JSON.
function M.done(summary, latency, requests)
  local path = os.getenv("BENCH_WRK_OUT")
  if not path then return end
  local e = summary.errors
  local f = assert(io.open(path, "w"))
  f:write(string.format(
    '{"tool":"wrk","requests":%d,"duration_us":%d,"status_errors":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean, latency.max))
  f:close()
end

return M
