// Mailboxes and address lists as _header_value_parser.py parses them: display-name, name-addr, mailbox, invalid
// mailboxes, mailbox-list, group and address-list (RFC 5322 §3.4), and the property reads AddressHeader.parse makes of the tree.
import { CFWS_LEADER, inSet, type List, list, LIST_SEPARATOR, ParseError, PHRASE_ENDS, type R, term, type Tok } from "./tokens.js";
import { getCfws, getPhrase } from "./parse-words.js";
import { getAddrSpec, getAngleAddr } from "./parse-addr-spec.js";

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

/** get_address_list: address-list (RFC 5322 §3.4), as `msg["From"] = value` parses it. */
export function getAddressList(value: string): R<List> {
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

/**
 * AddressHeader.parse reads display_name, local_part and domain of every mailbox to build its Address objects,
 * and those properties raise on some trees: a display name that starts or ends with a bare "." (".Name <a@b>"
 * raises AttributeError), or an empty token inside a local part (IndexError). Then `msg["From"] = value` raises.
 */
export function assertPropertiesRead(tree: List): void {
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
