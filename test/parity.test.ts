// Parity generated from the method tables: every method of every table (the environment, a
// collection, its auth namespace, each service) gets the same bad inputs in both kinds, with no case
// written per method (parity-crossing.test.ts gives them the same crossing values). A new table entry
// is covered without a new test; a parameter of a kind parity-tables.ts has no sample for fails the
// suite and says which one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { optionChecks } from "../src/abstract/option-checks.ts";
import type { AnyParam } from "../src/abstract/params.ts";
import { type AsyncEnvironment, PocketmapError } from "../src/index.ts";
import { tripwire } from "./helpers.ts";
import { KINDS, openEnvWith, type TestKind } from "./kinds.ts";
import { ENTRIES, run, valid } from "./parity-tables.ts";

const fn = () => 1;
const sym = Symbol("bad");

/** The bad values every parameter gets (a callback's function is its valid value, so it gets a string). */
function badValues(p: AnyParam): [string, unknown][] {
  const bad: [string, unknown][] = [
    ["a symbol", sym],
    ["NaN", Number.NaN],
    ["a Map", new Map([["a", 1]])],
  ];
  // A callback's valid value is a function, and so is env.batch()'s builder.
  if ("isCallback" in p) bad.push(["a string", "not a function"]);
  else if (p.name !== "requests") bad.push(["a function", fn]);
  if (p.optionKind !== undefined) {
    bad.push(["an unknown option", { nope: 1 }]);
    // Every option of the kind, each with values it must refuse.
    for (const [key, check] of Object.entries(optionChecks[p.optionKind])) {
      const refused: [string, unknown][] = [
        ["a symbol", sym],
        ["NaN", Number.NaN],
        "callback" in check ? ["a string", "not a function"] : ["a function", fn],
      ];
      if (key === "timeout") refused.push(["-5", -5]);
      for (const [what, value] of refused) bad.push([`{ ${key}: ${what} }`, { [key]: value }]);
    }
  }
  if (["data", "docs", "patches"].includes(p.name)) {
    const inside = (value: unknown) => (p.name === "data" ? value : [value]);
    bad.push(
      ["a field holding a function", inside({ id: "abcdefghijklmno", title: fn })],
      ["a field holding a symbol", inside({ id: "abcdefghijklmno", title: sym })],
      ["a field holding NaN", inside({ id: "abcdefghijklmno", n: Number.NaN })],
    );
  }
  return bad;
}

/** How a call ended: its error's class, message, and whether it is a PocketmapError (as every error pocketmap throws must be). */
const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ ok: true as const }),
    (error: Error) => ({
      ok: false as const,
      class: error.constructor.name,
      message: error.message,
      pocketmap: error instanceof PocketmapError,
    }),
  );

const BAD_CASES = ENTRIES.flatMap(({ label, method, entry, reach }) =>
  entry.params.flatMap((p, position) =>
    badValues(p).map(([what, value]) => ({
      name: `${label}: ${p.name} (#${position + 1}) as ${what}`,
      method,
      reach,
      args: [...entry.params.slice(0, position).map((q) => valid(q, label)), value],
    })),
  ),
);

describe("bad input, the same in both kinds, before any request", () => {
  let wire: Awaited<ReturnType<typeof tripwire>>;
  const envs = {} as Record<TestKind, AsyncEnvironment>;
  beforeAll(async () => {
    wire = await tripwire();
    for (const kind of KINDS) {
      envs[kind] = openEnvWith(kind, {
        url: wire.url,
        token: "header.payload.signature",
        timeout: 300,
        retries: 0,
      });
    }
  });
  afterAll(async () => {
    for (const kind of KINDS) await envs[kind].close();
    await wire.close();
  });

  it("covers every method of every table", () => {
    const covered = new Set(BAD_CASES.map((c) => c.name.split(":")[0]));
    for (const { label, entry } of ENTRIES) if (entry.params.length > 0) expect(covered).toContain(label);
  });

  it.each(BAD_CASES)("$name", async ({ method, reach, args }) => {
    const [async, sync] = await Promise.all(
      KINDS.map((kind) => outcome(run(reach(envs[kind], "posts"), method, args))),
    );
    expect(async, "the async kind refuses it").toMatchObject({ ok: false, pocketmap: true });
    expect(sync, "the sync kind fails the same way").toEqual(async);
    expect(wire.connections, "nothing was sent").toBe(0);
  });
});
