// Real servers on 127.0.0.1:0 for tests: an smtp-server in any TLS mode with any kind of certificate,
// and raw TCP / TLS servers for tests where the exact bytes on the wire matter. No mocks.
import net from "node:net";
import tls from "node:tls";
import { SMTPServer } from "smtp-server";
import type { SMTPServerEnvelope, SMTPServerOptions, SMTPServerSession } from "smtp-server";
import { createCA, createSelfSigned, issueServerCert, type KeyPair } from "../../src/tls/certs.js";

/** Which certificate a test server presents. */
export type CertKind = "valid" | "self-signed" | "expired" | "wrong-host" | "untrusted";

/** Cert material for a server: what it presents, and the CA (PEM) a client should trust, if any. */
export interface CertMaterial {
  /** Leaf certificate and key the server uses. */
  pair: KeyPair;
  /** CA that issued `pair` and that tests may trust; undefined for self-signed and untrusted. */
  ca?: string;
  /** PEM of the issuing CA even when it is not meant to be trusted (for chain: true). */
  issuer?: string;
}

/** The hosts a "valid" certificate covers. */
export const VALID_HOSTS = ["localhost", "127.0.0.1", "::1"];
/** The only host a "wrong-host" certificate covers. */
export const WRONG_HOST = "mail.example.com";

const DAY = 24 * 3600_000;
type KeyType = "ec" | "rsa";

// Key generation dominates (RSA-2048 ~100-500 ms); one set per (kind, keyType) per test process.
const caCache = new Map<string, Promise<KeyPair>>();
const certCache = new Map<string, Promise<CertMaterial>>();

function cachedCA(name: "trusted" | "untrusted", keyType: KeyType): Promise<KeyPair> {
  const k = `${name}:${keyType}`;
  let p = caCache.get(k);
  if (!p) {
    p = createCA({ commonName: `mailctl ${name} test CA (${keyType})`, keyType });
    caCache.set(k, p);
  }
  return p;
}

async function makeMaterial(kind: CertKind, keyType: KeyType): Promise<CertMaterial> {
  switch (kind) {
    case "valid": {
      const ca = await cachedCA("trusted", keyType);
      return { pair: await issueServerCert(ca, { hosts: VALID_HOSTS, keyType }), ca: ca.cert, issuer: ca.cert };
    }
    case "expired": {
      const ca = await cachedCA("trusted", keyType);
      const now = Date.now();
      const pair = await issueServerCert(ca, {
        hosts: VALID_HOSTS,
        keyType,
        notBefore: new Date(now - 30 * DAY),
        notAfter: new Date(now - DAY),
      });
      return { pair, ca: ca.cert, issuer: ca.cert };
    }
    case "wrong-host": {
      const ca = await cachedCA("trusted", keyType);
      return { pair: await issueServerCert(ca, { hosts: [WRONG_HOST], keyType }), ca: ca.cert, issuer: ca.cert };
    }
    case "untrusted": {
      const ca = await cachedCA("untrusted", keyType);
      return { pair: await issueServerCert(ca, { hosts: VALID_HOSTS, keyType }), issuer: ca.cert };
    }
    case "self-signed":
      return { pair: await createSelfSigned({ hosts: VALID_HOSTS, keyType }) };
  }
}

/** Cert material of one kind, generated once per (kind, keyType) per test process. */
export function getCert(kind: CertKind, keyType: KeyType = "ec"): Promise<CertMaterial> {
  const k = `${kind}:${keyType}`;
  let p = certCache.get(k);
  if (!p) {
    p = makeMaterial(kind, keyType);
    certCache.set(k, p);
  }
  return p;
}

async function resolveCert(
  cert: CertKind | KeyPair | undefined,
  keyType: KeyType | undefined,
  chain: boolean | undefined,
): Promise<{ key: string; cert: string; leaf: string; ca?: string }> {
  const m: CertMaterial = typeof cert === "object" ? { pair: cert } : await getCert(cert ?? "valid", keyType ?? "ec");
  // chain: also send the issuing CA, as misconfigured servers do; without a trusted CA the client
  // then sees a self-signed cert in the chain (SELF_SIGNED_CERT_IN_CHAIN) rather than a missing issuer.
  const sent = chain && m.issuer ? m.pair.cert + m.issuer : m.pair.cert;
  return { key: m.pair.key, cert: sent, leaf: m.pair.cert, ...(m.ca ? { ca: m.ca } : {}) };
}

/** What every helper server returns. */
export interface StartedServer {
  host: string;
  port: number;
  /** PEM CA to trust for this server's certificate, if there is one a client should trust. */
  ca?: string;
  /** PEM of the leaf certificate the server presents (TLS servers only). */
  cert?: string;
  /** Errors the server emitted (TLS handshake failures etc.), for assertions; never thrown. */
  errors: Error[];
  close(): Promise<void>;
}

/** A message as smtp-server received it. */
export interface ReceivedMessage {
  envelope: SMTPServerEnvelope;
  raw: Buffer;
  user: unknown;
  secure: boolean;
}

/** Options for startSmtpServer; anything not listed passes through to SMTPServer. */
export interface SmtpServerHelperOptions extends Omit<SMTPServerOptions, "secure" | "cert" | "key" | "ca"> {
  /** implicit = TLS from the first byte (465); starttls = plain + STARTTLS (587); plain = no STARTTLS offered. */
  mode?: "implicit" | "starttls" | "plain";
  /** Certificate kind (default "valid") or an explicit pair. */
  cert?: CertKind | KeyPair;
  keyType?: KeyType;
  /** Send the issuing CA after the leaf. */
  chain?: boolean;
  /** Require these credentials; wrong ones get "535 Authentication failed". Without it AUTH is disabled. */
  auth?: { user: string; pass: string; methods?: string[] };
}

/** An smtp-server test instance plus what it received. */
export interface SmtpTestServer extends StartedServer {
  messages: ReceivedMessage[];
  server: SMTPServer;
}

function listen(server: net.Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => {
      server.off("error", reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** Start nodemailer's smtp-server on 127.0.0.1:0 in the given TLS mode with the given certificate. */
export async function startSmtpServer(opts: SmtpServerHelperOptions = {}): Promise<SmtpTestServer> {
  const { mode = "starttls", cert, keyType, chain, auth, onData, onAuth, ...extra } = opts;
  const host = "127.0.0.1";
  const messages: ReceivedMessage[] = [];
  const errors: Error[] = [];
  const material = mode === "plain" && cert === undefined ? undefined : await resolveCert(cert, keyType, chain);

  const options: SMTPServerOptions = {
    logger: false,
    // Reverse DNS of 127.0.0.1 may wait on an unreachable resolver; tests have no network.
    disableReverseLookup: true,
    closeTimeout: 100,
    // Credentials in the clear only where no TLS is on offer at all, so plain-mode auth tests work
    // while a starttls server still refuses AUTH before STARTTLS (538), like real submission servers.
    allowInsecureAuth: mode === "plain",
    ...(auth
      ? { authMethods: auth.methods ?? ["PLAIN", "LOGIN"], authOptional: false }
      : { disabledCommands: ["AUTH"], authOptional: true }),
    ...(mode === "plain" ? { hideSTARTTLS: true } : {}),
    ...extra,
    secure: mode === "implicit",
    ...(material ? { key: material.key, cert: material.cert } : {}),
    onData:
      onData ??
      ((stream, session: SMTPServerSession, callback) => {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          messages.push({
            envelope: structuredClone(session.envelope),
            raw: Buffer.concat(chunks),
            user: session.user,
            secure: session.secure,
          });
          callback();
        });
      }),
  };
  if (onAuth) {
    options.onAuth = onAuth;
  } else if (auth) {
    options.onAuth = (a, _session, callback) => {
      let ok: boolean;
      if (a.method === "CRAM-MD5") ok = a.username === auth.user && a.validatePassword(auth.pass);
      else if (a.method === "XOAUTH2") ok = a.username === auth.user && a.accessToken === auth.pass;
      else ok = a.username === auth.user && a.password === auth.pass;
      if (ok) return callback(null, { user: a.username });
      if (a.method === "XOAUTH2") {
        return callback(null, { data: { status: "401", schemes: "bearer", scope: "https://mail.google.com/" } });
      }
      callback(Object.assign(new Error("Authentication failed"), { responseCode: 535 }));
    };
  }

  const server = new SMTPServer(options);
  server.on("error", (e: Error) => errors.push(e));
  const port = await listen(server.server, host);
  return {
    host,
    port,
    ...(material?.ca ? { ca: material.ca } : {}),
    ...(material ? { cert: material.leaf } : {}),
    errors,
    messages,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function trackSockets(server: net.Server): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return sockets;
}

function closeServer(server: net.Server, sockets: Set<net.Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const s of sockets) s.destroy();
  });
}

/** Options for the raw servers. */
export interface RawServerOptions {
  /** Listen address; default 127.0.0.1 (use "::1" for IPv6 tests). */
  host?: string;
}

/** Start a plain TCP server on 127.0.0.1:0 whose every connection goes to `handler` (exact bytes). */
export async function startRawServer(
  handler: (socket: net.Socket) => void,
  opts: RawServerOptions = {},
): Promise<StartedServer> {
  const host = opts.host ?? "127.0.0.1";
  const errors: Error[] = [];
  const server = net.createServer((socket) => {
    socket.on("error", (e) => errors.push(e)); // a client reset must not crash the test process
    handler(socket);
  });
  const sockets = trackSockets(server);
  const port = await listen(server, host);
  return { host, port, errors, close: () => closeServer(server, sockets) };
}

/** Options for startTlsRawServer: raw server options plus any tls.TlsOptions (minVersion, ciphers…). */
export interface TlsRawServerOptions extends RawServerOptions, Omit<tls.TlsOptions, "key" | "cert" | "ca"> {
  keyType?: KeyType;
  chain?: boolean;
}

/** Start an implicit-TLS server on 127.0.0.1:0 presenting `cert`; `handler` gets the decrypted socket. */
export async function startTlsRawServer(
  cert: CertKind | KeyPair,
  handler: (socket: tls.TLSSocket) => void,
  opts: TlsRawServerOptions = {},
): Promise<StartedServer> {
  const { host = "127.0.0.1", keyType, chain, ...tlsOpts } = opts;
  const material = await resolveCert(cert, keyType, chain);
  const errors: Error[] = [];
  const server = tls.createServer({ ...tlsOpts, key: material.key, cert: material.cert }, (socket) => {
    socket.on("error", (e) => errors.push(e));
    handler(socket);
  });
  server.on("tlsClientError", (e) => errors.push(e));
  // "connection" fires for the underlying TCP sockets, which is what must be destroyed on close.
  const sockets = trackSockets(server);
  const port = await listen(server, host);
  return {
    host,
    port,
    ...(material.ca ? { ca: material.ca } : {}),
    cert: material.leaf,
    errors,
    close: () => closeServer(server, sockets),
  };
}
