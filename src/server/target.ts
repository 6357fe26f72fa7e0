// The server target of an environment: the configured URL, or an embedded server started on first use.
import type { ResolvedOptions } from "../abstract/options.ts";
import type { ServerTarget } from "../abstract/target.ts";
import { startEmbedded } from "./embedded.ts";
import { nodeModules } from "./node-modules.ts";

/** How the notice says to keep the data and to hide it, in the words of whoever configured setup(). */
export interface NoticeWords {
  keep: string;
  hide: string;
}

const LIBRARY_WORDS: NoticeWords = {
  keep: "pass setup({ dir }) or set POCKETBASE_DIR",
  hide: "quiet: true or POCKETMAP_QUIET=1",
};
let noticeWords = LIBRARY_WORDS;

/**
 * Words for the notice instead of setup()'s, for the whole process: the pocketmap command sets its
 * flags' names, since its user never calls setup().
 */
export function useNoticeWords(words: NoticeWords): void {
  noticeWords = words;
}

/** The one notice a temporary embedded server gives: where it runs, that its data goes, how to keep it. */
export function temporaryServerNotice(url: string): string {
  return (
    `pocketmap: started a temporary PocketBase at ${url} (no URL configured); its data is deleted when ` +
    `this process exits. To keep it, ${noticeWords.keep}. ` +
    `(${noticeWords.hide} hides this notice.)\n`
  );
}

/** Where an environment's requests go: the configured URL, or an embedded server started on first use. */
export function serverTarget(
  options: Pick<ResolvedOptions, "url" | "dir" | "quiet" | "startupTimeout">,
): () => Promise<ServerTarget> {
  const { url, dir, quiet, startupTimeout } = options;
  if (url !== undefined) return async () => ({ url });
  return async () => {
    const server = await startEmbedded({ dir, startupTimeout });
    // Written straight to fd 2: in the sync kind this runs in the worker thread, whose process.stderr
    // is relayed through the main thread, which is blocked (and may exit before it gets to it).
    if (server.tempDir !== undefined && !quiet)
      nodeModules.fs.writeSync(2, temporaryServerNotice(server.url));
    return {
      url: server.url,
      email: server.email,
      password: server.password,
      stop: () => server.stop(),
      restored: () => server.restored(),
      pid: server.pid,
      tempDir: server.tempDir,
    };
  };
}
