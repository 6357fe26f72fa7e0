// A cancelled live replication lets the process exit: a child starts one, cancels it once it has
// caught up, and ends its script without closing anything; it must exit by itself, in both kinds.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setup } from "../src/index.ts";
import type { EmbeddedServer } from "../src/server/embedded.ts";
import { side, type TwoServers, twoServers } from "./helpers.ts";
import { KINDS } from "./kinds.ts";

const CHILD = join(import.meta.dirname, "fixtures/replicate-cancel.ts");

let a: EmbeddedServer;
let b: EmbeddedServer;
let pair: TwoServers | undefined;

beforeAll(async () => {
  pair = await twoServers();
  ({ a, b } = pair);
  const env = setup({ async: true, ...side(a) });
  await env.createCollection({
    name: "things",
    type: "base",
    fields: [
      { name: "title", type: "text" },
      { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
    ],
  });
  await env.collection("things").createMany([{ title: "one" }, { title: "two" }]);
  await env.close();
}, 120_000);

afterAll(async () => {
  await pair?.close();
});

describe.each(KINDS)("a cancelled live replication (%s kind)", (kind) => {
  it("lets the process exit without close()", async () => {
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        [CHILD, kind],
        {
          // A hang guard, not a speed check: the process is expected to end long before.
          timeout: 60_000,
          env: {
            ...process.env,
            REPLICATE_SOURCE: JSON.stringify(side(a)),
            REPLICATE_TARGET: JSON.stringify(side(b)),
          },
        },
        (error, out) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: out }),
      );
    });
    expect(stdout).toContain("cancelled");
    expect(code).toBe(0);
  }, 90_000);
});
