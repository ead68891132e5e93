import { credentialLabel } from "../../config/presets.js";
import type { PresetDetail, PresetSummary } from "./result.js";
import type { TlsMode } from "../../session/tls-mode.js";
import type { Ui } from "../../ui/ui.js";

const MODE: Record<TlsMode, string> = { implicit: "implicit TLS", starttls: "STARTTLS", none: "plaintext" };
const FROM_RULE = {
  "must-equal-login": "must equal the login address",
  "own-or-alias": "the account's own address or an alias",
  "verified-identity": "a verified sender identity",
  "rewritten-to-login": "rewritten to the login address",
  any: "any address",
} as const;

/** The preset table on a terminal; tab-separated rows when piped. */
export function renderPresetList(rows: PresetSummary[], ui: Ui): void {
  const cells = rows.map((p) => [p.name, p.host, p.endpoints.map((e) => `${e.port}/${e.tls}`).join(" "), credentialLabel(p.credential), p.title]);
  if (!ui.io.stdout.isTTY) {
    for (const c of cells) ui.out(c.join("\t"));
    return;
  }
  const head = ["NAME", "HOST", "PORTS", "CREDENTIAL", "PROVIDER"];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  ui.out(ui.theme.c.bold(head.map((h, i) => h.padEnd(widths[i]!)).join("  ").trimEnd()));
  for (const c of cells) ui.out(c.map((x, i) => x.padEnd(widths[i]!)).join("  ").trimEnd());
  ui.out(ui.theme.c.dim("\nmailctl presets show <name> for the details; --preset <name> to use one."));
}

/** One preset in full. */
export function renderPreset(p: PresetDetail, ui: Ui): void {
  const t = ui.theme;
  const row = (k: string, v: string) => ui.out(`  ${k.padEnd(11)} ${v}`);
  ui.out(`${t.c.bold(p.ref)} — ${p.title}`);
  if (p.aliases?.length) row("aliases", p.aliases.join(", "));
  row("host", p.host);
  row("ports", p.endpoints.map((e, i) => `${e.port} ${MODE[e.tls]}${i === 0 ? " (preferred)" : ""}`).join(", "));
  const region = p.params?.region;
  if (region) row("regions", `${region.values.join(", ")} (default ${region.default}; write ${p.name}:<region>)`);
  const alt = p.credential.alternatives?.length ? ` (or ${p.credential.alternatives.map(credentialLabel).join(", ")})` : "";
  row("credential", credentialLabel(p.credential.kind) + alt);
  row("user", p.credential.fixedUser ? `${p.credential.fixedUser} — ${p.credential.user}` : p.credential.user);
  ui.out(t.c.bold("how to get the credential"));
  for (const s of p.credential.steps) ui.out(`  ${s}`);
  if (p.credential.docs) ui.out(`  ${t.c.dim(p.credential.docs)}`);
  if (p.oauth2) {
    ui.out(t.c.bold("OAuth2 (XOAUTH2)"));
    row("token URL", p.oauth2.tokenUrl);
    row("scope", p.oauth2.scope);
    for (const s of p.oauth2.register ?? []) ui.out(`  ${s}`);
  }
  ui.out(t.c.bold("sender (From)"));
  ui.out(`  ${FROM_RULE[p.from.rule]}${p.from.note ? `: ${p.from.note}` : ""}`);
  if (p.limits) {
    const l = p.limits;
    const nums = [l.perDay && `${l.perDay}/day`, l.perMinute && `${l.perMinute}/minute`, l.maxRecipients && `${l.maxRecipients} recipients/message`, l.maxMessageBytes && `${Math.round(l.maxMessageBytes / 1048576)} MB/message`].filter(Boolean);
    ui.out(t.c.bold("limits"));
    if (nums.length) ui.out(`  ${nums.join(", ")}`);
    if (l.note) ui.out(`  ${l.note}`);
  }
  if (p.notes.length) {
    ui.out(t.c.bold("notes"));
    for (const n of p.notes) ui.out(`  - ${n}`);
  }
  if (p.docs.length) {
    ui.out(t.c.bold("documentation"));
    for (const d of p.docs) ui.out(`  ${d}`);
  }
}
