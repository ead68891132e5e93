// RFC 2920 pipelining in the session engine, and transact() for a connection that carries many messages.
import { afterAll, describe, expect, it } from "vitest";
import type net from "node:net";
import { Session, type Outgoing, type SessionOptions } from "../../src/session/session.js";
import { type StageResult } from "../../src/session/stage-result.js";
import { startRawServer, startSmtpServer, type StartedServer } from "../helpers/tls-servers.js";

const servers: StartedServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));
const T = { connect: 5000, greeting: 5000, command: 5000, dataEnd: 5000 };

function opts(port: number, extra: Partial<SessionOptions> = {}): SessionOptions {
  return { host: "127.0.0.1", port, tls: "none", timeouts: T, transcript: true, ...extra };
}

const msg = (to: string[], body = "Subject: x\r\n\r\nhello\r\n"): Outgoing => ({ from: "a@example.com", to, data: Buffer.from(body) });

async function connected(port: number): Promise<Session> {
  const s = new Session(opts(port));
  expect((await s.open()) && (await s.hello()) && (await s.authenticate())).toBe(true);
  return s;
}

/** The stages as a comparison sees them: everything but timings and the pipelined marker. */
function shape(stages: StageResult[]) {
  return stages.map(({ ms: _ms, detail, ...rest }) => {
    const { pipelined: _p, ...d } = detail;
    return { ...rest, detail: d };
  });
}

/**
 * A raw server that answers nothing of a transaction until DATA has arrived: a client that waits for the reply
 * to MAIL before sending RCPT would hang, so getting through proves the commands came as one group.
 * `answers` gives the replies to MAIL, each RCPT and DATA, in order.
 */
function groupServer(answers: (lines: string[]) => string[], afterData: (sock: net.Socket, body: string) => void) {
  return startRawServer((sock) => {
    sock.write("220 group.example ESMTP\r\n");
    let buf = "";
    let inData = false;
    let group: string[] = [];
    sock.on("data", (d) => {
      buf += d.toString("latin1");
      for (;;) {
        if (inData) {
          const end = buf.indexOf("\r\n.\r\n");
          const lone = buf.startsWith(".\r\n");
          if (end < 0 && !lone) return;
          const body = lone ? "" : buf.slice(0, end + 2);
          buf = buf.slice(lone ? 3 : end + 5);
          inData = false;
          afterData(sock, body);
          continue;
        }
        const nl = buf.indexOf("\r\n");
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        if (/^EHLO/i.test(line)) sock.write("250-group.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
        else if (/^(RSET|NOOP)/i.test(line)) sock.write("250 2.0.0 Ok\r\n");
        else if (/^QUIT/i.test(line)) sock.end("221 2.0.0 Bye\r\n");
        else {
          group.push(line);
          if (/^DATA/i.test(line)) {
            const replies = answers(group);
            group = [];
            sock.write(replies.join(""));
            if (replies.at(-1)?.startsWith("354")) inData = true;
          }
        }
      }
    });
  });
}

describe("pipelining (RFC 2920)", () => {
  it("sends MAIL, every RCPT and DATA as one group when the server offers PIPELINING", async () => {
    const bodies: string[] = [];
    const s = await groupServer(
      (g) => g.map((l) => (l.startsWith("DATA") ? "354 go ahead\r\n" : "250 2.1.0 Ok\r\n")),
      (sock, body) => {
        bodies.push(body);
        sock.write("250 2.0.0 Ok: queued as G1\r\n");
      },
    );
    servers.push(s);
    const session = await connected(s.port);
    const d = await session.send(msg(["b@example.com", "c@example.com"]), { pipelining: true });
    await session.close();
    expect(session.failure).toBeNull();
    expect(d).toMatchObject({ accepted: ["b@example.com", "c@example.com"], rejected: [], reply: { code: 250, text: "Ok: queued as G1" } });
    expect(bodies).toEqual(["Subject: x\r\n\r\nhello\r\n"]);
    const wire = session.transcript!.entries.filter((e) => e.dir !== "*").map((e) => `${e.dir} ${e.text.split(" ")[0]}`);
    // All four commands before the first reply to them.
    expect(wire.slice(wire.indexOf("C MAIL"), wire.indexOf("C MAIL") + 7)).toEqual(["C MAIL", "C RCPT", "C RCPT", "C DATA", "S 250", "S 250", "S 250"]);
  });

  it("sends one command at a time when the server does not offer PIPELINING, even when asked", async () => {
    const s = await startSmtpServer({ mode: "plain", hidePIPELINING: true });
    servers.push(s);
    const session = await connected(s.port);
    await session.send(msg(["b@example.com", "c@example.com"]), { pipelining: true });
    await session.close();
    expect(s.messages).toHaveLength(1);
    const wire = session.transcript!.entries.filter((e) => e.dir !== "*").map((e) => `${e.dir} ${e.text.split(" ")[0]}`);
    const at = wire.indexOf("C MAIL");
    expect(wire.slice(at, at + 8)).toEqual(["C MAIL", "S 250", "C RCPT", "S 250", "C RCPT", "S 250", "C DATA", "S 354"]);
  });

  const refusals: [string, SessionOptionsServer][] = [
    ["one recipient refused", { rcpt: (a) => (a.startsWith("nobody") ? 550 : 250) }],
    ["every recipient refused", { rcpt: () => 550 }],
    ["MAIL refused", { mail: 553 }],
    ["the message refused after DATA", { data: 554 }],
  ];
  for (const [what, behaviour] of refusals) {
    it(`${what}: the same stages, replies and failure as without pipelining`, async () => {
      const s = await refusingServer(behaviour);
      servers.push(s);
      const run = async (pipelining: boolean) => {
        const session = await connected(s.port);
        const mark = session.stages.length;
        const delivery = await session.send(msg(["nobody@example.com", "b@example.com"]), { pipelining });
        const r = { delivery: delivery && { ...delivery, ms: 0 }, failure: session.failure, stages: shape(session.stages.slice(mark)) };
        await session.close();
        return r;
      };
      const inTurn = await run(false);
      const grouped = await run(true);
      expect(grouped).toEqual(inTurn);
      expect(grouped.failure === null).toBe(what === "one recipient refused");
    });
  }

  it("answers a 354 given despite every recipient being refused with a lone dot, and the connection goes on", async () => {
    const bodies: string[] = [];
    const s = await groupServer(
      (g) => g.map((l) => (l.startsWith("MAIL") ? "250 Ok\r\n" : l.startsWith("RCPT") ? (l.includes("nobody") ? "550 5.1.1 unknown\r\n" : "250 Ok\r\n") : "354 go ahead\r\n")),
      (sock, body) => {
        bodies.push(body);
        sock.write(body ? "250 2.0.0 queued\r\n" : "554 5.5.1 no valid recipients\r\n");
      },
    );
    servers.push(s);
    const session = await connected(s.port);
    const refused = await session.transact(msg(["nobody@example.com"]), { pipelining: true });
    expect(refused).toMatchObject({ delivery: null, usable: true, midway: true, unconfirmed: false, failure: { stage: "rcpt", reply: { code: 550 } } });
    expect(bodies).toEqual([""]); // the lone "." ended the empty message
    expect(await session.reset()).toBe(true);
    const ok = await session.transact(msg(["b@example.com"]), { pipelining: true });
    await session.close();
    expect(ok).toMatchObject({ failure: null, usable: true, delivery: { accepted: ["b@example.com"] } });
    expect(bodies).toHaveLength(2);
  });
});

describe("transact: many messages on one connection", () => {
  it("a refused message ends its transaction, not the connection; each message gets its own stages", async () => {
    const s = await startSmtpServer({
      mode: "plain",
      onRcptTo: (a, _s, cb) => (a.address.startsWith("nobody") ? cb(Object.assign(new Error("5.1.1 User unknown"), { responseCode: 550 })) : cb()),
    });
    servers.push(s);
    const session = await connected(s.port);
    const connectStages = session.stages.length;
    const results = [];
    for (const to of ["b@example.com", "nobody@example.com", "c@example.com"]) {
      const t = await session.transact(msg([to]), { pipelining: true });
      if (t.midway) expect(await session.reset()).toBe(true);
      results.push(t);
    }
    await session.close();
    expect(results.map((r) => [r.failure?.reply?.code ?? null, r.usable, r.midway])).toEqual([
      [null, true, false],
      [550, true, true],
      [null, true, false],
    ]);
    expect(results.map((r) => r.stages.map((x) => x.stage))).toEqual([["mail", "rcpt", "data"], ["mail", "rcpt"], ["mail", "rcpt", "data"]]);
    expect(session.stages.length).toBe(connectStages + 1); // + quit: no per-message history kept
    expect(s.messages.map((m) => m.envelope.rcptTo[0]!.address)).toEqual(["b@example.com", "c@example.com"]);
  });

  it("a connection lost after the final dot is unconfirmed (the server may have the message); lost before it is not", async () => {
    const afterDot = await groupServer(
      (g) => g.map((l) => (l.startsWith("DATA") ? "354 go ahead\r\n" : "250 Ok\r\n")),
      (sock) => sock.destroy(),
    );
    const beforeData = await groupServer(
      () => [],
      () => {},
    );
    servers.push(afterDot, beforeData);
    const lost = await connected(afterDot.port);
    const t1 = await lost.transact(msg(["b@example.com"]), { pipelining: true });
    expect(t1).toMatchObject({ usable: false, unconfirmed: true, failure: { stage: "data" } });
    await lost.close();
    const early = new Session(opts(beforeData.port, { timeouts: { ...T, command: 300 } }));
    await early.open();
    await early.hello();
    const t2 = await early.transact(msg(["b@example.com"]), { pipelining: true });
    expect(t2).toMatchObject({ usable: false, unconfirmed: false, failure: { stage: "mail", kind: "reply-timeout" } });
    await early.close();
  });

  it("a 421 closes the connection even in a transaction that keeps it (RFC 5321 §3.8)", async () => {
    const s = await refusingServer({ mail: 421 });
    servers.push(s);
    const session = await connected(s.port);
    const t = await session.transact(msg(["b@example.com"]), { pipelining: true });
    expect(t).toMatchObject({ usable: false, failure: { stage: "mail", reply: { code: 421 } } });
    await session.close();
  });
});

/** How refusingServer answers. */
interface SessionOptionsServer {
  mail?: number;
  rcpt?: (address: string) => number;
  data?: number;
}

/** smtp-server refusing at the stage asked for, with its normal PIPELINING behaviour. */
function refusingServer(b: SessionOptionsServer) {
  const err = (code: number) => Object.assign(new Error(`${code >= 500 ? "5" : "4"}.7.1 refused (${code})`), { responseCode: code });
  return startSmtpServer({
    mode: "plain",
    onMailFrom: (_a, _s, cb) => (b.mail ? cb(err(b.mail)) : cb()),
    onRcptTo: (a, _s, cb) => {
      const code = b.rcpt?.(a.address) ?? 250;
      return code >= 400 ? cb(err(code)) : cb();
    },
    onData: (stream, _s, cb) => {
      stream.resume();
      stream.on("end", () => (b.data ? cb(err(b.data)) : cb()));
    },
  });
}
