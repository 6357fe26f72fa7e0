import { PocketmapError } from "./pocketmap-error.ts";

/**
 * Bad input caught before any request is sent: an unknown option, an invalid collection name or
 * record id, a value JSON cannot carry, an expand path deeper than PocketBase allows.
 */
export class InvalidInputError extends PocketmapError {
  override name = "InvalidInputError";
}
