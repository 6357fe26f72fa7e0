// Type-level checks, enforced by `tsc` in `npm test`: the return type of setup() follows the literal,
// both kinds implement the one Collection interface, and schemas type records.
import { describe, expectTypeOf, it } from "vitest";
import type {
  AsyncCollection,
  AsyncEnvironment,
  BaseRecord,
  Collection,
  ListResult,
  SyncCollection,
  SyncEnvironment,
} from "../src/index.ts";
import { setup } from "../src/index.ts";

interface Post extends BaseRecord {
  title: string;
  views: number;
}
type Schema = { posts: Post };

describe("types", () => {
  it("setup() returns the kind its options name", () => {
    // Never called: only its types are checked (calling setup() would start a server).
    const typed = () => {
      expectTypeOf(setup<Schema>()).toEqualTypeOf<SyncEnvironment<Schema>>();
      expectTypeOf(setup<Schema>({ async: false })).toEqualTypeOf<SyncEnvironment<Schema>>();
      expectTypeOf(setup<Schema>({ async: true })).toEqualTypeOf<AsyncEnvironment<Schema>>();
    };
    expectTypeOf(typed).toBeFunction();
  });

  it("both kinds implement the one Collection interface", () => {
    expectTypeOf<SyncCollection<Post>>().toMatchTypeOf<Collection<"sync", Post>>();
    expectTypeOf<AsyncCollection<Post>>().toMatchTypeOf<Collection<"async", Post>>();
    expectTypeOf<SyncCollection<Post>["getOne"]>().returns.toEqualTypeOf<Post>();
    expectTypeOf<AsyncCollection<Post>["getOne"]>().returns.toEqualTypeOf<Promise<Post>>();
    expectTypeOf<SyncCollection<Post>["get"]>().returns.toEqualTypeOf<Post | undefined>();
    expectTypeOf<AsyncCollection<Post>["list"]>().returns.toEqualTypeOf<Promise<ListResult<Post>>>();
  });

  it("a schema types collections reached as properties", () => {
    expectTypeOf<AsyncEnvironment<Schema>["posts"]>().toEqualTypeOf<AsyncCollection<Post>>();
    expectTypeOf<SyncEnvironment<Schema>["posts"]>().toEqualTypeOf<SyncCollection<Post>>();
    expectTypeOf<ReturnType<AsyncEnvironment<Schema>["collection"]>>().toMatchTypeOf<AsyncCollection>();
  });
});
