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

/**
 * The one place that reads configuration, once per setup(): options, else process variables, else
 * `.env` in `cwd`, by the rule of resolveOptions (which also validates every value).
 */
export function loadOptions(
  options?: SetupOptions,
  where: { variables?: Record<string, string | undefined>; cwd?: string } = {},
): ResolvedOptions {
  const cwd = where.cwd ?? process.cwd();
  return resolveOptions(options, {
    variables: where.variables ?? process.env,
    dotenv: readDotEnv(cwd),
    dotenvName: join(cwd, ".env"),
  });
}
