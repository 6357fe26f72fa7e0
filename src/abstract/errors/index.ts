// The error classes and their types; building errors (from a status, from their JSON form) is in
// serialize.ts, re-exported here.
export type { BatchErrorInit } from "./batch.ts";
export * from "./classes.ts";
export type { PocketBaseErrorInit } from "./pocketbase-error.ts";
export { errorFromJSON, errorFromStatus, errorToJSON } from "./serialize.ts";
