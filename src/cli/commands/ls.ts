import type { CollectionModel } from "../../abstract/admin-types.ts";
import type { AsyncEnvironment } from "../../async/environment.ts";
import { type Command, expectArgs, write } from "../command.ts";
import { alignedTable } from "../table.ts";

/** Every collection's model, page by page. */
export async function allCollections(env: AsyncEnvironment): Promise<CollectionModel[]> {
  const models: CollectionModel[] = [];
  for (let page = 1; ; page++) {
    const result = await env.admin.collections.list({ page, perPage: 200, sort: "name" });
    models.push(...result.items);
    if (page >= result.totalPages || result.items.length === 0) return models;
  }
}

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
    const models = (await allCollections(env)).filter((model) => values.system || !model.system);
    const counts = await Promise.all(models.map((model) => env.collection(model.name).count()));
    const rows = models.map((model, i) => [model.name, model.type, String(counts[i])]);
    await write(stdout, alignedTable([["NAME", "TYPE", "COUNT"], ...rows]));
    return 0;
  },
};
