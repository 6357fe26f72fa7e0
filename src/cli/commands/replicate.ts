// pocketmap replicate SRC DST: env.replicate() from the command line, with progress.
import { InvalidInputError } from "../../abstract/errors/index.ts";
import { IDENTITY_NAMES, type IdentityNames } from "../../abstract/options.ts";
import type { ReplicateOptions, ReplicationSummary } from "../../abstract/replication-types.ts";
import { configuredServer, replicationCredentials, variableNames } from "../../env/config.ts";
import { setup } from "../../env/setup.ts";
import {
  type Command,
  expectArgs,
  IDENTITY_FLAGS,
  stringFlag,
  UsageError,
  type Values,
  write,
} from "../command.ts";
import { progressMode, startProgress } from "../progress.ts";

type Side = {
  url: string;
  email?: string;
  password?: string;
  token?: string;
  /** Where its identity came from, as errors (a refused login) say it. */
  [IDENTITY_NAMES]?: IdentityNames;
};

/**
 * A side from its argument: a URL, with credentials from the variables POCKETMAP_SOURCE_* /
 * POCKETMAP_TARGET_* (else the configured identity, when it is the configured URL). Never from the
 * command line, where any process could read them.
 */
function sideOf(arg: string, role: "SOURCE" | "TARGET", values: Values): Side {
  let url: URL;
  try {
    url = new URL(arg);
  } catch {
    // Not quoted: a mistyped URL may hold a password.
    throw new UsageError(`replicate: ${role.toLowerCase()} must be a server URL`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new UsageError(
      `replicate: put the ${role.toLowerCase()}'s credentials in POCKETMAP_${role}_EMAIL and POCKETMAP_${role}_PASSWORD (or _TOKEN), not in its URL`,
    );
  }
  const side: Side = { url: `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, "")}` };
  const own = replicationCredentials(role);
  if (own) {
    const names: IdentityNames = {
      source: "environment variables",
      token: `POCKETMAP_${role}_TOKEN`,
      email: `POCKETMAP_${role}_EMAIL`,
      password: `POCKETMAP_${role}_PASSWORD`,
    };
    return { ...side, ...own, [IDENTITY_NAMES]: names };
  }
  const configured = configuredServer({
    url: stringFlag(values, "url"),
    email: stringFlag(values, "email"),
    password: stringFlag(values, "password"),
    token: stringFlag(values, "token"),
  });
  if (configured?.url.replace(/\/$/, "") !== side.url || !configured.identity) return side;
  const flagged = ["token", "email", "password"].some((name) => stringFlag(values, name));
  return { ...side, ...configured.identity, [IDENTITY_NAMES]: flagged ? IDENTITY_FLAGS : variableNames() };
}

export const replicateCommand: Command = {
  name: "replicate",
  summary: "Copy collections from server SRC to server DST: schema, records with their ids, files, deletes.",
  usage: "SRC DST",
  options: {
    live: { type: "boolean", description: "keep following SRC's changes until Ctrl-C" },
    collections: {
      type: "string",
      value: "A,B",
      description: "only these collections (and what they relate to)",
    },
    filter: { type: "string", value: "EXPR", description: "only records that match, in every collection" },
  },
  details: `SRC and DST are server URLs. Each side's superuser comes from POCKETMAP_SOURCE_EMAIL and
POCKETMAP_SOURCE_PASSWORD (or POCKETMAP_SOURCE_TOKEN), POCKETMAP_TARGET_* likewise; a side that is the
configured server (--url, POCKETBASE_URL) uses its configured identity. Checkpoints are kept on DST, so
the next run reads only what changed (docs/replication.md). The summary is printed as JSON; what could
not be copied (auth passwords, hidden files) is said on stderr.`,
  async run({ positionals, values, stdout, stderr }) {
    expectArgs(this, positionals, 2);
    const source = sideOf(positionals[0]!, "SOURCE", values);
    const target = sideOf(positionals[1]!, "TARGET", values);
    const collections = stringFlag(values, "collections")
      ?.split(",")
      .map((name) => name.trim())
      .filter((name) => name !== "");
    const filter = stringFlag(values, "filter");
    const live = values.live === true;
    const mode = progressMode(values);
    const progress = await startProgress(mode, "replicate", undefined);
    const written = new Map<string, number>();
    const options: ReplicateOptions = {
      live,
      ...(collections ? { collections } : {}),
      ...(filter ? { filter } : {}),
      onProgress(p) {
        // Live changes count one each; a run's counts are running totals per collection.
        const before = written.get(p.collection) ?? 0;
        const now = p.phase === "live" ? before + p.written : Math.max(before, p.written);
        written.set(p.collection, now);
        progress.add(now - before);
      },
    };
    // The run's host: an environment on the target, exactly as given (no variables, no embedded server).
    const host = setup({ async: true, ...target, quiet: true });
    /** The exit code of a live run stopped by a signal. */
    let stoppedBy: number | undefined;
    try {
      const handle = host.replicate(source, target, options);
      if (live) {
        // As watch: 130 after Ctrl-C, 143 after SIGTERM, once the replication has stopped and its
        // summary (what it could not copy included) is printed below: the process then ends by itself.
        const stopOn = (code: number) => () => {
          stoppedBy = code;
          void handle.cancel();
        };
        process.once("SIGINT", stopOn(130));
        process.once("SIGTERM", stopOn(143));
        // `paused` follows every change copied: said once, and again only after a failure.
        let caughtUpSaid = false;
        handle.on("paused", () => {
          if (values.quiet !== true && !caughtUpSaid)
            stderr.write("pocketmap: caught up; following changes (Ctrl-C to stop)\n");
          caughtUpSaid = true;
        });
        handle.on("error", (error) => {
          caughtUpSaid = false;
          stderr.write(`pocketmap: ${error.message}; retrying\n`);
        });
      }
      const summary: ReplicationSummary = await handle;
      progress.stop();
      for (const line of summary.notCopied) stderr.write(`pocketmap: not copied: ${line}\n`);
      await write(stdout, `${JSON.stringify(summary)}\n`);
      return stoppedBy ?? 0;
    } catch (error) {
      progress.stop();
      if (error instanceof InvalidInputError) throw new UsageError(error.message.replace(/^pocketmap: /, ""));
      throw error;
    } finally {
      await host.close();
    }
  },
};
