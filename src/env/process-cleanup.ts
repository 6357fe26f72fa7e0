// One set of process-level handlers for every live embedded server, installed while any is live, so
// many servers never add many listeners and a program with none keeps Node's default signal behaviour.

/** Synchronous last-chance cleanup: kill the child and remove its temporary directory. */
export type SyncCleanup = () => void;

const SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
const live = new Set<SyncCleanup>();
let installed = false;

function runAll(): void {
  for (const cleanup of [...live]) {
    live.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Best effort: the process is going away and one failure must not skip the rest.
    }
  }
}

function onExit(): void {
  runAll();
  uninstall();
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  uninstall();
  // Our listener suppressed Node's default action; when nobody else handles the signal, restore it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off("exit", onExit);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** Runs `cleanup` at exit or on SIGINT/SIGTERM/SIGHUP unless released first; returns the release. */
export function onProcessExit(cleanup: SyncCleanup): () => void {
  live.add(cleanup);
  install();
  return () => {
    live.delete(cleanup);
    if (live.size === 0) uninstall();
  };
}
