#!/usr/bin/env bash
# OnDemand Gateway benchmark: the gateway against nginx (plain reverse proxy), optionally the Portkey gateway,
# and the fake upstream called directly, side by side in one run. See bench/README.md.
#
#   bash bench/run.sh                  full run: every scenario, 10 s each, 10-minute soak
#   bash bench/run.sh --quick          short scenarios, fewer of them, no soak (for iterating)
#
# Layout: the proxy under test is pinned to CPU 0 (taskset); the load generators and the fake upstream share CPU 1.
set -euo pipefail

QUICK=0
SOAK_MINUTES=""
DURATION=""
BUILD=1
PORTKEY=auto
OUT=""
usage() {
  cat <<'EOF'
Usage: bash bench/run.sh [options]
  --quick              short scenarios (3 s), fewer of them, no soak unless --soak-minutes is given
  --soak-minutes N     length of the steady-rate soak with RSS sampled every second (default 10; 0 = skip)
  --duration S         seconds per measured scenario (default 10, quick 3)
  --no-build           use the existing Release builds
  --no-portkey         skip the Portkey gateway column even if npm can install it
  --out FILE           also write the markdown report to FILE (default bench/results/<date>.md)
Environment: GATEWAY_ENV="K=V K2=V2" adds variables to the gateway's environment (to compare runtime knobs);
GATEWAY_WARMUP=S seconds of mixed load after each gateway start before measuring (default 30; the first 10 s are
reported as the "cold" row).
EOF
}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --soak-minutes) SOAK_MINUTES="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --no-build) BUILD=0 ;;
    --no-portkey) PORTKEY=no ;;
    --out) OUT="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ $QUICK == 1 ]]; then
  DURATION="${DURATION:-3}"; WARMUP=1; SOAK_MINUTES="${SOAK_MINUTES:-0}"
else
  DURATION="${DURATION:-10}"; WARMUP=3; SOAK_MINUTES="${SOAK_MINUTES:-10}"
fi
GATEWAY_WARMUP="${GATEWAY_WARMUP:-30}"
TOKEN="bench-client-token-0123456789"
UPSTREAM_KEY="bench-upstream-key"
PROMPT_CHARS=200      # answer length for 50-delta streams: 4 characters per delta, like a model's tokens
LONG_CHARS=2000       # 500 deltas
PROXY_CPU=0
LOAD_CPU=1
if [[ $(nproc --all) -lt 2 ]]; then PROXY_CPU=0; LOAD_CPU=0; echo "bench: fewer than 2 CPUs; proxy and load share CPU 0" >&2; fi

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- 1. Tools (idempotent) ----------------------------------------------------------------------------------------
ensure_packages() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
  command -v jq >/dev/null || missing+=(jq)
  command -v curl >/dev/null || missing+=(curl)
  command -v taskset >/dev/null || missing+=(util-linux)
  command -v bc >/dev/null || missing+=(bc)
  if [[ ${#missing[@]} -gt 0 ]]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}
ensure_packages
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
ulimit -n 65536 2>/dev/null || true

# --- 2. Build (Release) ------------------------------------------------------------------------------------------
GATEWAY="$ROOT/src/OnDemandGateway/bin/Release/net10.0/OnDemandGateway"
FAKE="$ROOT/src/OnDemandGateway.FakeUpstream/bin/Release/net10.0/OnDemandGateway.FakeUpstream"
CLIENT="$ROOT/bench/StreamClient/bin/Release/net10.0/StreamClient"
if [[ $BUILD == 1 ]]; then
  for project in src/OnDemandGateway src/OnDemandGateway.FakeUpstream bench/StreamClient; do
    log "building $project (Release)"
    dotnet build -c Release -nologo -v q "$ROOT/$project" >/dev/null
  done
fi

# --- 3. Processes, cleaned up by the trap ------------------------------------------------------------------------
WORK="$(mktemp -d -t odg-bench.XXXXXX)"
chmod 755 "$WORK"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
forget() { local gone="$1" p kept=(); for p in "${PIDS[@]}"; do [[ $p == "$gone" ]] || kept+=("$p"); done; PIDS=("${kept[@]}"); }
stop() { local pid="$1"; [[ -n $pid ]] || return 0; kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; forget "$pid"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 20000))
    port_open "$p" || { echo "$p"; return; }
  done
  echo "bench: no free port" >&2; exit 1
}
wait_port() { for _ in $(seq 300); do port_open "$1" && return 0; sleep 0.05; done; echo "bench: nothing listens on $1" >&2; return 1; }

FAKE_PORT=$(free_port)
FAKE_PID=""
start_fake() {  # deltas delay_ms answer_chars
  # The load side should be as cheap as it can be: fully optimised code from the start.
  env DOTNET_TieredCompilation=0 DOTNET_ReadyToRun=0 taskset -c "$LOAD_CPU" "$FAKE" --port "$FAKE_PORT" --api-key "$UPSTREAM_KEY" --deltas "$1" --delta-delay-ms "$2" \
    --answer-chars "$3" --heartbeat-ms 0 --quiet --openai-mode >"$WORK/fake.log" 2>&1 &
  FAKE_PID=$!; PIDS+=("$FAKE_PID")
  wait_port "$FAKE_PORT"
}

NGINX_PORT=$(free_port)
NGINX_PID=""
start_nginx() {
  mkdir -p "$WORK/nginx"
  cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  upstream fake { server 127.0.0.1:$FAKE_PORT; keepalive 512; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://fake;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
EOF
  chmod -R 777 "$WORK/nginx"
  taskset -c "$PROXY_CPU" "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$WORK/nginx/stdout.log" 2>&1 &
  NGINX_PID=$!; PIDS+=("$NGINX_PID")
  wait_port "$NGINX_PORT"
}

GATEWAY_PORT=$(free_port)
GATEWAY_PID=""
start_gateway() {
  mkdir -p "$WORK/gateway/data"
  # A clean environment and an empty working directory: no config.json or stray variables change the run.
  # shellcheck disable=SC2086
  (cd "$WORK/gateway" && exec env -i PATH="$PATH" HOME="$HOME" ${DOTNET_ROOT:+DOTNET_ROOT="$DOTNET_ROOT"} \
    ONDEMAND_API_KEYS="$UPSTREAM_KEY" API_ACCESS_TOKEN="$TOKEN" \
    ONDEMAND_API_BASE="http://127.0.0.1:$FAKE_PORT" ONDEMAND_AUTH_BASE="http://127.0.0.1:$FAKE_PORT" \
    RATE_LIMIT=0 LOG_LEVEL=WARNING DATA_DIR="$WORK/gateway/data" PORT="$GATEWAY_PORT" ${GATEWAY_ENV:-} \
    taskset -c "$PROXY_CPU" "$GATEWAY") >"$WORK/gateway/stdout.log" 2>&1 &
  GATEWAY_PID=$!; PIDS+=("$GATEWAY_PID")
  for _ in $(seq 600); do
    curl -sf "http://127.0.0.1:$GATEWAY_PORT/health" >/dev/null 2>&1 && return 0
    kill -0 "$GATEWAY_PID" 2>/dev/null || { cat "$WORK/gateway/stdout.log" >&2; echo "bench: the gateway exited" >&2; exit 1; }
    sleep 0.02
  done
  echo "bench: the gateway did not answer /health" >&2; exit 1
}

PORTKEY_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/odg-bench/portkey"
PORTKEY_PORT=$(free_port)
PORTKEY_PID=""
portkey_available() {
  [[ $PORTKEY == no ]] && return 1
  command -v node >/dev/null && command -v npm >/dev/null || return 1
  if [[ ! -f "$PORTKEY_DIR/node_modules/@portkey-ai/gateway/package.json" ]]; then
    log "installing @portkey-ai/gateway with npm (once, into $PORTKEY_DIR)"
    mkdir -p "$PORTKEY_DIR"
    (cd "$PORTKEY_DIR" && timeout 300 npm install --no-audit --no-fund --loglevel=error @portkey-ai/gateway@1.15 >/dev/null 2>&1) || return 1
  fi
  [[ -f "$PORTKEY_DIR/node_modules/@portkey-ai/gateway/build/start-server.js" ]]
}
start_portkey() {
  (cd "$PORTKEY_DIR" && exec taskset -c "$PROXY_CPU" node node_modules/@portkey-ai/gateway/build/start-server.js --port="$PORTKEY_PORT" --headless) \
    >"$WORK/portkey.log" 2>&1 &
  PORTKEY_PID=$!; PIDS+=("$PORTKEY_PID")
  wait_port "$PORTKEY_PORT"
}
PORTKEY_HEADERS="x-portkey-provider: openai|x-portkey-custom-host: http://127.0.0.1:$FAKE_PORT/v1"

# --- 4. Measuring: CPU from /proc/<pid>/stat, RSS from /proc/<pid>/status ---------------------------------------
TICK=$(getconf CLK_TCK)
group_pids() { local p="$1"; echo "$p"; pgrep -P "$p" 2>/dev/null || true; }   # nginx: master + worker
cpu_ticks() { local sum=0 p; for p in $(group_pids "$1"); do
  [[ -r /proc/$p/stat ]] && sum=$((sum + $(awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$p/stat"))); done; echo "$sum"; }
rss_kb() { local sum=0 p v; for p in $(group_pids "$1"); do
  v=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0); sum=$((sum + ${v:-0})); done; echo "$sum"; }
SAMPLER_PID=""
start_rss_sampler() {  # pid file interval
  ( while kill -0 "$1" 2>/dev/null; do echo "$(date +%s) $(rss_kb "$1")"; sleep "$3"; done ) >"$2" &
  SAMPLER_PID=$!; PIDS+=("$SAMPLER_PID")
}
stop_rss_sampler() { stop "$SAMPLER_PID"; }
# Share of the measured window the proxy kept its CPU busy: near 100 means the proxy was the bottleneck; lower means
# the load side (or another process on the machine) was.
busy_pct() { awk -v a="$1" -v b="$2" -v t="$TICK" -v d="$DURATION" 'BEGIN{ printf "%.0f", (b-a)/t/d*100 }'; }
peak_mb() { awk 'BEGIN{m=0} $2>m{m=$2} END{printf "%.1f", m/1024}' "$1"; }

RESULTS="$WORK/results.jsonl"
: >"$RESULTS"
record() { echo "$1" >>"$RESULTS"; }   # one JSON object per measurement

pid_of() { case "$1" in direct) echo "$FAKE_PID" ;; nginx) echo "$NGINX_PID" ;; portkey) echo "$PORTKEY_PID" ;; gateway) echo "$GATEWAY_PID" ;; esac; }
url_of() { case "$1" in
  direct) echo "http://127.0.0.1:$FAKE_PORT/v1/chat/completions" ;;
  nginx) echo "http://127.0.0.1:$NGINX_PORT/v1/chat/completions" ;;
  portkey) echo "http://127.0.0.1:$PORTKEY_PORT/v1/chat/completions" ;;
  gateway) echo "http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" ;;
esac; }
headers_of() { [[ $1 == portkey ]] && echo "$PORTKEY_HEADERS" || true; }

to_ms() { awk -v v="$1" 'BEGIN{ if (v ~ /us$/) printf "%.3f", v/1000; else if (v ~ /ms$/) printf "%.3f", v+0; else if (v ~ /s$/) printf "%.3f", v*1000; else printf "%.3f", v }'; }

# Non-stream load with wrk (1 thread, on the load CPU): warm-up run, then the measured run with CPU counted.
run_wrk() {  # scenario target connections
  local scenario="$1" target="$2" conns="$3" pid url out before after requests rps p50 p99 errors cpu_us
  pid=$(pid_of "$target"); url=$(url_of "$target"); out="$WORK/wrk-$scenario-$target.txt"
  export BENCH_TOKEN="$TOKEN" BENCH_HEADERS; BENCH_HEADERS="$(headers_of "$target")"
  taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${WARMUP}s" -s "$ROOT/bench/wrk/chat.lua" "$url" >/dev/null 2>&1 || true
  start_rss_sampler "$pid" "$WORK/rss-$scenario-$target.txt" 0.5
  before=$(cpu_ticks "$pid")
  taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${DURATION}s" --timeout 10s --latency -s "$ROOT/bench/wrk/chat.lua" "$url" >"$out" 2>&1 || true
  after=$(cpu_ticks "$pid")
  stop_rss_sampler
  requests=$(awk '/requests in/ {print $1}' "$out"); requests=${requests:-0}
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out"); rps=${rps:-0}
  p50=$(to_ms "$(awk '$1=="50%" {print $2}' "$out")")
  p99=$(to_ms "$(awk '$1=="99%" {print $2}' "$out")")
  errors=$(awk '/Non-2xx or 3xx responses:/ {n+=$NF} /Socket errors:/ {gsub(/,/, ""); n+=$4+$6+$8+$10} END{print n+0}' "$out")
  cpu_us=$(awk -v a="$before" -v b="$after" -v n="$requests" -v t="$TICK" 'BEGIN{ if (n>0) printf "%.1f", (b-a)*1e6/t/n; else print 0 }')
  busy=$(busy_pct "$before" "$after")
  record "$(jq -nc --arg s "$scenario" --arg t "$target" --argjson c "$conns" --argjson rps "$rps" --argjson p50 "$p50" --argjson p99 "$p99" \
    --argjson req "$requests" --argjson err "$errors" --argjson cpu "$cpu_us" --argjson busy "$busy" --argjson peak "$(peak_mb "$WORK/rss-$scenario-$target.txt")" \
    '{scenario:$s,target:$t,connections:$c,rps:$rps,p50:$p50,p99:$p99,requests:$req,errors:$err,cpu_us:$cpu,busy_pct:$busy,peak_rss_mb:$peak}')"
  log "$scenario $target: $rps req/s, p50 $p50 ms, p99 $p99 ms, ${cpu_us} µs CPU/request (CPU ${busy}% busy), $errors errors"
}

# Streaming load with the C# client: warm-up run, then the measured run with CPU counted.
run_stream() {  # scenario target connections
  local scenario="$1" target="$2" conns="$3" pid url out before after requests cpu_us args=()
  pid=$(pid_of "$target"); url=$(url_of "$target"); out="$WORK/stream-$scenario-$target.json"
  args=(--url "$url" --token "$TOKEN" --connections "$conns" --stream --label "$scenario/$target")
  if [[ $target == portkey ]]; then local h; IFS='|' read -ra hs <<<"$PORTKEY_HEADERS"; for h in "${hs[@]}"; do args+=(--header "$h"); done; fi
  taskset -c "$LOAD_CPU" "$CLIENT" "${args[@]}" --duration "$WARMUP" --warmup 0 >/dev/null 2>&1 || true
  start_rss_sampler "$pid" "$WORK/rss-$scenario-$target.txt" 0.5
  before=$(cpu_ticks "$pid")
  taskset -c "$LOAD_CPU" "$CLIENT" "${args[@]}" --duration "$DURATION" --warmup 0 >"$out" 2>"$WORK/stream-$scenario-$target.err" || true
  after=$(cpu_ticks "$pid")
  stop_rss_sampler
  if ! jq -e . "$out" >/dev/null 2>&1; then cat "$WORK/stream-$scenario-$target.err" >&2; echo '{"requests":0,"errors":-1}' >"$out"; fi
  requests=$(jq '.requests' "$out")
  cpu_us=$(awk -v a="$before" -v b="$after" -v n="$requests" -v t="$TICK" 'BEGIN{ if (n>0) printf "%.1f", (b-a)*1e6/t/n; else print 0 }')
  busy=$(busy_pct "$before" "$after")
  record "$(jq -c --arg s "$scenario" --arg t "$target" --argjson cpu "$cpu_us" --argjson busy "$busy" --argjson peak "$(peak_mb "$WORK/rss-$scenario-$target.txt")" \
    '{scenario:$s,target:$t,connections:.connections,rps:.rps,requests:.requests,errors:.errors,missing_done:.missing_done,
      p50:.total_p50_ms,p99:.total_p99_ms,ttfb_p50:.ttfb_p50_ms,ttft_p50:.ttft_p50_ms,ttft_p99:.ttft_p99_ms,
      cpu_us:$cpu,busy_pct:$busy,peak_rss_mb:$peak,first_error:.first_error}' "$out")"
  log "$(tail -1 "$WORK/stream-$scenario-$target.err") | ${cpu_us} µs CPU/stream (CPU ${busy}% busy)"
}

TARGETS=(direct nginx gateway)
if portkey_available; then TARGETS=(direct nginx portkey gateway); else [[ $PORTKEY == no ]] || log "Portkey gateway not installable here: column skipped"; fi

# Portkey 1.15 answers streamed requests with HTTP 500 on Node ("TypeError: immutable" in updateHeaders,
# Portkey-AI/gateway#1389 and #1550), so it only takes part in the non-stream scenarios.
STREAM_TARGETS=(); for t in "${TARGETS[@]}"; do [[ $t == portkey ]] || STREAM_TARGETS+=("$t"); done

# The gateway is a long-running server whose JIT tiers its hot code up under load (bench/README.md, "Runtime choices"):
# after each start it gets GATEWAY_WARMUP seconds of mixed load before anything is measured, and the first 10 s of
# that are recorded as the "cold" figure (requests/s and CPU while it still compiles), next to the start-up row.
warm_gateway() {  # label
  local before after out="$WORK/wrk-cold-$1.txt" requests rps rest
  export BENCH_TOKEN="$TOKEN" BENCH_HEADERS=""
  before=$(cpu_ticks "$GATEWAY_PID")
  taskset -c "$LOAD_CPU" wrk -t1 -c32 -d10s --timeout 10s -s "$ROOT/bench/wrk/chat.lua" "$(url_of gateway)" >"$out" 2>&1 || true
  after=$(cpu_ticks "$GATEWAY_PID")
  requests=$(awk '/requests in/ {print $1}' "$out"); requests=${requests:-0}
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out"); rps=${rps:-0}
  record "$(jq -nc --arg l "$1" --argjson rps "$rps" --argjson req "$requests" \
    --argjson cpu "$(awk -v a="$before" -v b="$after" -v n="$requests" -v t="$TICK" 'BEGIN{ if (n>0) printf "%.1f", (b-a)*1e6/t/n; else print 0 }')" \
    '{scenario:"cold",target:"gateway",label:$l,rps:$rps,requests:$req,cpu_us:$cpu}')"
  rest=$((GATEWAY_WARMUP - 10)); [[ $rest -lt 2 ]] && rest=2
  taskset -c "$LOAD_CPU" "$CLIENT" --url "$(url_of gateway)" --token "$TOKEN" --connections 32 --stream --duration $((rest / 2)) --warmup 0 >/dev/null 2>&1 || true
  taskset -c "$LOAD_CPU" wrk -t1 -c32 -d$((rest - rest / 2))s -s "$ROOT/bench/wrk/chat.lua" "$(url_of gateway)" >/dev/null 2>&1 || true
  log "gateway warmed up ($1): $rps req/s in the first 10 s after start, then $rest s more"
}
start_targets() { start_nginx; [[ " ${TARGETS[*]} " == *" portkey "* ]] && start_portkey; start_gateway; warm_gateway "$1"; }
stop_targets() { stop "$GATEWAY_PID"; stop "$PORTKEY_PID"; stop "$NGINX_PID"; PORTKEY_PID=""; }

# --- 5. Start-up time and idle memory ------------------------------------------------------------------------------
start_fake 50 0 "$PROMPT_CHARS"
log "start-up: time from exec to the first /health answer, and to the first answered chat request"
STARTUPS=(); FIRSTS=()
for i in $(seq "$([[ $QUICK == 1 ]] && echo 2 || echo 5)"); do
  t0=$(date +%s%N); start_gateway; t1=$(date +%s%N)
  curl -sf -o /dev/null "http://127.0.0.1:$GATEWAY_PORT/v1/chat/completions" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}'
  t2=$(date +%s%N)
  STARTUPS+=($(( (t1 - t0) / 1000000 ))); FIRSTS+=($(( (t2 - t0) / 1000000 )))
  if [[ $i == 1 ]]; then
    sleep 2; record "$(jq -nc --argjson v "$(rss_kb "$GATEWAY_PID")" '{scenario:"idle",target:"gateway",rss_mb:($v/1024)}')"
  fi
  stop "$GATEWAY_PID"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
record "$(jq -nc --argjson a "$(median "${STARTUPS[@]}")" --argjson b "$(median "${FIRSTS[@]}")" '{scenario:"startup",target:"gateway",health_ms:$a,first_request_ms:$b}')"
log "start-up: /health after ${STARTUPS[*]} ms; first chat answer after ${FIRSTS[*]} ms"

start_nginx
curl -sf -o /dev/null "$(url_of nginx)" -H 'Content-Type: application/json' -d '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}' || true
sleep 1; record "$(jq -nc --argjson v "$(rss_kb "$NGINX_PID")" '{scenario:"idle",target:"nginx",rss_mb:($v/1024)}')"
stop "$NGINX_PID"

# --- 6. Scenarios ---------------------------------------------------------------------------------------------------
# Fake A: 50 deltas back to back (non-stream and 50-event streams).
start_targets fast
if [[ " ${TARGETS[*]} " == *" portkey "* ]]; then
  sleep 1; record "$(jq -nc --argjson v "$(rss_kb "$PORTKEY_PID")" '{scenario:"idle",target:"portkey",rss_mb:($v/1024)}')"
fi
NONSTREAM_CONNS=(1 32 256); [[ $QUICK == 1 ]] && NONSTREAM_CONNS=(1 32)
for c in "${NONSTREAM_CONNS[@]}"; do for t in "${TARGETS[@]}"; do run_wrk "nonstream-c$c" "$t" "$c"; done; done
for t in "${STREAM_TARGETS[@]}"; do run_stream "stream50-c32" "$t" 32; done
stop_targets; stop "$FAKE_PID"

# Fake B: 500 deltas back to back.
if [[ $QUICK == 0 ]]; then
  start_fake 500 0 "$LONG_CHARS"; start_targets long
  for t in "${STREAM_TARGETS[@]}"; do run_stream "stream500-c32" "$t" 32; done
  stop_targets; stop "$FAKE_PID"
fi

# Fake C: paced, 5 ms before each of 50 deltas: what the proxy adds to the time to first token.
start_fake 50 5 "$PROMPT_CHARS"; start_targets paced
PACED_CONNS=(128 2000); [[ $QUICK == 1 ]] && PACED_CONNS=(128)
for c in "${PACED_CONNS[@]}"; do for t in "${STREAM_TARGETS[@]}"; do run_stream "paced-c$c" "$t" "$c"; done; done
stop_targets; stop "$FAKE_PID"

# --- 7. Soak: steady rate for N minutes, gateway RSS every second -------------------------------------------------
if [[ $SOAK_MINUTES != 0 ]]; then
  start_fake 50 0 "$PROMPT_CHARS"; start_gateway
  log "soak: $SOAK_MINUTES min at 300 non-stream req/s + 100 streams/s (50 events) through the gateway"
  start_rss_sampler "$GATEWAY_PID" "$WORK/rss-soak.txt" 1
  soak_s=$((SOAK_MINUTES * 60))
  before=$(cpu_ticks "$GATEWAY_PID")
  taskset -c "$LOAD_CPU" "$CLIENT" --url "$(url_of gateway)" --token "$TOKEN" --connections 32 --rate 300 --duration "$soak_s" --warmup 0 --label soak-nonstream >"$WORK/soak-ns.json" 2>/dev/null &
  c1=$!; PIDS+=("$c1")
  taskset -c "$LOAD_CPU" "$CLIENT" --url "$(url_of gateway)" --token "$TOKEN" --connections 32 --rate 100 --stream --duration "$soak_s" --warmup 0 --label soak-stream >"$WORK/soak-st.json" 2>/dev/null &
  c2=$!; PIDS+=("$c2")
  wait "$c1" || true; wait "$c2" || true; forget "$c1"; forget "$c2"
  after=$(cpu_ticks "$GATEWAY_PID")
  stop_rss_sampler
  record "$(jq -nc --slurpfile ns "$WORK/soak-ns.json" --slurpfile st "$WORK/soak-st.json" --rawfile rss "$WORK/rss-soak.txt" \
    --argjson minutes "$SOAK_MINUTES" --argjson cpu "$(( (after - before) ))" --argjson tick "$TICK" '
    ($rss | split("\n") | map(select(length>0) | split(" ")[1] | tonumber / 1024)) as $r
    | ($r | length) as $n | ([($n/10|floor), 1] | max) as $w
    | {scenario:"soak",target:"gateway",minutes:$minutes,
       requests:(($ns[0].requests // 0) + ($st[0].requests // 0)), errors:(($ns[0].errors // 0) + ($st[0].errors // 0)),
       missing_done:($st[0].missing_done // 0), nonstream_p99:($ns[0].total_p99_ms // 0), stream_ttft_p99:($st[0].ttft_p99_ms // 0),
       rss_first_mb:($r[$w:2*$w] | add / length), rss_last_mb:($r[-$w:] | add / length), rss_max_mb:($r | max), samples:$n,
       cpu_us:(if (($ns[0].requests // 0) + ($st[0].requests // 0)) > 0 then $cpu * 1e6 / $tick / (($ns[0].requests // 0) + ($st[0].requests // 0)) else 0 end)}')"
  log "soak: $(jq -c 'select(.scenario=="soak")' "$RESULTS")"
  stop "$GATEWAY_PID"; stop "$FAKE_PID"
fi

# --- 8. Report -------------------------------------------------------------------------------------------------------
OUT="${OUT:-$ROOT/bench/results/$(date +%Y-%m-%d-%H%M).md}"
mkdir -p "$(dirname "$OUT")"
cp "$RESULTS" "${OUT%.md}.jsonl"
GATEWAY_WARMUP="$GATEWAY_WARMUP" bash "$ROOT/bench/report.sh" "${OUT%.md}.jsonl" "$QUICK" "$DURATION" | tee "$OUT"
log "report written to $OUT"
