// One pass of a replication: the schema, then each collection's changed records in dependency order
// (a relation cycle's fields in a second pass), then deletes in reverse order (children first).
import type { Environment } from "../../abstract/environment-types.ts";
import type { ReplicationSummary } from "../../abstract/replication-types.ts";
import type { Checkpoint } from "./checkpoints.ts";
import { checkCancelled, type RunContext, report, statsOf } from "./context.ts";
import { removeDeleted } from "./deletes.ts";
import { type CollectionPlan, copySchema, orderCycle, plan, readModels } from "./plan.ts";
import { type Cursor, copyChanged, copyCyclic } from "./records.ts";

/** The plan of a replication: the source's models, chosen and ordered; the schema copied to the target. */
export async function prepare(
  source: Environment<"async">,
  target: Environment<"async">,
  collections: readonly string[] | undefined,
): Promise<CollectionPlan[]> {
  const plans = plan(await readModels(source), collections);
  await copySchema(target, plans);
  return plans;
}

/** Copies records and deletes, collection by collection; the schema is copied already. */
export async function copyAll(context: RunContext, plans: readonly CollectionPlan[]): Promise<void> {
  await copyRecords(context, plans);
  await removeAll(context, plans);
}

/** Copies each collection's changed records, in relation order (a cycle in two passes). */
export async function copyRecords(context: RunContext, plans: readonly CollectionPlan[]): Promise<void> {
  const records = plans.filter((p) => p.type !== "view");
  for (const p of records) statsOf(context, p.name);
  for (let i = 0; i < records.length; ) {
    let group = records.filter((p) => p.group === records[i]!.group);
    i += group.length;
    const cyclic = group.some((p) => p.cycleRelations.length > 0);
    if (cyclic) {
      const sizes = new Map<string, number>();
      for (const p of group) {
        sizes.set(
          p.name,
          await context.source.collection(p.name).count({ filter: context.filterOf(p.name) || undefined }),
        );
      }
      group = orderCycle(group, sizes);
    }
    const done: { plan: CollectionPlan; checkpoint: Checkpoint | undefined; start: Cursor | undefined }[] =
      [];
    for (const p of group) done.push({ plan: p, ...(await copyChanged(context, p, cyclic)) });
    if (!cyclic) continue;
    for (const { plan: p, start } of done) await copyCyclic(context, p, start);
    // Only now is the cycle whole on the target: a run killed before this reads it again.
    for (const { plan: p, checkpoint } of done) {
      if (checkpoint) await context.store.save(p.model.id, context.filterOf(p.name), checkpoint);
    }
  }
}

/** Deletes from the target what the source no longer has, children first. */
export async function removeAll(context: RunContext, plans: readonly CollectionPlan[]): Promise<void> {
  for (const p of plans.filter((q) => q.type !== "view").reverse()) {
    await removeDeleted(context, p);
    report(context, p.name, "deletes");
    checkCancelled(context);
  }
}

/** The summary of what a run did, from its context. */
export function summaryOf(context: RunContext, started: number): ReplicationSummary {
  const collections = [...context.stats.values()];
  const notCopied: string[] = [];
  const { passwords, files } = context.lost;
  if (passwords > 0) {
    notCopied.push(
      `${passwords} auth record(s) were created on the target without their password: PocketBase never lets password hashes out, so each got a random one (its user must reset it)`,
    );
  }
  if (files > 0) {
    notCopied.push(
      `${files} file(s) were not copied: the source refused them to this identity (its rules hide them)`,
    );
  }
  const sum = (key: "read" | "written" | "deleted") => collections.reduce((n, c) => n + c[key], 0);
  return {
    collections,
    read: sum("read"),
    written: sum("written"),
    deleted: sum("deleted"),
    notCopied,
    conflicts: [...context.conflicts],
    ms: Date.now() - started,
  };
}
