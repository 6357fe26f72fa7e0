import { type Command, expectArgs, stringFlag, write } from "../command.ts";
import { onCollection } from "../records.ts";

export const watch: Command = {
  name: "watch",
  summary: "Print one NDJSON line per change to a collection's records, until Ctrl-C.",
  usage: "C",
  options: {
    filter: {
      type: "string",
      value: "EXPR",
      description: "only changes of records that match, e.g. 'n > 3'",
    },
  },
  details: `Each line is {"action":"create"|"update"|"delete","record":{…}}. Reconnects are noted on stderr
(changes may have been missed in between); Ctrl-C exits 130 at once.`,
  async run({ positionals, values, connect, stdout, stderr }) {
    expectArgs(this, positionals, 1);
    const name = positionals[0]!;
    const filter = stringFlag(values, "filter");
    const env = connect();
    const collection = env.collection(name);
    // A subscription to a missing collection, or with a filter the server rejects, is accepted and
    // then silent: one read first fails as get and export do (no collection "C", exit 1).
    await onCollection(env, name, () => collection.list({ perPage: 1, skipTotal: true, filter }));
    const quiet = values.quiet === true;
    // At once: nothing to finish or flush but lines already written.
    process.once("SIGINT", () => process.exit(130));
    process.once("SIGTERM", () => process.exit(143));
    env.on("disconnect", ({ data: { reason } }) => {
      stderr.write(`pocketmap: realtime connection lost (${reason}); reconnecting\n`);
    });
    env.on("reconnect", ({ data: { attempts } }) => {
      stderr.write(
        `pocketmap: reconnected after ${attempts} attempt(s); changes in between may have been missed\n`,
      );
    });
    await collection.subscribe(
      "*",
      (event) => {
        stdout.write(`${JSON.stringify({ action: event.action, record: event.record })}\n`);
      },
      { filter },
    );
    if (!quiet) await write(stderr, `watching ${name} (Ctrl-C to stop)\n`);
    return new Promise<number>(() => {});
  },
};
