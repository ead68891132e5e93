import { createRequire } from "node:module";

// commander through require(): its CommonJS build loads in about half the time of its ESM wrapper,
// and startup time is what every script calling mailctl pays.
const commander = createRequire(import.meta.url)("commander") as typeof import("commander");

export const { Command, Option, InvalidArgumentError, CommanderError } = commander;
export type { Command as CommandType } from "commander";
