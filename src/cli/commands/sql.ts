import { type Command, choiceFlag, expectArgs, write } from "../command.ts";
import { alignedTable } from "../table.ts";

export const sql: Command = {
  name: "sql",
  summary: "Run an SQL query on the server (PocketBase 0.39 or newer) and print its rows.",
  usage: '"QUERY"',
  options: {
    format: { type: "string", short: "f", value: "F", description: "table (default), csv or json" },
  },
  async run({ positionals, values, connect, stdout }) {
    expectArgs(this, positionals, 1);
    const format = choiceFlag(values, "format", ["table", "csv", "json"] as const, "table");
    const result = await connect().admin.sql(positionals[0]!);
    const names = result.columns.map((column) => column.name);
    if (format === "json") {
      const rows = result.rows.map((row) =>
        Object.fromEntries(names.map((name, i) => [name, row[i] ?? null])),
      );
      await write(stdout, `${JSON.stringify(rows, null, 2)}\n`);
    } else if (format === "csv") {
      const { stringify } = await import("csv-stringify/sync");
      await write(stdout, stringify(result.rows, { header: true, columns: names }));
    } else if (names.length === 0) {
      await write(stdout, `${result.affectedRows} rows changed\n`);
    } else {
      await write(
        stdout,
        alignedTable([names, ...result.rows.map((row) => row.map((value) => value ?? "NULL"))]),
      );
    }
    return 0;
  },
};
