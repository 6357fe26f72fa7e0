// What one replication run carries from collection to collection: both sides, the checkpoint store,
// the counts it reports, and what it could not copy.
import type { Environment } from "../../abstract/environment-types.ts";
import { AbortError, InvalidInputError } from "../../abstract/errors/index.ts";
import type {
  CollectionSummary,
  ReplicateOptions,
  ReplicationConflict,
  ReplicationProgress,
} from "../../abstract/replication-types.ts";
import { CheckpointStore } from "./checkpoints.ts";
import type { ReplicationHandle } from "./handle.ts";
import type { CollectionPlan } from "./plan.ts";

/** A record as PocketBase returns it. */
export type Row = Record<string, unknown> & { id: string; updated?: string };

/** Records read per request (PocketBase's maximum). */
export const PAGE = 1000;

export interface RunContext {
  source: Environment<"async">;
  target: Environment<"async">;
  store: CheckpointStore;
  /** Milliseconds read again before a checkpoint. */
  overlap: number;
  signal: AbortSignal;
  /** The caller's filter for a collection ("" for none). */
  filterOf(name: string): string;
  progress(progress: ReplicationProgress): void;
  /** Counts per collection, in plan order. */
  stats: Map<string, CollectionSummary>;
  /** What could not be copied: auth records created without their password, files the source hid. */
  lost: { passwords: number; files: number };
  conflicts: ReplicationConflict[];
  /**
   * What this run has read, per collection (id → `updated`, the latest 50,000): the unsettled tail a
   * run reads again before it ends is not written twice.
   */
  seen: Map<string, Map<string, string>>;
  /**
   * One-shot runs: collections the target had no record of (and no checkpoint for) when the run began;
   * their delete walk is skipped: what they hold, the run copied. (A record the source deletes during
   * the run is deleted by the next one.)
   */
  emptyAtStart: Set<string>;
  /** A live replication: its catch-ups always walk for deletes. */
  live: boolean;
  /**
   * Two-way sync: the records of a page to write (not the other direction's own writes, nor the
   * losers of a conflict). Undefined: every record read.
   */
  select?: (plan: CollectionPlan, records: readonly Row[]) => Promise<Row[]>;
  /**
   * Two-way sync: which of the target's records a delete walk may delete (those the other direction
   * has already carried over: one the source lacks was deleted there). Undefined: any.
   */
  deletable?: (plan: CollectionPlan) => Promise<(updated: string) => boolean>;
}

export function statsOf(context: RunContext, name: string): CollectionSummary {
  let found = context.stats.get(name);
  if (!found) {
    found = { name, read: 0, written: 0, deleted: 0 };
    context.stats.set(name, found);
  }
  return found;
}

export function report(context: RunContext, name: string, phase: ReplicationProgress["phase"]): void {
  const { read, written, deleted } = statsOf(context, name);
  context.progress({ collection: name, phase, read, written, deleted });
}

/** Stops a cancelled run between requests. */
export function checkCancelled(context: RunContext): void {
  if (context.signal.aborted)
    throw new AbortError({ status: 0, message: "pocketmap: the replication was cancelled" });
}

/** A filter of parts joined with `&&`, each in parentheses; undefined when there are none. */
export function joinFilters(...parts: string[]): string | undefined {
  const kept = parts.filter((part) => part !== "");
  return kept.length === 0 ? undefined : kept.map((part) => `(${part})`).join(" && ");
}

/** A PocketBase date (`2026-12-06 21:47:27.123Z`) moved back by `ms`, in the same form. */
export function before(updated: string, ms: number): string {
  const time = Date.parse(updated.replace(" ", "T"));
  if (Number.isNaN(time)) return "";
  return new Date(time - ms).toISOString().replace("T", " ");
}

/** Default overlap: PocketBase's default batch timeout, the longest a transaction normally holds. */
export const DEFAULT_OVERLAP = 3000;

/** The context of a run between two open sides. */
export async function contextFor(
  source: Environment<"async">,
  target: Environment<"async">,
  options: ReplicateOptions,
  signal: AbortSignal,
  handle: ReplicationHandle,
): Promise<RunContext> {
  const filter = options.filter;
  const from = await source.url();
  // Onto itself, every run would rewrite what it reads, and read it again the next time.
  if (from === (await target.url())) {
    throw new InvalidInputError(`pocketmap: replication needs two servers; both sides are ${from}`);
  }
  return {
    source,
    target,
    store: new CheckpointStore(target, from),
    overlap: options.overlap ?? DEFAULT_OVERLAP,
    signal,
    filterOf: (name) => (typeof filter === "string" ? filter : (filter?.[name] ?? "")),
    progress(progress) {
      handle.emit("progress", progress);
      options.onProgress?.(progress);
    },
    stats: new Map(),
    lost: { passwords: 0, files: 0 },
    conflicts: [],
    seen: new Map(),
    emptyAtStart: new Set(),
    live: options.live === true,
  };
}
