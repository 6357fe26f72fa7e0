// The services under `env.admin`, by name: one class each, built in a loop for every environment and
// guarded with its method table's parameter checks. Adding a service is its interface (types.ts),
// its table (surface.ts) and its class here; the sync kind builds its proxies from the tables alone.
import { type ServicePath, serviceSurfaces } from "../abstract/surface.ts";
import type { Admin } from "../abstract/types.ts";
import { AsyncAdminBackups } from "./admin-backups.ts";
import { AsyncAdminCollections } from "./admin-collections.ts";
import { AsyncAdminSettings } from "./admin-settings.ts";
import type { Client } from "./client.ts";
import { guardMethods } from "./guard.ts";

const services: { readonly [P in keyof Admin<"async">]: new (client: Client) => Admin<"async">[P] } = {
  collections: AsyncAdminCollections,
  settings: AsyncAdminSettings,
  backups: AsyncAdminBackups,
};

for (const [name, Service] of Object.entries(services)) {
  const path = `admin.${name}` as ServicePath;
  guardMethods(Service.prototype, serviceSurfaces[path], (_, method) => ({ where: `${path}.${method}()` }));
}

/** `env.admin` for one identity's client. */
export function createAdmin(client: Client): Admin<"async"> {
  const admin: Record<string, unknown> = {};
  for (const [name, Service] of Object.entries(services)) admin[name] = new Service(client);
  return Object.freeze(admin) as unknown as Admin<"async">;
}
