// .env syntax as both readers of Dify's file accept it: docker compose's dotenv (docker/.env feeds
// docker-compose.yaml's ${VAR:-default}) and python-dotenv (api/.env in a source install).
// Shared rules: `#` comment lines, optional `export `, KEY=value, '…' literal, "…" with
// backslash escapes (may span lines), unquoted values end at a ` #` inline comment, last
// duplicate wins. CRLF line endings are plain line ends.

import { ImportError } from "./errors.js";

/** One assignment read from a .env file. */
export interface EnvEntry {
  value: string;
  /** 1-based line of the assignment. */
  line: number;
  quoted: boolean;
}

/** Parsed .env: entries by key, and lines that were skipped or overridden. */
export interface EnvFile {
  entries: Map<string, EnvEntry>;
  warnings: string[];
}

const ASSIGN = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s?(.*)$/;
const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\", $: "$" };

/** Parse .env text; throws ImportError for an unterminated quote (both readers reject it). */
export function parseDotenv(text: string, file?: string): EnvFile {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const entries = new Map<string, EnvEntry>();
  const warnings: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (/^\s*(#|$)/.test(raw)) continue;
    const m = ASSIGN.exec(raw);
    if (!m) {
      warnings.push(`line ${i + 1} is not KEY=value and is ignored`);
      continue;
    }
    const key = m[1]!;
    const start = i;
    let rest = m[2]!.replace(/^\s+/, "");
    let value: string;
    let quoted = false;
    if (rest.startsWith("'") || rest.startsWith('"')) {
      quoted = true;
      const q = rest[0]!;
      let body = rest.slice(1);
      let end = findClose(body, q);
      // A double-quoted value may continue on the next lines (python-dotenv, compose v2).
      while (end < 0 && i + 1 < lines.length) {
        i++;
        body += "\n" + lines[i]!;
        end = findClose(body, q);
      }
      if (end < 0) throw new ImportError(`unterminated ${q} quote in ${key}`, { file, line: start + 1 });
      value = body.slice(0, end);
      if (q === '"') value = value.replace(/\\(.)/g, (all, c: string) => ESCAPES[c] ?? all);
    } else {
      // Unquoted: a `#` starts a comment only after whitespace, so `pa#ss` stays intact.
      rest = rest.replace(/\s+#.*$/, "");
      value = rest.trim();
    }
    if (entries.has(key)) warnings.push(`${key} is set twice (lines ${entries.get(key)!.line} and ${start + 1}); the last one wins`);
    entries.set(key, { value, line: start + 1, quoted });
  }
  return { entries, warnings };
}

function findClose(body: string, q: string): number {
  for (let j = 0; j < body.length; j++) {
    if (q === '"' && body[j] === "\\") j++;
    else if (body[j] === q) return j;
  }
  return -1;
}
