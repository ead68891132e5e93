import type { TlsMode } from "../../session/tls-mode.js";
import type { Failure } from "../../session/failure.js";
import type { StageResult } from "../../session/stage-result.js";
import type { TranscriptEntry } from "../../session/transcript.js";
import type { Diagnosis } from "../../send/deliver.js";

/** The result of a send (the --json document; documented in README). */
export interface SendReport {
  dryRun: false;
  ok: boolean;
  messageId: string;
  from: string;
  /** Envelope recipients (To, Cc and Bcc). */
  recipients: string[];
  accepted: string[];
  rejected: { address: string; reply: string; code: number }[];
  /** The server's reply to the end of DATA, e.g. "250 2.0.0 Ok: queued as 4XyZ". */
  reply: string | null;
  ms: number;
  size: number;
  server: { host: string; port: number; tls: TlsMode };
  /** Certificate verification was off (--insecure). */
  insecure: boolean;
  allowPartial: boolean;
  failure: Failure | null;
  diagnoses: Diagnosis[];
  stages: StageResult[];
  transcript?: TranscriptEntry[];
}

/** The result of --dry-run: what would be sent. `raw` (the message as the server will store it) is printed instead of JSON without --json. */
export interface DryRunReport {
  dryRun: true;
  ok: true;
  messageId: string;
  from: string;
  recipients: string[];
  size: number;
  headers: string[];
  attachments: { filename: string; contentType: string; size: number }[];
  /** Addresses that need a server offering SMTPUTF8. */
  smtputf8: string[];
  raw?: Buffer;
}
