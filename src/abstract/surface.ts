// The method tables: for every target (the environment, the collection, its auth namespace, each
// service), each method's parameters (params.ts: what each is, so how it is checked and how it
// crosses) and how its result crosses from the worker to the sync kind. Both kinds are built from
// these tables: the async kind guards each method with its parameters' checks, the sync kind's
// proxies and the worker's dispatch are generated from them. Each table is checked against its
// interface (`satisfies Surface<…>`): a method missing, one too many, or a parameter list that does
// not match the method's (a wrong kind, a wrong count, an optional one declared required) fails to
// compile.

import type {
  Admin,
  AdminBackups,
  AdminCollections,
  AdminCrons,
  AdminLogs,
  AdminSettings,
} from "./admin-types.ts";
import type { Environment } from "./environment-types.ts";
import { filename, fileRecord } from "./file-params.ts";
import {
  type AnyParam,
  callback,
  collectionName,
  data,
  docs,
  id,
  identity,
  ids,
  json,
  models,
  optional,
  options,
  patches,
  path,
  record,
  recordTopicParam as recordTopic,
  requests,
  seconds,
  segment,
  string,
  text,
  token,
  topic,
  upsertDocs,
} from "./params.ts";
import { side } from "./replication-params.ts";
import {
  appleSecretInput,
  backupFile,
  backupKey,
  backupName,
  emailAddress,
  emailTemplate,
  s3Filesystem,
  uploadName,
} from "./settings-backups.ts";
import type { Auth, Collection } from "./types.ts";

/**
 * How a method's result crosses to the sync kind:
 * - `call`: the worker runs it and returns its (plain data) result;
 * - `iterate`: it returns an async iterator in the worker; the sync kind pulls it in chunks;
 * - `self`: the worker runs it; the sync kind returns its own target (e.g. `set()` returns the collection);
 * - `subscribe`: the worker runs it (its callback parameter crosses as a stand-in that pushes to the
 *   calling thread) and keeps the unsubscribe function it resolves to; the sync kind returns a
 *   function that ends it;
 * - `changes`: it returns the async kind's live feed (`AsyncChanges`) in the worker, which pumps it to
 *   the calling thread; the sync kind returns a `SyncChanges` (`on("change", fn)`, `cancel()`);
 * - `replication`: `replicate()`: one-shot, as `call` (the worker awaits the handle, which is awaitable,
 *   to its summary); live, the worker keeps the handle and pushes its events, and the sync kind
 *   returns a handle whose `cancel()` ends it;
 * - `local`: the sync kind implements it on the calling thread (it needs no worker).
 */
export type Crossing = "call" | "iterate" | "self" | "subscribe" | "changes" | "replication" | "local";

/** A table entry: how the result crosses, and what each parameter is. */
export interface Entry<P extends readonly AnyParam[] = readonly AnyParam[]> {
  readonly crossing: Crossing;
  readonly params: P;
}

/** The names of `T`'s methods (its function-valued string keys). */
export type MethodsOf<T> = {
  [P in keyof T & string]: T[P] extends (...args: never[]) => unknown ? P : never;
}[keyof T & string];

/**
 * The declaration a parameter of type `X` needs: a callback for a function (whose own type the
 * interface gives), else a `Param` of exactly `X`'s type; optional exactly when `X` is.
 */
type Expected<X, O extends boolean> =
  NonNullable<X> extends (...args: never[]) => unknown
    ? Omit<AnyParam, "type"> & { readonly optional: O; readonly isCallback: true }
    : // Written out rather than as Param<X, O>: TS would compare two Params by the variance of their
      // type argument, and options types that differ only in optional keys pass that both ways.
      Omit<AnyParam, "type"> & {
        readonly optional: O;
        readonly type?: <T>() => T extends NonNullable<X> ? 1 : 2;
      };

/** The parameter declarations a method of type `F` must have, position by position. */
type ParamsOf<F> = F extends (...args: infer P) => unknown
  ? { readonly [I in keyof P]-?: Expected<P[I], undefined extends P[I] ? true : false> }
  : never;

/** A method table: every method of `T`, and nothing else, with its entry. */
export type Surface<T> = {
  readonly [M in MethodsOf<T>]: { readonly crossing: Crossing; readonly params: ParamsOf<T[M]> };
};

function entry<C extends Crossing, P extends readonly AnyParam[]>(
  crossing: C,
  params: P,
): Entry<P> & { crossing: C } {
  return { crossing, params };
}
const call = <P extends readonly AnyParam[]>(...params: P) => entry("call", params);
const iterate = <P extends readonly AnyParam[]>(...params: P) => entry("iterate", params);
const local = <P extends readonly AnyParam[]>(...params: P) => entry("local", params);
const self = <P extends readonly AnyParam[]>(...params: P) => entry("self", params);
const subscribe = <P extends readonly AnyParam[]>(...params: P) => entry("subscribe", params);
const changes = <P extends readonly AnyParam[]>(...params: P) => entry("changes", params);
const replication = <P extends readonly AnyParam[]>(...params: P) => entry("replication", params);

export const environmentSurface = {
  collection: local(collectionName),
  keys: call(),
  has: call(collectionName),
  delete: call(collectionName),
  createCollection: call(json("collection")),
  health: call(),
  batch: call(requests, options("batch")),
  send: call(path, options("send")),
  url: call(),
  fileToken: call(),
  // Built in the worker from the server's URL (embedded mode starts its server first, as url() does).
  fileURL: call(fileRecord, filename, options("fileURL")),
  download: call(fileRecord, filename, options("download")),
  subscribe: subscribe(topic, callback("callback"), options("subscribe")),
  replicate: replication(side("source"), side("target"), options("replicate")),
  sync: replication(side("a"), side("b"), options("replicate")),
  close: local(),
  // The sync kind derives its own identity on the calling thread; the worker opens its twin on first use.
  as: local(identity),
} as const satisfies Surface<Environment<"async">>;

export const collectionSurface = {
  list: call(options("list")),
  getOne: call(id, options("record")),
  getFirst: call(options("list")),
  getFullList: call(options("iterate")),
  iterate: iterate(options("iterate")),
  create: call(data, options("record")),
  update: call(id, data, options("record")),
  remove: call(id, options("request")),
  count: call(options("count")),
  createMany: call(docs, options("batch")),
  updateMany: call(patches, options("batch")),
  upsertMany: call(upsertDocs, options("batch")),
  deleteMany: call(ids, options("batch")),
  get: call(id, options("record")),
  has: call(id),
  set: self(id, record),
  delete: call(id),
  keys: iterate(),
  values: iterate(),
  entries: iterate(),
  forEach: local(callback("callback")),
  clear: call(),
  subscribe: subscribe(recordTopic, callback("callback"), options("subscribe")),
  changes: changes(options("subscribe")),
  // A function with members: the sync kind builds it (sync/auth.ts); calling it is `withPassword`.
  auth: local(text("identity"), text("password"), options("auth")),
} as const satisfies Surface<Collection<"async">>;

/** `collection.auth`'s members; calling `auth(…)` itself crosses as `withPassword`. */
export const authSurface = {
  withPassword: call(text("identity"), text("password"), options("auth")),
  requestOTP: call(text("email")),
  withOTP: call(text("otpId"), text("code"), options("auth")),
  withOAuth2Code: call(
    text("provider"),
    text("code"),
    string("codeVerifier"),
    text("redirectURL"),
    options("oauth2"),
  ),
  methods: call(),
  refresh: call(token, options("record")),
  impersonate: call(id, seconds("duration"), options("record")),
  requestVerification: call(text("email")),
  confirmVerification: call(text("token")),
  requestPasswordReset: call(text("email")),
  confirmPasswordReset: call(text("token"), text("password"), optional(text("passwordConfirm"))),
  requestEmailChange: call(text("newEmail")),
  confirmEmailChange: call(text("token"), text("password")),
} as const satisfies Surface<Auth<"async">>;

export const adminCollectionsSurface = {
  list: call(options("list")),
  get: call(collectionName, options("request")),
  create: call(json("model"), options("request")),
  update: call(collectionName, json("patch"), options("request")),
  delete: call(collectionName, options("request")),
  import: call(models, options("import")),
  truncate: call(collectionName, options("request")),
  scaffolds: call(options("request")),
} as const satisfies Surface<AdminCollections<"async">>;

export const adminLogsSurface = {
  list: call(options("list")),
  iterate: iterate(options("iterate")),
  get: call(segment("id"), options("request")),
  stats: call(options("count")),
} as const satisfies Surface<AdminLogs<"async">>;

export const adminCronsSurface = {
  list: call(options("request")),
  run: call(segment("id"), options("request")),
} as const satisfies Surface<AdminCrons<"async">>;

export const adminSettingsSurface = {
  get: call(options("request")),
  update: call(json("patch"), options("request")),
  testS3: call(s3Filesystem, options("request")),
  testEmail: call(emailAddress, emailTemplate, options("testEmail")),
  generateAppleClientSecret: call(appleSecretInput, options("request")),
} as const satisfies Surface<AdminSettings<"async">>;

export const adminBackupsSurface = {
  list: call(options("request")),
  create: call(backupName, options("request")),
  upload: call(backupFile, uploadName, options("request")),
  download: call(backupKey, options("backupDownload")),
  downloadURL: call(backupKey, options("request")),
  restore: call(backupKey, options("request")),
  delete: call(backupKey, options("request")),
} as const satisfies Surface<AdminBackups<"async">>;

/** `env.admin`'s own methods (its services are the tables below). */
export const adminSurface = {
  sql: call(text("query"), options("request")),
} as const satisfies Surface<Admin<"async">>;

/** The names of `env.admin`'s services (its members that are not methods). */
export type ServiceName = Exclude<keyof Admin<"async"> & string, MethodsOf<Admin<"async">>>;

/**
 * `env.admin` and every service, by its path from the environment, with its table; one entry per
 * service of `Admin`.
 */
export const serviceSurfaces = {
  admin: adminSurface,
  "admin.collections": adminCollectionsSurface,
  "admin.logs": adminLogsSurface,
  "admin.crons": adminCronsSurface,
  "admin.settings": adminSettingsSurface,
  "admin.backups": adminBackupsSurface,
} as const satisfies { admin: Surface<Admin<"async">> } & {
  [P in ServiceName as `admin.${P}`]: Surface<Admin<"async">[P]>;
};

export type ServicePath = keyof typeof serviceSurfaces;

/** Which object of an environment a call is for: a collection, a service, or (neither) the environment. */
export interface TargetPath {
  collection?: string;
  /** With `collection`: the collection's `auth` namespace. */
  auth?: boolean;
  service?: ServicePath;
}

/** The table of a target; undefined for a service that does not exist. */
export function surfaceOf(target: TargetPath): Readonly<Record<string, Entry>> | undefined {
  if (target.collection !== undefined) return target.auth ? authSurface : collectionSurface;
  if (target.service === undefined) return environmentSurface;
  return Object.hasOwn(serviceSurfaces, target.service) ? serviceSurfaces[target.service] : undefined;
}

/** The entry of `method` on a target, or undefined when the target has no such method. */
export function entryOf(target: TargetPath, method: string): Entry | undefined {
  const surface = surfaceOf(target);
  return surface && Object.hasOwn(surface, method) ? surface[method] : undefined;
}

/** How errors name a call of `method` on a target: `"getOne()"`, `"auth.refresh()"`, `"admin.collections.get()"`. */
export function callName(target: TargetPath, method: string): string {
  if (target.auth) return `auth.${method}()`;
  if (target.service !== undefined) return `${target.service}.${method}()`;
  return `${method}()`;
}
