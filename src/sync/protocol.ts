// Messages between the sync kind's main thread and its worker. Everything here crosses a thread
// boundary by structured clone, so it is plain data only.
import type { MessagePort } from "node:worker_threads";
import type { SerializedError } from "../abstract/errors/index.ts";
import type { ResolvedOptions } from "../abstract/options.ts";

/** Environment methods the worker runs on request. */
export const ENVIRONMENT_METHODS = [
  "keys",
  "has",
  "delete",
  "createCollection",
  "health",
  "batch",
  "send",
  "url",
] as const;

/** Collection methods the worker runs on request; each returns plain data (or the collection). */
export const COLLECTION_METHODS = [
  "list",
  "getOne",
  "getFirst",
  "getFullList",
  "create",
  "update",
  "remove",
  "count",
  "createMany",
  "updateMany",
  "upsertMany",
  "deleteMany",
  "get",
  "has",
  "set",
  "delete",
  "size",
  "clear",
] as const;

/** Collection methods that return an async iterator in the async kind. */
export const ITERATOR_METHODS = ["iterate", "keys", "values", "entries"] as const;

export type EnvironmentMethod = (typeof ENVIRONMENT_METHODS)[number];
export type CollectionMethod = (typeof COLLECTION_METHODS)[number];
export type IteratorMethod = (typeof ITERATOR_METHODS)[number];

export type WorkerRequest =
  | { op: "open"; envId: number; options: ResolvedOptions }
  | {
      op: "call";
      envId: number;
      collection?: string;
      method: string;
      args: unknown[];
      events: boolean;
    }
  | {
      op: "iterate";
      envId: number;
      collection: string;
      method: IteratorMethod;
      args: unknown[];
      events: boolean;
    }
  | { op: "next"; envId: number; iterator: number; count: number; events: boolean }
  | { op: "return"; envId: number; iterator: number }
  | { op: "close"; envId: number }
  | { op: "exit"; code: number; later?: boolean }
  | { op: "throw"; name: string };

export type ForwardedEvent = [name: string, data: unknown];

export type WorkerReply =
  | { ok: true; value: unknown; events?: ForwardedEvent[] }
  | { ok: false; error: SerializedError; events?: ForwardedEvent[] };

/** What opening an environment tells the main thread: an embedded server to clean up at exit. */
export interface OpenResult {
  pid?: number;
  tempDir?: string | undefined;
}

export interface IteratorChunk {
  items: unknown[];
  done: boolean;
}

// The shared memory between the main thread and the worker: two Int32 counters.
/** Bumped (and notified) by the worker after every message it posts to the main thread. */
export const NOTIFY = 0;
/** Bumped by the worker whenever a call makes progress (a response arrived, a server is starting). */
export const PROGRESS = 1;

export interface WorkerData {
  shared: Int32Array;
  port: MessagePort;
  /** The module the bootstrap imports: worker-entry.ts from the sources, worker.js in the package. */
  entry: string;
}

/** Output the worker wrote to stdout (1) or stderr (2); the main thread writes it after the call. */
export type OutputChunk = [fd: 1 | 2, chunk: string | Uint8Array];

export type ToWorker = { id: number; request: WorkerRequest };

/**
 * Stands in for an `onProgress` function in a call's options (functions cannot cross the thread
 * boundary): the worker replaces it by a function that posts `{ id, progress }` messages, and the
 * main thread, blocked in wait(), calls the real callback for each (worker-host.ts).
 */
export const PROGRESS_CALLBACK = "pocketmap:onProgress";

export type FromWorker =
  | { id: number; reply: WorkerReply; output: OutputChunk[] }
  /** A progress report of call `id`, for its onProgress callback on the main thread. */
  | { id: number; progress: { done: number; total: number }; output: OutputChunk[] }
  /** The worker is ending (any exit, including an uncaught error); `received` is the last request id it took. */
  | { exit: number; received: number; output: OutputChunk[]; error?: string };

/** Posts a message to the main thread and wakes it if it is blocked waiting. */
export function postToMain(data: WorkerData, message: FromWorker): void {
  data.port.postMessage(message);
  Atomics.add(data.shared, NOTIFY, 1);
  Atomics.notify(data.shared, NOTIFY);
}
