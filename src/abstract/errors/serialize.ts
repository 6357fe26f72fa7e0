// Errors built in one place: from an HTTP status (the transport), and back from their plain-data form
// (the sync worker's replies). Every class in classes.ts is rebuilt as itself.
import type { BatchErrorInit } from "./batch.ts";
import * as classes from "./classes.ts";
import {
  BadRequestError,
  ForbiddenError,
  NotFoundError,
  PocketBaseError,
  type PocketmapError,
  type SerializedError,
  ServerError,
  TooManyRequestsError,
  UnauthorizedError,
} from "./classes.ts";
import type { PocketBaseErrorInit } from "./pocketbase-error.ts";

const byStatus: Record<number, typeof PocketBaseError> = {
  400: BadRequestError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  429: TooManyRequestsError,
};

/** The error class for an HTTP status. */
export function errorFromStatus(init: PocketBaseErrorInit): PocketBaseError {
  const ErrorClass = byStatus[init.status] ?? (init.status >= 500 ? ServerError : PocketBaseError);
  return new ErrorClass(init);
}

/** A PocketBaseError class: built from its init (status, data, ...; BatchError's own fields too). */
type InitClass = new (init: BatchErrorInit) => PocketBaseError;
/** Any other pocketmap error class: built from its message. */
type MessageClass = new (message?: string) => PocketmapError;
type ErrorClass = InitClass | MessageClass;

const isInitClass = (ErrorClass: ErrorClass): ErrorClass is InitClass =>
  ErrorClass === PocketBaseError || ErrorClass.prototype instanceof PocketBaseError;

function build(ErrorClass: ErrorClass, json: SerializedError): PocketmapError {
  // BatchError's own fields (index, written, ...) travel in its JSON form and come back through init.
  return isInitClass(ErrorClass)
    ? new ErrorClass(json as SerializedError & BatchErrorInit)
    : new ErrorClass(json.message);
}

/** Every error class, by the `name` its errors carry (a bundler may rename the class itself). */
const byName = new Map<string, ErrorClass>();
for (const ErrorClass of Object.values(classes) satisfies ErrorClass[]) {
  const sample = { name: "", status: 0, message: "", data: {}, url: "", method: "", index: -1, written: [] };
  byName.set(build(ErrorClass, sample).name, ErrorClass);
}

// JavaScript's own error classes keep their class across the sync worker too.
const builtIn: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** Rebuilds an error of the same class from its `toJSON()` form (used across the sync worker). */
export function errorFromJSON(json: SerializedError): Error {
  const ErrorClass = byName.get(json.name);
  if (ErrorClass) return build(ErrorClass, json);
  const BuiltIn = Object.hasOwn(builtIn, json.name) ? builtIn[json.name] : undefined;
  const error = BuiltIn ? new BuiltIn(json.message) : new Error(json.message);
  // Any other class (a DOMException, a class of the user's) keeps at least its name.
  if (!BuiltIn) error.name = json.name;
  return error;
}

/** Any thrown value as plain data: PocketBase errors whole, others by name and message. */
export function errorToJSON(error: unknown): SerializedError {
  if (error instanceof PocketBaseError) return error.toJSON();
  const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
  return { name, message, status: 0, data: {}, url: "", method: "" };
}
