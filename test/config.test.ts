// Options, then environment variables, then .env in the working directory.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveOptions } from "../src/abstract/options.ts";
import { readDotEnv } from "../src/env/config.ts";

const run = promisify(execFile);

describe("configuration", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "pocketmap-config-"));
    await writeFile(
      join(dir, ".env"),
      "POCKETBASE_URL=http://127.0.0.1:1/\nPOCKETMAP_TIMEOUT=1234\nPOCKETMAP_RETRIES=5\n# a comment\n",
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("reads .env, and a missing one is no error", () => {
    expect(readDotEnv(dir)).toEqual({
      POCKETBASE_URL: "http://127.0.0.1:1/",
      POCKETMAP_TIMEOUT: "1234",
      POCKETMAP_RETRIES: "5",
    });
    expect(readDotEnv(join(dir, "nowhere"))).toEqual({});
  });

  it("prefers options to variables, and drops a trailing slash", () => {
    const variables = { POCKETBASE_URL: "http://from-env:8090/", POCKETMAP_TIMEOUT: "999" };
    expect(resolveOptions({}, variables)).toMatchObject({ url: "http://from-env:8090", timeout: 999 });
    expect(resolveOptions({ url: "http://option:1", timeout: 5 }, variables)).toMatchObject({
      url: "http://option:1",
      timeout: 5,
    });
  });

  it("setup() uses .env from the working directory, below variables already set", async () => {
    const script = `
      import { setup } from ${JSON.stringify(join(import.meta.dirname, "../src/index.ts"))};
      const env = setup({ async: true });
      console.log(await env.url());
      await env.close();
    `;
    const file = join(dir, "print-url.ts");
    await writeFile(file, script);
    const fromDotEnv = await run(process.execPath, [file], {
      cwd: dir,
      env: { ...process.env, POCKETBASE_URL: "" },
    });
    expect(fromDotEnv.stdout.trim()).toBe("http://127.0.0.1:1");
    const fromVariable = await run(process.execPath, [file], {
      cwd: dir,
      env: { ...process.env, POCKETBASE_URL: "http://127.0.0.2:2" },
    });
    expect(fromVariable.stdout.trim()).toBe("http://127.0.0.2:2");
  });
});
