// The method tables: for every target (the environment, the collection, each service), how each of
// its methods crosses from the sync kind's main thread to the worker that runs the async kind. The sync
// proxies and the worker's dispatch are generated from these tables; each table is checked against its
// interface (`satisfies`), so a method missing from it, or one too many, fails to compile.
import type { Admin, AdminCollections, Auth, Collection, Environment } from "./types.ts";

/**
 * How a method crosses to the sync kind:
 * - `call`: the worker runs it and returns its (plain data) result;
 * - `iterate`: it returns an async iterator in the worker; the sync kind pulls it in chunks;
 * - `self`: the worker runs it; the sync kind returns its own target (e.g. `set()` returns the collection);
 * - `subscribe`: the worker runs it with its one callback argument replaced by a pusher, and keeps the
 *   unsubscribe function it resolves to; the callback runs on the main thread with each message pushed
 *   (the push channel), and the sync kind returns the unsubscribe function;
 * - `changes`: it returns the async kind's live feed (`AsyncChanges`) in the worker, which pumps it to
 *   the main thread; the sync kind returns a `SyncChanges` (`on("change", fn)`, `cancel()`);
 * - `local`: the sync kind implements it on the main thread (it takes a callback, or needs no worker).
 */
export type Crossing = "call" | "iterate" | "self" | "subscribe" | "changes" | "local";

/** The names of `T`'s methods (its function-valued string keys). */
export type MethodsOf<T> = {
  [P in keyof T & string]: T[P] extends (...args: never[]) => unknown ? P : never;
}[keyof T & string];

/** A method table: every method of `T`, and nothing else, with its crossing. */
export type Surface<T> = Record<MethodsOf<T>, Crossing>;

export const environmentSurface = {
  collection: "local",
  keys: "call",
  has: "call",
  delete: "call",
  createCollection: "call",
  health: "call",
  batch: "call",
  send: "call",
  url: "call",
  subscribe: "subscribe",
  close: "local",
  // The sync kind derives its own identity on the main thread; the worker opens its twin on first use.
  as: "local",
} as const satisfies Surface<Environment<"async">>;

export const collectionSurface = {
  list: "call",
  getOne: "call",
  getFirst: "call",
  getFullList: "call",
  iterate: "iterate",
  create: "call",
  update: "call",
  remove: "call",
  count: "call",
  createMany: "call",
  updateMany: "call",
  upsertMany: "call",
  deleteMany: "call",
  get: "call",
  has: "call",
  set: "self",
  delete: "call",
  keys: "iterate",
  values: "iterate",
  entries: "iterate",
  forEach: "local",
  size: "call",
  clear: "call",
  subscribe: "subscribe",
  changes: "changes",
  // A function with members: the sync kind builds it (sync/auth.ts) from `authSurface`.
  auth: "local",
} as const satisfies Surface<Collection<"async">>;

/** `collection.auth`'s members; calling `auth(…)` itself crosses as `withPassword`. */
export const authSurface = {
  withPassword: "call",
  requestOTP: "call",
  withOTP: "call",
  withOAuth2Code: "call",
  methods: "call",
  refresh: "call",
  impersonate: "call",
  requestVerification: "call",
  confirmVerification: "call",
  requestPasswordReset: "call",
  confirmPasswordReset: "call",
  requestEmailChange: "call",
  confirmEmailChange: "call",
} as const satisfies Surface<Auth<"async">>;

export const adminCollectionsSurface = {
  get: "call",
  list: "call",
} as const satisfies Surface<AdminCollections<"async">>;

/** Every service, by its path from the environment, with its table; one entry per member of `Admin`. */
export const serviceSurfaces = {
  "admin.collections": adminCollectionsSurface,
} as const satisfies { [P in keyof Admin<"async"> & string as `admin.${P}`]: Surface<Admin<"async">[P]> };

export type ServicePath = keyof typeof serviceSurfaces;

/** Which object of an environment a call is for: a collection, a service, or (neither) the environment. */
export interface TargetPath {
  collection?: string;
  /** With `collection`: the collection's `auth` namespace. */
  auth?: boolean;
  service?: ServicePath;
}

/** The table of a target; undefined for a service that does not exist. */
export function surfaceOf(target: TargetPath): Readonly<Record<string, Crossing>> | undefined {
  if (target.collection !== undefined) return target.auth ? authSurface : collectionSurface;
  if (target.service === undefined) return environmentSurface;
  return Object.hasOwn(serviceSurfaces, target.service) ? serviceSurfaces[target.service] : undefined;
}

/** The crossing of `method` on a target, or undefined when the target has no such method. */
export function crossingOf(target: TargetPath, method: string): Crossing | undefined {
  const surface = surfaceOf(target);
  return surface && Object.hasOwn(surface, method) ? surface[method] : undefined;
}
