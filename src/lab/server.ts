import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { isIP } from "node:net";
import { join } from "node:path";
import type { TlsMode } from "../session/tls-mode.js";
import { MailctlError, usageError } from "../errors.js";
import { AttemptJournal } from "./attempt-journal.js";
import { CaptureStore, type CaptureEntry } from "./capture.js";
import { defaultLabDir, ensureLabCerts, LAB_HOSTS, type LabCerts } from "./lab-dir.js";
import { createPersona, type PersonaName } from "./personas/index.js";
import { LAB_USER, type DefaultPersona, type ExtraAccount, type PersonaSettings } from "./personas/default.js";
import { createListener } from "./listener.js";
import type { LabAttempt } from "./session-record.js";
import type { LabSmtpServer, PortKind } from "./smtp-hooks.js";

/** How to start a lab. Everything is optional. */
export interface LabOptions {
  /** Lab directory (certificates, captures); default defaultLabDir(). */
  dir?: string;
  persona?: PersonaName;
  /** Ports are base+465, base+587, base+25; 0 means three ephemeral ports. Default 1000. */
  portBase?: number;
  /** Listen address; default 127.0.0.1. */
  listen?: string;
  /** The lab account's password; generated when absent. */
  password?: string;
  greylistSeconds?: number;
  greetingDelaySeconds?: number;
  sizeLimit?: number;
  limit?: number;
  windowSeconds?: number;
  /** How long close() lets open sessions finish before it ends them. Default 1000 ms. */
  closeTimeoutMs?: number;
}

/** One listening port. */
export interface LabEndpoint {
  host: string;
  port: number;
  tls: TlsMode;
}

export type { LabRejection } from "./listener.js";
export type { LabAttempt, LabDecision, LabSession } from "./session-record.js";

/**
 * A running lab. Events: "message" (CaptureEntry), "rejected" (LabRejection), "attempt" (LabAttempt: each
 * accepted message and each refused try, with its session record, once settled), "warning" (Error).
 */
export interface Lab extends EventEmitter {
  persona: PersonaName;
  dir: string;
  listen: string;
  caPath: string;
  caPem: string;
  account: { user: string; password: string; generated: boolean };
  /** Accounts the persona adds (gmail's 2-step account). */
  extraAccounts: ExtraAccount[];
  endpoints: Record<PortKind, LabEndpoint>;
  captureDir: string;
  indexPath: string;
  /** The attempt journal (captures/attempts.jsonl). */
  attemptsPath: string;
  /** The SIZE the persona advertises (RFC 1870), in bytes. */
  sizeLimit: number;
  /** What the certificate step created on this start. */
  created: { ca: boolean; server: boolean };
  /** The capture index, oldest first. */
  captures(): Promise<CaptureEntry[]>;
  /** Every attempt on record (accepted and refused, with their sessions), oldest first. */
  attempts(): Promise<LabAttempt[]>;
  /** Deletes captures and attempts by id (every one with "all"): files, index lines, journal lines. */
  remove(ids: ReadonlySet<string> | "all"): Promise<void>;
  close(): Promise<void>;
}

const OFFSETS: Record<PortKind, number> = { implicit: 465, starttls: 587, plain: 25 };
const TLS_OF: Record<PortKind, TlsMode> = { implicit: "implicit", starttls: "starttls", plain: "none" };
const KINDS: PortKind[] = ["implicit", "starttls", "plain"];

/** True for addresses only this machine can reach. */
export function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === "::1" || /^::ffff:127\./i.test(address);
}

/** Starts the lab: three SMTP listeners sharing one persona, one capture store and one certificate. */
export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const listen = opts.listen ?? "127.0.0.1";
  if (!isIP(listen)) throw usageError(`--listen "${listen}" is not an IP address`);
  const portBase = opts.portBase ?? 1000;
  if (!Number.isInteger(portBase) || portBase < 0 || portBase + 587 > 65535) throw usageError(`--port-base ${portBase} is out of range (0–${65535 - 587})`);
  const dir = opts.dir ?? defaultLabDir();
  const name = opts.persona ?? "default";
  const generated = opts.password === undefined;
  const account = { user: LAB_USER, password: opts.password ?? randomBytes(12).toString("base64url"), generated };
  const wildcard = listen === "0.0.0.0" || listen === "::";
  const hosts = wildcard || LAB_HOSTS.includes(listen) ? LAB_HOSTS : [...LAB_HOSTS, listen];
  const store = new CaptureStore(join(dir, "captures"));
  const journal = new AttemptJournal(store.dir);
  let certs: LabCerts;
  try {
    certs = await ensureLabCerts(dir, hosts);
    await store.open();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new MailctlError("ioerr", `lab directory ${dir}: ${e.code === "EACCES" ? "permission denied" : e.message}`, "Choose another directory with --dir.");
  }
  const settings: PersonaSettings = { account, ...pick(opts, ["greylistSeconds", "greetingDelaySeconds", "sizeLimit", "limit", "windowSeconds"]) };
  const persona = createPersona(name, settings);
  const info: LabInfo = {
    persona: name,
    dir,
    listen,
    caPath: certs.caPath,
    caPem: certs.caPem,
    account,
    extraAccounts: persona.extraAccounts,
    captureDir: store.dir,
    indexPath: store.indexPath,
    attemptsPath: journal.path,
    sizeLimit: persona.size,
    created: certs.created,
  };
  const lab = new RunningLab(info, persona, store, journal, opts.closeTimeoutMs ?? 1000);
  const host = listen === "0.0.0.0" ? "127.0.0.1" : listen === "::" ? "::1" : listen;
  try {
    for (const kind of KINDS) {
      const port = await lab.listenOn(kind, portBase === 0 ? 0 : portBase + OFFSETS[kind], listen, { key: certs.key, cert: certs.cert });
      lab.endpoints[kind] = { host, port, tls: TLS_OF[kind] };
    }
  } catch (err) {
    await lab.close();
    throw err;
  }
  return lab;
}

/** The facts of a lab, known before it listens. */
type LabInfo = Omit<Lab, "endpoints" | "captures" | "attempts" | "remove" | "close" | keyof EventEmitter>;

class RunningLab extends EventEmitter implements Lab {
  persona!: PersonaName;
  dir!: string;
  listen!: string;
  caPath!: string;
  caPem!: string;
  account!: Lab["account"];
  extraAccounts!: ExtraAccount[];
  captureDir!: string;
  indexPath!: string;
  attemptsPath!: string;
  sizeLimit!: number;
  created!: Lab["created"];
  readonly endpoints = {} as Record<PortKind, LabEndpoint>;
  private readonly servers: LabSmtpServer[] = [];
  private closing: Promise<void> | null = null;

  constructor(
    info: LabInfo,
    private readonly behaviour: DefaultPersona,
    private readonly store: CaptureStore,
    private readonly journal: AttemptJournal,
    private readonly closeTimeoutMs: number,
  ) {
    super();
    Object.assign(this, info);
  }

  captures(): Promise<CaptureEntry[]> {
    return this.store.entries();
  }

  attempts(): Promise<LabAttempt[]> {
    return this.journal.entries();
  }

  async remove(ids: ReadonlySet<string> | "all"): Promise<void> {
    await this.store.remove(ids);
    await this.journal.remove(ids);
  }

  /** Stops listening, lets open sessions finish for closeTimeoutMs, ends the rest, and waits for captures in progress. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.behaviour.close();
      await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => (s.server.listening ? s.close(() => resolve()) : resolve()))));
      for (const s of this.servers) for (const socket of s.sockets) socket.destroy();
      await this.store.close();
      // smtp-server reports each closed connection (its onClose) a turn after the socket closes, and the refused
      // attempt of that connection is recorded then: wait for the sockets, then for that turn.
      for (let i = 0; i < 100 && this.servers.some((s) => s.connections.size > 0); i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((resolve) => setImmediate(resolve));
      await this.journal.close();
    })();
    return this.closing;
  }

  /** Starts one listener; a port in use is a MailctlError naming the port (exit 69). */
  async listenOn(kind: PortKind, port: number, address: string, tls: { key: string; cert: string }): Promise<number> {
    const server = createListener(kind, {
      persona: this.behaviour,
      store: this.store,
      journal: this.journal,
      tls,
      closeTimeoutMs: this.closeTimeoutMs,
      events: {
        message: (e) => this.emit("message", e),
        rejected: (r) => this.emit("rejected", r),
        attempt: (a) => this.emit("attempt", a),
        warning: (err) => this.emit("warning", err),
      },
    });
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.server.once("error", (err: NodeJS.ErrnoException) => reject(listenError(err, address, port)));
      server.listen(port, address, () => resolve());
    });
    return (server.server.address() as { port: number }).port;
  }
}

function listenError(err: NodeJS.ErrnoException, address: string, port: number): Error {
  if (err.code === "EADDRINUSE") return new MailctlError("unavailable", `port ${port} is already in use (${address}:${port})`, "Stop the program that uses it (another mailctl lab?) or move the lab's ports with --port-base.");
  if (err.code === "EACCES") return new MailctlError("unavailable", `no permission to listen on port ${port}`, "Ports below 1024 need privileges; use --port-base to move the lab's ports.");
  if (err.code === "EADDRNOTAVAIL") return usageError(`--listen ${address}: not an address of this machine`);
  return new MailctlError("unavailable", `cannot listen on ${address}:${port}: ${err.message}`);
}

function pick<T extends object, K extends keyof T>(obj: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}
