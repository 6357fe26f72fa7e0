// The `pocketmap` command: global flags, then one command from the table (src/cli/commands).
// Started by pocketmap.ts, once the compile cache is on.
import { IDENTITY_NAMES } from "../abstract/options.ts";
import type { AsyncEnvironment } from "../async/environment.ts";
import { setup } from "../env/setup.ts";
import { useNoticeWords } from "../server/target.ts";
import {
  type Command,
  commandHelp,
  type Flags,
  flagLines,
  GLOBAL_FLAGS,
  IDENTITY_FLAGS,
  parseCommandArgs,
  stringFlag,
  takesValue,
  UsageError,
  type Values,
} from "./command.ts";
import { COMMANDS } from "./commands/index.ts";
import { progressMode } from "./progress.ts";
import { didYouMean } from "./suggest.ts";

/** The flags of `pocketmap` without a command (install-server has its own --version). */
const TOOL_FLAGS: Flags = {
  version: { type: "boolean", short: "v", description: "print pocketmap's version" },
};

function toolHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length)) + 2;
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(width)}${command.summary}\n`).join("");
  return `Usage: pocketmap <command> [options]\n\nCommands:\n${lines}\nGlobal options:\n${flagLines(GLOBAL_FLAGS)}\nConfigured as setup() is: flags, else variables, else .env; nothing set starts an embedded PocketBase.\n'pocketmap <command> --help' or 'pocketmap help <command>' shows a command's options.\n'pocketmap --version' (or -v) prints pocketmap's version.\n`;
}

/** This package's version, from its package.json: two levels up from src/cli, one from dist. */
function packageVersion(): string {
  const here = import.meta.url;
  const file = new URL(here.endsWith(".ts") ? "../../package.json" : "../package.json", here);
  const text = process.getBuiltinModule("node:fs").readFileSync(file, "utf8");
  return String((JSON.parse(text) as { version?: unknown }).version);
}

/** The command of this name; an unknown one is a usage error naming the nearest. */
function commandNamed(name: string): Command {
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command !== undefined) return command;
  const names = COMMANDS.map((candidate) => candidate.name);
  throw new UsageError(
    `unknown command ${JSON.stringify(name)}${didYouMean(name, names)} (pocketmap --help lists them)`,
  );
}

/** The environment of the global flags, configured exactly as setup() configures one. */
function connector(values: Values): { connect: () => AsyncEnvironment; close: () => Promise<void> } {
  let env: AsyncEnvironment | undefined;
  return {
    connect() {
      const options = {
        async: true as const,
        url: stringFlag(values, "url"),
        email: stringFlag(values, "email"),
        password: stringFlag(values, "password"),
        token: stringFlag(values, "token"),
        ...(values.quiet === true ? { quiet: true } : {}),
        [IDENTITY_NAMES]: IDENTITY_FLAGS,
      };
      env ??= setup(options);
      return env;
    },
    close: async () => env?.close(),
  };
}

async function main(argv: string[]): Promise<number> {
  // The embedded-mode notice names the command's ways, not setup()'s options.
  useNoticeWords({
    keep: "set POCKETBASE_DIR (or give --url of a server)",
    hide: "--quiet or POCKETMAP_QUIET=1",
  });
  // The command is the first argument that is neither a flag nor a global flag's value.
  let at = -1;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--") break;
    if (!argv[i]!.startsWith("-")) {
      at = i;
      break;
    }
    if (takesValue(argv[i]!)) i++;
  }
  const name = at >= 0 ? argv[at]! : undefined;
  const rest = at >= 0 ? [...argv.slice(0, at), ...argv.slice(at + 1)] : argv;
  if (name === undefined) {
    const { values } = parseCommandArgs(rest, TOOL_FLAGS);
    if (values.version) {
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    }
    process[values.help ? "stdout" : "stderr"].write(toolHelp());
    return values.help ? 0 : 2;
  }
  if (name === "help") {
    // `pocketmap help [command]`: the tool's help, or that command's, as --help shows them.
    const { positionals } = parseCommandArgs(rest, {});
    if (positionals.length > 1) throw new UsageError("help takes one command, e.g. pocketmap help export");
    const topic = positionals[0];
    process.stdout.write(topic === undefined ? toolHelp() : commandHelp(commandNamed(topic)));
    return 0;
  }
  const command = commandNamed(name);
  const { values, positionals } = parseCommandArgs(rest, command.options);
  if (values.help) {
    process.stdout.write(commandHelp(command));
    return 0;
  }
  // The global flags' values are checked before any command runs, so before any server is reached.
  progressMode(values);
  const environment = connector(values);
  try {
    return await command.run({
      positionals,
      values,
      connect: environment.connect,
      stdout: process.stdout,
      stderr: process.stderr,
    });
  } finally {
    await environment.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // The reader went away (`pocketmap export C | head`): not a failure.
    if ((error as { code?: unknown } | null)?.code === "EPIPE") return;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`pocketmap: ${message.replace(/^pocketmap: /, "")}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
