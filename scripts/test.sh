#!/usr/bin/env bash
# The test command (README "Test"). On a fresh Debian 12 machine, as root: installs what the tests need when
# missing (PostgreSQL for the storage tests, Chromium for the dashboard's browser tests, nginx for the deployment test), starts a throwaway
# PostgreSQL cluster on 127.0.0.1 for the run, runs every test, prints "N passed, N failed" and exits with
# the test run's exit code. Idempotent; needs no stdin (CI=true).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo -n); fi

# PostgreSQL's binaries are not on PATH on Debian: they live in /usr/lib/postgresql/<version>/bin.
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# --- 1. Install what is missing (apt-get update only when something is) ---------------------------------
missing=()
{ [ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ]; } || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx)   # the deployment test runs deploy/nginx.conf for real
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  "${SUDO[@]}" apt-get update -qq </dev/null
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi
command -v dotnet >/dev/null || { echo "dotnet (SDK 10) is not installed" >&2; exit 1; }
PG_BIN="$(pg_bin)"

# --- 2. Throwaway PostgreSQL cluster, stopped and removed on exit ------------------------------------------
PGTMP="$(mktemp -d -t odg-pg-XXXXXX)"
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$PGTMP"
  as_pg() { runuser -u postgres -- "$@"; }   # initdb and postgres refuse to run as root
else
  as_pg() { "$@"; }
fi
RESULTS="$(mktemp -d -t odg-test-XXXXXX)"
cleanup() {
  if [ -f "$PGTMP/data/postmaster.pid" ]; then as_pg "$PG_BIN/pg_ctl" -D "$PGTMP/data" -m fast stop >/dev/null 2>&1 || true; fi
  rm -rf "$PGTMP" "$RESULTS"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=""
for candidate in $(shuf -i 20000-60000 -n 50); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port="$candidate"; break; fi
done
[ -n "$port" ] || { echo "no free port found for PostgreSQL" >&2; exit 1; }

as_pg "$PG_BIN/initdb" -D "$PGTMP/data" -A trust -U postgres -E UTF8 --no-sync >"$PGTMP/initdb.log" 2>&1 \
  || { cat "$PGTMP/initdb.log" >&2; exit 1; }
as_pg "$PG_BIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $PGTMP -c fsync=off -c max_connections=200" start >/dev/null \
  || { cat "$PGTMP/server.log" >&2; exit 1; }
export ODG_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"

# --- 3. Run every test; count from the TRX files ---------------------------------------------------------
set +e
dotnet test OnDemandGateway.slnx -c Release --results-directory "$RESULTS" --logger trx \
  --logger "console;verbosity=normal" </dev/null 2>&1 | tee "$RESULTS/console.log"
code=${PIPESTATUS[0]}
set -e

passed=0; failed=0
shopt -s nullglob
for trx in "$RESULTS"/*.trx "$RESULTS"/*/*.trx; do
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  # No TRX (e.g. an old SDK): fall back to the "Passed!/Failed!  - Failed: N, Passed: N" summary lines.
  while read -r f p; do passed=$((passed + p)); failed=$((failed + f)); done < <(
    sed -n 's/.*\(Passed\|Failed\)! *- *Failed: *\([0-9]*\), *Passed: *\([0-9]*\).*/\2 \3/p' "$RESULTS/console.log")
fi
if [ "$failed" -gt 0 ]; then
  # Name every failed test and the first lines of its message last, where a CI log's tail shows them.
  echo "Failed tests:"
  for trx in "$RESULTS"/*.trx "$RESULTS"/*/*.trx; do
    python3 - "$trx" <<'PY' 2>/dev/null || { grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" | sed -n 's/.*testName="\([^"]*\)".*/  \1/p'; } || true
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for r in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult[@outcome='Failed']", ns):
    print("  " + r.get("testName"))
    message = r.findtext(".//t:ErrorInfo/t:Message", default="", namespaces=ns)
    stack = r.findtext(".//t:ErrorInfo/t:StackTrace", default="", namespaces=ns)
    for line in (message.strip().splitlines()[:12] + stack.strip().splitlines()[:6]):
        print("    " + line)
PY
  done
fi
if [ "$code" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $code (build or run error; see above)" >&2
fi
echo "$passed passed, $failed failed"
exit "$code"
