import { PocketmapError } from "./pocketmap-error.ts";

/**
 * The sync kind's worker thread failed (crashed, exited, or did not answer within the sync timeout).
 * The call's outcome is unknown; the next call starts a fresh worker.
 */
export class SyncWorkerError extends PocketmapError {
  override name = "SyncWorkerError";
}
