import { afterAll, expect, it } from "vitest";
import { freshPosts, superuserEnv } from "./helpers.ts";

const env = superuserEnv();
afterAll(() => env.close());

it("creates and reads back a record", async () => {
  const name = await freshPosts(env);
  const created = await env[name]!.create({ title: "Hello" });
  expect((await env[name]!.getOne(created.id)).title).toBe("Hello");
});
