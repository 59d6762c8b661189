-- wrk script: each request submits one application (POST /api/applications) for a different
-- employee, with that employee's own token, so every request is a real evaluation + insert.
-- Usage: wrk ... -s scripts/load/submit.lua URL -- TOKENS_FILE QUARTER
-- TOKENS_FILE has `NIP<TAB>token` lines (dwa token create --each-employee N).
-- With SUBMIT_ROLL_QUARTER=1 in the environment, a thread that has gone through every employee
-- goes round again for the next quarter (2027-Q2, 2027-Q3, …), so a long run keeps submitting
-- new applications instead of resubmitting (409 Conflict).

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  tokens = {}
  for line in io.lines(args[1]) do
    local nip, token = line:match("^(%d+)\t(%S+)$")
    if nip then
      tokens[#tokens + 1] = { nip, token }
    end
  end
  quarter = args[2] or "2027-Q2"
  roll_quarter = os.getenv("SUBMIT_ROLL_QUARTER") == "1"
  stride = tonumber(os.getenv("WRK_THREADS") or "2")
  next_index = id + 1
  statuses = {}
  wrapped = 0
end

function next_quarter(q)
  local year, number = q:match("^(%d+)-Q(%d)$")
  year, number = tonumber(year), tonumber(number)
  if number == 4 then
    return string.format("%d-Q1", year + 1)
  end
  return string.format("%d-Q%d", year, number + 1)
end

function request()
  local entry = tokens[next_index]
  next_index = next_index + stride
  if next_index > #tokens then
    -- Ran out of employees: going round again would resubmit (409 Conflict); counted.
    next_index = id + 1
    wrapped = wrapped + 1
    if roll_quarter then
      quarter = next_quarter(quarter)
    end
  end
  local body = string.format(
    '{"nip":"%s","quarter":"%s","requested_remote_days":2,"location_kind":"registered_home",' ..
    '"work_plan":"Menyusun laporan analisis anggaran triwulan","kpi_baseline":80,"kpi_target":90}',
    entry[1], quarter)
  return wrk.format("POST", "/api/applications", {
    ["Authorization"] = "Bearer " .. entry[2],
    ["Content-Type"] = "application/json",
  }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local by_status = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do
      by_status[code] = (by_status[code] or 0) + n
    end
  end
  local ok, failed = 0, 0
  local parts = {}
  for code, n in pairs(by_status) do
    if code == 201 then ok = ok + n else failed = failed + n end
    parts[#parts + 1] = string.format("%d×%d", n, code)
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f created=%d non_201=%d socket_errors=%d statuses=%s\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, ok, failed, errors, table.concat(parts, ",")))
end
