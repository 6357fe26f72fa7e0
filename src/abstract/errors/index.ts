import { AbortError } from "./abort.ts";
import { BadRequestError } from "./bad-request.ts";
import { BatchError } from "./batch.ts";
import { ForbiddenError } from "./forbidden.ts";
import { InvalidInputError } from "./invalid-input.ts";
import { MFARequiredError } from "./mfa-required.ts";
import { NetworkError } from "./network.ts";
import { NotFoundError } from "./not-found.ts";
import { PocketBaseError, type PocketBaseErrorInit, type SerializedError } from "./pocketbase-error.ts";
import { ServerError } from "./server.ts";
import { SyncWorkerError } from "./sync-worker.ts";
import { TimeoutError } from "./timeout.ts";
import { TooManyRequestsError } from "./too-many-requests.ts";
import { UnauthorizedError } from "./unauthorized.ts";

export type { BatchErrorInit } from "./batch.ts";
export type { FieldError, PocketBaseErrorInit, SerializedError } from "./pocketbase-error.ts";
export {
  AbortError,
  BadRequestError,
  BatchError,
  ForbiddenError,
  InvalidInputError,
  MFARequiredError,
  NetworkError,
  NotFoundError,
  PocketBaseError,
  ServerError,
  SyncWorkerError,
  TimeoutError,
  TooManyRequestsError,
  UnauthorizedError,
};

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

const byName: Record<string, typeof PocketBaseError> = {
  PocketBaseError,
  BadRequestError,
  BatchError,
  UnauthorizedError,
  MFARequiredError,
  ForbiddenError,
  NotFoundError,
  TooManyRequestsError,
  ServerError,
  NetworkError,
  TimeoutError,
  AbortError,
};

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
  if (json.name === "InvalidInputError") return new InvalidInputError(json.message);
  const ErrorClass = byName[json.name];
  // BatchError's own fields (index, written, ...) travel in its JSON form and come back through init.
  if (ErrorClass) return new ErrorClass(json as SerializedError & { index: number; written: number[] });
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
