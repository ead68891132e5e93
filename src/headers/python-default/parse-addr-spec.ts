// The addr-spec half of RFC 5322 §3.4.1 as _header_value_parser.py parses it: local-part (with obs-local-part),
// domain and domain-literal, addr-spec, obs-route and angle-addr.
import { CFWS_LEADER, DOT, inSet, type List, list, LIST_SEPARATOR, ParseError, PHRASE_ENDS, type R, ROUTE_MARKER, str, term, type Term, type Tok, WSP } from "./tokens.js";
import { getAtom, getCfws, getDotAtom, getFws, getWord, ptextToEndchars } from "./parse-words.js";

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

/** get_addr_spec: local-part "@" domain. */
export function getAddrSpec(value: string): R<List> {
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

/** get_angle_addr: "<" addr-spec ">", with an obs-route allowed before the addr-spec. */
export function getAngleAddr(value: string): R<List> {
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
