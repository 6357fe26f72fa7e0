// pocketmap replicate SRC DST: a one-shot copy with JSON progress and a summary, what it could not
// copy said on stderr, a usage error, a refused login's source, and --live following changes until
// Ctrl-C; two real servers (one also serves the nearest-collection check, its collections being known).
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AsyncEnvironment } from "../src/index.ts";
import type { EmbeddedServer } from "../src/server/embedded.ts";
import { CLI, cli } from "./cli-run.ts";
import { type TwoServers, twoServers, until } from "./helpers.ts";

describe("pocketmap replicate", () => {
  let a: EmbeddedServer;
  let b: EmbeddedServer;
  let envA: AsyncEnvironment;
  let envB: AsyncEnvironment;
  let pair: TwoServers | undefined;
  let variables: Record<string, string>;

  beforeAll(async () => {
    pair = await twoServers();
    ({ a, b, envA, envB } = pair);
    await envA.createCollection({
      name: "items",
      type: "base",
      fields: [
        { name: "title", type: "text" },
        { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
      ],
    });
    await envA
      .collection("items")
      .createMany(Array.from({ length: 300 }, (_, i) => ({ title: `item ${i}` })));
    variables = {
      POCKETBASE_URL: "",
      POCKETMAP_SOURCE_EMAIL: a.email,
      POCKETMAP_SOURCE_PASSWORD: a.password,
      POCKETMAP_TARGET_EMAIL: b.email,
      POCKETMAP_TARGET_PASSWORD: b.password,
    };
  }, 120_000);

  afterAll(async () => {
    await pair?.close();
  });

  it("copies the collections, shows JSON progress on stderr and prints the summary", async () => {
    const run = await cli(["replicate", a.url, b.url, "--progress", "json"], { variables });
    expect(run.stderr).not.toContain(a.password);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.written).toBe(300);
    const lines = run.stderr
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.at(-1)).toMatchObject({ label: "replicate", done: 300 });
    expect(await envB.collection("items").count()).toBe(300);
  }, 120_000);

  it("takes the configured server's identity for a side that is the configured server", async () => {
    const run = await cli(["replicate", a.url, b.url], {
      variables: {
        POCKETBASE_URL: a.url,
        POCKETBASE_EMAIL: a.email,
        POCKETBASE_PASSWORD: a.password,
        POCKETMAP_TARGET_EMAIL: b.email,
        POCKETMAP_TARGET_PASSWORD: b.password,
      },
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).written).toBe(0);
  }, 120_000);

  it("says on stderr, once, that auth records' passwords were not copied", async () => {
    await envA.createCollection({ name: "members", type: "auth", fields: [{ name: "name", type: "text" }] });
    await envA.collection("members").createMany(
      [1, 2].map((n) => ({
        email: `member${n}@pocketmap.test`,
        password: "member-password-1",
        passwordConfirm: "member-password-1",
        name: `member ${n}`,
      })),
    );
    const run = await cli(["replicate", a.url, b.url, "--collections", "members"], { variables });
    expect(run.code).toBe(0);
    const notCopied = run.stderr.split("\n").filter((line) => line.startsWith("pocketmap: not copied: "));
    expect(notCopied).toHaveLength(1);
    expect(notCopied[0]).toMatch(/^pocketmap: not copied: 2 auth record\(s\) .*without their password/);
    expect(run.stderr).not.toContain("member-password-1");
    expect(run.stderr).not.toContain(a.password);
    expect(JSON.parse(run.stdout).notCopied).toEqual([notCopied[0]!.replace("pocketmap: not copied: ", "")]);
    expect(await envB.collection("members").count()).toBe(2);
    // The members exist on the target now: a second run creates none, so has nothing to say.
    const again = await cli(["replicate", a.url, b.url, "--collections", "members"], { variables });
    expect(again.code).toBe(0);
    expect(again.stderr).toBe("");
    expect(JSON.parse(again.stdout).notCopied).toEqual([]);
  }, 120_000);

  it("says what is wrong with its arguments, exit 2", async () => {
    const run = await cli(["replicate", "not a url", b.url], { variables });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/source must be a server URL/);
    const inUrl = await cli(["replicate", `http://me:secret@127.0.0.1:1`, b.url], { variables });
    expect(inUrl.code).toBe(2);
    expect(inUrl.stderr).toMatch(/POCKETMAP_SOURCE_EMAIL/);
    expect(inUrl.stderr).not.toContain("secret");
    expect((await cli(["replicate", "--help"], { variables })).stdout).toMatch(/POCKETMAP_SOURCE_EMAIL/);
  });

  // Here for its private server, whose collections are known: items (and members) and the system ones.
  it("a missing collection is offered the nearest of its own collections, a system one only for a _name", async () => {
    const onA = { POCKETBASE_URL: a.url, POCKETBASE_EMAIL: a.email, POCKETBASE_PASSWORD: a.password };
    const said = async (name: string) => (await cli(["get", name, "x"], { variables: onA })).stderr;
    expect(await said("itemz")).toBe(
      'pocketmap: no collection "itemz"; did you mean items? (pocketmap ls lists them)\n',
    );
    expect(await said("otps")).toBe('pocketmap: no collection "otps" (pocketmap ls lists them)\n');
    expect(await said("_otp")).toBe(
      'pocketmap: no collection "_otp"; did you mean _otps? (pocketmap ls lists them)\n',
    );
  });

  it("a refused login names the variables its identity came from, never the password", async () => {
    const wrong = "not-the-source-password";
    const run = await cli(["replicate", a.url, b.url], {
      variables: { ...variables, POCKETMAP_SOURCE_PASSWORD: wrong },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `could not log in as the superuser "${a.email}" (from POCKETMAP_SOURCE_EMAIL and POCKETMAP_SOURCE_PASSWORD (environment variables))`,
    );
    expect(run.stderr).not.toContain(wrong);
    expect(run.stderr).not.toContain("setup()");
  }, 120_000);

  it("--live follows changes until Ctrl-C, then prints the summary and says what it could not copy", async () => {
    // A member created while it follows: its password is not copied, and said when it stops.
    await envA.createCollection({
      name: "followers",
      type: "auth",
      fields: [{ name: "name", type: "text" }],
    });
    const child = spawn(process.execPath, [CLI, "replicate", a.url, b.url, "--live"], {
      env: { ...process.env, ...variables },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let [stdout, stderr] = ["", ""];
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      expect(await until(() => stderr.includes("caught up"), 60_000)).toBe(true);
      const record = await envA.collection("items").create({ title: "live" });
      expect(
        await until(async () => (await envB.collection("items").get(record.id)) !== undefined, 30_000),
      ).toBe(true);
      // A second change, so that the replication pauses twice more: the note is still said once.
      await envA.collection("items").update(record.id, { title: "live, edited" });
      expect(
        await until(
          async () => (await envB.collection("items").get(record.id))?.title === "live, edited",
          30_000,
        ),
      ).toBe(true);
      expect(stderr.split("caught up").length - 1).toBe(1);
      const follower = await envA.collection("followers").create({
        email: "follower@pocketmap.test",
        password: "follower-password-1",
        passwordConfirm: "follower-password-1",
      });
      expect(
        await until(async () => (await envB.collection("followers").get(follower.id)) !== undefined, 30_000),
      ).toBe(true);
      child.kill("SIGINT");
      expect(await exited).toBe(130);
      const said = "pocketmap: not copied: 1 auth record(s)";
      expect(stderr.split(said).length - 1).toBe(1);
      const summary = JSON.parse(stdout);
      expect(summary.notCopied).toHaveLength(1);
      expect(summary.collections.find((c: { name: string }) => c.name === "followers")?.written).toBe(1);
    } finally {
      child.kill("SIGKILL");
    }
  }, 120_000);
});
