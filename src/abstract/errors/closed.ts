import { PocketmapError } from "./pocketmap-error.ts";

/** A call on an environment that was closed (`close()`, `using`); nothing was sent. */
export class ClosedError extends PocketmapError {
  override name = "ClosedError";

  constructor(
    message = "pocketmap: this environment is closed; create a new one with setup() (or env.as()) to go on",
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
