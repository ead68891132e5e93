import { afterAll, describe, expect, it } from "vitest";
import { runSession, type Phase } from "../../../src/session/run.js";
import type { SessionOptions } from "../../../src/session/session.js";
import { startSmtpServer, type StartedServer } from "../../helpers/tls-servers.js";

// The one session driver: the phases it announces (send's and test-send's spinner text follows them) and the
// stops the plan asks for, each against a real smtp-server on 127.0.0.1:0.
const servers: StartedServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));
const T = { connect: 5000, greeting: 5000, command: 5000, dataEnd: 5000 };

function opts(port: number, extra: Partial<SessionOptions> = {}): SessionOptions {
  return { host: "127.0.0.1", port, tls: "none", timeouts: T, ...extra };
}
const message = () => ({ from: "a@example.com", to: ["b@example.com"], data: Buffer.from("Subject: x\r\n\r\ny\r\n") });

describe("runSession(options, plan)", () => {
  it("a full send announces connect, hello, auth, send in that order and delivers", async () => {
    const s = await startSmtpServer({ mode: "plain", auth: { user: "alice", pass: "right" } });
    servers.push(s);
    const phases: Phase[] = [];
    const run = await runSession(opts(s.port, { auth: { user: "alice", password: "right" } }), { goal: "send", message, onPhase: (p) => phases.push(p) });
    expect(phases).toEqual(["connect", "hello", "auth", "send"]);
    expect(run.report.failure).toBeNull();
    expect(run.report.delivery?.reply?.code).toBe(250);
    expect(s.messages).toHaveLength(1);
    expect(run.session).toBeUndefined();
  });

  it("a refused AUTH stops after the auth phase: no send phase, nothing delivered", async () => {
    const s = await startSmtpServer({ mode: "plain", auth: { user: "alice", pass: "right" } });
    servers.push(s);
    const phases: Phase[] = [];
    let built = 0;
    const run = await runSession(opts(s.port, { auth: { user: "alice", password: "wrong" } }), {
      goal: "send",
      message: () => (built++, message()),
      onPhase: (p) => phases.push(p),
    });
    expect(phases).toEqual(["connect", "hello", "auth"]);
    expect(run.report.failure).toMatchObject({ stage: "auth", reply: { code: 535 } });
    expect(built).toBe(0);
    expect(s.messages).toHaveLength(0);
  });

  it("keep hands back the open session after AUTH; a failed one is closed and not handed back", async () => {
    const s = await startSmtpServer({ mode: "plain", auth: { user: "alice", pass: "right" } });
    servers.push(s);
    const seen: unknown[] = [];
    const ok = await runSession(opts(s.port, { auth: { user: "alice", password: "right" } }), { goal: "auth", keep: true, onSession: (x) => seen.push(x) });
    expect(ok.session).toBe(seen[0]);
    expect(ok.session!.connected).toBe(true);
    expect(ok.report.stages.some((x) => x.stage === "quit")).toBe(false);
    expect(await ok.session!.send(message())).toMatchObject({ reply: { code: 250 } });
    await ok.session!.close();
    expect(s.messages).toHaveLength(1);

    const bad = await runSession(opts(s.port, { auth: { user: "alice", password: "wrong" } }), { goal: "auth", keep: true });
    expect(bad.session).toBeUndefined();
    expect(bad.report.failure).toMatchObject({ stage: "auth" });
  });

  it("requireSmtputf8 stops after EHLO when the server does not offer SMTPUTF8, and says which addresses", async () => {
    const s = await startSmtpServer({ mode: "plain", hideSMTPUTF8: true });
    servers.push(s);
    const phases: Phase[] = [];
    const run = await runSession(opts(s.port), { goal: "send", message, requireSmtputf8: ["müller@example.com"], onPhase: (p) => phases.push(p), reportBeforeQuit: true });
    expect(phases).toEqual(["connect", "hello"]);
    expect(run.needsSmtputf8).toEqual(["müller@example.com"]);
    expect(run.report.failure).toBeNull();
    expect(run.report.stages.map((x) => x.stage)).not.toContain("auth");
    expect(s.messages).toHaveLength(0);
  });

  it("starttlsAgain on an implicit-TLS port that does not offer STARTTLS stops before AUTH and says so", async () => {
    const s = await startSmtpServer({ mode: "implicit", auth: { user: "alice", pass: "right" } });
    servers.push(s);
    const run = await runSession(opts(s.port, { tls: "implicit", ca: [s.ca!], auth: { user: "alice", password: "right" } }), { goal: "auth", starttlsAgain: true });
    expect(run.starttlsNotOffered).toBe(true);
    expect(run.report.authenticated).toBe(false);
    expect(run.report.failure).toBeNull();
  });
});
