import { rmSync } from "node:fs";

// One process 'exit' handler for every live embedded server, installed while any is live, so that
// many servers never add many listeners.
//
// No signal handlers: a listener for SIGINT/SIGTERM replaces Node's default action, and it can only
// run when the main thread is free, which a sync script blocked in a call never is (Ctrl-C would be
// ignored). Signals keep their default effect (the process ends at once, status 130/143), and each
// server's watchdog (watchdog.ts) stops it and removes its temporary directory when the process is gone.

/** Synchronous last-chance cleanup: kill the child and remove its temporary directory. */
export type SyncCleanup = () => void;

const live = new Set<SyncCleanup>();
let installed = false;

function onExit(): void {
  for (const cleanup of [...live]) {
    live.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Best effort: the process is going away and one failure must not skip the rest.
    }
  }
  uninstall();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", onExit);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off("exit", onExit);
}

/** Runs `cleanup` when the process exits normally, unless released first; returns the release. */
export function onProcessExit(cleanup: SyncCleanup): () => void {
  live.add(cleanup);
  install();
  return () => {
    live.delete(cleanup);
    if (live.size === 0) uninstall();
  };
}

/**
 * Stops a server at once, synchronously (the last thing a process does): signals `pid` (when given)
 * and removes `dir` (when given). The one place that kills a server and removes its directory, for
 * the launcher's exit handler and for the sync kind's main thread, whose server runs in its worker.
 */
export function stopNow(pid: number | undefined, dir: string | undefined, signal: NodeJS.Signals): void {
  if (pid) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
}

/** A server started in another thread (the sync worker) that this thread stops if its owner cannot. */
export interface ServerGuard {
  /** Stops the server now: SIGKILL and its temporary directory removed. */
  stop(): void;
  /** Its owner stopped it cleanly: nothing left to do at exit. */
  release(): void;
}

/** Guards a server by process id: stopped at a normal exit of this process unless released first. */
export function guardServer(pid: number, tempDir: string | undefined): ServerGuard {
  let done = false;
  const stop = () => {
    if (done) return;
    done = true;
    release();
    stopNow(pid, tempDir, "SIGKILL");
  };
  // At a normal exit only: signals keep Node's default (see docs/sync.md); the server's watchdog
  // stops it when this process ends any other way.
  const release = onProcessExit(stop);
  return {
    stop,
    release: () => {
      done = true;
      release();
    },
  };
}
