import { cacheDir, installPocketBase, pinnedVersion, pocketBaseVersion } from "../../server/binary.ts";
import { nodeModules } from "../../server/node-modules.ts";
import { type Command, expectArgs, stringFlag, write } from "../command.ts";

export const installServer: Command = {
  name: "install-server",
  summary: "Install PocketBase into the cache unless it is already there; prints its path and version.",
  usage: "",
  options: {
    version: {
      type: "string",
      value: "X",
      description: `the version to install (default ${pinnedVersion()})`,
    },
  },
  details: `Environment:
  POCKETBASE_BIN                use this pocketbase executable
  POCKETMAP_CACHE_DIR           cache directory (now ${cacheDir()})
  POCKETMAP_POCKETBASE_VERSION  version to install and look for in the cache`,
  async run({ positionals, values, stdout, stderr }) {
    expectArgs(this, positionals, 0);
    const version = stringFlag(values, "version", pinnedVersion())!;
    const cached = nodeModules.path.join(cacheDir(), `pocketbase-${version}`, "pocketbase");
    const { access, constants } = nodeModules.fsPromises;
    const already = await access(cached, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (!already) await write(stderr, `Installing PocketBase ${version} into ${cacheDir()} ...\n`);
    const bin = await installPocketBase(version);
    const actual = await pocketBaseVersion(bin);
    await write(stdout, `${bin}\n`);
    await write(stderr, `PocketBase ${actual} ${already ? "already installed" : "installed"}\n`);
    return 0;
  },
};
