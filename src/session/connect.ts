import dns from "node:dns";
import net, { type Socket } from "node:net";
import { classifyError, type FailureKind } from "./failure.js";
import { handshake, type TlsOptions } from "./tls-facts.js";

/** An address the name resolved to. */
export interface Resolved {
  address: string;
  family: 4 | 6;
}

/** DNS outcome: addresses, or why there are none. */
export type LookupResult = { ok: true; addresses: Resolved[]; literal: boolean } | { ok: false; kind: FailureKind; code: string; message: string };

/**
 * Resolves the host through the system resolver (getaddrinfo, so /etc/hosts counts, as for every mail client),
 * or, with `resolver`, by asking that DNS server directly (to tell a broken local resolver from a wrong name).
 */
export async function lookup(host: string, family: 4 | 6 | undefined, timeoutMs: number, resolver?: string): Promise<LookupResult> {
  const literal = net.isIP(host.replace(/^\[|\]$/g, ""));
  if (literal) {
    const address = host.replace(/^\[|\]$/g, "");
    if (family && family !== literal) return { ok: false, kind: "dns-not-found", code: "EFAMILY", message: `${host} is an IPv${literal} address but IPv${family} was forced` };
    return { ok: true, addresses: [{ address, family: literal as 4 | 6 }], literal: true };
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<LookupResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, kind: "dns-temporary", code: "ETIMEOUT", message: `no DNS answer for ${host} within ${Math.round(timeoutMs / 1000)} s` }), timeoutMs);
  });
  const query = (resolver ? viaServer(host, family, resolver, timeoutMs) : dns.promises.lookup(host, { all: true, family: family ?? 0, verbatim: true }))
    .then((list): LookupResult => {
      if (list.length === 0) return { ok: false, kind: "dns-not-found", code: "ENOTFOUND", message: `${host} has no ${family ? `IPv${family} ` : ""}address` };
      return { ok: true, addresses: list.map((a) => ({ address: a.address, family: a.family as 4 | 6 })), literal: false };
    })
    .catch((err: NodeJS.ErrnoException): LookupResult => ({
      ok: false,
      kind: classifyError(err, "dns"),
      code: err.code ?? "EDNS",
      message: err.code === "EAI_AGAIN" ? `the DNS lookup of ${host} failed temporarily (EAI_AGAIN)` : `${host} was not found in DNS (${err.code ?? "error"})`,
    }));
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asks one DNS server for A and/or AAAA records (c-ares, not getaddrinfo). NXDOMAIN is ENOTFOUND; no answer, ETIMEOUT. */
async function viaServer(host: string, family: 4 | 6 | undefined, server: string, timeoutMs: number): Promise<{ address: string; family: number }[]> {
  const r = new dns.promises.Resolver({ timeout: Math.max(100, Math.round(timeoutMs / 2)), tries: 1 });
  r.setServers([server]);
  const ask = async (f: 4 | 6) => {
    try {
      const list = f === 4 ? await r.resolve4(host) : await r.resolve6(host);
      return list.map((address) => ({ address, family: f }));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENODATA") return [];
      throw err;
    }
  };
  const families: (4 | 6)[] = family ? [family] : [4, 6];
  const results = await Promise.allSettled(families.map(ask));
  const found = results.flatMap((x) => (x.status === "fulfilled" ? x.value : []));
  const failed = results.find((x) => x.status === "rejected") as PromiseRejectedResult | undefined;
  if (found.length === 0 && failed) throw failed.reason;
  return found;
}

/** TCP outcome: a connected socket and the address used, or the last error. */
export type ConnectResult =
  | { ok: true; socket: Socket; address: Resolved; attempts: { address: string; error: string }[] }
  | { ok: false; kind: FailureKind; code: string; message: string; attempts: { address: string; error: string }[] };

/**
 * Connects to the first address that accepts. Refusals move on to the next address at once; the whole
 * attempt shares one deadline, so a host that never answers is reported within the connect timeout.
 */
export async function connectAny(addresses: Resolved[], port: number, timeoutMs: number): Promise<ConnectResult> {
  const deadline = performance.now() + timeoutMs;
  const attempts: { address: string; error: string }[] = [];
  let last: Extract<ConnectResult, { ok: false }> | null = null;
  for (const address of addresses) {
    const left = deadline - performance.now();
    if (left <= 0) break;
    const r = await connectOne(address, port, left, timeoutMs);
    if (r.ok) return { ok: true, socket: r.socket, address, attempts };
    attempts.push({ address: address.address, error: r.code });
    last = { ...r, attempts };
    if (r.kind === "connect-timeout") break;
  }
  return last ?? { ok: false, kind: "connect-timeout", code: "ETIMEDOUT", message: "no address could be tried before the timeout", attempts };
}

function connectOne(a: Resolved, port: number, timeoutMs: number, fullMs: number): Promise<{ ok: true; socket: Socket } | { ok: false; kind: FailureKind; code: string; message: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: a.address, port, family: a.family });
    const where = a.family === 6 ? `[${a.address}]:${port}` : `${a.address}:${port}`;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, kind: "connect-timeout", code: "ETIMEDOUT", message: `no answer from ${where} within ${Math.round(fullMs / 1000)} s (the port may be filtered)` });
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      socket.setNoDelay(true);
      resolve({ ok: true, socket });
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      const code = err.code ?? "ESOCKET";
      const text = code === "ECONNREFUSED" ? `${where} refused the connection (nothing listens on that port, or a firewall rejects it)` : `connecting to ${where} failed: ${err.message}`;
      resolve({ ok: false, kind: classifyError(err, "tcp"), code, message: text });
    });
  });
}

/**
 * Tries a TLS handshake on a fresh connection, only to learn whether the port speaks implicit TLS.
 * No data is exchanged and the connection is closed at once, so the certificate is not judged here.
 */
export async function speaksImplicitTls(address: Resolved, port: number, tlsOpts: TlsOptions, timeoutMs: number): Promise<{ protocol: string | null; ms: number } | null> {
  const start = performance.now();
  const c = await connectOne(address, port, timeoutMs, timeoutMs);
  if (!c.ok) return null;
  const r = await handshake(c.socket, { ...tlsOpts, insecure: true }, timeoutMs);
  if (!r.ok) return null;
  r.socket.destroy();
  return { protocol: r.facts.protocol, ms: Math.round(performance.now() - start) };
}
