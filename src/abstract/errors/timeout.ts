import { PocketBaseError } from "./pocketbase-error.ts";

/** No response arrived within the request timeout. */
export class TimeoutError extends PocketBaseError {
  override name = "TimeoutError";
}
