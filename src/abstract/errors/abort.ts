import { PocketBaseError } from "./pocketbase-error.ts";

/** The caller aborted the request through its AbortSignal. */
export class AbortError extends PocketBaseError {
  override name = "AbortError";
}
