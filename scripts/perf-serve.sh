#!/usr/bin/env bash
# Whole-process figures for `copylab serve`, measured side by side with moto_server in one run:
# time to first response, resident memory when idle with the default world, and ListBackupVaults
# throughput under the same load generator (wrk: same threads, connections, keep-alive, duration),
# and copylab's own bare health route in the same run, to see what a whole AWS call costs.
# Installs what it needs: wrk (Debian) and moto[server] (PyPI, into a throwaway virtualenv).
# Not part of CI: run it by hand and copy the figures into docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
command -v wrk > /dev/null || { apt-get update -qq > /dev/null && apt-get install -y -qq wrk > /dev/null; }
cargo build --release --locked -q -p copylab
venv=$(mktemp -d)
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]'
log=$(mktemp)
cleanup() { kill "${copylab_pid:-}" "${moto_pid:-}" 2> /dev/null || true; rm -rf "$venv" "$log"; }
trap cleanup EXIT
auth='Authorization: AWS4-HMAC-SHA256 Credential=111122223333/20260807/us-east-1/backup/aws4_request, SignedHeaders=host, Signature=0'

# Time to first response: from process start to the first answered ListBackupVaults.
start=$(date +%s%N)
target/release/copylab serve --bind 127.0.0.1:4748 > "$log" 2>&1 &
copylab_pid=$!
until curl -s -o /dev/null -H "$auth" http://127.0.0.1:4748/backup-vaults/; do :; done
first_ms=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 1
rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$copylab_pid/status)

"$venv/bin/moto_server" -p 5001 > /dev/null 2>&1 &
moto_pid=$!
until curl -s -o /dev/null -H "$auth" http://127.0.0.1:5001/backup-vaults/; do sleep 0.2; done

rps() { wrk -t2 -c"$connections" -d"$duration" -H "$auth" "$1" | awk '/Requests\/sec/ {print $2}'; }
copylab_rps=$(rps http://127.0.0.1:4748/backup-vaults/)
health_rps=$(rps http://127.0.0.1:4748/_copylab/health)
moto_rps=$(rps http://127.0.0.1:5001/backup-vaults/)
# ListBackupVaults against the health route in alternating pairs (the machine's speed drifts):
# the median of the pairs' ratios.
ratios=$(for _ in 1 2 3 4 5 6 7; do
  a=$(wrk -t2 -c"$connections" -d3s -H "$auth" http://127.0.0.1:4748/backup-vaults/ | awk '/Requests\/sec/ {print $2}')
  b=$(wrk -t2 -c"$connections" -d3s -H "$auth" http://127.0.0.1:4748/_copylab/health | awk '/Requests\/sec/ {print $2}')
  awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f\n", a / b }'
done | sort -n | tr '\n' ' ')
median_ratio=$(echo "$ratios" | awk '{print $4}')

echo "first response after start: ${first_ms} ms (target: under 50 ms)"
echo "resident memory when idle, default world: $((rss_kb / 1024)) MB (${rss_kb} kB; target: under 20 MB)"
printf '%-14s %12s\n' server "ListBackupVaults/s"
printf '%-14s %12s\n' copylab "$copylab_rps" moto_server "$moto_rps"
echo "copylab's bare health route (no SigV4, no model, no world): ${health_rps}/s"
echo "ratio ListBackupVaults/health, seven alternating 3 s pairs: ${ratios}(median ${median_ratio}; goal: 0.8)"
awk -v a="$copylab_rps" -v b="$moto_rps" 'BEGIN { printf "ratio copylab/moto_server: %.0fx (target: at least 100x)\n", a / b }'
