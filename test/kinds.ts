// The parity suites run once per environment kind, from one source. Tests await every call: awaiting
// a sync result is a no-op, and `for await` walks a sync iterable, so one body serves both kinds.
import { expect } from "vitest";
import { type AsyncEnvironment, type PocketBaseError, type SetupOptions, setup } from "../src/index.ts";
import { server } from "./helpers.ts";

export const KINDS = ["async", "sync"] as const;
export type TestKind = (typeof KINDS)[number];

/**
 * An environment of the given kind. Typed as the async kind so one test body compiles for both; the
 * sync kind's values are awaited as they are.
 */
export function openEnvWith(kind: TestKind, options: Omit<SetupOptions, "async">): AsyncEnvironment {
  return setup({ ...options, async: kind === "async" }) as unknown as AsyncEnvironment;
}

/** An environment of the given kind on the suite's server, as the superuser. */
export function openEnv(kind: TestKind): AsyncEnvironment {
  const { url, email, password } = server();
  return openEnvWith(kind, { url, email, password });
}

/** The call's outcome as a promise, whether the kind throws (sync) or rejects (async). */
export function settle<T>(call: () => T | Promise<T>): Promise<T> {
  return Promise.resolve().then(call);
}

/** The error a call fails with, whatever the kind; a call that succeeds fails the test. */
export function failure(call: () => unknown): Promise<PocketBaseError> {
  return settle(call).then(
    () => expect.unreachable("the call succeeded"),
    (error: unknown) => error as PocketBaseError,
  );
}
