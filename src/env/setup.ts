import { writeSync } from "node:fs";
import type { ResolvedOptions, SetupOptions } from "../abstract/options.ts";
import type { Schema, SchemaOf } from "../abstract/types.ts";
import type { ServerTarget } from "../async/client.ts";
import { type AsyncEnvironment, createAsyncEnvironment } from "../async/environment.ts";
import { createSyncEnvironment, type SyncEnvironment } from "../sync/environment.ts";
import { loadOptions } from "./config.ts";
import { startEmbedded } from "./embedded.ts";

/** The one notice a temporary embedded server gives: where it runs, that its data goes, how to keep it. */
export function temporaryServerNotice(url: string): string {
  return (
    `pocketmap: started a temporary PocketBase at ${url} (no URL configured); its data is deleted when ` +
    "this process exits. To keep it, pass setup({ dir }) or set POCKETBASE_DIR. " +
    "(quiet: true or POCKETMAP_QUIET=1 hides this notice.)\n"
  );
}

/** Where an environment's requests go: the configured URL, or an embedded server started on first use. */
export function serverTarget(
  options: Pick<ResolvedOptions, "url" | "dir" | "quiet" | "startupTimeout">,
): () => Promise<ServerTarget> {
  const { url, dir, quiet, startupTimeout } = options;
  if (url !== undefined) return async () => ({ url });
  return async () => {
    const server = await startEmbedded({ dir, startupTimeout });
    // Written straight to fd 2: in the sync kind this runs in the worker thread, whose process.stderr
    // is relayed through the main thread, which is blocked (and may exit before it gets to it).
    if (server.tempDir !== undefined && !quiet) writeSync(2, temporaryServerNotice(server.url));
    return {
      url: server.url,
      email: server.email,
      password: server.password,
      stop: () => server.stop(),
      pid: server.pid,
      tempDir: server.tempDir,
    };
  };
}

/**
 * Creates an environment: a SyncEnvironment whose calls block and return values, or with
 * `{ async: true }` an AsyncEnvironment whose calls return Promises. With no URL in the options, the
 * environment or `.env`, a local PocketBase is started. `S` maps collection names to record types,
 * e.g. `setup<{ posts: Post }>()`, where `Post` may be a plain interface.
 *
 * The kind follows the options: none, `{}` or `{ async: false }` is sync, `{ async: true }` async, and
 * only an `async` typed `boolean` (or options typed `SetupOptions`) gives the union of both.
 */
export function setup<S extends SchemaOf<S> = Schema>(
  options?: SetupOptions & { async?: false | undefined },
): SyncEnvironment<S>;
export function setup<S extends SchemaOf<S> = Schema>(
  options: SetupOptions & { async: true },
): AsyncEnvironment<S>;
export function setup<S extends SchemaOf<S> = Schema>(
  options?: SetupOptions,
): AsyncEnvironment<S> | SyncEnvironment<S>;
export function setup<S extends SchemaOf<S> = Schema>(
  options?: SetupOptions,
): AsyncEnvironment<S> | SyncEnvironment<S> {
  const resolved = loadOptions(options);
  if (!resolved.async) return createSyncEnvironment<S>(resolved);
  return createAsyncEnvironment<S>(serverTarget(resolved), resolved);
}
