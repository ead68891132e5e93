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
    id: "starttls-after-implicit-tls",
    wordings: [
      ["as the issue quotes it", "(502, 'Invalid paramenters', '')"],
      ["python smtplib (SMTPResponseException args)", "smtplib.SMTPResponseException: (502, b'Invalid paramenters')"],
      ["nodemailer ETLS (reference A 4c format)", "Error upgrading connection with STARTTLS: 502 Invalid paramenters"],
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
