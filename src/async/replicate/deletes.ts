// Deletes are invisible to polling: PocketBase keeps no tombstones. A run finds them by walking the
// ids of both sides in id order at once (`fields=id`, keyset pages), in constant memory: an id the
// target has and the source (under the filter) does not is deleted on the target.
import { checkCancelled, type RunContext, report, statsOf } from "./context.ts";
import type { CollectionPlan } from "./plan.ts";
import { pagesAfter } from "./records.ts";

/** Ids deleted per deleteMany call. */
const DELETE_CHUNK = 500;

/** Ids (and `updated`) of a side's collection in id order, one by one. */
async function* idsOf(
  context: RunContext,
  side: "source" | "target",
  plan: CollectionPlan,
  filter: string,
): AsyncGenerator<{ id: string; updated: string }> {
  const byId = { ...plan, incremental: false };
  const env = side === "source" ? context.source : context.target;
  const fields = plan.incremental ? "id,updated" : "id";
  for await (const page of pagesAfter(env, byId, filter, undefined, { fields, signal: context.signal })) {
    for (const record of page) yield { id: record.id, updated: String(record.updated ?? "") };
  }
}

/** Deletes from the target what the source no longer has; returns how many. */
export async function removeDeleted(context: RunContext, plan: CollectionPlan): Promise<number> {
  // Empty when this run began: it holds only what the run copied, so the walk would find nothing.
  if (context.emptyAtStart.has(plan.name)) return 0;
  const may = context.deletable ? await context.deletable(plan) : () => true;
  const source = idsOf(context, "source", plan, context.filterOf(plan.name));
  const target = idsOf(context, "target", plan, "");
  let pending: string[] = [];
  let removed = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const done = await context.target.collection(plan.name).deleteMany(pending);
    removed += done.filter(Boolean).length;
    statsOf(context, plan.name).deleted += done.filter(Boolean).length;
    pending = [];
    report(context, plan.name, "deletes");
    checkCancelled(context);
  };
  let s = await source.next();
  for (let t = await target.next(); !t.done; t = await target.next()) {
    while (!s.done && s.value.id < t.value.id) s = await source.next();
    if (!s.done && s.value.id === t.value.id) continue;
    if (!may(t.value.updated)) continue;
    pending.push(t.value.id);
    if (pending.length >= DELETE_CHUNK) await flush();
  }
  await flush();
  await source.return(undefined);
  return removed;
}
