// The sync kind's `collection.auth`: a function (a password login) whose members are generated from
// `authSurface`, like every other sync proxy. Calling it crosses as `withPassword`.
import { authSurface } from "../abstract/surface.ts";
import type { Auth, BaseRecord } from "../abstract/types.ts";
import { type Forwarder, generateMethods, setRoute } from "./generate.ts";

// The members live on one prototype (itself a function's, so that `auth` stays callable).
const members: object = Object.create(Function.prototype);
generateMethods(members, authSurface);

export function syncAuth<T extends object = BaseRecord>(
  forwarder: Forwarder,
  collection: string,
): Auth<"sync", T> {
  const target = { collection, auth: true };
  const auth = function auth(...args: unknown[]) {
    return (members as Record<string, (...args: unknown[]) => unknown>).withPassword!.apply(auth, args);
  };
  Object.setPrototypeOf(auth, members);
  setRoute(auth, { forwarder, target });
  return auth as unknown as Auth<"sync", T>;
}
