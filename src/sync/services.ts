import { type ServicePath, serviceSurfaces } from "../abstract/surface.ts";
import type { Admin } from "../abstract/types.ts";
import { type Forwarder, generateMethods, setRoute } from "./generate.ts";

const classes = new Map<ServicePath, new (forwarder: Forwarder) => object>();

/** The sync proxy of a service (e.g. `admin.collections`), generated from its method table. */
export function syncService<T>(forwarder: Forwarder, path: ServicePath): T {
  let Service = classes.get(path);
  if (!Service) {
    Service = class {
      constructor(forwarder: Forwarder) {
        setRoute(this, { forwarder, target: { service: path } });
      }
    };
    generateMethods(Service.prototype, serviceSurfaces[path]);
    classes.set(path, Service);
  }
  return new Service(forwarder) as T;
}

/** `env.admin` of a sync environment: one proxy per service in the tables, none written here. */
export function syncAdmin(forwarder: Forwarder): Admin<"sync"> {
  const admin: Record<string, unknown> = {};
  for (const path of Object.keys(serviceSurfaces) as ServicePath[]) {
    admin[path.slice("admin.".length)] = syncService(forwarder, path);
  }
  return Object.freeze(admin) as unknown as Admin<"sync">;
}
