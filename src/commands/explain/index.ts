import type { Command } from "commander";
import type { Ctx, Execute, Outcome } from "../command.js";
import { addOptions, jsonOption } from "../options.js";
import { usageError } from "../../errors.js";
import { INPUT_LIMITS, readStdin } from "../../fs/read-input.js";
import { renderExplain } from "./render.js";
import type { ExplainResult } from "./result.js";

/** explain's options. */
export interface ExplainOptions {
  json?: boolean;
  provider?: string;
}

/** Diagnoses an error line from another program's log, without connecting. */
export async function run(text: string, opts: ExplainOptions, _ctx: Ctx): Promise<Outcome<ExplainResult>> {
  const input = text.trim();
  if (!input) throw usageError("nothing to explain: pass the error text as an argument or on stdin");
  // Binary data can match a rule by accident ("Rbl" somewhere in random bytes): it is "not recognised", never a guess.
  if (isBinary(input)) {
    return { category: "data", data: { ok: false, recognised: false, binary: true, input: `(${Buffer.byteLength(input)} bytes of binary data)`, target: { host: null, port: null, tls: null }, provider: null, diagnoses: [], suggestion: null } };
  }
  const [{ fromText }, { diagnose, categoryOfDiagnosis }, { providerByName, providerFromText }] = await Promise.all([
    import("../../diagnose/evidence.js"),
    import("../../diagnose/diagnose.js"),
    import("../../diagnose/providers.js"),
  ]);
  const e = fromText(input);
  const provider = opts.provider ? providerByName(opts.provider) : providerFromText(e.text, e.host);
  if (opts.provider && !provider) throw usageError(`unknown provider "${opts.provider}" (see mailctl presets)`);
  const d = diagnose(e, { provider });
  const data: ExplainResult = {
    ok: false,
    recognised: d !== null,
    binary: false,
    input,
    target: { host: e.host ?? null, port: e.port ?? null, tls: null },
    provider: provider?.name ?? null,
    diagnoses: d ? [d] : [],
    suggestion: null,
  };
  // Recognised: the exit code says what kind of failure it was, as doctor's would; not recognised: 65.
  return { category: d ? categoryOfDiagnosis(d) : "data", data };
}

/**
 * True for data that is not text: a NUL byte, or more than a tenth of it control characters and bytes that are
 * not UTF-8. Log lines have a few at most (a colour code, a mojibake character).
 */
export function isBinary(text: string): boolean {
  if (text.includes("\u0000")) return true;
  const odd = text.match(/[\u0001-\u0008\u000e-\u001a\u001c-\u001f\u007f\ufffd]/g)?.length ?? 0;
  return odd > text.length / 10;
}

/** Reads stdin (when it is not a terminal), at most a log excerpt's worth (INPUT_LIMITS.explain). */
async function readText(stdin: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<string> {
  if (stdin.isTTY) return "";
  return readStdin(stdin, { max: INPUT_LIMITS.explain, what: "an error text to explain (pass the lines around the error, not a whole log)" });
}

/** Declares `explain`. */
export function register(cmd: Command, execute: Execute): Command {
  cmd
    .description(
      "Explain an SMTP error printed by another program (Python smtplib/aiosmtplib, nodemailer, PHPMailer, JavaMail,\n" +
        "Go net/smtp, .NET, msmtp, swaks…): the cause, in plain words, and the fix. Nothing is sent anywhere.\n" +
        "The text comes from the argument, or from stdin. The exit code is the one doctor would give for that cause;\n" +
        "text mailctl cannot place exits 65 with \"not recognised\".",
    )
    .argument("[text...]", "the error text (quote it)")
    .option("--provider <name>", "the provider, when the text does not name it (e.g. gmail, qq, office365)");
  addOptions(cmd, [jsonOption()]);
  cmd.addHelpText(
    "after",
    `
Examples:
  $ mailctl explain "Error connecting to smtp.qq.com on port 465: Unexpected EOF received"
  $ mailctl explain "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)"
  $ mailctl explain --provider qq "(502, 'Invalid paramenters', '')"
  $ grep -i smtp app.log | tail -1 | mailctl explain --json`,
  );
  cmd.action(async (words: string[], opts: ExplainOptions) => {
    await execute(opts, async (ctx) => run(words.length ? words.join(" ") : await readText(ctx.io.stdin), opts, ctx), renderExplain);
  });
  return cmd;
}
