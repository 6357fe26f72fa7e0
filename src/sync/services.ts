import type { Admin } from "../abstract/admin-types.ts";
import { type ServicePath, serviceSurfaces } from "../abstract/surface.ts";
import { type Forwarder, generateMethods, setRoute } from "./generate.ts";

const classes = new Map<ServicePath, new (forwarder: Forwarder) => object>();

/** The sync proxy of `env.admin` or a service (e.g. `admin.collections`), generated from its table. */
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

/** `env.admin` of a sync environment: its methods and one proxy per service, all from the tables. */
export function syncAdmin(forwarder: Forwarder): Admin<"sync"> {
  const admin = syncService<Record<string, unknown>>(forwarder, "admin");
  for (const path of Object.keys(serviceSurfaces) as ServicePath[]) {
    if (path === "admin") continue;
    const value = syncService(forwarder, path);
    Object.defineProperty(admin, path.slice("admin.".length), { value, enumerable: true });
  }
  return Object.freeze(admin) as unknown as Admin<"sync">;
}
