import { because, reply, type LabReply } from "../reply.js";
import type { LabConn } from "../smtp-hooks.js";
import { DefaultPersona, sameAddress, type AuthAttempt } from "./default.js";

/**
 * Alibaba Cloud DirectMail (smtpdm.aliyun.com): the SMTP user is the sender address, and a MAIL FROM that is not
 * the login is refused with 436. Texts from reference section B (Alibaba Cloud "summary of common email return
 * codes"; PHPMailer#885 for the 436).
 */
export class AliyunPersona extends DefaultPersona {
  override readonly name: string = "aliyun";
  override readonly serverName: string = "smtpdm.aliyun.com";
  override readonly enhancedCodes = false;
  override readonly authMethods = ["LOGIN", "PLAIN"];
  override readonly heloResponse = "%s";
  /** DirectMail's 15 MB message limit. */
  override readonly size: number = 15728640;

  override greeting(_conn: LabConn): string {
    return `${this.serverName} DirectMail Smtpd Server`;
  }

  override authFailed(_conn: LabConn, _a: AuthAttempt): LabReply {
    return reply(535, "Authentication failure.");
  }

  override mailFrom(conn: LabConn, from: string): LabReply | undefined {
    const policy = super.mailFrom(conn, from);
    if (policy) return policy;
    if (conn.user && !sameAddress(from, conn.user)) {
      return because(reply(436, `"MAIL FROM" doesn't conform with authentication [@sm060104] (Auth Account:${conn.user}|Mail Account:${from})`), `DirectMail sends only from the address that signed in (${conn.user})`);
    }
    return undefined;
  }

  /** Word for word: some applications compare the whole reply string. */
  override accepted(_conn: LabConn, _id: string): LabReply {
    return reply(250, "Data Ok: queued as freedom");
  }
}
