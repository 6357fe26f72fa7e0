import { NotFoundError } from "../../abstract/errors/not-found.ts";
import { type Command, expectArgs, write } from "../command.ts";
import { allCollections } from "../records.ts";
import { alignedTable } from "../table.ts";

export const ls: Command = {
  name: "ls",
  summary: "List collections with their type and record count.",
  usage: "",
  options: {
    system: { type: "boolean", description: "include system collections (_superusers, _otps…)" },
  },
  async run({ positionals, values, connect, stdout }) {
    expectArgs(this, positionals, 0);
    const env = connect();
    const models = await allCollections(env, values.system === true);
    // A collection deleted between the list and its count is gone: it is left out, not an error.
    const counts = await Promise.all(
      models.map((model) =>
        env
          .collection(model.name)
          .count()
          .catch((error: unknown) => {
            if (error instanceof NotFoundError) return undefined;
            throw error;
          }),
      ),
    );
    const rows = models.flatMap((model, i) =>
      counts[i] === undefined ? [] : [[model.name, model.type, String(counts[i])]],
    );
    await write(stdout, alignedTable([["NAME", "TYPE", "COUNT"], ...rows]));
    return 0;
  },
};
