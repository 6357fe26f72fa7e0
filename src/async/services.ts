// `env.admin` and the services under it, by name: one class each, built in a loop for every
// environment and guarded with its method table's parameter checks. Adding a service is its
// interface (admin-types.ts), its table (surface.ts), its class (admin-<name>.ts), its requests
// (admin-operations.ts) and its line here (docs/architecture.md); the sync kind builds its proxies
// from the tables alone.
import { SINCE, sql } from "../abstract/admin-operations.ts";
import type { Admin, SqlResult } from "../abstract/admin-types.ts";
import { adminSurface, type ServiceName, type ServicePath, serviceSurfaces } from "../abstract/surface.ts";
import type { RequestOptions } from "../abstract/types.ts";
import { AsyncAdminBackups } from "./admin-backups.ts";
import { AsyncAdminCollections } from "./admin-collections.ts";
import { AsyncAdminCrons } from "./admin-crons.ts";
import { AsyncAdminLogs } from "./admin-logs.ts";
import { AsyncAdminSettings } from "./admin-settings.ts";
import type { Client } from "./client.ts";
import { guardMethods } from "./guard.ts";
import { since } from "./since.ts";

const services: { readonly [P in ServiceName]: new (client: Client) => Admin<"async">[P] } = {
  collections: AsyncAdminCollections,
  logs: AsyncAdminLogs,
  crons: AsyncAdminCrons,
  settings: AsyncAdminSettings,
  backups: AsyncAdminBackups,
};

for (const [name, Service] of Object.entries(services)) {
  const path = `admin.${name}` as ServicePath;
  guardMethods(Service.prototype, serviceSurfaces[path], (_, method) => ({ where: `${path}.${method}()` }));
}

/** `env.admin` itself: its own methods; the services are set on each instance. */
class AsyncAdmin {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  async sql(query: string, options?: RequestOptions): Promise<SqlResult> {
    return since(SINCE.sql, "admin.sql()", () =>
      this.#client.request<SqlResult>(sql(query, options?.query), options),
    );
  }
}
guardMethods(AsyncAdmin.prototype, adminSurface, (_, method) => ({ where: `admin.${method}()` }));

/** `env.admin` for one identity's client. */
export function createAdmin(client: Client): Admin<"async"> {
  const admin = new AsyncAdmin(client);
  for (const [name, Service] of Object.entries(services)) {
    Object.defineProperty(admin, name, { value: new Service(client), enumerable: true });
  }
  return Object.freeze(admin) as unknown as Admin<"async">;
}
