import { randomBytes } from "node:crypto";
import type { TranscriptEntry } from "../session/transcript.js";
import { replyText, type LabReply } from "./reply.js";
import type { PortKind } from "./smtp-hooks.js";

/** One thing the persona decided, in the order it happened. */
export interface LabDecision {
  /** Milliseconds since the connection opened. */
  t: number;
  /** Where in the session: "connect", "AUTH", "MAIL", "RCPT", "DATA" or the command answered. */
  stage: string;
  outcome: "accepted" | "refused" | "dropped";
  /** The reply as one line ("535 5.7.8 …"); null when there was none (a dropped connection). */
  reply: string | null;
  /** The reason, in plain words. */
  why: string;
}

/** One SMTP connection as the lab saw it: the dialogue (credentials redacted) and the persona's decisions. */
export interface LabSession {
  /** When the connection opened (ISO 8601). */
  start: string;
  persona: string;
  port: PortKind;
  remote: string;
  helo: string | null;
  user: string | null;
  secure: boolean;
  transcript: TranscriptEntry[];
  decisions: LabDecision[];
  /** Transcript lines left out in the middle of a long session (the first and the last lines are kept). */
  omitted: number;
}

/** One try at delivering mail, whatever became of it: a message the lab accepted, or an attempt a persona refused. */
export interface LabAttempt {
  /** The capture id for an accepted message; an id of its own for a refused attempt. */
  id: string;
  outcome: "accepted" | "refused";
  /** When it was decided (ISO 8601). */
  time: string;
  persona: string;
  port: PortKind;
  remote: string;
  user: string | null;
  /** What the client asked for, refused recipients included; mailFrom null when it never got as far as MAIL FROM. */
  envelope: { mailFrom: string | null; rcptTo: string[] };
  /** The reply that settled it (the 250 after DATA, or the refusal) and the command it answered; null when the connection was dropped. */
  reply: { code: number; text: string; command: string | null } | null;
  /** The message as received: the capture's file, or for a message refused after DATA the file holding its first bytes (relative to the capture dir). */
  message: { file: string; size: number; complete: boolean } | null;
  session: LabSession;
}

// Bounds: a client decides how long a session is, so the record keeps the first HEAD lines and the last TAIL.
const HEAD = 300;
const TAIL = 100;
const MAX_DECISIONS = 200;
const MAX_LINE = 1000;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f]/g;

/** What one connection has done so far, and where the current attempt began. */
export class SessionRecorder {
  private readonly started = performance.now();
  private readonly startIso = new Date().toISOString();
  private readonly head: TranscriptEntry[] = [];
  private tail: TranscriptEntry[] = [];
  private omitted = 0;
  private readonly decisions: LabDecision[] = [];
  /** Index of the first decision not yet reported in an attempt. */
  private reported = 0;
  private mailFrom: string | null = null;
  private rcptTo: string[] = [];
  /** True once a MAIL FROM was seen since the last attempt was reported. */
  private transaction = false;
  /** The refusal that settles the attempt: the persona's latest, else smtp-server's (a 503 after a pipelined refused RCPT is only a consequence). */
  private lastRefusal: { code: number; text: string; command: string | null } | null = null;
  private lastProtocolRefusal: { code: number; text: string; command: string | null } | null = null;
  private refusedMessage: LabAttempt["message"] = null;
  /** The code of a refusal decide() recorded and the wire has not echoed yet. */
  private echo: number | null = null;
  private tls = false;

  constructor(private readonly base: Pick<LabSession, "persona" | "port" | "remote">) {}

  /** Adds a wire line (already redacted by the caller). */
  line(dir: TranscriptEntry["dir"], text: string): void {
    if (dir === "C") this.echo = null;
    const clean = text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}… (${text.length} characters)` : text;
    const entry = { t: this.elapsed(), dir, text: clean.replace(CONTROLS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`) };
    if (this.head.length < HEAD) return void this.head.push(entry);
    this.tail.push(entry);
    if (this.tail.length > TAIL) {
      this.tail = this.tail.slice(-TAIL);
      this.omitted++;
    }
  }

  /** Notes once that the connection is encrypted from here on. */
  secured(): void {
    if (this.tls) return;
    this.tls = true;
    this.line("*", "TLS established");
  }

  /** Records a decision of the persona: a reply that refuses (its `why`, or `fallback`), or an acceptance. */
  decide(stage: string, r: LabReply | undefined, fallback: string): void {
    const refused = r !== undefined && r.code >= 400;
    this.push({ stage, outcome: refused ? "refused" : "accepted", reply: r ? replyText(r) : null, why: r?.why ?? fallback });
    if (refused) {
      this.lastRefusal = { code: r.code, text: replyText(r), command: stage };
      this.echo = r.code;
    }
  }

  /** The persona closed the connection without a reply. */
  dropped(stage: string, why: string): void {
    this.push({ stage, outcome: "dropped", reply: null, why });
    this.lastRefusal = this.lastProtocolRefusal = null;
  }

  /**
   * A negative reply went out. Replies the persona decided on were recorded by decide(); any other one is
   * smtp-server's own (a command out of sequence, a timeout, a syntax error) and is recorded here.
   */
  rejected(command: string | null, code: number, text: string): void {
    if (this.echo === code) {
      this.echo = null;
      return;
    }
    this.push({ stage: command ?? "connect", outcome: "refused", reply: text, why: "the SMTP server's own protocol check (smtp-server), not a persona rule" });
    this.lastProtocolRefusal = { code, text, command };
  }

  /** MAIL FROM starts a transaction; a refused one before it is an attempt of its own. */
  mail(from: string, conn: ConnFacts): LabAttempt | null {
    const earlier = this.transaction ? this.refused(conn) : null;
    this.mailFrom = from;
    this.rcptTo = [];
    this.transaction = true;
    return earlier;
  }

  rcpt(to: string): void {
    if (this.rcptTo.length < 1000) this.rcptTo.push(to);
  }

  /** The message itself was refused after DATA; `file` holds its first bytes. */
  refusedAfterData(message: NonNullable<LabAttempt["message"]>): void {
    this.refusedMessage = message;
  }

  /** The attempt a capture ends (at the capture's time): everything since the previous attempt belongs to it. */
  accepted(id: string, time: string, conn: ConnFacts, reply: LabReply, message: NonNullable<LabAttempt["message"]>): LabAttempt {
    const a = { ...this.attempt(id, "accepted", conn, { code: reply.code, text: replyText(reply), command: "DATA" }, message), time };
    this.closeAttempt();
    return a;
  }

  /** The refused attempt since the previous one, if the persona refused anything in it; null otherwise. */
  refused(conn: ConnFacts): LabAttempt | null {
    const decided = this.decisions.slice(this.reported);
    if (!decided.some((d) => d.outcome !== "accepted")) return null;
    const a = this.attempt(randomBytes(8).toString("hex"), "refused", conn, this.lastRefusal ?? this.lastProtocolRefusal, this.refusedMessage);
    this.closeAttempt();
    return a;
  }

  private attempt(id: string, outcome: LabAttempt["outcome"], conn: ConnFacts, reply: LabAttempt["reply"], message: LabAttempt["message"]): LabAttempt {
    return {
      id,
      outcome,
      time: new Date().toISOString(),
      persona: this.base.persona,
      port: this.base.port,
      remote: this.base.remote,
      user: conn.user,
      envelope: { mailFrom: this.mailFrom, rcptTo: [...this.rcptTo] },
      reply,
      message,
      session: {
        start: this.startIso,
        ...this.base,
        ...conn,
        transcript: [...this.head, ...this.tail],
        decisions: [...this.decisions],
        omitted: this.omitted,
      },
    };
  }

  private closeAttempt(): void {
    this.reported = this.decisions.length;
    this.mailFrom = null;
    this.rcptTo = [];
    this.transaction = false;
    this.lastRefusal = null;
    this.lastProtocolRefusal = null;
    this.refusedMessage = null;
  }

  private push(d: Omit<LabDecision, "t">): void {
    if (this.decisions.length >= MAX_DECISIONS) {
      this.decisions.splice(0, 1);
      this.reported = Math.max(0, this.reported - 1);
    }
    this.decisions.push({ t: this.elapsed(), ...d });
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.started);
  }
}

/** What can change on a connection after it opened. */
export type ConnFacts = Pick<LabSession, "helo" | "user" | "secure">;
