// The inbox's HTTP side: its policies (CSP, framing, sniffing), who may talk to it (Host, Origin, token),
// its bounds, live updates over server-sent events, and the lab's own API.
import { spawn } from "node:child_process";
import http from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { MailpitClient } from "mailpit-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LabReady } from "../../src/commands/lab.js";
import type { Inbox } from "../../src/lab/inbox/index.js";
import type { Lab } from "../../src/lab/server.js";
import { startInbox } from "../../src/lab/inbox/index.js";
import { BIN } from "../helpers/cli.js";
import { openLab, sendRaw } from "../helpers/raw-smtp.js";
import { attempted, closeTestInboxes, deliver, refused, testInbox } from "../helpers/inbox.js";
import { closeTestLabs, LAB_PASSWORD, LAB_USER } from "../helpers/lab.js";

afterAll(async () => {
  await closeTestInboxes();
  await closeTestLabs();
});

/** A request with full control of its headers (fetch will not send another Host). */
function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    // Node sends a DELETE's body with neither Content-Length nor chunked encoding unless told the length.
    const length: Record<string, string> = opts.body === undefined ? {} : { "Content-Length": String(Buffer.byteLength(opts.body)) };
    const req = http.request(url, { method: opts.method ?? "GET", headers: { ...length, ...opts.headers } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

describe("the inbox's policies", () => {
  let lab: Lab;
  let inbox: Inbox;
  beforeAll(async () => {
    ({ lab, inbox } = await testInbox());
  });

  it("serves the page with a policy that allows only its own script, styles and frames", async () => {
    const res = await fetch(inbox.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    const page = await res.text();
    expect(page).toContain('<script type="module" src="/assets/inbox.js"></script>');
    expect(page).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // every asset is the package's own
    for (const asset of ["inbox.js", "inbox.css", "favicon.svg"]) expect((await fetch(`${inbox.url}assets/${asset}`)).status).toBe(200);
    expect((await fetch(`${inbox.url}assets/tsconfig.json`)).status).toBe(404);
  });

  it("serves a message's HTML under a policy with no script and no remote source, remote images only when asked", async () => {
    const id = await deliver(lab, {
      to: "a@example.com",
      subject: "view",
      html: '<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/refresh"><p>hi</p><img src="cid:pic@x">',
      attachments: [{ filename: "p.png", cid: "pic@x", content: Buffer.from("png!") }],
    });
    const res = await fetch(`${inbox.url}view/${id}.html`);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; media-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    const html = await res.text();
    expect(html).not.toContain("refresh");
    expect(html).toContain(`<img src="data:image/png;base64,${Buffer.from("png!").toString("base64")}">`);
    const remote = await fetch(`${inbox.url}view/${id}.html?remote=1`);
    expect(remote.headers.get("content-security-policy")).toContain("img-src data: https: http:;");
    expect(remote.headers.get("content-security-policy")).not.toMatch(/script-src|style-src [^;]*http/);
  });

  it("serves attachments and raw source as inert data: sandboxed, never sniffed", async () => {
    const id = await deliver(lab, { to: "a@example.com", subject: "att", text: "x", attachments: [{ filename: "evil.html", content: "<script>alert(1)</script>", contentType: "text/html" }] });
    const part = (await new MailpitClient(inbox.url).getMessageSummary(id)).Attachments[0]!;
    const res = await fetch(`${inbox.url}api/v1/message/${id}/part/${part.PartID}`);
    expect(res.headers.get("content-type")).toBe("text/html");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-disposition")).toBe('inline; filename="evil.html"');
    const raw = await fetch(`${inbox.url}api/v1/message/${id}/raw?dl=1`);
    expect(raw.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(raw.headers.get("content-disposition")).toBe(`attachment; filename="${id}.eml"`);
  });

  it("answers only to its own names (DNS rebinding) and refuses cross-origin changes", async () => {
    const id = await deliver(lab, { to: "a@example.com", subject: "keep me", text: "x" });
    const evil = await request(`${inbox.url}api/v1/messages`, { headers: { Host: `rebound.example:${inbox.port}` } });
    expect(evil.status).toBe(403);
    expect(evil.body).toMatch(/Host header not allowed/);
    expect((await request(`${inbox.url}api/v1/messages`, { headers: { Host: `localhost:${inbox.port}` } })).status).toBe(200);
    const csrf = await request(`${inbox.url}api/v1/messages`, { method: "DELETE", headers: { Origin: "http://attacker.example" } });
    expect(csrf.status).toBe(403);
    expect((await lab.captures()).some((c) => c.id === id)).toBe(true);
    const preflight = await request(`${inbox.url}api/v1/messages`, { method: "OPTIONS", headers: { Origin: "http://attacker.example", "Access-Control-Request-Method": "DELETE" } });
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("bounds request bodies and answers unknown paths and methods", async () => {
    const big = await request(`${inbox.url}api/v1/messages`, { method: "DELETE", headers: { "Content-Type": "application/json" }, body: Buffer.alloc(2 * 1024 * 1024, 0x20) });
    expect([big.status, big.body]).toEqual([413, "request body over 1048576 bytes"]);
    expect((await request(`${inbox.url}nothing-here`)).status).toBe(404);
    expect((await request(`${inbox.url}api/v1/message/abc`, { method: "POST", headers: { Origin: inbox.url.replace(/\/$/, "") } })).status).toBe(405);
  });
});

describe("odd input", () => {
  it("lists and opens a capture that is no proper message (no header, binary bytes, a control character)", async () => {
    const { lab, inbox } = await testInbox();
    const { c } = await openLab(lab, "plain");
    expect(await sendRaw(c, "a@example.org", "b@mailctl.test", "\x00\x01\x1b[31mnot a header\xff\xfe\n\nbody")).toMatch(/^250 /);
    c.close();
    const [capture] = await lab.captures();
    const list = (await (await fetch(`${inbox.url}api/v1/messages`)).json()) as { messages: { ID: string; Subject: string; From: unknown }[] };
    expect(list.messages).toMatchObject([{ ID: capture!.id, Subject: "", From: null }]);
    expect((await fetch(`${inbox.url}api/v1/message/${capture!.id}`)).status).toBe(200);
    expect((await fetch(`${inbox.url}api/lab/v1/entry/${capture!.id}`)).status).toBe(200);
    expect((await fetch(`${inbox.url}view/${capture!.id}.html`)).status).toBe(404);
  });

  it("names the port when the inbox's port is taken (exit 69's error)", async () => {
    const { lab, inbox } = await testInbox();
    await expect(startInbox(lab, { port: inbox.port })).rejects.toMatchObject({ category: "unavailable", message: `port ${inbox.port} is already in use (127.0.0.1:${inbox.port}) for the inbox` });
  });
});

describe("the token", () => {
  const TOKEN = "inbox-token-4711";
  let inbox: Inbox;
  let lab: Lab;
  beforeAll(async () => {
    ({ lab, inbox } = await testInbox({}, { token: TOKEN }));
  });

  it("is required on every request, as a Bearer token, a Basic password (Mailpit clients) or the cookie the page gets", async () => {
    const none = await request(`${inbox.url}api/v1/messages`);
    expect(none.status).toBe(401);
    expect(none.headers["www-authenticate"]).toBe('Basic realm="mailctl lab inbox"');
    expect((await request(inbox.url)).status).toBe(401);
    expect((await request(`${inbox.url}assets/inbox.js`)).status).toBe(401);
    expect((await request(`${inbox.url}api/v1/messages`, { headers: { Authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await request(`${inbox.url}api/v1/messages`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    const id = await deliver(lab, { to: "a@example.com", subject: "with token", text: "x" });
    const client = new MailpitClient(inbox.url, { auth: { username: "anyone", password: TOKEN } });
    expect((await client.listMessages()).messages.map((m) => m.ID)).toEqual([id]);
    await expect(new MailpitClient(inbox.url, { auth: { username: "anyone", password: "nope" } }).listMessages()).rejects.toThrow(/401/);

    const open = await request(`${inbox.url}?token=${TOKEN}`);
    expect(open.status).toBe(303);
    expect(open.headers.location).toBe("/");
    const cookie = open.headers["set-cookie"]![0]!;
    expect(cookie).toBe(`mailctl_lab_token=${TOKEN}; HttpOnly; SameSite=Strict; Path=/`);
    const page = await request(inbox.url, { headers: { Cookie: cookie.split(";")[0]! } });
    expect(page.status).toBe(200);
    expect(page.body).not.toContain(TOKEN);
    expect((await request(`${inbox.url}?token=wrong`)).status).toBe(401);
  });

  it("is generated when the inbox listens beyond loopback", async () => {
    const { inbox: wide } = await testInbox({}, { listen: "0.0.0.0" });
    expect(wide.generated).toBe(true);
    expect(wide.token).toMatch(/^[\w-]{24}$/);
    expect(wide.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await request(`${wide.url}api/v1/messages`)).status).toBe(401);
    expect((await request(`${wide.url}api/v1/messages`, { headers: { Authorization: `Bearer ${wide.token}` } })).status).toBe(200);
  });
});

describe("live updates and the lab's API", () => {
  let lab: Lab;
  let inbox: Inbox;
  beforeAll(async () => {
    ({ lab, inbox } = await testInbox({ persona: "gmail" }));
  });

  it("streams each new entry, refused ones too, and each deletion as server-sent events", async () => {
    const abort = new AbortController();
    const res = await fetch(`${inbox.url}api/lab/v1/events`, { signal: abort.signal });
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = res.body!.getReader();
    let seen = "";
    const until = async (re: RegExp) => {
      while (!re.test(seen)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended; got ${seen}`);
        seen += Buffer.from(value).toString("utf8");
      }
    };
    await until(/retry: 1000\n\n/);
    const id = await deliver(lab, { to: "a@example.com", subject: "live", text: "x" });
    await until(new RegExp(`event: entry\ndata: \\{"id":"${id}"`));
    await refused(lab, { to: "a@example.com", subject: "x" }, { user: LAB_USER, pass: "wrong" });
    await until(/event: entry\ndata: \{"id":"\w+","outcome":"refused"[^\n]*"reply":\{"code":535/);
    await fetch(`${inbox.url}api/lab/v1/entries`, { method: "DELETE", body: JSON.stringify({ ids: [id] }) });
    await until(new RegExp(`event: deleted\ndata: \\{"ids":\\["${id}"\\]\\}`));
    abort.abort();
  });

  it("lists refused attempts with their reply, and gives each entry's session, decisions and checks, never a password", async () => {
    await fetch(`${inbox.url}api/lab/v1/entries`, { method: "DELETE" });
    const wrong = "not-the-app-password";
    await refused(lab, { to: "a@example.com", subject: "x" }, { user: LAB_USER, pass: wrong });
    const id = await deliver(lab, { to: "a@example.com", subject: "fine", html: "<p>see <a href='https://example.com/a'>a</a></p>" });
    await attempted(lab, id);
    const list = (await (await fetch(`${inbox.url}api/lab/v1/entries`)).json()) as { total: number; accepted: number; refused: number; entries: { id: string; outcome: string; reply: { code: number } | null; verdict: { checked: boolean } }[] };
    expect(list).toMatchObject({ total: 2, accepted: 1, refused: 1 });
    expect(list.entries.map((e) => [e.outcome, e.reply?.code])).toEqual([
      ["accepted", 250],
      ["refused", 535],
    ]);
    expect(list.entries[0]!.verdict).toEqual({ checked: false, spf: null, dkim: null, dmarc: null });
    const refusal = await (await fetch(`${inbox.url}api/lab/v1/entry/${list.entries[1]!.id}`)).json();
    expect(refusal.session.decisions).toMatchObject([{ stage: "AUTH", outcome: "refused", why: `the password is not the one of ${LAB_USER}` }]);
    expect(refusal.checks).toBeNull();
    const detail = await (await fetch(`${inbox.url}api/lab/v1/entry/${id}`)).json();
    expect(detail.session.transcript.map((l: { text: string }) => l.text)).toContain("AUTH PLAIN <redacted>");
    expect(detail.checks.links).toEqual([{ url: "https://example.com/a", text: "a", source: "html" }]);
    expect(detail.receiver).toMatchObject({ checked: false });
    const everything = JSON.stringify([list, refusal, detail]);
    for (const secret of [LAB_PASSWORD, wrong, Buffer.from(`\0${LAB_USER}\0${wrong}`).toString("base64")]) expect(everything).not.toContain(secret);
  });
});

describe("mailctl lab --ui", () => {
  it("starts the inbox beside the lab, names it in the JSON document, serves it, and stops on SIGTERM", async () => {
    const dir = await mkdtemp(join(os.tmpdir(), "mailctl-lab-ui-"));
    const env = { ...process.env, NO_COLOR: "1", MAILCTL_LAB_PASSWORD: "cli-ui-password" };
    delete env.MAILCTL_LAB_UI_TOKEN;
    const child = spawn(process.execPath, [BIN, "lab", "--ui", "--dir", dir, "--port-base", "0", "--json"], { env });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c));
    const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
    let doc: LabReady | undefined;
    for (let i = 0; i < 200 && !doc; i++) {
      await new Promise((r) => setTimeout(r, 25));
      try {
        doc = JSON.parse(out) as LabReady;
      } catch {
        doc = undefined;
      }
    }
    expect(doc!.ui).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/), token: { required: false, env: "MAILCTL_LAB_UI_TOKEN", generated: false } });
    const res = await fetch(`${doc!.ui!.url}api/v1/messages`);
    expect(await res.json()).toMatchObject({ total: 0, messages: [] });
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });
});
