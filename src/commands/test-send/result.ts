import type { TlsMode } from "../../session/tls-mode.js";
import type { Failure } from "../../session/failure.js";
import type { StageResult } from "../../session/stage-result.js";
import type { TranscriptEntry } from "../../session/transcript.js";
import type { Diagnosis } from "../../send/deliver.js";

/** The result of test-send (the --json document; documented in README). */
export interface TestSendReport {
  ok: boolean;
  /** Unique token in the subject, to find the message in a mailbox. */
  token: string;
  subject: string;
  messageId: string;
  from: string;
  to: string;
  server: { host: string; port: number; tls: TlsMode };
  /** Certificate verification was off (--insecure). */
  insecure: boolean;
  profile: string | null;
  /** The server's reply to the end of DATA. */
  reply: string | null;
  ms: number;
  stages: StageResult[];
  failure: Failure | null;
  diagnoses: Diagnosis[];
  transcript?: TranscriptEntry[];
}
