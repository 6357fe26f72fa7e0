import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { type AsyncEnvironment, setup } from "../src/index.ts";
import { postsModel } from "./collections.ts";

export const server = () => inject("pocketbase");

/** An async environment on the suite's server, as the superuser. */
export function superuserEnv(): AsyncEnvironment {
  const { url, email, password } = server();
  return setup({ async: true, url, email, password });
}

/** A unique collection name, so that test files running at once never share records. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString("hex")}`;
}

/** Creates a fresh posts-like collection and returns its name. */
export async function freshPosts(env: AsyncEnvironment, prefix = "posts"): Promise<string> {
  const name = uniqueName(prefix);
  const authors = await env.send<{ id: string }>("/api/collections/authors", { query: { fields: "id" } });
  await env.createCollection(postsModel(name, authors.id));
  return name;
}
