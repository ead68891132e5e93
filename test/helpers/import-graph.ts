// The import graph of src/, read with the TypeScript parser (no type checking). Every relative import is an
// edge: static value imports, type-only imports (`import type`, or every named binding `type`) and dynamic
// `import()`. The architecture test checks them all: a type import that runs upward couples the layers as
// much as a value import does, and an `await import()` is still a dependency.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

/** How a file refers to another. */
export type EdgeKind = "value" | "type" | "dynamic";

/** One import: from and to are paths relative to src/, e.g. "commands/probe.ts". */
export interface Edge {
  from: string;
  to: string;
  kind: EdgeKind;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".ts") && !p.endsWith(".d.ts") ? [p] : [];
  });
}

/** The relative imports of one file. */
function edgesOf(src: string, file: string): Edge[] {
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const from = path.relative(src, file);
  const out: Edge[] = [];
  const add = (spec: string, kind: EdgeKind) => {
    if (spec.startsWith(".")) out.push({ from, to: path.relative(src, path.resolve(path.dirname(file), spec)).replace(/\.js$/, ".ts"), kind });
  };
  const typeOnly = (named: ts.NamedImportBindings | ts.NamedExportBindings | undefined, clauseIsType: boolean) =>
    clauseIsType || (named !== undefined && (ts.isNamedImports(named) || ts.isNamedExports(named)) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly));
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const c = node.importClause;
      add(node.moduleSpecifier.text, c && typeOnly(c.name ? undefined : c.namedBindings, c.isTypeOnly) ? "type" : "value");
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, typeOnly(node.exportClause, node.isTypeOnly) ? "type" : "value");
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      add(node.arguments[0].text, "dynamic");
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, "type");
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Every file under `src` (relative paths) and every edge between them. */
export function importGraph(src: string): { files: string[]; edges: Edge[] } {
  const files = walk(src).map((f) => path.relative(src, f)).sort();
  const known = new Set(files);
  const edges = files.flatMap((f) => edgesOf(src, path.join(src, f))).filter((e) => known.has(e.to));
  return { files, edges };
}

/** The strongly connected components with more than one file (or a file importing itself). */
function components(files: string[], next: Map<string, string[]>): string[][] {
  let n = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string) => {
    index.set(v, n);
    low.set(v, n++);
    stack.push(v);
    on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1 || next.get(v)?.includes(v)) out.push(c.sort());
    }
  };
  for (const f of files) if (!index.has(f)) strong(f);
  return out;
}

/** Every elementary cycle, each written from its smallest file, e.g. "a.ts -> b.ts -> a.ts". */
export function cycles(files: string[], edges: Edge[]): string[] {
  const next = new Map(files.map((f) => [f, [...new Set(edges.filter((e) => e.from === f).map((e) => e.to))].sort()]));
  const found: string[] = [];
  for (const comp of components(files, next)) {
    const inComp = new Set(comp);
    for (const start of comp) {
      const stack = [start];
      const on = new Set(stack);
      const dfs = (v: string) => {
        for (const w of next.get(v) ?? []) {
          if (!inComp.has(w) || w < start) continue; // each cycle once, from its smallest file
          if (w === start) found.push([...stack, start].join(" -> "));
          else if (!on.has(w)) {
            stack.push(w);
            on.add(w);
            dfs(w);
            stack.pop();
            on.delete(w);
          }
        }
      };
      dfs(start);
    }
  }
  return found.sort();
}
