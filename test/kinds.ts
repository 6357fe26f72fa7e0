// The parity suites run once per environment kind, from one source. Tests await every call: awaiting
// a sync result is a no-op, and `for await` walks a sync iterable, so one body serves both kinds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AsyncEnvironment,
  InvalidInputError,
  type PocketBaseError,
  type SetupOptions,
  setup,
} from "../src/index.ts";
import { server, tripwire } from "./helpers.ts";

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

/** A call that must be refused, what it is, and what its message says. */
export type Refusal = [what: string, call: (env: AsyncEnvironment) => unknown, message: RegExp];

/**
 * A suite proving that each call fails with an InvalidInputError saying `message`, in both kinds,
 * before any request: the environments point at a tripwire that counts connections.
 */
export function refusedBeforeAnyRequest(title: string, cases: Refusal[], never?: string): void {
  describe(title, () => {
    let wire: Awaited<ReturnType<typeof tripwire>>;
    const envs: AsyncEnvironment[] = [];
    beforeAll(async () => {
      wire = await tripwire();
      for (const kind of KINDS) envs.push(openEnvWith(kind, { url: wire.url, token: "a.b.c", retries: 0 }));
    });
    afterAll(async () => {
      for (const env of envs) await env.close();
      await wire.close();
    });
    it.each(cases)("%s", async (_, call, message) => {
      for (const env of envs) {
        const error = await failure(() => call(env));
        expect(error).toBeInstanceOf(InvalidInputError);
        expect(error.message).toMatch(message);
        if (never !== undefined) expect(error.message).not.toContain(never);
      }
      expect(wire.connections).toBe(0);
    });
  });
}
