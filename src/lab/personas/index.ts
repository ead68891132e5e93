import { AliyunPersona } from "./aliyun.js";
import { DefaultPersona, type PersonaSettings } from "./default.js";
import { DropDataPersona, GreylistPersona, LoginThrottlePersona, RateLimitPersona, SizeLimitPersona, SlowGreetingPersona, UnavailablePersona } from "./faults.js";
import { GmailPersona } from "./gmail.js";
import { OutlookPersona } from "./outlook.js";
import { QqGbkPersona, QqPersona } from "./qq.js";

/** Every persona: what it reproduces (for --help and README) and its class. */
export const PERSONAS = {
  default: { summary: "a strict submission server: STARTTLS before AUTH on 587, AUTH to send, no relaying", make: DefaultPersona },
  gmail: { summary: "Gmail: 535-5.7.8 BadCredentials, 534-5.7.9 app password required (twostep@mailctl.test)", make: GmailPersona },
  outlook: { summary: "Outlook/Microsoft 365: 535 5.7.139 basic auth disabled (XOAUTH2 works), 554 5.2.252 SendAsDenied", make: OutlookPersona },
  qq: { summary: "QQ Mail: 465 without STARTTLS, 535 authorization code, 502 to a malformed MAIL FROM, 501 MAIL FROM not the login, 550 From header", make: QqPersona },
  "qq-gbk": { summary: "QQ Mail with its Chinese 535 sent as GBK bytes", make: QqGbkPersona },
  aliyun: { summary: "Alibaba Cloud DirectMail: its banner, 535 Authentication failure., 436 MAIL FROM vs login", make: AliyunPersona },
  greylist: { summary: "450 4.7.1 Greylisted on the first try of each recipient; a retry after --greylist-seconds passes", make: GreylistPersona },
  unavailable: { summary: "421 4.3.2 instead of the greeting", make: UnavailablePersona },
  "drop-data": { summary: "closes the connection in the middle of DATA (nothing is captured)", make: DropDataPersona },
  "slow-greeting": { summary: "greets only after --greeting-delay seconds", make: SlowGreetingPersona },
  "size-limit": { summary: "advertises SIZE --size-limit; bigger messages get 552 5.3.4", make: SizeLimitPersona },
  "login-throttle": { summary: "454 4.7.0 Too many login attempts (beyond --limit per --window)", make: LoginThrottlePersona },
  "rate-limit": { summary: "421 4.7.0 Try again later at MAIL FROM beyond --limit messages per --window", make: RateLimitPersona },
} as const;

/** A persona's name. */
export type PersonaName = keyof typeof PERSONAS;

/** The persona names, in documentation order. */
export const PERSONA_NAMES = Object.keys(PERSONAS) as PersonaName[];

/** Creates a persona by name. */
export function createPersona(name: PersonaName, settings: PersonaSettings): DefaultPersona {
  return new PERSONAS[name].make(settings);
}
