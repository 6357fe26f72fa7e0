import type { SetupOptions } from "../abstract/options.ts";
import type { Schema, SchemaOf } from "../abstract/types.ts";
import { type AsyncEnvironment, createAsyncEnvironment } from "../async/environment.ts";
import { serverTarget } from "../server/target.ts";
import { createSyncEnvironment, type SyncEnvironment } from "../sync/environment.ts";
import { loadOptions } from "./config.ts";
import { assertNodeVersion } from "./node-version.ts";

/**
 * Creates an environment: a SyncEnvironment whose calls block and return values, or with
 * `{ async: true }` an AsyncEnvironment whose calls return Promises. With no URL in the options, the
 * environment or `.env`, a local PocketBase is started. `S` maps collection names to record types,
 * e.g. `setup<{ posts: Post }>()`, where `Post` may be a plain interface.
 *
 * The kind follows the options: none, `{}` or `{ async: false }` is sync, `{ async: true }` async, and
 * only an `async` typed `boolean` (or options typed `SetupOptions`) gives the union of both.
 * @example
 * ```ts
 * const env = setup(); // sync: env.posts.get(id) returns the record
 * const aenv = setup({ async: true, url: "http://127.0.0.1:8090", timeout: 10_000 }); // async
 * const typed = setup<{ posts: { title: string } }>(); // env.posts is typed
 * ```
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
  assertNodeVersion();
  const resolved = loadOptions(options);
  if (!resolved.async) return createSyncEnvironment<S>(resolved);
  return createAsyncEnvironment<S>(serverTarget(resolved), resolved);
}
