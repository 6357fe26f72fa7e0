// env.replicate(): opens the sides, plans, and runs once or live. Uses only the public surface of
// the two environments (docs/replication.md).
import type { Environment, ReplicationSide } from "../../abstract/environment-types.ts";
import { InvalidInputError } from "../../abstract/errors/index.ts";
import { environmentMark, mixedKindsMessage } from "../../abstract/replication-params.ts";
import type { ReplicateOptions, ReplicationSummary } from "../../abstract/replication-types.ts";
import { contextFor, type RunContext } from "./context.ts";
import { ReplicationHandle } from "./handle.ts";
import { followLive } from "./live.ts";
import { copyAll, prepare, summaryOf } from "./run.ts";
import { syncSides } from "./two-way.ts";

/** Opens an async environment from setup options (the environment's own factory: no layer above). */
export type OpenSide = (options: Record<string, unknown>) => Environment<"async">;

interface Opened {
  env: Environment<"async">;
  owned: boolean;
}

function openSide(side: ReplicationSide, name: "source" | "target" | "a" | "b", open: OpenSide): Opened {
  const mark = environmentMark(side);
  if (mark === undefined) return { env: open(side as Record<string, unknown>), owned: true };
  // A sync environment's identity lives in its worker: using it here would need it to cross, which
  // a replication does not do behind the caller's back.
  if (mark.kind !== "async") throw new InvalidInputError(mixedKindsMessage("async", name));
  return { env: side as Environment<"async">, owned: false };
}

/** Starts a replication from `source` to `target`; see docs/replication.md. */
export function replicate(
  source: ReplicationSide,
  target: ReplicationSide,
  options: ReplicateOptions,
  open: OpenSide,
): ReplicationHandle {
  return new ReplicationHandle(async (signal, handle) => {
    const started = Date.now();
    const opened: Opened[] = [];
    let context: RunContext | undefined;
    try {
      opened.push(openSide(source, "source", open));
      opened.push(openSide(target, "target", open));
      const [from, to] = [opened[0]!.env, opened[1]!.env];
      context = await contextFor(from, to, options, signal, handle);
      const plans = await prepare(from, to, options.collections);
      await context.store.ready();
      if (options.live) return await followLive(context, plans, handle, started);
      await copyAll(context, plans);
      return summaryOf(context, started);
    } catch (error) {
      // Cancelled: what was done until then (a checkpoint keeps it for the next run).
      if (signal.aborted && context) return summaryOf(context, started);
      handle.emit("error", error as Error);
      throw error;
    } finally {
      for (const { env, owned } of opened) if (owned) await env.close().catch(() => {});
    }
  });
}

export type { ReplicationSummary };

/** Starts a two-way sync between `a` and `b`; see docs/replication.md. */
export function syncBoth(
  a: ReplicationSide,
  b: ReplicationSide,
  options: ReplicateOptions,
  open: OpenSide,
): ReplicationHandle {
  return new ReplicationHandle(async (signal, handle) => {
    const opened: Opened[] = [];
    try {
      opened.push(openSide(a, "a", open));
      opened.push(openSide(b, "b", open));
      return await syncSides(opened[0]!.env, opened[1]!.env, options, signal, handle);
    } catch (error) {
      if (!signal.aborted) handle.emit("error", error as Error);
      throw error;
    } finally {
      for (const { env, owned } of opened) if (owned) await env.close().catch(() => {});
    }
  });
}
