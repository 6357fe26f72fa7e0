// Arguments of a forwarded call that cannot cross to the worker as they are (functions), made to
// cross. Small and self-contained on purpose: the method tables may take it over.
import { buildBatch } from "../abstract/batch-requests.ts";
import type { TargetPath } from "../abstract/surface.ts";
import type { BatchBuilder, BatchProgress } from "../abstract/types.ts";
import { PROGRESS_CALLBACK } from "./protocol.ts";

/**
 * - `env.batch((b) => …)`: the builder runs here, on the caller's thread; its requests (plain data,
 *   files included) cross instead of the function.
 * - An `onProgress` function in a call's options (the batch helpers, `env.batch`) stays here and is
 *   returned; PROGRESS_CALLBACK crosses in its place. The worker swaps in a function that posts each
 *   report, and worker-host.ts's wait loop calls `onProgress` with it while the call blocks.
 */
export function crossingArguments(
  target: TargetPath,
  method: string,
  args: unknown[],
): { args: unknown[]; onProgress?: (progress: BatchProgress) => void } {
  let crossing = args;
  const environment = target.collection === undefined && target.service === undefined;
  if (environment && method === "batch" && typeof args[0] === "function") {
    crossing = [buildBatch(args[0] as (b: BatchBuilder) => void), ...args.slice(1)];
  }
  let onProgress: ((progress: BatchProgress) => void) | undefined;
  crossing = crossing.map((arg) => {
    const given = (arg as { onProgress?: unknown } | null)?.onProgress;
    if (typeof given !== "function") return arg;
    onProgress = given as (progress: BatchProgress) => void;
    return { ...(arg as object), onProgress: PROGRESS_CALLBACK };
  });
  return onProgress ? { args: crossing, onProgress } : { args: crossing };
}
