import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { type ResolvedOptions, resolveOptions, type SetupOptions } from "../abstract/options.ts";

/** Variables from `.env` in the working directory, if there is one. */
export function readDotEnv(cwd = process.cwd()): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(join(cwd, ".env"), "utf8");
  } catch {
    return {};
  }
  return parseEnv(text) as Record<string, string>;
}

/** Options, then environment variables, then `.env` (variables already set, and not empty, win). */
export function loadOptions(options?: SetupOptions): ResolvedOptions {
  const variables: Record<string, string | undefined> = readDotEnv();
  for (const [name, value] of Object.entries(process.env)) if (value) variables[name] = value;
  return resolveOptions(options, variables);
}
