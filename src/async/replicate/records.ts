// One collection's records, from its checkpoint on: pages of the source in (`updated`, `id`) order,
// read by keyset (never by offset, so a page costs the same at record 90,000 as at record 0), starting
// `overlap` before the checkpoint; what the checkpoint says was written already is skipped.
import type { Environment } from "../../abstract/environment-types.ts";
import { type Checkpoint, RECENT_LIMIT } from "./checkpoints.ts";
import {
  before,
  checkCancelled,
  joinFilters,
  PAGE,
  type Row,
  type RunContext,
  report,
  statsOf,
} from "./context.ts";
import type { CollectionPlan } from "./plan.ts";
import { isEmpty, writePage } from "./write.ts";

/** Pages of `pages`, the next one read while the caller works on the current one (two at most held). */
async function* readAhead<T>(pages: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = pages.next();
  try {
    for (;;) {
      const step = await next;
      if (step.done) return;
      next = pages.next();
      yield step.value;
    }
  } finally {
    // Stopped early: the read under way settles unheard.
    next.catch(() => {});
    void pages.return(undefined).catch(() => {});
  }
}

/** Where a read starts: after this (`updated`, `id`); `updated` is "" for collections without it. */
export interface Cursor {
  updated: string;
  id: string;
}

/** Pages of a collection after `cursor`, in key order (`updated,id`, or `id` without `updated`). */
export async function* pagesAfter(
  side: Environment<"async">,
  plan: CollectionPlan,
  filter: string,
  cursor: Cursor | undefined,
  options: { fields?: string; signal?: AbortSignal } = {},
): AsyncGenerator<Row[]> {
  const byUpdated = plan.incremental;
  let at = cursor;
  for (;;) {
    if (options.signal?.aborted) return;
    const keyset =
      at === undefined ? "" : byUpdated ? "updated > {:u} || (updated = {:u} && id > {:id})" : "id > {:id}";
    const page = await side.collection(plan.name).list({
      filter: joinFilters(filter, keyset),
      params: at === undefined ? undefined : { u: at.updated, id: at.id },
      sort: byUpdated ? "updated,id" : "id",
      perPage: PAGE,
      skipTotal: true,
      ...(options.fields === undefined ? {} : { fields: options.fields }),
    });
    const items = page.items as Row[];
    if (items.length === 0) return;
    yield items;
    const last = items.at(-1)!;
    at = { updated: byUpdated ? String(last.updated) : "", id: last.id };
    if (items.length < PAGE) return;
  }
}

/** Records a run remembers having read, per collection (id → `updated`), beyond the checkpoint's. */
const SEEN_LIMIT = 50_000;

function seenIn(context: RunContext, name: string): Map<string, string> {
  let found = context.seen.get(name);
  if (!found) {
    found = new Map();
    context.seen.set(name, found);
  }
  return found;
}

/** Remembers a record read this run, forgetting the oldest past the limit (then re-read means re-written). */
function remember(seen: Map<string, string>, record: Row): void {
  seen.delete(record.id);
  seen.set(record.id, String(record.updated));
  if (seen.size > SEEN_LIMIT) seen.delete(seen.keys().next().value!);
}

/** How far the source's clock may be behind this machine's for `settledBound` to find a bound. */
const CLOCK_SLACK = 1000;

/**
 * A time at or before which every source record had committed, as of now: the source's clock is
 * asked (`@now`) whether it has passed this machine's clock less a second, and if it has, that time
 * less the overlap is one ("" when it has not, or the collection is empty).
 */
export async function settledBound(context: RunContext, plan: CollectionPlan): Promise<string> {
  const probe = new Date(Date.now() - CLOCK_SLACK).toISOString().replace("T", " ");
  const page = await context.source
    .collection(plan.name)
    .list({ filter: "@now >= {:probe}", params: { probe }, perPage: 1, fields: "id", skipTotal: true });
  return page.items.length > 0 ? before(probe, context.overlap) : "";
}

/**
 * Where a run starts reading: exactly after the checkpoint when it is settled; else the later of its
 * settled time and `overlap` before it (a slow transaction may commit records older than the last
 * one read, but not older than that). Nothing saved: from the start.
 */
export function startOf(
  plan: CollectionPlan,
  checkpoint: Checkpoint | undefined,
  overlap: number,
): Cursor | undefined {
  if (!plan.incremental || checkpoint === undefined) return undefined;
  if (checkpoint.settled >= checkpoint.updated) return { updated: checkpoint.updated, id: checkpoint.id };
  const from = before(checkpoint.updated, overlap);
  const latest = [checkpoint.settled, from].sort().at(-1)!;
  return latest === "" ? undefined : { updated: latest, id: "" };
}

/** The checkpoint after `page`: its last record, and what was written within the overlap before it. */
function advance(
  previous: Checkpoint | undefined,
  page: readonly Row[],
  overlap: number,
  settled: string,
): Checkpoint {
  const last = page.at(-1)!;
  const updated = String(last.updated);
  const floor = before(updated, overlap);
  const recent: [string, string][] = Object.entries(previous?.recent ?? {}).filter(([, u]) => u >= floor);
  for (const record of page)
    if (String(record.updated) >= floor) recent.push([record.id, String(record.updated)]);
  return { updated, id: last.id, settled, recent: Object.fromEntries(recent.slice(-RECENT_LIMIT)) };
}

/** Copies pages after `start`: writes what the checkpoint has not seen, advancing it page by page. */
async function copyFrom(
  context: RunContext,
  plan: CollectionPlan,
  start: Cursor | undefined,
  saved: Checkpoint | undefined,
  settled: string,
  defer: boolean,
): Promise<Checkpoint | undefined> {
  const filter = context.filterOf(plan.name);
  const stats = statsOf(context, plan.name);
  let checkpoint = saved;
  for await (const page of readAhead(
    pagesAfter(context.source, plan, filter, start, { signal: context.signal }),
  )) {
    stats.read += page.length;
    const seen = seenIn(context, plan.name);
    // Without `updated` nothing says a record is unchanged: each read is written (an undefined
    // `updated` would match a record never seen, and skip every one).
    let fresh = !plan.incremental
      ? [...page]
      : page.filter(
          (record) =>
            checkpoint?.recent[record.id] !== record.updated && seen.get(record.id) !== record.updated,
        );
    for (const record of page) remember(seen, record);
    if (context.select) fresh = await context.select(plan, fresh);
    await writePage(context, plan, fresh, plan.cyclicFields);
    if (plan.incremental) {
      // A page re-read behind the checkpoint (the overlap) does not move it back.
      const behind = checkpoint !== undefined && String(page.at(-1)!.updated) < checkpoint.updated;
      if (!behind) checkpoint = advance(checkpoint, page, context.overlap, settled);
      else for (const record of page) checkpoint!.recent[record.id] = String(record.updated);
      if (!defer) await context.store.save(plan.model.id, filter, checkpoint!);
    }
    report(context, plan.name, "records");
    checkCancelled(context);
  }
  return checkpoint;
}

/**
 * Copies a collection's changed records (the first pass: its cyclic relation fields are left out).
 * Saves the checkpoint after each page unless `defer` (a cycle saves once its second pass is done);
 * returns the last checkpoint, and where this run started. Once caught up, the part of what it read
 * that was not settled yet is read again now that it is, so the next run starts at the checkpoint.
 */
export async function copyChanged(
  context: RunContext,
  plan: CollectionPlan,
  defer: boolean,
): Promise<{ checkpoint: Checkpoint | undefined; start: Cursor | undefined }> {
  const filter = context.filterOf(plan.name);
  const saved = plan.incremental ? await context.store.load(plan.model.id, filter) : undefined;
  if (saved === undefined && !context.live) {
    const page = await context.target
      .collection(plan.name)
      .list({ perPage: 1, fields: "id", skipTotal: true });
    if (page.items.length === 0) context.emptyAtStart.add(plan.name);
  }
  const start = startOf(plan, saved, context.overlap);
  if (!plan.incremental) {
    await copyFrom(context, plan, undefined, undefined, "", defer);
    return { checkpoint: undefined, start };
  }
  let checkpoint = await copyFrom(context, plan, start, saved, await settledBound(context, plan), defer);
  if (checkpoint && checkpoint.settled < checkpoint.updated) {
    const settled = await settledBound(context, plan);
    if (settled !== "") {
      const again = startOf(plan, checkpoint, context.overlap);
      checkpoint = (await copyFrom(context, plan, again, checkpoint, settled, true)) ?? checkpoint;
      checkpoint = { ...checkpoint, settled };
      if (!defer) await context.store.save(plan.model.id, filter, checkpoint);
    }
  }
  return { checkpoint, start };
}

/** The second pass of a cycle: the relation fields left out of the first, now that every record exists. */
export async function copyCyclic(context: RunContext, plan: CollectionPlan, start: Cursor | undefined) {
  if (plan.cyclicFields.length === 0) return;
  const filter = context.filterOf(plan.name);
  const fields = ["id", "updated", ...plan.cyclicFields].join(",");
  for await (const page of pagesAfter(context.source, plan, filter, start, {
    fields,
    signal: context.signal,
  })) {
    // Empty values were written in the first pass.
    const filled = page.filter((record) => plan.cyclicFields.some((field) => !isEmpty(record[field])));
    const patches = filled.map((record) => {
      const patch: Record<string, unknown> = { id: record.id };
      for (const field of plan.cyclicFields) patch[field] = record[field];
      return patch;
    });
    if (patches.length > 0) await context.target.collection(plan.name).updateMany(patches as never);
    report(context, plan.name, "relations");
    checkCancelled(context);
  }
}
