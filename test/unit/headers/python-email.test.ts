// mailctl's prediction of the From header a Python app writes, against Python's email package itself (python3
// on this machine): the same value, the same serialisation, the same bytes.
import { describe, expect, it } from "vitest";
import { compat32Header, formataddr } from "../../../src/headers/python-compat32.js";
import { defaultPolicyHeader } from "../../../src/headers/python-default/index.js";
import { field, pythonEmail } from "../../helpers/python-email.js";

const VALUES = [
  "lab@mailctl.test",
  "Zhang San <lab@mailctl.test>",
  "张三 <lab@mailctl.test>",
  "=?utf-8?b?5byg5LiJ?= <lab@mailctl.test>",
  '"Doe, John" <lab@mailctl.test>',
  "Doe, John <lab@mailctl.test>",
  "Name <Name <lab@mailctl.test>>",
  "Zhang Sän <lab@mailctl.test>",
  "André Müller <andre@example.com>",
  "😀 Team <lab@mailctl.test>",
  "Ünïcödé and a rather long display name that needs folding <notifications@example.com>",
  "张三李四王五赵六钱七孙八周九吴十郑十一王十二冯十三陈十四 <lab@mailctl.test>",
  "Acme Corporation Customer Support Notifications Team Department <noreply@example.com>",
  "Acme Corporation, Customer Support; Notifications Team Department <noreply@example.com>",
  "averyveryveryveryveryveryveryveryveryveryveryveryveryverylongwordwithoutanyspaces@example.com",
  "RAGFlow <lab@mailctl.test>",
  "tab\there <lab@mailctl.test>",
  "  leading and trailing spaces  <lab@mailctl.test>  ",
  "John (work) <lab@mailctl.test>",
  "张三 (工作) <lab@mailctl.test>",
  '"张三" <lab@mailctl.test>',
  "=?utf-8?q?Zhang_S=C3=A4n?= <lab@mailctl.test>",
  "=?gbk?b?1cXI/Q==?= <lab@mailctl.test>",
  "=?iso-8859-1?q?Andr=E9?= <lab@mailctl.test>",
  "张三 李四 <lab@mailctl.test>",
  "J. R. R. Tolkien <lab@mailctl.test>",
  "Group: a@example.com, b@example.com;",
  "a@example.com, b@example.com",
  "<lab@mailctl.test>",
  "Name <lab@mailctl.test",
  "lab@mailctl.test>",
  "Name <lab@mailctl.test> trailing words",
  "Name <lab@>",
  '"quoted \\"inner\\" name" <lab@mailctl.test>',
  '"a very long quoted display name, with a comma, that goes well past the fold" <lab@mailctl.test>',
  "Ünïcödé and a rather long display name, with a comma; and a semicolon <notifications@example.com>",
  "=?utf-8?b?5byg5LiJIDxsYWJAbWFpbGN0bC50ZXN0Pg==?=",
  "",
  "a@",
  "Name <",
  ".Name <lab@mailctl.test>",
  "用户@example.com",
];

describe("compat32 (email.mime, email.message.Message) against python3", () => {
  const py = pythonEmail(VALUES);

  it(`runs on python ${py.python}`, () => expect(py.values).toHaveLength(VALUES.length));

  for (const [i, v] of VALUES.entries()) {
    it(`Dify's msg.as_string(): ${JSON.stringify(v)}`, () => {
      expect(`From: ${compat32Header("From", v, 0)}`).toBe(field(py.values[i]!.dify));
    });
    it(`aiosmtplib send_message (BytesGenerator, 78 columns): ${JSON.stringify(v)}`, () => {
      expect(`From: ${compat32Header("From", v, 78)}`).toBe(field(py.values[i]!.compat32));
    });
  }
});

describe("email.utils.formataddr against python3", () => {
  const pairs: [string, string][] = [
    ["张三", "lab@mailctl.test"],
    ["Zhang San", "lab@mailctl.test"],
    ["Zhang Sän", "lab@mailctl.test"],
    ["Doe, John", "lab@mailctl.test"],
    ['say "hi"', "lab@mailctl.test"],
    ["back\\slash", "lab@mailctl.test"],
    ["😀", "lab@mailctl.test"],
    ["", "lab@mailctl.test"],
    ["张三", "用户@example.com"],
  ];
  const py = pythonEmail([], pairs);
  for (const [i, [name, addr]] of pairs.entries()) {
    it(`formataddr((${JSON.stringify(name)}, ${JSON.stringify(addr)}))`, () => {
      const want = py.formataddr[i]!;
      expect(formataddr(name, addr)).toBe(typeof want === "string" ? want : null);
    });
  }
});

describe("policy.default (email.message.EmailMessage) against python3", () => {
  const py = pythonEmail(VALUES);
  for (const [i, v] of VALUES.entries()) {
    it(`email.policy.SMTP: ${JSON.stringify(v)}`, () => {
      const want = py.values[i]!.default;
      const got = defaultPolicyHeader("From", v);
      // Where Python raises (or writes bytes it cannot decode), mailctl says it cannot reproduce the header.
      if (typeof want !== "string") expect(got).toBeNull();
      else expect(got).toBe(field(want));
    });
  }
});

describe("generated From values against python3 (both policies)", () => {
  // A seeded mix of the pieces display names are made of, so the comparison reaches folding and encoding
  // paths no hand-written list does: CJK, accents, emoji, specials, quotes, comments, encoded words, long runs.
  const pieces = ["张三", "李四王五", "Zhang", "San", "Sän", "André", "😀", "Team", "Support,", "Inc.", '"Quoted Name"', "(comment)", "=?utf-8?b?5byg5LiJ?=", "=?UTF-8?Q?M=C3=BCller?=", "O'Brien", "a;b", "x", "Notifications-and-Alerts-Department"];
  let seed = 12;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const values: string[] = [];
  for (let i = 0; i < 300; i++) {
    const words = Array.from({ length: 1 + rnd(9) }, () => pieces[rnd(pieces.length)]!);
    const addr = rnd(5) === 0 ? "very.long.local.part.for.folding@mail.example-domain.com" : "lab@mailctl.test";
    values.push(rnd(7) === 0 ? addr : `${words.join(" ")} <${addr}>`);
  }
  const py = pythonEmail(values);
  it("compat32 (both foldings) and policy.default give Python's bytes for 300 generated values", () => {
    const mismatches: string[] = [];
    for (const [i, v] of values.entries()) {
      const p = py.values[i]!;
      if (`From: ${compat32Header("From", v, 0)}` !== field(p.dify)) mismatches.push(`dify ${JSON.stringify(v)}`);
      if (`From: ${compat32Header("From", v, 78)}` !== field(p.compat32)) mismatches.push(`compat32 ${JSON.stringify(v)}`);
      const d = defaultPolicyHeader("From", v);
      if (typeof p.default !== "string" ? d !== null : d !== field(p.default)) mismatches.push(`default ${JSON.stringify(v)}: ${JSON.stringify(d)} vs ${JSON.stringify(field(p.default))}`);
    }
    expect(mismatches).toEqual([]);
  });
});
