/**
 * The one table of exit codes, sysexits(3) values as msmtp and sendmail use them. Every command's
 * result maps to a category, and only this file turns a category into a number. `meaning` is what --help says;
 * `docs`, where README says more (scripts/gen-docs.mjs writes README's table from this one).
 */
export const EXIT = {
  ok: { code: 0, meaning: "success; doctor: no error found" },
  usage: { code: 64, meaning: "usage error (bad flags, missing required flag when not interactive)" },
  data: { code: 65, meaning: "bad input data (invalid address, header injection, missing template variable, unrecognised explain text)" },
  noinput: { code: 66, meaning: "an input file is missing or unreadable" },
  nohost: { code: 68, meaning: "host name not found" },
  unavailable: { code: 69, meaning: "service unavailable or permanent rejection (connection refused, 5xx on MAIL/RCPT/DATA)" },
  software: { code: 70, meaning: "internal error in mailctl (a bug: please report it)" },
  ioerr: {
    code: 74,
    meaning: "I/O or TLS failure (handshake, certificate); no reply after the message was sent (it may have been delivered: do not retry blindly)",
    docs: "I/O or TLS failure (handshake, certificate); no reply after the message was sent (`data-unconfirmed`: it may have been delivered — do not retry blindly)",
  },
  tempfail: { code: 75, meaning: "temporary failure: timeouts, 4xx, rate limiting — try again later", docs: "temporary failure: timeouts, 4xx, a 421 (the server closing the channel), rate limiting — try again later" },
  protocol: { code: 76, meaning: "protocol error (unexpected or unparseable reply, TLS mode mismatch)" },
  noperm: { code: 77, meaning: "authentication failed or not permitted (535, 530, sender not owned)" },
  config: { code: 78, meaning: "configuration error" },
  interrupted: { code: 130, meaning: "interrupted (Ctrl-C)" },
} as const;

/** A named exit category. */
export type Category = keyof typeof EXIT;

/** The process exit code for a category. */
export function exitCode(category: Category): number {
  return EXIT[category].code;
}
