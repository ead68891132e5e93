import { TextDecoder } from "node:util";

// Node decodes GBK (WHATWG "gbk", through ICU) but has no encoder. The lab needs GBK bytes for one reply
// (QQ's Chinese 535), so the reverse table is built once from the decoder instead of adding a dependency.
let table: Map<string, number> | null = null;

function buildTable(): Map<string, number> {
  const decoder = new TextDecoder("gbk", { fatal: true });
  const map = new Map<string, number>();
  const pair = Buffer.alloc(2);
  // GBK double-byte area: lead 0x81–0xFE, trail 0x40–0xFE without 0x7F.
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      pair[0] = lead;
      pair[1] = trail;
      let ch: string;
      try {
        ch = decoder.decode(pair);
      } catch {
        continue; // unassigned code point
      }
      if (!map.has(ch)) map.set(ch, (lead << 8) | trail);
    }
  }
  return map;
}

/** Encodes text as GBK bytes; ASCII stays as it is. Throws for a character GBK cannot represent. */
export function encodeGbk(text: string): Buffer {
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) {
      out.push(cp);
      continue;
    }
    table ??= buildTable();
    const code = table.get(ch);
    if (code === undefined) throw new Error(`GBK cannot encode U+${cp.toString(16).toUpperCase().padStart(4, "0")}`);
    out.push(code >> 8, code & 0xff);
  }
  return Buffer.from(out);
}
