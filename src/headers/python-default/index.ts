// What Python's email package writes for `msg["From"] = value` on an email.message.EmailMessage (policy.default,
// serialised with email.policy.SMTP as aiosmtplib.email.flatten_message and smtplib.send_message do). Unlike
// compat32, the value is parsed as an address list when it is set and folded from that parse tree, so the
// display name is encoded word by word and the address is left alone. A port of CPython 3.11
// Lib/email/_header_value_parser.py — get_address_list and the functions under it, the token classes' str()
// and their as_ew_allowed / ew_combine_allowed / syntactic_break, _refold_parse_tree, _fold_as_ew and
// get_unstructured — plus _encoded_words.encode/decode and headerregistry BaseHeader.fold. Defects are not
// kept: folding never reads them (only undecodable bytes would, and those make this return null).
// test/unit/headers/python-email.test.ts runs python3 on the same values and compares the bytes.
// The files follow the Python module: tokens.ts (the parse tree), parse-words.ts, parse-addr-spec.ts and
// parse-address.ts (the parser, bottom up), encoded-words.ts (_encoded_words.py), fold.ts (the folding).
import { list, ParseError, term, Unsupported } from "./tokens.js";
import { assertPropertiesRead, getAddressList } from "./parse-address.js";
import { refold } from "./fold.js";

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
