import { findPocketBase } from "../../server/binary.ts";
import { type Command, expectArgs, write } from "../command.ts";

export const whichServer: Command = {
  name: "which-server",
  summary: "Print the PocketBase binary embedded mode would use, without installing.",
  usage: "",
  options: {},
  async run({ positionals, stdout, stderr }) {
    expectArgs(this, positionals, 0);
    const found = await findPocketBase({ install: false });
    await write(stdout, `${found.bin}\n`);
    await write(stderr, `PocketBase ${found.version} (from ${found.source})\n`);
    return 0;
  },
};
