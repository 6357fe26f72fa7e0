// Starts one real PocketBase for the whole suite with the same code embedded mode uses, enables
// batch requests and creates the shared test collections through the API.
import type { TestProject } from "vitest/node";
import { startEmbedded } from "../src/env/embedded.ts";
import { setup } from "../src/index.ts";
import { SHARED_COLLECTIONS } from "./collections.ts";

declare module "vitest" {
  export interface ProvidedContext {
    pocketbase: { url: string; email: string; password: string; version: string };
  }
}

export default async function globalSetup(project: TestProject) {
  const server = await startEmbedded();
  console.log(`\nPocketBase ${server.version} at ${server.url} (pid ${server.pid})\n`);
  const env = setup({ async: true, url: server.url, email: server.email, password: server.password });
  await env.send("/api/settings", { method: "PATCH", body: { batch: { enabled: true, maxRequests: 50 } } });
  for (const model of SHARED_COLLECTIONS) await env.createCollection(model);
  await env.close();
  project.provide("pocketbase", {
    url: server.url,
    email: server.email,
    password: server.password,
    version: server.version,
  });
  return async () => {
    await server.stop();
  };
}
