// The five examples the explain issue names, each in the wordings of at least two clients. Where a wording was not
// found verbatim in a public log, it is built from the client's documented message format (cited per line).
import { describe, expect, it } from "vitest";
import { runCli } from "../../helpers/cli.js";

const EXAMPLES: { id: string; wordings: [client: string, text: string][] }[] = [
  {
    id: "plaintext-to-implicit-tls",
    wordings: [
      ["aiosmtplib (SMTPConnectError, smtp.py _create_connection)", "Error connecting to smtp.qq.com on port 465: Unexpected EOF received"],
      ["python smtplib (SMTPServerDisconnected)", "smtplib.SMTPServerDisconnected: Connection unexpectedly closed (smtp.qq.com port 465)"],
      ["JavaMail", "javax.mail.MessagingException: Could not connect to SMTP host: smtp.qq.com, port: 465, response: -1"],
    ],
  },
  {
    id: "tls-to-plaintext-port",
    wordings: [
      ["python ssl", "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)"],
      ["nodemailer / OpenSSL 3", "Error: 5082E78C2D7F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:355:"],
      ["Go crypto/tls", "tls: first record does not look like a TLS handshake"],
    ],
  },
  {
    // QQ's "502 Invalid paramenters": the words of the error name the command it answered, when they can.
    id: "sender-invalid",
    wordings: [
      // aiosmtplib errors.py SMTPSenderRefused(code, message, sender): the third part is the sender, here empty.
      ["as the issue quotes it (aiosmtplib SMTPSenderRefused)", "(502, 'Invalid paramenters', '')"],
      ["python smtplib SMTPSenderRefused", "smtplib.SMTPSenderRefused: (502, b'Invalid paramenters', '')"],
      ["the reply alone", "502 Invalid paramenters"],
    ],
  },
  {
    id: "starttls-unavailable",
    wordings: [
      // Lib/smtplib.py raises the bare SMTPResponseException only from starttls() (and QUIT).
      ["python smtplib starttls()", "smtplib.SMTPResponseException: (502, b'Invalid paramenters')"],
      ["nodemailer ETLS (reference A 4c format)", "Error upgrading connection with STARTTLS: 502 Invalid paramenters"],
    ],
  },
  {
    id: "starttls-after-implicit-tls",
    wordings: [
      ["aiosmtplib starttls() on a TLS connection", "aiosmtplib.errors.SMTPException: Connection already using TLS"],
      ["163 via smtplib SMTP_SSL + starttls() (SeldomQA/XTestRunner#41)", "smtplib.SMTPResponseException: (454, b'Command not permitted when TLS active')"],
    ],
  },
  {
    id: "greeting-timeout",
    wordings: [
      ["nodemailer", "Error: Greeting never received"],
      ["aiosmtplib (SMTPConnectTimeoutError)", "aiosmtplib.errors.SMTPConnectTimeoutError: Timed out waiting for server ready message"],
    ],
  },
  {
    id: "auth-failed",
    wordings: [
      ["nodemailer", "Invalid login: 535-5.7.8 Username and Password not accepted. Learn more at\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp"],
      ["python smtplib", "smtplib.SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted. For more information, go to\\n5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp')"],
      ["msmtp", "msmtp: authentication failed (method PLAIN)\nmsmtp: server message: 535-5.7.8 Username and Password not accepted."],
    ],
  },
];

describe("mailctl explain on the issue's examples, in several clients' wordings", () => {
  for (const ex of EXAMPLES) {
    for (const [client, text] of ex.wordings) {
      it(`${ex.id} ← ${client}`, async () => {
        const r = await runCli(["explain", "--json", text]);
        const doc = JSON.parse(r.stdout);
        expect(doc.recognised).toBe(true);
        expect(doc.diagnoses[0].id).toBe(ex.id);
        expect(doc.diagnoses[0].fix.length).toBeGreaterThan(0);
        expect(r.code).not.toBe(65);
      });
    }
  }

  it("tells QQ's 502 as one story: the empty sender when the tuple shows it; both causes, ranked, with the check, when the text cannot tell", async () => {
    const tuple = JSON.parse((await runCli(["explain", "--json", "(502, 'Invalid paramenters', '')"])).stdout).diagnoses[0];
    expect(tuple.explanation).toContain("an empty envelope sender (MAIL FROM:<>)");
    expect(tuple.explanation).not.toMatch(/Ranked by the evidence/);
    const bare = await runCli(["explain", "--json", "--provider", "qq", "502 Invalid paramenters"]);
    const d = JSON.parse(bare.stdout).diagnoses[0];
    expect(d.explanation).toMatch(/Ranked by the evidence: \(1\) a refused MAIL FROM.*\(2\) a STARTTLS on the already-encrypted port 465/s);
    expect(d.explanation).toMatch(/What tells them apart is the command the reply answers: a transcript \(mailctl doctor .*--transcript/);
    expect(d.fix[0]).toMatch(/^Make the From header one valid mailbox/);
    expect(d.fix[1]).toMatch(/^If the transcript shows the reply answering STARTTLS instead/);
    expect(bare.code).toBe(69);
  });

  it("the wrong-version paste gets the STARTTLS fix first, and no \"port ?\"", async () => {
    const r = await runCli(["explain", "--json", "ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)"]);
    const d = JSON.parse(r.stdout).diagnoses[0];
    expect(d.explanation).not.toMatch(/port \?/);
    expect(d.fix[0]).toMatch(/^Use port 587 with STARTTLS instead of implicit TLS \(.*smtplib\.SMTP then starttls\(\); aiosmtplib use_tls=False, start_tls=True\)/);
    expect(d.fix[1]).toMatch(/^Or keep implicit TLS and use port 465/);
  });

  it("\"what happened\" quotes the line that names the cause, not the whole pasted traceback", async () => {
    const traceback = [
      "Traceback (most recent call last):",
      '  File "/app/api/libs/smtp.py", line 29, in send',
      "    smtp = smtplib.SMTP_SSL(self.server, self.port, timeout=10)",
      '  File "/usr/lib/python3.12/smtplib.py", line 1022, in __init__',
      "    SMTP.__init__(self, host, port, local_hostname, timeout,",
      '  File "/usr/lib/python3.12/ssl.py", line 1104, in do_handshake',
      "    self._sslobj.do_handshake()",
      "ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)",
    ].join("\n");
    const d = JSON.parse((await runCli(["explain", "--json", traceback])).stdout).diagnoses[0];
    expect(d.id).toBe("tls-to-plaintext-port");
    expect(d.evidence).toBe("ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)");
    // The port comes from another line; the line shown is the one that names the failure.
    const eof = JSON.parse((await runCli(["explain", "--json", 'Traceback (most recent call last):\n  File "app.py", line 3, in <module>\n    smtp.connect()\naiosmtplib.errors.SMTPServerDisconnected: Unexpected EOF received\nsmtp.qq.com port 465'])).stdout).diagnoses[0];
    expect(eof.id).toBe("plaintext-to-implicit-tls");
    expect(eof.evidence).toBe("aiosmtplib.errors.SMTPServerDisconnected: Unexpected EOF received");
  });

  it("reads the text from stdin", async () => {
    const r = await runCli(["explain", "--json"], { stdin: "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)\n" });
    expect(JSON.parse(r.stdout).diagnoses[0].id).toBe("tls-to-plaintext-port");
    expect(r.code).toBe(76);
  });

  it("names Gmail's app-password rule when the text is Gmail's", async () => {
    const r = await runCli(["explain", "535-5.7.8 Username and Password not accepted. Learn more at https://support.google.com/mail/?p=BadCredentials - gsmtp"]);
    expect(r.stdout.replace(/\s+/g, " ")).toMatch(/Gmail does not accept the account's normal password/);
    expect(r.code).toBe(77);
  });

  it("says honestly when it cannot place a text: exit 65, no diagnosis", async () => {
    const r = await runCli(["explain", "--json", "Error: something went wrong"]);
    expect(r.code).toBe(65);
    expect(JSON.parse(r.stdout)).toMatchObject({ recognised: false, diagnoses: [] });
    const human = await runCli(["explain", "Send invite member mail to user@example.com failed"]);
    expect(human.code).toBe(65);
    expect(human.stdout).toMatch(/not recognised/);
  });

  it("refuses an empty text with a usage error", async () => {
    const r = await runCli(["explain"], { stdin: "" });
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/nothing to explain/);
  });
});
