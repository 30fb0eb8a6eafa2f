-- wrk script: POSTs the JSON in $BODY with the key in $KEY and prints one machine-readable summary line.
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
-- more headers, one "Name: value" a line
for line in string.gmatch(os.getenv("HEADERS") or "", "[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  wrk.headers[name] = value
end
local key = os.getenv("KEY")
if key and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {\"requests\":%d,\"duration_us\":%d,\"socket_errors\":%d,\"non2xx\":%d," ..
    "\"p50_us\":%d,\"p90_us\":%d,\"p99_us\":%d}\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
