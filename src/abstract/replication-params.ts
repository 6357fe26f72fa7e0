// env.replicate()'s parameters: its two sides, and how each crosses to the sync worker. An environment
// is known by a mark its kind sets when it makes one (the user holds a Proxy, so no field would do);
// a sync environment crosses as its id, and the worker hosts its async twin under that id. No I/O.

import type { ReplicationSide } from "./environment-types.ts";
import { InvalidInputError } from "./errors/invalid-input.ts";
import { resolveOptions } from "./options.ts";
import type { Param } from "./params.ts";
import { describe, isPlainObject } from "./validate.ts";

/** Which kind made an environment, and (sync kind) its id in the worker. */
export interface EnvironmentMark {
  kind: "async" | "sync";
  id?: number;
}

const marks = new WeakMap<object, EnvironmentMark>();

/** Marks an environment (the object its user holds) as one of pocketmap's. */
export function markEnvironment<E extends object>(environment: E, mark: EnvironmentMark): E {
  marks.set(environment, mark);
  return environment;
}

/** The mark of one of pocketmap's environments, else undefined. */
export function environmentMark(value: unknown): EnvironmentMark | undefined {
  return typeof value === "object" && value !== null ? marks.get(value) : undefined;
}

/** How the worker finds the async twin of a sync environment (set by the worker). */
let findHosted: ((id: number) => object) | undefined;

/** How the sync kind makes sure an environment is open in its worker before its id crosses there. */
let openInWorker: ((id: number) => void) | undefined;

/** Set by the sync kind: opens a sync environment in the worker (a side may never have been used). */
export function setOpenInWorker(open: (id: number) => void): void {
  openInWorker = open;
}

/** The worker's hosted environments, by the id a sync environment crosses as. */
export function setHostedEnvironments(find: (id: number) => object): void {
  findHosted = find;
}

/**
 * Why an environment of the other kind cannot be a side of `kind`'s replicate() or sync() (its
 * identity would have to cross between threads), and what to pass instead.
 */
export function mixedKindsMessage(kind: "async" | "sync", name: "source" | "target" | "a" | "b"): string {
  const method = name === "a" || name === "b" ? "sync" : "replicate";
  const [other, article, made] =
    kind === "async" ? ["sync", "an", "setup({ async: true, ... })"] : ["async", "a", "setup({ ... })"];
  return `pocketmap: ${method}() of ${article} ${kind} environment takes as ${name} ${article} ${kind} environment or setup options, not ${other === "async" ? "an" : "a"} ${other} one (its identity would have to cross between threads); pass that side's setup options ({ url, email, password }) instead, or an environment made with ${made}`;
}

/** Throws unless `value` is an environment, or setup options that name a server. */
export function assertSide(value: unknown, name: string, where: string): void {
  if (environmentMark(value)) return;
  if (!isPlainObject(value)) {
    throw new InvalidInputError(
      `pocketmap: ${where} takes an environment or setup options as ${name}, got ${describe(value)}`,
    );
  }
  if (typeof value.url !== "string" || value.url === "") {
    throw new InvalidInputError(
      `pocketmap: ${where} ${name} given as options must name a url (a replication never starts an embedded server)`,
    );
  }
  if ("async" in value) {
    throw new InvalidInputError(
      `pocketmap: ${where} ${name} options take no "async"; the replication chooses`,
    );
  }
  // Validated by setup()'s own rule, without reading variables: a side is exactly what it says.
  resolveOptions(value, {});
}

/** A side of a replication: checked in both kinds; a sync environment crosses as its id. */
export function side(name: "source" | "target" | "a" | "b"): Param<ReplicationSide, false> {
  return {
    name,
    optional: false,
    check: (value, context) => assertSide(value, name, context.where),
    cross(value) {
      const mark = environmentMark(value);
      if (mark === undefined) {
        const options = value as Record<string, unknown>;
        if (options.beforeSend !== undefined || options.afterSend !== undefined) {
          throw new InvalidInputError(
            `pocketmap: ${name} options with hooks cannot cross to the sync kind's worker; pass a sync environment made with them`,
          );
        }
        return { options };
      }
      if (mark.kind === "async" || mark.id === undefined)
        throw new InvalidInputError(mixedKindsMessage("sync", name));
      openInWorker?.(mark.id);
      return { environment: mark.id };
    },
    revive(value) {
      const crossed = value as { options?: unknown; environment?: number };
      if (crossed.environment === undefined) return crossed.options;
      if (!findHosted) throw new InvalidInputError("pocketmap: no environments are hosted here");
      return findHosted(crossed.environment);
    },
  };
}
