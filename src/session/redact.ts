/** Placeholder written wherever a secret was. */
export const REDACTED = "<redacted>";

/**
 * Removes known secrets from any text that leaves the process. Each secret is also matched in the encodings
 * a transcript or an error could carry it in: base64 (AUTH LOGIN, RFC 4954 §4), the SASL PLAIN message
 * (RFC 4616 §2: authzid NUL authcid NUL passwd), and URL encoding (smtps://user:pass@host).
 */
export class Redactor {
  private readonly needles = new Set<string>();

  /** Registers a secret; `user` lets the PLAIN and XOAUTH2 forms be recognised too. */
  add(secret: string | undefined, user?: string): void {
    if (!secret || secret.length < 3) return;
    const forms = [secret, b64(secret), encodeURIComponent(secret)];
    if (user !== undefined) {
      forms.push(b64(`\u0000${user}\u0000${secret}`), b64(`${user}\u0000${user}\u0000${secret}`));
      forms.push(b64(`user=${user}\u0001auth=Bearer ${secret}\u0001\u0001`), b64(`n,a=${user},\u0001auth=Bearer ${secret}\u0001\u0001`)); // XOAUTH2; OAUTHBEARER (RFC 7628 §3.1)
    }
    for (const f of forms) this.needles.add(f);
    // The secret's base64 inside a longer base64 string, at each of the three byte alignments: keep only the
    // characters that depend on the secret's bytes alone (none of the prefix, no partial last group).
    const bytes = Buffer.byteLength(secret, "utf8");
    for (const pad of ["", "\u0000", "\u0000\u0000"]) {
      const enc = b64(pad + secret);
      const core = enc.slice(pad.length === 0 ? 0 : pad.length + 1, 4 * Math.floor((pad.length + bytes) / 3));
      if (core.length >= 4) this.needles.add(core);
    }
  }

  /** True when any secret is registered. */
  get active(): boolean {
    return this.needles.size > 0;
  }

  /** Replaces every registered secret form in the text. */
  scrub(text: string): string {
    if (this.needles.size === 0) return text;
    let out = text;
    // Longest first, so a secret's base64 form is replaced whole rather than partly by a shorter needle.
    for (const n of [...this.needles].sort((a, b) => b.length - a.length)) {
      if (out.includes(n)) out = out.split(n).join(REDACTED);
    }
    return out;
  }
}

function b64(s: string): string {
  return Buffer.from(s, "utf8").toString("base64");
}
