// The `pocketmap` command: global flags, then one command from the table (src/cli/commands).
// Started by pocketmap.ts, once the compile cache is on.
import type { AsyncEnvironment } from "../async/environment.ts";
import { setup } from "../env/setup.ts";
import {
  type Command,
  commandHelp,
  flagLines,
  GLOBAL_FLAGS,
  parseCommandArgs,
  stringFlag,
  takesValue,
  UsageError,
  type Values,
} from "./command.ts";
import { COMMANDS } from "./commands/index.ts";
import { progressMode } from "./progress.ts";
import { didYouMean } from "./suggest.ts";

function toolHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length)) + 2;
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(width)}${command.summary}\n`).join("");
  return `Usage: pocketmap <command> [options]\n\nCommands:\n${lines}\nGlobal options:\n${flagLines(GLOBAL_FLAGS)}\nConfigured as setup() is: flags, else variables, else .env; nothing set starts an embedded PocketBase.\n'pocketmap <command> --help' shows a command's options.\n`;
}

/** The environment of the global flags, configured exactly as setup() configures one. */
function connector(values: Values): { connect: () => AsyncEnvironment; close: () => Promise<void> } {
  let env: AsyncEnvironment | undefined;
  return {
    connect() {
      env ??= setup({
        async: true,
        url: stringFlag(values, "url"),
        email: stringFlag(values, "email"),
        password: stringFlag(values, "password"),
        token: stringFlag(values, "token"),
        ...(values.quiet === true ? { quiet: true } : {}),
      });
      return env;
    },
    close: async () => env?.close(),
  };
}

async function main(argv: string[]): Promise<number> {
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
  if (name === undefined || name === "help") {
    const { values } = parseCommandArgs(rest, {});
    const help = toolHelp();
    process[values.help || name === "help" ? "stdout" : "stderr"].write(help);
    return values.help || name === "help" ? 0 : 2;
  }
  const command: Command | undefined = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    const names = COMMANDS.map((candidate) => candidate.name);
    throw new UsageError(
      `unknown command ${JSON.stringify(name)}${didYouMean(name, names)} (pocketmap --help lists them)`,
    );
  }
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
