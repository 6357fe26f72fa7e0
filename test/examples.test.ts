// The examples run as users run them (through the package name, here resolved to the sources).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { freshPosts, server, superuserEnv } from "./helpers.ts";

const run = promisify(execFile);
const examples = join(import.meta.dirname, "../examples");

function example(name: string, args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, ["--conditions=pocketmap:source", join(examples, name), ...args], {
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
}

describe("examples", () => {
  const admin = superuserEnv();
  afterAll(() => admin.close());

  it("cli.ts lists, gets, sets and deletes from the command line with the sync API", async () => {
    const name = await freshPosts(admin, "cli");
    const { url, email, password } = server();
    const env = { POCKETBASE_URL: url, POCKETBASE_EMAIL: email, POCKETBASE_PASSWORD: password };
    const id = "clirecord000001";

    const set = await example("cli.ts", [name, "set", id, '{"title":"from the shell","n":3}'], env);
    expect(JSON.parse(set.stdout)).toMatchObject({ id, title: "from the shell", n: 3 });
    const got = await example("cli.ts", [name, "get", id], env);
    expect(JSON.parse(got.stdout)).toMatchObject({ id, title: "from the shell" });
    const listed = await example("cli.ts", [name, "list"], env);
    expect(listed.stdout.trim().split("\n")).toHaveLength(1);
    expect(listed.stdout).toMatch(new RegExp(`^${id} `));
    expect((await example("cli.ts", [name, "delete", id], env)).stdout.trim()).toBe(`deleted ${id}`);
    expect((await example("cli.ts", [name, "delete", id], env)).stdout.trim()).toBe(`no record ${id}`);
    await expect(example("cli.ts", [name, "get", id], env)).rejects.toMatchObject({ code: 1 });
    expect(await admin.collection(name).size).toBe(0);
  });

  it("quickstart.ts runs against an embedded PocketBase", async () => {
    const { stdout } = await example("quickstart.ts", [], { POCKETBASE_URL: "" });
    expect(stdout).toContain("get: Hello");
    expect(stdout).toContain("size: 3");
    expect(stdout).toContain("popular: World, Created with create()");
  });
});
