import { NotFoundError } from "../../abstract/errors/not-found.ts";
import { type Command, expectArgs, stringFlag, write } from "../command.ts";
import { onCollection } from "../records.ts";

export const get: Command = {
  name: "get",
  summary: "Print a record as JSON.",
  usage: "C ID",
  options: {
    fields: { type: "string", value: "F", description: "only these fields, e.g. id,title" },
    expand: { type: "string", value: "E", description: "relations to expand, e.g. author" },
  },
  async run({ positionals, values, connect, stdout }) {
    expectArgs(this, positionals, 2);
    const [name, id] = positionals as [string, string];
    const options = { fields: stringFlag(values, "fields"), expand: stringFlag(values, "expand") };
    const env = connect();
    const record = await onCollection(env, name, () => env.collection(name).get(id, options));
    if (record === undefined) throw new NotFoundError({ status: 404, message: `no record ${id} in ${name}` });
    await write(stdout, `${JSON.stringify(record, null, 2)}\n`);
    return 0;
  },
};
