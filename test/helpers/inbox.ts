// A lab with its web inbox for tests, and a sender that delivers to it the way an application does (nodemailer).
import nodemailer from "nodemailer";
import { startInbox, type Inbox, type InboxOptions } from "../../src/lab/inbox/index.js";
import type { Lab, LabOptions } from "../../src/lab/server.js";
import { LAB_PASSWORD, LAB_USER, testLab } from "./lab.js";

const inboxes: Inbox[] = [];

/** A lab (testLab) with an inbox on a free port. Call closeTestInboxes() before closeTestLabs(). */
export async function testInbox(lab: LabOptions = {}, opts: Partial<InboxOptions> = {}): Promise<{ lab: Lab; inbox: Inbox }> {
  const l = await testLab(lab);
  const inbox = await startInbox(l, { port: 0, ...opts });
  inboxes.push(inbox);
  return { lab: l, inbox };
}

/** Closes every inbox testInbox started. */
export async function closeTestInboxes(): Promise<void> {
  for (const i of inboxes.splice(0)) await i.close();
}

/** Sends through the lab's STARTTLS port as the lab account; resolves with the capture id from the 250 reply. */
export async function deliver(lab: Lab, mail: nodemailer.SendMailOptions, auth: Record<string, string> = { user: LAB_USER, pass: LAB_PASSWORD }): Promise<string> {
  const t = nodemailer.createTransport({ host: "127.0.0.1", port: lab.endpoints.starttls.port, requireTLS: true, tls: { ca: lab.caPem, servername: "localhost" }, auth });
  try {
    const info = await t.sendMail({ from: LAB_USER, ...mail });
    const id = /queued as (\w+)|OK {2}(\w+) - gsmtp|<(\w+)@/.exec(info.response);
    return id?.[1] ?? id?.[2] ?? id?.[3] ?? "";
  } finally {
    t.close();
  }
}

/** Resolves once the lab has recorded the attempt `id` (its session record follows the 250 by a moment). */
export async function attempted(lab: Lab, id: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await lab.attempts()).some((a) => a.id === id)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no attempt ${id} recorded within 2 s`);
}

/** Sends and expects a refusal; resolves with the error's reply text. */
export async function refused(lab: Lab, mail: nodemailer.SendMailOptions, auth?: Record<string, string>): Promise<string> {
  try {
    await deliver(lab, mail, auth);
  } catch (err) {
    return (err as { response?: string }).response ?? String(err);
  }
  throw new Error("the lab accepted a message the test expected it to refuse");
}
