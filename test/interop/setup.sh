#!/usr/bin/env bash
# test/interop/setup.sh — install and start real mail servers on 127.0.0.1 for
# mailctl's interop tests. Idempotent: run it as often as you like.
#
# Usage:  sudo bash test/interop/setup.sh [--require]
#
# What it starts (all from one private state dir, default /tmp/mailctl-interop,
# override with MAILCTL_INTEROP_DIR; nothing listens anywhere but 127.0.0.1):
#   postfix  2525 smtp (STARTTLS offered, no AUTH)   2587 submission (STARTTLS
#            required, AUTH required)   2465 submissions (implicit TLS, AUTH)
#            SASL through a private Dovecot auth-only instance.
#   exim     3525 / 3587 / 3465, the same three roles, exim's own plaintext
#            authenticators (PLAIN, LOGIN), GnuTLS.
# and writes <dir>/env.json (also printed on stdout) describing ports, users,
# passwords, maildirs, CA paths and logs. See README.md beside this file.
#
# Output convention: stdout carries env.json and nothing else; progress,
# warnings and errors go to stderr, each line prefixed "interop:".
#
# Skip convention (machines where the servers cannot be installed):
#   not root, or no apt-get  ->  one line on stderr
#       "interop: skipped — needs root and apt-get (<reason>)"
#   nothing is written anywhere, stdout stays empty, and the exit code is
#       0  by default            (a runner detects the skip by: no env.json / empty stdout)
#       3  with --require, or with MAILCTL_INTEROP_REQUIRE=1  (CI wants it loud)
# Any other failure exits 1 after printing the relevant log tails on stderr.
#
# Why exim is not installed as a package: in Debian, postfix, exim4-daemon-*
# and opensmtpd all "Provides + Conflicts: mail-transport-agent", so only one
# of them can be installed (exim4-config even conflicts with postfix by name).
# Postfix is installed normally; exim4-daemon-light is fetched with
# `apt-get download` and unpacked with `dpkg -x` into <dir>/exim/root, its
# shared-library dependencies are installed with apt (they conflict with
# nothing), and it runs with `-C <dir>/exim/exim.conf`. The light daemon is
# enough: it has GnuTLS and the plaintext authenticator (PLAIN/LOGIN), and it
# needs far fewer libraries than -heavy. The Debian binary looks up its
# compiled-in user "Debian-exim" at startup, so that system user is created
# if missing (as exim4-base's postinst would).
#
# Postfix runs as a second instance with its own config directory
# (`postfix -c <dir>/postfix/etc`), queue, data dir and log; the default
# /etc/postfix instance is never configured or started. Dovecot runs with
# `dovecot -c <dir>/dovecot/dovecot.conf`, protocols = none: only its auth
# service, on a unix socket in the private dir.
#
# Safety: every listener is bound to 127.0.0.1 explicitly; postfix has no
# relayhost and its default/relay/local transports are `error:` (there is no
# smtp client service in its master.cf at all); exim has no dnslookup or smtp
# transport, non-local domains are :fail:ed by a router. Nothing can leave the
# machine.
#
# Environment:
#   MAILCTL_INTEROP_DIR      state dir (default /tmp/mailctl-interop); [A-Za-z0-9._/-] only
#   MAILCTL_INTEROP_REQUIRE  1 = a skip exits 3 (same as --require)
#   MAILCTL_INTEROP_ALLOW_MTA_SWAP  1 = allow apt to replace an already installed
#                            MTA package (exim4, sendmail, ...) by postfix.
#                            Without it, setup refuses instead of removing it.

set -Eeuo pipefail
umask 022

REQUIRE=${MAILCTL_INTEROP_REQUIRE:-0}
for arg in "$@"; do
  case "$arg" in
    --require) REQUIRE=1 ;;
    -h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "interop: unknown argument: $arg (usage: setup.sh [--require])" >&2; exit 64 ;;
  esac
done

skip() {
  echo "interop: skipped — needs root and apt-get ($1)" >&2
  if [ "$REQUIRE" = 1 ]; then exit 3; fi
  exit 0
}
[ "$(id -u)" = 0 ] || skip "running as uid $(id -u), not root"
command -v apt-get >/dev/null 2>&1 || skip "apt-get not found"
command -v dpkg >/dev/null 2>&1 || skip "dpkg not found"

DIR=${MAILCTL_INTEROP_DIR:-/tmp/mailctl-interop}
case "$DIR" in
  /*) ;;
  *) echo "interop: MAILCTL_INTEROP_DIR must be an absolute path: $DIR" >&2; exit 1 ;;
esac
if [[ ! "$DIR" =~ ^[A-Za-z0-9._/-]+$ ]]; then
  echo "interop: MAILCTL_INTEROP_DIR may only contain [A-Za-z0-9._/-]: $DIR" >&2; exit 1
fi
DIR=${DIR%/}
# unix socket paths are limited to 107 bytes; the longest one is $DIR/dovecot/run/auth-postfix
if [ ${#DIR} -gt 70 ]; then
  echo "interop: MAILCTL_INTEROP_DIR is too long (max 70 chars, unix socket paths): $DIR" >&2; exit 1
fi

# ---------------------------------------------------------------- constants
HOST=127.0.0.1
PF_DOMAIN=mailctl.test
PF_HOSTNAME=mx.mailctl.test
EX_DOMAIN=exim.mailctl.test
EX_HOSTNAME=exim.mailctl.test
PF_SMTP=2525 PF_SUB=2587 PF_SUBS=2465
EX_SMTP=3525 EX_SUB=3587 EX_SUBS=3465
USERS="alice bob"
# Fixed test passwords: these servers only ever listen on loopback.
pw() { echo "$1-interop-pw"; }
MAIL_UID_NAME=mail          # Debian's uid 8; owns postfix's virtual maildirs
EXIM_USER=Debian-exim       # the name compiled into Debian's exim binary

BASE_PKGS="postfix dovecot-core swaks msmtp openssl libsasl2-modules libnet-ssleay-perl ca-certificates"
EXIM_PKG=exim4-daemon-light

LOG=$DIR/log
TLS=$DIR/tls
PF=$DIR/postfix
DC=$DIR/dovecot
EX=$DIR/exim
MAILROOT=$DIR/mail
EXIM_BIN=$EX/root/usr/sbin/exim4

T0=$(date +%s.%N)
say() { echo "interop: $*" >&2; }

tail_logs() {
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    echo "----- tail $f" >&2
    tail -n 30 "$f" >&2 || true
  done
}
all_logs() {
  echo "$LOG/apt.log $LOG/postfix.log $LOG/postfix-start.log $LOG/dovecot.log $LOG/dovecot-start.log $LOG/exim-start.log $LOG/exim/mainlog $LOG/exim/paniclog $LOG/exim/rejectlog"
}
die() {
  trap - ERR
  say "FAILED: $1"
  shift || true
  # shellcheck disable=SC2046
  tail_logs "${@:-$(all_logs)}"
  exit 1
}
on_err() {
  local rc=$? line=$1 cmd=$2
  trap - ERR
  say "FAILED (exit $rc) at setup.sh:$line: $cmd"
  # shellcheck disable=SC2046
  tail_logs $(all_logs)
  exit 1
}
trap 'on_err $LINENO "$BASH_COMMAND"' ERR

# ------------------------------------------------------------ state dir + lock
mkdir -p "$DIR" "$LOG"
chmod 0755 "$DIR" "$LOG"
exec 9>"$DIR/.lock"
if ! flock -w 600 9; then die "another setup/teardown holds $DIR/.lock"; fi

# write_file PATH MODE OWNER:GROUP  (content on stdin)
# Writes only when the content differs; sets CHANGED=1 when it wrote.
CHANGED=0
write_file() {
  local path=$1 mode=$2 owner=$3 tmp
  tmp=$(mktemp "$path.XXXXXX")
  cat >"$tmp"
  if [ -f "$path" ] && cmp -s "$tmp" "$path"; then
    rm -f "$tmp"
  else
    mv -f "$tmp" "$path"
    CHANGED=1
  fi
  chmod "$mode" "$path"
  chown "$owner" "$path"
}

pkg_installed() { dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^ii'; }

exim_libs_ok() {
  [ -x "$EXIM_BIN" ] || return 1
  ! ldd "$EXIM_BIN" 2>/dev/null | grep -q 'not found'
}

# ------------------------------------------------------------------ packages
export DEBIAN_FRONTEND=noninteractive
APT_UPDATED=0
apt_update() {
  [ $APT_UPDATED = 1 ] && return 0
  apt-get -o DPkg::Lock::Timeout=300 update >>"$LOG/apt.log" 2>&1 || die "apt-get update failed" "$LOG/apt.log"
  APT_UPDATED=1
}

# Exim's runtime libraries: the Depends of the daemon package minus the
# exim4-base/exim4-config packages (which conflict with postfix) and debconf.
EXIM_DEPS=""
exim_deps() {
  local deps
  deps=$(apt-cache show --no-all-versions "$EXIM_PKG" 2>>"$LOG/apt.log" \
    | sed -n 's/^Depends: //p' | tr ',' '\n' \
    | sed -e 's/|.*//' -e 's/(.*)//' -e 's/^ *//' -e 's/ *$//' \
    | grep -vE '^(exim4-base|exim4-config|debconf|)$' | tr '\n' ' ') || true
  [ -n "$deps" ] || die "no Depends found for $EXIM_PKG (apt lists?)" "$LOG/apt.log"
  EXIM_DEPS=$deps
}

# apt_install PKG... — non-interactive, never removes another MTA silently,
# never starts the system-wide daemons.
apt_install() {
  say "packages: installing $* …"
  apt_update
  local removals
  removals=$(apt-get -s install --no-install-recommends "$@" 2>>"$LOG/apt.log" | sed -n 's/^Remv \([^ ]*\).*/\1/p' | tr '\n' ' ')
  if [ -n "$removals" ] && [ "${MAILCTL_INTEROP_ALLOW_MTA_SWAP:-0}" != 1 ]; then
    die "installing postfix would remove: $removals— set MAILCTL_INTEROP_ALLOW_MTA_SWAP=1 to allow it" "$LOG/apt.log"
  fi
  # postfix: "No configuration" — /etc/postfix/main.cf is never created or used.
  printf '%s\n' \
    "postfix postfix/main_mailer_type select No configuration" \
    "postfix postfix/mailname string $PF_HOSTNAME" \
    "msmtp msmtp/apparmor boolean false" | debconf-set-selections
  # Keep maintainer scripts from starting the system-wide postfix/dovecot:
  # a temporary policy-rc.d (only if the machine has none of its own).
  local policy=/usr/sbin/policy-rc.d made_policy=0 rc=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# temporary, written by mailctl test/interop/setup.sh\nexit 101\n' >"$policy"
    chmod 0755 "$policy"
    made_policy=1
  fi
  apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "$@" >>"$LOG/apt.log" 2>&1 || rc=$?
  if [ $made_policy = 1 ]; then rm -f "$policy"; fi
  [ $rc = 0 ] || die "apt-get install failed (exit $rc)" "$LOG/apt.log"
}

install_packages() {
  local missing="" p
  for p in $BASE_PKGS; do pkg_installed "$p" || missing="$missing $p"; done
  if [ -z "$missing" ]; then
    say "packages: all present"
    return 0
  fi
  apt_update
  exim_deps
  # shellcheck disable=SC2086
  apt_install $BASE_PKGS $EXIM_DEPS
}

install_exim() {
  if ! getent passwd "$EXIM_USER" >/dev/null; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$EXIM_USER"
  fi
  if [ ! -x "$EXIM_BIN" ]; then
    say "exim: fetching $EXIM_PKG with apt-get download (unpacked privately, not installed)"
    mkdir -p "$DIR/pkg"
    rm -f "$DIR/pkg/$EXIM_PKG"_*.deb
    if ! (cd "$DIR/pkg" && apt-get download "$EXIM_PKG") >>"$LOG/apt.log" 2>&1; then
      apt_update
      (cd "$DIR/pkg" && apt-get download "$EXIM_PKG") >>"$LOG/apt.log" 2>&1 \
        || die "apt-get download $EXIM_PKG failed" "$LOG/apt.log"
    fi
    rm -rf "$EX/root.new"
    mkdir -p "$EX/root.new"
    dpkg -x "$DIR/pkg/$EXIM_PKG"_*.deb "$EX/root.new"
    rm -rf "$EX/root"
    mv "$EX/root.new" "$EX/root"
  fi
  if ! exim_libs_ok; then
    apt_update
    exim_deps
    # shellcheck disable=SC2086
    apt_install $EXIM_DEPS
  fi
  exim_libs_ok || die "exim binary $EXIM_BIN is missing libraries: $(ldd "$EXIM_BIN" | grep 'not found' | tr '\n' ' ')" "$LOG/apt.log"
}

# ---------------------------------------------------------------- certificates
make_ca() { # name subject
  local n=$1 subj=$2
  openssl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -keyout "$TLS/$n.key" -out "$TLS/$n.crt" -subj "$subj" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>>"$LOG/openssl.log"
}
make_leaf() { # ca name cn
  local ca=$1 n=$2 cn=$3 ext
  ext=$(mktemp)
  cat >"$ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:$PF_HOSTNAME,DNS:$EX_HOSTNAME
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF
  openssl req -new -newkey rsa:2048 -nodes -sha256 -keyout "$TLS/$n.key" \
    -out "$TLS/$n.csr" -subj "/CN=$cn" 2>>"$LOG/openssl.log"
  openssl x509 -req -in "$TLS/$n.csr" -CA "$TLS/$ca.crt" -CAkey "$TLS/$ca.key" \
    -CAcreateserial -days 825 -sha256 -extfile "$ext" -out "$TLS/$n.crt" 2>>"$LOG/openssl.log"
  rm -f "$ext" "$TLS/$n.csr"
}
CERTS_CHANGED=0
make_certs() {
  mkdir -p "$TLS"
  chmod 0755 "$TLS"
  if openssl verify -CAfile "$TLS/ca.crt" "$TLS/server.crt" >/dev/null 2>&1 \
     && openssl x509 -checkend 86400 -noout -in "$TLS/server.crt" >/dev/null 2>&1 \
     && openssl verify -CAfile "$TLS/untrusted-ca.crt" "$TLS/untrusted-server.crt" >/dev/null 2>&1 \
     && [ -s "$TLS/server.key" ] && [ -s "$TLS/untrusted-server.key" ]; then
    :
  else
    say "tls: generating CA, untrusted CA and server certificates in $TLS"
    : >"$LOG/openssl.log"
    make_ca ca "/O=mailctl interop/CN=mailctl interop test CA"
    make_ca untrusted-ca "/O=mailctl interop untrusted/CN=mailctl interop UNTRUSTED CA"
    make_leaf ca server localhost
    make_leaf untrusted-ca untrusted-server localhost
    cat "$TLS/server.crt" "$TLS/ca.crt" >"$TLS/server-chain.crt"
    CERTS_CHANGED=1   # running servers must be restarted to pick them up
  fi
  chmod 0600 "$TLS/ca.key" "$TLS/untrusted-ca.key"
  chmod 0644 "$TLS"/*.crt
  chmod 0640 "$TLS/server.key"
  chmod 0644 "$TLS/untrusted-server.key"   # throwaway: nobody trusts its CA
  # exim reads the key in its reception process, which runs as the exim user
  chgrp "$EXIM_USER" "$TLS/server.key"
  rm -f "$TLS"/*.srl
}

# ----------------------------------------------------------------- processes
pid_alive() { # pidfile pattern
  local pid
  [ -f "$1" ] || return 1
  pid=$(tr -dc '0-9' <"$1")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$2"
}
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }

# greeting on a plaintext port; prints the first line
plain_greeting() {
  timeout 6 bash -c '
    exec 3<>/dev/tcp/'"$HOST"'/'"$1"' || exit 1
    IFS= read -r -t 5 line <&3 || exit 1
    printf "QUIT\r\n" >&3
    printf "%s\n" "${line%$'"'"'\r'"'"'}"' 2>/dev/null
}
# greeting after an implicit-TLS handshake verified against our CA
tls_greeting() {
  printf 'QUIT\r\n' | timeout 8 openssl s_client -connect "$HOST:$1" -servername localhost \
    -CAfile "$TLS/ca.crt" -verify_return_error -quiet 2>/dev/null | head -n 1 | tr -d '\r'
}
# STARTTLS handshake verified against our CA (after the plaintext greeting)
starttls_ok() {
  printf 'QUIT\r\n' | timeout 8 openssl s_client -connect "$HOST:$1" -starttls smtp -servername localhost \
    -CAfile "$TLS/ca.crt" -verify_return_error -quiet 2>/dev/null | grep -q '^221'
}
wait_ready() { # name kind port [logs...]
  local name=$1 kind=$2 port=$3 _i g=""
  shift 3
  for _i in $(seq 1 60); do
    case "$kind" in
      starttls) g=$(plain_greeting "$port" || true) ;;
      implicit) g=$(tls_greeting "$port" || true) ;;
    esac
    if [[ "$g" == 220* ]]; then
      if [ "$kind" = starttls ] && ! starttls_ok "$port"; then
        g="(greets, but STARTTLS with our CA failed)"
      else
        say "ready: $name $port ($kind) — $g"
        return 0
      fi
    fi
    sleep 0.5
  done
  die "$name port $port did not greet within 30 s (last: ${g:-nothing})" "$@"
}
check_port_free() { # port owner
  if port_open "$1"; then
    die "port $HOST:$1 is already in use by a process this setup did not start (needed for $2; another MAILCTL_INTEROP_DIR?)" /dev/null
  fi
}

# ------------------------------------------------------------------ dovecot
config_dovecot() {
  CHANGED=0
  mkdir -p "$DC" "$DC/state"
  write_file "$DC/dovecot.conf" 0644 root:root <<EOF
# mailctl interop — Dovecot used only as the SASL auth service for postfix.
# Generated by test/interop/setup.sh; edits are overwritten.
instance_name = mailctl-interop
base_dir = $DC/run
state_dir = $DC/state
protocols = none
listen = 127.0.0.1
ssl = no
log_path = $LOG/dovecot.log
info_log_path = $LOG/dovecot.log
auth_mechanisms = plain login
# the socket is local; postfix enforces TLS before AUTH
disable_plaintext_auth = no
auth_verbose = yes
auth_verbose_passwords = no
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DC/users
}
userdb {
  driver = static
  args = uid=$MAIL_UID_NAME gid=$MAIL_UID_NAME home=$MAILROOT/%d/%n
}
service auth {
  unix_listener auth-postfix {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF
  local u
  {
    for u in $USERS; do echo "$u@$PF_DOMAIN:{PLAIN}$(pw "$u")"; done
  } | write_file "$DC/users" 0640 root:dovecot
  DOVECOT_CHANGED=$CHANGED
}
start_dovecot() {
  local pidf=$DC/run/master.pid
  if pid_alive "$pidf" dovecot; then
    if [ "$DOVECOT_CHANGED" = 0 ]; then say "dovecot: running (pid $(cat "$pidf"))"; return 0; fi
    say "dovecot: config changed, reloading"
    doveadm -c "$DC/dovecot.conf" reload >>"$LOG/dovecot-start.log" 2>&1 9>&- \
      || kill -HUP "$(cat "$pidf")"
    return 0
  fi
  say "dovecot: starting"
  rm -f "$pidf"
  dovecot -c "$DC/dovecot.conf" >"$LOG/dovecot-start.log" 2>&1 9>&- \
    || die "dovecot failed to start" "$LOG/dovecot-start.log" "$LOG/dovecot.log"
  local _i
  for _i in $(seq 1 40); do
    [ -S "$DC/run/auth-postfix" ] && return 0
    sleep 0.25
  done
  die "dovecot auth socket $DC/run/auth-postfix did not appear" "$LOG/dovecot-start.log" "$LOG/dovecot.log"
}

# ------------------------------------------------------------------ postfix
config_postfix() {
  CHANGED=0
  mkdir -p "$PF/etc" "$PF/queue" "$PF/data"
  chown postfix:postfix "$PF/data"
  write_file "$PF/etc/main.cf" 0644 root:root <<EOF
# mailctl interop — private postfix instance (postfix -c $PF/etc).
# Generated by test/interop/setup.sh; edits are overwritten.
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $LOG/postfix.log
maillog_file_prefixes = $LOG/
syslog_name = postfix-interop
smtputf8_enable = yes
biff = no

myhostname = $PF_HOSTNAME
mydomain = $PF_DOMAIN
myorigin = \$mydomain
mydestination =
# Every listener in master.cf names 127.0.0.1 explicitly as well.
inet_interfaces = loopback-only
inet_protocols = ipv4
# No trusted networks: loopback clients get no relay rights (permit_mynetworks is never used).
mynetworks =
smtpd_peername_lookup = no

# Nothing ever leaves this machine.
relayhost =
default_transport = error:5.7.1 mailctl interop server never delivers off-host
relay_transport = error:5.7.1 mailctl interop server never delivers off-host
local_transport = error:5.1.1 no local delivery in the mailctl interop server
smtp_dns_support_level = disabled
alias_maps =
alias_database =
local_recipient_maps =

# Test domain: virtual mailboxes, Maildir (trailing slash) under $MAILROOT
virtual_mailbox_domains = $PF_DOMAIN
virtual_mailbox_base = $MAILROOT
virtual_mailbox_maps = texthash:$PF/etc/vmailbox
virtual_alias_maps =
virtual_uid_maps = static:$(id -u $MAIL_UID_NAME)
virtual_gid_maps = static:$(id -g $MAIL_UID_NAME)
virtual_minimum_uid = $(id -u $MAIL_UID_NAME)

# Port 2525 ("25-style") defaults: STARTTLS offered, no AUTH, local delivery only.
smtpd_banner = \$myhostname ESMTP \$mail_name (mailctl interop)
smtpd_tls_cert_file = $TLS/server.crt
smtpd_tls_key_file = $TLS/server.key
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $DC/run/auth-postfix
smtpd_sasl_auth_enable = no
smtpd_sender_login_maps = texthash:$PF/etc/sender_login
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions =
EOF
  write_file "$PF/etc/master.cf" 0644 root:root <<EOF
# mailctl interop — private postfix instance. Generated by test/interop/setup.sh.
# service type  private unpriv  chroot  wakeup  maxproc command + args
$HOST:$PF_SMTP inet n - n - - smtpd
  -o syslog_name=postfix-interop/smtp
$HOST:$PF_SUB inet n - n - - smtpd
  -o syslog_name=postfix-interop/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
  -o smtpd_client_restrictions=
  -o smtpd_helo_restrictions=
  -o smtpd_sender_restrictions=reject_sender_login_mismatch
  -o smtpd_relay_restrictions=
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
$HOST:$PF_SUBS inet n - n - - smtpd
  -o syslog_name=postfix-interop/submissions
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=
  -o smtpd_helo_restrictions=
  -o smtpd_sender_restrictions=reject_sender_login_mismatch
  -o smtpd_relay_restrictions=
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
# Deliberately absent: smtp, relay, lmtp, local — no client that could deliver anywhere.
EOF
  local u
  {
    for u in $USERS; do echo "$u@$PF_DOMAIN $PF_DOMAIN/$u/"; done
  } | write_file "$PF/etc/vmailbox" 0644 root:root
  {
    for u in $USERS; do echo "$u@$PF_DOMAIN $u@$PF_DOMAIN"; done
  } | write_file "$PF/etc/sender_login" 0644 root:root
  POSTFIX_CHANGED=$CHANGED
}
# postfix(1) reports fatal errors only to syslog (there is none here) or to a
# terminal, so give it a pseudo-terminal with script(1) to capture them.
pfctl() {
  script -qec "postfix -c $PF/etc $*" /dev/null </dev/null 9>&- | tr -d '\r' >>"$LOG/postfix-start.log" 2>&1
  return "${PIPESTATUS[0]}"
}
start_postfix() {
  local pidf=$PF/queue/pid/master.pid
  if pid_alive "$pidf" master; then
    if [ "$POSTFIX_CHANGED" = 0 ] && [ "$CERTS_CHANGED" = 0 ]; then say "postfix: running (pid $(tr -dc 0-9 <"$pidf"))"; return 0; fi
    say "postfix: config or certificates changed, restarting"
    pfctl stop || true
    local _i; for _i in $(seq 1 40); do pid_alive "$pidf" master || break; sleep 0.25; done
  fi
  for p in $PF_SMTP $PF_SUB $PF_SUBS; do check_port_free "$p" postfix; done
  say "postfix: starting (postfix -c $PF/etc)"
  : >"$LOG/postfix-start.log"
  pfctl check || die "postfix check failed" "$LOG/postfix-start.log" "$LOG/postfix.log"
  pfctl start || die "postfix failed to start" "$LOG/postfix-start.log" "$LOG/postfix.log"
}

# --------------------------------------------------------------------- exim
config_exim() {
  CHANGED=0
  mkdir -p "$EX/run" "$EX/spool" "$LOG/exim"
  chown "$EXIM_USER:$EXIM_USER" "$EX/spool" "$LOG/exim"
  chmod 0750 "$EX/spool"
  local u
  {
    for u in $USERS; do echo "$u@$EX_DOMAIN: $(pw "$u")"; done
  } | write_file "$EX/passwd" 0640 "root:$EXIM_USER"
  {
    for u in $USERS; do echo "$u: $u"; done
  } | write_file "$EX/localparts" 0644 root:root
  write_file "$EX/exim.conf" 0644 root:root <<EOF
# mailctl interop — private exim instance (exim -C $EX/exim.conf).
# Generated by test/interop/setup.sh; edits are overwritten.
exim_path = $EXIM_BIN
exim_user = $EXIM_USER
exim_group = $EXIM_USER
primary_hostname = $EX_HOSTNAME
qualify_domain = $EX_DOMAIN
domainlist local_domains = $EX_DOMAIN

spool_directory = $EX/spool
log_file_path = $LOG/exim/%slog
pid_file_path = $EX/run/exim.pid
log_selector = +smtp_protocol_error +smtp_syntax_error +smtp_no_mail +tls_peerdn +tls_sni +received_recipients +incoming_port

# Listen on loopback only.
disable_ipv6 = true
local_interfaces = <; $HOST.$EX_SMTP ; $HOST.$EX_SUB ; $HOST.$EX_SUBS
daemon_smtp_ports = $EX_SMTP : $EX_SUB : $EX_SUBS
tls_on_connect_ports = $EX_SUBS
smtp_banner = \$smtp_active_hostname ESMTP Exim \$version_number (mailctl interop) \$tod_full
host_lookup =
rfc1413_hosts =
rfc1413_query_timeout = 0s
never_users = root
keep_environment =
message_size_limit = 50M

tls_advertise_hosts = *
tls_certificate = $TLS/server.crt
tls_privatekey = $TLS/server.key

acl_smtp_mail = acl_check_mail
acl_smtp_rcpt = acl_check_rcpt

begin acl

acl_check_mail:
  # 3587 (submission): STARTTLS is required before anything else.
  deny    condition = \${if eq{\$received_port}{$EX_SUB}}
          !encrypted = *
          message = 530 5.7.0 Encryption required: issue STARTTLS first
  # 3587 and 3465: AUTH is required.
  deny    condition = \${if or{{eq{\$received_port}{$EX_SUB}}{eq{\$received_port}{$EX_SUBS}}}}
          !authenticated = *
          message = 530 5.7.0 Authentication required
  # An authenticated user may only send as itself.
  deny    authenticated = *
          !senders = :
          condition = \${if !eqi{\$sender_address}{\$authenticated_id}}
          message = 553 5.7.1 <\$sender_address>: sender address not owned by user \$authenticated_id
  accept

acl_check_rcpt:
  # Unauthenticated clients may only send to the local domain (the stock exim text).
  deny    !authenticated = *
          !domains = +local_domains
          message = relay not permitted
  # Unknown local users, and (authenticated) off-host recipients, fail here.
  require verify = recipient
  accept

begin routers

offhost:
  driver = redirect
  domains = ! +local_domains
  allow_fail
  data = :fail: mailctl interop server never delivers off-host
  no_more

local_user:
  driver = accept
  domains = +local_domains
  local_parts = lsearch;$EX/localparts
  transport = maildir_delivery

begin transports

maildir_delivery:
  driver = appendfile
  directory = $MAILROOT/\${domain_data}/\${local_part_data}/
  maildir_format
  create_directory
  delivery_date_add
  envelope_to_add
  return_path_add
  user = $EXIM_USER
  group = $EXIM_USER
  mode = 0644
  directory_mode = 0755

begin retry

*   *   F,1h,1m

begin authenticators

PLAIN:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_advertise_condition = \${if and{{def:tls_in_cipher}{!eq{\$received_port}{$EX_SMTP}}}}
  server_condition = \${if and{{!eq{\$auth3}{}}{eq{\$auth3}{\${lookup{\$auth2}lsearch{$EX/passwd}}}}}}
  server_set_id = \$auth2

LOGIN:
  driver = plaintext
  public_name = LOGIN
  server_prompts = <| Username: | Password:
  server_advertise_condition = \${if and{{def:tls_in_cipher}{!eq{\$received_port}{$EX_SMTP}}}}
  server_condition = \${if and{{!eq{\$auth2}{}}{eq{\$auth2}{\${lookup{\$auth1}lsearch{$EX/passwd}}}}}}
  server_set_id = \$auth1
EOF
  EXIM_CHANGED=$CHANGED
}
start_exim() {
  local pidf=$EX/run/exim.pid
  if pid_alive "$pidf" exim; then
    if [ "$EXIM_CHANGED" = 0 ] && [ "$CERTS_CHANGED" = 0 ]; then say "exim: running (pid $(tr -dc 0-9 <"$pidf"))"; return 0; fi
    say "exim: config or certificates changed, restarting"
    kill "$(tr -dc 0-9 <"$pidf")" 2>/dev/null || true
    local _i; for _i in $(seq 1 40); do pid_alive "$pidf" exim || break; sleep 0.25; done
  fi
  for p in $EX_SMTP $EX_SUB $EX_SUBS; do check_port_free "$p" exim; done
  "$EXIM_BIN" -C "$EX/exim.conf" -bV >"$LOG/exim-start.log" 2>&1 \
    || die "exim rejects its configuration" "$LOG/exim-start.log" "$LOG/exim/paniclog"
  say "exim: starting ($EXIM_BIN -C $EX/exim.conf -bd -q1m)"
  rm -f "$pidf"
  "$EXIM_BIN" -C "$EX/exim.conf" -bd -q1m >>"$LOG/exim-start.log" 2>&1 9>&- \
    || die "exim failed to start" "$LOG/exim-start.log" "$LOG/exim/paniclog" "$LOG/exim/mainlog"
}

# ----------------------------------------------------------------- maildirs
make_maildirs() {
  local u d
  mkdir -p "$MAILROOT"
  chmod 0755 "$MAILROOT"
  mkdir -p "$MAILROOT/$PF_DOMAIN" "$MAILROOT/$EX_DOMAIN"
  chown "$MAIL_UID_NAME:$MAIL_UID_NAME" "$MAILROOT/$PF_DOMAIN"
  chown "$EXIM_USER:$EXIM_USER" "$MAILROOT/$EX_DOMAIN"
  chmod 0755 "$MAILROOT/$PF_DOMAIN" "$MAILROOT/$EX_DOMAIN"
  for u in $USERS; do
    for d in cur new tmp; do
      mkdir -p "$MAILROOT/$PF_DOMAIN/$u/$d" "$MAILROOT/$EX_DOMAIN/$u/$d"
    done
    chown -R "$MAIL_UID_NAME:$MAIL_UID_NAME" "$MAILROOT/$PF_DOMAIN/$u"
    chown -R "$EXIM_USER:$EXIM_USER" "$MAILROOT/$EX_DOMAIN/$u"
    chmod 0755 "$MAILROOT/$PF_DOMAIN/$u" "$MAILROOT/$PF_DOMAIN/$u"/* \
      "$MAILROOT/$EX_DOMAIN/$u" "$MAILROOT/$EX_DOMAIN/$u"/*
  done
}

# ------------------------------------------------------------ msmtp config
write_msmtprc() {
  mkdir -p "$DIR/msmtp"
  write_file "$DIR/msmtp/msmtprc" 0600 root:root <<EOF
# mailctl interop — msmtp accounts for the interop servers (msmtp -C $DIR/msmtp/msmtprc -a NAME)
defaults
tls_trust_file $TLS/ca.crt
logfile $LOG/msmtp.log

account postfix-submission
host $HOST
port $PF_SUB
tls on
tls_starttls on
auth on
user alice@$PF_DOMAIN
password $(pw alice)
from alice@$PF_DOMAIN

account postfix-submissions
host $HOST
port $PF_SUBS
tls on
tls_starttls off
auth on
user alice@$PF_DOMAIN
password $(pw alice)
from alice@$PF_DOMAIN

account exim-submission
host $HOST
port $EX_SUB
tls on
tls_starttls on
auth on
user alice@$EX_DOMAIN
password $(pw alice)
from alice@$EX_DOMAIN

account exim-submissions
host $HOST
port $EX_SUBS
tls on
tls_starttls off
auth on
user alice@$EX_DOMAIN
password $(pw alice)
from alice@$EX_DOMAIN

account default : postfix-submission
EOF
}

# ----------------------------------------------------------------- env.json
json_users() { # domain
  local d=$1 u first=1
  printf '{'
  for u in $USERS; do
    [ $first = 1 ] || printf ','
    first=0
    printf '\n        "%s": {"login": "%s", "password": "%s", "address": "%s", "maildir": "%s"}' \
      "$u" "$u@$d" "$(pw "$u")" "$u@$d" "$MAILROOT/$d/$u"
  done
  printf '\n      }'
}
write_env() {
  local pf_version ex_version dc_version now
  pf_version=$(postconf -c "$PF/etc" -h mail_version)
  ex_version=$("$EXIM_BIN" -C "$EX/exim.conf" -bV 2>/dev/null | sed -n 's/^Exim version \([^ ]*\).*/\1/p' | head -n 1)
  dc_version=$(dovecot --version | cut -d' ' -f1)
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  write_file "$DIR/env.json" 0644 root:root <<EOF
{
  "schema": 1,
  "generated": "$now",
  "dir": "$DIR",
  "host": "$HOST",
  "tls": {
    "ca": "$TLS/ca.crt",
    "untrustedCa": "$TLS/untrusted-ca.crt",
    "serverCert": "$TLS/server.crt",
    "serverKey": "$TLS/server.key",
    "serverChain": "$TLS/server-chain.crt",
    "untrustedServerCert": "$TLS/untrusted-server.crt",
    "untrustedServerKey": "$TLS/untrusted-server.key",
    "serverNames": ["localhost", "127.0.0.1", "$PF_HOSTNAME", "$EX_HOSTNAME"]
  },
  "servers": {
    "postfix": {
      "name": "postfix",
      "software": "Postfix",
      "version": "$pf_version",
      "hostname": "$PF_HOSTNAME",
      "domain": "$PF_DOMAIN",
      "ports": {
        "smtp":        {"port": $PF_SMTP, "tls": "starttls", "tlsRequired": false, "auth": false, "authRequired": false},
        "submission":  {"port": $PF_SUB, "tls": "starttls", "tlsRequired": true,  "auth": true,  "authRequired": true},
        "submissions": {"port": $PF_SUBS, "tls": "implicit", "tlsRequired": true,  "auth": true,  "authRequired": true}
      },
      "authMechanisms": ["PLAIN", "LOGIN"],
      "users": $(json_users "$PF_DOMAIN"),
      "unknownRecipient": "nobody@$PF_DOMAIN",
      "externalRecipient": "someone@example.com",
      "configDir": "$PF/etc",
      "logs": {"main": "$LOG/postfix.log", "start": "$LOG/postfix-start.log", "saslAuth": "$LOG/dovecot.log"},
      "pidFile": "$PF/queue/pid/master.pid",
      "sasl": {"type": "dovecot", "version": "$dc_version", "socket": "$DC/run/auth-postfix", "pidFile": "$DC/run/master.pid"}
    },
    "exim": {
      "name": "exim",
      "software": "Exim",
      "version": "$ex_version",
      "hostname": "$EX_HOSTNAME",
      "domain": "$EX_DOMAIN",
      "ports": {
        "smtp":        {"port": $EX_SMTP, "tls": "starttls", "tlsRequired": false, "auth": false, "authRequired": false},
        "submission":  {"port": $EX_SUB, "tls": "starttls", "tlsRequired": true,  "auth": true,  "authRequired": true},
        "submissions": {"port": $EX_SUBS, "tls": "implicit", "tlsRequired": true,  "auth": true,  "authRequired": true}
      },
      "authMechanisms": ["PLAIN", "LOGIN"],
      "users": $(json_users "$EX_DOMAIN"),
      "unknownRecipient": "nobody@$EX_DOMAIN",
      "externalRecipient": "someone@example.com",
      "configFile": "$EX/exim.conf",
      "logs": {"main": "$LOG/exim/mainlog", "reject": "$LOG/exim/rejectlog", "panic": "$LOG/exim/paniclog", "start": "$LOG/exim-start.log"},
      "pidFile": "$EX/run/exim.pid"
    }
  },
  "msmtprc": "$DIR/msmtp/msmtprc"
}
EOF
}

# ===================================================================== main
say "state dir $DIR"
install_packages
install_exim
make_certs
make_maildirs
config_dovecot
config_postfix
config_exim
write_msmtprc
# Refuse early (before starting anything) if a port we need is taken by someone else.
pid_alive "$PF/queue/pid/master.pid" master || for p in $PF_SMTP $PF_SUB $PF_SUBS; do check_port_free "$p" postfix; done
pid_alive "$EX/run/exim.pid" exim || for p in $EX_SMTP $EX_SUB $EX_SUBS; do check_port_free "$p" exim; done
start_dovecot
start_postfix
start_exim

wait_ready postfix starttls "$PF_SMTP" "$LOG/postfix-start.log" "$LOG/postfix.log"
wait_ready postfix starttls "$PF_SUB" "$LOG/postfix-start.log" "$LOG/postfix.log"
wait_ready postfix implicit "$PF_SUBS" "$LOG/postfix-start.log" "$LOG/postfix.log"
wait_ready exim starttls "$EX_SMTP" "$LOG/exim-start.log" "$LOG/exim/paniclog" "$LOG/exim/mainlog"
wait_ready exim starttls "$EX_SUB" "$LOG/exim-start.log" "$LOG/exim/paniclog" "$LOG/exim/mainlog"
wait_ready exim implicit "$EX_SUBS" "$LOG/exim-start.log" "$LOG/exim/paniclog" "$LOG/exim/mainlog"

write_env
T1=$(date +%s.%N)
say "all servers ready in $(awk "BEGIN{printf \"%.1f\", $T1-$T0}") s; env: $DIR/env.json"
cat "$DIR/env.json"
