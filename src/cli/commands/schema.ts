import type { CollectionModel } from "../../abstract/admin-types.ts";
import { type Command, expectArgs, stringFlag, UsageError, write, writeOutput } from "../command.ts";
import { allCollections } from "../records.ts";
import { didYouMean } from "../suggest.ts";

export const schema: Command = {
  name: "schema",
  summary: "Export the collections' models as JSON, or import them from such a file.",
  usage: "export | import FILE",
  options: {
    output: {
      type: "string",
      short: "o",
      value: "FILE",
      description: "export: write to FILE instead of stdout",
    },
    "delete-missing": {
      type: "boolean",
      description: "import: also delete collections the file does not name",
    },
    "dry-run": { type: "boolean", description: "import: say what would change, change nothing" },
  },
  details: `'schema export' writes every collection's model (as the dashboard's import/export does);
'schema import FILE' creates or updates those collections in one transaction.`,
  async run({ positionals, values, connect, stdout, stderr }) {
    const action = positionals[0];
    if (action === "export") {
      expectArgs(this, positionals, 1);
      const text = `${JSON.stringify(await allCollections(connect()), null, 2)}\n`;
      await writeOutput(stringFlag(values, "output"), text, stdout);
      return 0;
    }
    if (action === undefined) {
      throw new UsageError(
        `schema: missing subcommand export or import; usage: pocketmap schema ${this.usage}`,
      );
    }
    if (action !== "import") {
      const actions = ["export", "import"];
      throw new UsageError(
        `schema: expected export or import, not ${JSON.stringify(action)}${didYouMean(action, actions)}`,
      );
    }
    expectArgs(this, positionals, 2);
    let models: CollectionModel[];
    try {
      models = JSON.parse(
        await process.getBuiltinModule("node:fs/promises").readFile(positionals[1]!, "utf8"),
      );
    } catch (error) {
      throw new UsageError(
        `schema import: ${positionals[1]} is not a JSON file of models: ${(error as Error).message}`,
      );
    }
    if (!Array.isArray(models))
      throw new UsageError("schema import: the file must hold an array of collection models");
    const env = connect();
    const current = await allCollections(env);
    const names = new Set(current.map((model) => model.name));
    const wanted = new Set(models.map((model) => model.name));
    const created = models.filter((model) => !names.has(model.name)).map((model) => model.name);
    const updated = models.filter((model) => names.has(model.name)).map((model) => model.name);
    const deleted = values["delete-missing"]
      ? current.filter((model) => !wanted.has(model.name) && !model.system).map((model) => model.name)
      : [];
    const dryRun = values["dry-run"] === true;
    const plan = { created, updated, deleted };
    const lines = Object.entries(plan).map(
      ([verb, list]) => `  ${verb} ${list.length}${list.length ? `: ${list.join(", ")}` : ""}\n`,
    );
    if (!dryRun)
      await env.admin.collections.import(models, { deleteMissing: values["delete-missing"] === true });
    await write(
      stderr,
      `${dryRun ? "dry run, nothing changed; it would have " : ""}collections:\n${lines.join("")}`,
    );
    return 0;
  },
};
