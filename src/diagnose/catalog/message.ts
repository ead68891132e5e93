import { code, enhanced, has, kind, pythonSender } from "../signals.js";
import { fromFixSteps, fromSent, keepName } from "./from-fix.js";
import { entries, quoted, who, type FixStep } from "./types.js";

/** A pasted "502 Invalid paramenters" that does not show which command it answered. */
function openQuestion(text: string, stage: string | undefined): boolean {
  return stage === undefined && pythonSender(text) === null && /paramenters/i.test(text);
}

/** Causes found at MAIL, RCPT or DATA: who may send, to whom, what, and how often. */
export const MESSAGE = entries([
  {
    id: "sender-not-owned",
    category: "noperm",
    stage: "mail",
    signals: "the sender is not an address the login may use: Postfix 553 5.7.1 \"Sender address rejected: not owned by user\"; QQ 501 \"mail from address must be same as authorization user\"; 163 553 \"Mail from must equal authorized user\"; Aliyun 436 \"MAIL FROM doesn't conform with authentication\"; Microsoft 554 5.2.252 SendAsDenied; SendGrid \"does not match a verified Sender Identity\"",
    rules: [
      {
        priority: 320,
        test: (e) =>
          !has(e, /sender address rejected: not logged in/i) &&
          has(e, /not owned by|must be same as authori[sz]ation user|must equal authori[sz]ed user|doesn't conform with authentication|SendAsDenied|not allowed to send as|sender address is not allowed|invalid sender|sender address rejected|relaying disallowed as|verified sender identity|5\.7\.60|sender .*not (allowed|authori[sz]ed)/i),
      },
    ],
    title: "The sender address does not belong to the login",
    explain: (c) => {
      const rule = c.provider?.from.rule;
      const who2 = c.target?.user ? ` (${c.target.user})` : "";
      const lead = `${who(c)} refused the sender${quoted(c) ? `: ${quoted(c)}` : ""}.`;
      if (rule === "must-equal-login") return `${lead} ${c.provider!.title} requires the From address to be exactly the login address${who2}.`;
      if (rule === "verified-identity") return `${lead} ${c.provider!.title} sends only from verified sender identities.`;
      return `${lead} The authenticated user${who2} may not send as that address: the server checks senders against the login (Postfix reject_sender_login_mismatch, Microsoft "Send As" permission).`;
    },
    fix: (c) => [
      { text: `Send from the login address${c.target?.user ? ` ${c.target.user}` : ""}.`, ...(c.target?.user?.includes("@") ? { change: { from: c.target.user } } : {}) },
      { text: c.provider?.from.rule === "verified-identity" ? `Or verify the address as a sender identity in ${c.provider.title}.` : "Or have the address added as an alias / Send As permission for the login." },
    ],
  },
  {
    id: "sender-invalid",
    category: "unavailable",
    stage: "mail",
    signals: "MAIL FROM refused as malformed or empty: Postfix 501 5.1.7 \"Bad sender address syntax\"; 553 5.1.3; 555 5.5.4 \"MAIL FROM parameters\"; a Python SMTPSenderRefused whose sender part is empty or not an address (aiosmtplib's \"(502, 'Invalid paramenters', '')\" is MAIL FROM:<>); QQ's \"502 Invalid paramenters\" (the entry ranks its two possible causes)",
    rules: [
      {
        priority: 310,
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
    ],
    title: "The envelope sender (MAIL FROM) was refused as malformed",
    explain: (c) => {
      const sender = pythonSender(c.e.text);
      const libraries =
        "Libraries that take the envelope sender from the From header — aiosmtplib and smtplib send_message use its first address (email.utils.getaddresses) — send an empty or broken MAIL FROM when that header is not one valid mailbox: current Python (3.13, and the 2024 security releases of 3.8–3.12, CVE-2023-27043) finds no address at all in a doubled `Name <Name <addr>>`";
      // Only a log line without the command leaves two candidates; a live session or a sender tuple pins MAIL FROM.
      if (openQuestion(c.e.text, c.e.stage)) {
        return (
          `${who(c)} answered ${quoted(c) || "\"502 Invalid paramenters\""}, and the text alone does not say which command that answered (no public source quotes this reply). Ranked by the evidence: ` +
          `(1) a refused MAIL FROM — the one trace ties QQ's 502 to the From header (0xBitWild/MTeam-CLI#15), and the three-part error aiosmtplib prints, (502, 'Invalid paramenters', ''), is SMTPSenderRefused with an empty sender. ${libraries}. ` +
          "(2) a STARTTLS on the already-encrypted port 465 — but smtp.qq.com:465 does not advertise STARTTLS (splitbrain/dokuwiki-plugin-smtp#64), and smtplib, aiosmtplib and nodemailer send it only when it is advertised, so only a client that sends it regardless meets this. " +
          "What tells them apart is the command the reply answers: a transcript (mailctl doctor --from-config <file> --send --transcript; smtplib set_debuglevel(1)), or the exception — SMTPSenderRefused, whose third part is the sender, is MAIL FROM; one raised by starttls() is STARTTLS."
        );
      }
      const what = sender === "" ? "an empty envelope sender (MAIL FROM:<>)" : sender ? `the envelope sender "${sender}"` : "the envelope sender";
      return `${who(c)} refused ${what}${quoted(c) ? ` with ${quoted(c)}` : ""}. ${libraries}${c.provider?.name === "qq" || /paramenters/i.test(c.e.text) ? ", the value reported with QQ's 502 (0xBitWild/MTeam-CLI#15)" : ""}.`;
    },
    fix: (c) => {
      const open = openQuestion(c.e.text, c.e.stage);
      const steps: FixStep[] = [
        { text: `Make the From header one valid mailbox${c.target?.user?.includes("@") ? ` with the login ${c.target.user}` : ""} — message["From"] = email.utils.formataddr((name, address)) — or pass the envelope sender explicitly: aiosmtplib send_message(msg, sender=address), smtplib sendmail(address, to, msg.as_string()).` },
      ];
      if (open) steps.push({ text: "If the transcript shows the reply answering STARTTLS instead: on port 465 use implicit TLS alone — smtplib.SMTP_SSL without starttls(), aiosmtplib use_tls=True with start_tls unset." });
      return steps;
    },
  },
  {
    id: "from-header-rejected",
    category: "unavailable",
    stage: "data",
    signals: "the From header itself was refused: QQ 550 \"The \\\"From\\\" header is missing or invalid. Please follow RFC5322, RFC2047, RFC822…\"",
    rules: [
      {
        priority: 330,
        test: (e) => has(e, /"?From"? header (is )?(missing|invalid)|invalid From header|From header .*(rejected|invalid)/i),
      },
    ],
    title: "The From header was rejected",
    explain: (c) =>
      `${who(c)} refused the message after DATA because of its From header${quoted(c) ? `: ${quoted(c)}` : ""}.${fromSent(c)} ` +
      (c.provider?.name === "qq"
        ? "QQ Mail wants one mailbox whose address is the login, the display name (if any) plain ASCII, quoted, or RFC 2047-encoded on its own — an encoded address, a doubled `Name <Name <addr>>` or unquoted specials are refused."
        : "The header is missing, malformed (unquoted special characters in the display name, RFC 5322 §3.4), wrongly encoded (RFC 2047), or its address is not the login.") +
      keepName(c),
    fix: (c) => fromFixSteps(c),
  },
  {
    id: "relay-denied",
    category: "unavailable",
    stage: "rcpt",
    signals: "Postfix 554 5.7.1 \"Relay access denied\"; Exchange 550 5.7.1 \"Unable to relay\"; \"Relaying denied\"",
    rules: [
      {
        priority: 350,
        test: (e) => has(e, /relay access denied|unable to relay|relaying denied|relay not permitted|relaying not allowed|not permitted to relay|recipient address rejected: access denied/i),
      },
    ],
    title: "The server will not relay to that recipient",
    explain: (c) =>
      `${who(c)} accepts mail for other domains only from clients that logged in${quoted(c) ? `: ${quoted(c)}` : ""}. The client did not authenticate, or uses a port meant for incoming mail.`,
    fix: (c) => [
      c.suggestion
        ? { text: `Log in (user and password) on the submission port: port ${c.suggestion.port} with ${c.suggestion.tls === "implicit" ? "implicit TLS" : "STARTTLS"} answers.`, change: { ...c.suggestion } }
        : { text: "Log in (user and password), on the submission port: 587 with STARTTLS or 465 with implicit TLS." },
      { text: "If the server is yours and this client should relay without a login, allow its address (Postfix mynetworks)." },
    ],
  },
  {
    id: "recipient-rejected",
    category: "unavailable",
    stage: "rcpt",
    signals: "RCPT refused: 550 5.1.1 \"User unknown\"; Exim 550 \"Unrouteable address\"; 501/553 5.1.3 bad address syntax; Aliyun 559 \"Invalid rcptto\"",
    rules: [
      {
        priority: 370,
        test: (e) =>
          (e.stage === "rcpt" && (code(e) ?? 0) >= 500) ||
          ((e.stage === undefined || e.stage === "rcpt") && /^5\.1\.\d+$/.test(enhanced(e))) ||
          has(e, /user unknown|unknown user|no such user|recipient address rejected|unrouteable address|invalid rcptto|recipient address must contain a domain|bad recipient address|not a valid RFC-?5321 address|mailbox (unavailable|not found|does not exist)|does not exist/i),
      },
    ],
    title: "The recipient address was rejected",
    explain: (c) => `${who(c)} refused the recipient${quoted(c) ? `: ${quoted(c)}` : ""}. The mailbox does not exist, or the address is malformed.`,
    fix: () => [{ text: "Check the recipient's spelling and domain; send to an address known to exist to test the setup." }],
  },
  {
    id: "message-too-large",
    category: "unavailable",
    stage: "data",
    signals: "552 5.3.4 / 552-5.2.3 \"message size exceeds\"; a message bigger than the server's SIZE; Aliyun 557",
    rules: [
      {
        priority: 380,
        test: (e) =>
          kind(e, "size-exceeded") ||
          (code(e) === 552 && !has(e, /quota/i)) ||
          ["5.3.4", "5.2.3", "4.3.4"].includes(enhanced(e)) ||
          has(e, /message size|size limit|too big|max(imum)? message size|MaxSubmissionExceeded|length of DATA content/i),
      },
    ],
    title: "The message is too large",
    explain: (c) => `${who(c)} refused the message because of its size${quoted(c) ? `: ${quoted(c)}` : c.e.text ? `: ${c.e.text.split("\n")[0]}` : ""}. Attachments grow by about a third when encoded (base64).`,
    fix: (c) => [{ text: `Send smaller attachments, or links instead${c.provider?.limits?.maxMessageBytes ? ` (${c.provider.title} accepts up to ${Math.round(c.provider.limits.maxMessageBytes / 1048576)} MiB)` : ""}.` }],
  },
  {
    id: "rate-limited",
    category: "tempfail",
    stage: null,
    signals: "454 4.7.0 \"Too many login attempts\"; 421/451/454 throttling; 550 5.4.5 daily sending limit; SES \"Maximum sending rate exceeded\"; quota exceeded",
    rules: [
      {
        priority: 230,
        test: (e) =>
          enhanced(e) === "5.4.5" ||
          has(e, /too many (login|auth|bad auth)|throttl|rate limit|sending (limit|quota|rate)|quota exceeded|exceeded (its|your|the)? ?(\d+-hour |daily )?sending limit|5\.4\.5|daily (user )?sending|daily limit|SubmissionQuotaExceeded|5\.1\.90|relay quota|messages per (day|hour|minute)|4\.7\.28|too many (messages|connections|recipients)|#AUTH005/i),
      },
    ],
    title: "Sending or login rate limit reached",
    explain: (c) =>
      `${who(c)} is throttling this account or client${quoted(c) ? `: ${quoted(c)}` : ""}. Too many logins, messages or recipients in a period${c.provider?.limits?.perDay ? ` (${c.provider.title}: about ${c.provider.limits.perDay} messages per day)` : ""}.`,
    fix: () => [
      { text: "Wait and retry later with backoff; failed logins count too, so fix the password first if logins are failing." },
      { text: "Send in smaller batches (mailctl send --batch with --rate), or use a service meant for bulk mail." },
    ],
  },
  {
    id: "greylisted",
    category: "tempfail",
    stage: "rcpt",
    signals: "450/451 at RCPT with \"Greylisted\" (postgrey) or 451 4.7.1 \"Try again later\"",
    rules: [
      {
        priority: 340,
        test: (e) => has(e, /greylist|graylist/i) || ((code(e) === 450 || code(e) === 451) && enhanced(e) === "4.7.1" && /try again later/i.test(e.text)),
      },
    ],
    title: "Greylisted: try again in a few minutes",
    explain: (c) => `The receiving server defers first attempts from unknown senders${quoted(c) ? ` (${quoted(c)})` : ""}, expecting a real mail server to retry after a few minutes (greylisting). This is normal, not an error in your settings.`,
    fix: () => [{ text: "Retry after the delay the server names (usually 1–15 minutes); a queueing client (mailctl send --batch) retries by itself." }],
  },
  {
    id: "temporary-failure",
    category: "tempfail",
    stage: null,
    signals: "any other 4xx reply (RFC 5321 §4.2.1: transient, try again later); \"Temporary local problem - please try later\"",
    rules: [
      {
        priority: 410,
        test: (e) => ((code(e) ?? 0) >= 400 && (code(e) ?? 0) < 500) || has(e, /temporary (local )?(problem|failure|error)|please try (again )?later/i),
      },
    ],
    title: "Temporary failure: try again later",
    explain: (c) => `${who(c)} answered with a temporary error${quoted(c) ? `: ${quoted(c)}` : ""} (4xx, RFC 5321 §4.2.1): the same message may succeed later.`,
    fix: () => [{ text: "Retry later with backoff; if it persists, read the server's text for the reason." }],
  },
  {
    id: "client-blocked",
    category: "unavailable",
    stage: null,
    signals: "the client's IP address is on a blocklist (\"blocked using zen.spamhaus.org\", \"listed at\", poor reputation)",
    rules: [
      {
        priority: 240,
        test: (e) => has(e, /blocked using|spamhaus|\bblocklist|\bblacklist|\blisted (at|on|in)\b|poor reputation|IP .* (is )?blocked|\bRBL\b/i),
      },
    ],
    title: "This client's address is blocked",
    explain: (c) => `${who(c)} refused the connection or message because the sending IP address is on a blocklist or has poor reputation${quoted(c) ? `: ${quoted(c)}` : ""}.`,
    fix: () => [
      { text: "Send through your provider's authenticated submission server (465/587) instead of directly from this host." },
      { text: "Check the address on the blocklist named in the reply and follow its delisting steps." },
    ],
  },
  {
    id: "content-rejected",
    category: "unavailable",
    stage: "data",
    signals: "the message content was judged spam or inappropriate (163 \"554 DT:SPM\", \"may contain inappropriate words or content\", \"rejected as spam\")",
    rules: [
      {
        priority: 250,
        test: (e) => has(e, /DT:SPM|inappropriate (words|content)|rejected as spam|spam message|content rejected|message content rejected|looks like spam/i),
      },
    ],
    title: "The message content was rejected as spam",
    explain: (c) => `${who(c)} judged the message to be spam or inappropriate${quoted(c) ? `: ${quoted(c)}` : ""}.`,
    fix: () => [{ text: "Send a realistic message (real subject and text, matching From), avoid link-only or empty bodies, and check the sender's SPF/DKIM; test with `mailctl test-send`." }],
  },
]);
