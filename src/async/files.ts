// Downloads (env.download): one GET through the environment's request pipeline (hooks, timeout,
// retries, typed errors), its bytes kept in memory or streamed to a file. A protected file is asked
// for without a token first: PocketBase refuses it (404 or 403) and only then is a file token fetched
// and the request sent again with it, so a public file costs one request and a protected one three
// (docs/decisions.md says why not the collection's schema).
import {
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  UnauthorizedError,
} from "../abstract/errors/index.ts";
import { downloadSpec } from "../abstract/operations.ts";
import type { DownloadOptions, FileRecord, SavedFile } from "../abstract/types.ts";
import type { Client } from "./client.ts";

/** The destination's folder exists (a download would fail only after its request, else). */
async function assertDestination(to: string): Promise<void> {
  const { dirname, resolve } = process.getBuiltinModule("node:path");
  const { stat } = process.getBuiltinModule("node:fs/promises");
  const path = resolve(to);
  const [folder, target] = await Promise.all([
    stat(dirname(path)).catch(() => undefined),
    stat(path).catch(() => undefined),
  ]);
  if (!folder?.isDirectory()) {
    throw new InvalidInputError(`pocketmap: download() to ${JSON.stringify(to)}: its folder does not exist`);
  }
  if (target?.isDirectory()) {
    throw new InvalidInputError(
      `pocketmap: download() to ${JSON.stringify(to)}: that is a folder; give a file path`,
    );
  }
}

/** A record's file: its bytes, or with `to` the file it was streamed to. */
export async function download(
  client: Client,
  record: FileRecord,
  filename: string,
  options: DownloadOptions = {},
): Promise<Uint8Array | SavedFile> {
  if (options.to !== undefined) await assertDestination(options.to);
  try {
    return await client.request(downloadSpec(record, filename, options), options);
  } catch (refused) {
    if (!(refused instanceof NotFoundError || refused instanceof ForbiddenError)) throw refused;
    let token: string;
    try {
      token = await client.fileToken(options);
    } catch (error) {
      // A guest has no file token: the file is not theirs to read, as the first answer said.
      if (error instanceof UnauthorizedError) throw refused;
      throw error;
    }
    return client.request(downloadSpec(record, filename, options, token), options);
  }
}
