import { PocketBaseError } from "./pocketbase-error.ts";

/** The record or collection does not exist, or the identity may not see it (404). */
export class NotFoundError extends PocketBaseError {
  override name = "NotFoundError";
}
