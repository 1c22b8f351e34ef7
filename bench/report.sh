#!/usr/bin/env bash
# Renders the markdown table of a bench run from its results (one JSON object per measurement).
#   bash bench/report.sh results.jsonl [quick=0|1] [seconds per scenario]
set -euo pipefail
F="$1"; QUICK="${2:-0}"; DURATION="${3:-10}"

v() { jq -r --arg s "$1" --arg t "$2" --arg f "$3" 'select(.scenario==$s and .target==$t) | .[$f] // empty' "$F" | tail -1; }
has() { [[ -n $(v "$1" "$2" scenario) ]]; }
num() { [[ -n ${1:-} ]] && awk -v x="$1" -v d="${2:-0}" 'BEGIN{printf "%.*f", d, x}' || echo "–"; }
pair() { [[ -n ${1:-} ]] && echo "$(num "$1" 2) / $(num "$2" 2)" || echo "–"; }
ratio() { [[ -n ${1:-} && -n ${2:-} ]] && awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2f×", a/b; else print "–" }' || echo "–"; }
added() { [[ -n ${1:-} && -n ${2:-} ]] && awk -v a="$1" -v b="$2" 'BEGIN{ printf "%+.2f", a-b }' || echo "–"; }

TARGETS=(nginx); has nonstream-c32 portkey && TARGETS+=(portkey); TARGETS+=(gateway direct)
title() { case "$1" in nginx) echo "nginx $(nginx -v 2>&1 | sed 's|.*/||')" ;; portkey) echo "Portkey gateway 1.15 (Node)" ;;
  gateway) echo "**OnDemand Gateway**" ;; direct) echo "fake upstream, direct" ;; esac; }

header="| figure |"; rule="|---|"
for t in "${TARGETS[@]}"; do header+=" $(title "$t") |"; rule+="---|"; done
header+=" ours ÷ nginx | ours ÷ direct | target |"; rule+="---|---|---|"

row() {  # label kind scenario field [field2] target
  local label="$1" kind="$2" s="$3" f="$4" f2="$5" goal="$6" line t a b
  has "$s" gateway || has "$s" nginx || return 0
  line="| $label |"
  for t in "${TARGETS[@]}"; do
    a=$(v "$s" "$t" "$f"); b=$([[ -n $f2 ]] && v "$s" "$t" "$f2" || true)
    case "$kind" in
      int) line+=" $(num "$a" 0) |" ;;
      ms) line+=" $(num "$a" 2) |" ;;
      pair) line+=" $(pair "$a" "$b") |" ;;
      mb) line+=" $(num "$a" 1) |" ;;
    esac
  done
  line+=" $(ratio "$(v "$s" gateway "$f")" "$(v "$s" nginx "$f")") | $(ratio "$(v "$s" gateway "$f")" "$(v "$s" direct "$f")") | $goal |"
  echo "$line"
}

added_row() {  # label scenario
  local s="$2" line t
  has "$s" gateway || return 0
  line="| $1 |"
  for t in "${TARGETS[@]}"; do
    if [[ $t == direct ]]; then line+=" 0 |"; elif ! has "$s" "$t"; then line+=" – |"; else line+=" $(added "$(v "$s" "$t" ttft_p50)" "$(v "$s" direct ttft_p50)") / $(added "$(v "$s" "$t" ttft_p99)" "$(v "$s" direct ttft_p99)") |"; fi
  done
  echo "$line | | ≤ +0.5 ms (p50) |"
}

machine="$(lscpu 2>/dev/null | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}'), $(nproc --all) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), Linux $(uname -r), .NET $(dotnet --version 2>/dev/null || echo '?')"
load="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "### Benchmark results, $(date +%Y-%m-%d)$([[ $QUICK == 1 ]] && echo ' (quick run)')"
echo
echo "Machine: $machine; load average at the end $load (the machine is shared, so compare the columns of one run, not runs)."
echo "Each proxy pinned to CPU 0; wrk or the stream client and the fake upstream share CPU 1. Each scenario: warm-up, then ${DURATION} s measured."
echo "Latencies in ms; CPU is the proxy's own user+system time from /proc divided by the requests it served; the ratios of \"a / b\" rows compare the first figure."
echo
echo "$header"
echo "$rule"
row "non-stream requests/s, 1 connection" int nonstream-c1 rps "" ""
row "non-stream requests/s, 32 connections" int nonstream-c32 rps "" "≥ 17,000"
row "non-stream requests/s, 256 connections" int nonstream-c256 rps "" ""
row "non-stream p50 / p99, 1 connection" pair nonstream-c1 p50 p99 ""
row "non-stream p50 / p99, 32 connections" pair nonstream-c32 p50 p99 "≤ 1.2 / 4 ms"
row "non-stream p50 / p99, 256 connections" pair nonstream-c256 p50 p99 ""
row "CPU µs per non-stream request (32 conn.)" int nonstream-c32 cpu_us "" "≤ 55 µs"
row "its CPU busy, % of the run (non-stream, 32 conn.)" int nonstream-c32 busy_pct "" ""
row "50-event streams/s, 32 connections" int stream50-c32 rps "" "≥ 4,000"
row "50-event streams: first token p50 / p99" pair stream50-c32 ttft_p50 ttft_p99 ""
row "CPU µs per 50-event stream" int stream50-c32 cpu_us "" ""
row "its CPU busy, % of the run (50-event streams)" int stream50-c32 busy_pct "" ""
row "500-event streams/s, 32 connections" int stream500-c32 rps "" ""
row "CPU µs per 500-event stream" int stream500-c32 cpu_us "" ""
row "paced streams, 128 conn.: first token p50 / p99" pair paced-c128 ttft_p50 ttft_p99 ""
added_row "added time to first token, 128 conn. (p50 / p99)" paced-c128
row "paced streams, 2,000 conn.: first token p50 / p99" pair paced-c2000 ttft_p50 ttft_p99 ""
added_row "added time to first token, 2,000 conn. (p50 / p99)" paced-c2000
row "paced streams, 2,000 conn.: streams/s" int paced-c2000 rps "" ""
line="| RSS idle / peak under load, MB |"
for t in "${TARGETS[@]}"; do
  idle=$(v idle "$t" rss_mb)
  peak=$(jq -s --arg t "$t" '[.[] | select(.target==$t) | .peak_rss_mb // empty] | max // empty' "$F")
  line+=" $(num "$idle" 0) / $(num "$peak" 0) |"
done
echo "$line | | ≤ 80 / 200 MB |"
line="| peak RSS, MB: non-stream 32 / 256 conn., 50-event streams, paced 2,000 conn. |"
for t in "${TARGETS[@]}"; do
  line+=" $(num "$(v nonstream-c32 "$t" peak_rss_mb)" 0) / $(num "$(v nonstream-c256 "$t" peak_rss_mb)" 0) / $(num "$(v stream50-c32 "$t" peak_rss_mb)" 0) / $(num "$(v paced-c2000 "$t" peak_rss_mb)" 0) |"
done
echo "$line | | |"
line="| failed requests (all scenarios) |"
for t in "${TARGETS[@]}"; do line+=" $(jq -s --arg t "$t" '[.[] | select(.target==$t) | (.errors // 0)] | add // 0' "$F") |"; done
echo "$line | | 0 |"
echo
if [[ -n $(v startup gateway health_ms) ]]; then
  echo "Start-up (median): the gateway answers /health $(v startup gateway health_ms) ms after exec, and its first chat completion (JIT, first upstream session) $(v startup gateway first_request_ms) ms after exec."
fi
cold=$(jq -r 'select(.scenario=="cold" and .label=="fast") | "\(.rps|floor) requests/s at \(.cpu_us|floor) µs CPU each"' "$F" | tail -1)
if [[ -n $cold ]]; then
  echo
  echo "Cold: in its first 10 s after start (32 connections, non-stream, the JIT still tiering its code up) the gateway served $cold; every figure in the table is measured after ${GATEWAY_WARMUP:-30} s of such warm-up load."
fi
if [[ -n $(v soak gateway minutes) ]]; then
  echo
  echo "Soak: $(v soak gateway minutes) min at a steady 300 non-stream requests/s + 100 streams/s through the gateway, RSS sampled every second ($(v soak gateway samples) samples):"
  echo "$(v soak gateway requests) requests, $(v soak gateway errors) failed, $(v soak gateway missing_done) streams without [DONE];"
  echo "RSS $(num "$(v soak gateway rss_first_mb)" 1) MB over the first tenth, $(num "$(v soak gateway rss_last_mb)" 1) MB over the last tenth, at most $(num "$(v soak gateway rss_max_mb)" 1) MB;"
  echo "non-stream p99 $(num "$(v soak gateway nonstream_p99)" 2) ms, stream first-token p99 $(num "$(v soak gateway stream_ttft_p99)" 2) ms, $(num "$(v soak gateway cpu_us)" 0) µs CPU per request."
fi
if has nonstream-c32 portkey; then
  echo
  echo "Portkey gateway 1.15 (Node $(node --version 2>/dev/null)) has no stream figures: it answers every streamed request with HTTP 500 (\"TypeError: immutable\" in updateHeaders; Portkey-AI/gateway#1389, #1550)."
else
  echo
  echo "Portkey gateway: not measured in this run (npm could not install @portkey-ai/gateway, or --no-portkey)."
fi
