// With no POCKETBASE_URL configured, pocketmap starts a local PocketBase for the length of the script.
import { setup } from "pocketmap";

// Record types are optional; a plain interface types `env.posts`, what it returns (with the system
// fields added) and what it accepts (unknown fields are compile-time errors).
interface Post {
  title: string;
  views: number;
}

const env = setup<{ posts: Post }>({ async: true });

await env.createCollection({
  name: "posts",
  type: "base",
  fields: [
    { name: "title", type: "text" },
    { name: "views", type: "number" },
  ],
});

// A collection is a Map of records keyed by id.
await env.posts.set("hello0000000001", { title: "Hello", views: 1 });
await env.posts.set("world0000000001", { title: "World", views: 5 });
const created = await env.posts.create({ title: "Created with create()", views: 3 });
console.log("created:", created.id, created.title);

console.log("get:", (await env.posts.get("hello0000000001"))?.title);
console.log("size:", await env.posts.size);
for await (const [id, post] of env.posts) console.log("read back:", id, post.title, post.views);

const popular = await env.posts.list({ filter: { views: [3, 5] }, sort: "-views" });
console.log("popular:", popular.items.map((post) => post.title).join(", "));

await env.close();
