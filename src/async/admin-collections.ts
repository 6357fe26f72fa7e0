import { NotFoundError } from "../abstract/errors/index.ts";
import { collections, listQuery } from "../abstract/operations.ts";
import { checkOptions } from "../abstract/option-checks.ts";
import type {
  AdminCollections,
  CollectionModel,
  ListOptions,
  ListResult,
  RequestOptions,
} from "../abstract/types.ts";
import type { Client } from "./client.ts";

/** `env.admin.collections`: the collections' models (superuser). */
export class AsyncAdminCollections implements AdminCollections<"async"> {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  async get(nameOrId: string, options?: RequestOptions): Promise<CollectionModel | undefined> {
    checkOptions("request", options, "admin.collections.get()");
    return this.#client
      .request<CollectionModel>(collections.getOne(nameOrId, options?.query), options)
      .catch((error: unknown) => {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      });
  }

  async list(options?: ListOptions): Promise<ListResult<CollectionModel>> {
    checkOptions("list", options, "admin.collections.list()");
    return this.#client.request(collections.list(listQuery(options)), options);
  }
}
