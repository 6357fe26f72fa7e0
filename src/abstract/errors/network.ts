import { PocketBaseError } from "./pocketbase-error.ts";

/** No response arrived: the connection was refused, reset or closed. */
export class NetworkError extends PocketBaseError {
  override name = "NetworkError";
}
