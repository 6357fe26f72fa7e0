// The sync kind's worker: hosts one AsyncEnvironment per sync environment and runs whole calls on it.
// It re-implements nothing; every behaviour is the async kind's.
import { runAsWorker } from "synckit";
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
  type WorkerReply,
  type WorkerRequest,
} from "./protocol.ts";

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
  if (options.url !== undefined) return {};
  // Embedded mode starts now, so that the main thread can stop the server if the process ends.
  await env.url();
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

async function run(request: WorkerRequest): Promise<unknown> {
  switch (request.op) {
    case "open":
      return open(request.envId, request.options);
    case "call": {
      const entry = host(request.envId);
      if (request.collection === undefined) {
        if (!environmentMethods.has(request.method))
          throw new TypeError(`pocketmap: no method ${request.method}`);
        const method = entry.env[request.method as keyof AsyncEnvironment] as (...args: unknown[]) => unknown;
        return method(...request.args);
      }
      if (!collectionMethods.has(request.method))
        throw new TypeError(`pocketmap: no method ${request.method}`);
      const collection = entry.env.collection(request.collection);
      const result = await (
        collection[request.method as keyof AsyncCollection] as (...args: unknown[]) => unknown
      )(...request.args);
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
      // Lets the tests kill the worker the way a crash would; refused unless they asked for it.
      if (process.env.POCKETMAP_TEST_HOOKS === "1") process.exit(request.code);
      throw new Error("pocketmap: the exit hook is only for tests");
  }
}

runAsWorker(async (request: WorkerRequest): Promise<WorkerReply> => {
  const entry = "envId" in request ? hosted.get(request.envId) : undefined;
  if (entry && "events" in request) forward(entry, request.events);
  try {
    const value = await run(request);
    return { ok: true, value, events: await drain(entry) };
  } catch (error) {
    return { ok: false, error: errorToJSON(error), events: await drain(entry) };
  }
});
