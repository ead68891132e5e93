import { REDACTED } from "./redact.js";

/** One line of the wire dialogue. "C" client, "S" server, "*" an event (connect, TLS upgrade). */
export interface TranscriptEntry {
  /** Milliseconds since the session started. */
  t: number;
  dir: "C" | "S" | "*";
  text: string;
}

/** How much of a dialogue is kept: a session of ordinary replies stays far below; a hostile server cannot grow it further. */
export const TRANSCRIPT_LIMITS = { entries: 4000, chars: 1024 * 1024 } as const;

/** Records the dialogue. Client lines that carry credentials are stored already redacted: the secret never enters the record. */
export class Transcript {
  readonly entries: TranscriptEntry[] = [];
  private chars = 0;
  private full = false;
  constructor(private readonly start: number) {}

  /** Records a client line; `secret` lines keep only their command word (e.g. "AUTH PLAIN <redacted>"). */
  client(line: string, secret = false): void {
    this.push("C", secret ? redactCommand(line) : line);
  }

  server(line: string): void {
    this.push("S", line);
  }

  event(text: string): void {
    this.push("*", text);
  }

  private push(dir: TranscriptEntry["dir"], text: string): void {
    if (this.full) return;
    const t = Math.round(performance.now() - this.start);
    if (this.entries.length + 1 >= TRANSCRIPT_LIMITS.entries || this.chars + text.length > TRANSCRIPT_LIMITS.chars) {
      this.full = true;
      this.entries.push({ t, dir: "*", text: `transcript truncated: more than ${TRANSCRIPT_LIMITS.entries} lines or ${TRANSCRIPT_LIMITS.chars / 1024} KiB; the rest of the dialogue is not recorded` });
      return;
    }
    this.chars += text.length;
    this.entries.push({ t, dir, text });
  }
}

/** Keeps the verb and mechanism of an AUTH command and drops its payload; any other secret line is dropped whole. */
export function redactCommand(line: string): string {
  const m = /^(AUTH\s+\S+)(\s+.*)?$/i.exec(line);
  if (m) return m[2] ? `${m[1]} ${REDACTED}` : m[1]!;
  return REDACTED;
}

/** Formats entries the way swaks does: "<- " server, " -> " client, "=== " events. */
export function formatTranscript(entries: TranscriptEntry[]): string[] {
  return entries.map((e) => `${e.dir === "S" ? "<- " : e.dir === "C" ? " ->" : "==="} ${e.text}`);
}
