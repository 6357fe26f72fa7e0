import { PocketmapError } from "./pocketmap-error.ts";

/**
 * The server does not have what a call needs: an older PocketBase without that API. The message
 * names the release that has it (e.g. `admin.crons.list()` needs PocketBase 0.24 or newer).
 */
export class UnsupportedError extends PocketmapError {
  override name = "UnsupportedError";
}
