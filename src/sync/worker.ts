// The sync kind's worker: hosts one AsyncEnvironment per sync environment and runs whole calls on it.
// It re-implements nothing; every behaviour is the async kind's.
import { workerData } from "node:worker_threads";
import { errorToJSON, PocketmapError } from "../abstract/errors/index.ts";
import { type CallbackRef, reviveArguments } from "../abstract/params.ts";
import { setHostedEnvironments } from "../abstract/replication-params.ts";
import type { AsyncReplication } from "../abstract/replication-types.ts";
import { entryOf, type TargetPath } from "../abstract/surface.ts";
import type { ServerTarget } from "../abstract/target.ts";
import type { AsyncChanges } from "../abstract/types.ts";
import { type AsyncEnvironment, createAsyncEnvironment } from "../async/environment.ts";
import { serverTarget } from "../server/target.ts";
import { type CrossingOptions, hookedOptions } from "./hooks.ts";
import {
  type IteratorChunk,
  type OpenResult,
  type OutputChunk,
  PROGRESS,
  type PushItem,
  postToMain,
  type RelayedEvent,
  type ToWorker,
  type WorkerData,
  type WorkerReply,
  type WorkerRequest,
} from "./protocol.ts";

const data = workerData as WorkerData;

// What this thread writes to stdout/stderr travels back with the next reply and is written by the
// main thread right after the call, in order (a blocked main thread could not print it otherwise).
const output: OutputChunk[] = [];
for (const [fd, stream] of [
  [1, process.stdout],
  [2, process.stderr],
] as const) {
  (stream as unknown as { _writev: unknown })._writev = (
    chunks: { chunk: string | Uint8Array }[],
    callback: () => void,
  ) => {
    for (const { chunk } of chunks) output.push([fd, chunk]);
    callback();
  };
}

/** Tells a main thread that waits for this call that it is still moving (its deadline starts again). */
function progress(): void {
  Atomics.add(data.shared, PROGRESS, 1);
}

// However this worker ends (process.exit, an uncaught error, a rejected promise nobody handled), the
// main thread hears of it at once, even while it is blocked waiting for an answer.
let received = -1;
process.on("exit", (code) => {
  postToMain(data, { exit: code, received, output: output.splice(0) });
});

// The push channel: events and realtime messages go to the main thread as they happen, batched per
// turn of this thread's event loop (a burst of messages is one post). A blocked main thread buffers
// them until its call returns; a free one runs its listeners at once.
let pushes: PushItem[] = [];
let pushScheduled = false;

function push(item: PushItem): void {
  pushes.push(item);
  if (pushScheduled) return;
  pushScheduled = true;
  setImmediate(flushPushes);
}

function flushPushes(): void {
  pushScheduled = false;
  if (pushes.length === 0) return;
  const items = pushes;
  pushes = [];
  postToMain(data, { push: items, output: output.splice(0) });
}

interface Hosted {
  environment: AsyncEnvironment;
  iterators: Map<number, AsyncIterator<unknown>>;
  nextIterator: number;
  /** Whether every event is relayed (the main thread has listened); disconnect/reconnect always are. */
  relaying: boolean;
  /** Live subscriptions (and live replications) by the main thread's subscription id: what ends each. */
  subscriptions: Map<number, () => Promise<unknown>>;
}

const hosted = new Map<number, Hosted>();
// replicate()'s sides cross as the ids of sync environments: their twins here.
setHostedEnvironments((envId) => host(envId).environment);

function host(envId: number): Hosted {
  const found = hosted.get(envId);
  if (!found) throw new PocketmapError(`pocketmap: sync environment ${envId} is not open in this worker`);
  return found;
}

/** Hosts an environment (opened, or derived with `as()`) under the main thread's id for it. */
function hostEnvironment(envId: number, environment: AsyncEnvironment): void {
  const entry: Hosted = {
    environment,
    iterators: new Map(),
    nextIterator: 0,
    relaying: false,
    subscriptions: new Map(),
  };
  hosted.set(envId, entry);
  // The realtime connection's state changes and errors are rare and matter even between calls: always
  // relayed.
  environment.on(["disconnect", "reconnect", "error"], ({ name, data }) => {
    if (!entry.relaying) push({ envId, event: relayed(name, data) });
  });
  // Every response is progress: a call of many requests may block as long as each one moves.
  environment.on("request", progress);
}

async function open(envId: number, crossing: CrossingOptions): Promise<OpenResult> {
  const options = hookedOptions(crossing, (ref) => reviveCallback(ref));
  let started: ServerTarget | undefined;
  const target = serverTarget(options);
  const environment = createAsyncEnvironment(async () => {
    started = await target();
    return started;
  }, options);
  hostEnvironment(envId, environment);
  if (options.url !== undefined) return {};
  // Embedded mode starts now, so that the main thread can stop the server if the process ends. It is
  // bounded by its own timeouts (and a first install by pip's); beat while it runs.
  const beat = setInterval(progress, 1_000);
  try {
    await environment.url();
  } finally {
    clearInterval(beat);
  }
  return { pid: started?.pid, tempDir: started?.tempDir };
}

/** Relays every event of the environment to the main thread (pushed as it happens), once it listens. */
function relayEvents(envId: number, entry: Hosted, wanted: boolean): void {
  if (!wanted || entry.relaying) return;
  entry.relaying = true;
  entry.environment.onAny(({ name, data }) => {
    push({ envId, event: relayed(name, data) });
  });
}

/** An event as it crosses: an `error` event's error as plain data (the main thread rebuilds it). */
function relayed(name: string, data: unknown): RelayedEvent {
  if (name !== "error") return [name, data];
  const { error, ...rest } = data as { error: unknown };
  return [name, { ...rest, error: errorToJSON(error) }];
}

/** Pushes what the call caused before its reply leaves, so the main thread sees events first. */
async function drain(entry: Hosted | undefined): Promise<void> {
  // emittery calls listeners a tick after emit(); let them run first.
  if (entry?.relaying) await new Promise((resolve) => setImmediate(resolve));
  flushPushes();
}

/** Failures met after some items of a chunk: those items cross first, the failure with the next chunk. */
const deferredFailures = new WeakMap<AsyncIterator<unknown>, { error: unknown }>();

async function nextChunk(iterator: AsyncIterator<unknown>, count: number): Promise<IteratorChunk> {
  const deferred = deferredFailures.get(iterator);
  if (deferred) {
    deferredFailures.delete(iterator);
    throw deferred.error;
  }
  const items: unknown[] = [];
  try {
    while (items.length < count) {
      const step = await iterator.next();
      if (step.done) return { items, done: true };
      items.push(step.value);
    }
  } catch (error) {
    // As in the async kind, the records before a failing page reach the loop before the error does.
    if (items.length === 0) throw error;
    deferredFailures.set(iterator, { error });
  }
  return { items, done: false };
}

// The callback channel, worker side: a stand-in `{ ref, mode }` for a function kept on the calling
// thread becomes a function that reaches it (see push-channel.ts).
const pendingAnswers = new Map<
  number,
  { resolve: (value: unknown) => void; reject: (error: unknown) => void }
>();
let nextAnswer = 0;

/** What a callback threw on the calling thread, standing in for it here: the reply names it. */
class ThrownOnCallingThread extends Error {
  readonly key: number;
  constructor(key: number, name: string, message: string) {
    super(message);
    this.name = name;
    this.key = key;
  }
}

/** A function that reaches callback `ref` on the calling thread. */
function reviveCallback({ ref, mode }: CallbackRef): (...args: unknown[]) => unknown {
  if (mode === "push") return (...args) => push({ callback: ref, args });
  if (mode === "notify") {
    return (...args) => postToMain(data, { notify: ref, args, output: output.splice(0) });
  }
  return (...args) =>
    new Promise((resolve, reject) => {
      const answer = nextAnswer++;
      pendingAnswers.set(answer, { resolve, reject });
      postToMain(data, { callback: ref, args, answer, output: output.splice(0) });
    });
}

async function run(request: WorkerRequest): Promise<unknown> {
  switch (request.op) {
    case "open":
      return open(request.envId, request.options);
    case "as":
      hostEnvironment(request.envId, host(request.parent).environment.as(request.identity));
      return {} satisfies OpenResult;
    case "call":
    case "iterate": {
      const entry = host(request.envId);
      // Only what the target's method table lists, crossing the way the request says.
      const declared = entryOf(request.target, request.method);
      const crossing = declared?.crossing;
      const allowed =
        request.op === "iterate"
          ? crossing === "iterate"
          : crossing === "call" || crossing === "self" || crossing === "replication";
      if (!declared || !allowed) throw new TypeError(`pocketmap: no method ${request.method}`);
      const target = resolve(entry.environment, request.target);
      const args = reviveArguments(declared.params, request.args, (ref) => reviveCallback(ref));
      const result = (target[request.method] as (...args: unknown[]) => unknown).apply(target, args);
      if (request.op === "call") {
        const value = await result;
        // `self` returns the target, which cannot cross; the main thread returns its own.
        return crossing === "self" ? undefined : value;
      }
      const id = entry.nextIterator++;
      entry.iterators.set(id, result as AsyncIterator<unknown>);
      return id;
    }
    case "next": {
      const entry = host(request.envId);
      const iterator = entry.iterators.get(request.iterator);
      if (!iterator) return { items: [], done: true } satisfies IteratorChunk;
      try {
        const chunk = await nextChunk(iterator, request.count);
        if (chunk.done) entry.iterators.delete(request.iterator);
        return chunk;
      } catch (error) {
        entry.iterators.delete(request.iterator);
        throw error;
      }
    }
    case "return": {
      const entry = hosted.get(request.envId);
      const iterator = entry?.iterators.get(request.iterator);
      entry?.iterators.delete(request.iterator);
      await iterator?.return?.();
      return undefined;
    }
    case "subscribe": {
      const { envId, subscription } = request;
      const entry = host(envId);
      const declared = entryOf(request.target, request.method);
      const crossing = declared?.crossing;
      if (!declared || (crossing !== "subscribe" && crossing !== "changes" && crossing !== "replication")) {
        throw new TypeError(`pocketmap: no method ${request.method}`);
      }
      const target = resolve(entry.environment, request.target);
      const method = target[request.method] as (...args: unknown[]) => unknown;
      const args = reviveArguments(declared.params, request.args, (ref) => reviveCallback(ref));
      if (crossing === "subscribe") {
        // The callback stays on the main thread; its stand-in pushes each message there.
        const unsubscribe = (await method.apply(target, args)) as () => Promise<void>;
        entry.subscriptions.set(subscription, unsubscribe);
        return undefined;
      }
      if (crossing === "replication") {
        // Live: the handle stays here; its events and its end are pushed to the calling thread.
        const handle = method.apply(target, args) as AsyncReplication;
        const deliver = (message: unknown[]) => push({ callback: subscription, args: [message] });
        for (const event of ["progress", "active", "paused", "error"] as const) {
          handle.on(event, (value) => deliver([event, event === "error" ? errorToJSON(value) : value]));
        }
        handle.done.then(
          (summary) => deliver(["done", summary]),
          (error: unknown) => deliver(["failed", errorToJSON(error)]),
        );
        // Ending it answers with its final summary: the calling thread's handle resolves with it.
        entry.subscriptions.set(subscription, async () => {
          await handle.cancel();
          return handle.done.catch(() => undefined);
        });
        return undefined;
      }
      // `changes`: the method returns the async kind's feed; once the server took it, pump it.
      const feed = method.apply(target, args) as AsyncChanges<unknown>;
      await feed.ready;
      entry.subscriptions.set(subscription, () => feed.cancel());
      void (async () => {
        for await (const change of feed) push({ callback: subscription, args: [change] });
      })().catch(() => {});
      return undefined;
    }
    case "unsubscribe": {
      const entry = hosted.get(request.envId);
      const unsubscribe = entry?.subscriptions.get(request.subscription);
      entry?.subscriptions.delete(request.subscription);
      // A live replication's answer is its summary; a realtime subscription's, nothing.
      return await unsubscribe?.();
    }
    case "close": {
      const entry = hosted.get(request.envId);
      hosted.delete(request.envId);
      await entry?.environment.close();
      return undefined;
    }
    case "exit":
      // Lets the tests kill the worker the way a crash would (mid-call, or just after answering).
      testHook();
      if (!request.later) process.exit(request.code);
      setTimeout(() => process.exit(request.code), 10);
      return undefined;
    case "heap": {
      // Lets the tests measure the worker's heap after a full collection (run with --expose-gc).
      testHook();
      (globalThis as { gc?: () => void }).gc?.();
      return process.memoryUsage().heapUsed;
    }
    case "throw": {
      // Lets the tests raise a built-in error class in the worker.
      testHook();
      const ErrorClass = (globalThis as unknown as Record<string, ErrorConstructor>)[request.name] ?? Error;
      throw new ErrorClass(`raised in the worker as ${request.name}`);
    }
  }
}

/** The object a target path names in an environment: a collection, a service, or the environment. */
function resolve(environment: AsyncEnvironment, target: TargetPath): Record<string, unknown> {
  if (target.collection !== undefined) {
    const collection = environment.collection(target.collection);
    return (target.auth ? collection.auth : collection) as never;
  }
  if (target.service === undefined) return environment as never;
  let found: unknown = environment;
  for (const key of target.service.split(".")) found = (found as Record<string, unknown>)[key];
  return found as Record<string, unknown>;
}

function testHook(): void {
  // Refused unless the tests asked for it before the worker started.
  if (process.env.POCKETMAP_TEST_HOOKS !== "1") throw new Error("pocketmap: this hook is only for tests");
}

async function answer(request: WorkerRequest): Promise<WorkerReply> {
  const entry = "envId" in request ? hosted.get(request.envId) : undefined;
  if (entry && "events" in request) relayEvents(request.envId, entry, request.events);
  try {
    const value = await run(request);
    await drain(entry);
    return { ok: true, value };
  } catch (error) {
    await drain(entry);
    const thrown = error instanceof ThrownOnCallingThread ? error.key : undefined;
    return { ok: false, error: errorToJSON(error), thrown };
  }
}

/** A reply's bytes (a download) move to the main thread instead of being copied, when they own their memory. */
function transferable(reply: WorkerReply): ArrayBuffer[] | undefined {
  const value = reply.ok ? reply.value : undefined;
  if (!(value instanceof Uint8Array) || !(value.buffer instanceof ArrayBuffer)) return undefined;
  return value.byteOffset === 0 && value.byteLength === value.buffer.byteLength ? [value.buffer] : undefined;
}

data.port.on("message", async (message: ToWorker) => {
  if ("answer" in message) {
    // A hook answered on the calling thread.
    const pending = pendingAnswers.get(message.answer);
    pendingAnswers.delete(message.answer);
    const { result } = message;
    if (result.ok) pending?.resolve(result.value);
    else pending?.reject(new ThrownOnCallingThread(result.thrown, result.name, result.message));
    return;
  }
  const { id, request } = message;
  received = id;
  const reply = await answer(request);
  postToMain(data, { id, reply, output: output.splice(0) }, transferable(reply));
});
