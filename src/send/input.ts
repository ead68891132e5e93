import path from "node:path";
import type { Target } from "../config/target.js";
import { usageError } from "../errors.js";
import { INPUT_LIMITS, readInput, readStdin } from "../fs/read-input.js";
import type { Io } from "../io.js";
import { parseMailbox, parseMailboxList, type Mailbox } from "./address.js";
import { checkAttachments, DEFAULT_MAX_ATTACHMENT_BYTES, parseAttachSpec } from "./attachments.js";
import { assertOneLine, parseHeader, parseMessageId, parseReferences } from "./headers.js";
import type { MessageInput } from "./message.js";
import { parseVarFlags, readVarsFile, renderTemplate, type Vars } from "./template.js";

/** send's message flags as commander parses them. */
export interface MessageFlags {
  from?: string;
  to?: string[];
  cc?: string[];
  bcc?: string[];
  replyTo?: string[];
  subject?: string;
  text?: string;
  textFile?: string;
  html?: string;
  htmlFile?: string;
  template?: string;
  var?: string[];
  vars?: string;
  attach?: string[];
  attachRoot?: string;
  maxAttachmentSize?: number;
  allowType?: string[];
  header?: string[];
  inReplyTo?: string;
  references?: string[];
  priority?: "high" | "normal" | "low";
  messageId?: string;
}

/**
 * The sender: --from, else MAILCTL_FROM, else the profile's from (and fromName). Never guessed from the
 * user name: a wrong From is what strict providers reject (553 "not owned", QQ's 550).
 */
export function resolveSender(flag: string | undefined, env: NodeJS.ProcessEnv, target: Target | null): Mailbox {
  if (flag) return parseMailbox(flag, "--from");
  if (env.MAILCTL_FROM) return parseMailbox(env.MAILCTL_FROM, "MAILCTL_FROM");
  if (target?.from) {
    const box = parseMailbox(target.from, "from");
    if (target.fromName && !box.name) box.name = assertOneLine(target.fromName, "fromName");
    return box;
  }
  throw usageError("no sender: pass --from <address> (or set MAILCTL_FROM)");
}

/** Reads a body file (bounded, see INPUT_LIMITS), or stdin for "-". */
async function readBodyFile(file: string, flag: string, cwd: string, io: Io): Promise<string> {
  if (file === "-") return readStdinBody(io);
  return readInput(path.resolve(cwd, file), { label: `${flag} ${file}`, max: INPUT_LIMITS.body, what: "a message body" });
}

/** All of stdin, at most a message body's limit. */
function readStdinBody(io: Io): Promise<string> {
  return readStdin(io.stdin, { max: INPUT_LIMITS.body, what: "a message body" });
}

/** One body source at most per part; a second is a usage error naming both. */
function one(flags: [string, unknown][], part: string): void {
  const given = flags.filter(([, v]) => v !== undefined).map(([k]) => k);
  if (given.length > 1) throw usageError(`${given.join(" and ")} both give the ${part} body; pass one`);
}

/** The text and HTML bodies and the template's subject, from flags, files, the template or stdin. */
async function bodies(f: MessageFlags, cwd: string, io: Io): Promise<{ text?: string; html?: string; subject?: string }> {
  if ((f.var?.length || f.vars) && !f.template) throw usageError("--var and --vars fill a --template; no --template given");
  let vars: Vars = {};
  if (f.vars) vars = await readVarsFile(f.vars, cwd);
  vars = { ...vars, ...parseVarFlags(f.var) };
  const tpl = f.template ? await renderTemplate(f.template, vars, cwd) : undefined;
  if (f.textFile === "-" && f.htmlFile === "-") throw usageError("--text-file - and --html-file - cannot both read stdin");
  one([["--text", f.text], ["--text-file", f.textFile], ["--template", tpl && !tpl.html ? f.template : undefined]], "text");
  one([["--html", f.html], ["--html-file", f.htmlFile], ["--template", tpl?.html ? f.template : undefined]], "HTML");
  const out: { text?: string; html?: string; subject?: string } = {};
  if (tpl?.subject !== undefined) out.subject = tpl.subject;
  const text = f.text ?? (f.textFile !== undefined ? await readBodyFile(f.textFile, "--text-file", cwd, io) : tpl && !tpl.html ? tpl.body : undefined);
  const html = f.html ?? (f.htmlFile !== undefined ? await readBodyFile(f.htmlFile, "--html-file", cwd, io) : tpl?.html ? tpl.body : undefined);
  if (text !== undefined) out.text = text;
  if (html !== undefined) out.html = html;
  if (text === undefined && html === undefined) {
    // stdin only when nothing else gives a body, and never from a terminal: a script must not hang on a prompt.
    if (io.stdin.isTTY) throw usageError("no message body: pass --text, --text-file, --html, --html-file or --template, or pipe the body on stdin");
    out.text = await readStdinBody(io);
  }
  return out;
}

/** Validates every message flag and reads every input file; throws 64/65/66/77 before anything connects. */
export async function messageInput(f: MessageFlags, sender: Mailbox, target: Target | null, cwd: string, io: Io): Promise<MessageInput> {
  const to = parseMailboxList(f.to, "--to");
  const cc = parseMailboxList(f.cc, "--cc");
  const bcc = parseMailboxList(f.bcc, "--bcc");
  if (to.length + cc.length + bcc.length === 0) throw usageError("no recipients: pass --to (or --cc / --bcc)");
  const replyTo = parseMailboxList(f.replyTo, "--reply-to");
  const headers = (f.header ?? []).map(parseHeader);
  const inReplyTo = f.inReplyTo !== undefined ? parseMessageId(f.inReplyTo, "--in-reply-to") : undefined;
  const references = parseReferences(f.references ?? []);
  const messageId = f.messageId !== undefined ? parseMessageId(f.messageId, "--message-id") : undefined;
  if (f.subject !== undefined) assertOneLine(f.subject, "--subject");
  const specs = (f.attach ?? []).map(parseAttachSpec);
  const body = await bodies(f, cwd, io);
  const subject = f.subject ?? body.subject;
  if (subject === undefined) throw usageError("no subject: pass --subject, or a --template with `subject:` in its front matter");
  assertOneLine(subject, f.subject !== undefined ? "--subject" : `the subject of ${f.template}`);
  const attachments = await checkAttachments(
    specs,
    {
      maxBytes: f.maxAttachmentSize ?? DEFAULT_MAX_ATTACHMENT_BYTES,
      allowTypes: (f.allowType ?? []).flatMap((t) => t.split(",")).map((t) => t.trim()).filter(Boolean),
      ...(f.attachRoot ? { root: f.attachRoot } : {}),
    },
    cwd,
  );
  const input: MessageInput = { from: sender, to, cc, bcc, replyTo, subject, attachments, headers, references };
  if (target?.fromFormat) input.fromFormat = target.fromFormat;
  if (body.text !== undefined) input.text = body.text;
  if (body.html !== undefined) input.html = body.html;
  if (inReplyTo) input.inReplyTo = inReplyTo;
  if (f.priority) input.priority = f.priority;
  if (messageId) input.messageId = messageId;
  return input;
}
