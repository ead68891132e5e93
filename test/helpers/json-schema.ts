// A validator for the subset of JSON Schema (2020-12) that presets/schema.json uses. It refuses any keyword it
// does not implement, so the schema cannot grow a rule this validator would silently skip.

type Schema = Record<string, unknown>;

const SUPPORTED = new Set([
  "$schema", "$id", "title", "description",
  "type", "enum", "required", "properties", "additionalProperties", "patternProperties",
  "items", "minItems", "uniqueItems", "minLength", "pattern", "minimum", "maximum",
]);

/** Every keyword in a schema that this validator does not implement (empty when it can be trusted). */
export function unsupportedKeywords(schema: unknown, path = "#"): string[] {
  if (!schema || typeof schema !== "object") return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(schema as Schema)) {
    if (!SUPPORTED.has(k)) out.push(`${path}/${k}`);
    if (k === "properties" || k === "patternProperties") {
      for (const [name, sub] of Object.entries(v as Schema)) out.push(...unsupportedKeywords(sub, `${path}/${k}/${name}`));
    } else if (k === "items" || (k === "additionalProperties" && typeof v === "object")) {
      out.push(...unsupportedKeywords(v, `${path}/${k}`));
    }
  }
  return out;
}

/** The errors of `value` against `schema`, each as "<json path>: <why>"; empty when valid. */
export function validate(schema: Schema, value: unknown, path = "$"): string[] {
  const errors: string[] = [];
  const err = (why: string) => errors.push(`${path}: ${why}`);
  if (schema.type !== undefined && !typeMatches(schema.type as string, value)) {
    err(`expected ${String(schema.type)}, got ${Array.isArray(value) ? "array" : value === null ? "null" : typeof value}`);
    return errors;
  }
  if (schema.enum && !(schema.enum as unknown[]).some((e) => e === value)) err(`${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === "string") {
    if (schema.minLength !== undefined && value.length < (schema.minLength as number)) err(`shorter than ${String(schema.minLength)}`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern as string, "u").test(value)) err(`"${value}" does not match ${String(schema.pattern)}`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < (schema.minimum as number)) err(`below ${String(schema.minimum)}`);
    if (schema.maximum !== undefined && value > (schema.maximum as number)) err(`above ${String(schema.maximum)}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < (schema.minItems as number)) err(`fewer than ${String(schema.minItems)} items`);
    if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) err("items are not unique");
    if (schema.items) value.forEach((v, i) => errors.push(...validate(schema.items as Schema, v, `${path}[${i}]`)));
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const r of (schema.required as string[] | undefined) ?? []) if (!(r in obj)) err(`missing required "${r}"`);
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    const patterns = Object.entries((schema.patternProperties as Record<string, Schema> | undefined) ?? {});
    for (const [k, v] of Object.entries(obj)) {
      const sub = `${path}.${k}`;
      let matched = false;
      if (props[k]) {
        errors.push(...validate(props[k], v, sub));
        matched = true;
      }
      for (const [re, s] of patterns) {
        if (new RegExp(re, "u").test(k)) {
          errors.push(...validate(s, v, sub));
          matched = true;
        }
      }
      if (!matched && schema.additionalProperties === false) errors.push(`${sub}: not allowed (additionalProperties: false)`);
      else if (!matched && typeof schema.additionalProperties === "object") errors.push(...validate(schema.additionalProperties as Schema, v, sub));
    }
  }
  return errors;
}

function typeMatches(type: string, v: unknown): boolean {
  switch (type) {
    case "object": return typeof v === "object" && v !== null && !Array.isArray(v);
    case "array": return Array.isArray(v);
    case "string": return typeof v === "string";
    case "integer": return Number.isInteger(v);
    case "number": return typeof v === "number" && Number.isFinite(v);
    case "boolean": return typeof v === "boolean";
    default: throw new Error(`type "${type}" is not supported by this validator`);
  }
}
