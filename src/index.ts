// Every error class (and FieldError, SerializedError): a class added there is exported with no edit here.
export * from "./abstract/errors/classes.ts";
export type { FilterInput, FilterObject, FilterValue } from "./abstract/filter.ts";
export { escapeFilterValue, filter } from "./abstract/filter.ts";
export type { SetupOptions } from "./abstract/options.ts";
export type {
  Admin,
  AdminCollections,
  AsyncChanges,
  Auth,
  AuthMethods,
  AuthOptions,
  AuthProviderInfo,
  BaseRecord,
  BatchBuilder,
  BatchCollectionBuilder,
  BatchOptions,
  BatchProgress,
  BatchRequest,
  BatchResult,
  Changes,
  Collection,
  CollectionModel,
  CollectionOf,
  CountOptions,
  Environment,
  EnvironmentEvents,
  FileInput,
  HealthResult,
  IdentityInput,
  Iter,
  IterateOptions,
  Kind,
  ListOptions,
  ListResult,
  OAuth2Options,
  RecordAction,
  RecordEvent,
  RecordInput,
  RecordOf,
  RecordOptions,
  RequestOptions,
  Ret,
  Schema,
  SchemaOf,
  SendOptions,
  SubscribeOptions,
  SyncChanges,
  SystemFields,
  TypedRecordInput,
  Unsubscribe,
} from "./abstract/types.ts";
export type { AuthResult } from "./async/auth.ts";
export { AsyncCollection } from "./async/collection.ts";
export type { AsyncEnvironment } from "./async/environment.ts";
export { setup } from "./env/setup.ts";
export { SyncCollection } from "./sync/collection.ts";
export type { SyncEnvironment } from "./sync/environment.ts";
