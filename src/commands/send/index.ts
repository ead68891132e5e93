import type { Command } from "commander";
import { Option } from "../commander.js";
import type { Ctx, Execute, Outcome } from "../command.js";
import { resolveTarget, sessionOptions } from "../../config/resolve.js";
import type { Target } from "../../config/target.js";
import { dataError, MailctlError } from "../../errors.js";
import type { Category } from "../../exit-codes.js";
import { addOptions, CONNECTION_OPTIONS, OUTPUT_OPTIONS, PROFILE_OPTIONS, SENDER_OPTIONS } from "../options.js";
import { formatReply } from "../../session/reply.js";
import { findStage } from "../../session/stage-result.js";
import { formatBytes, parseSize } from "../../send/attachments.js";
import type { Phase } from "../../send/deliver.js";
import { messageInput, resolveSender } from "../../send/input.js";
import type { ComposedMessage } from "../../send/message.js";
import { renderSend } from "./render.js";
import { BATCH_OPTIONS, refuseBatchFlags, type SendOptions } from "./options.js";
import type { BatchReport } from "../../send/batch/report.js";
import type { DryRunReport, SendReport } from "./result.js";

/** --dry-run needs no server: without one it still builds the message (a profile, when there is one, shapes the From). */
function noServer(err: unknown): null {
  if (err instanceof MailctlError && err.category === "usage" && /no server given/.test(err.message)) return null;
  throw err;
}

/** Builds one message, then sends it (or, with --dry-run, shows it without connecting). */
export async function run(opts: SendOptions, ctx: Ctx): Promise<Outcome<SendReport | DryRunReport | BatchReport>> {
  if (opts.batch || opts.resume) return (await import("./batch.js")).runBatch(opts, ctx);
  refuseBatchFlags(opts);
  const env = ctx.io.env;
  // --dry-run connects to nothing, so it needs no server; a profile may still shape the From.
  const target = opts.dryRun ? await resolveTarget(opts, ctx, { needPort: false, auth: false, connects: false }).catch(noServer) : await resolveTarget(opts, ctx, { needPort: true });
  if (target?.password) ctx.ui.redactor.add(target.password, target.user);
  const sender = resolveSender(opts.from, env, target);
  if (target) target.from = sender.address; // the catalog's fixes name the sender (e.g. "sender not owned")
  const input = await messageInput(opts, sender, target, ctx.cwd, ctx.io);
  const { composeMessage } = await import("../../send/message.js");
  const message = await composeMessage(input);
  if (opts.dryRun) return { category: "ok", data: await dryRun(message, Boolean(opts.json)) };
  return send(message, target!, opts, ctx);
}

async function dryRun(m: ComposedMessage, json: boolean): Promise<DryRunReport> {
  const report: DryRunReport = {
    dryRun: true,
    ok: true,
    messageId: m.messageId,
    from: m.envelope.from,
    recipients: m.envelope.to,
    size: m.size,
    headers: m.headerLines,
    attachments: m.attachments,
    smtputf8: m.utf8Addresses,
  };
  if (!json) {
    // The message as the server will store it: line ends normalised exactly as the session does before DATA.
    const { DotStuffer } = await import("../../session/dot-stuff.js");
    const lines = new DotStuffer({ transparency: false });
    const chunks: Buffer[] = [];
    for await (const c of m.stream()) chunks.push(lines.push(c as Buffer));
    chunks.push(lines.end());
    report.raw = Buffer.concat(chunks);
  }
  return report;
}

async function send(message: ComposedMessage, target: Target, opts: SendOptions, ctx: Ctx): Promise<Outcome<SendReport>> {
  const { deliver, diagnoseSend } = await import("../../send/deliver.js");
  const spinner = await ctx.ui.spinner(`connecting to ${target.host}:${target.port}`);
  const phaseText: Record<Phase, string> = {
    connect: `connecting to ${target.host}:${target.port}`,
    hello: "EHLO",
    auth: target.user ? `authenticating as ${target.user}` : "no AUTH",
    send: `sending ${formatBytes(message.size)} to ${message.envelope.to.length} recipient${message.envelope.to.length === 1 ? "" : "s"}`,
  };
  let outcome;
  try {
    outcome = await deliver(sessionOptions(target, { transcript: Boolean(opts.transcript), redactor: ctx.ui.redactor, warn: (m) => ctx.ui.warn(m) }), message, (p) => spinner.text(phaseText[p]));
  } finally {
    spinner.stop();
  }
  if (outcome.needsSmtputf8) {
    throw dataError(`${outcome.needsSmtputf8.join(", ")}: an internationalised address, but ${target.host} does not offer SMTPUTF8 (RFC 6531); nothing was sent`);
  }
  const r = outcome.report;
  const d = r.delivery;
  const { category: failCategory, diagnoses } = await diagnoseSend(r, target);
  const rejected = (d?.rejected ?? []).map((x) => ({ address: x.address, reply: formatReply(x.reply), code: x.reply.code }));
  // When every recipient is refused the engine stops at RCPT; the refusals are in the stage's detail.
  const refusedAll = (!d && findStage(r.stages, "rcpt")?.detail.rejected) || [];
  const data: SendReport = {
    dryRun: false,
    ok: r.ok && rejected.length === 0,
    messageId: message.messageId,
    from: message.envelope.from,
    recipients: message.envelope.to,
    accepted: d?.accepted ?? [],
    rejected: rejected.length ? rejected : refusedAll.map((x) => ({ address: x.address, reply: x.reply, code: Number(x.reply.slice(0, 3)) })),
    reply: d?.reply ? formatReply(d.reply) : null,
    ms: r.ms,
    size: message.size,
    server: r.target,
    insecure: target.insecure,
    allowPartial: Boolean(opts.allowPartial),
    failure: r.failure,
    diagnoses,
    stages: r.stages,
  };
  if (r.transcript) data.transcript = r.transcript;
  let category: Category = failCategory;
  // Some recipients refused: the message went to the others, but a script must notice (sysexits EX_UNAVAILABLE).
  if (category === "ok" && rejected.length && !opts.allowPartial) category = "unavailable";
  return { category, data };
}

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

/** Declares `send` and its options. */
export function register(cmd: Command, execute: Execute): Command {
  cmd
    .description(
      "Build a message with nodemailer (RFC 2047/5322-correct headers, attachments streamed from disk) and submit it through the session engine. Prints one line per message on stdout, or one JSON document with --json. Nothing is sent when any input is invalid; --dry-run prints the message instead of sending it.",
    );
  const add = (o: InstanceType<typeof Option>) => cmd.addOption(o);
  add(new Option("--to <address>", 'recipient: "address" or "Name <address>", repeatable or comma-separated').argParser(collect));
  add(new Option("--cc <address>", "copy recipient (repeatable)").argParser(collect));
  add(new Option("--bcc <address>", "blind copy: in the envelope, never in the headers (repeatable)").argParser(collect));
  addOptions(cmd, SENDER_OPTIONS);
  add(new Option("--reply-to <address>", "Reply-To address (repeatable)").argParser(collect));
  add(new Option("-s, --subject <text>", "subject (or subject: in a template's front matter)"));
  add(new Option("--text <text>", "plain-text body"));
  add(new Option("--text-file <file>", "plain-text body from a file (- for stdin)"));
  add(new Option("--html <html>", "HTML body"));
  add(new Option("--html-file <file>", "HTML body from a file (- for stdin)"));
  add(new Option("--template <file>", "body from a template with {{var}} placeholders; .html files are HTML"));
  add(new Option("--var <name=value>", "a template variable (repeatable)").argParser(collect));
  add(new Option("--vars <file.json>", "template variables from a JSON object"));
  add(new Option("--attach <file[;type=…][;name=…]>", "attach a file (repeatable)").argParser(collect));
  add(new Option("--attach-root <dir>", "refuse attachments outside this directory (symlinks resolved)"));
  add(new Option("--max-attachment-size <size>", "limit on the attachments' total size, e.g. 10MiB (default 25MiB)").argParser(parseSize));
  add(new Option("--allow-type <types>", "allowed attachment types, e.g. application/pdf,image/* (repeatable)").argParser(collect));
  add(new Option("--header <'Name: value'>", "an extra header (repeatable)").argParser(collect));
  add(new Option("--in-reply-to <message-id>", "reply to this message: sets In-Reply-To and References, prefixes Re:"));
  add(new Option("--references <message-id>", "References (repeatable or space-separated)").argParser(collect));
  add(new Option("--priority <level>", "priority headers").choices(["high", "normal", "low"]));
  add(new Option("--message-id <id>", "use this Message-ID (for idempotent re-sends)"));
  add(new Option("--allow-partial", "exit 0 when some recipients are refused and the others accepted"));
  add(new Option("--dry-run", "print the complete message (--json: a summary); connect to nothing"));
  addOptions(cmd, BATCH_OPTIONS);
  addOptions(cmd, CONNECTION_OPTIONS);
  addOptions(cmd, PROFILE_OPTIONS);
  addOptions(cmd, OUTPUT_OPTIONS);
  cmd.addHelpText(
    "after",
    `
Body: --text/--text-file and/or --html/--html-file, or --template; with none of them, stdin (when it is not a terminal).

Examples:
  $ mailctl send --host smtp.example.com -p 587 -u app --from "App <app@example.com>" --to ops@example.com -s "Backup done" --text ok
  $ df -h | mailctl send --to ops@example.com -s "Disk report" --json
  $ mailctl send --to "张三 <zhang@example.com>" -s "报告" --attach report.pdf --attach "data.bin;type=application/octet-stream;name=数据.bin"
  $ mailctl send --to a@example.com --template welcome.html --var name=Ana --dry-run
  $ mailctl send --to a@example.com -s "Status" --text-file msg.txt --in-reply-to "<abc@example.com>" --message-id "<job-42@example.com>"
  $ mailctl send --batch invites.csv --template invite.txt --concurrency 4 --rate 10/s --json
  $ mailctl send --resume invites.csv.journal

Batch: one message per row of a CSV (header row) or JSON Lines file; every column is a template variable; a
"to" column is required, "name", "cc", "subject", "attachments" ("|"-separated) and "key"/"id" are read too.
Each row's progress is kept in the journal (pending → sending → sent | retry-wait | dead); running the same
command again, or --resume, goes on where it stopped. A row a crash caught while sending is never sent twice
(it is reported as in doubt) unless --at-least-once resends it with the same Message-ID.`,
  );
  cmd.action(async (opts: SendOptions) => {
    await execute(opts, (ctx) => run(opts, ctx), renderSend);
  });
  return cmd;
}
