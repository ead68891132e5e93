import type { Reply } from "./reply.js";

/** The ESMTP extensions a server advertised in its EHLO reply (RFC 5321 §4.1.1.1). */
export interface Extensions {
  /** Every keyword as advertised, upper-cased, with its parameters. */
  keywords: Record<string, string[]>;
  /** RFC 1870 SIZE limit in bytes; 0 means "no fixed limit"; null when not advertised. */
  size: number | null;
  starttls: boolean;
  /** RFC 4954 AUTH mechanisms, upper-cased. Includes the pre-standard "AUTH=" form some servers still send. */
  auth: string[];
  pipelining: boolean;
  eightBitMime: boolean;
  smtputf8: boolean;
  enhancedStatusCodes: boolean;
  dsn: boolean;
  chunking: boolean;
}

/** Parses the EHLO reply: the first line is the server's name, each further line one extension. */
export function parseExtensions(reply: Reply): Extensions {
  const keywords: Record<string, string[]> = {};
  const lines = reply.lines.slice(1).map((l) => l.slice(4).trim());
  const auth = new Set<string>();
  for (const line of lines) {
    // Some servers (old Exchange, qmail) send "AUTH=LOGIN PLAIN" as well as or instead of "AUTH LOGIN PLAIN".
    const [rawKey, ...params] = line.split(/[\s=]+/).filter(Boolean);
    if (!rawKey) continue;
    const key = rawKey.toUpperCase();
    keywords[key] = [...(keywords[key] ?? []), ...params];
    if (key === "AUTH") params.forEach((p) => auth.add(p.toUpperCase()));
  }
  const sizeParam = keywords.SIZE?.[0];
  return {
    keywords,
    size: keywords.SIZE ? (sizeParam && /^\d+$/.test(sizeParam) ? Number(sizeParam) : 0) : null,
    starttls: "STARTTLS" in keywords,
    auth: [...auth],
    pipelining: "PIPELINING" in keywords,
    eightBitMime: "8BITMIME" in keywords,
    smtputf8: "SMTPUTF8" in keywords,
    enhancedStatusCodes: "ENHANCEDSTATUSCODES" in keywords,
    dsn: "DSN" in keywords,
    chunking: "CHUNKING" in keywords,
  };
}

/** The extensions as a short list for humans: "SIZE 35882577 · STARTTLS · AUTH PLAIN LOGIN · …" */
export function summarizeExtensions(ext: Extensions): string[] {
  return Object.entries(ext.keywords).map(([k, v]) => (v.length ? `${k} ${v.join(" ")}` : k));
}
