// Starts one real PocketBase per vitest project with the same code embedded mode uses, enables batch
// requests and creates the shared test collections through the API. The version is the project's
// POCKETMAP_POCKETBASE_VERSION (vitest.config.ts), else the pinned one.
import type { TestProject } from "vitest/node";
import { setup } from "../src/index.ts";
import { installPocketBase } from "../src/server/binary.ts";
import { startEmbedded } from "../src/server/embedded.ts";
import { SHARED_COLLECTIONS } from "./collections.ts";

declare module "vitest" {
  export interface ProvidedContext {
    pocketbase: { url: string; email: string; password: string; version: string };
  }
}

export default async function globalSetup(project: TestProject) {
  // Projects share this process, so a project's version is passed explicitly rather than through
  // process.env; POCKETBASE_BIN still wins, as it does for embedded mode.
  const version = project.config.env.POCKETMAP_POCKETBASE_VERSION;
  const bin = version && !process.env.POCKETBASE_BIN ? await installPocketBase(version) : undefined;
  const server = await startEmbedded({ bin });
  console.log(`\n[${project.name}] PocketBase ${server.version} at ${server.url} (pid ${server.pid})\n`);
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
