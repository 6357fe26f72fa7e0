// undici's Pool and Client, loaded on first use. Its index loads all of undici (fetch, WebSocket,
// caches, mocks: about twice the code, 40-70 ms of a one-shot script's start-up); pocketmap needs only
// the two dispatchers and `request()`, which the index adds to Dispatcher.prototype: this file does
// the same with those three modules (undici has no "exports" map, so they can be imported), and falls
// back to the index if a later undici moved them.
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
/** A CommonJS module of undici's (no types of their own: checked below instead). */
const part = <T>(path: string): Promise<{ default: T }> => import(`undici/lib/${path}.js`);

async function loadParts(): Promise<Undici> {
  const [pool, client, dispatcher, request] = await Promise.all([
    part<typeof undici.Pool>("dispatcher/pool"),
    part<typeof undici.Client>("dispatcher/client"),
    part<Constructor>("dispatcher/dispatcher"),
    part<unknown>("api/api-request"),
  ]);
  const Pool = pool.default;
  const Client = client.default;
  const Dispatcher = dispatcher.default;
  if (
    typeof request.default !== "function" ||
    !(Pool?.prototype instanceof Dispatcher) ||
    !(Client?.prototype instanceof Dispatcher)
  )
    throw new TypeError("undici's layout changed");
  // What undici's index does (Object.assign(Dispatcher.prototype, api)), for the one method used here.
  (Dispatcher.prototype as { request?: unknown }).request ??= request.default;
  return { Pool, Client };
}
