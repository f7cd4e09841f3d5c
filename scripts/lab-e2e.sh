#!/usr/bin/env bash
# The training lab end to end: a real headless browser (Debian's chromium and chromium-driver,
# fonts-noto-cjk so Japanese renders; installed here when missing) works an exercise in English
# and Japanese, once by keyboard only checking every control's accessible name, and an exam from
# a seed; `copylab quiz` runs in a pseudo-terminal. Screenshots go to target/lab-screenshots.
# Usage: scripts/lab-e2e.sh [SCREENSHOT_DIR]   (scripts/lab-e2e.sh docs refreshes the docs' screenshots)
set -euo pipefail
cd "$(dirname "$0")/.."
shots=${1:-target/lab-screenshots}
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk > /dev/null
fi
cargo build --locked --quiet -p copylab
copylab=$(pwd)/target/debug/copylab
venv=$(mktemp -d)
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check selenium==4.27.1 pexpect==4.9.0
log=$(mktemp)
"$copylab" serve --bind 127.0.0.1:0 > "$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$venv" "$log"' EXIT
for _ in $(seq 1 50); do grep -q 'http://' "$log" && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$log" | head -1)
"$venv/bin/python" scripts/lab_e2e.py "$url" "$copylab" "$shots"
