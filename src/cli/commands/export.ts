import { type Command, choiceFlag, expectArgs, stringFlag } from "../command.ts";
import { type Progress, progressMode, startProgress } from "../progress.ts";
import { cell, columnsOf, jsonFields, modelOf, secretFields } from "../records.ts";
import { formatOfName } from "../rows.ts";

const FORMATS = ["ndjson", "json", "csv", "tsv"] as const;

export const exportCommand: Command = {
  name: "export",
  summary: "Write a collection's records as JSON, NDJSON, CSV or TSV, streamed in constant memory.",
  usage: "C",
  options: {
    format: { type: "string", short: "f", value: "F", description: "ndjson (default), json, csv or tsv" },
    filter: { type: "string", value: "EXPR", description: "a PocketBase filter, e.g. 'n > 3'" },
    sort: { type: "string", value: "S", description: "e.g. -created,title" },
    fields: { type: "string", value: "F", description: "only these fields (and CSV columns), e.g. id,title" },
    expand: { type: "string", value: "E", description: "relations to expand (one JSON column in CSV)" },
    output: { type: "string", short: "o", value: "FILE", description: "write to FILE instead of stdout" },
  },
  details: `CSV and TSV columns are id and the collection's fields in their order; JSON and object
values are written as JSON text, empty values as empty cells. -o FILE.csv implies -f csv.`,
  async run({ positionals, values, connect, stdout }) {
    expectArgs(this, positionals, 1);
    const name = positionals[0]!;
    const file = stringFlag(values, "output");
    const format = choiceFlag(values, "format", FORMATS, formatOfName(file) ?? "ndjson");
    const env = connect();
    const model = await modelOf(env, name);
    const fields = stringFlag(values, "fields");
    const expand = stringFlag(values, "expand");
    const filter = stringFlag(values, "filter");
    const collection = env.collection(name);
    const mode = progressMode(values);
    const total = mode === "none" ? undefined : await collection.count({ filter });
    const progress = await startProgress(mode, `export ${name}`, total);
    const records = counted(
      collection.iterate({ filter, sort: stringFlag(values, "sort"), fields, expand }),
      progress,
      secretFields(model),
    );
    const { Readable } = process.getBuiltinModule("node:stream");
    const { pipeline } = process.getBuiltinModule("node:stream/promises");
    const out = file === undefined ? stdout : process.getBuiltinModule("node:fs").createWriteStream(file);
    if (format === "csv" || format === "tsv") {
      const columns = columnsOf(model, fields, expand);
      const json = jsonFields(model);
      const rows = Readable.from(
        (async function* () {
          for await (const record of records)
            yield columns.map((column) => cell(record[column], json.has(column)));
        })(),
      );
      const delimiter = format === "csv" ? "," : "\t";
      // Loaded when used: every command starts faster without it.
      const { stringify } = await import("csv-stringify");
      await pipeline(rows, stringify({ header: true, columns, delimiter }), out);
    } else {
      const lines = Readable.from(
        (async function* () {
          let first = true;
          if (format === "json") yield "[";
          for await (const record of records) {
            const text = JSON.stringify(record);
            yield format === "json" ? `${first ? "\n" : ",\n"}${text}` : `${text}\n`;
            first = false;
          }
          if (format === "json") yield first ? "]\n" : "\n]\n";
        })(),
        { objectMode: false },
      );
      await pipeline(lines, out);
    }
    progress.stop();
    return 0;
  },
};

/** The records without their secret fields, telling `progress` as each one passes. */
async function* counted<R extends Record<string, unknown>>(
  records: AsyncIterable<R>,
  progress: Progress,
  secrets: readonly string[],
): AsyncGenerator<R> {
  for await (const record of records) {
    for (const name of secrets) delete record[name];
    progress.add(1);
    yield record;
  }
}
