import { because, gbk, reply, type LabReply } from "../reply.js";
import type { LabConn } from "../smtp-hooks.js";
import { parseFromHeader } from "../../headers/from-header.js";
import { configError } from "../../errors.js";
import { encodeGbk } from "../gbk.js";
import { DefaultPersona, sameAddress, type AuthAttempt, type MessageEnvelope, type PersonaSettings } from "./default.js";

const HELP = "http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=28&&no=1001256";

/**
 * QQ Mail (smtp.qq.com): no enhanced status codes; the password must be the authorization code (授权码); MAIL FROM
 * and the From header must be the login. Texts from reference section B (uptime-kuma#3434, yapi#2219; qqbot#221 for
 * the GBK text; node-solid-server#1281; the freaks.city and juejin.cn posts for the From rule).
 *
 * Port 465 does not advertise STARTTLS: its EHLO list in splitbrain/dokuwiki-plugin-smtp#64 (2024) is PIPELINING,
 * SIZE 73400320, AUTH LOGIN PLAIN XOAUTH XOAUTH2, AUTH=LOGIN, MAILCOMPRESS, SMTPUTF8, 8BITMIME. What QQ answers to a
 * STARTTLS sent there anyway is not public, so this persona answers as smtp-server does (503 TLS already active).
 *
 * "502 Invalid paramenters" is QQ's text as reported, but no public source quotes it. The evidence ranks its causes:
 * the envelope sender first — the one trace (0xBitWild/MTeam-CLI#15) ties "QQ 502" to a From wrapped twice, and the
 * reported three-part Python error (502, 'Invalid paramenters', '') is aiosmtplib's SMTPSenderRefused with an empty
 * sender, i.e. MAIL FROM:<>, which is what aiosmtplib sends when the From header does not parse. So the persona
 * answers a MAIL FROM without a valid address with it (inferred, not observed); a STARTTLS on 465, the other
 * candidate, cannot be told apart from text alone — only by the command the reply answers.
 */
export class QqPersona extends DefaultPersona {
  override readonly name: string = "qq";
  override readonly serverName: string = "smtp.qq.com";
  override readonly enhancedCodes = false;
  override readonly authMethods = ["LOGIN", "PLAIN"];
  override readonly heloResponse = "%s";
  /** What smtp.qq.com advertises (70 MB). */
  override readonly size: number = 73400320;

  override greeting(_conn: LabConn): string {
    return `${this.serverName} Esmtp QQ Mail Server`;
  }

  /** A MAIL FROM without one valid address (empty, no @, a nested <…>) after login: see the class comment. */
  override command(conn: LabConn, verb: string, line: string): LabReply | undefined {
    if (verb === "MAIL" && conn.user) {
      const path = /^MAIL FROM:\s*<(.*)>(?:\s|$)/i.exec(line)?.[1];
      if (path === undefined || !/^[^\s@<>"]+@[^\s@<>"]+$/.test(path)) return because(
          reply(502, "Invalid paramenters"),
          path === undefined ? "MAIL FROM names no <address> (RFC 5321 §4.1.1.2); QQ refuses it after login" : `MAIL FROM:<${path}> is not one valid address (an empty sender or a From header that did not parse gives this)`,
        );
    }
    return super.command(conn, verb, line);
  }

  override authFailed(_conn: LabConn, _a: AuthAttempt): LabReply {
    return because(
      reply(535, `Login Fail. Please enter your authorization code to login. More information in ${HELP}`),
      "QQ accepts only the authorization code (授权码) as the SMTP password, never the account password",
    );
  }

  override mailFrom(conn: LabConn, from: string): LabReply | undefined {
    const policy = super.mailFrom(conn, from);
    if (policy) return policy;
    if (conn.user && !sameAddress(from, conn.user)) return because(reply(501, "mail from address must be same as authorization user"), `MAIL FROM ${from} is not the logged-in account ${conn.user}`);
    return undefined;
  }

  override message(conn: LabConn, head: Buffer, envelope: MessageEnvelope): LabReply | undefined {
    if (!conn.user) return undefined;
    const from = parseFromHeader(head, envelope.smtpUtf8);
    if (from.ok && sameAddress(from.address, conn.user)) return undefined;
    const why = !from.ok ? `the From header is not one valid mailbox (RFC 5322 §3.6.2, RFC 2047): ${from.reason}` : `the From header's address ${from.address} is not the logged-in account ${conn.user}`;
    return because(reply(550, 'The "From" header is missing or invalid. Please follow RFC5322, RFC2047, RFC822 standard protocol. https://service.mail.qq.com/detail/124/995.'), why);
  }

  /** Word for word (QQ names no queue id); some applications compare the whole reply string. */
  override accepted(_conn: LabConn, _id: string): LabReply {
    return reply(250, "Ok: queued as ");
  }
}

/** QQ with its Chinese 535, sent as GBK bytes as QQ sends it (reference row A9). */
export class QqGbkPersona extends QqPersona {
  override readonly name: string = "qq-gbk";

  constructor(settings: PersonaSettings) {
    super(settings);
    try {
      encodeGbk("请"); // builds the GBK table now, not in the middle of a reply
    } catch {
      throw configError("--persona qq-gbk needs a Node.js built with full ICU (for GBK); this one has none");
    }
  }

  override authFailed(_conn: LabConn, _a: AuthAttempt): LabReply {
    return because(gbk(reply(535, `Error: 请使用授权码登录。详情请看: ${HELP}`)), "QQ accepts only the authorization code (授权码) as the SMTP password, sent here in GBK as QQ sends it");
  }
}
