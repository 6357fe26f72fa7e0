// pretest: installs every PocketBase the suite runs (the pinned one, then test/versions.ts) into the
// cache, through the same installer as `pocketmap install-server`; cached ones are not fetched again.
// Also the oldest Node the package supports, and one too old, from the npm registry's `node` package,
// into the same cache: as a devDependency its `node` bin would compete with Node 24's for
// node_modules/.bin/node.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { installPocketBase, pinnedVersion, pocketBaseVersion } from "../src/server/binary.ts";
import { nodeBin, OLDEST_NODE, OLDEST_POCKETBASE, POCKETBASE_022, TOO_OLD_NODE } from "./versions.ts";

for (const version of [pinnedVersion(), OLDEST_POCKETBASE, POCKETBASE_022]) {
  const bin = await installPocketBase(version);
  console.log(`PocketBase ${await pocketBaseVersion(bin)}: ${bin}`);
}

for (const version of [OLDEST_NODE, TOO_OLD_NODE]) {
  const { bin, prefix } = nodeBin(version);
  if (!existsSync(bin)) {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    execFileSync(
      npm,
      [
        "install",
        "--prefix",
        prefix,
        "--no-save",
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
        `node@${version}`,
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
  }
  console.log(`node ${execFileSync(bin, ["--version"], { encoding: "utf8" }).trim()}: ${bin}`);
}
