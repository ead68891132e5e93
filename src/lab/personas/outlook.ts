import { because, reply, type LabReply } from "../reply.js";
import type { LabConn } from "../smtp-hooks.js";
import { parseFromHeader } from "../../headers/from-header.js";
import { DefaultPersona, sameAddress, type AuthAttempt, type MessageEnvelope, type TokenRefusal } from "./default.js";

/**
 * Outlook.com / Microsoft 365 (smtp-mail.outlook.com, smtp.office365.com on 587): password AUTH is refused because
 * basic authentication is disabled, XOAUTH2 works (the lab's password is the token), and a From that is not the
 * account is refused after DATA with SendAsDenied. Texts from reference section B (nodemailer#1714; #920;
 * email-oauth2-proxy#315; gophish#2900, nodemailer#748).
 */
export class OutlookPersona extends DefaultPersona {
  override readonly name: string = "outlook";
  override readonly serverName: string = "LAB0MAILCTL.outlook.office365.com";
  override readonly authMethods = ["LOGIN", "XOAUTH2"];
  override readonly heloResponse = "%s Hello %s";
  /** What Exchange Online advertises (36 MB). */
  override readonly size: number = 37748736;

  override greeting(_conn: LabConn): string {
    return `${this.serverName} Microsoft ESMTP MAIL Service ready at ${new Date().toUTCString().replace("GMT", "+0000")}`;
  }

  override async auth(conn: LabConn, a: AuthAttempt): Promise<{ user: string } | LabReply | TokenRefusal> {
    if (a.method !== "XOAUTH2") return because(reply(535, "5.7.139 Authentication unsuccessful, basic authentication is disabled."), `Microsoft has turned off password sign-in (basic authentication): only OAuth2 (XOAUTH2) works, whatever the ${a.method} password`);
    return super.auth(conn, a);
  }

  override authFailed(_conn: LabConn, _a: AuthAttempt): LabReply {
    return reply(535, "5.7.3 Authentication unsuccessful");
  }

  override authRequired(_conn: LabConn): LabReply {
    return reply(530, "5.7.57 Client not authenticated to send mail");
  }

  /** Exchange checks the From header (the envelope sender when there is none) against the mailbox: SendAs permission. */
  override message(conn: LabConn, head: Buffer, envelope: MessageEnvelope): LabReply | undefined {
    if (!conn.user) return undefined;
    const from = parseFromHeader(head, envelope.smtpUtf8);
    const sender = from.ok ? from.address : envelope.mailFrom;
    if (sameAddress(sender, conn.user)) return undefined;
    const denied = reply(
      554,
      `5.2.252 SendAsDenied; ${conn.user} not allowed to send as ${sender}; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message Cannot submit message.`,
    );
    return because(denied, `the ${from.ok ? "From header" : "envelope sender"} is ${sender}, not the signed-in mailbox ${conn.user}, and the mailbox has no SendAs permission for it`);
  }

  override accepted(_conn: LabConn, id: string): LabReply {
    return reply(250, `2.6.0 <${id}@${this.serverName}> [InternalId=${id}] Queued mail for delivery`);
  }
}
