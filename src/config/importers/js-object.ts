// A small, eval-free reader for option objects as people paste them: JSON, JS object literals
// (unquoted keys, single quotes, trailing commas, comments), Python dict literals (True/False/None)
// and keyword arguments (`SMTP(hostname="x", port=465)`). Values may be literals or
// `process.env.NAME` (optionally `|| literal` / `?? literal`); anything else is refused with its line,
// because evaluating someone's config code is not ours to do.

import { ImportError } from "./errors.js";

/** A value read from `process.env.NAME`, with the literal fallback written after `||`/`??`. */
export interface EnvRef {
  $env: string;
  fallback?: unknown;
}

/** Result of reading a loose object: the value and, for call syntax, the callee (e.g. "aiosmtplib.SMTP"). */
export interface Loose {
  value: unknown;
  callee?: string;
}

type Tok = { t: "str" | "num" | "id" | "p"; v: string; line: number };
const LITERALS: Record<string, unknown> = { true: true, false: false, null: null, undefined: undefined, True: true, False: false, None: null };

function tokenize(src: string, file?: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === "\n") { line++; i++; continue; }
    if (/\s/.test(c)) { i++; continue; }
    if (src.startsWith("//", i) || c === "#") { while (i < src.length && src[i] !== "\n") i++; continue; }
    if (src.startsWith("/*", i)) {
      const end = src.indexOf("*/", i + 2);
      line += (src.slice(i, end < 0 ? undefined : end).match(/\n/g) ?? []).length;
      i = end < 0 ? src.length : end + 2;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") {
      let v = "";
      let j = i + 1;
      for (; j < src.length && src[j] !== c; j++) {
        if (src[j] === "\n") throw new ImportError("unterminated string", { file, line });
        if (c === "`" && src.startsWith("${", j)) throw new ImportError("template literals with ${…} cannot be read without running the code", { file, line });
        if (src[j] === "\\") {
          const e = src[++j]!;
          if (e === "u") { v += String.fromCharCode(parseInt(src.slice(j + 1, j + 5), 16)); j += 4; }
          else v += ({ n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", "0": "\0" } as Record<string, string>)[e] ?? e;
        } else v += src[j];
      }
      if (j >= src.length) throw new ImportError("unterminated string", { file, line });
      out.push({ t: "str", v, line });
      i = j + 1;
      continue;
    }
    const num = /^-?(?:0x[0-9a-f]+|\d+(?:\.\d+)?(?:e[+-]?\d+)?)/i.exec(src.slice(i, i + 40));
    if (num) { out.push({ t: "num", v: num[0], line }); i += num[0].length; continue; }
    const id = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*/.exec(src.slice(i));
    if (id) { out.push({ t: "id", v: id[0], line }); i += id[0].length; continue; }
    // Anything else (`;`, `=>`, `.`…) is kept as punctuation; only the parser decides if it matters.
    const p = /^(\|\||\?\?|[\s\S])/.exec(src.slice(i))!;
    out.push({ t: "p", v: p[0], line });
    i += p[0].length;
  }
  return out;
}

/** Read `text` as a loose object literal; throws ImportError naming the line when it cannot. */
export function parseLoose(text: string, file?: string): Loose {
  const toks = tokenize(text, file);
  let pos = 0;
  const peek = () => toks[pos];
  const fail = (msg: string): never => { throw new ImportError(msg, { file, line: peek()?.line ?? toks.at(-1)?.line }); };
  const eat = (v: string) => (peek()?.t === "p" && peek()!.v === v ? (pos++, true) : false);

  // `key` names the setting in messages; a secret-looking key never has its value echoed.
  function value(key = ""): unknown {
    const tok = toks[pos++] ?? fail("unexpected end of input");
    if (tok.t === "str") return tok.v;
    if (tok.t === "num") return Number(tok.v);
    if (tok.t === "p" && tok.v === "{") return object("}");
    if (tok.t === "p" && tok.v === "[") {
      const arr: unknown[] = [];
      while (!eat("]")) { arr.push(value()); if (!eat(",") && peek()?.v !== "]") fail("expected , or ]"); }
      return arr;
    }
    if (tok.t === "id" && tok.v in LITERALS) return LITERALS[tok.v];
    if (tok.t === "id" && /^process\.env\.\w+$/.test(tok.v)) {
      const ref: EnvRef = { $env: tok.v.slice(12) };
      if (eat("||") || eat("??")) ref.fallback = value(key);
      return ref;
    }
    if (tok.t === "id" && /^(Number|parseInt|String|Boolean)$/.test(tok.v) && eat("(")) {
      const inner = value(key);
      if (!eat(")")) fail("expected )");
      return inner;
    }
    const what = /pass|secret|token|key/i.test(key) ? key : `"${tok.v}"`;
    return fail(`${what} is code, not a literal value; only literals and process.env.NAME can be read`);
  }

  // close "" reads `key=value, …` up to the end of the input.
  function object(close: string): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    const done = () => (close ? eat(close) : pos >= toks.length);
    while (!done()) {
      const k = toks[pos++] ?? fail(`missing ${close}`);
      if (k.t === "p") fail(`expected a key, found "${k.v}"`);
      if (!eat(":") && !eat("=")) fail(`expected : after ${k.v}`);
      if (k.v !== "__proto__") obj[k.v] = value(k.v);
      if (!eat(",") && (close ? peek()?.v !== close : pos < toks.length)) fail(`expected , or ${close || "end of input"}`);
    }
    return obj;
  }

  // `SMTP(hostname=…)` keyword arguments, a bare `key=value` list, or the first `{…}` in
  // `module.exports = {…}` / `createTransport({…})`.
  const [first, second, third] = toks;
  // `smtp = aiosmtplib.SMTP(…)`: skip the assignment to the call.
  const call = first?.t === "id" && second?.v === "=" && third?.t === "id" && toks[3]?.v === "(" ? 2 : 0;
  if (toks[call]?.t === "id" && toks[call + 1]?.v === "(" && toks[call + 2]?.v !== "{") {
    pos = call + 2;
    return { value: object(")"), callee: toks[call]!.v };
  }
  const bare = first?.t !== "p" && (second?.v === "=" || second?.v === ":") && third?.v !== "{" && third?.v !== "[";
  const brace = toks.findIndex((t) => t.t === "p" && (t.v === "{" || t.v === "["));
  if (!bare && brace >= 0) {
    pos = brace;
    return { value: value() };
  }
  if (!bare) fail("expected an object: { … } or key=value pairs");
  return { value: object("") };
}
