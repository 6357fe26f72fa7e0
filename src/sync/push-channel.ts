// The callback channel, calling thread's side. Functions never cross to the worker: each one a call
// hands over is kept here under a number, and crosses as a stand-in `{ ref, mode }` (params.ts) that
// the worker turns back into a function which
// - `push`: pushes its arguments here, to run when this thread is free (realtime callbacks, change
//   feeds), in order with the environment's relayed events;
// - `notify`: asks this thread to run it while the call that handed it over blocks (onProgress);
// - `call`: asks this thread to run it and waits for its answer (hooks).
// While this thread is free, the port's 'message' listener runs what arrives at once. While a call
// blocks, wait() runs notify and call callbacks as they come and buffers pushes; those run once the
// call has returned and the thread is free again (a setImmediate), before any later push, so order
// is kept and a sync call made inside a listener works. The port is ref'd only while a push callback
// (a realtime subscription) is live: a script waiting for changes stays alive, one that never
// subscribed (or unsubscribed, or closed) exits. The thread never blocks while it waits for pushes,
// so Ctrl-C ends it.
import { InvalidInputError, PocketmapError } from "../abstract/errors/index.ts";
import type { CallbackMode, CallbackRef } from "../abstract/params.ts";
import type { CallbackAnswer, PushItem, RelayedEvent } from "./protocol.ts";

interface Kept {
  envId: number;
  mode: CallbackMode;
  fn: (...args: unknown[]) => unknown;
  /** A notify callback's first throw, rethrown when the call that handed it over ends. */
  thrown?: { error: unknown };
}

const kept = new Map<number, Kept>();
let nextRef = 1;
let pushCallbacks = 0;
/** Pushes taken off the port during a call, to deliver when this thread is free. */
let buffered: PushItem[] = [];
let flushScheduled = false;
/** Where an environment's relayed events go (set by the worker host, which knows the environments). */
let eventsOf: (envId: number) => ((events: RelayedEvent[]) => void) | undefined = () => undefined;

export function routeEvents(lookup: typeof eventsOf): void {
  eventsOf = lookup;
}

/** Keeps `fn` for environment `envId`; what crosses in its place. */
export function keepCallback(
  envId: number,
  fn: (...args: never[]) => unknown,
  mode: CallbackMode,
): CallbackRef {
  const ref = nextRef++;
  kept.set(ref, { envId, mode, fn: fn as Kept["fn"] });
  if (mode === "push") pushCallbacks++;
  return { ref, mode };
}

/** Forgets a callback; false if it was not kept. */
export function releaseCallback(ref: number): boolean {
  const found = kept.get(ref);
  if (!found) return false;
  kept.delete(ref);
  if (found.mode === "push") pushCallbacks--;
  return true;
}

/** The first throw of a notify callback, if it threw. */
export function thrownBy(ref: number): { error: unknown } | undefined {
  return kept.get(ref)?.thrown;
}

/** Forgets every callback of an environment (it closed). */
export function releaseCallbacksOf(envId: number): void {
  for (const [ref, found] of kept) if (found.envId === envId) releaseCallback(ref);
}

/** Whether environment `envId` has a live push callback (a subscription, a change feed). */
export function pushesTo(envId: number): boolean {
  for (const found of kept.values()) if (found.envId === envId && found.mode === "push") return true;
  return false;
}

/** Whether a realtime subscription (a push callback) is live: it keeps the process alive. */
export function hasSubscriptions(): boolean {
  return pushCallbacks > 0;
}

/** Forgets every push callback (their worker is gone); returns the environments that had one. */
export function dropSubscriptions(): Set<number> {
  const envs = new Set<number>();
  for (const [ref, found] of kept) {
    if (found.mode !== "push") continue;
    envs.add(found.envId);
    releaseCallback(ref);
  }
  return envs;
}

/** Runs `fn`; a listener that throws is an uncaught exception (as an event listener's), after the rest run. */
function guarded(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    process.nextTick(() => {
      throw error;
    });
  }
}

function deliver(items: readonly PushItem[]): void {
  for (const item of items) {
    if ("event" in item) {
      const onEvents = eventsOf(item.envId);
      if (onEvents) guarded(() => onEvents([item.event]));
    } else {
      const found = kept.get(item.callback);
      if (found) guarded(() => found.fn(...item.args));
    }
  }
}

function flushBuffered(): void {
  flushScheduled = false;
  while (buffered.length > 0) {
    const items = buffered;
    buffered = [];
    deliver(items);
  }
}

/** Pushes that arrived during a call: delivered once this thread is free, in order. */
export function bufferPush(items: PushItem[]): void {
  buffered.push(...items);
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(flushBuffered);
}

/** Pushes that arrive while this thread is free: any still buffered first, then these, now. */
export function deliverNow(items: readonly PushItem[]): void {
  flushBuffered();
  deliver(items);
}

/** Runs a notify callback: a throw does not stop the call, and is rethrown when it ends. */
export function runNotify(ref: number, args: unknown[]): void {
  const found = kept.get(ref);
  if (!found) return;
  try {
    found.fn(...args);
  } catch (error) {
    found.thrown ??= { error };
  }
}

/** Errors thrown by call callbacks (hooks), by key, until the call they failed rethrows them. */
const thrownByCalls = new Map<number, unknown>();
let nextThrown = 1;

/**
 * Runs a call callback (a hook) and returns its answer for the worker. A throw is kept here and the
 * worker fails the call with a stand-in, which the calling thread replaces by the original error.
 */
export function runCall(ref: number, args: unknown[]): CallbackAnswer {
  const found = kept.get(ref);
  try {
    if (!found) throw new PocketmapError("pocketmap: this callback is gone (its environment was closed)");
    const value = found.fn(...args);
    if (value !== null && typeof (value as { then?: unknown } | undefined)?.then === "function") {
      // Swallow its eventual rejection: the call fails with the error below instead.
      void Promise.resolve(value).catch(() => {});
      throw new InvalidInputError(
        "pocketmap: a hook of a sync environment returned a Promise; sync-kind hooks are plain functions that return at once (use setup({ async: true }) for async hooks)",
      );
    }
    return { ok: true, value };
  } catch (error) {
    const key = nextThrown++;
    thrownByCalls.set(key, error);
    const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
    return { ok: false, thrown: key, name, message };
  }
}

/** The original error a call callback threw, by its key (once). */
export function takeThrown(key: number): { error: unknown } | undefined {
  if (!thrownByCalls.has(key)) return undefined;
  const error = thrownByCalls.get(key);
  thrownByCalls.delete(key);
  return { error };
}

/** Forgets throws no call claimed (the worker swallowed them): called when a call ends. */
export function forgetThrown(): void {
  thrownByCalls.clear();
}
