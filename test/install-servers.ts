// pretest: installs every PocketBase the suite runs (the pinned one, then test/versions.ts) into the
// cache, through the same installer as `pocketmap install-server`; cached ones are not fetched again.
import { installPocketBase, pinnedVersion, pocketBaseVersion } from "../src/server/binary.ts";
import { OLDEST_POCKETBASE, POCKETBASE_022 } from "./versions.ts";

for (const version of [pinnedVersion(), OLDEST_POCKETBASE, POCKETBASE_022]) {
  const bin = await installPocketBase(version);
  console.log(`PocketBase ${await pocketBaseVersion(bin)}: ${bin}`);
}
