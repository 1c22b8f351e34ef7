#!/usr/bin/env bash
# Start-up and warm-up probe (bench/README.md, sixth round). Needs a Release build of the gateway and the fake
# (dotnet build -c Release), wrk, curl and taskset. usage: GATEWAY_ENV="K=V ..." bash bench/slices.sh <label>
# Prints: ms from exec to /health, RSS 2 s after one chat request, CPU us per request in SLICES (default 10)
# 4-second slices of 32-connection non-stream load, RSS at the end and the last slice's requests/s.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"; LABEL=${1:-s}
FAKE=$ROOT/src/OnDemandGateway.FakeUpstream/bin/Release/net10.0/OnDemandGateway.FakeUpstream
GW=${GW:-$ROOT/src/OnDemandGateway/bin/Release/net10.0/OnDemandGateway}
W=$(mktemp -d -t odg-slices-XXXXXX); mkdir -p $W/data; trap 'rm -rf "$W"' EXIT
taskset -c 1 $FAKE --port 19021 --api-key k --deltas 50 --delta-delay-ms 0 --answer-chars 200 --heartbeat-ms 0 --quiet --openai-mode > $W/fake.log 2>&1 &
FP=$!; sleep 0.5
T0=$(date +%s%N)
(cd $W && exec env -i PATH="$PATH" HOME="$HOME" ONDEMAND_API_KEYS=k API_ACCESS_TOKEN=tok-0123456789abcdef ONDEMAND_API_BASE=http://127.0.0.1:19021 ONDEMAND_AUTH_BASE=http://127.0.0.1:19021 RATE_LIMIT=0 LOG_LEVEL=WARNING DATA_DIR=$W/data PORT=19022 ${GATEWAY_ENV:-} taskset -c 0 $GW) > $W/gw.log 2>&1 &
GP=$!
for i in $(seq 400); do curl -sf http://127.0.0.1:19022/health >/dev/null && break; sleep 0.01; done; H=$(( ($(date +%s%N)-T0)/1000000 ))
curl -sf -o /dev/null http://127.0.0.1:19022/v1/chat/completions -H "Authorization: Bearer tok-0123456789abcdef" -H 'Content-Type: application/json' -d '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}'
sleep 2; IDLE=$(awk '/VmRSS/{print int($2/1024)}' /proc/$GP/status)
export BENCH_TOKEN=tok-0123456789abcdef
out="$LABEL health_ms=$H idle_mb=$IDLE slices:"
for s in $(seq ${SLICES:-10}); do
  t0=$(awk '{print $14+$15}' /proc/$GP/stat)
  taskset -c 1 wrk -t1 -c32 -d4s -s $ROOT/bench/wrk/chat.lua http://127.0.0.1:19022/v1/chat/completions > $W/wrk.txt
  t1=$(awk '{print $14+$15}' /proc/$GP/stat)
  total=$(grep -oP '\d+ requests' $W/wrk.txt | grep -oP '\d+')
  out="$out $(( (t1-t0)*10000/total ))"
done
echo "$out load_mb=$(awk '/VmRSS/{print int($2/1024)}' /proc/$GP/status) $(grep -oP 'Requests/sec:\s+\K[0-9.]+' $W/wrk.txt)rps"
kill $GP $FP; wait 2>/dev/null
