import { access } from "node:fs/promises";
import type { Target } from "../../config/target.js";
import { MailctlError, usageError } from "../../errors.js";
import type { Category } from "../../exit-codes.js";
import { Journal, JournalIndex, type JournalHeader } from "./journal.js";
import type { OutboxOptions, Progress } from "./outbox.js";
import { checkBatch } from "./plan.js";
import type { BatchReport } from "./report.js";
import type { BatchSettings } from "./row-message.js";
import type { BatchFormat } from "./rows.js";

/** Everything a batch run needs once the command line and the settings are resolved (plain data: it crosses to a thread). */
export interface EngineJob {
  file: string;
  format: BatchFormat;
  journalPath: string;
  /** The header a new journal gets. */
  header: JournalHeader;
  /** --resume: go on with the journal's batch even when the template or sender changed. */
  resume: boolean;
  settings: BatchSettings;
  target: Target;
  options: OutboxOptions;
  /** The provider whose daily limit applies, for the warning. */
  limitName?: string;
}

/** What the engine tells the command while it runs. */
export interface EngineHost {
  warn(text: string): void;
  progress(p: Progress, final: boolean): void;
  interrupted(inFlight: number): void;
}

/** A running batch: its result, and the way to stop it in an orderly way (Ctrl-C). */
export interface EngineRun {
  result: Promise<BatchReport>;
  interrupt(): void;
}

/**
 * Runs a batch: opens (or replays) the journal, checks every row, creates the journal, and sends through the
 * outbox. MailctlErrors (a bad row, another batch's journal) reach the caller as they are.
 */
export function runEngine(job: EngineJob, host: EngineHost): EngineRun {
  let interrupt: (() => void) | null = null;
  let early = false;
  const result = (async () => {
    const { settings, journalPath } = job;
    let journal: Journal | null = null;
    let index = new JournalIndex();
    let composer: { close(): Promise<void> } | null = null;
    try {
      if (await access(journalPath).then(() => true, () => false)) {
        const r = await Journal.resume(journalPath, job.header);
        journal = r.journal;
        index = r.index;
        if (r.tornBytes && r.size !== r.tornBytes) host.warn(`${journalPath}: dropped a torn last line (${r.tornBytes} bytes) left by a crash`);
        if (journal.header.batch !== settings.batch) {
          if (!job.resume) {
            throw usageError(
              `${journalPath} belongs to another batch: the template, --subject, the sender or the batch file changed since it was started`,
              `Pass --journal <new file> to start a new batch, or --resume ${journalPath} to finish that one.`,
            );
          }
          host.warn(`the template, --subject or the sender changed since ${journalPath} was started; rows keep the batch's Message-IDs`);
          settings.batch = journal.header.batch;
        }
      }
      const plan = await checkBatch(job.file, job.format, settings, index, job.options.atLeastOnce);
      journal ??= await Journal.create(journalPath, job.header);
      const perDay = job.options.perDay;
      if (perDay && plan.toSend > Math.max(0, perDay - index.sentInDay())) {
        const left = Math.max(0, perDay - index.sentInDay());
        host.warn(`${job.limitName ?? "the provider"} allows ${perDay} messages a day; ${plan.toSend} rows are to be sent and ${left} are left of today's limit: sending stops at the limit (resume later)`);
      }
      const [{ Outbox }, { makeComposer }, { diagnoseSend }, { sessionOptions }] = await Promise.all([
        import("./outbox.js"),
        import("./composer.js"),
        import("../deliver.js"),
        import("../../config/resolve.js"),
      ]);
      const rows = await makeComposer(settings, plan.toSend);
      composer = rows;
      const outbox = new Outbox(job.options, {
        file: job.file,
        format: job.format,
        settings,
        journal,
        index,
        plan,
        // One warning for the batch, not one per connection.
        session: sessionOptions(job.target, { warn: once((text) => host.warn(text)) }),
        target: job.target,
        composer: rows,
        diagnose: (r) => diagnoseSend(r, job.target),
        progress: (p, final) => host.progress(p, final),
        interrupted: (n) => host.interrupted(n),
      });
      interrupt = () => outbox.interrupt();
      if (early) outbox.interrupt();
      return await outbox.run();
    } finally {
      await composer?.close();
      await journal?.close();
    }
  })();
  return {
    result,
    interrupt: () => {
      if (interrupt) interrupt();
      else early = true;
    },
  };
}

/** A callback that acts the first time only. */
function once(f: (text: string) => void): (text: string) => void {
  let done = false;
  return (text) => {
    if (!done) f(text);
    done = true;
  };
}

/** The compiled engine thread script, when mailctl runs from its build (dist/). */
async function engineScript(): Promise<URL | null> {
  const { existsSync } = await import("node:fs");
  const { fileURLToPath } = await import("node:url");
  const url = new URL("./engine-thread.js", import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : null;
}

/**
 * Starts the engine on a thread of its own when mailctl runs from its build: V8 sizes a thread's young
 * generation by the limit it is given, while the main thread's grows to its 32 MB default under a long batch's
 * allocation rate — the difference between a 100,000-row batch's peak memory and a 1,000-row one's. The main
 * thread keeps the terminal, the signals and the output. From the sources (the test suite), and with an OAuth2
 * token provider, it runs inline.
 */
export async function startEngine(job: EngineJob, host: EngineHost): Promise<EngineRun> {
  const script = await engineScript();
  // An OAuth2 token provider is a live object (it fetches and caches tokens): it stays on this thread.
  if (!script || job.target.oauth) return runEngine(job, host);
  const { Worker } = await import("node:worker_threads");
  const worker = new Worker(script, { workerData: { job }, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
  const result = new Promise<BatchReport>((resolve, reject) => {
    worker.on("message", (m: EngineMessage) => {
      if (m.type === "warn") host.warn(m.text);
      else if (m.type === "progress") host.progress(m.progress, m.final);
      else if (m.type === "interrupted") host.interrupted(m.inFlight);
      else if (m.type === "done") resolve(m.report);
      else reject(m.error.category ? new MailctlError(m.error.category, m.error.message, m.error.hint) : new Error(m.error.message));
    });
    worker.on("error", reject);
    worker.on("exit", (code) => reject(new Error(`the batch thread stopped (exit ${code})`)));
  });
  return { result, interrupt: () => worker.postMessage("interrupt") };
}

/** What the engine thread posts to the main thread. */
export type EngineMessage =
  | { type: "warn"; text: string }
  | { type: "progress"; progress: Progress; final: boolean }
  | { type: "interrupted"; inFlight: number }
  | { type: "done"; report: BatchReport }
  | { type: "error"; error: { category?: Category; message: string; hint?: string } };
