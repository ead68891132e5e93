import type { Writable } from "node:stream";

/** The streams and environment a command runs with; tests pass their own. */
export interface Io {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/**
 * What the layers below the commands may use of a command's context: the streams, the directory, and the few
 * things of the output gate they need (a warning on stderr, whether prompts are allowed, JSON mode, the
 * redactor a secret is registered with as soon as it is read). A command's `Ctx` is one.
 */
export interface RunContext {
  io: Io;
  cwd: string;
  ui: {
    warn(message: string): void;
    readonly interactive: boolean;
    readonly json: boolean;
    readonly redactor: { add(secret?: string, user?: string): void };
  };
}
