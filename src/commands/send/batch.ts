import { realpath } from "node:fs/promises";
import path from "node:path";
import type { Ctx, Outcome } from "../command.js";
import { resolveTarget } from "../../config/resolve.js";
import { MailctlError, noInputError, usageError } from "../../errors.js";
import type { EngineJob } from "../../send/batch/engine.js";
import { parseMailboxList } from "../../send/address.js";
import { checkAttachments, DEFAULT_MAX_ATTACHMENT_BYTES, parseAttachSpec } from "../../send/attachments.js";
import { parseHeader } from "../../send/headers.js";
import { resolveSender } from "../../send/input.js";
import { parseVarFlags, placeholderNames, readTemplate, readVarsFile, splitFrontMatter } from "../../send/template.js";
import { statInput } from "../../fs/read-input.js";
import { readHeader } from "../../send/batch/journal.js";
import { batchId } from "../../send/batch/keys.js";
import { BATCH_DEFAULTS, type SendOptions } from "./options.js";
import { batchCategory, type BatchReport } from "../../send/batch/report.js";
import { batchDir, type BatchSettings } from "../../send/batch/row-message.js";
import { batchFormat } from "../../send/batch/rows.js";

/** Flags that give one message's recipients, body or identity: a batch takes those from its rows. */
const NOT_WITH_BATCH: [keyof SendOptions, string][] = [
  ["to", "--to"],
  ["cc", "--cc"],
  ["bcc", "--bcc"],
  ["text", "--text"],
  ["textFile", "--text-file"],
  ["html", "--html"],
  ["htmlFile", "--html-file"],
  ["messageId", "--message-id"],
  ["inReplyTo", "--in-reply-to"],
  ["references", "--references"],
  ["dryRun", "--dry-run"],
  ["transcript", "--transcript"],
];

/** `send --batch` / `send --resume`: checks the whole batch, then sends it through the pool with its outbox journal. */
export async function runBatch(given: SendOptions, ctx: Ctx): Promise<Outcome<BatchReport>> {
  let opts = given;
  if (given.resume) {
    if (given.batch) throw usageError("--resume and --batch: pass one (--resume repeats the batch the journal belongs to)");
    const h = await readHeader(path.resolve(ctx.cwd, given.resume));
    // The journal's flags, then any given now (a new --concurrency, --rate…); paths are relative to where it began.
    const { cwd, ...was } = h.options as SendOptions & { cwd?: string };
    opts = { ...was, ...defined(given), batch: h.file, template: h.template };
    delete opts.resume;
    ctx = { ...ctx, cwd: typeof cwd === "string" ? cwd : ctx.cwd };
  }
  const wrong = NOT_WITH_BATCH.filter(([k]) => opts[k] !== undefined && opts[k] !== false).map(([, f]) => f);
  if (wrong.length) throw usageError(`${wrong.join(", ")} cannot be used with --batch: each row gives its recipients, and the template the body`);
  if (!opts.template) throw usageError("--batch needs --template <file>: the body of every message, filled with each row's columns");
  const cwd = ctx.cwd;
  const file = path.resolve(cwd, opts.batch!);
  const format = batchFormat(opts.batch!);
  const real = await realpath(file).catch((err: NodeJS.ErrnoException) => {
    throw noInputError(`--batch ${opts.batch}`, err);
  });
  // The rows are read again for each pass: a pipe or a device (a file linked to /dev/zero) cannot be.
  if (!(await statInput(real, `--batch ${opts.batch}`)).isFile()) throw new MailctlError("noinput", `--batch ${opts.batch}: is a pipe; a batch file is read once per pass and must be a regular file`);
  const templatePath = path.resolve(cwd, opts.template);
  const templateText = await readTemplate(opts.template, cwd);

  const target = await resolveTarget(opts, ctx, { needPort: true });
  if (target.password) ctx.ui.redactor.add(target.password, target.user);
  const sender = resolveSender(opts.from, ctx.io.env, target);
  target.from = sender.address;
  const front = splitFrontMatter(templateText, opts.template);
  const policy = {
    maxBytes: opts.maxAttachmentSize ?? DEFAULT_MAX_ATTACHMENT_BYTES,
    allowTypes: (opts.allowType ?? []).flatMap((t) => t.split(",")).map((t) => t.trim()).filter(Boolean),
    ...(opts.attachRoot ? { root: path.resolve(cwd, opts.attachRoot) } : {}),
  };
  const settings: BatchSettings = {
    file: opts.batch!,
    dir: batchDir(opts.batch!, cwd),
    batch: batchId({ file: real, templateText, subject: opts.subject ?? "", from: sender.address }),
    template: { name: opts.template, body: front.body, html: /\.html?$/i.test(opts.template), names: placeholderNames(front.body), ...(front.subject !== undefined ? { subject: front.subject } : {}) },
    vars: { ...(opts.vars ? await readVarsFile(opts.vars, cwd) : {}), ...parseVarFlags(opts.var) },
    from: sender,
    replyTo: parseMailboxList(opts.replyTo, "--reply-to"),
    headers: (opts.header ?? []).map(parseHeader),
    attachments: await checkAttachments((opts.attach ?? []).map(parseAttachSpec), policy, cwd),
    policy,
    ...(opts.subject !== undefined ? { subject: opts.subject } : {}),
    ...(target.fromFormat ? { fromFormat: target.fromFormat } : {}),
    ...(opts.priority ? { priority: opts.priority } : {}),
  };

  const journalPath = given.resume ? path.resolve(given.resume) : path.resolve(cwd, opts.journal ?? `${opts.batch}.journal`);
  const limits = await providerLimits(target);
  const job: EngineJob = {
    file,
    format,
    journalPath,
    header: { journal: "mailctl-batch", version: 1, batch: settings.batch, created: new Date().toISOString(), file: real, template: templatePath, options: recorded(opts, cwd) },
    resume: Boolean(given.resume),
    settings,
    target,
    options: {
      concurrency: opts.concurrency ?? BATCH_DEFAULTS.concurrency,
      maxMessages: opts.maxMessages ?? BATCH_DEFAULTS.maxMessages,
      perSecond: opts.rate ?? null,
      perMinute: limits.perMinute ?? null,
      perDay: limits.perDay ?? null,
      retryBaseMs: (opts.retryBase ?? BATCH_DEFAULTS.retryBase) * 1000,
      retryMaxMs: (opts.retryMax ?? BATCH_DEFAULTS.retryMax) * 1000,
      maxAttempts: opts.maxAttempts ?? BATCH_DEFAULTS.maxAttempts,
      maxTimeMs: opts.maxTime !== undefined ? opts.maxTime * 1000 : null,
      atLeastOnce: Boolean(opts.atLeastOnce),
    },
    ...(limits.name ? { limitName: limits.name } : {}),
  };
  const [{ startEngine }, { batchProgress }] = await Promise.all([import("../../send/batch/engine.js"), import("./progress.js")]);
  const run = await startEngine(job, {
    warn: (text) => ctx.ui.warn(text),
    progress: batchProgress(ctx.ui),
    interrupted: (n) =>
      ctx.ui.err(`\nmailctl: stopping: finishing ${n} message${n === 1 ? "" : "s"} in flight, for at most ${target.timeoutSeconds} s (Ctrl-C again to quit at once; the journal says what is in doubt)`),
  });
  const untrap = trapSignals(() => run.interrupt());
  try {
    const report = await run.result;
    return { category: batchCategory(report, Boolean(opts.allowPartial)), data: report };
  } finally {
    untrap();
  }
}

/** Ctrl-C / SIGTERM: the first asks for an orderly stop; a second ends the process at once (the journal tells what is in doubt). */
function trapSignals(stop: () => void): () => void {
  let stopping = false;
  const handler = (sig: NodeJS.Signals) => {
    if (stopping) {
      off();
      process.kill(process.pid, sig);
      return;
    }
    stopping = true;
    stop();
  };
  const off = () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return off;
}

/** The provider's sending limits, from the preset named or recognised by host. */
async function providerLimits(target: { preset?: string; host: string }): Promise<{ name?: string; perDay?: number; perMinute?: number }> {
  const { recogniseProvider } = await import("../../diagnose/providers.js");
  const p = recogniseProvider({ ...(target.preset ? { preset: target.preset.split(":")[0]! } : {}), host: target.host });
  return { ...(p ? { name: p.title } : {}), ...(p?.limits?.perDay ? { perDay: p.limits.perDay } : {}), ...(p?.limits?.perMinute ? { perMinute: p.limits.perMinute } : {}) };
}

/** The flags a journal keeps for --resume: as given, with the directory they were given in. Never a secret (passwords are not flags). */
function recorded(opts: SendOptions, cwd: string): Record<string, unknown> {
  const { json: _j, resume: _r, ...rest } = opts;
  return { ...defined(rest), cwd };
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
