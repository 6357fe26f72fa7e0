import { BadRequestError, NotFoundError } from "../abstract/errors/index.ts";
import { escapeFilterValue } from "../abstract/filter.ts";
import { iterateOptions, listQuery, recordPath, records, recordsPath } from "../abstract/operations.ts";
import { firstOptions } from "../abstract/request-options.ts";
import type {
  BaseRecord,
  Collection,
  CountOptions,
  IterateOptions,
  ListOptions,
  ListResult,
  RecordInput,
  RecordOptions,
  RequestOptions,
} from "../abstract/types.ts";
import { assertCollectionName, assertPlainObject, assertRecordId } from "../abstract/validate.ts";
import { runBatch } from "./batch.ts";
import type { Client } from "./client.ts";

/** A PocketBase collection: its record API, and a Map of its records keyed by id. */
export class AsyncCollection<R extends BaseRecord = BaseRecord>
  implements Collection<"async", R>, AsyncIterable<[string, R]>
{
  readonly name: string;
  readonly #client: Client;

  constructor(client: Client, name: string) {
    assertCollectionName(name);
    this.name = name;
    this.#client = client;
  }

  // Record API

  async list(options?: ListOptions): Promise<ListResult<R>> {
    return this.#client.request(records.list(this.name, options), options);
  }

  async getOne(id: string, options?: RecordOptions): Promise<R> {
    return this.#client.request(records.getOne(this.name, id, options), options);
  }

  async getFirst(options?: ListOptions): Promise<R> {
    const page = await this.list(firstOptions(options));
    const first = page.items[0];
    if (first) return first;
    throw new NotFoundError({
      status: 404,
      message: `no record in "${this.name}" matches the filter`,
      url: recordsPath(this.name),
      method: "GET",
    });
  }

  async getFullList(options?: IterateOptions): Promise<R[]> {
    const all: R[] = [];
    for await (const record of this.iterate(options)) all.push(record);
    return all;
  }

  /**
   * Records one page at a time. With no sort, pages are read by id ("id > last seen"), which stays
   * correct while records are added or removed and costs the same for the last page as the first.
   * With a sort, pages are read by number.
   */
  async *iterate(options?: IterateOptions): AsyncIterableIterator<R> {
    const { pageSize, filter, params, sort, ...rest } = iterateOptions(options);
    const query = listQuery({ filter, params, sort });
    const base = query.filter as string | undefined;
    const order = query.sort as string | undefined;
    if (!order) {
      let after: string | undefined;
      for (;;) {
        const keyset = after === undefined ? undefined : `id > ${escapeFilterValue(after)}`;
        const combined = base && keyset ? `(${base}) && ${keyset}` : (keyset ?? base);
        const page = await this.list({
          ...rest,
          filter: combined,
          sort: "id",
          perPage: pageSize,
          skipTotal: true,
        });
        yield* page.items;
        if (page.items.length < pageSize) return;
        after = page.items.at(-1)!.id;
        if (after === undefined)
          throw new TypeError("pocketmap: keyset paging needs the id field; include it in fields");
      }
    }
    for (let number = 1; ; number++) {
      const page = await this.list({
        ...rest,
        filter: base,
        sort: order,
        page: number,
        perPage: pageSize,
        skipTotal: true,
      });
      yield* page.items;
      if (page.items.length < pageSize) return;
    }
  }

  async create(data: RecordInput<R> | string, options?: RecordOptions): Promise<R> {
    const record = await this.#client.request<R>(records.create(this.name, data, options), options);
    this.#emit("created", record);
    return record;
  }

  async update(id: string, data: RecordInput<R> | string, options?: RecordOptions): Promise<R> {
    const record = await this.#client.request<R>(records.update(this.name, id, data, options), options);
    this.#emit("updated", record);
    return record;
  }

  async remove(id: string, options?: RequestOptions): Promise<void> {
    await this.#client.request(records.remove(this.name, id, options), options);
    if (this.#client.events.listenerCount("deleted") > 0) {
      void this.#client.events.emit("deleted", { collection: this.name, id });
    }
  }

  async count(options?: CountOptions): Promise<number> {
    const page = await this.#client.request<ListResult<R>>(records.count(this.name, options), options);
    return page.totalItems;
  }

  async deleteMany(ids: readonly string[]): Promise<void> {
    if (!Array.isArray(ids)) throw new TypeError("pocketmap: deleteMany() takes an array of ids");
    const urls = ids.map((id) => recordPath(this.name, id));
    await runBatch(
      this.#client,
      urls.map((url) => ({ method: "DELETE" as const, url })),
    );
    if (this.#client.events.listenerCount("deleted") > 0) {
      for (const id of ids) void this.#client.events.emit("deleted", { collection: this.name, id });
    }
  }

  // Map contract

  async get(id: string, options?: RecordOptions): Promise<R | undefined> {
    return this.getOne(id, options).catch(undefinedWhenMissing);
  }

  async has(id: string): Promise<boolean> {
    const found = await this.#client.request(records.exists(this.name, id)).catch(undefinedWhenMissing);
    return found !== undefined;
  }

  /** Upsert: updates the record when it exists, else creates it with this id. */
  async set(id: string, data: RecordInput<R>): Promise<this> {
    assertRecordId(id);
    assertPlainObject(data, "data");
    const updated = await this.update(id, data).catch(undefinedWhenMissing);
    if (updated) return this;
    try {
      await this.create({ ...data, id });
    } catch (error) {
      // Someone else created it between our update and create: it exists now, so update it.
      if (!(error instanceof BadRequestError && error.data.id)) throw error;
      await this.update(id, data);
    }
    return this;
  }

  async delete(id: string): Promise<boolean> {
    assertRecordId(id);
    return this.remove(id).then(
      () => true,
      (error) => {
        if (error instanceof NotFoundError) return false;
        throw error;
      },
    );
  }

  async *keys(): AsyncIterableIterator<string> {
    for await (const record of this.iterate({ fields: "id" })) yield record.id;
  }

  values(): AsyncIterableIterator<R> {
    return this.iterate();
  }

  async *entries(): AsyncIterableIterator<[string, R]> {
    for await (const record of this.iterate()) yield [record.id, record];
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<[string, R]> {
    return this.entries();
  }

  async forEach(callback: (record: R, id: string, collection: this) => unknown): Promise<void> {
    for await (const record of this.iterate()) await callback(record, record.id, this);
  }

  async size(): Promise<number> {
    return this.count();
  }

  /** Deletes every record, a batch at a time, until none is left. */
  async clear(): Promise<void> {
    for (;;) {
      const page = await this.list({ fields: "id", perPage: 500, skipTotal: true });
      if (page.items.length === 0) return;
      await this.deleteMany(page.items.map((record) => record.id));
    }
  }

  #emit(event: "created" | "updated", record: R): void {
    if (this.#client.events.listenerCount(event) > 0) {
      void this.#client.events.emit(event, { collection: this.name, record });
    }
  }
}

function undefinedWhenMissing(error: unknown): undefined {
  if (error instanceof NotFoundError) return undefined;
  throw error;
}
