import { PocketBaseError } from "./pocketbase-error.ts";

/** The identity may not do this (403). */
export class ForbiddenError extends PocketBaseError {
  override name = "ForbiddenError";
}
