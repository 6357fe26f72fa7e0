#!/usr/bin/env node
// The `pocketmap` command: installs and locates the PocketBase binary used by embedded mode.
// No top-level await: tsup also bundles this file as CommonJS.
import { access, constants } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  cacheDir,
  findPocketBase,
  installPocketBase,
  pinnedVersion,
  pocketBaseVersion,
} from "../server/binary.ts";

const HELP = `Usage: pocketmap <command> [options]

Commands:
  install-server [--version X]  install PocketBase X (default ${pinnedVersion()}) into the cache
                                unless it is already there; prints its path and version
  which-server                  print the PocketBase binary embedded mode would use, without installing

Options:
  -h, --help                    show this help

Environment:
  POCKETBASE_BIN                use this pocketbase executable
  POCKETMAP_CACHE_DIR           cache directory (now ${cacheDir()})
  POCKETMAP_POCKETBASE_VERSION  version to install and look for in the cache
`;

async function installServer(version: string): Promise<void> {
  const cached = join(cacheDir(), `pocketbase-${version}`, "pocketbase");
  const already = await access(cached, constants.X_OK).then(
    () => true,
    () => false,
  );
  if (!already) process.stderr.write(`Installing PocketBase ${version} into ${cacheDir()} ...\n`);
  const bin = await installPocketBase(version);
  const actual = await pocketBaseVersion(bin);
  process.stdout.write(`${bin}\n`);
  process.stderr.write(`PocketBase ${actual} ${already ? "already installed" : "installed"}\n`);
}

async function whichServer(): Promise<void> {
  const found = await findPocketBase({ install: false });
  process.stdout.write(`${found.bin}\n`);
  process.stderr.write(`PocketBase ${found.version} (from ${found.source})\n`);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: "boolean", short: "h" },
      version: { type: "string" },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === "help") {
    process.stdout.write(HELP);
    return 0;
  }
  if (rest.length > 0) throw new Error(`unexpected argument ${JSON.stringify(rest[0])}`);
  if (values.version !== undefined && command !== "install-server") {
    throw new Error("--version only applies to install-server");
  }
  switch (command) {
    case "install-server":
      await installServer(values.version ?? pinnedVersion());
      return 0;
    case "which-server":
      await whichServer();
      return 0;
    case undefined:
      process.stderr.write(HELP);
      return 1;
    default:
      throw new Error(`unknown command ${JSON.stringify(command)} (try --help)`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`pocketmap: ${message.replace(/^pocketmap: /, "")}\n`);
    process.exitCode = 1;
  },
);
