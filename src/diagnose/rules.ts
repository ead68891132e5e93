import { IMPLICIT_PORTS } from "../session/tls-mode.js";
import type { Evidence } from "./evidence.js";
import type { DiagnosisId } from "./ids.js";

/** One recognition rule: the catalog id it yields, when it applies, and what it looks at (for docs/diagnoses.md). */
export interface Rule {
  id: DiagnosisId;
  signals: string;
  test(e: Evidence): boolean;
}

const has = (e: Evidence, re: RegExp) => re.test(e.text);
const code = (e: Evidence) => e.reply?.code;
const enhanced = (e: Evidence) => e.reply?.enhanced ?? "";
const kind = (e: Evidence, ...k: string[]) => e.kind !== undefined && k.includes(e.kind);

/** The failure came from a token mechanism (the command the server answered, or mailctl's own token facts). */
export function tokenAuth(e: Evidence): boolean {
  return !!e.token || /^AUTH (XOAUTH2|OAUTHBEARER)\b/i.test(e.command ?? "");
}

/** Wordings of "the connection ended before the server said anything useful", across clients. */
const CLOSED = /unexpected eof|connection unexpectedly closed|connection closed unexpectedly|closed (the )?connection|unexpected socket close|remote host closed|net_io_connectionclosed|end of file reached|EOF occurred in violation|(^|[\s:-])EOF\s*$|empty (response|reply)|ECONNRESET|-4077|connection reset|response: -1/im;
const GREETING_WAIT = /greeting never received|waiting for server ready message|GREETING_TIMEOUT|timeout\(\d+\) while trying to read|unexpectedly closed: timed out/i;

/**
 * The recognition rules, most specific first; the first that matches names the diagnosis. They read what
 * really arrives — reply codes, enhanced codes (RFC 3463), reply texts in several providers' wordings,
 * socket and OpenSSL error codes, the stage reached — so one rule covers every client's wording of a cause.
 */
export const RULES: Rule[] = [
  // What happened on mailctl's own connection comes first: the kind is certain, and the text (which may quote the
  // server) must not be read for other causes.
  {
    id: "data-unconfirmed",
    signals: "the whole message and its final \".\" were sent, then no 4xx/5xx came back: a timeout, a closed or reset connection, or a reply that is not SMTP (RFC 1047's duplicate-message problem)",
    test: (e) => e.source === "session" && !!e.unconfirmed,
  },
  {
    id: "reply-timeout",
    signals: "an open connection where the server had answered before sends no complete reply within --timeout (a silent or dripping EHLO, a stalled DATA)",
    test: (e) => e.source === "session" && kind(e, "reply-timeout"),
  },
  {
    id: "protocol-error",
    signals: "the session's own protocol check failed (a line that is not a reply, a reply nobody asked for, a reply over mailctl's limits): the text quotes the server, so it is not read for other causes",
    test: (e) => e.source === "session" && kind(e, "protocol") && !e.reply,
  },
  // What the providers' token errors look like (checked against their documentation and public reports):
  // - Google's XOAUTH2 error is a 334 challenge, base64 JSON {status, schemes, scope}; after the client's empty line
  //   the server says 535 5.7.8 (developers.google.com/workspace/gmail/imap/xoauth2-protocol). Gmail sends
  //   {"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"} for an invalid or expired token
  //   (Symfony/Laravel log in the corpus; WildDuck's Gmail emulation), for a token of another account
  //   (mscdex/node-imap#233) and for a token without the mail scope (emersion/go-imap#213, PHPMailer#1664) alike.
  //   The "scope" field is the scope the service accepts (RFC 7628 §3.2.2), present in every such challenge: it is
  //   not evidence that the token lacks it.
  // - RFC 6750 §3.1 / RFC 7628 §3.2.2 give the meaningful statuses: invalid_token (HTTP 401), insufficient_scope
  //   (HTTP 403), invalid_request (HTTP 400). Only 403 / insufficient_scope says "scope" by itself.
  // - Microsoft sends no challenge: a refused token gets "535 5.7.3 Authentication unsuccessful" (learn.microsoft.com
  //   "Authenticate an IMAP, POP or SMTP connection using OAuth"), whatever the cause — expiry, wrong audience or
  //   scope (Azure-Samples/ms-identity-python-webapp#70), another account's token (tarickb/sasl-xoauth2#43).
  //   "535 5.7.139 … SmtpClientAuthentication is disabled" is SMTP AUTH switched off, OAuth or not (nextcloud/mail#13668);
  //   "501 5.5.124 Invalid XOAUTH2 auth data - User address provided is not valid" is a bad user name (sasl-xoauth2#110).
  // So the scope is named as the cause only on a 403/insufficient_scope challenge, an invalid_scope from the token
  // endpoint, or when the token endpoint's own "scope" field (RFC 6749 §5.1) lists the scopes granted without it.
  {
    id: "oauth-scope-missing",
    signals: "the token endpoint granted scopes without the mail scope (its \"scope\" field, RFC 6749 §5.1); an error challenge with status 403 / insufficient_scope (RFC 6750 §3.1); invalid_scope from the token endpoint",
    test: (e) =>
      !!e.token?.missingScope ||
      e.token?.endpointError?.error === "invalid_scope" ||
      (!!e.oauth && /^(403|insufficient_scope)$/i.test(e.oauth.status ?? "")) ||
      has(e, /insufficient_scope|\binvalid_scope\b/i),
  },
  {
    id: "oauth-refresh-failed",
    signals: "the token endpoint's error (RFC 6749 §5.2): invalid_grant / invalid_client / unauthorized_client / invalid_request, or no answer; nodemailer \"Can't create new access token\"; AADSTS codes",
    test: (e) =>
      kind(e, "oauth-refresh-failed") ||
      has(e, /\b(invalid_grant|invalid_client|unauthorized_client|invalid_request)\b|can't create new access token|failed generating new access token|AADSTS\d+|invalid status code \d{3}[\s\S]*(fetch|token)/i),
  },
  {
    id: "oauth-token-rejected",
    signals: "after AUTH XOAUTH2/OAUTHBEARER: an error challenge (334 + base64 JSON, e.g. Gmail's {\"status\":\"400\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"}) then 535; Microsoft's 535 5.7.3 \"Authentication unsuccessful\"; 501 5.5.124 \"Invalid XOAUTH2 auth data\"; Gmail's 501 5.5.2 \"Cannot Decode response\"",
    test: (e) =>
      !!e.oauth ||
      has(e, /cannot decode response|AUTH command failed: 334|invalid xoauth2 auth data/i) ||
      ((tokenAuth(e) || has(e, /xoauth2|oauthbearer/i)) && [535, 501, 334].includes(code(e) ?? 0) && !["5.7.139", "5.7.30"].includes(enhanced(e))),
  },
  {
    id: "tls-cipher-mismatch",
    signals: "a handshake failure alert (40) that a second handshake allowing TLS 1.0 and the weakest ciphers meets again (a NULL-only server); a server log's \"no shared cipher\"",
    test: (e) => kind(e, "tls-no-shared-cipher") || has(e, /no shared cipher|NO_SHARED_CIPHER/i),
  },
  {
    id: "tls-protocol-too-old",
    signals: "OpenSSL \"tlsv1 alert protocol version\" / \"unsupported protocol\"; Java \"No appropriate protocol\"; Go \"unsupported protocol version\"; Microsoft 421 4.7.66",
    test: (e) =>
      kind(e, "tls-protocol-version") ||
      has(e, /alert protocol version|unsupported protocol|no appropriate protocol|unsupported protocol version|TLS 1\.0 and 1\.1 are not supported|4\.7\.66|sslv3 alert handshake failure|NO_PROTOCOLS_AVAILABLE/i),
  },
  {
    id: "cert-expired",
    signals: "CERT_HAS_EXPIRED / CERT_NOT_YET_VALID; \"certificate has expired\"; Go \"expired or is not yet valid\"",
    test: (e) => kind(e, "cert-expired", "cert-not-yet-valid") || has(e, /certificate (has )?expired|CERT_HAS_EXPIRED|expired or is not yet valid|CERT_NOT_YET_VALID/i),
  },
  {
    id: "cert-hostname-mismatch",
    signals: "ERR_TLS_CERT_ALTNAME_INVALID; \"does not match certificate's altnames\"; Python \"Hostname mismatch\"; Go \"certificate is valid for X, not Y\"",
    test: (e) =>
      kind(e, "cert-hostname") ||
      has(e, /altnames|hostname mismatch|certificate is valid for .+, not |ERR_TLS_CERT_ALTNAME_INVALID|no subject alternative (dns )?names? matching|RemoteCertificateNameMismatch/i),
  },
  {
    id: "cert-untrusted",
    signals: "DEPTH_ZERO_SELF_SIGNED_CERT / SELF_SIGNED_CERT_IN_CHAIN / UNABLE_TO_VERIFY_LEAF_SIGNATURE; \"certificate signed by unknown authority\"; Java \"PKIX path building failed\"; \"certificate verify failed\"",
    test: (e) =>
      kind(e, "cert-untrusted", "cert-self-signed") ||
      has(e, /self[- ]signed|unknown authority|PKIX path|could not convert socket to TLS|certificate verify failed|unable to verify the first certificate|unable to get local issuer|UNABLE_TO_VERIFY|SELF_SIGNED|remote certificate is invalid|certificate could not be validated|CERTIFICATE_VERIFY_FAILED/i),
  },
  {
    id: "starttls-after-implicit-tls",
    signals: "a STARTTLS on an already-encrypted connection: refused by the server (454/503 \"not permitted when TLS active\", \"TLS already active\"), or stopped by the client library (aiosmtplib \"Connection already using TLS\"; smtplib SMTP_SSL + starttls() against a server that does not advertise it)",
    test: (e) =>
      (e.stage === "starttls" && e.secure === true) ||
      has(e, /not permitted when TLS active|already using TLS|TLS already active/i),
  },
  {
    id: "tls-to-plaintext-port",
    signals: "OpenSSL \"wrong version number\" (ERR_SSL_WRONG_VERSION_NUMBER); Go \"first record does not look like a TLS handshake\"; Java \"Unrecognized SSL message, plaintext connection?\"; .NET/MailKit \"unexpected packet format\"; GnuTLS \"An unexpected TLS packet was received\"",
    test: (e) =>
      kind(e, "tls-wrong-version") ||
      has(e, /wrong version number|WRONG_VERSION_NUMBER|first record does not look like a TLS handshake|Unrecognized SSL message|unexpected TLS packet|unexpected packet format|port which does not support SSL\/TLS|packet length too long|establish an SSL or TLS connection/i),
  },
  {
    id: "plaintext-to-implicit-tls",
    signals: "a port that stays silent in plaintext but completes a TLS handshake; in logs: a greeting timeout or an early EOF on port 465 (\"Greeting never received\", \"Unexpected EOF received\", \"Connection unexpectedly closed\", Java \"response: -1\")",
    test: (e) => kind(e, "implicit-tls-port") || (e.source === "text" && e.port !== undefined && IMPLICIT_PORTS.has(e.port) && (has(e, CLOSED) || has(e, GREETING_WAIT))),
  },
  {
    id: "host-not-found",
    signals: "ENOTFOUND / EAI_AGAIN (getaddrinfo); \"Name or service not known\"; \"No such host is known\"; msmtp \"cannot locate host\"",
    test: (e) =>
      kind(e, "dns-not-found", "dns-temporary") ||
      has(e, /ENOTFOUND|EAI_AGAIN|EAI_NONAME|getaddrinfo|name or service not known|no such host|cannot locate host|host unknown|nodename nor servname|failure in name resolution|lookup \S+.*(no such host|i\/o timeout|server misbehaving)|queryA E|\bEDNS\b/i),
  },
  {
    id: "network-unreachable",
    signals: "ENETUNREACH (errno 101, WinError 10051) \"Network is unreachable\"; EHOSTUNREACH (errno 113) \"No route to host\"; EADDRNOTAVAIL \"Cannot assign requested address\"",
    test: (e) => kind(e, "unreachable") || has(e, /network is unreachable|ENETUNREACH|EHOSTUNREACH|no route to host|\[Errno (101|113)\]|10051|10065|EADDRNOTAVAIL|cannot assign requested address/i),
  },
  {
    id: "connection-refused",
    signals: "ECONNREFUSED (errno 111, WinError 10061) \"Connection refused\"",
    test: (e) => kind(e, "refused") || has(e, /ECONNREFUSED|connection refused|actively refused|10061/i),
  },
  {
    id: "connect-timeout",
    signals: "ETIMEDOUT / CONNECT_TIMEOUT \"Connection timeout\"; errno 110 / WinError 10060; Go \"dial tcp …: i/o timeout\"; aiosmtplib SMTPConnectTimeoutError \"Timed out connecting to … on port …\"",
    test: (e) =>
      kind(e, "connect-timeout", "tls-timeout") ||
      has(e, /ETIMEDOUT|connection time ?out|connection timed out|timed out \(110\)|dial tcp [^:]+:\d+: i\/o timeout|10060|operation timed out|timedout while connecting|within specified timeout|couldn't connect to host|CONNECT_TIMEOUT|connecting[^:]*: timed out|did not properly respond after a period of time|timed out connecting to \S+ on port/i),
  },
  {
    id: "greeting-timeout",
    signals: "no 220 greeting within the timeout (nodemailer \"Greeting never received\", aiosmtplib \"Timed out waiting for server ready message\") on a port that is not implicit TLS",
    test: (e) => kind(e, "greeting-timeout") || has(e, GREETING_WAIT),
  },
  {
    id: "auth-basic-disabled",
    signals: "535 5.7.139 \"basic authentication is disabled\" / \"SmtpClientAuthentication is disabled for the Tenant\"; 550 5.7.30 \"Basic authentication is not supported\"",
    test: (e) => enhanced(e) === "5.7.139" || enhanced(e) === "5.7.30" || has(e, /5\.7\.139|basic authentication is (disabled|not supported)|SmtpClientAuthentication is disabled|5\.7\.30 |did not meet the criteria to be authenticated/i),
  },
  {
    id: "auth-app-password-required",
    signals: "Gmail 534-5.7.9 \"Application-specific password required\" (InvalidSecondFactor); 534-5.7.14 \"Please log in via your web browser\"",
    test: (e) => enhanced(e) === "5.7.9" || enhanced(e) === "5.7.14" || has(e, /application-specific password|InvalidSecondFactor|log in (with|via) your web browser|ContinueSignIn|5\.7\.(9|14)\b/i),
  },
  {
    id: "auth-authorization-code",
    signals: "QQ 535 \"Please enter your authorization code\" / \"请使用授权码登录\" (GBK); 163/126 \"535 Error: authentication failed\" (the client authorization code is not enabled)",
    test: (e) => has(e, /authori[sz]ation code|授权码|客户端授权|Login Fail\.?\s*Please enter your authori[sz]ation/i),
  },
  {
    id: "rate-limited",
    signals: "454 4.7.0 \"Too many login attempts\"; 421/451/454 throttling; 550 5.4.5 daily sending limit; SES \"Maximum sending rate exceeded\"; quota exceeded",
    test: (e) =>
      enhanced(e) === "5.4.5" ||
      has(e, /too many (login|auth|bad auth)|throttl|rate limit|sending (limit|quota|rate)|quota exceeded|exceeded (its|your|the)? ?(\d+-hour |daily )?sending limit|5\.4\.5|daily (user )?sending|daily limit|SubmissionQuotaExceeded|5\.1\.90|relay quota|messages per (day|hour|minute)|4\.7\.28|too many (messages|connections|recipients)|#AUTH005/i),
  },
  {
    id: "client-blocked",
    signals: "the client's IP address is on a blocklist (\"blocked using zen.spamhaus.org\", \"listed at\", poor reputation)",
    test: (e) => has(e, /blocked using|spamhaus|\bblocklist|\bblacklist|\blisted (at|on|in)\b|poor reputation|IP .* (is )?blocked|\bRBL\b/i),
  },
  {
    id: "content-rejected",
    signals: "the message content was judged spam or inappropriate (163 \"554 DT:SPM\", \"may contain inappropriate words or content\", \"rejected as spam\")",
    test: (e) => has(e, /DT:SPM|inappropriate (words|content)|rejected as spam|spam message|content rejected|message content rejected|looks like spam/i),
  },
  {
    id: "ehlo-rejected",
    signals: "a negative reply to EHLO/HELO: Postfix \"504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname\"; Exim \"501 Syntactically invalid HELO argument(s)\"; Gmail \"421 4.7.0 Try again later, closing connection. (EHLO)\"",
    // A bare 421 is the server closing the channel (server-unavailable), whatever the stage; Gmail's says "(EHLO)" when the name is the cause.
    test: (e) =>
      ((e.stage === "ehlo" || e.stage === "ehlo-tls") && (code(e) ?? 0) >= 400 && code(e) !== 421) ||
      has(e, /helo command rejected|invalid (HELO|EHLO)|HELO\/EHLO argument|need fully-qualified hostname/i) ||
      /\(EHLO\)/.test(e.text),
  },
  {
    id: "starttls-required",
    signals: "530 5.7.0 \"Must issue a STARTTLS command first\"; a 530 that names STARTTLS or encryption (Exim ACLs: \"530 5.7.0 Encryption required: issue STARTTLS first\"); 538 \"Encryption required\"; 451 5.7.3 \"STARTTLS is required to send mail\"",
    // 530 means "issue STARTTLS first" (RFC 3207 §4) or "authenticate first" (RFC 4954 §6): only the text tells which.
    test: (e) => code(e) === 538 || (code(e) === 530 && has(e, /STARTTLS|\bTLS\b|encrypt/i)) || has(e, /must issue a STARTTLS|STARTTLS is required to send|encryption required for requested authentication|5\.7\.11/i),
  },
  {
    id: "starttls-unavailable",
    signals: "STARTTLS required by the settings but not advertised, or answered 454 \"TLS not available\" / 5xx (nodemailer ETLS \"Error upgrading connection with STARTTLS: …\"; smtplib's bare SMTPResponseException, which only starttls() raises); Python \"STARTTLS extension not supported by server\"; Go \"unencrypted connection\"",
    test: (e) =>
      kind(e, "starttls-not-offered") ||
      (e.stage === "starttls" && !e.secure) ||
      (has(e, /expected response code 220\b|Error upgrading connection with STARTTLS|smtplib\.SMTPResponseException: \(\d{3}/i) && (code(e) ?? 0) >= 400) ||
      has(e, /STARTTLS extension not supported|does not support STARTTLS|not support TLS via the STARTTLS|TLS not available|unencrypted connection|cannot use a secure authentication method|server does not support TLS/i),
  },
  {
    id: "credentials-missing",
    signals: "an empty password (often an unset environment variable); nodemailer \"Missing credentials for \\\"PLAIN\\\"\"",
    test: (e) => kind(e, "credentials-missing") || has(e, /missing credentials|no password (was )?(given|provided|set)|password is empty/i),
  },
  {
    id: "auth-not-offered",
    signals: "credentials given but the server advertises no (usable) AUTH: Python \"SMTP AUTH extension not supported by server\", Go \"server doesn't support AUTH\", Postfix \"503 5.5.1 Error: authentication not enabled\"",
    test: (e) =>
      kind(e, "auth-not-offered", "auth-mechanism-not-offered") ||
      ((e.stage === "auth" || has(e, /invalid login/i)) && [500, 502, 503, 504].includes(code(e) ?? 0)) ||
      has(e, /AUTH extension not supported|doesn't support AUTH|does not support (the )?authentication|authentication not enabled|no suitable authentication method|AUTH command used when not advertised|command "?AUTH"? not recognized|invalid authentication mechanism|"AUTH [A-Z0-9-]+[^"]*" not implemented|command unrecognized: "?AUTH|not available: 535/i),
  },
  {
    id: "sender-invalid",
    signals: "MAIL FROM refused as malformed or empty: Postfix 501 5.1.7 \"Bad sender address syntax\"; 553 5.1.3; 555 5.5.4 \"MAIL FROM parameters\"; a Python SMTPSenderRefused whose sender part is empty or not an address (aiosmtplib's \"(502, 'Invalid paramenters', '')\" is MAIL FROM:<>); QQ's \"502 Invalid paramenters\" (the entry ranks its two possible causes)",
    test: (e) => {
      if (e.stage !== undefined && e.stage !== "mail") return false;
      // A text that names the command as STARTTLS (nodemailer ETLS; smtplib raises the bare SMTPResponseException only from starttls()) is not about MAIL FROM.
      if (has(e, /STARTTLS|SMTPResponseException:/)) return false;
      const sender = pythonSender(e.text);
      return (
        (e.stage === "mail" && [501, 502, 553, 555].includes(code(e) ?? 0) && has(e, /syntax|malformed|invalid|bad sender|paramenters|parameters|5\.1\.[37]|5\.5\.[24]/i)) ||
        (sender !== null && !/^[^@\s<>]+@[^@\s<>]+$/.test(sender) && !has(e, /recipient/i)) ||
        has(e, /Invalid paramenters|bad sender address syntax|sender address syntax|MAIL FROM parameters/i)
      );
    },
  },
  {
    id: "sender-not-owned",
    signals: "the sender is not an address the login may use: Postfix 553 5.7.1 \"Sender address rejected: not owned by user\"; QQ 501 \"mail from address must be same as authorization user\"; 163 553 \"Mail from must equal authorized user\"; Aliyun 436 \"MAIL FROM doesn't conform with authentication\"; Microsoft 554 5.2.252 SendAsDenied; SendGrid \"does not match a verified Sender Identity\"",
    test: (e) =>
      !has(e, /sender address rejected: not logged in/i) &&
      has(e, /not owned by|must be same as authori[sz]ation user|must equal authori[sz]ed user|doesn't conform with authentication|SendAsDenied|not allowed to send as|sender address is not allowed|invalid sender|sender address rejected|relaying disallowed as|verified sender identity|5\.7\.60|sender .*not (allowed|authori[sz]ed)/i),
  },
  {
    id: "from-header-rejected",
    signals: "the From header itself was refused: QQ 550 \"The \\\"From\\\" header is missing or invalid. Please follow RFC5322, RFC2047, RFC822…\"",
    test: (e) => has(e, /"?From"? header (is )?(missing|invalid)|invalid From header|From header .*(rejected|invalid)/i),
  },
  {
    id: "greylisted",
    signals: "450/451 at RCPT with \"Greylisted\" (postgrey) or 451 4.7.1 \"Try again later\"",
    test: (e) => has(e, /greylist|graylist/i) || ((code(e) === 450 || code(e) === 451) && enhanced(e) === "4.7.1" && /try again later/i.test(e.text)),
  },
  {
    id: "relay-denied",
    signals: "Postfix 554 5.7.1 \"Relay access denied\"; Exchange 550 5.7.1 \"Unable to relay\"; \"Relaying denied\"",
    test: (e) => has(e, /relay access denied|unable to relay|relaying denied|relay not permitted|relaying not allowed|not permitted to relay|recipient address rejected: access denied/i),
  },
  {
    id: "auth-required",
    signals: "530 5.7.0 \"Authentication required\" at MAIL FROM; Postfix 553 5.7.1 \"Sender address rejected: not logged in\" (reject_sender_login_mismatch, no AUTH); Microsoft 530 5.7.57 \"Client not authenticated to send mail\"; .NET \"the client was not authenticated\"",
    test: (e) =>
      code(e) !== 535 &&
      ((code(e) === 530 && e.stage !== "auth") || has(e, /\bauth(entication)? (is )?required|sender address rejected: not logged in|client not authenticated|5\.7\.57|client was not authenticated|please authenticate|SMTP AUTH is required/i)),
  },
  {
    id: "recipient-rejected",
    signals: "RCPT refused: 550 5.1.1 \"User unknown\"; Exim 550 \"Unrouteable address\"; 501/553 5.1.3 bad address syntax; Aliyun 559 \"Invalid rcptto\"",
    test: (e) =>
      (e.stage === "rcpt" && (code(e) ?? 0) >= 500) ||
      ((e.stage === undefined || e.stage === "rcpt") && /^5\.1\.\d+$/.test(enhanced(e))) ||
      has(e, /user unknown|unknown user|no such user|recipient address rejected|unrouteable address|invalid rcptto|recipient address must contain a domain|bad recipient address|not a valid RFC-?5321 address|mailbox (unavailable|not found|does not exist)|does not exist/i),
  },
  {
    id: "message-too-large",
    signals: "552 5.3.4 / 552-5.2.3 \"message size exceeds\"; a message bigger than the server's SIZE; Aliyun 557",
    test: (e) =>
      kind(e, "size-exceeded") ||
      (code(e) === 552 && !has(e, /quota/i)) ||
      ["5.3.4", "5.2.3", "4.3.4"].includes(enhanced(e)) ||
      has(e, /message size|size limit|too big|max(imum)? message size|MaxSubmissionExceeded|length of DATA content/i),
  },
  {
    id: "server-unavailable",
    signals: "421 (service not available, closing the channel) at any stage; 554 instead of a greeting",
    test: (e) =>
      code(e) === 421 ||
      (e.stage === "greeting" && code(e) === 554) ||
      (has(e, /invalid greeting/i) && (code(e) ?? 0) >= 400) ||
      has(e, /service not (available|active)|closing transmission channel|temporary system problem/i),
  },
  {
    id: "protocol-error",
    signals: "a reply that is not SMTP or not the one expected: nodemailer \"Invalid greeting\"; \"SMTP synchronization error\"; 503 \"EHLO/HELO first\"",
    test: (e) => kind(e, "protocol") || has(e, /invalid greeting|synchronization error|EHLO\/HELO first|bad sequence of commands|not an SMTP reply/i),
  },
  {
    id: "temporary-failure",
    signals: "any other 4xx reply (RFC 5321 §4.2.1: transient, try again later); \"Temporary local problem - please try later\"",
    test: (e) => ((code(e) ?? 0) >= 400 && (code(e) ?? 0) < 500) || has(e, /temporary (local )?(problem|failure|error)|please try (again )?later/i),
  },
  {
    id: "connection-dropped",
    signals: "the server closed or reset the connection mid-conversation: \"Connection unexpectedly closed\", \"Unexpected EOF\", ECONNRESET, .NET net_io_connectionclosed",
    test: (e) => kind(e, "closed", "reset") || has(e, CLOSED),
  },
  {
    id: "auth-failed",
    signals: "535 at AUTH (Postfix \"5.7.8 Error: authentication failed\", Gmail \"5.7.8 Username and Password not accepted\", Microsoft \"5.7.3 Authentication unsuccessful\"); PHPMailer \"Could not authenticate\"; msmtp \"authentication failed\"",
    test: (e) =>
      (e.stage === "auth" && (code(e) ?? 0) >= 500) ||
      code(e) === 535 ||
      ["5.7.8", "5.7.3"].includes(enhanced(e)) ||
      has(e, /authentication (failed|unsuccessful|failure)|could not authenticate|invalid login|username and password not accepted|incorrect authentication data|login denied|AuthenticationFailed|not loving your login|bad username|invalid credentials|\(535\)/i),
  },
];

/**
 * The sender in a Python SMTPSenderRefused as str() prints it: (code, message, sender) — aiosmtplib
 * errors.py and smtplib keep the envelope sender as the third part. Null when the text holds no such tuple.
 */
export function pythonSender(text: string): string | null {
  const m = /\((\d{3}),\s*b?(['"])(?:\\.|(?!\2)[^\\])*\2,\s*(['"])((?:\\.|(?!\3)[^\\])*)\3\)/.exec(text);
  return m ? m[4]! : null;
}

/** The first rule that matches, or null when nothing in the evidence can be placed. */
export function recognise(e: Evidence): DiagnosisId | null {
  return RULES.find((r) => r.test(e))?.id ?? null;
}
