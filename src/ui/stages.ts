import type { StageResult } from "../session/session.js";
import type { TlsFacts } from "../session/tls-facts.js";
import type { Extensions } from "../session/extensions.js";
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
  const d = s.detail as Record<string, any>;
  switch (s.stage) {
    case "dns":
      return (d.addresses as string[] | undefined)?.join(", ") ?? "";
    case "tcp":
      return `${d.family === 6 ? `[${d.address}]` : d.address}:${d.port}`;
    case "tls":
      return d.protocol ? `${d.protocol} ${d.cipher ?? ""}` : (d.note ?? "");
    case "greeting":
      return d.banner ?? "";
    case "ehlo":
    case "ehlo-tls":
      return d.extensions ? `${d.name}: ${summarizeExtensions(d.extensions as Extensions).join(" · ")}` : (d.note ?? "");
    case "starttls":
      return d.tls ? `upgraded: ${(d.tls as TlsFacts).protocol} ${(d.tls as TlsFacts).cipher ?? ""}` : (d.note ?? "");
    case "auth": {
      if (!d.mechanism) return d.note ?? "";
      const o = d.oauth as { source?: string; renewed?: boolean } | undefined;
      // Where the token came from, and whether a refused one was renewed: the first thing to know when OAuth2 misbehaves.
      return `${d.mechanism} as ${d.user}${o?.source ? ` (token from ${o.source}${o.renewed ? ", renewed after the server refused the first" : ""})` : ""}`;
    }
    case "mail":
      return d.from ? `<${d.from}>` : "";
    case "rcpt":
      return d.accepted ? `${(d.accepted as string[]).length} accepted${(d.rejected as unknown[])?.length ? `, ${(d.rejected as unknown[]).length} rejected` : ""}` : "";
    case "data":
      return s.reply ? formatReply(s.reply) : d.bytes ? `${d.bytes} bytes` : "";
    default:
      return s.reply ? formatReply(s.reply) : (d.note ?? "");
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
