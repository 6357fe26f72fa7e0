// A plain CLI script on the sync API: no await anywhere.
//   node examples/cli.ts <collection> list
//   node examples/cli.ts <collection> get <id>
//   node examples/cli.ts <collection> set <id> '{"title":"Hello"}'
//   node examples/cli.ts <collection> delete <id>
// Reads POCKETBASE_URL / POCKETBASE_EMAIL / POCKETBASE_PASSWORD (or .env).
import { parseArgs } from "node:util";
import { setup } from "pocketmap";

const { positionals } = parseArgs({ allowPositionals: true });
const [collection, command, id, json] = positionals;
if (!collection || !command) {
  console.error("usage: cli.ts <collection> list | get <id> | set <id> <json> | delete <id>");
  process.exit(2);
}

const env = setup();
const records = env.collection(collection);

switch (command) {
  case "list":
    for (const [key, record] of records) console.log(key, JSON.stringify(record));
    break;
  case "get": {
    const record = records.get(id ?? "");
    if (!record) {
      console.error(`no record ${id}`);
      process.exitCode = 1;
    } else console.log(JSON.stringify(record));
    break;
  }
  case "set":
    records.set(id ?? "", JSON.parse(json ?? "{}"));
    console.log(JSON.stringify(records.get(id ?? "")));
    break;
  case "delete":
    console.log(records.delete(id ?? "") ? `deleted ${id}` : `no record ${id}`);
    break;
  default:
    console.error(`unknown command ${command}`);
    process.exitCode = 2;
}
