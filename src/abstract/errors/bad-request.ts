import { PocketBaseError } from "./pocketbase-error.ts";

/** The request was rejected as invalid (400); `data` holds the per-field errors. */
export class BadRequestError extends PocketBaseError {
  override name = "BadRequestError";
}
