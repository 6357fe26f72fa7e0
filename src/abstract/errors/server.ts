import { PocketBaseError } from "./pocketbase-error.ts";

/** The server failed (any 5xx status). */
export class ServerError extends PocketBaseError {
  override name = "ServerError";
}
