// Every property of an environment that is not one of its members is a collection: `env.posts`,
// `env["posts"]`. Shared by both kinds; no I/O.

// Names that must never resolve to a collection: `await env` looks up `then`, and inspectors probe
// the others.
const NOT_COLLECTIONS = new Set([
  "then",
  "catch",
  "finally",
  "toJSON",
  "constructor",
  "inspect",
  "asymmetricMatch",
]);

/** Wraps an environment so that unknown property names resolve to collections. */
export function withCollectionProperties<E extends object>(
  environment: E,
  collection: (name: string) => unknown,
): E {
  // Methods must run on the target, which owns the private fields, not on the proxy. They are handed
  // out as plain functions, one per method and cached (so `env.close === env.close`): V8 refuses a
  // bound function (or a proxy) as the method of `using` / `await using` ("Symbol.dispose is not a
  // function").
  const methods = new WeakMap<(...args: unknown[]) => unknown, (...args: unknown[]) => unknown>();
  return new Proxy(environment, {
    get(target, property) {
      if (typeof property === "symbol" || property in target || NOT_COLLECTIONS.has(property)) {
        // No receiver: getters must run on the target too.
        const found: unknown = Reflect.get(target, property);
        if (typeof found !== "function") return found;
        const value = found as (...args: unknown[]) => unknown;
        let method = methods.get(value);
        if (!method) {
          method = function (this: unknown, ...args: unknown[]) {
            return value.apply(target, args);
          };
          methods.set(value, method);
        }
        return method;
      }
      return collection(property);
    },
  });
}

/** One object per collection name, made on first use: `env.posts === env.posts`. */
export class CollectionCache<C> {
  readonly #made = new Map<string, C>();
  readonly #make: (name: string) => C;

  constructor(make: (name: string) => C) {
    this.#make = make;
  }

  get(name: string): C {
    let found = this.#made.get(name);
    if (!found) {
      found = this.#make(name);
      this.#made.set(name, found);
    }
    return found;
  }

  forget(name: string): void {
    this.#made.delete(name);
  }
}
