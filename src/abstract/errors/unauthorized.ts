import { PocketBaseError } from "./pocketbase-error.ts";

/** The request needs an identity, or the identity's token is invalid or expired (401). */
export class UnauthorizedError extends PocketBaseError {
  override name = "UnauthorizedError";
}
