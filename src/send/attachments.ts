import { open, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { dataError, MailctlError, noInputError, usageError } from "../errors.js";
import { assertOneLine } from "./headers.js";

/** Default limit on the attachments of one message: what Gmail and Outlook accept (25 MiB). */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

/** An --attach value: `<file>[;type=<mime>][;name=<shown name>]`. */
export interface AttachSpec {
  path: string;
  type?: string;
  name?: string;
}

/** An attachment that passed every check: the file to read (symlinks resolved) and how it is labelled. */
export interface Attachment {
  /** The path as given. */
  given: string;
  /** The resolved path: what was checked is what gets read. */
  path: string;
  filename: string;
  contentType: string;
  size: number;
}

/** What attachments are allowed. */
export interface AttachPolicy {
  maxBytes: number;
  /** Allowed content types; `image/*` matches a whole family. Empty: any. */
  allowTypes: string[];
  /** When set, every attachment must resolve to a file inside this directory. */
  root?: string;
}

const MIME = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/;

/** Parses `file;type=…;name=…`. Options are read from the right, so a file name may itself contain ";". */
export function parseAttachSpec(spec: string): AttachSpec {
  assertOneLine(spec, `--attach "${spec.replace(/[\r\n]+/g, "⏎")}"`);
  const parts = spec.split(";");
  const out: AttachSpec = { path: "" };
  while (parts.length > 1 && /^\s*(type|name)=/.test(parts[parts.length - 1]!)) {
    const part = parts.pop()!.trim();
    const eq = part.indexOf("=");
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1).trim();
    if (!value) throw usageError(`--attach "${spec}": ${key}= is empty`);
    if (key === "type") {
      if (!MIME.test(value)) throw dataError(`--attach "${spec}": "${value}" is not a content type (type/subtype)`);
      out.type = value.toLowerCase();
    } else out.name = value;
  }
  out.path = parts.join(";");
  if (!out.path) throw usageError(`--attach "${spec}": no file named`);
  return out;
}

/** Parses a size: bytes, or a number with k/M/G (powers of 1024; KiB/MiB/GiB and KB/MB/GB read the same way). */
export function parseSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(i?b)?$/i.exec(value.trim());
  if (!m) throw usageError(`"${value}" is not a size (e.g. 25MiB, 500k, 1048576)`);
  const mult = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as "" | "k" | "m" | "g"];
  return Math.floor(Number(m[1]) * mult);
}

/** True when a content type is on the allow-list (exact, or `family/*`). */
export function typeAllowed(type: string, allow: string[]): boolean {
  if (allow.length === 0) return true;
  const t = type.toLowerCase();
  return allow.some((a) => {
    const rule = a.trim().toLowerCase();
    return rule.endsWith("/*") ? t.startsWith(rule.slice(0, -1)) : t === rule;
  });
}

/**
 * Checks every attachment before anything connects: the file exists and can be read (66), lies inside
 * --attach-root after symlinks are resolved (77), has an allowed type and fits the size limit (65).
 */
export async function checkAttachments(specs: AttachSpec[], policy: AttachPolicy, cwd: string): Promise<Attachment[]> {
  const { detectMimeType } = await import("nodemailer/lib/mime-funcs");
  const root = policy.root ? await realRoot(path.resolve(cwd, policy.root)) : undefined;
  const out: Attachment[] = [];
  for (const spec of specs) {
    const given = spec.path;
    const resolved = path.resolve(cwd, given);
    let real: string;
    let size: number;
    try {
      real = await realpath(resolved);
      const st = await stat(real);
      if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
      // A pipe or device has no size to check and cannot be read twice (measure, then send).
      if (!st.isFile()) throw new Error("not a regular file (a pipe or device cannot be attached)");
      // Opening proves it is readable now; nodemailer opens it again by the same resolved path when streaming.
      await (await open(real, "r")).close();
      size = st.size;
    } catch (err) {
      throw noInputError(`--attach ${given}`, err as NodeJS.ErrnoException);
    }
    if (root) {
      const rel = path.relative(root, real);
      if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) {
        const via = real !== resolved ? ` (it resolves to ${real})` : "";
        throw new MailctlError("noperm", `--attach ${given}: outside --attach-root ${policy.root}${via}; nothing was sent`);
      }
    }
    const filename = spec.name ?? path.basename(given);
    const contentType = spec.type ?? detectMimeType(filename);
    if (!typeAllowed(contentType, policy.allowTypes)) {
      throw dataError(`--attach ${given}: type ${contentType} is not allowed (allowed: ${policy.allowTypes.join(", ")}); nothing was sent`);
    }
    out.push({ given, path: real, filename, contentType, size });
  }
  const total = out.reduce((n, a) => n + a.size, 0);
  if (total > policy.maxBytes) {
    const list = out.map((a) => `${a.given} ${formatBytes(a.size)}`).join(", ");
    throw dataError(`attachments total ${formatBytes(total)}, over the limit of ${formatBytes(policy.maxBytes)} (${list}); nothing was sent`, "Raise it with --max-attachment-size if the server takes more (see its SIZE in `mailctl probe`).");
  }
  return out;
}

async function realRoot(dir: string): Promise<string> {
  try {
    const real = await realpath(dir);
    if (!(await stat(real)).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
    return real;
  } catch (err) {
    throw noInputError(`--attach-root ${dir}`, err as NodeJS.ErrnoException);
  }
}

/** Bytes for humans: 25.0 MiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}
