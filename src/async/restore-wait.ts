// Waiting for a PocketBase to come back from a backup restore. PocketBase answers the restore request
// at once (204), restores a second later in the background and then restarts itself: on Unix it
// re-executes its own binary with the same arguments (execve: same process id, same port), so the
// server is briefly unreachable and every connection to it is closed. No answer says when that is
// over, and polling /api/health cannot tell the old process from the new one (the transport's retries
// hide the moments it is down). What does tell: a realtime stream opened before the restore ends when
// the old process goes, and one that opens (and takes a subscription) afterwards is the new process.
// A restore PocketBase accepted and then gave up on (a zip without data.db) ends in no restart, only
// in an entry of its logs, which is read every few seconds (a server that keeps no logs: the timeout).

import { PocketmapError, TimeoutError } from "../abstract/errors/index.ts";
import type { RequestSpec } from "../abstract/operations.ts";
import type { Client } from "./client.ts";
import { RealtimeConnection } from "./realtime.ts";

/** PocketBase gives a restore 10 minutes to fetch the backup; a minute more to restart. */
export const RESTORE_WAIT = 11 * 60_000;
/**
 * How often the server's own account of the restore is read while waiting: `canBackup` in its health,
 * and its logs. PocketBase writes its logs after 3 s without a new one, so reading more often (each
 * read is a logged request) would keep them from being written.
 */
const POLL = 4_000;

const healthAsSuperuser: RequestSpec = { method: "GET", path: "/api/health", expect: "object" };

// What PocketBase logs when a restore it accepted fails (apis/backup.go, 0.23 to 0.40).
const failedRestores: RequestSpec = {
  method: "GET",
  path: "/api/logs",
  query: { filter: 'message = "Failed to restore backup"', sort: "-created", perPage: 50, skipTotal: true },
  expect: "object",
};

interface LogEntry {
  id?: unknown;
  data?: { key?: unknown; error?: unknown };
}

/** The failed-restore entries of the server's logs (none when it keeps no logs, or cannot say). */
async function failureLogs(client: Client): Promise<LogEntry[]> {
  return client.request<{ items?: LogEntry[] }>(failedRestores).then(
    (page) => (Array.isArray(page.items) ? page.items : []),
    () => [],
  );
}

/**
 * Runs `start` (the restore request) with a realtime stream of its own open, then resolves once the
 * server has restarted and answers again: the stream was lost and reopened, and /api/health, asked as
 * the superuser, says no backup or restore is running. Fails if the server says the restore ended
 * without a restart (it failed: PocketBase logs why), or after `wait` milliseconds.
 */
export async function restoreAndWait(
  client: Client,
  key: string,
  start: () => Promise<void>,
  wait = RESTORE_WAIT,
): Promise<void> {
  const { transport } = await client.connect();
  let lost = false;
  let back: (() => void) | undefined;
  let backAgain = new Promise<void>((resolve) => {
    back = resolve;
  });
  // Anonymous: the restored data may not know this identity (a backup from another server).
  const watcher = new RealtimeConnection({
    url: async () => transport.url,
    request: (spec) => client.request({ ...spec, auth: false }),
    headers: client.options.headers,
    timeout: client.options.timeout,
    stableAfter: client.options.realtimeStable,
    maxEvent: client.options.realtimeMaxEvent,
    emit: (name) => {
      if (name === "disconnect") lost = true;
      else if (name === "reconnect" && lost) back?.();
    },
  });
  const deadline = Date.now() + wait;
  try {
    const topic = `pocketmap_restore_${Math.random().toString(36).slice(2)}`;
    await watcher.subscribe(topic, { message() {} });
    const earlier = new Set((await failureLogs(client)).map((entry) => entry.id));
    await start();
    let running = false;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new TimeoutError({
          status: 0,
          message: `pocketmap: the server did not come back from restoring backup ${JSON.stringify(key)} within ${wait} ms`,
          method: "POST",
        });
      }
      let timer: NodeJS.Timeout | undefined;
      const restarted = await Promise.race([
        backAgain.then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), Math.min(POLL, left));
        }),
      ]);
      clearTimeout(timer);
      const canBackup = await client.request<{ data?: { canBackup?: unknown } }>(healthAsSuperuser).then(
        (answer) => answer.data?.canBackup,
        () => undefined,
      );
      if (canBackup === false) running = true;
      if (restarted) {
        // A stream lost for another reason while the restore still runs: wait for the next one.
        if (canBackup !== false) return;
        lost = false;
        backAgain = new Promise<void>((resolve) => {
          back = resolve;
        });
        continue;
      }
      const failed = (await failureLogs(client)).find(
        (entry) => !earlier.has(entry.id) && entry.data?.key === key,
      );
      if (failed || (running && canBackup === true && !lost)) {
        const why =
          typeof failed?.data?.error === "string" ? `: ${failed.data.error}` : " (the server's logs say why)";
        throw new PocketmapError(
          `pocketmap: the server did not restore backup ${JSON.stringify(key)}; it goes on with its data as it was${why}`,
        );
      }
    }
  } finally {
    await watcher.close();
  }
}
