import { type Command, expectArgs, write } from "../command.ts";
import { onCollection } from "../records.ts";

export const rm: Command = {
  name: "rm",
  summary: "Delete records by id; exit 1 (naming them) if some did not exist.",
  usage: "C ID...",
  options: {},
  async run({ positionals, connect, stdout, stderr }) {
    expectArgs(this, positionals, 2, Number.POSITIVE_INFINITY);
    const [name, ...ids] = positionals as [string, ...string[]];
    const env = connect();
    const deleted = await onCollection(env, name, () => env.collection(name).deleteMany(ids));
    const missing = ids.filter((_, i) => !deleted[i]);
    await write(
      stdout,
      ids
        .filter((_, i) => deleted[i])
        .map((id) => `deleted ${id}\n`)
        .join(""),
    );
    if (missing.length === 0) return 0;
    await write(stderr, `pocketmap: no record ${missing.join(", ")} in ${name}\n`);
    return 1;
  },
};
