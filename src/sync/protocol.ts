// Messages between the sync kind's main thread and its worker. Everything here crosses a thread
// boundary by structured clone, so it is plain data only.
import type { MessagePort } from "node:worker_threads";
import type { AsIdentity } from "../abstract/auth-operations.ts";
import type { SerializedError } from "../abstract/errors/index.ts";
import type { TargetPath } from "../abstract/surface.ts";
import type { CrossingOptions } from "./hooks.ts";

export type WorkerRequest =
  | { op: "open"; envId: number; options: CrossingOptions }
  /** Opens an identity (`env.as()`) on the pool of environment `parent`, which is open already. */
  | { op: "as"; envId: number; parent: number; identity: AsIdentity }
  /** Runs a method of a target (by its method table: `call` or `self` for "call", `iterate` for "iterate"). */
  | {
      op: "call" | "iterate";
      envId: number;
      target: TargetPath;
      method: string;
      args: unknown[];
      events: boolean;
    }
  | { op: "next"; envId: number; iterator: number; count: number; events: boolean }
  | { op: "return"; envId: number; iterator: number }
  | { op: "close"; envId: number }
  /**
   * Realtime (a method whose table crossing is `subscribe` or `changes`). `subscription` is the push
   * callback that hears it (its callback parameter's stand-in, or the change feed's); the worker keeps
   * what ends it under that number.
   */
  | {
      op: "subscribe";
      envId: number;
      subscription: number;
      target: TargetPath;
      method: string;
      args: unknown[];
      events: boolean;
    }
  | { op: "unsubscribe"; envId: number; subscription: number }
  | { op: "exit"; code: number; later?: boolean }
  | { op: "throw"; name: string }
  | { op: "heap" };

/** An event the worker's environment emitted, relayed to the main thread (pushed, see PushItem). */
export type RelayedEvent = [name: string, data: unknown];

/** `thrown`: the call failed with what a callback (a hook) threw on the calling thread, kept there. */
export type WorkerReply =
  | { ok: true; value: unknown }
  | { ok: false; error: SerializedError; thrown?: number | undefined };

/**
 * What the worker pushes to the main thread as it happens (the push channel): a relayed event, or a
 * realtime message for a subscription. Pushes posted during a call are buffered by the waiting main
 * thread and delivered after the call; pushes that come while it is free are delivered at once.
 */
export type PushItem = { envId: number; event: RelayedEvent } | { callback: number; args: unknown[] };

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

/** The answer to a call callback (a hook), as it crosses back to the worker. */
export type CallbackAnswer =
  | { ok: true; value: unknown }
  | { ok: false; thrown: number; name: string; message: string };

/** A request, or the answer of a call callback (a hook) the worker asked the main thread to run. */
export type ToWorker = { id: number; request: WorkerRequest } | { answer: number; result: CallbackAnswer };

export type FromWorker =
  | { id: number; reply: WorkerReply; output: OutputChunk[] }
  /** Run notify callback `notify` with `args` (while the call that handed it over blocks). */
  | { notify: number; args: unknown[]; output: OutputChunk[] }
  /** Run call callback `callback` with `args` and post its answer back as `{ answer, result }`. */
  | { callback: number; args: unknown[]; answer: number; output: OutputChunk[] }
  /** Events and realtime messages, pushed as they happen; always posted before the reply of their call. */
  | { push: PushItem[]; output: OutputChunk[] }
  /** The worker is ending (any exit, including an uncaught error); `received` is the last request id it took. */
  | { exit: number; received: number; output: OutputChunk[]; error?: string };

/** Posts a message to the main thread and wakes it if it is blocked waiting; `transfer` moves, not copies. */
export function postToMain(data: WorkerData, message: FromWorker, transfer?: ArrayBuffer[]): void {
  data.port.postMessage(message, transfer);
  Atomics.add(data.shared, NOTIFY, 1);
  Atomics.notify(data.shared, NOTIFY);
}
