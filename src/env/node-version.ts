import { MIN_NODE } from "../abstract/constants.ts";
import { PocketmapError } from "../abstract/errors/index.ts";

const parts = (version: string) => version.split(".").map((part) => Number.parseInt(part, 10) || 0);

/**
 * Refuses a Node older than pocketmap needs, with what to do about it, before anything fails deep
 * inside (on Node 20, undici dies with "Cannot read properties of undefined (reading 'bind')").
 */
export function assertNodeVersion(version = process.versions.node, path = process.execPath): void {
  const [major = 0, minor = 0, patch = 0] = parts(version);
  const [needMajor = 0, needMinor = 0, needPatch = 0] = parts(MIN_NODE);
  const old =
    major < needMajor ||
    (major === needMajor && (minor < needMinor || (minor === needMinor && patch < needPatch)));
  if (!old) return;
  throw new PocketmapError(
    `pocketmap: needs Node ${MIN_NODE} or newer, and this is Node ${version} (${path}). Install a current Node (22 LTS or 24; e.g. \`nvm install 24\` or from nodejs.org) and run your script with it.`,
  );
}
