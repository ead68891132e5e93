#!/usr/bin/env bash
# test/browser/setup.sh — installs Debian's chromium for the browser tests (test/browser/), when it is missing.
# playwright-core drives that system browser; nothing downloads a browser of its own. Idempotent: with
# /usr/bin/chromium present it does nothing. Needs root and apt-get; without them it says so and exits 0 (the
# tests then skip with a message, or fail when CI=true, where the browser must be there).
set -euo pipefail
CHROMIUM=${MAILCTL_CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  echo "browser: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")" >&2
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "browser: chromium is missing and this is not root with apt-get: the browser tests will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "browser: installing Debian's chromium" >&2
if ! { apt-get -o DPkg::Lock::Timeout=600 update && apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends chromium; } >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  echo "browser: installing chromium failed" >&2
  exit 1
fi
echo "browser: $("$CHROMIUM" --version 2>/dev/null)" >&2
