#!/usr/bin/env bash
# test/interop/run.sh — the interop suite: start the real servers (setup.sh), run test/interop/**/*.test.ts
# against them with vitest, and stop them again (teardown.sh, always, also on failure). Exits with vitest's status.
#
# Usage:  npm run test:interop          (builds first; the tests spawn the built CLI)
#         bash test/interop/run.sh [vitest args…]
#
# Skip behaviour: without root or apt-get, setup.sh skips. On a developer machine that is exit 0 with the line
#   "interop: skipped — needs root and apt-get (…)"
# In CI (CI=true) or with MAILCTL_INTEROP_REQUIRE=1 a skip is a failure (exit 1), so a broken CI cannot pass
# silently.
#
# Environment:
#   MAILCTL_INTEROP_DIR      state dir (default /tmp/mailctl-interop), passed on to setup, tests and teardown
#   MAILCTL_INTEROP_REQUIRE  1 = a skip fails (implied by CI=true)
#   MAILCTL_INTEROP_KEEP     1 = leave the servers running afterwards (for iterating on tests; a re-run is warm)
set -uo pipefail
cd "$(dirname "$0")/../.."

export MAILCTL_INTEROP_DIR=${MAILCTL_INTEROP_DIR:-/tmp/mailctl-interop}
REQUIRE=${MAILCTL_INTEROP_REQUIRE:-0}
[ "${CI:-}" = true ] && REQUIRE=1

env_out=$(mktemp)
cleanup() {
  rm -f "$env_out"
  if [ "${MAILCTL_INTEROP_KEEP:-0}" = 1 ]; then
    echo "interop: servers left running (MAILCTL_INTEROP_KEEP=1); stop them with: bash test/interop/teardown.sh" >&2
  else
    bash test/interop/teardown.sh >&2 || echo "interop: teardown failed (exit $?)" >&2
  fi
}

# setup.sh prints env.json on stdout, or nothing when it skips; with --require a skip exits 3.
setup_args=()
[ "$REQUIRE" = 1 ] && setup_args=(--require)
bash test/interop/setup.sh "${setup_args[@]}" >"$env_out"
status=$?
if [ "$status" = 3 ]; then
  echo "interop: FAILED — the interop servers are required here (CI=${CI:-unset}, MAILCTL_INTEROP_REQUIRE=${MAILCTL_INTEROP_REQUIRE:-unset}) but setup skipped" >&2
  rm -f "$env_out"
  exit 1
fi
if [ "$status" = 0 ] && [ ! -s "$env_out" ]; then
  # setup.sh already printed "interop: skipped — needs root and apt-get (…)".
  if [ "$REQUIRE" = 1 ]; then
    echo "interop: FAILED — setup skipped but the suite is required" >&2
    rm -f "$env_out"
    exit 1
  fi
  rm -f "$env_out"
  exit 0
fi
# From here on something may be running: stop it whatever happens (a failed setup can leave servers up).
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [ "$status" != 0 ]; then
  echo "interop: FAILED — setup.sh exited $status" >&2
  exit 1
fi

npx vitest run --config vitest.interop.config.ts "$@"
exit $?
