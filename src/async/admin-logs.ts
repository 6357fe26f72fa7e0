import { logs } from "../abstract/admin-operations.ts";
import type { AdminLogs, LogModel, LogStat } from "../abstract/admin-types.ts";
import { listQuery } from "../abstract/operations.ts";
import type {
  CountOptions,
  IterateOptions,
  ListOptions,
  ListResult,
  RequestOptions,
} from "../abstract/types.ts";
import type { Client } from "./client.ts";
import { iterateList } from "./pages.ts";

/** `env.admin.logs`: PocketBase's request and app logs (superuser). */
export class AsyncAdminLogs implements AdminLogs<"async"> {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  async list(options?: ListOptions): Promise<ListResult<LogModel>> {
    return this.#client.request(logs.list(listQuery(options)), options);
  }

  iterate(options?: IterateOptions): AsyncIterableIterator<LogModel> {
    return iterateList((page) => this.list(page), "/api/logs", options, this.#client.options.pageSize);
  }

  async get(id: string, options?: RequestOptions): Promise<LogModel> {
    return this.#client.request(logs.getOne(id, options?.query), options);
  }

  async stats(options?: CountOptions): Promise<LogStat[]> {
    const { filter } = listQuery({ filter: options?.filter, params: options?.params });
    return this.#client.request(logs.stats({ ...options?.query, filter }), options);
  }
}
