// The async kind's half of "parameters declared once": every method listed in a table runs its
// parameters' checks (params.ts) before its own code, the same checks the sync kind runs on its
// calling thread, so the two kinds refuse the same input with the same error by construction.
import { type CallContext, checkArguments } from "../abstract/params.ts";
import type { Entry } from "../abstract/surface.ts";

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** How a method that refuses its input fails: as its result would (a rejection, a failing iterator). */
function failure(entry: Entry, original: Method, error: unknown): unknown {
  switch (entry.crossing) {
    case "iterate": {
      // An iterator whose first step fails, as an iteration whose first page fails does.
      const refused: AsyncIterableIterator<never> = {
        next: () => Promise.reject(error),
        [Symbol.asyncIterator]: () => refused,
      };
      return refused;
    }
    case "changes":
      throw error;
    case "local":
      if (original.constructor.name !== "AsyncFunction") throw error;
      return Promise.reject(error);
    default:
      return Promise.reject(error);
  }
}

/**
 * Replaces each method of `target` (a prototype, or an object of functions) that `surface` lists with
 * one that checks its arguments first. `context` names the call for errors.
 */
export function guardMethods(
  target: object,
  surface: Readonly<Record<string, Entry>>,
  context: (self: unknown, method: string) => CallContext,
): void {
  for (const [method, entry] of Object.entries(surface)) {
    const own = Object.getOwnPropertyDescriptor(target, method);
    if (typeof own?.value !== "function") continue; // a getter (a collection's `auth`) guards its own members
    const original = own.value as Method;
    if (entry.params.length === 0) continue;
    const guarded = {
      [method](this: unknown, ...args: unknown[]): unknown {
        let checked: unknown[];
        try {
          checked = checkArguments(entry.params, args, context(this, method));
        } catch (error) {
          return failure(entry, original, error);
        }
        return original.apply(this, checked);
      },
    }[method]!;
    Object.defineProperty(target, method, { ...own, value: guarded });
  }
}
