// No acknowledged message is lost: the 250 goes out only once the message and its index line are on disk.
import { readdirSync, readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { afterAll, describe, expect, it } from "vitest";
import { closeTestLabs, LAB_PASSWORD, LAB_USER, testLab } from "../helpers/lab.js";

afterAll(closeTestLabs);

const COUNT = 200;

/** Message i: a distinct recipient and a body whose length grows with i. */
function body(i: number): Buffer {
  return Buffer.from(`From: ${LAB_USER}\r\nTo: n${i}@mailctl.test\r\nSubject: message ${i}\r\n\r\n${"x".repeat(i * 37)}\r\n.end of ${i}\r\n`);
}

describe("capture durability", () => {
  it(`turns ${COUNT} concurrent messages into ${COUNT} files and ${COUNT} index lines, each on disk before its 250`, async () => {
    const lab = await testLab();
    const transports = (["implicit", "starttls", "plain"] as const).map((kind) =>
      nodemailer.createTransport({
        host: "127.0.0.1",
        port: lab.endpoints[kind].port,
        secure: kind === "implicit",
        requireTLS: kind === "starttls",
        ignoreTLS: kind === "plain",
        tls: { ca: lab.caPem, servername: "localhost" },
        auth: { user: LAB_USER, pass: LAB_PASSWORD },
      }),
    );
    const storedAtAck: boolean[] = [];
    // Without pooling every send has its own connection, so all of them are in flight at once.
    const ids = await Promise.all(
      Array.from({ length: COUNT }, (_, i) =>
        transports[i % 3]!.sendMail({ envelope: { from: LAB_USER, to: [`n${i}@mailctl.test`] }, raw: body(i) }).then((info) => {
          const id = /queued as ([0-9a-f]{16})/.exec(info.response)![1]!;
          // Looked at the moment the 250 arrives: the .eml has its final name and the index has its line.
          const file = readdirSync(lab.captureDir).some((f) => f.endsWith(`-${id}.eml`));
          storedAtAck.push(file && readFileSync(lab.indexPath, "utf8").includes(`"id":"${id}"`));
          return id;
        }),
      ),
    );
    for (const t of transports) t.close();

    expect(storedAtAck.filter(Boolean)).toHaveLength(COUNT);
    expect(new Set(ids).size).toBe(COUNT);
    expect((await readdir(lab.captureDir)).filter((f) => f.endsWith(".eml"))).toHaveLength(COUNT);
    const lines = (await readFile(lab.indexPath, "utf8")).split("\n").filter(Boolean);
    expect(lines).toHaveLength(COUNT);
    const entries = lines.map((l) => JSON.parse(l) as { id: string; file: string; envelope: { rcptTo: string[] }; size: number });
    expect(new Set(entries.map((e) => e.id))).toEqual(new Set(ids));
    for (const e of entries) {
      const i = Number(/^n(\d+)@/.exec(e.envelope.rcptTo[0]!)![1]);
      const bytes = await readFile(join(lab.captureDir, e.file));
      expect(bytes.equals(body(i))).toBe(true);
      expect(e.size).toBe(bytes.length);
    }
  });
});
