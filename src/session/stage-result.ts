// The result of each stage of a session, and what it records in its `detail` — the facts, never an explanation. This is the written
// contract between the session engine (the only writer) and the modules that read the facts back (the stage
// checklist, probe's warnings, diagnose's evidence, send's refused recipients, init's check), and the `detail`
// of every --json document's `stages` (README documents it). tsc rejects a write or a read that is not here.
import type { TokenFacts } from "./auth.js";
import type { Extensions } from "./extensions.js";
import type { Failure, StageName } from "./failure.js";
import type { Reply } from "./reply.js";
import type { TlsFacts } from "./tls-facts.js";

/** What EHLO (and the EHLO after STARTTLS) learns. */
export interface EhloDetail {
  /** The name sent with EHLO (or HELO). */
  name?: string;
  /** The refusal of EHLO when the server only knows HELO (RFC 5321 §4.1.4). */
  ehloReply?: string;
  helo?: boolean;
  /** The first line of the 250 reply after the code: the server's own name for itself. */
  server?: string;
  extensions?: Extensions;
}

/** A handshake that failed on the server's "handshake failure": what a second one allowing TLS 1.0 and weak ciphers got. */
interface LegacyProbe {
  legacyTls?: string | null;
}

/** Each stage's facts, by stage. */
export interface StageDetails {
  dns: { resolver?: string; addresses?: string[]; literal?: boolean };
  tcp: { attempts?: { address: string; error: string }[]; address?: string; family?: 4 | 6; port?: number; local?: string | undefined };
  /** Implicit TLS: the certificate and session facts. */
  tls: Partial<TlsFacts> & LegacyProbe;
  /** `silentMs` and `tlsHandshake`: the port stayed silent in plaintext and a TLS handshake on it succeeded. */
  greeting: { banner?: string; silentMs?: number; tlsHandshake?: string | null };
  ehlo: EhloDetail;
  "ehlo-tls": EhloDetail;
  starttls: { tls?: TlsFacts } & LegacyProbe;
  auth: {
    offered?: string[];
    user?: string;
    mechanism?: string;
    /** The credentials went out without TLS. */
    cleartext?: boolean;
    /** The server's error challenge to a token (RFC 7628 §3.2.2), decoded. */
    oauthChallenge?: unknown;
    /** A refused token was renewed: the first attempt's reply and challenge. */
    firstAttempt?: { reply: string; oauthChallenge?: unknown };
    retry?: string;
    oauth?: TokenFacts;
  };
  mail: { from?: string; pipelined?: boolean };
  rcpt: { accepted?: string[]; rejected?: { address: string; reply: string }[] };
  /** `bytes`: the whole message and its final "." were written. */
  data: { bytes?: number };
  quit: Record<string, never>;
}

/** One stage's detail; any stage may say why it was skipped, or what else was seen, in `note`. */
export type StageDetail<S extends StageName> = StageDetails[S] & { note?: string };

/** The result of one stage: what happened, how long it took, and the facts it recorded (typed by the stage). */
export type StageResult = { [S in StageName]: StageResultOf<S> }[StageName];

/** The result of a stage of this name. */
export interface StageResultOf<S extends StageName> {
  stage: S;
  status: "ok" | "fail" | "skipped";
  ms: number;
  detail: StageDetail<S>;
  reply?: Reply;
  failure?: Failure;
}

/** The first stage of this name (with this status), typed by its name. */
export function findStage<S extends StageName>(stages: readonly StageResult[], stage: S, status?: StageResult["status"]): StageResultOf<S> | undefined {
  return stages.find((s): s is StageResultOf<S> & StageResult => s.stage === stage && (status === undefined || s.status === status));
}
