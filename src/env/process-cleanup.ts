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
