// The parse tree of _header_value_parser.py: terminals and token lists with the class-dependent behaviour
// folding reads (str(), as_ew_allowed, ew_combine_allowed, startswith_fws), the module's character sets and errors.

type TermKind = "value" | "ws" | "ew-ws" | "plain";
/** A terminal of the parse tree (_header_value_parser's Terminal classes): its text, token type and how str() and folding treat it. */
export interface Term {
  t: "term";
  s: string;
  type: string;
  kind: TermKind;
}
/** A TokenList subclass: `cls` names the Python class (its as_ew_allowed and str() depend on it). */
export interface List {
  t: "list";
  cls: string;
  type: string;
  items: Tok[];
}
/** A node of the parse tree. */
export type Tok = Term | List;

/** A terminal (ValueTerminal, WhiteSpaceTerminal, EWWhiteSpaceTerminal). */
export const term = (s: string, type: string, kind: TermKind = "value"): Term => ({ t: "term", s, type, kind });
/** A token list of class `cls`. */
export const list = (cls: string, type: string, items: Tok[] = []): List => ({ t: "list", cls, type, items });

// Classes whose as_ew_allowed is fixed (False, or DotAtomText's True); every other list asks its children.
const EW_FIXED: Record<string, boolean> = {
  Domain: false,
  AddrSpec: false,
  LocalPart: false,
  ObsLocalPart: false,
  DomainLiteral: false,
  HeaderLabel: false,
  NoFoldLiteral: false,
  DotAtomText: true,
};

/** str(token): the text the token stands for. */
export function str(tok: Tok): string {
  if (tok.t === "term") return tok.kind === "ew-ws" ? "" : tok.s;
  if (tok.cls === "BareQuotedString") return quoteString(tok.items.map(str).join(""));
  if (tok.cls === "Comment") return `(${tok.items.map((x) => (x.t === "list" && x.type === "comment" ? str(x) : str(x).replace(/\\/g, "\\\\").replace(/\(/g, "\\(").replace(/\)/g, "\\)"))).join("")})`;
  return tok.items.map(str).join("");
}

/** as_ew_allowed: may this token be written as an encoded word? */
export function asEwAllowed(tok: Tok): boolean {
  if (tok.t === "term") return true;
  return EW_FIXED[tok.cls] ?? tok.items.every(asEwAllowed);
}

/** ew_combine_allowed: False for a DisplayName only. */
export const ewCombineAllowed = (tok: Tok) => !(tok.t === "list" && tok.cls === "DisplayName");

/** startswith_fws(). */
export function startsWithFws(tok: Tok): boolean {
  if (tok.t === "term") return tok.kind === "ws" || tok.kind === "ew-ws";
  const first = tok.items[0];
  if (!first) throw new RangeError("startswith_fws of an empty token list");
  return startsWithFws(first);
}

const quoteString = (v: string) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** HeaderParseError. */
export class ParseError extends Error {}
/** _InvalidEwError: an encoded word whose format cannot be decoded (a ParseError that get_unstructured tells apart). */
export class InvalidEw extends ParseError {}
/** Something Python handles with bytes mailctl cannot reproduce (an unknown charset, undecodable text). */
export class Unsupported extends Error {}

// ---- character classes (the module's sets) ---------------------------------------------------------------

/** The module's WSP set. */
export const WSP = " \t";
/** CFWS_LEADER. */
export const CFWS_LEADER = " \t(";
/** SPECIALS (RFC 5322 §3.2.3). */
export const SPECIALS = '()<>@,:;.\\"[]';
/** ATOM_ENDS. */
export const ATOM_ENDS = SPECIALS + WSP;
/** PHRASE_ENDS. */
export const PHRASE_ENDS = ')<>@,:;\\[]';
/** `c in SET` for one character (never true for the empty string, unlike Python's `"" in s`). */
export const inSet = (set: string, c: string | undefined) => c !== undefined && c !== "" && set.includes(c);
/** _non_atom_end_matcher. */
export const NON_ATOM_END = /^[^()<>@,:;.\\"[\] \t]+/;

/** re.split('([ \t]+)', value, 1): [before, ws, rest] or [value]. */
export function wspSplit(value: string): string[] {
  const m = /[ \t]+/.exec(value);
  return m ? [value.slice(0, m.index), m[0], value.slice(m.index + m[0].length)] : [value];
}

/** What every get_* function returns: the token and the rest of the value. */
export type R<T = Tok> = [T, string];

/** DOT. */
export const DOT = term(".", "dot");
/** ListSeparator. */
export const LIST_SEPARATOR = term(",", "list-separator");
/** RouteComponentMarker. */
export const ROUTE_MARKER = term("@", "route-component-marker");
