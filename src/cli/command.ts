// What every command file exports, the global flags, and the parsing shared by all commands.
import { PocketmapError } from "../abstract/errors/pocketmap-error.ts";
import type { IdentityNames } from "../abstract/options.ts";
import type { AsyncEnvironment } from "../async/environment.ts";
import { didYouMean } from "./suggest.ts";

/** A flag of a command: node:util parseArgs's option, with what help shows. */
export interface Flag {
  type: "string" | "boolean";
  short?: string;
  /** The value's placeholder in help, e.g. `FILE`. */
  value?: string;
  description: string;
}

export type Flags = Record<string, Flag>;
export type Values = Record<string, string | boolean | undefined>;

/** What a command gets to run with. */
export interface Context {
  positionals: string[];
  values: Values;
  /** The environment, configured as setup() is; created on first call (commands that need no server never start one). */
  connect(): AsyncEnvironment;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** One command of the table: a file under src/cli/commands. */
export interface Command {
  name: string;
  summary: string;
  /** The arguments after the name, e.g. `C ID`. */
  usage: string;
  options: Flags;
  /** Longer help, after the usage line. */
  details?: string;
  /** The exit code: 0 success, 1 when some rows or records failed. */
  run(context: Context): Promise<number>;
}

/** A mistake on the command line: exit code 2. */
export class UsageError extends PocketmapError {
  override name = "UsageError";
}

/** The flags of every command: the connection as setup() takes it, and help. */
export const GLOBAL_FLAGS: Flags = {
  url: {
    type: "string",
    value: "URL",
    description: "server URL (else POCKETBASE_URL, else .env; none: embedded)",
  },
  email: { type: "string", value: "EMAIL", description: "superuser email (POCKETBASE_EMAIL)" },
  password: { type: "string", value: "PASSWORD", description: "superuser password (POCKETBASE_PASSWORD)" },
  token: { type: "string", value: "TOKEN", description: "an auth token instead (POCKETBASE_TOKEN)" },
  quiet: { type: "boolean", short: "q", description: "no progress and no embedded-mode notice" },
  progress: {
    type: "string",
    value: "MODE",
    description: "bar (default on a terminal), json (lines on stderr) or none",
  },
  help: { type: "boolean", short: "h", description: "show help" },
};

/** The identity flags, as setup()'s errors name them (a wrong password is said to come from them). */
export const IDENTITY_FLAGS: IdentityNames = {
  source: "command-line flags",
  token: "--token",
  email: "--email",
  password: "--password",
};

/** Help text: a usage line and the flags, aligned. */
export function flagLines(flags: Flags): string {
  const rows = Object.entries(flags).map(([name, flag]) => {
    const short = flag.short ? `-${flag.short}, ` : "    ";
    return [`  ${short}--${name}${flag.value ? ` ${flag.value}` : ""}`, flag.description] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `${left.padEnd(width)}${right}\n`).join("");
}

export function commandHelp(command: Command): string {
  const own = Object.keys(command.options).length > 0 ? `\nOptions:\n${flagLines(command.options)}` : "";
  const details = command.details ? `\n${command.details.trimEnd()}\n` : "";
  return `Usage: pocketmap ${command.name} ${command.usage} [options]\n\n${command.summary}\n${details}${own}\nGlobal options:\n${flagLines(GLOBAL_FLAGS)}`;
}

/** Parses a command's arguments with the global flags; an unknown flag names itself and the nearest one. */
export function parseCommandArgs(args: string[], flags: Flags): { values: Values; positionals: string[] } {
  const options = { ...GLOBAL_FLAGS, ...flags };
  const config = Object.fromEntries(
    Object.entries(options).map(([name, flag]) => [
      name,
      flag.short ? { type: flag.type, short: flag.short } : { type: flag.type },
    ]),
  );
  try {
    const parsed = process
      .getBuiltinModule("node:util")
      .parseArgs({ args, options: config, allowPositionals: true, strict: true });
    return { values: parsed.values as Values, positionals: parsed.positionals };
  } catch (error) {
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(String((error as Error).message))?.[1];
    if (unknown !== undefined) {
      const names = Object.keys(options).map((name) => `--${name}`);
      throw new UsageError(`unknown option ${unknown}${didYouMean(unknown, names)}`);
    }
    throw new UsageError(String((error as Error).message).split(". ")[0]!);
  }
}

/** The global string flags: their value is the next argument, not the command. */
export function takesValue(arg: string): boolean {
  const name = arg.replace(/^--/, "");
  return arg.startsWith("--") && !arg.includes("=") && GLOBAL_FLAGS[name]?.type === "string";
}

/** Checks the number of positionals, naming what was expected. */
export function expectArgs(command: Command, positionals: string[], min: number, max = min): void {
  if (positionals.length < min || positionals.length > max) {
    const what =
      positionals.length < min
        ? "missing arguments"
        : `unexpected argument ${JSON.stringify(positionals[max])}`;
    throw new UsageError(`${command.name}: ${what}; usage: pocketmap ${command.name} ${command.usage}`);
  }
}

/** A string flag's value, or the default. */
export function stringFlag(values: Values, name: string, fallback?: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : fallback;
}

/** A string flag that must be one of `choices`. */
export function choiceFlag<C extends string>(
  values: Values,
  name: string,
  choices: readonly C[],
  fallback: C,
): C {
  const value = stringFlag(values, name, fallback)!;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(
      `--${name} must be one of ${choices.join(", ")}, not ${JSON.stringify(value)}${didYouMean(value, choices)}`,
    );
  }
  return value as C;
}

/** Writes text to a stream and waits until it is flushed or buffered under the high-water mark. */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (stream.write(text)) resolve();
    else stream.once("drain", resolve);
  });
}

/** Writes a command's whole output to `file` (`-o`), else to stdout. */
export async function writeOutput(
  file: string | undefined,
  text: string,
  stdout: NodeJS.WritableStream,
): Promise<void> {
  if (file === undefined) await write(stdout, text);
  else await process.getBuiltinModule("node:fs/promises").writeFile(file, text);
}
