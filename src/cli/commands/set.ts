import { type Command, expectArgs, UsageError, write } from "../command.ts";
import { onCollection } from "../records.ts";

export const set: Command = {
  name: "set",
  summary: "Create or update the record with this id (an upsert); prints the record.",
  usage: "C ID JSON",
  options: {},
  details: `JSON is an object of field values, e.g. '{"title":"Hello","n":3}'.`,
  async run({ positionals, connect, stdout }) {
    expectArgs(this, positionals, 3);
    const [name, id, text] = positionals as [string, string, string];
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new UsageError(
        `set: the record ${JSON.stringify(text)} is not valid JSON: ${(error as Error).message.replace(/, ".*" is not valid JSON$/s, "")}`,
      );
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
      throw new UsageError(`set: the record ${JSON.stringify(text)} must be a JSON object of field values`);
    }
    const env = connect();
    const [record] = await onCollection(env, name, () =>
      env.collection(name).upsertMany([{ ...(data as Record<string, unknown>), id }]),
    );
    await write(stdout, `${JSON.stringify(record, null, 2)}\n`);
    return 0;
  },
};
