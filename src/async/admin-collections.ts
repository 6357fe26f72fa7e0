import { collections } from "../abstract/admin-operations.ts";
import type {
  AdminCollections,
  CollectionModel,
  CollectionScaffolds,
  ImportOptions,
} from "../abstract/admin-types.ts";
import { NotFoundError } from "../abstract/errors/index.ts";
import { listQuery } from "../abstract/operations.ts";
import type { ListOptions, ListResult, RequestOptions } from "../abstract/types.ts";
import type { Client } from "./client.ts";

/** `undefined` for a 404, so that "is there one?" needs no try/catch. */
function orUndefined(error: unknown): undefined {
  if (error instanceof NotFoundError) return undefined;
  throw error;
}

/**
 * `env.admin.collections`: the collections' models (superuser). Arguments and options were checked
 * by the guard (the method table) before any of these runs.
 */
export class AsyncAdminCollections implements AdminCollections<"async"> {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  async list(options?: ListOptions): Promise<ListResult<CollectionModel>> {
    return this.#client.request(collections.list(listQuery(options)), options);
  }

  async get(nameOrId: string, options?: RequestOptions): Promise<CollectionModel | undefined> {
    return this.#client
      .request<CollectionModel>(collections.getOne(nameOrId, options?.query), options)
      .catch(orUndefined);
  }

  async create(model: Record<string, unknown>, options?: RequestOptions): Promise<CollectionModel> {
    return this.#client.request(collections.create(model, options?.query), options);
  }

  async update(
    nameOrId: string,
    patch: Record<string, unknown>,
    options?: RequestOptions,
  ): Promise<CollectionModel> {
    return this.#client.request(collections.update(nameOrId, patch, options?.query), options);
  }

  async delete(nameOrId: string, options?: RequestOptions): Promise<boolean> {
    return this.#client.request(collections.remove(nameOrId, options?.query), options).then(
      () => true,
      (error: unknown) => orUndefined(error) ?? false,
    );
  }

  async import(models: readonly Record<string, unknown>[], options?: ImportOptions): Promise<void> {
    const specs = collections.import([...models], options?.deleteMissing ?? false, options?.query);
    await this.#client.request(specs, options);
  }

  async truncate(nameOrId: string, options?: RequestOptions): Promise<void> {
    await this.#client.request(collections.truncate(nameOrId, options?.query), options);
  }

  async scaffolds(options?: RequestOptions): Promise<CollectionScaffolds> {
    return this.#client.request(collections.scaffolds(options?.query), options);
  }
}
