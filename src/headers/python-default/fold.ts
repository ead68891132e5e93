// _refold_parse_tree and _fold_as_ew: how policy.default folds a parsed header into lines of at most 78
// characters, writing encoded words where the text needs them.
import { asEwAllowed, ewCombineAllowed, inSet, type List, SPECIALS, startsWithFws, str, term, type Tok, WSP } from "./tokens.js";
import { encodeEw } from "./encoded-words.js";
import { getUnstructured } from "./parse-words.js";

function stealTrailingWsp(lines: string[]): string {
  const last = lines[lines.length - 1]!;
  if (last && inSet(WSP, last[last.length - 1])) {
    lines[lines.length - 1] = last.slice(0, -1);
    return last[last.length - 1]!;
  }
  return "";
}

const cpLength = (s: string) => [...s].length;
const END_EW_NOT_ALLOWED = term("", "wrap_as_ew_blocked", "plain");

/** _refold_parse_tree: the folded header, each line ending in `linesep`. */
export function refold(tree: List, maxlen: number, linesep: string): string {
  const lines = [""];
  let lastEw: number | null = null;
  let blocked = 0;
  let wantEncoding = false;
  let parts: Tok[] = [...tree.items];
  const cur = () => cpLength(lines[lines.length - 1]!);
  while (parts.length) {
    const part = parts.shift()!;
    if (part === END_EW_NOT_ALLOWED) {
      blocked--;
      continue;
    }
    const tstr = str(part);
    if (part.type === "ptext" && [...tstr].some((c) => SPECIALS.includes(c))) wantEncoding = true;
    const ascii = /^[\x00-\x7f]*$/.test(tstr);
    const charset = ascii ? "us-ascii" : "utf-8";
    if (!ascii) wantEncoding = true;
    if (wantEncoding && !blocked) {
      if (!asEwAllowed(part)) {
        wantEncoding = false;
        lastEw = null;
        if (part.t === "list") {
          const encoded = refold(part, maxlen, linesep).slice(0, -linesep.length);
          if (!encoded.includes(linesep)) {
            if (cpLength(encoded) > maxlen - cur()) lines.push(stealTrailingWsp(lines));
            lines[lines.length - 1] += encoded;
            continue;
          }
        }
      }
      if (part.t === "list") parts = [...part.items, ...parts];
      else lastEw = foldAsEw(tstr, lines, maxlen, lastEw, ewCombineAllowed(part), charset);
      wantEncoding = false;
      continue;
    }
    if (cpLength(tstr) <= maxlen - cur()) {
      lines[lines.length - 1] += tstr;
      continue;
    }
    // Too long for this line: a syntactic break goes on the next line by itself when it fits there.
    if (cpLength(tstr) + 1 <= maxlen) {
      const nl = stealTrailingWsp(lines);
      if (nl || startsWithFws(part)) {
        lines.push(nl + tstr);
        lastEw = null;
        continue;
      }
    }
    if (part.t === "list") {
      const newparts: Tok[] = [...part.items];
      if (!asEwAllowed(part)) {
        blocked++;
        newparts.push(END_EW_NOT_ALLOWED);
      }
      parts = [...newparts, ...parts];
      continue;
    }
    if (asEwAllowed(part) && !blocked) {
      parts.unshift(part);
      wantEncoding = true;
      continue;
    }
    const nl = stealTrailingWsp(lines);
    if (nl || startsWithFws(part)) lines.push(nl + tstr);
    else lines[lines.length - 1] += tstr;
  }
  return lines.join(linesep) + linesep;
}

function foldAsEw(toEncodeIn: string, lines: string[], maxlen: number, lastEw: number | null, combine: boolean, charset: string): number | null {
  let toEncode = toEncodeIn;
  const last = () => lines[lines.length - 1]!;
  if (!toEncode) throw new TypeError("string index out of range");
  if (lastEw !== null && combine) {
    const cps = [...last()];
    toEncode = str(getUnstructured(cps.slice(lastEw).join("") + toEncode));
    lines[lines.length - 1] = cps.slice(0, lastEw).join("");
  }
  if (inSet(WSP, toEncode[0])) {
    const lead = toEncode[0]!;
    toEncode = toEncode.slice(1);
    if (cpLength(last()) === maxlen) lines.push(stealTrailingWsp(lines));
    lines[lines.length - 1] += lead;
  }
  let trailing = "";
  if (!toEncode) throw new TypeError("string index out of range");
  if (inSet(WSP, toEncode[toEncode.length - 1])) {
    trailing = toEncode[toEncode.length - 1]!;
    toEncode = toEncode.slice(0, -1);
  }
  let newLastEw = lastEw === null ? cpLength(last()) : lastEw;
  const encodeAs = charset === "us-ascii" ? "utf-8" : charset;
  const chrome = encodeAs.length + 7;
  let rest = [...toEncode];
  while (rest.length) {
    const remaining = maxlen - cpLength(last());
    const textSpace = remaining - chrome;
    if (textSpace <= 0) {
      lines.push(" ");
      continue;
    }
    let word = rest.slice(0, textSpace);
    let encoded = encodeEw(word.join(""));
    while (encoded.length - remaining > 0) {
      word = word.slice(0, -1);
      encoded = encodeEw(word.join(""));
    }
    lines[lines.length - 1] += encoded;
    rest = rest.slice(word.length);
    if (rest.length) {
      lines.push(" ");
      newLastEw = cpLength(last());
    }
  }
  lines[lines.length - 1] += trailing;
  return combine ? newLastEw : null;
}
