/**
 * The base of every error pocketmap throws: `instanceof PocketmapError` tells pocketmap's own errors
 * (request failures, bad input, a closed environment, a failed sync worker) from any other.
 */
export class PocketmapError extends Error {
  override name = "PocketmapError";
}
