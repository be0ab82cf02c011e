#!/usr/bin/env bash
# install_browser.sh: the real browser the browser tests drive (Debian's chromium, through Playwright's
# executable_path; Playwright's own browser download cannot work on machines without internet).
# Also axe-core from npm (tests/e2e/npm). Idempotent: does nothing when both are there.
set -euo pipefail
chromium=${CAMPUSBOT_CHROMIUM:-/usr/bin/chromium}
# axe-core (the accessibility checks the web chat's browser tests inject), at the version package-lock.json pins
npm_dir="$(dirname "$0")/../tests/e2e/npm"
if [ ! -f "$npm_dir/node_modules/axe-core/axe.min.js" ]; then
  npm ci --prefix "$npm_dir" --no-audit --no-fund --loglevel=error
fi
if "$chromium" --version >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "error: $chromium is missing and this user cannot install it; run as root: apt-get install -y chromium" >&2
  exit 1
fi
echo "installing Debian's chromium for the browser tests (apt-get)" >&2
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq chromium fonts-liberation >/dev/null
"$chromium" --version >&2
