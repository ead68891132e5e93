// send's options: the message flags, the batch flags with their parsers and defaults, and what commander gives run().
import { InvalidArgumentError } from "../commander.js";
import type { TargetFlags } from "../../config/resolve.js";
import { usageError } from "../../errors.js";
import type { MessageFlags } from "../../send/input.js";
import type { OptionSpec } from "../options.js";

/** send's batch flags as commander parses them. */
export interface BatchFlags {
  batch?: string;
  resume?: string;
  journal?: string;
  concurrency?: number;
  maxMessages?: number;
  /** Messages per second. */
  rate?: number;
  retryBase?: number;
  retryMax?: number;
  maxAttempts?: number;
  maxTime?: number;
  atLeastOnce?: boolean;
}

/** Defaults of the batch flags (shown in help, README). nodemailer's pool uses 5 connections and 100 messages each. */
export const BATCH_DEFAULTS = { concurrency: 5, maxMessages: 100, retryBase: 30, retryMax: 600, maxAttempts: 5 };

function whole(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`"${value}" is not a whole number from ${min} to ${max} (${name})`);
    return n;
  };
}

/** Parses a duration in seconds (fractions allowed) into seconds. */
function seconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0 || n > 30 * 86400) throw new InvalidArgumentError(`"${value}" is not a number of seconds`);
  return n;
}

/** Parses --rate: "10", "10/s", "600/m" (or /min), "3600/h"; returns messages per second. */
export function parseRate(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|m|min|h|hour))?$/i.exec(value.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!m || !(n > 0)) throw new InvalidArgumentError(`"${value}" is not a rate (e.g. 10/s, 600/m, 3600/h)`);
  const per = (m[2] ?? "s").toLowerCase();
  return per.startsWith("h") ? n / 3600 : per.startsWith("m") ? n / 60 : n;
}

/** The batch flags (README "send --batch" has the same table). */
export const BATCH_OPTIONS: readonly OptionSpec[] = [
  { flags: "--batch <rows.csv|rows.jsonl>", description: "send one message per row: a CSV file with a header row, or JSON Lines; needs --template and a to column" },
  { flags: "--resume <journal>", description: "go on with the batch this journal belongs to (the same flags; sent rows are skipped)" },
  { flags: "--journal <file>", description: "the batch's outbox journal (default: <batch file>.journal)" },
  { flags: "--concurrency <n>", description: `connections in the pool (default ${BATCH_DEFAULTS.concurrency})`, parse: whole("--concurrency", 1, 100) },
  { flags: "--max-messages <n>", description: `messages per connection before it is closed and reopened (default ${BATCH_DEFAULTS.maxMessages})`, parse: whole("--max-messages", 1, 100_000) },
  { flags: "--rate <n/s>", description: "at most this many messages per second (10/s, 600/m, 3600/h); a preset's per-minute limit also applies", parse: parseRate },
  { flags: "--retry-base <seconds>", description: `first wait before a retry; it doubles each time, with jitter (default ${BATCH_DEFAULTS.retryBase})`, parse: seconds },
  { flags: "--retry-max <seconds>", description: `longest wait before a retry (default ${BATCH_DEFAULTS.retryMax})`, parse: seconds },
  { flags: "--max-attempts <n>", description: `tries per row before a temporary failure counts as final: dead (default ${BATCH_DEFAULTS.maxAttempts})`, parse: whole("--max-attempts", 1, 100) },
  { flags: "--max-time <seconds>", description: "stop retrying after this long; rows still waiting are left for --resume (exit 75)", parse: seconds },
  { flags: "--at-least-once", description: "resend rows a crash left in doubt, with the same Message-ID (default: never send twice; report them)" },
];

/** Refuses batch flags on a single send (a usage error naming them). */
export function refuseBatchFlags(opts: BatchFlags): void {
  const only: [keyof BatchFlags, string][] = [
    ["journal", "--journal"],
    ["concurrency", "--concurrency"],
    ["maxMessages", "--max-messages"],
    ["rate", "--rate"],
    ["retryBase", "--retry-base"],
    ["retryMax", "--retry-max"],
    ["maxAttempts", "--max-attempts"],
    ["maxTime", "--max-time"],
    ["atLeastOnce", "--at-least-once"],
  ];
  const given = only.filter(([k]) => opts[k] !== undefined).map(([, f]) => f);
  if (given.length) throw usageError(`${given.join(", ")} only apply to --batch`);
}

/** send's options as commander parses them. */
export interface SendOptions extends TargetFlags, MessageFlags, BatchFlags {
  dryRun?: boolean;
  allowPartial?: boolean;
  json?: boolean;
  transcript?: boolean;
}
