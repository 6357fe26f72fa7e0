// env.sync(a, b): replication both ways. Each direction writes a record only when the other side's
// version differs in content (so a write one direction made is never copied back: no echo), and when
// both changed, by one rule both directions apply alike: the version with the later `updated` wins
// (equal times: the one whose content sorts last), so both sides converge on it; the conflict is
// reported once, by the direction whose version lost. A delete walk deletes only what the other
// direction has already carried over (a record the other side created since is kept: an update wins
// over a delete).
import type { Environment } from "../../abstract/environment-types.ts";
import type { ReplicateOptions, ReplicationSummary } from "../../abstract/replication-types.ts";
import type { CheckpointStore } from "./checkpoints.ts";
import { contextFor, type Row, type RunContext } from "./context.ts";
import type { ReplicationHandle } from "./handle.ts";
import { followLive } from "./live.ts";
import type { CollectionPlan } from "./plan.ts";
import { copyRecords, prepare, removeAll, summaryOf } from "./run.ts";
import { uploadName } from "./write.ts";

const SYSTEM = new Set(["collectionId", "collectionName", "expand"]);
/** Ids looked up per request. */
const LOOKUP = 100;

/** JSON with object keys sorted: equal content, equal text. */
function stable(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** A record's content as both sides store it: no autodates, file names without their random suffix. */
export function content(plan: CollectionPlan, record: Row): string {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(record)) {
    if (SYSTEM.has(field) || plan.autodates.includes(field)) continue;
    out[field] = plan.fileFields.includes(field)
      ? ([] as unknown[])
          .concat(value ?? [])
          .filter((name) => typeof name === "string" && name !== "")
          .map((name) => uploadName(name as string))
      : value;
  }
  return stable(out);
}

/** The target's versions of `ids`, by id. */
async function versions(target: Environment<"async">, name: string, ids: readonly string[]) {
  const found = new Map<string, Row>();
  for (let i = 0; i < ids.length; i += LOOKUP) {
    const chunk = ids.slice(i, i + LOOKUP);
    const page = await target
      .collection(name)
      .list({ filter: { id: chunk }, perPage: LOOKUP, skipTotal: true });
    for (const item of page.items) found.set(item.id, item as Row);
  }
  return found;
}

/** One direction's choice of what to write, towards `side` ("a" or "b"). */
function selector(context: RunContext, side: "a" | "b", reported: Set<string>) {
  return async (plan: CollectionPlan, records: readonly Row[]): Promise<Row[]> => {
    if (records.length === 0) return [];
    const theirs = await versions(
      context.target,
      plan.name,
      records.map((r) => r.id),
    );
    const out: Row[] = [];
    for (const record of records) {
      const other = theirs.get(record.id);
      if (!other) {
        out.push(record);
        continue;
      }
      const [mine, their] = [content(plan, record), content(plan, other)];
      // The same content: nothing to do (this is how a write of the other direction is not echoed).
      if (mine === their) continue;
      const [u, v] = [String(record.updated ?? ""), String(other.updated ?? "")];
      if (v > u || (v === u && their > mine)) {
        const key = `${plan.name}/${record.id}`;
        if (!reported.has(key)) {
          reported.add(key);
          context.conflicts.push({ collection: plan.name, id: record.id, winner: side });
        }
        continue;
      }
      out.push(record);
    }
    return out;
  };
}

/** Deletes towards the target only of records the other direction (target → source) has passed. */
function deletable(context: RunContext, reverse: CheckpointStore) {
  return async (plan: CollectionPlan) => {
    if (!plan.incremental) return () => false;
    const checkpoint = await reverse.load(plan.model.id, context.filterOf(plan.name));
    return (updated: string) => checkpoint !== undefined && updated !== "" && updated <= checkpoint.updated;
  };
}

/** Both directions' counts as one summary (per collection, summed). */
function merged(ab: ReplicationSummary, ba: ReplicationSummary, started: number): ReplicationSummary {
  const byName = new Map<string, { name: string; read: number; written: number; deleted: number }>();
  for (const c of [...ab.collections, ...ba.collections]) {
    const found = byName.get(c.name) ?? { name: c.name, read: 0, written: 0, deleted: 0 };
    found.read += c.read;
    found.written += c.written;
    found.deleted += c.deleted;
    byName.set(c.name, found);
  }
  return {
    collections: [...byName.values()],
    read: ab.read + ba.read,
    written: ab.written + ba.written,
    deleted: ab.deleted + ba.deleted,
    notCopied: [...ab.notCopied, ...ba.notCopied],
    conflicts: [...ab.conflicts, ...ba.conflicts],
    ms: Date.now() - started,
  };
}

/** Runs a two-way sync between open sides `a` and `b`; see docs/replication.md. */
export async function syncSides(
  a: Environment<"async">,
  b: Environment<"async">,
  options: ReplicateOptions,
  signal: AbortSignal,
  handle: ReplicationHandle,
): Promise<ReplicationSummary> {
  const started = Date.now();
  const ab = await contextFor(a, b, options, signal, handle);
  const ba = await contextFor(b, a, options, signal, handle);
  const reported = new Set<string>();
  ab.select = selector(ab, "b", reported);
  ba.select = selector(ba, "a", reported);
  ab.deletable = deletable(ab, ba.store);
  ba.deletable = deletable(ba, ab.store);
  // Each side's schema to the other: after both, both have every collection.
  await prepare(a, b, options.collections);
  const plans = await prepare(b, a, options.collections);
  await Promise.all([ab.store.ready(), ba.store.ready()]);
  if (options.live) {
    const [one, two] = await Promise.all([
      followLive(ab, plans, handle, started),
      followLive(ba, plans, handle, started),
    ]);
    return merged(one, two, started);
  }
  try {
    await copyRecords(ab, plans);
    await copyRecords(ba, plans);
    await removeAll(ab, plans);
    await removeAll(ba, plans);
  } catch (error) {
    if (!signal.aborted) throw error;
  }
  return merged(summaryOf(ab, started), summaryOf(ba, started), started);
}
