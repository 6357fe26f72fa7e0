// A replication killed with SIGKILL midway (in a child process) resumes from its checkpoints: the
// next run reads less than everything and leaves the target exactly like the source.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AsyncEnvironment, setup } from "../src/index.ts";
import type { EmbeddedServer } from "../src/server/embedded.ts";
import { privateServer } from "./helpers.ts";
import { KINDS } from "./kinds.ts";
import { createSchema, expectSame, seed } from "./replication-data.ts";

const COUNTS = { authors: 500, posts: 2_500, comments: 5_000 };
const PREFIX = "resume";
const CHILD = join(import.meta.dirname, "fixtures/replicate-child.ts");

const side = (server: EmbeddedServer) => ({
  url: server.url,
  email: server.email,
  password: server.password,
});

/** Runs the child; with `killAt`, SIGKILLs it once it has written that many records. */
function child(kind: string, source: EmbeddedServer, target: EmbeddedServer, killAt?: number) {
  const process_ = spawn(process.execPath, [CHILD, kind], {
    env: {
      ...process.env,
      REPLICATE_SOURCE: JSON.stringify(side(source)),
      REPLICATE_TARGET: JSON.stringify(side(target)),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  let written = 0;
  process_.stdout.on("data", (chunk) => {
    out += chunk;
    for (const match of out.matchAll(/written (\d+)/g)) written = Math.max(written, Number(match[1]));
    if (killAt !== undefined && written >= killAt) process_.kill("SIGKILL");
  });
  return new Promise<{
    signal: NodeJS.Signals | null;
    written: number;
    summary?: { read: number; written: number };
  }>((resolve) =>
    process_.once("exit", (_, signal) => {
      const line = out.split("\n").find((l) => l.startsWith("summary "));
      resolve({ signal, written, summary: line ? JSON.parse(line.slice(8)) : undefined });
    }),
  );
}

let source: EmbeddedServer;
let sourceEnv: AsyncEnvironment;
let total = 0;

beforeAll(async () => {
  source = await privateServer();
  sourceEnv = setup({ async: true, ...side(source) });
  await createSchema(sourceEnv, PREFIX);
  await seed(sourceEnv, PREFIX, COUNTS, 10);
  total = COUNTS.authors + COUNTS.posts + COUNTS.comments;
}, 300_000);

afterAll(async () => {
  await sourceEnv?.close();
  await source?.stop();
});

describe.each(KINDS)("a replication killed midway resumes (%s kind)", (kind) => {
  let target: EmbeddedServer;
  let targetEnv: AsyncEnvironment;
  beforeAll(async () => {
    target = await privateServer();
    targetEnv = setup({ async: true, ...side(target) });
  });
  afterAll(async () => {
    await targetEnv?.close();
    await target?.stop();
  });

  it("SIGKILLed after half the records, the next run reads fewer than all and the result is exact", async () => {
    const killed = await child(kind, source, target, total / 2);
    expect(killed.signal).toBe("SIGKILL");
    expect(killed.summary).toBeUndefined();
    expect(killed.written).toBeGreaterThanOrEqual(total / 2);
    const resumed = await child(kind, source, target);
    expect(resumed.signal).toBeNull();
    expect(resumed.summary!.read).toBeLessThan(total);
    await expectSame(sourceEnv, targetEnv, PREFIX);
  }, 300_000);
});
