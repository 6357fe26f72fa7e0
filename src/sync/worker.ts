// The sync kind's worker: hosts one AsyncEnvironment per sync environment and runs whole calls on it.
// It re-implements nothing; every behaviour is the async kind's.
import { workerData } from "node:worker_threads";
import { errorToJSON } from "../abstract/errors/index.ts";
import { crossingOf, type TargetPath } from "../abstract/surface.ts";
import type { ServerTarget } from "../abstract/target.ts";
import { type AsyncEnvironment, createAsyncEnvironment } from "../async/environment.ts";
import { serverTarget } from "../server/target.ts";
import {
  type IteratorChunk,
  type OpenResult,
  type OutputChunk,
  PROGRESS,
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

interface Hosted {
  environment: AsyncEnvironment;
  iterators: Map<number, AsyncIterator<unknown>>;
  nextIterator: number;
  /** Events waiting to travel back with the next reply; collected only while the main thread listens. */
  pending: RelayedEvent[];
  relaying: boolean;
}

const hosted = new Map<number, Hosted>();

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
  const environment = createAsyncEnvironment(async () => {
    started = await target();
    return started;
  }, options);
  hosted.set(envId, { environment, iterators: new Map(), nextIterator: 0, pending: [], relaying: false });
  // Every response is progress: a call of many requests may block as long as each one moves.
  environment.on("request", progress);
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

/** Starts collecting the environment's events for the main thread, once it listens. */
function relayEvents(entry: Hosted, wanted: boolean): void {
  if (!wanted || entry.relaying) return;
  entry.relaying = true;
  entry.environment.onAny(({ name, data }) => {
    entry.pending.push([name as string, data]);
  });
}

async function drain(entry: Hosted | undefined): Promise<RelayedEvent[] | undefined> {
  if (!entry?.relaying) return undefined;
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

async function run(request: WorkerRequest): Promise<unknown> {
  switch (request.op) {
    case "open":
      return open(request.envId, request.options);
    case "as": {
      const environment = host(request.parent).environment.as(request.identity);
      hosted.set(request.envId, {
        environment,
        iterators: new Map(),
        nextIterator: 0,
        pending: [],
        relaying: false,
      });
      environment.on("request", progress);
      return {} satisfies OpenResult;
    }
    case "call":
    case "iterate": {
      const entry = host(request.envId);
      // Only what the target's method table lists, crossing the way the request says.
      const crossing = crossingOf(request.target, request.method);
      const allowed =
        request.op === "iterate" ? crossing === "iterate" : crossing === "call" || crossing === "self";
      if (!allowed) throw new TypeError(`pocketmap: no method ${request.method}`);
      const target = resolve(entry.environment, request.target);
      const result = (target[request.method] as (...args: unknown[]) => unknown).apply(target, request.args);
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
  if (entry && "events" in request) relayEvents(entry, request.events);
  try {
    const value = await run(request);
    return { ok: true, value, events: await drain(entry) };
  } catch (error) {
    return { ok: false, error: errorToJSON(error), events: await drain(entry) };
  }
}

data.port.on("message", async ({ id, request }: ToWorker) => {
  received = id;
  const reply = await answer(request);
  postToMain(data, { id, reply, output: output.splice(0) });
});
