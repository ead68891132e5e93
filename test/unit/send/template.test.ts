import { describe, expect, it } from "vitest";
import { parseVarFlags, splitFrontMatter, substitute } from "../../../src/send/template.js";
import { MailctlError } from "../../../src/errors.js";

describe("templates", () => {
  it("reads subject from front matter and leaves the body after it", () => {
    expect(splitFrontMatter("---\nsubject: Hello {{name}}\n---\nBody\n", "t.txt")).toEqual({ subject: "Hello {{name}}", body: "Body\n" });
    expect(splitFrontMatter('---\nsubject: "Quoted: yes"\n---\nB', "t.txt").subject).toBe("Quoted: yes");
    expect(splitFrontMatter("No front matter\n---\n", "t.txt")).toEqual({ body: "No front matter\n---\n" });
  });

  it("refuses front matter keys it does not read", () => {
    expect(() => splitFrontMatter("---\nto: x@example.com\n---\nB", "t.txt")).toThrow(/unknown front matter key "to"/);
  });

  it("substitutes {{var}} and {{ var }}", () => {
    expect(substitute("Hi {{name}}, order {{ order }}.", { name: "Ana", order: "42" }, "t", false)).toBe("Hi Ana, order 42.");
  });

  it("escapes values in HTML templates unless the placeholder has three braces", () => {
    expect(substitute("<p>{{x}}</p>{{{x}}}", { x: "<b>&'" }, "t.html", true)).toBe("<p>&lt;b&gt;&amp;&#39;</p><b>&'");
  });

  it("names every missing variable instead of leaving a blank (exit 65)", () => {
    try {
      substitute("{{a}} {{b}} {{a}} {{c}}", { b: "" }, "t.txt", false);
      throw new Error("expected a refusal");
    } catch (e) {
      expect(e).toBeInstanceOf(MailctlError);
      expect((e as MailctlError).category).toBe("data");
      expect((e as MailctlError).message).toMatch(/missing template variables \{\{a\}\}, \{\{c\}\}/);
    }
  });

  it("parses --var name=value, keeping = in the value", () => {
    expect(parseVarFlags(["a=1", "url=https://x/?q=1"])).toEqual({ a: "1", url: "https://x/?q=1" });
    expect(() => parseVarFlags(["novalue"])).toThrow(/not name=value/);
  });
});
