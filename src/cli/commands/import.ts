import type { WriteStream } from "node:fs";
import { type Command, choiceFlag, expectArgs, stringFlag, UsageError, write } from "../command.ts";
import { converter, RowError } from "../convert.ts";
import { type Reject, type Row, resolveKeys, writeRows } from "../import-writer.ts";
import { progressMode, startProgress } from "../progress.ts";
import { modelOf } from "../records.ts";
import { IMPORT_FORMATS, readRows } from "../rows.ts";

const SHOWN_REJECTS = 10;

export const importCommand: Command = {
  name: "import",
  summary: "Write records from a JSON, NDJSON, CSV or TSV file (or - for stdin); bad rows are set aside.",
  usage: "C FILE|-",
  options: {
    format: {
      type: "string",
      short: "f",
      value: "F",
      description: "auto (default: by name, else content), json, ndjson, csv, tsv",
    },
    mode: {
      type: "string",
      value: "M",
      description: "insert (default: create every row) or upsert (by id, or --key)",
    },
    key: { type: "string", value: "FIELD", description: "upsert: match records by this field instead of id" },
    "dry-run": { type: "boolean", description: "convert and check the rows, write nothing" },
    errors: {
      type: "string",
      value: "FILE",
      description: "write rejected rows to FILE as NDJSON {row, reason, data}",
    },
    batch: { type: "string", value: "N", description: "rows per createMany/upsertMany call (default 1000)" },
  },
  details: `CSV and TSV cells are converted by the collection's field types: bool (true/false/1/0/yes/no),
number, json (JSON text), select and relation lists (a,b or ["a","b"]), dates. An empty cell is omitted
on insert (the server's default applies) and clears its field on upsert.
File and autodate fields are not imported. Exit 1 when any row was rejected; the others are written.`,
  async run({ positionals, values, connect, stderr }) {
    expectArgs(this, positionals, 2);
    const [name, file] = positionals as [string, string];
    const format = choiceFlag(values, "format", IMPORT_FORMATS, "auto");
    const mode = choiceFlag(values, "mode", ["insert", "upsert"] as const, "insert");
    const key = stringFlag(values, "key");
    if (key !== undefined && mode !== "upsert") throw new UsageError("--key needs --mode upsert");
    if (key !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      throw new UsageError(`--key ${JSON.stringify(key)} is no field name`);
    const batch = Number(stringFlag(values, "batch", "1000"));
    if (!Number.isInteger(batch) || batch < 1) throw new UsageError("--batch must be a positive integer");
    const dryRun = values["dry-run"] === true;
    const errorsFile = stringFlag(values, "errors");

    // The file first: one that cannot be read fails before any server is reached.
    const { format: actual, rows, bytes } = await readRows(file, format);
    const env = connect();
    const model = await modelOf(env, name);
    const convert = converter(model, mode === "upsert");
    const collection = env.collection(name);
    const typed = actual === "json" || actual === "ndjson";

    const rejectsOut: WriteStream | undefined =
      errorsFile === undefined
        ? undefined
        : process.getBuiltinModule("node:fs").createWriteStream(errorsFile);
    let rejected = 0;
    let written = 0;
    const shown: string[] = [];
    const onRejects = async (rejects: Reject[]) => {
      for (const reject of rejects) {
        rejected++;
        if (rejectsOut) await write(rejectsOut, `${JSON.stringify(reject)}\n`);
        else if (shown.length < SHOWN_REJECTS) shown.push(`row ${reject.row}: ${reject.reason}`);
      }
    };
    const progress = await startProgress(progressMode(values), `import ${name}`, undefined, bytes);
    const keys = new Map<string, string>();
    const flush = async (chunk: Row[]) => {
      let ready = chunk;
      if (key !== undefined && key !== "id") {
        const resolved = await resolveKeys(collection, key, chunk, keys);
        await onRejects(resolved.rejects);
        ready = resolved.rows;
      }
      if (dryRun) {
        written += ready.length;
        progress.add(chunk.length);
        return;
      }
      const result = await writeRows(collection, mode, ready);
      written += result.written;
      progress.add(chunk.length);
      await onRejects(result.rejects);
    };

    let chunk: Row[] = [];
    for await (const input of rows) {
      if (input.error !== undefined) {
        await onRejects([{ row: input.row, reason: input.error, data: input.raw }]);
        progress.add(1);
        continue;
      }
      try {
        chunk.push({ row: input.row, data: convert(input.values, typed), raw: input.values });
      } catch (error) {
        if (!(error instanceof RowError)) throw error;
        await onRejects([{ row: input.row, reason: error.message, data: input.values }]);
        progress.add(1);
      }
      if (chunk.length >= batch) {
        await flush(chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) await flush(chunk);
    progress.stop();
    if (rejectsOut) {
      rejectsOut.end();
      await process.getBuiltinModule("node:stream/promises").finished(rejectsOut);
    }

    const verb = dryRun ? "would import" : "imported";
    const where = errorsFile ? ` (in ${errorsFile})` : "";
    const more =
      !errorsFile && rejected > shown.length
        ? `  … and ${rejected - shown.length} more (--errors FILE keeps them all)\n`
        : "";
    const listed = shown.map((line) => `  ${line}\n`).join("");
    await write(
      stderr,
      `${verb} ${written} rows into ${name}; ${rejected} rejected${where}\n${listed}${more}`,
    );
    return rejected > 0 ? 1 : 0;
  },
};
