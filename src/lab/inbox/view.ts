import type { ParsedMessage } from "./parse.js";

/**
 * The policy of a message's HTML view. Captured HTML is hostile: no script runs (no script-src, and the CSP
 * sandbox on top of the iframe's), nothing remote loads (no remote img/style/font/frame/connect source), forms
 * go nowhere, and only the inbox page itself may frame it. `remote` admits remote images, after a click.
 */
export function viewCsp(remote: boolean): string {
  return [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `img-src data:${remote ? " https: http:" : ""}`,
    "font-src data:",
    "media-src data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
    "sandbox",
  ].join("; ");
}

/**
 * The message's HTML for the inbox's preview: inline parts (cid: links, RFC 2392) become data: URIs so the
 * policy can stay at img-src data:, and a <meta http-equiv="refresh"> is taken out (it would navigate the frame
 * without a click). Mailpit links cid: parts to its /part/ URLs instead.
 */
export function viewHtml(m: ParsedMessage): string {
  const byCid = new Map(m.parts.filter((p) => p.contentId).map((p) => [p.contentId.toLowerCase(), p]));
  const html = m.html.replace(/(=\s*["']?)cid:([^"'\s>)]+)/gi, (whole, lead: string, cid: string) => {
    const part = byCid.get(decodeCid(cid).toLowerCase());
    return part ? `${lead}data:${part.contentType.replace(/[^\w/.+-]/g, "")};base64,${part.content.toString("base64")}` : whole;
  });
  return html.replace(/<meta[^>]+http-equiv\s*=\s*["']?\s*refresh[^>]*>/gi, "");
}

function decodeCid(cid: string): string {
  try {
    return decodeURIComponent(cid);
  } catch {
    return cid;
  }
}
