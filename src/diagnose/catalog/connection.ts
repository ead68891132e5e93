import { IMPLICIT_PORTS } from "../../session/tls-mode.js";
import { CLOSED, code, GREETING_WAIT, has, kind } from "../signals.js";
import { entries, endpointFor, quoted, who, type ExplainCtx, type FixStep } from "./types.js";

/** How each TLS mode is switched on in the clients people paste errors from. */
const IN_CODE = {
  implicit: "nodemailer secure: true; Python smtplib.SMTP_SSL; aiosmtplib use_tls=True",
  starttls: "nodemailer secure: false with requireTLS: true; Python smtplib.SMTP then starttls(); aiosmtplib use_tls=False, start_tls=True",
} as const;

const MODE_WORDS = { implicit: "implicit TLS", starttls: "STARTTLS", none: "plaintext" } as const;

/** The one fix when discovery found a working port and mode: that one, checked just now. */
function verified(s: { port: number; tls: "implicit" | "starttls" | "none" }, c: ExplainCtx): FixStep {
  const inCode = s.tls === "none" ? "" : ` (${IN_CODE[s.tls]})`;
  return { text: `Use port ${s.port} with ${MODE_WORDS[s.tls]}${inCode}: it was checked just now${c.target ? ` on ${c.target.host}` : ""} and reaches EHLO.`, change: { ...s } };
}

/** Causes found before or while the SMTP dialogue starts: name, route, TLS mode, greeting. */
export const CONNECTION = entries([
  {
    id: "plaintext-to-implicit-tls",
    category: "protocol",
    stage: "greeting",
    discoverable: true,
    signals: "a port that stays silent in plaintext but completes a TLS handshake; in logs: a greeting timeout or an early EOF on port 465 (\"Greeting never received\", \"Unexpected EOF received\", \"Connection unexpectedly closed\", Java \"response: -1\")",
    rules: [
      {
        priority: 140,
        test: (e) => kind(e, "implicit-tls-port") || (e.source === "text" && e.port !== undefined && IMPLICIT_PORTS.has(e.port) && (has(e, CLOSED) || has(e, GREETING_WAIT))),
      },
    ],
    title: "Plaintext connection to an implicit-TLS port",
    explain: (c) =>
      `Port ${c.target?.port ?? c.e.port ?? 465} expects TLS from the very first byte (implicit TLS, RFC 8314), but the client connected in plaintext and waited for a greeting. ` +
      "The server waits for a TLS handshake instead, so nothing arrives: clients report this as \"Greeting never received\", \"Unexpected EOF received\" or \"Connection unexpectedly closed\".",
    fix: (c) => {
      if (c.suggestion) return [verified(c.suggestion, c)];
      const port = c.target?.port ?? c.e.port ?? endpointFor(c, "implicit").port;
      const steps: FixStep[] = [{ text: `Turn on implicit TLS for port ${port} (${IN_CODE.implicit}).`, change: { port, tls: "implicit" } }];
      // explain cannot check what the server offers, so it names the other way too; doctor gives one change.
      if (!c.target) steps.push({ text: `Or keep plaintext with STARTTLS and use the submission port 587 instead (${IN_CODE.starttls}).`, change: { port: 587, tls: "starttls" } });
      return steps;
    },
  },
  {
    id: "tls-to-plaintext-port",
    category: "protocol",
    stage: "tls",
    discoverable: true,
    signals: "OpenSSL \"wrong version number\" (ERR_SSL_WRONG_VERSION_NUMBER); Go \"first record does not look like a TLS handshake\"; Java \"Unrecognized SSL message, plaintext connection?\"; .NET/MailKit \"unexpected packet format\"; GnuTLS \"An unexpected TLS packet was received\"",
    rules: [
      {
        priority: 130,
        test: (e) =>
          kind(e, "tls-wrong-version") ||
          has(e, /wrong version number|WRONG_VERSION_NUMBER|first record does not look like a TLS handshake|Unrecognized SSL message|unexpected TLS packet|unexpected packet format|port which does not support SSL\/TLS|packet length too long|establish an SSL or TLS connection/i),
      },
    ],
    title: "TLS handshake sent to a plaintext (STARTTLS) port",
    explain: (c) => {
      const port = c.target?.port ?? c.e.port;
      return (
        `The client started a TLS handshake at once (implicit TLS), but ${port ? `port ${port}` : "the port"} speaks plaintext first: the server answered with its text greeting, which the TLS library cannot read ` +
        "(OpenSSL \"wrong version number\", Go \"first record does not look like a TLS handshake\", Java \"Unrecognized SSL message\"). On such a port TLS starts later, with the STARTTLS command" +
        (port ? "." : ": that is port 587 (submission) and 25; 465 is the port for implicit TLS.")
      );
    },
    fix: (c) => {
      if (c.suggestion) return [verified(c.suggestion, c)];
      const port = c.target?.port ?? c.e.port ?? 587;
      const steps: FixStep[] = [{ text: `${c.target?.port ?? c.e.port ? `Keep port ${port} and use` : `Use port ${port} with`} STARTTLS instead of implicit TLS (${IN_CODE.starttls}).`, change: { port, tls: "starttls" } }];
      if (!c.target) steps.push({ text: "Or keep implicit TLS and use port 465, if the server offers it.", change: { port: 465, tls: "implicit" } });
      return steps;
    },
  },
  {
    id: "starttls-after-implicit-tls",
    category: "protocol",
    stage: "starttls",
    discoverable: true,
    signals: "a STARTTLS on an already-encrypted connection: refused by the server (454/503 \"not permitted when TLS active\", \"TLS already active\"), or stopped by the client library (aiosmtplib \"Connection already using TLS\"; smtplib SMTP_SSL + starttls() against a server that does not advertise it)",
    rules: [
      {
        priority: 120,
        test: (e) =>
          (e.stage === "starttls" && e.secure === true) ||
          has(e, /not permitted when TLS active|already using TLS|TLS already active/i),
      },
    ],
    title: "STARTTLS on a connection that is already encrypted",
    explain: (c) => {
      const port = c.target?.port ?? c.e.port;
      const where = `implicit TLS${port ? ` on port ${port}` : ""}`;
      // Who stopped it decides the words: the client library itself (nothing was sent), or the server.
      if (/already using TLS/i.test(c.e.text)) return `The connection was already TLS (${where}) and the code called starttls() again; aiosmtplib refuses that itself ("Connection already using TLS", smtp.py starttls) before sending anything.`;
      if (/SMTPNotSupportedError|STARTTLS extension not supported/i.test(c.e.text) && c.e.secure) return `The connection was already TLS (${where}) and the code calls starttls() again (smtplib.SMTP_SSL followed by starttls()). This server does not advertise STARTTLS there, so smtplib raises SMTPNotSupportedError before sending anything, and no mail goes out.`;
      return (
        `The connection was already TLS (${where}), and the client sent STARTTLS as well; ${who(c).replace(/^The server$/, "the server")} refused it${quoted(c) ? ` with ${quoted(c)}` : ""} (RFC 3207 §4.2: STARTTLS is for a connection that is not yet encrypted). ` +
        "smtplib sends it whenever the server advertises STARTTLS, even on SMTP_SSL; nodemailer, aiosmtplib and msmtp never send it on a TLS connection." +
        (c.provider?.name === "qq" ? " smtp.qq.com:465 does not advertise STARTTLS (splitbrain/dokuwiki-plugin-smtp#64), and what QQ answers to one sent anyway is not public." : "")
      );
    },
    fix: (c) => [
      {
        text: "Do not upgrade a connection that is already TLS: smtplib.SMTP_SSL without the starttls() call; aiosmtplib use_tls=True with start_tls left unset (or False) and no starttls() call; RAGFlow mail_use_ssl: true with mail_use_tls: false.",
        ...(c.target ? { change: { starttlsOnImplicit: false } } : {}),
      },
      ...(c.target ? [] : [{ text: "Or connect in plaintext to port 587 and upgrade with STARTTLS there (smtplib.SMTP + starttls(); aiosmtplib start_tls=True, use_tls=False).", change: { port: 587, tls: "starttls" as const } }]),
    ],
  },
  {
    id: "starttls-required",
    category: "protocol",
    stage: null,
    discoverable: true,
    signals: "530 5.7.0 \"Must issue a STARTTLS command first\"; a 530 that names STARTTLS or encryption (Exim ACLs: \"530 5.7.0 Encryption required: issue STARTTLS first\"); 538 \"Encryption required\"; 451 5.7.3 \"STARTTLS is required to send mail\"",
    rules: [
      {
        priority: 270,
        // 530 means "issue STARTTLS first" (RFC 3207 §4) or "authenticate first" (RFC 4954 §6): only the text tells which.
        test: (e) => code(e) === 538 || (code(e) === 530 && has(e, /STARTTLS|\bTLS\b|encrypt/i)) || has(e, /must issue a STARTTLS|STARTTLS is required to send|encryption required for requested authentication|5\.7\.11/i),
      },
    ],
    title: "The server requires STARTTLS first",
    explain: (c) =>
      `${who(c)} accepts AUTH and mail on this port only over an encrypted connection, and the client did not upgrade with STARTTLS${quoted(c) ? `: ${quoted(c)}` : ""}. ` +
      "The password would otherwise cross the network in clear (RFC 3207, RFC 4954 §4).",
    fix: (c) => [
      { text: "Turn on STARTTLS (nodemailer requireTLS: true; Python server.starttls() before login; Dify SMTP_USE_TLS=true + SMTP_OPPORTUNISTIC_TLS=true).", change: { port: c.target?.port ?? endpointFor(c, "starttls").port, tls: "starttls" } },
    ],
  },
  {
    id: "starttls-unavailable",
    category: "protocol",
    stage: "starttls",
    discoverable: true,
    signals: "STARTTLS required by the settings but not advertised, or answered 454 \"TLS not available\" / 5xx (nodemailer ETLS \"Error upgrading connection with STARTTLS: …\"; smtplib's bare SMTPResponseException, which only starttls() raises); Python \"STARTTLS extension not supported by server\"; Go \"unencrypted connection\"",
    rules: [
      {
        priority: 280,
        test: (e) =>
          kind(e, "starttls-not-offered") ||
          (e.stage === "starttls" && !e.secure) ||
          (has(e, /expected response code 220\b|Error upgrading connection with STARTTLS|smtplib\.SMTPResponseException: \(\d{3}/i) && (code(e) ?? 0) >= 400) ||
          has(e, /STARTTLS extension not supported|does not support STARTTLS|not support TLS via the STARTTLS|TLS not available|unencrypted connection|cannot use a secure authentication method|server does not support TLS/i),
      },
    ],
    title: "STARTTLS is not available on this port",
    explain: (c) =>
      (c.e.kind === "starttls-not-offered"
        ? "The settings require STARTTLS, but the server does not advertise it in its EHLO reply. "
        : `The server refused to start TLS${quoted(c) ? ` (${quoted(c)})` : ""}. `) +
      "Either this port speaks implicit TLS or plaintext only, or the server's TLS is not set up.",
    fix: (c) => [
      c.suggestion
        ? verified(c.suggestion, c)
        : { text: "Use the port that offers TLS (check with `mailctl probe <host>`): usually 465 with implicit TLS.", change: { ...endpointFor(c, "implicit") } },
      { text: "If the code already connects with implicit TLS (smtplib.SMTP_SSL, aiosmtplib use_tls=True), remove the starttls() call: the connection is encrypted from the first byte." },
      { text: "If this is your own server, configure its TLS certificate (Postfix: smtpd_tls_cert_file, smtpd_tls_security_level=may)." },
    ],
  },
  {
    id: "host-not-found",
    category: "nohost",
    stage: "dns",
    signals: "ENOTFOUND / EAI_AGAIN (getaddrinfo); \"Name or service not known\"; \"No such host is known\"; msmtp \"cannot locate host\"",
    rules: [
      {
        priority: 150,
        test: (e) =>
          kind(e, "dns-not-found", "dns-temporary") ||
          has(e, /ENOTFOUND|EAI_AGAIN|EAI_NONAME|getaddrinfo|name or service not known|no such host|cannot locate host|host unknown|nodename nor servname|failure in name resolution|lookup \S+.*(no such host|i\/o timeout|server misbehaving)|queryA E|\bEDNS\b/i),
      },
    ],
    title: "The host name does not resolve",
    explain: (c) =>
      `The name ${c.target?.host ?? c.e.host ?? "of the server"} could not be found in DNS${c.e.code ? ` (${c.e.code})` : ""}. It may be misspelt, or this machine may have no working DNS at all — then every name fails the same way, including well-known ones.`,
    fix: (c) => [
      { text: `Check the spelling of the host${c.provider ? `; ${c.provider.title}'s is ${c.provider.host}` : ""}.`, ...(c.provider ? { change: { host: c.provider.host } } : {}) },
      { text: "Check that this machine resolves names at all (e.g. `getent hosts smtp.gmail.com`); in a container, check its DNS settings." },
    ],
  },
  {
    id: "connection-refused",
    category: "unavailable",
    stage: "tcp",
    discoverable: true,
    signals: "ECONNREFUSED (errno 111, WinError 10061) \"Connection refused\"",
    rules: [
      {
        priority: 170,
        test: (e) => kind(e, "refused") || has(e, /ECONNREFUSED|connection refused|actively refused|10061/i),
      },
    ],
    title: "The connection was refused",
    explain: (c) =>
      `Nothing accepts connections on ${c.target ? `${c.target.host} port ${c.target.port}` : "that host and port"}${c.e.code ? ` (${c.e.code})` : ""}: no mail server listens there, or a firewall rejects the connection. ` +
      "A wrong port is the usual cause.",
    fix: (c) => [
      c.suggestion
        ? { text: `Use port ${c.suggestion.port} (${c.suggestion.tls}), which was checked to answer.`, change: { ...c.suggestion } }
        : { text: "Check the port: 465 (implicit TLS) or 587 (STARTTLS) for sending with a login; `mailctl probe <host>` tries them all." },
      { text: "If the server is yours, check that it is running and listening on that address." },
    ],
  },
  {
    id: "network-unreachable",
    category: "unavailable",
    stage: "tcp",
    signals: "ENETUNREACH (errno 101, WinError 10051) \"Network is unreachable\"; EHOSTUNREACH (errno 113) \"No route to host\"; EADDRNOTAVAIL \"Cannot assign requested address\"",
    rules: [
      {
        priority: 160,
        test: (e) => kind(e, "unreachable") || has(e, /network is unreachable|ENETUNREACH|EHOSTUNREACH|no route to host|\[Errno (101|113)\]|10051|10065|EADDRNOTAVAIL|cannot assign requested address/i),
      },
    ],
    title: "No route to the server from this machine",
    explain: (c) =>
      `The connection could not even start: this machine has no route to ${c.target?.host ?? c.e.host ?? "the server's address"}${c.e.code ? ` (${c.e.code})` : ""}. ` +
      "It is not the server refusing — the packets had nowhere to go. Usual causes: a container without a network (docker --network none, a Kubernetes pod without egress), an IPv6 address on a machine or container that has only IPv4 (Docker's default), or a VPN or firewall that removed the route.",
    fix: (c) => [
      { text: "If the address is IPv6 and this machine has no IPv6 route, connect over IPv4: mailctl -4; in Node.js NODE_OPTIONS=--dns-result-order=ipv4first; or give the container IPv6 (Docker daemon \"ipv6\": true)." },
      { text: `In a container, check that it has a network and a default route (\`ip route\`; not --network none), and that the host can reach the server: \`ip route get ${c.target?.host ?? "<server address>"}\`.` },
    ],
  },
  {
    id: "connect-timeout",
    category: "tempfail",
    stage: "tcp",
    discoverable: true,
    signals: "ETIMEDOUT / CONNECT_TIMEOUT \"Connection timeout\"; errno 110 / WinError 10060; Go \"dial tcp …: i/o timeout\"; aiosmtplib SMTPConnectTimeoutError \"Timed out connecting to … on port …\"",
    rules: [
      {
        priority: 180,
        test: (e) =>
          kind(e, "connect-timeout", "tls-timeout") ||
          has(e, /ETIMEDOUT|connection time ?out|connection timed out|timed out \(110\)|dial tcp [^:]+:\d+: i\/o timeout|10060|operation timed out|timedout while connecting|within specified timeout|couldn't connect to host|CONNECT_TIMEOUT|connecting[^:]*: timed out|did not properly respond after a period of time|timed out connecting to \S+ on port/i),
      },
    ],
    title: "No answer from the server (connection timed out)",
    explain: (c) =>
      `The TCP connection to ${c.target ? `${c.target.host} port ${c.target.port}` : "the server"} got no answer at all. Something between here and the server drops the packets: ` +
      "cloud hosts (AWS EC2, Google Cloud, Alibaba ECS, Azure) block outgoing port 25 and sometimes 465/587, and corporate firewalls do the same.",
    fix: (c) => [
      c.suggestion
        ? { text: `Use port ${c.suggestion.port} (${c.suggestion.tls}), which answered from this machine.`, change: { ...c.suggestion } }
        : { text: "Try the other submission ports: `mailctl probe <host>` tries 465, 587 and 25 at once." },
      { text: "On a cloud host, ask the provider to unblock the port, or use the provider's mail relay / an API-based mail service." },
    ],
  },
  {
    id: "greeting-timeout",
    category: "tempfail",
    stage: "greeting",
    discoverable: true,
    signals: "no 220 greeting within the timeout (nodemailer \"Greeting never received\", aiosmtplib \"Timed out waiting for server ready message\") on a port that is not implicit TLS",
    rules: [
      {
        priority: 190,
        test: (e) => kind(e, "greeting-timeout") || has(e, GREETING_WAIT),
      },
    ],
    title: "The server never sent its greeting",
    explain: () =>
      "The TCP connection opened, but no \"220\" greeting arrived within the timeout, and the port does not speak TLS either. " +
      "The server may be overloaded, or a proxy or firewall accepted the connection and passes nothing through.",
    fix: () => [
      { text: "Try again, with a longer --timeout; if it persists, check the server (or the proxy in between)." },
      { text: "If the port is 465, make sure the client uses implicit TLS there." },
    ],
  },
  {
    id: "reply-timeout",
    category: "tempfail",
    stage: null,
    signals: "an open connection where the server had answered before sends no complete reply within --timeout (a silent or dripping EHLO, a stalled DATA)",
    rules: [
      {
        priority: 20,
        test: (e) => e.source === "session" && kind(e, "reply-timeout"),
      },
    ],
    title: "The server stopped answering",
    explain: (c) =>
      `The connection was open and the server had spoken, but ${c.e.stage ? `during ${c.e.stage} ` : ""}no complete reply came within the timeout — or, while the message was written, the server stopped taking it. ` +
      "The server may be overloaded or stuck, or a firewall or proxy in between holds the connection open and passes nothing on.",
    fix: () => [
      { text: "Try again, with a longer --timeout; if it stops at the same step every time, check the server's log (or the proxy in between)." },
    ],
  },
  {
    id: "server-unavailable",
    category: "tempfail",
    stage: null,
    signals: "421 (service not available, closing the channel) at any stage; 554 instead of a greeting",
    rules: [
      {
        priority: 390,
        test: (e) =>
          code(e) === 421 ||
          (e.stage === "greeting" && code(e) === 554) ||
          (has(e, /invalid greeting/i) && (code(e) ?? 0) >= 400) ||
          has(e, /service not (available|active)|closing transmission channel|temporary system problem/i),
      },
    ],
    title: "The server is not accepting mail right now",
    explain: (c) =>
      `${who(c)} answered ${quoted(c) || "that the service is not available"}: it is closing the connection (RFC 5321 §3.8). This is usually temporary — overload, maintenance — or a policy applied to this client.`,
    fix: () => [{ text: "Try again later. If it persists, check the server's status page or logs; some servers say 421 to clients they do not trust (see the text of the reply)." }],
  },
  {
    id: "connection-dropped",
    category: "tempfail",
    stage: null,
    signals: "the server closed or reset the connection mid-conversation: \"Connection unexpectedly closed\", \"Unexpected EOF\", ECONNRESET, .NET net_io_connectionclosed",
    rules: [
      {
        priority: 420,
        test: (e) => kind(e, "closed", "reset") || has(e, CLOSED),
      },
    ],
    title: "The server closed the connection",
    explain: (c) =>
      `The server ended the connection${c.e.stage ? ` during ${c.e.stage}` : ""} without an SMTP reply explaining why. ` +
      "Servers do this to clients they distrust (a bad EHLO name, a blocked address), when a proxy cuts the connection, or when the client spoke plaintext to an implicit-TLS port.",
    fix: () => [
      { text: "Run `mailctl doctor` with the same settings: it tells a TLS-mode mismatch apart from a server that drops the connection." },
      { text: "Check the server's log for the reason; try again later." },
    ],
  },
  {
    id: "data-unconfirmed",
    category: "ioerr",
    stage: "data",
    // What happened on mailctl's own connection comes first: the kind is certain, and the text (which may quote the
    // server) must not be read for other causes.
    signals: "the whole message and its final \".\" were sent, then no 4xx/5xx came back: a timeout, a closed or reset connection, or a reply that is not SMTP (RFC 1047's duplicate-message problem)",
    rules: [
      {
        priority: 10,
        test: (e) => e.source === "session" && !!e.unconfirmed,
      },
    ],
    title: "The message was sent, but the server's answer never came",
    explain: () =>
      "The whole message and its final \".\" went out, and then no reply arrived — the connection timed out, closed or carried something that is not SMTP. " +
      "The server may have accepted the message (it may already be on its way) or dropped it, and SMTP has no way to ask: sending it again may deliver it twice (RFC 1047, \"Duplicate messages and SMTP\").",
    fix: () => [
      { text: "Do not resend blindly: look for the message's Message-ID in the recipient's mailbox or the server's log first." },
      { text: "If it did not arrive, send it again with the same --message-id, so that a receiver that got the first copy can recognise the second." },
    ],
  },
  {
    id: "protocol-error",
    category: "protocol",
    stage: null,
    signals:
      "the session's own protocol check failed (a line that is not a reply, a reply nobody asked for, a reply over mailctl's limits): the text quotes the server, so it is not read for other causes; " +
      "a reply that is not SMTP or not the one expected: nodemailer \"Invalid greeting\"; \"SMTP synchronization error\"; 503 \"EHLO/HELO first\"",
    rules: [
      {
        priority: 30,
        test: (e) => e.source === "session" && kind(e, "protocol") && !e.reply,
      },
      {
        priority: 400,
        test: (e) => kind(e, "protocol") || has(e, /invalid greeting|synchronization error|EHLO\/HELO first|bad sequence of commands|not an SMTP reply/i),
      },
    ],
    title: "The server's reply is not valid SMTP",
    explain: (c) =>
      `What came back is not an SMTP reply, or not the one the conversation expected${c.e.text ? `: ${c.e.text.split("\n")[0]}` : ""}. ` +
      "The port may belong to another service (HTTP, IMAP, POP3), or a proxy or antivirus rewrites the traffic.",
    fix: () => [{ text: "Check host and port (`mailctl probe <host>` shows what the port says); disable SMTP scanning in antivirus/proxy software." }],
  },
  {
    id: "ehlo-rejected",
    category: "protocol",
    stage: "ehlo",
    signals: "a negative reply to EHLO/HELO: Postfix \"504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname\"; Exim \"501 Syntactically invalid HELO argument(s)\"; Gmail \"421 4.7.0 Try again later, closing connection. (EHLO)\"",
    rules: [
      {
        priority: 260,
        // A bare 421 is the server closing the channel (server-unavailable), whatever the stage; Gmail's says "(EHLO)" when the name is the cause.
        test: (e) =>
          ((e.stage === "ehlo" || e.stage === "ehlo-tls") && (code(e) ?? 0) >= 400 && code(e) !== 421) ||
          has(e, /helo command rejected|invalid (HELO|EHLO)|HELO\/EHLO argument|need fully-qualified hostname/i) ||
          /\(EHLO\)/.test(e.text),
      },
    ],
    title: "The server rejected the client's EHLO name",
    explain: (c) =>
      `${who(c)} refused the name the client introduced itself with${quoted(c) ? ` (${quoted(c)})` : ""}. Servers require a fully-qualified domain name or an address literal (RFC 5321 §4.1.1.1); ` +
      "names like \"localhost\" or a bare machine name are refused, and Gmail answers them with \"421 4.7.0 Try again later (EHLO)\".",
    fix: () => [{ text: "Send a proper EHLO name: this host's fully-qualified domain name, e.g. mail.example.com (mailctl --name; nodemailer `name`; Python local_hostname; Dify SMTP_LOCAL_HOSTNAME)." }],
  },
]);
