export type { BatchBuilder, BatchCollectionBuilder } from "./abstract/batch-requests.ts";
export type { FieldError, SerializedError } from "./abstract/errors/index.ts";
export {
  AbortError,
  BadRequestError,
  BatchError,
  ForbiddenError,
  InvalidInputError,
  NetworkError,
  NotFoundError,
  PocketBaseError,
  ServerError,
  SyncWorkerError,
  TimeoutError,
  TooManyRequestsError,
  UnauthorizedError,
} from "./abstract/errors/index.ts";
export type { FilterInput, FilterObject, FilterValue } from "./abstract/filter.ts";
export { escapeFilterValue, filter } from "./abstract/filter.ts";
export type { SetupOptions } from "./abstract/options.ts";
export type {
  BaseRecord,
  BatchOptions,
  BatchProgress,
  BatchRequest,
  BatchResult,
  Collection,
  CollectionOf,
  CountOptions,
  EnvironmentEvents,
  FileInput,
  HealthResult,
  Iter,
  IterateOptions,
  Kind,
  ListOptions,
  ListResult,
  RecordInput,
  RecordOf,
  RecordOptions,
  RequestOptions,
  Ret,
  Schema,
  SchemaOf,
  SystemFields,
  TypedRecordInput,
} from "./abstract/types.ts";
export type { AuthResult } from "./async/auth.ts";
export { AsyncCollection } from "./async/collection.ts";
export type { AsyncEnvironment, SendOptions } from "./async/environment.ts";
export { setup } from "./env/setup.ts";
export { SyncCollection } from "./sync/collection.ts";
export type { SyncEnvironment } from "./sync/environment.ts";
