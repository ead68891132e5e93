import type { LabReady } from "./result.js";
import type { CaptureEntry } from "../../lab/capture.js";
import type { LabRejection } from "../../lab/server.js";
import type { Ui } from "../../ui/ui.js";

const PORT_TEXT = { implicit: "implicit TLS", starttls: "STARTTLS", plain: "plaintext" } as const;

/** Quotes a word for a POSIX shell when it needs quoting, so printed commands can be pasted. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Human output of a started lab (stdout): endpoints with their flags, the account, the CA, where mail goes. */
export function renderLabReady(data: LabReady, ui: Ui): void {
  const t = ui.theme;
  ui.out(`${t.c.bold("mailctl lab")} — persona ${t.c.bold(data.persona)}: ${data.summary}`);
  ui.out(data.network ? `listening on ${data.listen} ${t.c.yellow("(reachable from the network)")}` : `listening on ${data.listen} (this machine only)`);
  ui.out();
  const where = (e: LabReady["endpoints"][number]) => (e.host.includes(":") ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`);
  const width = Math.max(...data.endpoints.map((e) => where(e).length));
  for (const e of data.endpoints) ui.out(`  ${PORT_TEXT[e.name].padEnd(12)}  ${where(e).padEnd(width)}  ${e.flags}`);
  ui.out();
  ui.out(`account   ${data.account.user}, password in $${data.account.passwordEnv}${data.account.generated ? " (generated: see above)" : ""}`);
  for (const a of data.extraAccounts) ui.out(`          ${a.user}: ${a.note}`);
  ui.out(`CA        ${data.caPath}`);
  ui.out(`captures  ${data.captureDir} (index ${data.index})`);
  if (data.ui) ui.out(`inbox     ${data.ui.url}${data.ui.token.required ? ` (token required: ${data.ui.token.generated ? "see above" : `from $${data.ui.token.env}`})` : ""}  — also Mailpit's API`);
  else ui.out(t.c.dim("inbox     add --ui for a web inbox of every message and refused attempt"));
  ui.out();
  const implicit = data.endpoints.find((e) => e.name === "implicit")!;
  const submission = data.endpoints.find((e) => e.name === "starttls")!;
  ui.out("try:");
  ui.out(`  mailctl probe ${implicit.host} --port ${implicit.port} --ca ${shellQuote(data.caPath)}`);
  ui.out(`  mailctl doctor ${submission.flags} --user ${data.account.user} --password-env ${data.account.passwordEnv}`);
  ui.out();
  ui.out(t.c.dim("Ctrl-C stops the lab. Each message is logged below as it comes in."));
}

/** One thing that happened in the lab. */
export type LabEvent = { kind: "message"; entry: CaptureEntry } | { kind: "rejected"; rejection: LabRejection };

/** One line on stderr per accepted message or refused command, as it happens. */
export function renderLabEvent(event: LabEvent, ui: Ui): void {
  const t = ui.errTheme;
  if (event.kind === "message") {
    const e = event.entry;
    const tls = e.tls.secure ? (e.tls.protocol ?? "TLS") : "no TLS";
    const who = e.user ? ` as ${e.user}` : "";
    ui.err(`${clock(e.time)} ${t.ok} ${PORT_TEXT[e.port]}${who}: <${e.envelope.mailFrom}> → ${e.envelope.rcptTo.map((r) => `<${r}>`).join(", ")}  ${e.size} bytes, ${tls}  ${e.file}`);
    return;
  }
  const r = event.rejection;
  ui.err(`${clock(r.time)} ${t.fail} ${PORT_TEXT[r.port]}: ${r.command ?? "connect"} → ${r.text}`);
}

function clock(iso: string): string {
  return new Date(iso).toTimeString().slice(0, 8);
}
