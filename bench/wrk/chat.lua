-- wrk script: non-stream Chat Completions POSTs, the same body the stream client sends.
-- BENCH_TOKEN adds "Authorization: Bearer <token>"; BENCH_HEADERS adds "Name: value" pairs separated by "|".
wrk.method = "POST"
wrk.body = '{"model":"gpt-4o","messages":[{"role":"user","content":"Say hello to the benchmark in a few words."}],"stream":false}'
wrk.headers["Content-Type"] = "application/json"

local token = os.getenv("BENCH_TOKEN")
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

local extra = os.getenv("BENCH_HEADERS")
if extra ~= nil and extra ~= "" then
  for pair in string.gmatch(extra, "[^|]+") do
    local name, value = string.match(pair, "^%s*([^:]+):%s*(.-)%s*$")
    if name ~= nil then wrk.headers[name] = value end
  end
end
