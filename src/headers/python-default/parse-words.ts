// The lexical half of _header_value_parser.py: FWS, comments, CFWS, quoted strings, atoms, dot-atoms, words,
// phrases (RFC 5322 §3.2) and encoded words in them (RFC 2047), plus get_unstructured, which folding uses.
import { ATOM_ENDS, CFWS_LEADER, DOT, inSet, InvalidEw, type List, list, NON_ATOM_END, ParseError, PHRASE_ENDS, type R, SPECIALS, type Term, term, type Tok, WSP, wspSplit } from "./tokens.js";
import { decodeEw } from "./encoded-words.js";

/** _get_ptext_to_endchars. */
export function ptextToEndchars(value: string, endchars: string): [string, string] {
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

/** get_fws. */
export function getFws(value: string): R<Term> {
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

/** get_cfws: CFWS (RFC 5322 §3.2.2). */
export function getCfws(value: string): R<List> {
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

/** get_atom: atom = [CFWS] 1*atext [CFWS]. */
export function getAtom(value: string): R<List> {
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

/** get_dot_atom. */
export function getDotAtom(value: string): R<List> {
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

/** get_word: atom or quoted-string. */
export function getWord(value: string): R<List> {
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

/** get_phrase: 1*word / obs-phrase. */
export function getPhrase(value: string): R<List> {
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

/** get_unstructured: an unstructured value, encoded words decoded. */
export function getUnstructured(value: string): List {
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
