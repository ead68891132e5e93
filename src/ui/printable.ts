/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC starts the sequences that retitle a terminal,
 * clear the screen or move the cursor; CR rewrites the line), DEL, the C1 controls (U+009B is a one-byte CSI on
 * some terminals) and the bidirectional overrides that reorder what is shown. Tab and line feed are kept.
 */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const CONTROLS_AND_LF = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** The visible form of one control character: \r, \n, \x1b, \u{202e}. */
export function escapeControl(c: string): string {
  if (c === "\r") return "\\r";
  if (c === "\n") return "\\n";
  const n = c.codePointAt(0)!;
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u{${n.toString(16)}}`;
}

/** Text from outside (a server, a file, an argument) made safe to print: every control character written visibly. */
export function printable(text: string): string {
  return text.replace(CONTROLS, escapeControl);
}

/** The same, on one line: line feeds are written as \n too (a value quoted in a one-line error message). */
export function oneLine(text: string): string {
  return text.replace(CONTROLS_AND_LF, escapeControl);
}

/** mailctl's own colours: SGR sequences (ESC [ … m) only, as chalk writes them. */
const SGR_OR_CONTROL = /\x1b\[[0-9;]*m|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The output gate's last defence for a human line: every control character is escaped, except — when this
 * stream is coloured — the SGR colour sequences the theme adds. (Text from outside is escaped where it is
 * rendered, so not even its colour codes pass.)
 */
export function gate(line: string, colour: boolean): string {
  return line.replace(SGR_OR_CONTROL, (m) => (m.length > 1 && colour ? m : escapeControl(m)));
}

/** JSON text with DEL, the C1 controls and the bidi overrides escaped too (JSON.stringify escapes only C0): the same value. */
export function safeJson(text: string): string {
  return text.replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
