import type { AdminBackups, BackupDownloadOptions, BackupInfo } from "../abstract/admin-types.ts";
import { PocketBaseError } from "../abstract/errors/index.ts";
import type { RequestSpec } from "../abstract/operations.ts";
import { backupRequests, defaultBackupName, uploadKey, withQuery } from "../abstract/settings-backups.ts";
import type { Downloaded, FileInput, RequestOptions } from "../abstract/types.ts";
import type { Client } from "./client.ts";
import { RESTORE_WAIT, restoreAndWait } from "./restore-wait.ts";

function backupInfo(item: unknown): BackupInfo {
  const { key, size, modified } = (item ?? {}) as Record<string, unknown>;
  return { key: String(key), size: Number(size), modified: String(modified ?? "") };
}

/** `env.admin.backups`: the server's backups (superuser). */
export class AsyncAdminBackups implements AdminBackups<"async"> {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  #send<T>(spec: RequestSpec, options: RequestOptions | undefined): Promise<T> {
    return this.#client.request<T>(withQuery(spec, options), options);
  }

  async list(options?: RequestOptions): Promise<BackupInfo[]> {
    const answer = await this.#send<unknown>(backupRequests.list(), options);
    if (!Array.isArray(answer)) {
      throw new PocketBaseError({
        status: 200,
        message: "pocketmap: the server answered GET /api/backups with something that is not a list",
        url: "/api/backups",
        method: "GET",
      });
    }
    // Newest first; PocketBase lists them in its storage's order.
    return answer
      .map(backupInfo)
      .sort((a, b) => b.modified.localeCompare(a.modified) || a.key.localeCompare(b.key));
  }

  async create(name?: string, options?: RequestOptions): Promise<string> {
    const key = name ?? defaultBackupName();
    await this.#send(backupRequests.create(key), options);
    return key;
  }

  async upload(file: FileInput, name?: string, options?: RequestOptions): Promise<string> {
    const key = uploadKey(file, name);
    await this.#send(backupRequests.upload(file, key), options);
    return key;
  }

  async download<O extends BackupDownloadOptions = BackupDownloadOptions>(
    key: string,
    options?: O,
  ): Promise<Downloaded<O>> {
    const token = await this.#client.fileToken(options);
    const spec = backupRequests.download(key, token, options?.to);
    return this.#client.request(withQuery(spec, options), options);
  }

  async downloadURL(key: string, options?: RequestOptions): Promise<string> {
    const path = backupRequests.downloadPath(key);
    const token = await this.#client.fileToken(options);
    const { transport } = await this.#client.connect();
    return `${transport.url}${path}?token=${encodeURIComponent(token)}`;
  }

  async restore(key: string, options?: RequestOptions): Promise<void> {
    const spec = withQuery(backupRequests.restore(key), options);
    await restoreAndWait(
      this.#client,
      key,
      () => this.#send(spec, options),
      options?.timeout ?? RESTORE_WAIT,
    );
    // An embedded server gets its generated superuser back, whatever the backup held.
    const { target, auth } = await this.#client.connect();
    await target.restored?.();
    // The restored data decides whose tokens hold: with credentials, the next call logs in afresh.
    if (auth.canLogin) auth.invalidate(await auth.token(spec));
  }

  async delete(key: string, options?: RequestOptions): Promise<void> {
    await this.#send(backupRequests.remove(key), options);
  }
}
