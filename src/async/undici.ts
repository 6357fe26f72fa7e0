// undici's Pool and Client, loaded on first use. Its index loads all of undici (fetch, WebSocket,
// caches, mocks: about twice the code, tens of ms of a one-shot script's start-up); pocketmap needs only
// the two dispatchers and `request()`, which the index adds to Dispatcher.prototype: this file does
// the same with four of its modules (undici has no "exports" map, so they can be imported), and falls
// back to the index if a later undici moved them.
/// <reference path="./undici-parts.d.ts" />
// (Referenced, not only included: a program that compiles src/ from elsewhere, a consumer's through
// the "pocketmap:source" condition, needs those declarations too.)
import type * as undici from "undici";

export interface Undici {
  Pool: typeof undici.Pool;
  Client: typeof undici.Client;
}

let loading: Promise<Undici> | undefined;

/** undici's Pool and Client, with `request()`; loaded once per thread. */
export function loadUndici(): Promise<Undici> {
  loading ??= loadParts().catch(async () => {
    const { Pool, Client } = await import("undici");
    return { Pool, Client };
  });
  return loading;
}

type Constructor = abstract new (...args: never[]) => object;

async function loadParts(): Promise<Undici> {
  // Literal paths, so that a bundler of the user's sees them (undici-parts.d.ts types them).
  const [pool, client, dispatcher, request] = await Promise.all([
    import("undici/lib/dispatcher/pool.js"),
    import("undici/lib/dispatcher/client.js"),
    import("undici/lib/dispatcher/dispatcher.js"),
    import("undici/lib/api/api-request.js"),
  ]);
  const Pool = pool.default as typeof undici.Pool;
  const Client = client.default as typeof undici.Client;
  const Dispatcher = dispatcher.default as Constructor;
  if (
    typeof request.default !== "function" ||
    typeof Dispatcher !== "function" ||
    !(Pool?.prototype instanceof Dispatcher) ||
    !(Client?.prototype instanceof Dispatcher)
  )
    throw new TypeError("undici's layout changed");
  // What undici's index does (Object.assign(Dispatcher.prototype, api)), for the one method used here.
  (Dispatcher.prototype as { request?: unknown }).request ??= request.default;
  return { Pool, Client };
}
