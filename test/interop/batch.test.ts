// A batch through the real servers: 1,000 rows delivered, each once, into the recipient's maildir, and a batch
// where some recipients do not exist reports each refusal and delivers the rest.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadEnv, mailctl, servers, type InteropServer } from "./env.js";

const env = loadEnv();
const dir = mkdtempSync(join(tmpdir(), "mailctl-interop-batch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface BatchDoc {
  ok: boolean;
  batchId: string;
  rows: number;
  sent: number;
  dead: number;
  inDoubt: number;
  partial: number;
  deadRows: { key: string; reply: string; diagnosis?: string }[];
}

/** Message-IDs of the messages in `<maildir>/new` that belong to this batch, counted once per file. */
async function delivered(maildir: string, batchId: string, expected: number, since: number, timeoutMs = 120_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let ids: string[] = [];
  for (;;) {
    const box = join(maildir, "new");
    ids = existsSync(box)
      ? readdirSync(box)
          .map((f) => join(box, f))
          .filter((p) => statSync(p).mtimeMs >= since - 2000)
          .map((p) => /^Message-ID:\s*<([^>]+)>/im.exec(readFileSync(p, "latin1"))?.[1] ?? "")
          .filter((id) => id.startsWith(`${batchId}.`))
      : [];
    // Both servers queue before delivering: wait until the count stops short of nothing more to come.
    if (ids.length >= expected || Date.now() > deadline) return ids;
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe.each(servers(env))("send --batch through $software $version", (srv: InteropServer) => {
  const { alice, bob } = srv.users;
  const conn = ["--host", env.host, "--port", String(srv.ports.submission.port), "--tls", "starttls", "--ca", env.tls.ca, "--user", alice.login, "--from", `Alice <${alice.address}>`];
  const template = join(dir, `${srv.name}-template.txt`);
  writeFileSync(template, "---\nsubject: Row {{key}} for {{name}}\n---\nHello {{name}}, this is row {{key}}.\n");

  it("a batch of 1,000 delivers 1,000, each row exactly once", async () => {
    const rows = join(dir, `${srv.name}-1000.csv`);
    writeFileSync(rows, ["key,to,name", ...Array.from({ length: 1000 }, (_, i) => `r${i},${bob.address},Bob ${i}`)].join("\n") + "\n");
    const since = Date.now();
    const r = await mailctl<BatchDoc>(env, ["send", "--batch", rows, "--template", template, "--concurrency", "4", ...conn], alice.password, { transcript: false, timeoutMs: 200_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc).toMatchObject({ ok: true, rows: 1000, sent: 1000, dead: 0, inDoubt: 0 });
    const ids = await delivered(bob.maildir, r.doc.batchId, 1000, since);
    expect(ids.length).toBe(1000);
    expect(new Set(ids).size).toBe(1000);
  }, 240_000);

  it("unknown recipients among known ones: each refusal reported with its diagnosis, the rest delivered", async () => {
    const rows = join(dir, `${srv.name}-mixed.csv`);
    const unknown = srv.unknownRecipient;
    writeFileSync(rows, ["key,to,name", "m0," + bob.address + ",Bob", "m1," + unknown + ",Nobody", "m2," + bob.address + ",Bob again"].join("\n") + "\n");
    const since = Date.now();
    const r = await mailctl<BatchDoc>(env, ["send", "--batch", rows, "--template", template, ...conn], alice.password, { transcript: false });
    expect(r.code).toBe(69);
    expect(r.doc).toMatchObject({ rows: 3, sent: 2, dead: 1 });
    expect(r.doc.deadRows[0]).toMatchObject({ key: "m1" });
    expect(r.doc.deadRows[0]!.diagnosis).toBe("recipient-rejected");
    expect((await delivered(bob.maildir, r.doc.batchId, 2, since)).length).toBe(2);
  }, 120_000);
});
