import type { StageResult } from "../session/stage-result.js";
import type { TlsFacts } from "../session/tls-facts.js";
import { summarizeExtensions } from "../session/extensions.js";
import { formatReply } from "../session/reply.js";
import { formatTranscript, type TranscriptEntry } from "../session/transcript.js";
import { printable } from "./printable.js";
import type { Ui } from "./ui.js";

/** The checklist: one line per stage with ✓/✗/–, its time and what it found. */
export function renderStages(stages: StageResult[], ui: Ui, indent = "  "): void {
  const t = ui.theme;
  const width = Math.max(...stages.map((s) => s.stage.length));
  for (const s of stages) {
    const mark = s.status === "ok" ? t.ok : s.status === "fail" ? t.fail : t.skip;
    const ms = s.status === "skipped" ? "" : `${s.ms} ms`;
    // What a stage found is mostly the server's own words (banner, keywords, replies): escaped before a terminal sees it.
    const line = `${indent}${mark} ${s.stage.padEnd(width)}  ${ms.padStart(7)}  ${printable(stageSummary(s))}`;
    ui.out(s.status === "skipped" ? t.c.dim(line) : s.status === "fail" ? t.c.red(line) : line);
  }
}

/** What one stage found, in a few words. */
export function stageSummary(s: StageResult): string {
  if (s.failure) return s.failure.message;
  switch (s.stage) {
    case "dns":
      return s.detail.addresses?.join(", ") ?? "";
    case "tcp":
      return `${s.detail.family === 6 ? `[${s.detail.address}]` : s.detail.address}:${s.detail.port}`;
    case "tls":
      return s.detail.protocol ? `${s.detail.protocol} ${s.detail.cipher ?? ""}` : (s.detail.note ?? "");
    case "greeting":
      return s.detail.banner ?? "";
    case "ehlo":
    case "ehlo-tls":
      return s.detail.extensions ? `${s.detail.name}: ${summarizeExtensions(s.detail.extensions).join(" · ")}` : (s.detail.note ?? "");
    case "starttls":
      return s.detail.tls ? `upgraded: ${s.detail.tls.protocol} ${s.detail.tls.cipher ?? ""}` : (s.detail.note ?? "");
    case "auth": {
      const d = s.detail;
      if (!d.mechanism) return d.note ?? "";
      const o = d.oauth;
      // Where the token came from, and whether a refused one was renewed: the first thing to know when OAuth2 misbehaves.
      return `${d.mechanism} as ${d.user}${o?.source ? ` (token from ${o.source}${o.renewed ? ", renewed after the server refused the first" : ""})` : ""}`;
    }
    case "mail":
      return s.detail.from ? `<${s.detail.from}>` : "";
    case "rcpt":
      return s.detail.accepted ? `${s.detail.accepted.length} accepted${s.detail.rejected?.length ? `, ${s.detail.rejected.length} rejected` : ""}` : "";
    case "data":
      return s.reply ? formatReply(s.reply) : s.detail.bytes ? `${s.detail.bytes} bytes` : "";
    default:
      return s.reply ? formatReply(s.reply) : (s.detail.note ?? "");
  }
}

/** The certificate facts as aligned lines. */
export function renderCertificate(f: TlsFacts, ui: Ui, insecure: boolean): void {
  const t = ui.theme;
  const row = (k: string, v: string) => ui.out(`  ${k.padEnd(10)} ${printable(v)}`);
  ui.out(t.c.bold("certificate"));
  row("protocol", `${f.protocol ?? "?"} ${f.cipher ?? ""}`);
  row("subject", f.subject ?? "?");
  row("names", f.subjectAltNames.join(", ") || "(none)");
  row("issuer", f.issuer ?? "?");
  row("valid", `${f.validFrom?.slice(0, 10)} → ${f.validTo?.slice(0, 10)}${f.daysLeft !== null ? ` (${f.daysLeft} days left)` : ""}`);
  row("sha256", f.fingerprint256 ?? "?");
  const verified = f.verified ? t.c.green("yes") : t.c.red(`no — ${printable(f.verifyError ?? "")}`) + (insecure ? t.c.yellow(" (ignored: --insecure)") : "");
  ui.out(`  ${"verified".padEnd(10)} ${verified}`);
}

/** The redacted transcript, to stdout after the result. */
export function renderTranscript(entries: TranscriptEntry[] | undefined, ui: Ui): void {
  if (!entries?.length) return;
  ui.out(ui.theme.c.bold("transcript"));
  for (const line of formatTranscript(entries)) ui.out("  " + printable(line));
}
