// The sync kind's worker: hosts one AsyncEnvironment per sync environment and runs whole calls on it.
// It re-implements nothing; every behaviour is the async kind's.
import { workerData } from "node:worker_threads";
import { errorToJSON } from "../abstract/errors/index.ts";
import type { ServerTarget } from "../async/client.ts";
import { AsyncCollection } from "../async/collection.ts";
import { type AsyncEnvironment, createAsyncEnvironment } from "../async/environment.ts";
import { serverTarget } from "../env/setup.ts";
import {
  COLLECTION_METHODS,
  ENVIRONMENT_METHODS,
  type ForwardedEvent,
  type IteratorChunk,
  type OpenResult,
  type OutputChunk,
  PROGRESS,
  PROGRESS_CALLBACK,
  postToMain,
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

interface Hosted {
  env: AsyncEnvironment;
  iterators: Map<number, AsyncIterator<unknown>>;
  nextIterator: number;
  /** Events waiting to travel back with the next reply; collected only while the main thread listens. */
  pending: ForwardedEvent[];
  forwarding: boolean;
}

const hosted = new Map<number, Hosted>();
const environmentMethods = new Set<string>(ENVIRONMENT_METHODS);
const collectionMethods = new Set<string>(COLLECTION_METHODS);

function host(envId: number): Hosted {
  const found = hosted.get(envId);
  if (!found) throw new Error(`pocketmap: sync environment ${envId} is not open in this worker`);
  return found;
}

async function open(
  envId: number,
  options: Parameters<typeof createAsyncEnvironment>[1],
): Promise<OpenResult> {
  let started: ServerTarget | undefined;
  const target = serverTarget(options);
  const env = createAsyncEnvironment(async () => {
    started = await target();
    return started;
  }, options);
  hosted.set(envId, { env, iterators: new Map(), nextIterator: 0, pending: [], forwarding: false });
  // Every response is progress: a call of many requests may block as long as each one moves.
  env.on("request", progress);
  if (options.url !== undefined) return {};
  // Embedded mode starts now, so that the main thread can stop the server if the process ends. It is
  // bounded by its own timeouts (and a first install by pip's); beat while it runs.
  const beat = setInterval(progress, 1_000);
  try {
    await env.url();
  } finally {
    clearInterval(beat);
  }
  return { pid: started?.pid, tempDir: started?.tempDir };
}

function forward(entry: Hosted, wanted: boolean): void {
  if (!wanted || entry.forwarding) return;
  entry.forwarding = true;
  entry.env.onAny(({ name, data }) => {
    entry.pending.push([name as string, data]);
  });
}

async function drain(entry: Hosted | undefined): Promise<ForwardedEvent[] | undefined> {
  if (!entry?.forwarding) return undefined;
  // emittery calls listeners a tick after emit(); let them run before the reply leaves.
  await new Promise((resolve) => setImmediate(resolve));
  if (entry.pending.length === 0) return undefined;
  return entry.pending.splice(0);
}

async function nextChunk(iterator: AsyncIterator<unknown>, count: number): Promise<IteratorChunk> {
  const items: unknown[] = [];
  while (items.length < count) {
    const step = await iterator.next();
    if (step.done) return { items, done: true };
    items.push(step.value);
  }
  return { items, done: false };
}

/**
 * Options that carry PROGRESS_CALLBACK (an onProgress the main thread kept, functions cannot cross)
 * get a function that posts each report to the main thread as a `{ id, progress }` message.
 */
function withProgress(args: unknown[], id: number): unknown[] {
  return args.map((arg) => {
    if ((arg as { onProgress?: unknown } | null)?.onProgress !== PROGRESS_CALLBACK) return arg;
    const onProgress = (progress: { done: number; total: number }) => {
      progress = { done: progress.done, total: progress.total };
      postToMain(data, { id, progress, output: output.splice(0) });
    };
    return { ...(arg as object), onProgress };
  });
}

async function run(request: WorkerRequest, id: number): Promise<unknown> {
  switch (request.op) {
    case "open":
      return open(request.envId, request.options);
    case "call": {
      const entry = host(request.envId);
      if (request.collection === undefined) {
        if (!environmentMethods.has(request.method))
          throw new TypeError(`pocketmap: no method ${request.method}`);
        const method = entry.env[request.method as keyof AsyncEnvironment] as (...args: unknown[]) => unknown;
        return method(...withProgress(request.args, id));
      }
      if (!collectionMethods.has(request.method))
        throw new TypeError(`pocketmap: no method ${request.method}`);
      const collection = entry.env.collection(request.collection);
      const result = await (
        collection[request.method as keyof AsyncCollection] as (...args: unknown[]) => unknown
      )(...withProgress(request.args, id));
      // `set` returns the collection, which cannot cross; the main thread returns its own.
      return result instanceof AsyncCollection ? undefined : result;
    }
    case "iterate": {
      const entry = host(request.envId);
      const collection = entry.env.collection(request.collection);
      const iterator = (collection[request.method] as (...args: unknown[]) => AsyncIterator<unknown>)(
        ...request.args,
      );
      const id = entry.nextIterator++;
      entry.iterators.set(id, iterator);
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
    case "close": {
      const entry = hosted.get(request.envId);
      hosted.delete(request.envId);
      await entry?.env.close();
      return undefined;
    }
    case "exit":
      // Lets the tests kill the worker the way a crash would (mid-call, or just after answering).
      testHook();
      if (!request.later) process.exit(request.code);
      setTimeout(() => process.exit(request.code), 10);
      return undefined;
    case "throw": {
      // Lets the tests raise a built-in error class in the worker.
      testHook();
      const ErrorClass = (globalThis as unknown as Record<string, ErrorConstructor>)[request.name] ?? Error;
      throw new ErrorClass(`raised in the worker as ${request.name}`);
    }
  }
}

function testHook(): void {
  // Refused unless the tests asked for it before the worker started.
  if (process.env.POCKETMAP_TEST_HOOKS !== "1") throw new Error("pocketmap: this hook is only for tests");
}

async function answer(request: WorkerRequest, id: number): Promise<WorkerReply> {
  const entry = "envId" in request ? hosted.get(request.envId) : undefined;
  if (entry && "events" in request) forward(entry, request.events);
  try {
    const value = await run(request, id);
    return { ok: true, value, events: await drain(entry) };
  } catch (error) {
    return { ok: false, error: errorToJSON(error), events: await drain(entry) };
  }
}

data.port.on("message", async ({ id, request }: ToWorker) => {
  received = id;
  const reply = await answer(request, id);
  postToMain(data, { id, reply, output: output.splice(0) });
});
