// Live replication: subscribe to every collection first, then catch up from the checkpoints (the
// changes made while subscribing are in one or the other, or both: writes are idempotent), and catch
// up again after every reconnect (realtime replays nothing: idle streams close after 5 minutes, every
// stream after 30, and a restarted source forgets its clients). Between catch-ups, each change event
// is written as it comes, in order.
import type { ReplicationSummary } from "../../abstract/replication-types.ts";
import type { EnvironmentEvents } from "../../abstract/types.ts";
import { type Row, type RunContext, statsOf } from "./context.ts";
import type { ReplicationHandle } from "./handle.ts";
import type { CollectionPlan } from "./plan.ts";
import { copyAll, summaryOf } from "./run.ts";
import { writePage } from "./write.ts";

/** Changes held between writes; past it the queue is dropped for a catch-up, which loses nothing. */
const QUEUE_LIMIT = 10_000;
/** Changes written per round. */
const ROUND = 500;
/** Back-off after a failure: doubles from the first to the last, then stays. */
const BACKOFF = [250, 30_000] as const;

interface Change {
  plan: CollectionPlan;
  action: string;
  record: Row;
}

type Listening = {
  on<E extends keyof EnvironmentEvents>(event: E, fn: (data: EnvironmentEvents[E]) => void): () => void;
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/** Writes a round of changes: the last state of each record, deletes after writes, in plan order. */
async function apply(context: RunContext, plans: readonly CollectionPlan[], changes: readonly Change[]) {
  for (const plan of plans) {
    const last = new Map<string, Change>();
    for (const change of changes) if (change.plan === plan) last.set(change.record.id, change);
    if (last.size === 0) continue;
    let writes: Row[] = [];
    const deletes: string[] = [];
    for (const change of last.values()) {
      if (change.action === "delete") deletes.push(change.record.id);
      else writes.push(change.record);
    }
    // The summary counts live changes as a catch-up's: each one heard is read; writePage counts writes.
    const stats = statsOf(context, plan.name);
    stats.read += last.size;
    if (context.select) writes = await context.select(plan, writes);
    await writePage(context, plan, writes, []);
    let deleted = 0;
    if (deletes.length > 0) {
      const results = await context.target.collection(plan.name).deleteMany(deletes);
      deleted = results.filter(Boolean).length;
      stats.deleted += deleted;
    }
    const now = Date.now();
    for (const record of writes) {
      const latency = now - Date.parse(String(record.updated).replace(" ", "T"));
      context.progress({ collection: plan.name, phase: "live", read: 1, written: 1, deleted: 0, latency });
    }
    if (deleted > 0) context.progress({ collection: plan.name, phase: "live", read: 0, written: 0, deleted });
  }
}

/** Follows the source until cancelled; resolves with what was done. */
export async function followLive(
  context: RunContext,
  plans: readonly CollectionPlan[],
  handle: ReplicationHandle,
  started: number,
): Promise<ReplicationSummary> {
  const { signal } = context;
  const records = plans.filter((plan) => plan.type !== "view");
  let queue: Change[] = [];
  let catchUp = true;
  let wake: (() => void) | undefined;
  const nudge = () => {
    wake?.();
    wake = undefined;
  };
  signal.addEventListener("abort", nudge, { once: true });
  const stops: (() => unknown)[] = [];
  stops.push(
    (context.source as unknown as Listening).on("reconnect", () => {
      catchUp = true;
      nudge();
    }),
  );
  try {
    for (const plan of records) {
      const filter = context.filterOf(plan.name);
      const unsubscribe = await context.source.collection(plan.name).subscribe(
        "*",
        ({ action, record }) => {
          if (queue.length >= QUEUE_LIMIT) {
            queue = [];
            catchUp = true;
          } else queue.push({ plan, action, record: record as Row });
          nudge();
        },
        filter === "" ? undefined : { filter },
      );
      stops.push(unsubscribe);
    }
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (catchUp) {
          catchUp = false;
          handle.emit("active", undefined);
          await copyAll(context, plans);
        }
        while (queue.length > 0 && !catchUp && !signal.aborted) {
          handle.emit("active", undefined);
          await apply(context, records, queue.splice(0, ROUND));
        }
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        handle.emit("error", error as Error);
        // Whatever that round missed, the next catch-up reads from the checkpoints.
        catchUp = true;
        await sleep(Math.min(BACKOFF[1], BACKOFF[0] * 2 ** failures++), signal);
        continue;
      }
      if (catchUp || queue.length > 0 || signal.aborted) continue;
      handle.emit("paused", undefined);
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    for (const stop of stops) await Promise.resolve(stop()).catch(() => {});
  }
  return summaryOf(context, started);
}
