#!/usr/bin/env bash
# test/interop/teardown.sh — stop the interop mail servers that setup.sh started.
#
# Usage:  sudo bash test/interop/teardown.sh
#
# Stops only processes named by the pid files in the private state dir
# (MAILCTL_INTEROP_DIR, default /tmp/mailctl-interop), and only if the pid
# still belongs to the expected program (postfix master, exim, dovecot).
# Leaves packages, certificates, configs, maildirs and logs in place, so a
# following setup.sh is fast and tests can still read delivered mail.
# Removes nothing outside the state dir. Idempotent: exit 0 when nothing runs.
#
# Skip convention as in setup.sh: not root -> one line on stderr, exit 0
# (exit 3 with --require or MAILCTL_INTEROP_REQUIRE=1).

set -Euo pipefail

REQUIRE=${MAILCTL_INTEROP_REQUIRE:-0}
for arg in "$@"; do
  case "$arg" in
    --require) REQUIRE=1 ;;
    *) echo "interop: unknown argument: $arg (usage: teardown.sh [--require])" >&2; exit 64 ;;
  esac
done

say() { echo "interop: $*" >&2; }

if [ "$(id -u)" != 0 ]; then
  echo "interop: skipped — needs root and apt-get (running as uid $(id -u), not root)" >&2
  [ "$REQUIRE" = 1 ] && exit 3
  exit 0
fi

DIR=${MAILCTL_INTEROP_DIR:-/tmp/mailctl-interop}
DIR=${DIR%/}
if [ ! -d "$DIR" ]; then
  say "nothing to stop ($DIR does not exist)"
  exit 0
fi

T0=$(date +%s.%N)
exec 9>"$DIR/.lock"
flock -w 120 9 || { say "another setup/teardown holds $DIR/.lock"; exit 1; }

# pid_of PIDFILE PATTERN -> prints the pid if alive and its command line matches
pid_of() {
  local pid
  [ -f "$1" ] || return 1
  pid=$(tr -dc '0-9' <"$1")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$2" || return 1
  echo "$pid"
}

# wait_gone PID SECONDS
wait_gone() {
  local i n=$(( $2 * 10 ))
  for ((i = 0; i < n; i++)); do
    [ -d "/proc/$1" ] || return 0
    # a zombie (reaped later by init) counts as gone
    [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ] && return 0
    sleep 0.1
  done
  return 1
}

# stop NAME PIDFILE PATTERN [graceful command...]
stop() {
  local name=$1 pidf=$2 pat=$3 pid
  shift 3
  if ! pid=$(pid_of "$pidf" "$pat"); then
    say "$name: not running"
    rm -f "$pidf"
    return 0
  fi
  if [ $# -gt 0 ]; then
    "$@" >/dev/null 2>&1 9>&- || true
  else
    kill -TERM "$pid" 2>/dev/null || true
  fi
  if ! wait_gone "$pid" 10; then
    say "$name: pid $pid still alive after 10 s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 5 || say "$name: pid $pid did not exit"
  fi
  rm -f "$pidf"
  say "$name: stopped (pid $pid)"
}

# postfix's master stops its children itself; `postfix stop` waits for that.
if command -v postfix >/dev/null 2>&1 && [ -f "$DIR/postfix/etc/main.cf" ]; then
  stop postfix "$DIR/postfix/queue/pid/master.pid" postfix/sbin/master \
    script -qec "postfix -c $DIR/postfix/etc stop" /dev/null
else
  stop postfix "$DIR/postfix/queue/pid/master.pid" postfix/sbin/master
fi
stop exim "$DIR/exim/run/exim.pid" "exim4 -C $DIR/exim/exim.conf"
stop dovecot "$DIR/dovecot/run/master.pid" "dovecot -c $DIR/dovecot/dovecot.conf"

T1=$(date +%s.%N)
say "teardown done in $(awk "BEGIN{printf \"%.1f\", $T1-$T0}") s (state kept in $DIR)"
