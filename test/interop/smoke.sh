#!/usr/bin/env bash
# test/interop/smoke.sh — check the interop servers with swaks/openssl/msmtp,
# independent of mailctl: every case asserts the exact reply line AND the
# command it answered. These are the texts README.md lists as test
# expectations; if a package update changes one, this fails first.
#
# Usage:  bash test/interop/smoke.sh        (after setup.sh; root only if the
#         maildirs must be read: postfix writes its messages with mode 0600)
# Ends with "N passed, N failed"; exit 0 only when nothing failed.

set -uo pipefail

DIR=${MAILCTL_INTEROP_DIR:-/tmp/mailctl-interop}
DIR=${DIR%/}
if [ ! -f "$DIR/env.json" ]; then
  echo "interop: no $DIR/env.json — run test/interop/setup.sh first" >&2
  exit 1
fi
for t in swaks openssl msmtp; do
  command -v "$t" >/dev/null || { echo "interop: $t is missing (setup.sh installs it)" >&2; exit 1; }
done

CA=$DIR/tls/ca.crt
UCA=$DIR/tls/untrusted-ca.crt
PD=mailctl.test
ED=exim.mailctl.test
TLSV=(--tls-ca-path "$CA" --tls-verify)
RUN_ID="smoke-$(date +%s)-$$"
PASS=0 FAIL=0

ok()   { PASS=$((PASS + 1)); echo "ok   $1"; }
bad()  { FAIL=$((FAIL + 1)); echo "FAIL $1"; shift; printf '     %s\n' "$@"; }

# replies FILE: "COMMAND<TAB>REPLY LINE" for every server line, COMMAND being
# the last client line sent before it (first word(s) only, no arguments).
replies() {
  awk '
    /^ *(->|~>) / { sub(/^ *(->|~>) +/, ""); c = $0
                    if (c ~ /^(MAIL FROM|RCPT TO):/) sub(/:.*/, "", c); else sub(/ .*/, "", c); next }
    /^ *(<-|<~|<\*\*|<~\*) / { sub(/^ *(<-|<~|<\*\*|<~\*) +/, ""); sub(/\r$/, ""); print c "\t" $0 }
  ' "$1"
}

# expect NAME COMMAND "EXACT REPLY LINE" -- swaks args...
expect() {
  local name=$1 cmd=$2 want=$3 out
  shift 4
  out=$(mktemp)
  swaks --timeout 20 "$@" >"$out" 2>&1
  if replies "$out" | grep -Fxq "$cmd	$want"; then
    ok "$name: $cmd -> $want"
  else
    bad "$name: wanted '$want' in reply to $cmd; got:" "$(replies "$out" | tail -n 4 | tr '\t' ' ')"
  fi
  rm -f "$out"
}

# raw SMTP without swaks (for commands swaks will not send)
raw() { # port lines...
  local port=$1
  shift
  timeout 10 bash -c '
    exec 3<>/dev/tcp/127.0.0.1/'"$port"' || exit 1
    IFS= read -r l <&3
    for c in "$@"; do printf "%s\r\n" "$c" >&3; sleep 0.3; done
    printf "QUIT\r\n" >&3
    cat <&3' _ "$@" | tr -d '\r'
}
expect_raw() { # name "exact line" port lines...
  local name=$1 want=$2 port=$3 got
  shift 3
  got=$(raw "$port" "$@")
  if grep -Fxq "$want" <<<"$got"; then ok "$name: $want"; else bad "$name: wanted '$want'; got:" "$(tail -n 3 <<<"$got")"; fi
}

delivered() { # name maildir subject
  local _
  for _ in $(seq 1 40); do
    if grep -rlqF "Subject: $3" "$2/new" 2>/dev/null; then ok "$1: delivered into $2/new"; return; fi
    sleep 0.25
  done
  bad "$1: no message with Subject '$3' in $2/new"
}

tls_greeting() { # port cafile
  printf 'QUIT\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:$1" -servername localhost \
    -CAfile "$2" -verify_return_error -quiet 2>&1 | tr -d '\r'
}

apw() { echo "alice-interop-pw"; }

for srv in postfix exim; do
  if [ $srv = postfix ]; then
    D=$PD SMTP=2525 SUB=2587 SUBS=2465
    GREET="220 mx.mailctl.test ESMTP Postfix (mailctl interop)"
    DELIVERED="250 2.0.0 Ok: queued as"
  else
    D=$ED SMTP=3525 SUB=3587 SUBS=3465
    GREET="220 exim.mailctl.test ESMTP Exim 4.96 (mailctl interop)"
    DELIVERED="250 OK id="
  fi
  A=(--auth-user "alice@$D" --auth-password "$(apw)")
  echo "# $srv"

  # delivery through submission (STARTTLS + AUTH) and submissions (implicit TLS)
  for p in $SUB $SUBS; do
    subj="$RUN_ID $srv $p"
    if [ $p = $SUB ]; then tlsopt=(--tls); else tlsopt=(--tlsc); fi
    out=$(swaks --timeout 20 --server 127.0.0.1:$p "${tlsopt[@]}" "${TLSV[@]}" "${A[@]}" \
      --from "alice@$D" --to "bob@$D" --header "Subject: $subj" 2>&1)
    if grep -q "^<~  $DELIVERED" <<<"$out"; then ok "$srv $p: DATA -> $DELIVERED…"; else bad "$srv $p: delivery refused" "$(tail -n 4 <<<"$out")"; fi
    delivered "$srv $p" "$DIR/mail/$D/bob" "$subj"
  done

  # plaintext MAIL on the submission port
  if [ $srv = postfix ]; then
    expect "$srv $SUB no TLS" "MAIL FROM" "530 5.7.0 Must issue a STARTTLS command first" -- \
      --server 127.0.0.1:$SUB --from "alice@$D" --to "bob@$D"
    expect_raw "$srv $SUB AUTH before STARTTLS" "530 5.7.0 Must issue a STARTTLS command first" $SUB \
      "EHLO client.example" "AUTH PLAIN AGFsaWNlQG1haWxjdGwudGVzdABhbGljZS1pbnRlcm9wLXB3"
  else
    expect "$srv $SUB no TLS" "MAIL FROM" "530 5.7.0 Encryption required: issue STARTTLS first" -- \
      --server 127.0.0.1:$SUB --from "alice@$D" --to "bob@$D"
    expect_raw "$srv $SUB AUTH before STARTTLS" "503 AUTH command used when not advertised" $SUB \
      "EHLO client.example" "AUTH PLAIN AGFsaWNlQGV4aW0ubWFpbGN0bC50ZXN0AGFsaWNlLWludGVyb3AtcHc="
  fi

  # implicit TLS greeting, trusted and untrusted CA
  g=$(tls_greeting $SUBS "$CA" | grep -m1 "^220")
  if [[ "$g" == "$GREET"* ]]; then ok "$srv $SUBS: TLS handshake, then $g"; else bad "$srv $SUBS: greeting after TLS" "$g"; fi
  g=$(tls_greeting $SUBS "$UCA")
  if grep -q 'unable to get local issuer certificate' <<<"$g"; then ok "$srv $SUBS: untrusted CA -> unable to get local issuer certificate"; else bad "$srv $SUBS: untrusted CA accepted?" "$(head -n 2 <<<"$g")"; fi

  # wrong password, both mechanisms
  if [ $srv = postfix ]; then W="535 5.7.8 Error: authentication failed: (reason unavailable)"; else W="535 Incorrect authentication data"; fi
  expect "$srv $SUB wrong password" "AUTH" "$W" -- --server 127.0.0.1:$SUB --tls "${TLSV[@]}" --auth PLAIN \
    --auth-user "alice@$D" --auth-password wrong --from "alice@$D" --to "bob@$D"
  expect "$srv $SUB wrong password (LOGIN)" "d3Jvbmc=" "$W" -- --server 127.0.0.1:$SUB --tls "${TLSV[@]}" --auth LOGIN \
    --auth-user "alice@$D" --auth-password wrong --from "alice@$D" --to "bob@$D"

  # sender not owned by the authenticated user
  if [ $srv = postfix ]; then
    expect "$srv $SUB sender not owned" "RCPT TO" "553 5.7.1 <carol@$D>: Sender address rejected: not owned by user alice@$D" -- \
      --server 127.0.0.1:$SUB --tls "${TLSV[@]}" "${A[@]}" --from "carol@$D" --to "bob@$D"
  else
    expect "$srv $SUB sender not owned (line 1)" "MAIL FROM" "553-5.7.1 <carol@$D>:" -- \
      --server 127.0.0.1:$SUB --tls "${TLSV[@]}" "${A[@]}" --from "carol@$D" --to "bob@$D"
    expect "$srv $SUB sender not owned (line 2)" "MAIL FROM" "553 5.7.1 sender address not owned by user alice@$D" -- \
      --server 127.0.0.1:$SUB --tls "${TLSV[@]}" "${A[@]}" --from "carol@$D" --to "bob@$D"
  fi

  # no AUTH after STARTTLS on the submission port
  if [ $srv = postfix ]; then
    expect "$srv $SUB TLS, no AUTH" "RCPT TO" "554 5.7.1 <bob@$D>: Recipient address rejected: Access denied" -- \
      --server 127.0.0.1:$SUB --tls "${TLSV[@]}" --from "someone@example.org" --to "bob@$D"
    expect "$srv $SUB TLS, no AUTH, own address" "RCPT TO" "553 5.7.1 <alice@$D>: Sender address rejected: not logged in" -- \
      --server 127.0.0.1:$SUB --tls "${TLSV[@]}" --from "alice@$D" --to "bob@$D"
    expect "$srv $SUBS no AUTH" "RCPT TO" "554 5.7.1 <bob@$D>: Recipient address rejected: Access denied" -- \
      --server 127.0.0.1:$SUBS --tlsc "${TLSV[@]}" --from "someone@example.org" --to "bob@$D"
  else
    expect "$srv $SUB TLS, no AUTH" "MAIL FROM" "530 5.7.0 Authentication required" -- \
      --server 127.0.0.1:$SUB --tls "${TLSV[@]}" --from "someone@example.org" --to "bob@$D"
    expect "$srv $SUBS no AUTH" "MAIL FROM" "530 5.7.0 Authentication required" -- \
      --server 127.0.0.1:$SUBS --tlsc "${TLSV[@]}" --from "someone@example.org" --to "bob@$D"
  fi

  # the 25-style port: relay denied, unknown user, AUTH not offered, local delivery works
  if [ $srv = postfix ]; then
    expect "$srv $SMTP relay" "RCPT TO" "554 5.7.1 <x@example.com>: Relay access denied" -- \
      --server 127.0.0.1:$SMTP --from "alice@$D" --to x@example.com
    expect "$srv $SMTP unknown user" "RCPT TO" "550 5.1.1 <carol@$D>: Recipient address rejected: User unknown in virtual mailbox table" -- \
      --server 127.0.0.1:$SMTP --from someone@example.org --to "carol@$D"
    expect_raw "$srv $SMTP AUTH" "503 5.5.1 Error: authentication not enabled" $SMTP \
      "EHLO client.example" "AUTH PLAIN AGFsaWNlQG1haWxjdGwudGVzdABhbGljZS1pbnRlcm9wLXB3"
    expect "$srv $SUB authenticated off-host" "RCPT TO" "550 5.7.1 <x@example.com>: Recipient address rejected: mailctl interop server never delivers off-host" -- \
      --server 127.0.0.1:$SUB --tls "${TLSV[@]}" "${A[@]}" --from "alice@$D" --to x@example.com
  else
    expect "$srv $SMTP relay" "RCPT TO" "550 relay not permitted" -- \
      --server 127.0.0.1:$SMTP --from "alice@$D" --to x@example.com
    expect "$srv $SMTP unknown user" "RCPT TO" "550 Unrouteable address" -- \
      --server 127.0.0.1:$SMTP --from someone@example.org --to "carol@$D"
    expect_raw "$srv $SMTP AUTH" "503 AUTH command used when not advertised" $SMTP \
      "EHLO client.example" "AUTH PLAIN AGFsaWNlQGV4aW0ubWFpbGN0bC50ZXN0AGFsaWNlLWludGVyb3AtcHc="
    expect "$srv $SUB authenticated off-host" "RCPT TO" "550 mailctl interop server never delivers off-host" -- \
      --server 127.0.0.1:$SUB --tls "${TLSV[@]}" "${A[@]}" --from "alice@$D" --to x@example.com
  fi
  subj="$RUN_ID $srv $SMTP"
  out=$(swaks --timeout 20 --server 127.0.0.1:$SMTP --from someone@example.org --to "alice@$D" --header "Subject: $subj" 2>&1)
  if grep -q "^<-  $DELIVERED" <<<"$out"; then ok "$srv $SMTP: inbound to local user accepted"; else bad "$srv $SMTP: inbound refused" "$(tail -n 4 <<<"$out")"; fi
  delivered "$srv $SMTP" "$DIR/mail/$D/alice" "$subj"

  # implicit TLS against the STARTTLS port, plaintext against the implicit port
  e=$(timeout 10 openssl s_client -connect 127.0.0.1:$SMTP </dev/null 2>&1)
  if grep -q 'wrong version number' <<<"$e"; then ok "$srv $SMTP: TLS client on STARTTLS port -> wrong version number"; else bad "$srv $SMTP: TLS on plain port" "$(head -n 2 <<<"$e")"; fi
  if timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SUBS; IFS= read -r -t 3 l <&3"; then
    bad "$srv $SUBS: plaintext client got a greeting on the implicit-TLS port"
  else
    ok "$srv $SUBS: plaintext client gets no greeting (3 s)"
  fi
done

# msmtp with the generated config (as README shows)
echo "# msmtp"
for acct in postfix-submission postfix-submissions exim-submission exim-submissions; do
  case $acct in postfix*) D=$PD ;; *) D=$ED ;; esac
  subj="$RUN_ID msmtp $acct"
  if printf 'From: alice@%s\r\nTo: bob@%s\r\nSubject: %s\r\n\r\nhello\r\n' "$D" "$D" "$subj" \
      | msmtp -C "$DIR/msmtp/msmtprc" -a "$acct" "bob@$D" 2>/tmp/msmtp-smoke.$$; then
    ok "msmtp $acct: sent"
    delivered "msmtp $acct" "$DIR/mail/$D/bob" "$subj"
  else
    bad "msmtp $acct" "$(cat /tmp/msmtp-smoke.$$)"
  fi
  rm -f /tmp/msmtp-smoke.$$
done

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
