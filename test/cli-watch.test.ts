// pocketmap watch: NDJSON lines of changes another client makes, a filter, reconnect notes, and Ctrl-C
// exits 130.
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, cli, serverVariables } from "./cli-run.ts";
import { faultProxy } from "./fault-proxy.ts";
import { freshPosts, superuserEnv, until } from "./helpers.ts";

/** Starts `pocketmap watch`; resolves once it says it is watching, with its output so far. */
async function startWatch(args: string[], url?: string) {
  const child: ChildProcess = spawn(process.execPath, [CLI, "watch", ...args], {
    env: { ...process.env, ...serverVariables(), ...(url ? { POCKETBASE_URL: url } : {}) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = { stdout: "", stderr: "" };
  child.stdout!.on("data", (chunk) => (output.stdout += chunk));
  child.stderr!.on("data", (chunk) => (output.stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  expect(await until(() => output.stderr.includes("watching"))).toBe(true);
  return { child, output, exited };
}

describe("pocketmap watch", () => {
  const admin = superuserEnv();
  afterAll(() => admin.close());

  it("prints a line per change another client makes, and exits 130 on SIGINT", async () => {
    const name = await freshPosts(admin, "cliwatch");
    const { child, output, exited } = await startWatch([name]);
    const created = await admin.collection(name).create({ title: "seen", n: 1 });
    await admin.collection(name).update(created.id, { n: 2 });
    await admin.collection(name).remove(created.id);
    expect(await until(() => output.stdout.split("\n").length > 3)).toBe(true);
    const lines = output.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.action)).toEqual(["create", "update", "delete"]);
    expect(lines[0].record).toMatchObject({ id: created.id, title: "seen", n: 1 });
    expect(lines[1].record).toMatchObject({ id: created.id, n: 2 });

    child.kill("SIGINT");
    expect(await exited).toEqual({ code: 130, signal: null });
  });

  it("fails at once, exit 1, on a collection that does not exist or a filter the server refuses", async () => {
    const missing = await cli(["watch", "nosuchcollection"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('pocketmap: no collection "nosuchcollection" (pocketmap ls lists them)\n');
    const name = await freshPosts(admin, "cliwatchbad");
    const refused = await cli(["watch", name, "--filter", "nosuchfield > 1"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('filter: "nosuchfield > 1"');
    expect(refused.stderr).not.toContain("watching");
  });

  it("--filter keeps only changes of matching records", async () => {
    const name = await freshPosts(admin, "cliwatchf");
    const { child, output, exited } = await startWatch([name, "--filter", "n > 5"]);
    await admin.collection(name).create({ title: "small", n: 1 });
    await admin.collection(name).create({ title: "large", n: 10 });
    expect(await until(() => output.stdout.includes("large"))).toBe(true);
    expect(output.stdout).not.toContain("small");
    child.kill("SIGINT");
    expect((await exited).code).toBe(130);
  });

  it("notes a stream cut mid-way on stderr, reconnects, keeps following, and still exits 130", async () => {
    const name = await freshPosts(admin, "cliwatchr");
    const proxy = await faultProxy();
    try {
      const { child, output, exited } = await startWatch([name], proxy.url);
      const lines = () => output.stdout.trimEnd().split("\n").filter(Boolean);
      const before = await admin.collection(name).create({ title: "before the cut", n: 1 });
      expect(await until(() => output.stdout.includes(before.id))).toBe(true);
      expect(output.stderr).not.toContain("connection lost");

      expect(await proxy.cutStreams()).toBe(1);
      expect(await until(() => /reconnected after \d+ attempt/.test(output.stderr))).toBe(true);
      expect(output.stderr).toMatch(/pocketmap: realtime connection lost \(.+\); reconnecting\n/);
      expect(output.stderr).toMatch(
        /pocketmap: reconnected after 1 attempt\(s\); changes in between may have been missed\n/,
      );
      // The new stream goes through the proxy too, and follows the collection.
      expect(await proxy.streaming()).toBe(1);
      const after = await admin.collection(name).create({ title: "after the cut", n: 2 });
      expect(await until(() => output.stdout.includes(after.id))).toBe(true);
      expect(lines().map((line) => JSON.parse(line).record.id)).toEqual([before.id, after.id]);
      // Notes go to stderr only: stdout stays NDJSON.
      expect(output.stdout).not.toContain("reconnect");

      child.kill("SIGINT");
      expect(await exited).toEqual({ code: 130, signal: null });
    } finally {
      await proxy.close();
    }
  });
});
