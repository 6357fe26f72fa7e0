// Every error class (and FieldError, SerializedError): a class added there is exported with no edit here.

// Every public type of the one surface both kinds share (types.ts holds nothing internal).
export type * from "./abstract/admin-types.ts";
export type * from "./abstract/environment-types.ts";
export * from "./abstract/errors/classes.ts";
export { FileFrom, fileFrom } from "./abstract/file-from.ts";
export type { FilterInput, FilterObject, FilterValue } from "./abstract/filter.ts";
export { escapeFilterValue, filter } from "./abstract/filter.ts";
export type { SetupOptions } from "./abstract/options.ts";
export type * from "./abstract/replication-types.ts";
export type * from "./abstract/types.ts";
export { AsyncCollection } from "./async/collection.ts";
export type { AsyncEnvironment } from "./async/environment.ts";
export { setup } from "./env/setup.ts";
export { SyncCollection } from "./sync/collection.ts";
export type { SyncEnvironment } from "./sync/environment.ts";
