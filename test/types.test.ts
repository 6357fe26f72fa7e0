// Type-level checks, enforced by `tsc` in `npm test` (each `@ts-expect-error` must meet an error): the
// return type of setup() follows the literal, both kinds implement the one Collection interface, plain
// interfaces type records, sync calls return values, and writes to a typed collection refuse unknown
// fields. Nothing here runs a request: the bodies that would are inside functions never called.

import { describe, expectTypeOf, it } from "vitest";
import { type OptionChecks, optionChecks } from "../src/abstract/option-checks.ts";
import { SETUP_READERS, type SetupReaders } from "../src/abstract/options.ts";
import { type AnyParam, data, id, optional, options } from "../src/abstract/params.ts";
import { collectionSurface, type Surface } from "../src/abstract/surface.ts";
import type {
  AsyncCollection,
  AsyncEnvironment,
  AsyncReplication,
  BaseRecord,
  Collection,
  CollectionModel,
  ListResult,
  RecordOf,
  Replication,
  ReplicationSummary,
  RequestOptions,
  SavedFile,
  Schema,
  SyncCollection,
  SyncEnvironment,
} from "../src/index.ts";
import { setup } from "../src/index.ts";

/** A plain interface: no index signature, no system fields. */
interface Product {
  title: string;
  price: number;
  tags: string[];
  /** A file field: its value is a file name when read, a file when written. */
  cover: string;
}
/** The old style, still accepted: a record type that extends BaseRecord (and so takes any field). */
interface Post extends BaseRecord {
  title: string;
  views: number;
}
type Shop = { products: Product; posts: Post };
/** A schema declared as an interface rather than a type literal. */
interface ShopInterface {
  products: Product;
}

declare const sync: SyncEnvironment<Shop>;
declare const async: AsyncEnvironment<Shop>;
declare const untypedSync: SyncEnvironment;
declare const untypedAsync: AsyncEnvironment;

describe("types", () => {
  it("setup() returns the kind its options name, for any schema", () => {
    const typed = (flag: boolean) => {
      expectTypeOf(setup<Shop>()).toEqualTypeOf<SyncEnvironment<Shop>>();
      expectTypeOf(setup<Shop>({})).toEqualTypeOf<SyncEnvironment<Shop>>();
      expectTypeOf(setup<Shop>({ async: false })).toEqualTypeOf<SyncEnvironment<Shop>>();
      expectTypeOf(setup<Shop>({ async: true })).toEqualTypeOf<AsyncEnvironment<Shop>>();
      expectTypeOf(setup<Shop>({ async: flag })).toEqualTypeOf<
        SyncEnvironment<Shop> | AsyncEnvironment<Shop>
      >();
      expectTypeOf(setup<ShopInterface>()).toEqualTypeOf<SyncEnvironment<ShopInterface>>();
      expectTypeOf(setup<{ products: Product }>({ async: true })).toEqualTypeOf<
        AsyncEnvironment<{ products: Product }>
      >();
      expectTypeOf(setup()).toEqualTypeOf<SyncEnvironment<Schema>>();
      expectTypeOf(setup({ async: true })).toEqualTypeOf<AsyncEnvironment<Schema>>();
      // A schema member must be an object type.
      // @ts-expect-error
      setup<{ products: string }>();
    };
    expectTypeOf(typed).toBeFunction();
  });

  it("both kinds implement the one Collection interface", () => {
    expectTypeOf<SyncCollection<Product>>().toMatchTypeOf<Collection<"sync", Product>>();
    expectTypeOf<AsyncCollection<Product>>().toMatchTypeOf<Collection<"async", Product>>();
    expectTypeOf<SyncCollection<Post>>().toMatchTypeOf<Collection<"sync", Post>>();
    expectTypeOf<SyncCollection<Product>["getOne"]>().returns.toEqualTypeOf<RecordOf<Product>>();
    expectTypeOf<AsyncCollection<Product>["getOne"]>().returns.toEqualTypeOf<Promise<RecordOf<Product>>>();
    expectTypeOf<SyncCollection<Product>["get"]>().returns.toEqualTypeOf<RecordOf<Product> | undefined>();
    expectTypeOf<AsyncCollection<Product>["list"]>().returns.toEqualTypeOf<
      Promise<ListResult<RecordOf<Product>>>
    >();
  });

  it("a method table lists every method of its interface, and no other", () => {
    const { list: _list, ...missing } = collectionSurface;
    // @ts-expect-error: list is missing
    missing satisfies Surface<Collection<"async">>;
    // @ts-expect-error: nope is not a method of Collection
    ({ ...collectionSurface, nope: "call" }) satisfies Surface<Collection<"async">>;
    collectionSurface satisfies Surface<Collection<"async">>;
  });

  it("a table entry's parameters must match its method's, kind by kind and position by position", () => {
    const entry = <P extends readonly AnyParam[]>(...params: P) => ({ crossing: "call" as const, params });
    // @ts-expect-error: getOne takes an id first, not options
    ({ ...collectionSurface, getOne: entry(options("record"), options("record")) }) satisfies Surface<
      Collection<"async">
    >;
    // @ts-expect-error: getOne's options are record options, not list options
    ({ ...collectionSurface, getOne: entry(id, options("list")) }) satisfies Surface<Collection<"async">>;
    // @ts-expect-error: a parameter too few
    ({ ...collectionSurface, update: entry(id, data) }) satisfies Surface<Collection<"async">>;
    // @ts-expect-error: a parameter too many
    ({ ...collectionSurface, has: entry(id, id) }) satisfies Surface<Collection<"async">>;
    // @ts-expect-error: set takes an object only; data also takes JSON text
    ({ ...collectionSurface, set: entry(id, data) }) satisfies Surface<Collection<"async">>;
    // @ts-expect-error: a required parameter declared optional
    ({ ...collectionSurface, has: entry(optional(id)) }) satisfies Surface<Collection<"async">>;
    // @ts-expect-error: subscribe's callback must be declared a callback
    ({ ...collectionSurface, subscribe: entry(id, id, options("subscribe")) }) satisfies Surface<
      Collection<"async">
    >;
    ({ ...collectionSurface, getOne: entry(id, options("record")) }) satisfies Surface<Collection<"async">>;
  });

  it("every option of an options interface has a check in the registry", () => {
    const check = { check: () => {} };
    const { signal, timeout, headers, query } = optionChecks.request;
    ({ signal, timeout, headers, query }) satisfies OptionChecks<RequestOptions>;
    // @ts-expect-error: an option without a check (a new key in RequestOptions would be this)
    ({ signal, timeout, headers }) satisfies OptionChecks<RequestOptions>;
    // @ts-expect-error: a check for an option the interface does not have
    ({ signal, timeout, headers, query, retries: check }) satisfies OptionChecks<RequestOptions>;
  });

  it("every setup() option has a reader, which reads and checks it", () => {
    const { afterSend, ...withoutOne } = SETUP_READERS;
    ({ ...withoutOne, afterSend }) satisfies SetupReaders;
    // @ts-expect-error: an option without a reader (a new key in SetupOptions would be this)
    withoutOne satisfies SetupReaders;
    // @ts-expect-error: a reader for an option SetupOptions does not have
    ({ ...SETUP_READERS, retryDelay: afterSend }) satisfies SetupReaders;
  });

  it("services under env.admin follow the kind", () => {
    type SyncAdmin = SyncEnvironment["admin"]["collections"];
    type AsyncAdmin = AsyncEnvironment["admin"]["collections"];
    expectTypeOf<SyncAdmin["get"]>().returns.toEqualTypeOf<CollectionModel | undefined>();
    expectTypeOf<AsyncAdmin["get"]>().returns.toEqualTypeOf<Promise<CollectionModel | undefined>>();
    expectTypeOf<SyncAdmin["list"]>().returns.toEqualTypeOf<ListResult<CollectionModel>>();
  });

  it("members are members: fileToken() follows the kind, reserved names are never collections", () => {
    expectTypeOf<SyncEnvironment["fileToken"]>().returns.toEqualTypeOf<string>();
    expectTypeOf<AsyncEnvironment["fileToken"]>().returns.toEqualTypeOf<Promise<string>>();
    expectTypeOf<SyncEnvironment["fileURL"]>().returns.toEqualTypeOf<string>();
    expectTypeOf<AsyncEnvironment["fileURL"]>().returns.toEqualTypeOf<Promise<string>>();
    const record = { id: "x", collectionName: "posts" };
    const files = () => {
      expectTypeOf(sync.download(record, "a.txt")).toEqualTypeOf<Uint8Array>();
      expectTypeOf(sync.download(record, "a.txt", { to: "a.txt" })).toEqualTypeOf<SavedFile>();
      expectTypeOf(async.download(record, "a.txt")).toEqualTypeOf<Promise<Uint8Array>>();
      expectTypeOf(async.download(record, "a.txt", { to: "a.txt" })).toEqualTypeOf<Promise<SavedFile>>();
    };
    void files;
    expectTypeOf<AsyncEnvironment["posts"]>().toEqualTypeOf<AsyncCollection>();
    const replication = () => {
      expectTypeOf(sync.replicate(sync, sync)).toEqualTypeOf<ReplicationSummary>();
      expectTypeOf(sync.replicate(sync, sync, { live: true })).toEqualTypeOf<Replication<"sync">>();
      expectTypeOf(async.replicate(async, { url: "http://x" })).toEqualTypeOf<AsyncReplication>();
      expectTypeOf(async.replicate(async, async)).resolves.toEqualTypeOf<ReplicationSummary>();
      expectTypeOf(sync.sync(sync, { url: "http://x" })).toEqualTypeOf<ReplicationSummary>();
      expectTypeOf(async.sync(async, async, { live: true })).toEqualTypeOf<AsyncReplication>();
    };
    void replication;
    expectTypeOf<AsyncEnvironment["posts"]>().toEqualTypeOf<AsyncCollection>();
  });

  it("a schema types collections reached as properties and through collection()", () => {
    expectTypeOf<typeof sync.products>().toEqualTypeOf<SyncCollection<Product>>();
    expectTypeOf<typeof async.products>().toEqualTypeOf<AsyncCollection<Product>>();
    const collections = () => {
      expectTypeOf(sync.collection("products")).toEqualTypeOf<SyncCollection<Product>>();
      expectTypeOf(async.collection("posts")).toEqualTypeOf<AsyncCollection<Post>>();
      expectTypeOf(sync.collection<Product>("other")).toEqualTypeOf<SyncCollection<Product>>();
      expectTypeOf(async.collection<Product>("other")).toEqualTypeOf<AsyncCollection<Product>>();
      expectTypeOf(untypedSync.collection<Product>("products")).toEqualTypeOf<SyncCollection<Product>>();
      expectTypeOf(sync.collection("other")).toEqualTypeOf<SyncCollection<BaseRecord>>();
      expectTypeOf(untypedAsync.collection("other")).toEqualTypeOf<AsyncCollection<BaseRecord>>();
    };
    expectTypeOf(collections).toBeFunction();
  });

  it("reads return the record with its system fields; sync reads are values, not Promises", () => {
    const reads = () => {
      const one = sync.products.getOne("p");
      expectTypeOf(one).toEqualTypeOf<RecordOf<Product>>();
      expectTypeOf(one).not.toMatchTypeOf<PromiseLike<unknown>>();
      expectTypeOf(one.price).toEqualTypeOf<number>();
      expectTypeOf(one.id).toEqualTypeOf<string>();
      expectTypeOf(one.collectionName).toEqualTypeOf<string>();
      expectTypeOf(one.created).toEqualTypeOf<string | undefined>();
      // @ts-expect-error a field the interface does not declare
      void one.colour;
      expectTypeOf(sync.products.get("p")).toEqualTypeOf<RecordOf<Product> | undefined>();
      expectTypeOf(sync.products.getFirst()).toEqualTypeOf<RecordOf<Product>>();
      expectTypeOf(sync.products.getFullList()).toEqualTypeOf<RecordOf<Product>[]>();
      expectTypeOf(sync.products.list().items).toEqualTypeOf<RecordOf<Product>[]>();
      expectTypeOf(sync.products.count()).toEqualTypeOf<number>();
      expectTypeOf(sync.products.size).toEqualTypeOf<number>();
      expectTypeOf(sync.products.has("p")).toEqualTypeOf<boolean>();
      expectTypeOf(sync.products.delete("p")).toEqualTypeOf<boolean>();
      expectTypeOf(sync.products.create({ title: "x", price: 1 })).toEqualTypeOf<RecordOf<Product>>();
      expectTypeOf(sync.products.set("p", { price: 1 })).toEqualTypeOf<SyncCollection<Product>>();
      expectTypeOf(sync.keys()).toEqualTypeOf<string[]>();
      expectTypeOf(setup<ShopInterface>().products.getOne("p").price).toEqualTypeOf<number>();

      expectTypeOf(async.products.getOne("p")).toEqualTypeOf<Promise<RecordOf<Product>>>();
      expectTypeOf(async.products.get("p")).toEqualTypeOf<Promise<RecordOf<Product> | undefined>>();
      expectTypeOf(async.products.count()).toEqualTypeOf<Promise<number>>();
      expectTypeOf(async.products.set("p", { price: 1 })).toEqualTypeOf<Promise<AsyncCollection<Product>>>();

      // Untyped collections read any field as unknown.
      const any = untypedSync.anything?.getOne("p");
      expectTypeOf(any?.whatever).toEqualTypeOf<unknown>();
      expectTypeOf(untypedSync.collection("anything").getOne("p").id).toEqualTypeOf<string>();
      expectTypeOf(sync.posts.getOne("p").views).toEqualTypeOf<number>();
    };
    expectTypeOf(reads).toBeFunction();
  });

  it("iteration yields typed records in both kinds", () => {
    const iterate = async () => {
      for (const [id, product] of sync.products) {
        expectTypeOf(id).toEqualTypeOf<string>();
        expectTypeOf(product).toEqualTypeOf<RecordOf<Product>>();
      }
      for (const product of sync.products.iterate()) expectTypeOf(product).toEqualTypeOf<RecordOf<Product>>();
      for (const product of sync.products.values()) expectTypeOf(product).toEqualTypeOf<RecordOf<Product>>();
      for (const id of sync.products.keys()) expectTypeOf(id).toEqualTypeOf<string>();
      sync.products.forEach((product, id, collection) => {
        expectTypeOf(product).toEqualTypeOf<RecordOf<Product>>();
        expectTypeOf(id).toEqualTypeOf<string>();
        expectTypeOf(collection).toEqualTypeOf<SyncCollection<Product>>();
      });
      for await (const [id, product] of async.products) {
        expectTypeOf(id).toEqualTypeOf<string>();
        expectTypeOf(product).toEqualTypeOf<RecordOf<Product>>();
      }
      for await (const product of async.products.iterate()) {
        expectTypeOf(product).toEqualTypeOf<RecordOf<Product>>();
      }
      for await (const [, record] of untypedAsync.collection("anything")) {
        expectTypeOf(record).toEqualTypeOf<RecordOf<BaseRecord>>();
      }
    };
    expectTypeOf(iterate).toBeFunction();
  });

  it("writes to a typed collection take its fields, modifiers and files, and refuse unknown fields", () => {
    const writes = async () => {
      const file = new File(["abc"], "a.png");
      for (const products of [sync.products, sync.collection<Product>("products")]) {
        products.create({ title: "x", price: 1 });
        products.create({ id: "product00000001", title: "x", price: 1, tags: ["a"], cover: file });
        products.create(JSON.stringify({ title: "x" }));
        products.update("p", { price: 2 });
        products.update("p", { "price+": 2, "price-": 1 });
        products.update("p", { "tags-": "a", "tags+": ["b", "c"], "+tags": "z" });
        products.update("p", { cover: Buffer.from("abc") });
        products.update("p", { cover: null });
        products.set("p", { title: "y" });
        // @ts-expect-error unknown field
        products.update("p", { pricee: 3 });
        // @ts-expect-error unknown field beside known ones
        products.create({ title: "x", price: 1, colour: "red" });
        // @ts-expect-error a modifier of an unknown field
        products.update("p", { "pricee+": 3 });
        // @ts-expect-error a value of the wrong type
        products.update("p", { price: "3" });
        // @ts-expect-error unknown field in an upsert
        products.set("p", { nope: 1 });
      }
      const products = async.products;
      await products.create({ title: "x", price: 1 });
      await products.update("p", { "price+": 2, "tags-": "a" });
      await products.set("p", { title: "y", cover: [file, new Uint8Array(3)] });
      // @ts-expect-error unknown field
      await products.update("p", { pricee: 3 });
      // @ts-expect-error unknown field
      await async.collection<Product>("products").create({ title: "x", colour: "red" });
      // @ts-expect-error unknown field
      await products.set("p", { nope: 1 });

      // Untyped collections, and record types with an index signature, take anything.
      untypedSync.collection("anything").create({ whatever: 1, "x+": 2, files: [file] });
      await untypedAsync.collection("anything").update("p", { nope: true });
      sync.posts.update("p", { anything: 1, "views+": 1 });
    };
    expectTypeOf(writes).toBeFunction();
  });
});
