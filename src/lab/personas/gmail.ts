import { randomBytes } from "node:crypto";
import { because, reply, type LabReply } from "../reply.js";
import type { LabConn } from "../smtp-hooks.js";
import { DefaultPersona, LAB_DOMAIN, type AuthAttempt, type ExtraAccount, type TokenRefusal } from "./default.js";

/** gmail's account with 2-Step Verification: its normal password is refused with 534 5.7.9, whatever it is. */
export const TWO_STEP_USER = `twostep@${LAB_DOMAIN}`;

/**
 * Gmail (smtp.gmail.com): multi-line replies ending in a request id and "- gsmtp". Texts from reference
 * section B (nodemailer#1656, #1421 for 535-5.7.8; #1116 for 534-5.7.9; deanproxy/eMail#53 for 530 STARTTLS;
 * nodemailer#1098 and node-red#1199 for 530-5.7.0 Authentication Required … ?p=WantAuthError).
 */
export class GmailPersona extends DefaultPersona {
  override readonly name: string = "gmail";
  override readonly serverName: string = "smtp.gmail.com";
  override readonly authMethods = ["LOGIN", "PLAIN", "XOAUTH2"];
  override readonly heloResponse = "%s at your service, %s";
  /** What smtp.gmail.com advertises (35 MB). */
  override readonly size: number = 35882577;
  override readonly extraAccounts: ExtraAccount[] = [
    { user: TWO_STEP_USER, note: "has 2-Step Verification: any password gets 534-5.7.9 Application-specific password required" },
  ];

  override greeting(_conn: LabConn): string {
    return `${this.serverName} ESMTP ${requestId()} - gsmtp`;
  }

  override async auth(conn: LabConn, a: AuthAttempt): Promise<{ user: string } | LabReply | TokenRefusal> {
    if (a.username.toLowerCase() === TWO_STEP_USER) {
      return because(
        reply(534, "5.7.9 Application-specific password required. Learn more at", `5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor ${requestId()} - gsmtp`),
        "the account has 2-Step Verification: Gmail takes an app password, never the account's own password",
      );
    }
    const r = await super.auth(conn, a);
    // Gmail refuses a token with this challenge whatever the cause (expired, another account's, no mail scope),
    // then 535-5.7.8 after the client's empty line (developers.google.com/workspace/gmail/imap/xoauth2-protocol).
    if (a.method === "XOAUTH2" && !("user" in r)) return { challenge: { status: "400", schemes: "Bearer", scope: "https://mail.google.com/" }, reply: this.authFailed(conn, a) };
    return r;
  }

  override authFailed(_conn: LabConn, _a: AuthAttempt): LabReply {
    return reply(535, "5.7.8 Username and Password not accepted. For more information, go to", `5.7.8  https://support.google.com/mail/?p=BadCredentials ${requestId()} - gsmtp`);
  }

  override starttlsRequired(_conn: LabConn): LabReply {
    return reply(530, `5.7.0 Must issue a STARTTLS command first. ${requestId()} - gsmtp`);
  }

  override authRequired(_conn: LabConn): LabReply {
    return reply(530, "5.7.0 Authentication Required. For more information, go to", `5.7.0  https://support.google.com/mail/?p=WantAuthError ${requestId()} - gsmtp`);
  }

  override accepted(_conn: LabConn, id: string): LabReply {
    return reply(250, `2.0.0 OK  ${id} - gsmtp`);
  }
}

/** A request id in Gmail's shape (e.g. "d9443c01a7336-1f2f0c3f1c8sm1234567pla.12"). */
function requestId(): string {
  const hex = randomBytes(10).toString("hex");
  return `${hex.slice(0, 13)}-${hex.slice(13, 20)}sm${String(Date.now() % 1e7).padStart(7, "0")}lab.${randomBytes(1)[0]! % 100}`;
}
