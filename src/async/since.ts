// APIs that older PocketBase releases do not have. Such a server answers 404 for the whole route, so
// a 404 from an endpoint that never answers 404 itself means "not on this server": said as an
// UnsupportedError that names the release to upgrade to, not as a NotFoundError of something.
import { NotFoundError, UnsupportedError } from "../abstract/errors/index.ts";

/** `call()`'s result, with a 404 turned into an UnsupportedError naming `release`. */
export async function since<T>(release: string, where: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw new UnsupportedError(
      `pocketmap: ${where} needs PocketBase ${release} or newer; this server does not have it (404 from ${error.method} ${error.url}). Upgrade the server (\`npx pocketmap install-server\` installs the pinned release for embedded mode).`,
      { cause: error },
    );
  }
}
