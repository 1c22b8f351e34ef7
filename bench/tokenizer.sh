#!/usr/bin/env bash
# Tokenizer benchmark: builds bench/TokenizerBench in Release, installs the pinned npm tiktoken baseline
# (skipped with a note when npm or the registry is unavailable), and prints markdown tables.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
node_dir="$root/bench/TokenizerBench/node"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

node_args=()
if command -v node >/dev/null && command -v npm >/dev/null \
   && (cd "$node_dir" && npm install --no-audit --no-fund --no-package-lock --loglevel=error >"$work/npm.log" 2>&1); then
  node_args=(--node "$node_dir")
else
  echo "note: npm install of the tiktoken baseline failed; measuring ours only" >&2
fi

dotnet build "$root/bench/TokenizerBench" -c Release -v quiet -nologo >"$work/build.log" || { cat "$work/build.log"; exit 1; }
dotnet "$root/bench/TokenizerBench/bin/Release/net10.0/OnDemandGateway.Bench.dll" --text "$work/text.txt" "${node_args[@]}" "$@"
