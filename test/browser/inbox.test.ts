// The web inbox in a real browser (Debian's chromium through playwright-core): live updates, rendering, the
// hostile-HTML policy against a loopback server that counts every request, the session view, refused attempts,
// and the Mailpit API agreeing with the page. Screenshots go to artifacts/browser/.
import http from "node:http";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { MailpitClient } from "mailpit-api";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Inbox } from "../../src/lab/inbox/index.js";
import type { Lab } from "../../src/lab/server.js";
import { ARTIFACTS, browserMissing, launchBrowser } from "../helpers/browser.js";
import { attempted, closeTestInboxes, deliver, refused, testInbox } from "../helpers/inbox.js";
import { closeTestLabs, LAB_PASSWORD, LAB_USER } from "../helpers/lab.js";

const missing = browserMissing();
if (missing) console.warn(missing);
const SHOTS = join(ARTIFACTS, "browser");

/** A loopback HTTP server that records every request a page makes to it. */
async function counter(): Promise<{ base: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? "");
    res.writeHead(200, { "Content-Type": req.url?.endsWith(".png") ? "image/png" : "text/plain" });
    res.end(req.url?.endsWith(".png") ? Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex") : "counted");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as { port: number };
  return { base: `http://127.0.0.1:${port}`, hits, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** An HTML message that tries everything a hostile sender would: scripts, remote loads, navigation, forms. */
function hostileHtml(base: string): string {
  return `<html><head>
<meta http-equiv="refresh" content="1;url=${base}/refresh">
<link rel="stylesheet" href="${base}/style.css">
<style>@import url("${base}/import.css"); .bg { background: url(${base}/bg.png); height: 20px }</style>
<script>fetch("${base}/script"); top.location = "${base}/top-script";</script>
</head><body onload="fetch('${base}/onload')">
<h1 id="title">Hostile</h1>
<img id="pixel" src="${base}/pixel.png" width="20" height="20">
<img src="nowhere" onerror="fetch('${base}/onerror')">
<div class="bg">background</div>
<iframe src="${base}/frame"></iframe>
<object data="${base}/object"></object>
<p><a id="top" href="${base}/top-link" target="_top">open on top</a> · <a id="js" href="javascript:fetch('${base}/js-link')">javascript link</a></p>
<form action="${base}/form" method="post" target="_top"><button id="submit">submit</button></form>
<script>document.getElementById("title").textContent = "script ran";</script>
</body></html>`;
}

describe.skipIf(missing !== null)("the inbox in chromium", () => {
  let lab: Lab;
  let inbox: Inbox;
  let outlook: { lab: Lab; inbox: Inbox };
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let page: Page;
  let count: Awaited<ReturnType<typeof counter>>;

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    count = await counter();
    ({ lab, inbox } = await testInbox({ persona: "gmail" }));
    outlook = await testInbox({ persona: "outlook" });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    await page.goto(inbox.url);
    await page.waitForSelector("#live.on");
  });
  afterAll(async () => {
    await browser?.close();
    await count?.close();
    await closeTestInboxes();
    await closeTestLabs();
  });

  const row = (id: string) => page.locator(`#rows tr[data-id="${id}"]`);
  const preview = () => page.frameLocator("iframe.preview");

  it("shows a message sent to the lab within a second, pushed over server-sent events (no reload, no polling)", async () => {
    await page.locator("#empty").waitFor({ state: "visible" });
    let listRequests = 0;
    page.on("request", (r) => void (r.url().includes("/api/lab/v1/entries") && listRequests++));
    const id = await deliver(lab, { to: "Ann <ann@example.com>", subject: "Welcome aboard", text: "Hello Ann", html: "<h1>Welcome, Ann</h1><p>Your account is ready.</p>" });
    const sent = Date.now();
    await row(id).waitFor({ timeout: 1000 });
    expect(Date.now() - sent).toBeLessThan(1000);
    expect(listRequests).toBe(0);
    await expect.poll(() => row(id).textContent()).toContain("Welcome aboard");
    await expect.poll(() => row(id).textContent()).toContain("✓ accepted");
    await expect.poll(() => row(id).textContent()).toContain("not checked");
  });

  it("renders the HTML of a message, and a narrow preview", async () => {
    const id = await deliver(lab, { to: "bob@example.com", subject: "Rendered", html: '<h1 id="headline" style="color:#2563eb">Big news</h1><p>Inline image: <img id="inline" src="cid:dot@x" width="10" height="10"></p>', attachments: [{ filename: "dot.png", cid: "dot@x", content: Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex") }] });
    await row(id).click();
    await page.click('button[data-tab="html"]');
    await expect.poll(() => preview().locator("#headline").textContent()).toBe("Big news");
    expect(await preview().locator("#headline").evaluate((h) => getComputedStyle(h).color)).toBe("rgb(37, 99, 235)");
    expect(await preview().locator("#inline").getAttribute("src")).toMatch(/^data:image\/png;base64,/);
    await page.click("#narrow");
    expect(await page.locator("iframe.preview").evaluate((f) => f.getBoundingClientRect().width)).toBe(375);
    await page.screenshot({ path: join(SHOTS, "narrow-preview.png") });
    await page.click("#narrow");
  });

  it("runs no script of a hostile message and fetches nothing remote, until remote images are asked for", async () => {
    const id = await deliver(lab, { to: "victim@example.com", subject: "Hostile HTML", html: hostileHtml(count.base), text: "hostile" });
    await row(id).click();
    await page.click('button[data-tab="html"]');
    const before = page.url();
    await expect.poll(() => preview().locator("#title").textContent()).toBe("Hostile");
    await page.waitForTimeout(1500); // the meta refresh would fire after 1 s
    await preview().locator("#top").click();
    await preview().locator("#js").click();
    await preview().locator("#submit").click();
    await page.waitForTimeout(500);
    expect(count.hits).toEqual([]);
    expect(await preview().locator("#title").textContent()).toBe("Hostile"); // neither script ran
    expect(page.url()).toBe(before); // the message never navigated the page
    expect(await page.title()).toBe("mailctl lab — inbox");
    await expect.poll(() => page.locator("#load-remote").textContent()).toContain("Load remote images (2)");
    await page.screenshot({ path: join(SHOTS, "hostile-blocked.png") });

    await page.click("#load-remote");
    await expect.poll(() => preview().locator("#title").textContent()).toBe("Hostile");
    await page.waitForTimeout(1000);
    expect(count.hits.sort()).toEqual(["/bg.png", "/pixel.png"]); // images only: no script, style, frame, object, form
    expect(await preview().locator("#title").textContent()).toBe("Hostile");
    expect(page.url()).toBe(before);
    count.hits.length = 0;
  });

  it("shows the SMTP session: the transcript with AUTH redacted, and what the persona decided", async () => {
    const id = await deliver(lab, { to: "carol@example.com", subject: "Session shown", text: "x" });
    await attempted(lab, id);
    await row(id).click();
    await page.click('button[data-tab="session"]');
    const transcript = page.locator("pre.transcript");
    await expect.poll(() => transcript.textContent()).toContain("-> AUTH PLAIN <redacted>");
    await expect.poll(() => transcript.textContent()).toContain("<- 220 smtp.gmail.com ESMTP");
    await expect.poll(() => transcript.textContent()).toContain(`<- 250 2.0.0 OK  ${id} - gsmtp`);
    await expect.poll(() => page.locator("ol.decisions").textContent()).toContain("signed in as lab@mailctl.test with PLAIN");
    const html = await page.content();
    expect(html).not.toContain(LAB_PASSWORD);
    expect(html).not.toContain(Buffer.from(`\0${LAB_USER}\0${LAB_PASSWORD}`).toString("base64"));
  });

  it("lists refused attempts with the persona's reply and why, and searches for them", async () => {
    await refused(lab, { to: "dave@example.com", subject: "x", text: "x" }, { user: "twostep@mailctl.test", pass: "the-normal-password" });
    const refusal = page.locator("#rows tr.refused").first();
    await expect.poll(() => refusal.textContent()).toContain("✗ 534 AUTH");
    await refusal.click();
    await expect.poll(() => page.locator("#outcome").textContent()).toContain("Refused by the gmail persona at AUTH");
    await expect.poll(() => page.locator("#outcome").textContent()).toContain("534 5.7.9 Application-specific password required.");
    await expect.poll(() => page.locator("#outcome").textContent()).toContain("Why: the account has 2-Step Verification: Gmail takes an app password, never the account's own password");
    expect(await page.content()).not.toContain("the-normal-password");
    await page.fill("#search", "is:refused");
    await expect.poll(() => page.locator("#rows tr").count()).toBe(1);
    await page.fill("#search", "");
    await expect.poll(() => page.locator("#rows tr.accepted").count()).toBe(4);
  });

  it("agrees with what a Mailpit client reads from the same inbox", async () => {
    const mailpit = new MailpitClient(inbox.url);
    const latest = await mailpit.getMessageSummary();
    expect(latest.Subject).toBe("Session shown");
    await row(latest.ID).click();
    await expect.poll(() => page.locator("#detail h2").textContent()).toBe("Session shown");
    const list = await mailpit.listMessages();
    expect(list.messages_count).toBe(await page.locator("#rows tr.accepted").count());
  });

  it("deletes an entry, and the row goes, live", async () => {
    const id = await deliver(lab, { to: "e@example.com", subject: "Delete me", text: "x" });
    await row(id).click();
    await page.click("#delete");
    await expect.poll(() => row(id).count()).toBe(0);
    expect(await lab.captures().then((c) => c.some((x) => x.id === id))).toBe(false);
  });

  it("takes the screenshots for README: an inbox, and a message a persona refused", async () => {
    await new MailpitClient(inbox.url).deleteMessages();
    await expect.poll(() => page.locator("#rows tr").count()).toBe(0);
    await refused(lab, { to: "team@example.com", subject: "x", text: "x" }, { user: LAB_USER, pass: "my-gmail-password" });
    const newsletter = await deliver(lab, {
      to: "Ann Example <ann@example.com>",
      subject: "March product update",
      headers: {
        // Stands in for the verdict a receiving persona records (issue 17); the inbox reads whatever the newest one says.
        "Authentication-Results": "lab.mailctl.test; spf=pass smtp.mailfrom=lab@mailctl.test; dkim=pass header.d=mailctl.test header.s=lab; dmarc=pass header.from=mailctl.test",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      },
      list: { unsubscribe: "https://mailctl.test/u/ann" },
      html: `<div style="font-family:sans-serif;max-width:560px"><h1 style="color:#2563eb">What's new in March</h1><p>Hi Ann, three things shipped this month:</p><ul><li><b>Faster exports</b>: CSV exports now stream.</li><li><b>Dark mode</b> for the dashboard.</li><li><b>Audit log</b> for every admin action.</li></ul><p><a href="https://mailctl.test/blog/march" style="background:#2563eb;color:#fff;padding:8px 14px;border-radius:6px;text-decoration:none">Read the post</a></p><p style="color:#666;font-size:12px">You get this because you signed up. <a href="https://mailctl.test/u/ann">Unsubscribe</a></p></div>`,
      text: "What's new in March",
    });
    await deliver(lab, {
      to: "billing@example.org",
      subject: "Invoice INV-2041",
      headers: { "Authentication-Results": "lab.mailctl.test; spf=softfail smtp.mailfrom=lab@mailctl.test; dkim=fail header.d=mailctl.test; dmarc=fail header.from=mailctl.test" },
      text: "Your invoice is attached.",
      attachments: [{ filename: "INV-2041.pdf", content: Buffer.from("%PDF-1.4"), contentType: "application/pdf" }],
    });
    await refused(lab, { to: "x@example.com", subject: "x", text: "x" }, { user: "twostep@mailctl.test", pass: "whatever" });
    await deliver(lab, { to: "ops@example.com", subject: "Nightly report: 0 failures", text: "All jobs passed." });
    await expect.poll(() => page.locator("#rows tr").count()).toBe(5);
    await row(newsletter).click();
    await page.click('button[data-tab="html"]');
    await expect.poll(() => preview().locator("h1").textContent()).toBe("What's new in March");
    await page.screenshot({ path: join(SHOTS, "inbox.png") });
    await page.click('button[data-tab="checks"]');
    await expect.poll(() => page.locator("#tab-checks").textContent()).toContain("One-click unsubscribe (RFC 8058): present");
    await expect.poll(() => page.locator("#tab-checks").textContent()).toContain("Signed: no DKIM signature covers List-Unsubscribe and List-Unsubscribe-Post");
    await expect.poll(() => page.locator("#links").textContent()).toContain("https://mailctl.test/blog/march");
    await page.screenshot({ path: join(SHOTS, "checks.png") });

    const p2 = await browser.context.newPage();
    await p2.goto(outlook.inbox.url);
    await p2.waitForSelector("#live.on");
    const oauth = { type: "OAuth2", user: LAB_USER, accessToken: LAB_PASSWORD };
    await refused(outlook.lab, { to: "all-staff@example.com", subject: "x", text: "x" }, { user: LAB_USER, pass: LAB_PASSWORD });
    await deliver(outlook.lab, { from: `Lab <${LAB_USER}>`, to: "all-staff@example.com", subject: "Agenda for Friday", text: "1. Numbers 2. Roadmap" }, oauth);
    const token = Buffer.from(`user=${LAB_USER}\x01auth=Bearer ${LAB_PASSWORD}\x01\x01`).toString("base64");
    const { openLab, sendRaw } = await import("../helpers/raw-smtp.js");
    const { c } = await openLab(outlook.lab, "starttls");
    expect(await c.cmd(`AUTH XOAUTH2 ${token}`)).toMatch(/^235 /);
    const letter = `From: The Boss <boss@example.com>\r\nTo: all-staff@example.com\r\nSubject: Quarterly all-hands\r\nMessage-ID: <q3@example.com>\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<h1 style="font-family:sans-serif">All-hands on Friday</h1><p style="font-family:sans-serif">Sent on behalf of the boss from the shared mailbox.</p>`;
    expect(await sendRaw(c, LAB_USER, "all-staff@example.com", letter)).toMatch(/^554 5\.2\.252 SendAsDenied/);
    await c.cmd("QUIT");
    c.close();
    await expect.poll(() => p2.locator("#rows tr").count()).toBe(3);
    const refusedRow = p2.locator("#rows tr.refused").first();
    await expect.poll(() => refusedRow.textContent()).toContain("✗ 554 DATA");
    await refusedRow.click();
    await p2.click('button[data-tab="html"]');
    await expect.poll(() => p2.locator("#outcome").textContent()).toContain("Why: the From header is boss@example.com, not the signed-in mailbox lab@mailctl.test");
    await expect.poll(() => p2.frameLocator("iframe.preview").locator("h1").textContent()).toBe("All-hands on Friday");
    await p2.screenshot({ path: join(SHOTS, "refused-message.png") });
    await p2.click('button[data-tab="session"]');
    await expect.poll(() => p2.locator("pre.transcript").textContent()).toContain("-> AUTH XOAUTH2 <redacted>");
    await p2.screenshot({ path: join(SHOTS, "refused-session.png"), fullPage: true });
    await p2.close();
  });
});
