import type { TlsMode } from "../../session/tls-mode.js";
import type { EndpointProbe } from "../../session/detect.js";
import type { Extensions } from "../../session/extensions.js";
import type { Failure } from "../../session/failure.js";
import type { StageResult } from "../../session/stage-result.js";
import type { TlsFacts } from "../../session/tls-facts.js";
import type { TranscriptEntry } from "../../session/transcript.js";

/** What one port speaks (the --json document for a single port; documented in README). */
export interface PortReport {
  host: string;
  port: number;
  /** Detected or asked TLS mode; null when no SMTP conversation was reached. */
  tls: TlsMode | null;
  detectedBy: EndpointProbe["detectedBy"];
  /** open: SMTP reached; refused; no-answer: timed out; error: reached but failed (TLS, reply…). */
  state: "open" | "refused" | "no-answer" | "error";
  ok: boolean;
  ms: number;
  greeting: string | null;
  certificate: TlsFacts | null;
  capabilities: Extensions | null;
  /** TLS version when the server speaks only versions below 1.2. */
  legacyTls: string | null;
  insecure: boolean;
  stages: StageResult[];
  failure: Failure | null;
  warnings: string[];
  transcript?: TranscriptEntry[];
}

/** The --json document without --port: one report per port, and the port to use. */
export interface MultiReport {
  host: string;
  ports: PortReport[];
  recommended: { port: number; tls: TlsMode } | null;
}
