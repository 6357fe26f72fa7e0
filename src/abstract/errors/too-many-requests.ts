import { PocketBaseError } from "./pocketbase-error.ts";

/** The server's rate limiter refused the request (429). */
export class TooManyRequestsError extends PocketBaseError {
  override name = "TooManyRequestsError";
}
