// The main thread's side of the sync kind: one worker thread per process, created on first use and
// replaced when it dies. A call posts its request and blocks in Atomics.wait until the worker answers.
//
// pocketmap owns this Worker (it used synckit before) so that it can see the worker's 'exit' between
// calls, terminate a stuck one, bound each call by its own timeout, and start the worker the same way
// whatever the host (synckit's preload path broke under `node -e 'import(...)'`).
import type { MessagePort, Worker } from "node:worker_threads";
import type { AsIdentity } from "../abstract/auth-operations.ts";
import { ClosedError, errorFromJSON, InvalidInputError, SyncWorkerError } from "../abstract/errors/index.ts";
import type { ResolvedOptions } from "../abstract/options.ts";
import type { CallbackRef } from "../abstract/params.ts";
import { nodeModules } from "../server/node-modules.ts";
import { guardServer, type ServerGuard } from "../server/process-cleanup.ts";
import { type CrossingOptions, crossingOptions } from "./hooks.ts";
import { hasUnheld, takeUnheld } from "./identity-release.ts";
import {
  type FromWorker,
  NOTIFY,
  type OpenResult,
  type OutputChunk,
  PROGRESS,
  type RelayedEvent,
  type ToWorker,
  type WorkerData,
  type WorkerReply,
  type WorkerRequest,
} from "./protocol.ts";
import {
  bufferPush,
  deliverNow,
  dropSubscriptions,
  forgetThrown,
  hasSubscriptions,
  keepCallback,
  releaseCallback,
  releaseCallbacksOf,
  routeEvents,
  runCall,
  runNotify,
  takeThrown,
  thrownBy,
} from "./push-channel.ts";

interface Registration {
  options: ResolvedOptions;
  /** The options as they cross to the worker (hooks kept here as callbacks). */
  crossing: CrossingOptions;
  onEvents: (events: RelayedEvent[]) => void;
  /** An identity from `as()`: it opens on the pool of environment `parent` (opened first). */
  derived?: { parent: number; identity: AsIdentity } | undefined;
  /** Its embedded server, stopped from the main thread if its worker cannot (it may be gone). */
  server?: ServerGuard;
}

interface Host {
  worker: Worker;
  port: MessagePort;
  shared: Int32Array;
  nextId: number;
  /** Whether it has answered once: the first call also waits for the worker's modules to load. */
  answered: boolean;
}

// In the package the worker is dist/worker.js beside the bundle; from the sources, worker-entry.ts.
const here = import.meta.url;
const ENTRY = new URL(here.endsWith(".ts") ? "./worker-entry.ts" : "./worker.js", here).href;

// The worker's first code: report a failure to load the worker module at once (a blocked main thread
// could not see the worker's 'error' event), instead of leaving the caller waiting for its deadline.
const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
import(workerData.entry).catch((error) => {
  workerData.port.postMessage({ exit: 1, received: -1, output: [], error: String(error && error.stack || error) });
  Atomics.add(workerData.shared, ${NOTIFY}, 1);
  Atomics.notify(workerData.shared, ${NOTIFY});
  process.exit(1);
});
`;

/** Slack on top of what a call's requests may take: the worker's own work, a loaded machine. */
const MARGIN = 5_000;
/** Extra for the first call of a new worker, which loads its modules first. */
const WORKER_START = 10_000;
/** How often a blocked call looks at the worker's progress. */
const SLICE = 1_000;

let host: Host | undefined;
/** Environments opened in the current worker; a replacement worker reopens them on their next call. */
let openInWorker = new Set<number>();
const registrations = new Map<number, Registration>();
let nextEnvId = 1;
routeEvents((envId) => registrations.get(envId)?.onEvents);
/** node:worker_threads' own, loaded with the first worker: importing pocketmap loads no worker_threads. */
let receiveMessageOnPort: typeof import("node:worker_threads").receiveMessageOnPort;

/** Runs a callback the worker asked for (a notify or a call); false if the message is none. */
function runCallback(
  current: Host,
  message: FromWorker,
): message is Extract<FromWorker, { notify: unknown } | { callback: unknown }> {
  if ("notify" in message) {
    runNotify(message.notify, message.args);
    return true;
  }
  if ("callback" in message) {
    // A hook: run it here and answer, whether this thread is blocked in a call or free.
    runningCallback++;
    let result: ReturnType<typeof runCall>;
    try {
      result = runCall(message.callback, message.args);
    } finally {
      runningCallback--;
    }
    current.port.postMessage({ answer: message.answer, result } satisfies ToWorker);
    return true;
  }
  return false;
}

/** What arrives while this thread is free: pushes (run now), callbacks, a dead worker's report, stale replies. */
function onIdleMessage(current: Host, message: FromWorker): void {
  writeOutput(message.output);
  if ("exit" in message) {
    retire(current);
    return;
  }
  if ("push" in message) deliverNow(message.push);
  else runCallback(current, message);
  // Otherwise: the answer to a call that was given up on.
}

/** How many callbacks run on this thread inside a blocked call (they may not make sync calls). */
let runningCallback = 0;

/** Keeps the process alive exactly while a subscription is live. */
function updateRef(): void {
  if (!host) return;
  if (hasSubscriptions()) host.port.ref();
  else host.port.unref();
}

function startWorker(): Host {
  if (host) return host;
  const { MessageChannel, Worker } = nodeModules.workerThreads;
  receiveMessageOnPort = nodeModules.workerThreads.receiveMessageOnPort;
  const shared = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  const { port1, port2 } = new MessageChannel();
  const workerData: WorkerData = { shared, port: port2, entry: ENTRY };
  const worker = new Worker(BOOTSTRAP, {
    eval: true,
    workerData,
    transferList: [port2],
    // Not the parent's flags (`-e` code, --inspect): the worker needs none.
    execArgv: [],
  });
  const started: Host = { worker, port: port1, shared, nextId: 0, answered: false };
  host = started;
  port1.on("message", (message: FromWorker) => onIdleMessage(started, message));
  port1.unref();
  // A worker that dies while this thread is free is noticed here, so the next call starts a fresh
  // one at once. (One that dies during a call reports it through the port; see wait().)
  worker.on("exit", () => retire(started));
  // Its errors are reported through the port; without a listener Node would rethrow them here.
  worker.on("error", () => {});
  worker.unref();
  return started;
}

/** Forgets a dead or stuck worker: the next call starts a new one and reopens its environments. */
function retire(dead: Host): void {
  if (host !== dead) return;
  host = undefined;
  openInWorker = new Set();
  dead.port.close();
  void dead.worker.terminate();
  // Its realtime connections died with it: those subscribed hear `disconnect`, and nothing holds the
  // process open any more (a new worker starts with no subscriptions).
  for (const envId of dropSubscriptions()) {
    registrations.get(envId)?.onEvents([["disconnect", { reason: "the sync worker ended" }]]);
  }
}

function writeOutput(output: OutputChunk[] | undefined): void {
  for (const [fd, chunk] of output ?? []) (fd === 1 ? process.stdout : process.stderr).write(chunk);
}

/**
 * How long a call may go without any sign of progress from the worker: its requests' timeout times
 * the attempts, plus the backoff between them, plus a margin. Every response the worker receives
 * starts the wait again, so a call made of many requests may take as long as they need.
 */
export function blockLimit(options: ResolvedOptions, request: WorkerRequest, firstCall: boolean): number {
  let timeout = options.timeout;
  if ("args" in request) {
    for (const arg of request.args) {
      const own = (arg as { timeout?: unknown } | undefined)?.timeout;
      if (typeof arg === "object" && typeof own === "number" && Number.isFinite(own)) timeout = own;
    }
  }
  const { retries, retryDelay } = options;
  // The transport waits retryDelay * 2^attempt * (0.5..1.5) between attempts.
  const backoff = 1.5 * retryDelay * (2 ** retries - 1);
  let limit = timeout * (retries + 1) + backoff + MARGIN;
  // Starting an embedded server: its own startup timeout (a first install beats progress while it runs).
  if (request.op === "open" && options.url === undefined) limit += options.startupTimeout;
  if (firstCall) limit += WORKER_START;
  return limit;
}

/** The worker died before it took the request: nothing was done, so it may be sent again. */
class NotTakenError extends SyncWorkerError {}

function send(request: WorkerRequest, limit: (firstCall: boolean) => number): WorkerReply {
  const current = startWorker();
  const id = current.nextId++;
  try {
    current.port.postMessage({ id, request } satisfies ToWorker);
  } catch (error) {
    if ((error as Error)?.name === "DataCloneError") {
      throw new InvalidInputError(
        `pocketmap: an argument cannot be sent to the sync worker (${(error as Error).message}); pass plain data`,
      );
    }
    throw error;
  }
  const message = wait(current, id, limit(!current.answered));
  if ("exit" in message) {
    retire(current);
    const reason = message.error ?? `it exited with code ${message.exit}`;
    // It died before it took this request: the caller may reopen and send it to a fresh worker.
    const ErrorClass = message.received < id && message.error === undefined ? NotTakenError : SyncWorkerError;
    throw new ErrorClass(`pocketmap: the sync worker failed: ${reason}`);
  }
  current.answered = true;
  return message.reply;
}

/** Reads what a dead worker left in the port without blocking; retires it if it exited. */
function drainExited(current: Host): void {
  for (;;) {
    const message = receiveMessageOnPort(current.port)?.message as FromWorker | undefined;
    if (!message) return;
    writeOutput(message.output);
    if ("push" in message) bufferPush(message.push);
    if ("exit" in message) {
      retire(current);
      return;
    }
  }
}

/**
 * Blocks until the worker answers request `id` or reports its exit, or shows no progress for `limit` ms.
 * Callbacks the worker asks for (onProgress, hooks) run as they arrive, synchronously, between waits:
 * on this thread, while the call is still blocking.
 */
function wait(
  current: Host,
  id: number,
  limit: number,
): Extract<FromWorker, { reply: unknown } | { exit: unknown }> {
  const { shared, port } = current;
  let progress = Atomics.load(shared, PROGRESS);
  let deadline = Date.now() + limit;
  for (;;) {
    const notified = Atomics.load(shared, NOTIFY);
    const message = receiveMessageOnPort(port)?.message as FromWorker | undefined;
    if (message) {
      writeOutput(message.output);
      if ("push" in message) bufferPush(message.push);
      else if (runCallback(current, message)) {
        // A callback ran here, between waits; a hook's answer went back to the worker.
      } else if ("exit" in message || message.id === id) return message;
      continue; // a push, a callback, or an answer to a call that was given up on
    }
    const now = Date.now();
    const seen = Atomics.load(shared, PROGRESS);
    if (seen !== progress) {
      progress = seen;
      deadline = now + limit;
    }
    if (now >= deadline) {
      retire(current);
      throw new SyncWorkerError(
        `pocketmap: the sync worker did not answer: no progress for ${Math.round(limit)} ms (the call's timeout and retries allow that long)`,
      );
    }
    Atomics.wait(shared, NOTIFY, notified, Math.min(deadline - now, SLICE));
  }
}

function unwrap(_envId: number, reply: WorkerReply): unknown {
  if (reply.ok) return reply.value;
  // What a hook threw on this thread fails the call as itself, not as a copy.
  const original = reply.thrown === undefined ? undefined : takeThrown(reply.thrown);
  if (original) throw original.error;
  throw errorFromJSON(reply.error);
}

function registration(envId: number): Registration {
  const found = registrations.get(envId);
  if (!found) throw new ClosedError();
  return found;
}

function sendFor(envId: number, request: WorkerRequest): WorkerReply {
  const { options } = registration(envId);
  return send(request, (firstCall) => blockLimit(options, request, firstCall));
}

/** Runs `attempt` once more if the worker died before it took the request (nothing was done). */
function onceMore<T>(attempt: () => T): T {
  try {
    return attempt();
  } catch (error) {
    if (!(error instanceof NotTakenError)) throw error;
    return attempt();
  }
}

function ensureOpen(envId: number): void {
  // A worker that exited since the last call (and whose 'exit' this thread has not seen, never having
  // yielded) left its report in the port: start a fresh one, and reopen there, before sending anything.
  if (host) drainExited(host);
  if (openInWorker.has(envId)) return;
  const found = registration(envId);
  if (found.derived) {
    const { parent, identity } = found.derived;
    ensureOpen(parent);
    unwrap(
      envId,
      onceMore(() => sendFor(envId, { op: "as", envId, parent, identity })),
    );
    openInWorker.add(envId);
    return;
  }
  const opened = unwrap(
    envId,
    onceMore(() => sendFor(envId, { op: "open", envId, options: found.crossing })),
  ) as OpenResult;
  openInWorker.add(envId);
  // A reopen after a crash started a new server; the dead worker's one is ours to stop.
  stopServer(found);
  if (opened.pid) found.server = guardServer(opened.pid, opened.tempDir);
}

function stopServer(found: Registration): void {
  found.server?.stop();
  found.server = undefined;
}

/** Registers a sync environment; nothing crosses to the worker until its first call. */
/** The identities derived from each environment with `as()`: closed with it. */
const childrenOf = new Map<number, Set<number>>();

export function register(
  options: ResolvedOptions,
  onEvents: Registration["onEvents"],
  derived?: Registration["derived"],
): number {
  const envId = nextEnvId++;
  // A derived identity's hooks are its parent's, inherited in the worker.
  const crossing = derived
    ? { ...options, beforeSend: [], afterSend: [] }
    : crossingOptions(options, (fn) => keepCallback(envId, fn, "call"));
  registrations.set(envId, { options, crossing, onEvents, derived });
  if (derived) {
    const siblings = childrenOf.get(derived.parent) ?? new Set<number>();
    siblings.add(envId);
    childrenOf.set(derived.parent, siblings);
  }
  return envId;
}

/**
 * Runs one request for an environment in the worker and returns its result, or throws its error.
 * `callbacks` are the notify callbacks the request's arguments hand over (onProgress): a throw from
 * one does not stop the job and is rethrown once the call has succeeded, as the async kind does.
 */
export function call(envId: number, request: WorkerRequest, callbacks: readonly CallbackRef[] = []): unknown {
  if (runningCallback > 0) {
    throw new InvalidInputError(
      "pocketmap: a callback of a sync call (a hook, onProgress) cannot make sync calls while that call blocks; do the work after the call returns",
    );
  }
  if (hasUnheld()) releaseUnheld();
  try {
    const reply = onceMore(() => {
      ensureOpen(envId);
      return sendFor(envId, request);
    });
    const value = unwrap(envId, reply);
    for (const ref of callbacks) {
      const thrown = thrownBy(ref.ref);
      if (thrown) throw thrown.error;
    }
    return value;
  } finally {
    forgetThrown();
  }
}

/**
 * Subscribes in the worker, heard by push callback `request.subscription` (kept already, so that no
 * message pushed during the call is lost); returns once the server has taken it.
 */
export function subscribe(envId: number, request: Extract<WorkerRequest, { op: "subscribe" }>): void {
  call(envId, request);
  updateRef();
}

/**
 * Ends a subscription: its callback never runs again, and the process may exit if nothing else is live.
 * Returns the worker's answer (a live replication's final summary), undefined if it was ended already.
 */
export function unsubscribe(envId: number, subscription: number): unknown {
  if (!releaseCallback(subscription)) return undefined;
  updateRef();
  if (registrations.has(envId) && openInWorker.has(envId)) {
    return call(envId, { op: "unsubscribe", envId, subscription });
  }
  return undefined;
}

/** Closes the identities the program no longer holds (identity-release.ts), before the next call. */
function releaseUnheld(): void {
  for (const envId of takeUnheld()) {
    try {
      closeEnvironment(envId);
    } catch {
      // A broken worker: the call about to be made reports it.
    }
  }
}

/** What runs first when an environment closes (a live replication's cancel), by environment. */
const closingOf = new Map<number, Set<() => void>>();

/** Runs `fn` when environment `envId` closes, before anything of it is released; returns its remover. */
export function beforeClose(envId: number, fn: () => void): () => void {
  const closing = closingOf.get(envId) ?? new Set<() => void>();
  closing.add(fn);
  closingOf.set(envId, closing);
  return () => void closingOf.get(envId)?.delete(fn);
}

/**
 * Closes an environment in the worker (its pool, its embedded server), and first every identity
 * derived from it with `as()` (their subscriptions, their realtime connections), then what was to run
 * before its close (its live replications, cancelled while the worker still holds them).
 */
export function closeEnvironment(envId: number): void {
  const found = registrations.get(envId);
  if (!found) return;
  for (const child of childrenOf.get(envId) ?? []) closeEnvironment(child);
  childrenOf.delete(envId);
  for (const fn of [...(closingOf.get(envId) ?? [])]) {
    try {
      fn();
    } catch {
      // A broken worker: closing below reports it, or there is nothing left to close.
    }
  }
  closingOf.delete(envId);
  if (found.derived) childrenOf.get(found.derived.parent)?.delete(envId);
  releaseCallbacksOf(envId);
  updateRef();
  let closedByWorker = false;
  try {
    if (host) drainExited(host);
    if (openInWorker.has(envId)) {
      try {
        unwrap(envId, sendFor(envId, { op: "close", envId }));
        closedByWorker = true;
      } catch (error) {
        // A worker that died first holds nothing of this environment any more.
        if (!(error instanceof NotTakenError)) throw error;
      }
    }
  } finally {
    registrations.delete(envId);
    openInWorker.delete(envId);
    // The worker stopped its server cleanly; otherwise (it crashed) stop the server from here.
    if (closedByWorker) found.server?.release();
    else stopServer(found);
  }
}

/** Opens the environment now (embedded mode starts its server here). */
export function openEnvironment(envId: number): void {
  ensureOpen(envId);
}

function hookLimit(): number {
  return MARGIN + WORKER_START;
}

/**
 * Test hook: makes the worker exit as a crash would (mid-call, or with `later` just after it answered)
 * and returns what the caller saw. The worker honours it only when POCKETMAP_TEST_HOOKS=1 was set
 * before it started.
 */
export function crashWorkerForTests(code = 1, later = false): unknown {
  try {
    return send({ op: "exit", code, later }, hookLimit);
  } catch (error) {
    return error;
  }
}

/** Test hook: how many environments (identities included) this thread has registered. */
export function registeredForTests(): number {
  return registrations.size;
}

/**
 * Test hook: the worker's heap after a full collection (with --expose-gc, which the worker inherits).
 * The worker honours it only when POCKETMAP_TEST_HOOKS=1 was set before it started.
 */
export function workerHeapForTests(): number {
  const reply = send({ op: "heap" }, hookLimit);
  if (!reply.ok) throw errorFromJSON(reply.error);
  return reply.value as number;
}

/** Test hook: raises a built-in error of this class in the worker and returns what the caller got. */
export function throwInWorkerForTests(name: string): unknown {
  try {
    const reply = send({ op: "throw", name }, hookLimit);
    if (!reply.ok) return errorFromJSON(reply.error);
    return reply.value;
  } catch (error) {
    return error;
  }
}

/** Test hook: the current worker's thread id, or undefined when none is running. */
export function workerThreadForTests(): number | undefined {
  return host?.worker.threadId;
}
