// The main thread's side of the sync kind: one synckit worker per process, created on first use and
// replaced after a crash. Calls block until the worker answers.
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startWorkerThread } from "synckit";
import { SYNC_CALL_TIMEOUT } from "../abstract/constants.ts";
import { errorFromJSON, InvalidInputError, SyncWorkerError } from "../abstract/errors/index.ts";
import type { ResolvedOptions } from "../abstract/options.ts";
import { onProcessExit } from "../env/process-cleanup.ts";
import type { ForwardedEvent, OpenResult, WorkerReply, WorkerRequest } from "./protocol.ts";

type SyncFn = (request: WorkerRequest) => WorkerReply;

interface Registration {
  options: ResolvedOptions;
  onEvents: (events: ForwardedEvent[]) => void;
  /** Stops this environment's embedded server from the main thread (its worker may be gone). */
  stopServer?: () => void;
  /** Withdraws stopServer from the process-exit handlers. */
  release?: () => void;
}

// In the package the worker is dist/worker.js beside the bundle; from the sources, worker-entry.ts.
const here = import.meta.url;
const WORKER_URL = new URL(here.endsWith(".ts") ? "./worker-entry.ts" : "./worker.js", here);

let worker: SyncFn | undefined;
/** Environments opened in the current worker; a replacement worker reopens them on their next call. */
let openInWorker = new Set<number>();
const registrations = new Map<number, Registration>();
let nextEnvId = 1;

function startWorker(timeout: number): SyncFn {
  worker ??= startWorkerThread(fileURLToPath(WORKER_URL), { timeout }) as SyncFn;
  return worker;
}

function send(request: WorkerRequest): WorkerReply {
  // The environment that starts the worker sets its limit (POCKETMAP_SYNC_TIMEOUT, read at setup()).
  const registration = "envId" in request ? registrations.get(request.envId) : undefined;
  const fn = startWorker(registration?.options.syncTimeout ?? SYNC_CALL_TIMEOUT);
  try {
    return fn(request);
  } catch (error) {
    if ((error as Error)?.name === "DataCloneError") {
      throw new InvalidInputError(
        `pocketmap: an argument cannot be sent to the sync worker (${(error as Error).message}); pass plain data`,
      );
    }
    // Crashed, exited or timed out: this worker is done. The next call starts a fresh one.
    worker = undefined;
    openInWorker = new Set();
    throw new SyncWorkerError(`pocketmap: the sync worker failed: ${(error as Error)?.message ?? error}`, {
      cause: error,
    });
  }
}

function unwrap(envId: number, reply: WorkerReply): unknown {
  if (reply.events?.length) registrations.get(envId)?.onEvents(reply.events);
  if (!reply.ok) throw errorFromJSON(reply.error);
  return reply.value;
}

function ensureOpen(envId: number): void {
  if (openInWorker.has(envId)) return;
  const registration = registrations.get(envId);
  if (!registration) throw new Error("pocketmap: this environment is closed");
  const opened = unwrap(envId, send({ op: "open", envId, options: registration.options })) as OpenResult;
  openInWorker.add(envId);
  // A reopen after a crash started a new server; the dead worker's one is ours to stop.
  stopServer(registration);
  if (opened.pid) {
    const { pid, tempDir } = opened;
    registration.stopServer = () => {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    };
    registration.release = onProcessExit(registration.stopServer);
  }
}

function stopServer(registration: Registration): void {
  registration.release?.();
  registration.stopServer?.();
  registration.release = registration.stopServer = undefined;
}

/** Registers a sync environment; nothing crosses to the worker until its first call. */
export function register(options: ResolvedOptions, onEvents: Registration["onEvents"]): number {
  const envId = nextEnvId++;
  registrations.set(envId, { options, onEvents });
  return envId;
}

/** Runs one request for an environment in the worker and returns its result, or throws its error. */
export function call(envId: number, request: WorkerRequest): unknown {
  ensureOpen(envId);
  return unwrap(envId, send(request));
}

/** Closes an environment in the worker (its pool, its embedded server). */
export function closeEnvironment(envId: number): void {
  const registration = registrations.get(envId);
  if (!registration) return;
  registrations.delete(envId);
  let closedByWorker = false;
  try {
    if (openInWorker.has(envId)) {
      unwrap(envId, send({ op: "close", envId }));
      closedByWorker = true;
    }
  } finally {
    openInWorker.delete(envId);
    // The worker stopped its server cleanly; otherwise (it crashed) stop the server from here.
    if (closedByWorker) registration.release?.();
    else stopServer(registration);
  }
}

/** Opens the environment now (embedded mode starts its server here). */
export function openEnvironment(envId: number): void {
  ensureOpen(envId);
}

/**
 * Test hook: makes the worker exit mid-call, as a crash would, and returns what the caller saw. The
 * worker honours it only when POCKETMAP_TEST_HOOKS=1 was set before it started.
 */
export function crashWorkerForTests(code = 1): unknown {
  try {
    return send({ op: "exit", code });
  } catch (error) {
    return error;
  }
}
