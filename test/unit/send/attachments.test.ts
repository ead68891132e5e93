import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkAttachments, parseAttachSpec, parseSize, typeAllowed } from "../../../src/send/attachments.js";
import { MailctlError } from "../../../src/errors.js";

async function category(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "none";
  } catch (e) {
    return e instanceof MailctlError ? e.category : `bug: ${e}`;
  }
}

describe("attachments", () => {
  it("parses file;type=…;name=… from the right, so a file name may contain ';'", () => {
    expect(parseAttachSpec("a.pdf")).toEqual({ path: "a.pdf" });
    expect(parseAttachSpec("a.bin;type=application/x-thing;name=数据.bin")).toEqual({ path: "a.bin", type: "application/x-thing", name: "数据.bin" });
    expect(parseAttachSpec("odd;name.txt;name=x.txt")).toEqual({ path: "odd;name.txt", name: "x.txt" });
    expect(() => parseAttachSpec("a;type=nonsense")).toThrow(/not a content type/);
  });

  it("parses sizes in bytes, k, M and G (powers of 1024)", () => {
    expect(parseSize("1048576")).toBe(1048576);
    expect(parseSize("25MiB")).toBe(25 * 1024 * 1024);
    expect(parseSize("500k")).toBe(512000);
    expect(() => parseSize("lots")).toThrow(/not a size/);
  });

  it("matches allow-lists exactly or by family", () => {
    expect(typeAllowed("image/png", ["image/*"])).toBe(true);
    expect(typeAllowed("application/pdf", ["image/*", "text/plain"])).toBe(false);
    expect(typeAllowed("anything/x", [])).toBe(true);
  });

  it("checks existence (66), the root through symlinks (77), types and size (65)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mailctl-attach-"));
    const root = join(dir, "root");
    mkdirSync(root);
    writeFileSync(join(root, "ok.pdf"), "%PDF-1.4");
    writeFileSync(join(dir, "secret.txt"), "outside");
    symlinkSync(join(dir, "secret.txt"), join(root, "link.txt"));
    const policy = { maxBytes: 1000, allowTypes: [], root };
    const [ok] = await checkAttachments([{ path: "root/ok.pdf" }], policy, dir);
    expect(ok).toMatchObject({ filename: "ok.pdf", contentType: "application/pdf", size: 8 });
    expect(await category(checkAttachments([{ path: "missing.pdf" }], policy, dir))).toBe("noinput");
    expect(await category(checkAttachments([{ path: "root" }], { maxBytes: 1000, allowTypes: [] }, dir))).toBe("noinput");
    expect(await category(checkAttachments([{ path: "root/link.txt" }], policy, dir))).toBe("noperm");
    expect(await category(checkAttachments([{ path: "secret.txt" }], policy, dir))).toBe("noperm");
    expect(await category(checkAttachments([{ path: "root/../secret.txt" }], policy, dir))).toBe("noperm");
    expect(await category(checkAttachments([{ path: "root/ok.pdf" }], { ...policy, allowTypes: ["image/*"] }, dir))).toBe("data");
    expect(await category(checkAttachments([{ path: "root/ok.pdf" }], { ...policy, maxBytes: 7 }, dir))).toBe("data");
    expect(await category(checkAttachments([{ path: "root/ok.pdf", type: "image/png" }], { ...policy, allowTypes: ["image/*"] }, dir))).toBe("none");
  });
});
