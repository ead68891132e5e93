// What Python's email package writes for `msg["From"] = value` on an email.message.EmailMessage (policy.default,
// serialised with email.policy.SMTP as aiosmtplib.email.flatten_message and smtplib.send_message do). Unlike
// compat32, the value is parsed as an address list when it is set and folded from that parse tree, so the
// display name is encoded word by word and the address is left alone. A port of CPython 3.11
// Lib/email/_header_value_parser.py — get_address_list and the functions under it, the token classes' str()
// and their as_ew_allowed / ew_combine_allowed / syntactic_break, _refold_parse_tree, _fold_as_ew and
// get_unstructured — plus _encoded_words.encode/decode and headerregistry BaseHeader.fold. Defects are not
// kept: folding never reads them (only undecodable bytes would, and those make this return null).
// test/unit/send/python-email.test.ts runs python3 on the same values and compares the bytes.
import { TextDecoder } from "node:util";

/** The From field (`name: value`, folded with CRLF, without the final CRLF) as policy.SMTP writes it; null when Python would raise or write undecodable bytes. */
export function defaultPolicyHeader(name: string, value: string): string | null {
  try {
    const tree = getAddressList(value)[0];
    assertPropertiesRead(tree);
    const header = list("Header", "header", [list("HeaderLabel", "header-label", [term(name, "header-name"), term(":", "header-sep")])]);
    if (tree.items.length) header.items.push(list("CFWSList", "cfws", [term(" ", "fws", "ws")]));
    header.items.push(tree);
    const folded = refold(header, 78, "\r\n");
    // policy.SMTP is ASCII only: anything else raises UnicodeEncodeError in fold_binary.
    return /^[\x00-\x7f]*$/.test(folded) ? folded.slice(0, -2) : null;
  } catch (err) {
    if (err instanceof Unsupported || err instanceof ParseError || err instanceof RangeError || err instanceof TypeError) return null;
    throw err;
  }
}

// ---- tokens ---------------------------------------------------------------------------------------------

type TermKind = "value" | "ws" | "ew-ws" | "plain";
interface Term {
  t: "term";
  s: string;
  type: string;
  kind: TermKind;
}
interface List {
  t: "list";
  cls: string;
  type: string;
  items: Tok[];
}
type Tok = Term | List;

const term = (s: string, type: string, kind: TermKind = "value"): Term => ({ t: "term", s, type, kind });
const list = (cls: string, type: string, items: Tok[] = []): List => ({ t: "list", cls, type, items });

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

function str(tok: Tok): string {
  if (tok.t === "term") return tok.kind === "ew-ws" ? "" : tok.s;
  if (tok.cls === "BareQuotedString") return quoteString(tok.items.map(str).join(""));
  if (tok.cls === "Comment") return `(${tok.items.map((x) => (x.t === "list" && x.type === "comment" ? str(x) : str(x).replace(/\\/g, "\\\\").replace(/\(/g, "\\(").replace(/\)/g, "\\)"))).join("")})`;
  return tok.items.map(str).join("");
}

function asEwAllowed(tok: Tok): boolean {
  if (tok.t === "term") return true;
  return EW_FIXED[tok.cls] ?? tok.items.every(asEwAllowed);
}

const ewCombineAllowed = (tok: Tok) => !(tok.t === "list" && tok.cls === "DisplayName");

function startsWithFws(tok: Tok): boolean {
  if (tok.t === "term") return tok.kind === "ws" || tok.kind === "ew-ws";
  const first = tok.items[0];
  if (!first) throw new RangeError("startswith_fws of an empty token list");
  return startsWithFws(first);
}

const quoteString = (v: string) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

class ParseError extends Error {}
/** _InvalidEwError: an encoded word whose format cannot be decoded (a ParseError that get_unstructured tells apart). */
class InvalidEw extends ParseError {}
/** Something Python handles with bytes mailctl cannot reproduce (an unknown charset, undecodable text). */
class Unsupported extends Error {}

// ---- character classes (the module's sets) ---------------------------------------------------------------

const WSP = " \t";
const CFWS_LEADER = " \t(";
const SPECIALS = '()<>@,:;.\\"[]';
const ATOM_ENDS = SPECIALS + WSP;
const PHRASE_ENDS = ')<>@,:;\\[]';
const inSet = (set: string, c: string | undefined) => c !== undefined && c !== "" && set.includes(c);
const NON_ATOM_END = /^[^()<>@,:;.\\"[\] \t]+/;

/** re.split('([ \t]+)', value, 1): [before, ws, rest] or [value]. */
function wspSplit(value: string): string[] {
  const m = /[ \t]+/.exec(value);
  return m ? [value.slice(0, m.index), m[0], value.slice(m.index + m[0].length)] : [value];
}

// ---- the parser ------------------------------------------------------------------------------------------

type R<T = Tok> = [T, string];

function ptextToEndchars(value: string, endchars: string): [string, string] {
  const [fragment, ...rest] = wspSplit(value);
  const f = fragment!;
  const vchars: string[] = [];
  let escape = false;
  let pos = 0;
  let broke = false;
  for (pos = 0; pos < f.length; pos++) {
    if (f[pos] === "\\") {
      if (escape) escape = false;
      else {
        escape = true;
        continue;
      }
    }
    if (escape) escape = false;
    else if (endchars.includes(f[pos]!)) {
      broke = true;
      break;
    }
    vchars.push(f[pos]!);
  }
  if (!f.length) throw new TypeError("empty ptext fragment"); // Python: pos is unbound here
  if (!broke) pos = f.length;
  return [vchars.join(""), [f.slice(pos), ...rest].join("")];
}

function getFws(value: string): R<Term> {
  const rest = value.replace(/^\s+/, "");
  return [term(value.slice(0, value.length - rest.length), "fws", "ws"), rest];
}

function getEncodedWord(value: string): R<List> {
  if (!value.startsWith("=?")) throw new ParseError("expected encoded word");
  const body = value.slice(2);
  const at = body.indexOf("?=");
  if (at < 0) throw new ParseError("expected encoded word");
  let tok = body.slice(0, at);
  let remstr = body.slice(at + 2);
  let rest = remstr;
  if (remstr.length > 1 && /^[0-9a-fA-F]{2}/.test(remstr) && (tok.match(/\?/g) ?? []).length < 2) {
    // The ? after the CTE was followed by an encoded-word escape (=XX).
    const at2 = remstr.indexOf("?=");
    tok = `${tok}?=${at2 < 0 ? remstr : remstr.slice(0, at2)}`;
    rest = at2 < 0 ? "" : remstr.slice(at2 + 2);
  }
  const ew = list("EncodedWord", "encoded-word");
  let text = decodeEw(`=?${tok}?=`);
  while (text) {
    if (inSet(WSP, text[0])) {
      const [t, r] = getFws(text);
      ew.items.push(t);
      text = r;
      continue;
    }
    const [chars, ...more] = wspSplit(text);
    ew.items.push(term(chars!, "vtext"));
    text = more.join("");
  }
  remstr = rest;
  return [ew, remstr];
}

function getQpCtext(value: string): R<Term> {
  const [p, rest] = ptextToEndchars(value, "()");
  return [term(p, "ptext", "ws"), rest];
}

function getQcontent(value: string): R<Term> {
  const [p, rest] = ptextToEndchars(value, '"');
  return [term(p, "ptext"), rest];
}

function getAtext(value: string): R<Term> {
  const m = NON_ATOM_END.exec(value);
  if (!m) throw new ParseError("expected atext");
  return [term(m[0], "atext"), value.slice(m[0].length)];
}

function getBareQuotedString(value: string): R<List> {
  if (value[0] !== '"') throw new ParseError("expected '\"'");
  const bqs = list("BareQuotedString", "bare-quoted-string");
  value = value.slice(1);
  if (value && value[0] === '"') {
    const [t, r] = getQcontent(value);
    bqs.items.push(t);
    value = r;
  }
  while (value && value[0] !== '"') {
    let token: Tok;
    if (inSet(WSP, value[0])) [token, value] = getFws(value);
    else if (value.slice(0, 2) === "=?") {
      let validEw = false;
      try {
        [token, value] = getEncodedWord(value);
        validEw = true;
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
        [token, value] = getQcontent(value);
      }
      // Collapse the whitespace between two encoded words inside a bare quoted string.
      const n = bqs.items.length;
      if (validEw && n > 1 && bqs.items[n - 1]!.type === "fws" && bqs.items[n - 2]!.type === "encoded-word") {
        bqs.items[n - 1] = { ...(bqs.items[n - 1] as Term), kind: "ew-ws" };
      }
    } else [token, value] = getQcontent(value);
    bqs.items.push(token);
  }
  if (!value) return [bqs, value];
  return [bqs, value.slice(1)];
}

function getComment(value: string): R<List> {
  if (value && value[0] !== "(") throw new ParseError("expected '('");
  const comment = list("Comment", "comment");
  value = value.slice(1);
  while (value && value[0] !== ")") {
    let token: Tok;
    if (inSet(WSP, value[0])) [token, value] = getFws(value);
    else if (value[0] === "(") [token, value] = getComment(value);
    else [token, value] = getQpCtext(value);
    comment.items.push(token);
  }
  if (!value) return [comment, value];
  return [comment, value.slice(1)];
}

function getCfws(value: string): R<List> {
  const cfws = list("CFWSList", "cfws");
  while (value && inSet(CFWS_LEADER, value[0])) {
    let token: Tok;
    if (inSet(WSP, value[0])) [token, value] = getFws(value);
    else [token, value] = getComment(value);
    cfws.items.push(token);
  }
  return [cfws, value];
}

function getQuotedString(value: string): R<List> {
  const qs = list("QuotedString", "quoted-string");
  let token: Tok;
  if (value && inSet(CFWS_LEADER, value[0])) {
    [token, value] = getCfws(value);
    qs.items.push(token);
  }
  [token, value] = getBareQuotedString(value);
  qs.items.push(token);
  if (value && inSet(CFWS_LEADER, value[0])) {
    [token, value] = getCfws(value);
    qs.items.push(token);
  }
  return [qs, value];
}

function getAtom(value: string): R<List> {
  const atom = list("Atom", "atom");
  let token: Tok;
  if (value && inSet(CFWS_LEADER, value[0])) {
    [token, value] = getCfws(value);
    atom.items.push(token);
  }
  if (value && inSet(ATOM_ENDS, value[0])) throw new ParseError("expected atom");
  if (value.startsWith("=?")) {
    try {
      [token, value] = getEncodedWord(value);
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      [token, value] = getAtext(value);
    }
  } else [token, value] = getAtext(value);
  atom.items.push(token);
  if (value && inSet(CFWS_LEADER, value[0])) {
    [token, value] = getCfws(value);
    atom.items.push(token);
  }
  return [atom, value];
}

const DOT = term(".", "dot");
const LIST_SEPARATOR = term(",", "list-separator");
const ROUTE_MARKER = term("@", "route-component-marker");

function getDotAtomText(value: string): R<List> {
  const dat = list("DotAtomText", "dot-atom-text");
  if (!value || inSet(ATOM_ENDS, value[0])) throw new ParseError("expected atom at a start of dot-atom-text");
  while (value && !inSet(ATOM_ENDS, value[0])) {
    const [t, r] = getAtext(value);
    dat.items.push(t);
    value = r;
    if (value && value[0] === ".") {
      dat.items.push(DOT);
      value = value.slice(1);
    }
  }
  if (dat.items[dat.items.length - 1] === DOT) throw new ParseError("expected atom at end of dot-atom-text");
  return [dat, value];
}

function getDotAtom(value: string): R<List> {
  const da = list("DotAtom", "dot-atom");
  let token: Tok;
  if (inSet(CFWS_LEADER, value[0])) {
    [token, value] = getCfws(value);
    da.items.push(token);
  }
  if (value.startsWith("=?")) {
    try {
      [token, value] = getEncodedWord(value);
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      [token, value] = getDotAtomText(value);
    }
  } else [token, value] = getDotAtomText(value);
  da.items.push(token);
  if (value && inSet(CFWS_LEADER, value[0])) {
    [token, value] = getCfws(value);
    da.items.push(token);
  }
  return [da, value];
}

function getWord(value: string): R<List> {
  let leader: List | null = null;
  if (inSet(CFWS_LEADER, value[0])) [leader, value] = getCfws(value);
  if (!value) throw new ParseError("Expected 'atom' or 'quoted-string' but found nothing.");
  let token: List;
  if (value[0] === '"') [token, value] = getQuotedString(value);
  else if (inSet(SPECIALS, value[0])) throw new ParseError("Expected 'atom' or 'quoted-string'");
  else [token, value] = getAtom(value);
  if (leader) token.items.unshift(leader);
  return [token, value];
}

function getPhrase(value: string): R<List> {
  const phrase = list("Phrase", "phrase");
  try {
    const [t, r] = getWord(value);
    phrase.items.push(t);
    value = r;
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
  }
  while (value && !inSet(PHRASE_ENDS, value[0])) {
    if (value[0] === ".") {
      phrase.items.push(DOT);
      value = value.slice(1);
    } else {
      let token: Tok;
      try {
        [token, value] = getWord(value);
      } catch (err) {
        if (!(err instanceof ParseError) || !inSet(CFWS_LEADER, value[0])) throw err;
        [token, value] = getCfws(value);
      }
      phrase.items.push(token);
    }
  }
  return [phrase, value];
}

function getLocalPart(value: string): R<List> {
  const lp = list("LocalPart", "local-part");
  let leader: List | null = null;
  if (inSet(CFWS_LEADER, value[0])) [leader, value] = getCfws(value);
  if (!value) throw new ParseError("expected local-part");
  let token: List;
  try {
    [token, value] = getDotAtom(value);
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    try {
      [token, value] = getWord(value);
    } catch (err2) {
      if (!(err2 instanceof ParseError)) throw err2;
      if (value[0] !== "\\" && inSet(PHRASE_ENDS, value[0])) throw err2;
      token = list("TokenList", "");
    }
  }
  if (leader) token.items.unshift(leader);
  lp.items.push(token);
  if (value && (value[0] === "\\" || !inSet(PHRASE_ENDS, value[0]))) {
    const [obs, r] = getObsLocalPart(str(lp) + value);
    lp.items[0] = obs;
    value = r;
  }
  return [lp, value];
}

function getObsLocalPart(value: string): R<List> {
  const olp = list("ObsLocalPart", "obs-local-part");
  while (value && (value[0] === "\\" || !inSet(PHRASE_ENDS, value[0]))) {
    if (value[0] === ".") {
      olp.items.push(DOT);
      value = value.slice(1);
      continue;
    } else if (value[0] === "\\") {
      olp.items.push(term(value[0], "misplaced-special"));
      value = value.slice(1);
      continue;
    }
    let token: Tok;
    try {
      [token, value] = getWord(value);
    } catch (err) {
      if (!(err instanceof ParseError) || !inSet(CFWS_LEADER, value[0])) throw err;
      [token, value] = getCfws(value);
    }
    olp.items.push(token);
  }
  return [olp, value];
}

function getDtext(value: string): R<Term> {
  const [p, rest] = ptextToEndchars(value, "[]");
  return [term(p, "ptext"), rest];
}

function getDomainLiteral(value: string): R<List> {
  const dl = list("DomainLiteral", "domain-literal");
  let token: Tok;
  if (inSet(CFWS_LEADER, value[0])) {
    [token, value] = getCfws(value);
    dl.items.push(token);
  }
  if (!value) throw new ParseError("expected domain-literal");
  if (value[0] !== "[") throw new ParseError("expected '['");
  value = value.slice(1);
  const early = () => {
    if (value) return false;
    dl.items.push(term("]", "domain-literal-end"));
    return true;
  };
  if (early()) return [dl, value];
  dl.items.push(term("[", "domain-literal-start"));
  if (inSet(WSP, value[0])) {
    [token, value] = getFws(value);
    dl.items.push(token);
  }
  [token, value] = getDtext(value);
  dl.items.push(token);
  if (early()) return [dl, value];
  if (inSet(WSP, value[0])) {
    [token, value] = getFws(value);
    dl.items.push(token);
  }
  if (early()) return [dl, value];
  if (value[0] !== "]") throw new ParseError("expected ']'");
  dl.items.push(term("]", "domain-literal-end"));
  value = value.slice(1);
  if (value && inSet(CFWS_LEADER, value[0])) {
    [token, value] = getCfws(value);
    dl.items.push(token);
  }
  return [dl, value];
}

function getDomain(value: string): R<List> {
  const domain = list("Domain", "domain");
  if (!value) throw new TypeError("string index out of range"); // "a@": Python raises IndexError
  let leader: List | null = null;
  if (inSet(CFWS_LEADER, value[0])) [leader, value] = getCfws(value);
  if (!value) throw new ParseError("expected domain");
  let token: List;
  if (value[0] === "[") {
    [token, value] = getDomainLiteral(value);
    if (leader) token.items.unshift(leader);
    domain.items.push(token);
    return [domain, value];
  }
  try {
    [token, value] = getDotAtom(value);
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    [token, value] = getAtom(value);
  }
  if (value && value[0] === "@") throw new ParseError("Invalid Domain");
  if (leader) token.items.unshift(leader);
  domain.items.push(token);
  if (value && value[0] === ".") {
    if (domain.items[0]!.type === "dot-atom") domain.items = [...(domain.items[0] as List).items];
    while (value && value[0] === ".") {
      domain.items.push(DOT);
      [token, value] = getAtom(value.slice(1));
      domain.items.push(token);
    }
  }
  return [domain, value];
}

function getAddrSpec(value: string): R<List> {
  const as = list("AddrSpec", "addr-spec");
  let token: Tok;
  [token, value] = getLocalPart(value);
  as.items.push(token);
  if (!value || value[0] !== "@") return [as, value];
  as.items.push(term("@", "address-at-symbol"));
  [token, value] = getDomain(value.slice(1));
  as.items.push(token);
  return [as, value];
}

function getObsRoute(value: string): R<List> {
  const route = list("ObsRoute", "obs-route");
  let token: Tok;
  while (value && (value[0] === "," || inSet(CFWS_LEADER, value[0]))) {
    if (inSet(CFWS_LEADER, value[0])) {
      [token, value] = getCfws(value);
      route.items.push(token);
    } else if (value[0] === ",") {
      route.items.push(LIST_SEPARATOR);
      value = value.slice(1);
    }
  }
  if (!value || value[0] !== "@") throw new ParseError("expected obs-route domain");
  route.items.push(ROUTE_MARKER);
  [token, value] = getDomain(value.slice(1));
  route.items.push(token);
  while (value && value[0] === ",") {
    route.items.push(LIST_SEPARATOR);
    value = value.slice(1);
    if (!value) break;
    if (inSet(CFWS_LEADER, value[0])) {
      [token, value] = getCfws(value);
      route.items.push(token);
    }
    if (value[0] === "@") {
      route.items.push(ROUTE_MARKER);
      [token, value] = getDomain(value.slice(1));
      route.items.push(token);
    }
  }
  if (!value) throw new ParseError("end of header while parsing obs-route");
  if (value[0] !== ":") throw new ParseError("expected ':' marking end of obs-route");
  route.items.push(term(":", "end-of-obs-route-marker"));
  return [route, value.slice(1)];
}

function getAngleAddr(value: string): R<List> {
  const aa = list("AngleAddr", "angle-addr");
  let token: Tok;
  if (inSet(CFWS_LEADER, value[0])) {
    [token, value] = getCfws(value);
    aa.items.push(token);
  }
  if (!value || value[0] !== "<") throw new ParseError("expected angle-addr");
  aa.items.push(term("<", "angle-addr-start"));
  value = value.slice(1);
  if (value[0] === ">") {
    aa.items.push(term(">", "angle-addr-end"));
    return [aa, value.slice(1)];
  }
  if (value[0] === undefined) throw new TypeError("string index out of range"); // Python: IndexError
  try {
    [token, value] = getAddrSpec(value);
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    try {
      [token, value] = getObsRoute(value);
    } catch (err2) {
      if (!(err2 instanceof ParseError)) throw err2;
      throw new ParseError("expected addr-spec or obs-route");
    }
    aa.items.push(token);
    [token, value] = getAddrSpec(value);
  }
  aa.items.push(token);
  if (value && value[0] === ">") value = value.slice(1);
  aa.items.push(term(">", "angle-addr-end"));
  if (value && inSet(CFWS_LEADER, value[0])) {
    [token, value] = getCfws(value);
    aa.items.push(token);
  }
  return [aa, value];
}

function getDisplayName(value: string): R<List> {
  const [phrase, rest] = getPhrase(value);
  return [list("DisplayName", "display-name", [...phrase.items]), rest];
}

function getNameAddr(value: string): R<List> {
  const na = list("NameAddr", "name-addr");
  let leader: List | null = null;
  if (inSet(CFWS_LEADER, value[0])) {
    [leader, value] = getCfws(value);
    if (!value) throw new ParseError("expected name-addr");
  }
  let token: List;
  if (value[0] !== "<") {
    if (inSet(PHRASE_ENDS, value[0])) throw new ParseError("expected name-addr");
    [token, value] = getDisplayName(value);
    if (!value) throw new ParseError("expected name-addr");
    if (leader) {
      const first = token.items[0];
      if (!first || first.t !== "list") throw new TypeError("'Terminal' object does not support item assignment");
      first.items.unshift(leader);
      leader = null;
    }
    na.items.push(token);
  }
  [token, value] = getAngleAddr(value);
  if (leader) token.items.unshift(leader);
  na.items.push(token);
  return [na, value];
}

function getMailbox(value: string): R<List> {
  const mb = list("Mailbox", "mailbox");
  let token: List;
  try {
    [token, value] = getNameAddr(value);
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    try {
      [token, value] = getAddrSpec(value);
    } catch (err2) {
      if (!(err2 instanceof ParseError)) throw err2;
      throw new ParseError("expected mailbox");
    }
  }
  mb.items.push(token);
  return [mb, value];
}

function getInvalidMailbox(value: string, endchars: string): R<List> {
  const im = list("InvalidMailbox", "invalid-mailbox");
  while (value && !endchars.includes(value[0]!)) {
    if (inSet(PHRASE_ENDS, value[0])) {
      im.items.push(term(value[0]!, "misplaced-special"));
      value = value.slice(1);
    } else {
      const [t, r] = getPhrase(value);
      im.items.push(t);
      value = r;
    }
  }
  return [im, value];
}

function getMailboxList(value: string): R<List> {
  const ml = list("MailboxList", "mailbox-list");
  while (value && value[0] !== ";") {
    try {
      const [t, r] = getMailbox(value);
      ml.items.push(t);
      value = r;
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      if (inSet(CFWS_LEADER, value[0])) {
        const [leader, r] = getCfws(value);
        value = r;
        if (!value || ",;".includes(value[0]!)) ml.items.push(leader);
        else {
          const [t, r2] = getInvalidMailbox(value, ",;");
          t.items.unshift(leader);
          ml.items.push(t);
          value = r2;
        }
      } else if (value[0] !== ",") {
        const [t, r] = getInvalidMailbox(value, ",;");
        ml.items.push(t);
        value = r;
      }
    }
    if (value && !",;".includes(value[0]!)) {
      const mailbox = ml.items[ml.items.length - 1] as List;
      const [t, r] = getInvalidMailbox(value, ",;");
      mailbox.items.push(...t.items);
      value = r;
    }
    if (value && value[0] === ",") {
      ml.items.push(LIST_SEPARATOR);
      value = value.slice(1);
    }
  }
  return [ml, value];
}

function getGroupList(value: string): R<List> {
  const gl = list("GroupList", "group-list");
  if (!value) return [gl, value];
  let leader: List | null = null;
  if (value && inSet(CFWS_LEADER, value[0])) {
    [leader, value] = getCfws(value);
    if (!value || value[0] === ";") {
      gl.items.push(leader);
      return [gl, value];
    }
  }
  const [token, rest] = getMailboxList(value);
  value = rest;
  if (allMailboxes(token) === 0) {
    if (leader) gl.items.push(leader);
    gl.items.push(...token.items);
    return [gl, value];
  }
  if (leader) token.items.unshift(leader);
  gl.items.push(token);
  return [gl, value];
}

const allMailboxes = (ml: List) => ml.items.filter((x) => x.type === "mailbox" || x.type === "invalid-mailbox").length;

function getGroup(value: string): R<List> {
  const group = list("Group", "group");
  let token: Tok;
  [token, value] = getDisplayName(value);
  if (!value || value[0] !== ":") throw new ParseError("expected ':' at end of group display name");
  group.items.push(token, term(":", "group-display-name-terminator"));
  value = value.slice(1);
  if (value && value[0] === ";") {
    group.items.push(term(";", "group-terminator"));
    return [group, value.slice(1)];
  }
  [token, value] = getGroupList(value);
  group.items.push(token);
  if (value && value[0] !== ";") throw new ParseError("expected ';' at end of group");
  group.items.push(term(";", "group-terminator"));
  value = value.slice(1);
  if (value && inSet(CFWS_LEADER, value[0])) {
    [token, value] = getCfws(value);
    group.items.push(token);
  }
  return [group, value];
}

function getAddress(value: string): R<List> {
  const address = list("Address", "address");
  let token: List;
  try {
    [token, value] = getGroup(value);
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    try {
      [token, value] = getMailbox(value);
    } catch (err2) {
      if (!(err2 instanceof ParseError)) throw err2;
      throw new ParseError("expected address");
    }
  }
  address.items.push(token);
  return [address, value];
}

function getAddressList(value: string): R<List> {
  const al = list("AddressList", "address-list");
  while (value) {
    try {
      const [t, r] = getAddress(value);
      al.items.push(t);
      value = r;
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      if (inSet(CFWS_LEADER, value[0])) {
        const [leader, r] = getCfws(value);
        value = r;
        if (!value || value[0] === ",") al.items.push(leader);
        else {
          const [t, r2] = getInvalidMailbox(value, ",");
          t.items.unshift(leader);
          al.items.push(list("Address", "address", [t]));
          value = r2;
        }
      } else if (value[0] !== ",") {
        const [t, r] = getInvalidMailbox(value, ",");
        al.items.push(list("Address", "address", [t]));
        value = r;
      }
    }
    if (value && value[0] !== ",") {
      const last = al.items[al.items.length - 1];
      if (!last || last.t !== "list" || !last.items[0] || last.items[0].t !== "list") throw new TypeError("no mailbox to extend");
      const [t, r] = getInvalidMailbox(value, ",");
      last.items[0].items.push(...t.items);
      value = r;
    }
    if (value) {
      al.items.push(term(",", "list-separator"));
      value = value.slice(1);
    }
  }
  return [al, value];
}

function getUnstructured(value: string): List {
  const u = list("UnstructuredTokenList", "unstructured");
  while (value) {
    if (inSet(WSP, value[0])) {
      const [t, r] = getFws(value);
      u.items.push(t);
      value = r;
      continue;
    }
    let validEw = true;
    if (value.startsWith("=?")) {
      try {
        const [t, r] = getEncodedWord(value);
        const n = u.items.length;
        const haveWs = !(n > 0 && u.items[n - 1]!.type !== "fws");
        if (haveWs && n > 1 && u.items[n - 2]!.type === "encoded-word") u.items[n - 1] = { ...(u.items[n - 1] as Term), kind: "ew-ws" };
        u.items.push(t);
        value = r;
        continue;
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
        if (err instanceof InvalidEw) validEw = false;
      }
    }
    let [tok, ...rest] = wspSplit(value);
    // Split in the middle of an atom at an encoded word without whitespace before it (only for a valid one:
    // on an invalid one Python would loop forever, so it does not split).
    if (validEw && /=\?[^?]*\?[qQbB]\?.*?\?=/m.test(tok!)) {
      const at = value.indexOf("=?");
      [tok, rest] = [value.slice(0, at), [value.slice(at)]];
    }
    u.items.push(term(tok!, "vtext"));
    value = rest.join("");
  }
  return u;
}

/**
 * AddressHeader.parse reads display_name, local_part and domain of every mailbox to build its Address objects,
 * and those properties raise on some trees: a display name that starts or ends with a bare "." (".Name <a@b>"
 * raises AttributeError), or an empty token inside a local part (IndexError). Then `msg["From"] = value` raises.
 */
function assertPropertiesRead(tree: List): void {
  const visit = (t: Tok): void => {
    if (t.t !== "list") return;
    if (t.cls === "DisplayName" && t.items.length) {
      for (const end of [t.items[0]!, t.items[t.items.length - 1]!]) {
        if (end.t === "term" || (end.type !== "cfws" && end.items.length === 0)) throw new TypeError("display_name of an odd display name");
      }
    }
    if (t.cls === "LocalPart") {
      const inner = t.items[0];
      if (inner && inner.t === "list" && inner.items.some((x) => x.t === "list" && x.items.length === 0)) throw new TypeError("local_part with an empty token");
    }
    t.items.forEach(visit);
  };
  visit(tree);
}

// ---- RFC 2047 encoded words (_encoded_words.py) -----------------------------------------------------------

const Q_SAFE = /^[-!*+/A-Za-z0-9]$/;
function qEncode(bytes: Buffer): string {
  let s = "";
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    s += Q_SAFE.test(c) ? c : c === " " ? "_" : `=${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return s;
}

/** encode(): the shorter CTE, with q preferred unless it is five or more characters longer. */
function encodeEw(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  const q = qEncode(bytes);
  const b = bytes.toString("base64");
  return q.length - b.length < 5 ? `=?utf-8?q?${q}?=` : `=?utf-8?b?${b}?=`;
}

/** decode(): the text of an encoded word, or Unsupported when Python would keep undecodable bytes. */
function decodeEw(ew: string): string {
  const parts = ew.split("?");
  if (parts.length !== 5) throw new InvalidEw("encoded word format invalid");
  const [, cs, cteRaw, payload] = parts as [string, string, string, string];
  const charset = cs.split("*")[0]!;
  const cte = cteRaw.toLowerCase();
  let bytes: Buffer;
  if (cte === "q") bytes = Buffer.from(payload.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1");
  else if (cte === "b") {
    // Python pads a short payload and, failing that, decodes leniently; only clean base64 is reproduced here.
    const padded = payload + "===".slice(0, (4 - (payload.length % 4)) % 4);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(padded)) throw new Unsupported("base64 payload Python decodes leniently");
    bytes = Buffer.from(padded, "base64");
  } else throw new InvalidEw("encoded word format invalid"); // KeyError in _cte_decoders
  const label = charset.toLowerCase().replace(/_/g, "-");
  // WHATWG decodes "us-ascii" and "iso-8859-1" as windows-1252; Python's codecs do not.
  if (/^(us-)?ascii$/.test(label)) {
    if (bytes.some((b) => b > 0x7f)) throw new Unsupported("non-ASCII bytes labelled ASCII");
    return bytes.toString("latin1");
  }
  if (/^(iso-?8859-1|latin-?1|l1)$/.test(label)) return bytes.toString("latin1");
  try {
    return new TextDecoder(charset, { fatal: true }).decode(bytes);
  } catch {
    throw new Unsupported(`charset ${charset}`);
  }
}

// ---- folding ---------------------------------------------------------------------------------------------

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

function refold(tree: List, maxlen: number, linesep: string): string {
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
