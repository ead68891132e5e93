import type { Category } from "./exit-codes.js";

/**
 * An error the user can act on: one line that names the problem, an exit category, and optionally a hint.
 * Thrown anywhere; caught once in cli.ts, which prints it and exits with the category's code.
 */
export class MailctlError extends Error {
  constructor(
    readonly category: Category,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Bad flags or arguments (exit 64). */
export function usageError(message: string, hint?: string): MailctlError {
  return new MailctlError("usage", message, hint);
}

/** Invalid settings (exit 78). */
export function configError(message: string, hint?: string): MailctlError {
  return new MailctlError("config", message, hint);
}

/** Bad input data (exit 65). */
export function dataError(message: string, hint?: string): MailctlError {
  return new MailctlError("data", message, hint);
}

/** A missing or unreadable input file (exit 66). */
export function noInputError(path: string, err?: NodeJS.ErrnoException): MailctlError {
  const why = err?.code === "ENOENT" ? "no such file" : err?.code === "EACCES" ? "permission denied" : err?.code === "EISDIR" ? "is a directory" : (err?.message ?? "cannot be read");
  return new MailctlError("noinput", `${path}: ${why}`);
}
