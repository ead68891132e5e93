// doctor against real Postfix (+ Dovecot SASL) and Exim: every case of the interop catalog, with the id, the stage
// the server really answered at, the exit code, and the server's own reply text in the evidence. A correct setup
// passes, and with --send its message lands in the recipient's maildir.
import { simpleParser, type AddressObject } from "mailparser";
import { describe, expect, it } from "vitest";
import { doctor, loadEnv, servers, waitForMessage, WRONG_PASSWORD, type InteropServer } from "./env.js";

const env = loadEnv();

/** What each MTA says, as observed (test/interop/README.md): the texts differ, the diagnosis must not. */
function replies(srv: InteropServer) {
  const d = srv.domain;
  const alice = srv.users.alice.address;
  return srv.name === "postfix"
    ? {
        authFailed: "535 5.7.8 Error: authentication failed: (reason unavailable)",
        // Postfix delays restriction rejects to RCPT TO (smtpd_delay_reject), so a sender check answers there.
        senderStage: "rcpt",
        senderNotOwned: `553 5.7.1 <carol@${d}>: Sender address rejected: not owned by user ${alice}`,
        relayDenied: `554 5.7.1 <${srv.externalRecipient}>: Relay access denied`,
        unknownRecipient: `550 5.1.1 <${srv.unknownRecipient}>: Recipient address rejected: User unknown in virtual mailbox table`,
        plaintextMail: "530 5.7.0 Must issue a STARTTLS command first",
        notLoggedIn: `553 5.7.1 <${alice}>: Sender address rejected: not logged in`,
        notLoggedInStage: "rcpt",
      }
    : {
        authFailed: "535 Incorrect authentication data",
        // Exim's MAIL ACL refuses the sender at MAIL FROM (a two-line 553; the engine joins the lines).
        senderStage: "mail",
        senderNotOwned: `553 5.7.1 <carol@${d}>: sender address not owned by user ${alice}`,
        relayDenied: "550 relay not permitted",
        unknownRecipient: "550 Unrouteable address",
        plaintextMail: "530 5.7.0 Encryption required: issue STARTTLS first",
        notLoggedIn: "530 5.7.0 Authentication required",
        notLoggedInStage: "mail",
      };
}

describe.each(servers(env))("doctor against $software $version", (srv) => {
  const r = replies(srv);
  const { alice, bob } = srv.users;
  const ca = ["--ca", env.tls.ca];
  const on = (role: keyof InteropServer["ports"], tls: string) => ["--port", String(srv.ports[role].port), "--tls", tls];
  const sub = srv.ports.submission.port;
  const subs = srv.ports.submissions.port;

  it("plaintext on the implicit-TLS port: plaintext-to-implicit-tls, exit 76, suggesting implicit TLS on it", async () => {
    const { code, primary, doc } = await doctor(env, [...on("submissions", "starttls"), "--user", alice.login, ...ca], alice.password);
    expect(code).toBe(76);
    expect(primary).toMatchObject({ id: "plaintext-to-implicit-tls", stage: "greeting" });
    expect(primary!.evidence).toContain("TLS handshake on the same port succeeded");
    expect(doc.suggestion).toEqual({ port: subs, tls: "implicit" });
    expect(primary!.fix.join("\n")).toContain(`--port ${subs} --tls implicit`);
  });

  it("implicit TLS on the submission port: tls-to-plaintext-port, exit 76, suggesting STARTTLS on it", async () => {
    const { code, primary, doc } = await doctor(env, [...on("submission", "implicit"), "--user", alice.login, ...ca], alice.password);
    expect(code).toBe(76);
    expect(primary).toMatchObject({ id: "tls-to-plaintext-port", stage: "tls" });
    expect(primary!.evidence).toContain("wrong version number");
    expect(doc.suggestion).toEqual({ port: sub, tls: "starttls" });
    expect(primary!.fix.join("\n")).toContain(`--port ${sub} --tls starttls`);
  });

  it.each(["submission", "submissions"] as const)("a wrong password on the %s port: auth-failed, exit 77, with the server's 535", async (role) => {
    const { code, primary, doc } = await doctor(env, [...on(role, srv.ports[role].tls), "--user", alice.login, ...ca], WRONG_PASSWORD);
    expect(code).toBe(77);
    expect(primary).toMatchObject({ id: "auth-failed", stage: "auth" });
    expect(primary!.evidence).toContain(r.authFailed);
    expect(doc.suggestion).toBeNull();
  });

  it(`a sender the user does not own: sender-not-owned, exit 77, at ${srv.name === "postfix" ? "RCPT TO" : "MAIL FROM"}`, async () => {
    const args = [...on("submission", "starttls"), "--user", alice.login, ...ca, "--send", "--from", `carol@${srv.domain}`, "--to", bob.address];
    const { code, primary, doc } = await doctor(env, args, alice.password);
    expect(code).toBe(77);
    expect(primary).toMatchObject({ id: "sender-not-owned", stage: r.senderStage });
    expect(primary!.evidence).toContain(r.senderNotOwned);
    expect(primary!.fix.join("\n")).toContain(`--from ${alice.address}`);
    expect(doc.sent).toBeNull();
  });

  it.each([
    ["submission", "starttls"],
    ["submissions", "tls"],
  ] as const)("no --ca on the %s port: cert-untrusted at %s, exit 74, pointing at --ca", async (role, stage) => {
    const { code, primary } = await doctor(env, [...on(role, srv.ports[role].tls), "--user", alice.login], alice.password);
    expect(code).toBe(74);
    expect(primary).toMatchObject({ id: "cert-untrusted", stage });
    expect(primary!.evidence).toContain("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    expect(primary!.fix.join("\n")).toContain("--ca");
  });

  it("relay through the port-25 role without logging in: relay-denied, exit 69, at RCPT TO", async () => {
    const args = [...on("smtp", "starttls"), ...ca, "--send", "--from", alice.address, "--to", srv.externalRecipient];
    const { code, primary } = await doctor(env, args);
    expect(code).toBe(69);
    expect(primary).toMatchObject({ id: "relay-denied", stage: "rcpt" });
    expect(primary!.evidence).toContain(r.relayDenied);
  });

  it.each([
    ["smtp", false],
    ["submission", true],
  ] as const)("an unknown recipient on the %s port (logged in: %s): recipient-rejected, exit 69, at RCPT TO", async (role, login) => {
    const auth = login ? ["--user", alice.login] : [];
    const args = [...on(role, "starttls"), ...auth, ...ca, "--send", "--from", alice.address, "--to", srv.unknownRecipient];
    const { code, primary } = await doctor(env, args, login ? alice.password : undefined);
    expect(code).toBe(69);
    expect(primary).toMatchObject({ id: "recipient-rejected", stage: "rcpt" });
    expect(primary!.evidence).toContain(r.unknownRecipient);
  });

  it("plaintext MAIL on the submission port: starttls-required, exit 76, suggesting STARTTLS on it", async () => {
    const args = [...on("submission", "none"), ...ca, "--send", "--from", alice.address, "--to", bob.address];
    const { code, primary, doc } = await doctor(env, args);
    expect(primary).toMatchObject({ id: "starttls-required", stage: "mail" });
    expect(primary!.evidence).toContain(r.plaintextMail);
    expect(code).toBe(76);
    expect(doc.suggestion).toEqual({ port: sub, tls: "starttls" });
  });

  it("sending through the submission port without logging in: auth-required, exit 77", async () => {
    const args = [...on("submission", "starttls"), ...ca, "--send", "--from", alice.address, "--to", bob.address];
    const { code, primary } = await doctor(env, args);
    expect(primary).toMatchObject({ id: "auth-required", stage: r.notLoggedInStage });
    expect(primary!.evidence).toContain(r.notLoggedIn);
    expect(code).toBe(77);
  });

  it.each(["submission", "submissions"] as const)("a correct setup on the %s port: no error, exit 0", async (role) => {
    const { code, doc } = await doctor(env, [...on(role, srv.ports[role].tls), "--user", alice.login, ...ca], alice.password);
    expect(doc.diagnoses.filter((d) => d.severity === "error")).toEqual([]);
    expect(doc.ok).toBe(true);
    expect(code).toBe(0);
  });

  it.each(["submission", "submissions"] as const)("--send on the %s port: the message with doctor's token lands in bob's maildir", async (role) => {
    const since = Date.now();
    const args = [...on(role, srv.ports[role].tls), "--user", alice.login, ...ca, "--send", "--from", alice.address, "--to", bob.address];
    const { code, doc } = await doctor(env, args, alice.password);
    expect(code).toBe(0);
    expect(doc.sent?.reply).toMatch(srv.name === "postfix" ? /^250 .*queued as [0-9A-F]+$/ : /^250 OK id=\S+$/);
    const { token, messageId } = doc.sent!;
    const raw = await waitForMessage(bob.maildir, token, since);
    const mail = await simpleParser(raw);
    expect(mail.subject).toContain(token);
    expect(mail.messageId).toBe(messageId);
    expect(mail.from?.value).toEqual([{ address: alice.address, name: "" }]);
    expect((mail.to as AddressObject).value).toEqual([{ address: bob.address, name: "" }]);
    // The body names the token and the settings that delivered it.
    expect(mail.text).toContain(token);
    expect(mail.text).toContain(String(srv.ports[role].port));
    // The server added its trace header, so this is the copy that went through it, not something written locally.
    expect(String(mail.headers.get("received"))).toContain(srv.hostname);
  });
});
