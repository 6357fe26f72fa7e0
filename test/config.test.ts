// Options, then environment variables, then .env in the working directory: one rule, read at setup().
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveOptions, SETUP_OPTION_NAMES } from "../src/abstract/options.ts";
import { loadOptions, readDotEnv } from "../src/env/config.ts";
import { InvalidInputError } from "../src/index.ts";
import { freshPosts, server, superuserEnv } from "./helpers.ts";

const run = promisify(execFile);
const INDEX = JSON.stringify(join(import.meta.dirname, "../src/index.ts"));

/** Runs a script in `cwd` with these variables on top of the test's (POCKETBASE_* and POCKETMAP_* cleared). */
async function script(cwd: string, name: string, text: string, variables: Record<string, string> = {}) {
  const file = join(cwd, name);
  await writeFile(file, text);
  const inherited: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(inherited)) if (/^POCKET(BASE|MAP)_/.test(key)) delete inherited[key];
  return run(process.execPath, [file], { cwd, env: { ...inherited, ...variables }, timeout: 30_000 });
}

/** What resolveOptions throws, or undefined. */
function refusal(...args: Parameters<typeof resolveOptions>): Error | undefined {
  try {
    resolveOptions(...args);
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

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

  it("prefers options to variables to .env, and drops a trailing slash", () => {
    const variables = { POCKETBASE_URL: "http://from-env:8090/", POCKETMAP_TIMEOUT: "999" };
    const dotenv = { POCKETBASE_URL: "http://dotenv:1", POCKETMAP_TIMEOUT: "7", POCKETMAP_RETRIES: "4" };
    expect(resolveOptions({}, { variables, dotenv })).toMatchObject({
      url: "http://from-env:8090",
      timeout: 999,
      retries: 4,
    });
    expect(resolveOptions({ url: "http://option:1", timeout: 5 }, { variables })).toMatchObject({
      url: "http://option:1",
      timeout: 5,
    });
    // An empty string counts as unset, wherever it is.
    expect(resolveOptions({ url: "" }, { variables: { POCKETBASE_URL: "" }, dotenv })).toMatchObject({
      url: "http://dotenv:1",
      timeout: 7,
    });
  });

  it("loadOptions reads the process variables and .env of a working directory, POCKETMAP_* included", async () => {
    const here = await mkdtemp(join(tmpdir(), "pocketmap-config-"));
    try {
      await writeFile(
        join(here, ".env"),
        [
          "POCKETBASE_URL=http://127.0.0.1:1",
          "POCKETMAP_TIMEOUT=1234",
          "POCKETMAP_RETRY_DELAY=7",
          "POCKETMAP_PAGE_SIZE=3",
          "POCKETMAP_BATCH_SIZE=9",
          "POCKETMAP_REFRESH_MARGIN=5000",
          "POCKETMAP_STARTUP_TIMEOUT=4000",
          "POCKETMAP_SYNC_CHUNK=11",
          "POCKETMAP_BATCH_RECHECK=0",
          "POCKETMAP_REALTIME_STABLE=2500",
          "POCKETMAP_REALTIME_MAX_EVENT=65536",
          "POCKETMAP_QUIET=1",
        ].join("\n"),
      );
      const resolved = loadOptions({}, { cwd: here, variables: { POCKETMAP_PAGE_SIZE: "4" } });
      expect(resolved).toMatchObject({
        url: "http://127.0.0.1:1",
        timeout: 1234,
        retryDelay: 7,
        pageSize: 4,
        batchSize: 9,
        refreshMargin: 5000,
        startupTimeout: 4000,
        syncChunk: 11,
        batchRecheck: 0,
        realtimeStable: 2500,
        realtimeMaxEvent: 65536,
        quiet: true,
      });
    } finally {
      await rm(here, { recursive: true, force: true });
    }
  });

  // From the readers' table (types.test.ts proves it has one per option): a new option is covered.
  it.each(SETUP_OPTION_NAMES)("refuses a bad %s option, naming it", (name) => {
    const error = refusal({ url: "http://127.0.0.1:1", [name]: Symbol("bad") });
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error?.message).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it("refuses a bad POCKETMAP_* value at setup(), naming the variable and where it was", () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ POCKETMAP_TIMEOUT: "abc" }, /POCKETMAP_TIMEOUT must be an integer from 1 to 2147483647, got "abc"/],
      [{ POCKETMAP_RETRIES: "-1" }, /POCKETMAP_RETRIES must be/],
      [{ POCKETMAP_RETRY_DELAY: "1.5" }, /POCKETMAP_RETRY_DELAY must be/],
      [{ POCKETMAP_CONNECTIONS: "0" }, /POCKETMAP_CONNECTIONS must be/],
      [{ POCKETMAP_PAGE_SIZE: "1001" }, /POCKETMAP_PAGE_SIZE must be an integer from 1 to 1000/],
      [{ POCKETMAP_BATCH_SIZE: "many" }, /POCKETMAP_BATCH_SIZE must be/],
      [{ POCKETMAP_REFRESH_MARGIN: "1e3" }, /POCKETMAP_REFRESH_MARGIN must be/],
      [{ POCKETMAP_STARTUP_TIMEOUT: "0" }, /POCKETMAP_STARTUP_TIMEOUT must be/],
      [{ POCKETMAP_SYNC_CHUNK: "0" }, /POCKETMAP_SYNC_CHUNK must be/],
      [{ POCKETMAP_REALTIME_STABLE: "-1" }, /POCKETMAP_REALTIME_STABLE must be/],
      [{ POCKETMAP_REALTIME_MAX_EVENT: "1023" }, /POCKETMAP_REALTIME_MAX_EVENT must be an integer >= 1024/],
      [{ POCKETMAP_QUIET: "yes" }, /POCKETMAP_QUIET must be 1, 0, true or false/],
    ];
    for (const [variables, message] of cases) {
      const error = refusal({}, { variables });
      expect(error, JSON.stringify(variables)).toBeInstanceOf(InvalidInputError);
      expect(error?.message).toMatch(message);
    }
    const fromDotEnv = refusal({}, { dotenv: { POCKETMAP_TIMEOUT: "abc" }, dotenvName: "/app/.env" });
    expect(fromDotEnv).toBeInstanceOf(InvalidInputError);
    expect(fromDotEnv?.message).toMatch(/POCKETMAP_TIMEOUT in \/app\/\.env must be/);
    expect(refusal({ quiet: "yes" as never })?.message).toMatch(/quiet must be true or false/);
  });

  it("import never throws on a bad variable; setup() refuses it with an InvalidInputError, both kinds", async () => {
    const { stdout } = await script(
      dir,
      "bad-timeout.ts",
      `
      const { setup } = await import(${INDEX});
      const results = [];
      for (const options of [{ async: true }, {}]) {
        try {
          setup({ ...options, url: "http://127.0.0.1:1" });
          results.push("no error");
        } catch (error) {
          results.push(error.name + ": " + error.message);
        }
      }
      console.log(JSON.stringify(results));
    `,
      { POCKETMAP_TIMEOUT: "abc" },
    );
    const results = JSON.parse(stdout) as string[];
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result).toMatch(/^InvalidInputError: pocketmap: POCKETMAP_TIMEOUT must be an integer/);
    }
  });

  it("setup() uses .env from the working directory, below variables already set", async () => {
    const text = `
      import { setup } from ${INDEX};
      const env = setup({ async: true });
      console.log(await env.url());
      await env.close();
    `;
    const fromDotEnv = await script(dir, "print-url.ts", text);
    expect(fromDotEnv.stdout.trim()).toBe("http://127.0.0.1:1");
    const fromVariable = await script(dir, "print-url.ts", text, { POCKETBASE_URL: "http://127.0.0.2:2" });
    expect(fromVariable.stdout.trim()).toBe("http://127.0.0.2:2");
  });

  it("honours POCKETMAP_PAGE_SIZE and the identity from .env against a real server, both kinds", async () => {
    const { url, email, password } = server();
    const admin = superuserEnv();
    const name = await freshPosts(admin, "paged");
    await admin.batch(
      Array.from({ length: 5 }, (_, n) => ({
        method: "POST" as const,
        url: `/api/collections/${name}/records`,
        body: { title: `post ${n}` },
      })),
    );
    await admin.close();
    const here = await mkdtemp(join(tmpdir(), "pocketmap-config-"));
    try {
      await writeFile(
        join(here, ".env"),
        `POCKETBASE_URL=${url}\nPOCKETBASE_EMAIL=${email}\nPOCKETBASE_PASSWORD=${password}\nPOCKETMAP_PAGE_SIZE=2\n`,
      );
      const { stdout } = await script(
        here,
        "paged.ts",
        `
        import { setup } from ${INDEX};
        const out = {};
        for (const kind of ["async", "sync"]) {
          const env = setup({ async: kind === "async" });
          const pages = [];
          const logins = [];
          env.on("request", ({ data }) => { if (data.path.endsWith("/records")) pages.push(data.path); });
          env.on("auth", ({ data }) => { logins.push(data.collection); });
          const all = await env.collection(${JSON.stringify(name)}).getFullList();
          await new Promise((resolve) => setTimeout(resolve, 50));
          out[kind] = { records: all.length, requests: pages.length, logins };
          await env.close();
        }
        console.log(JSON.stringify(out));
      `,
      );
      // Five records two at a time: three pages, read as the superuser whose credentials are in .env.
      expect(JSON.parse(stdout)).toEqual({
        async: { records: 5, requests: 3, logins: ["_superusers"] },
        sync: { records: 5, requests: 3, logins: ["_superusers"] },
      });
    } finally {
      await rm(here, { recursive: true, force: true });
    }
  });
});

describe("identity rule", () => {
  const dotenvName = "/app/.env";

  it("takes the identity whole from the first source that has any of it", () => {
    const url = "http://127.0.0.1:1";
    const superuser = { POCKETBASE_EMAIL: "root@example.test", POCKETBASE_PASSWORD: "root-password" };
    // A token option, credentials in .env: the token alone.
    expect(resolveOptions({ url, token: "user-token" }, { dotenv: superuser }).identity).toEqual({
      token: "user-token",
      from: "token (setup() options)",
    });
    // A token variable, credentials in .env: the token alone.
    expect(
      resolveOptions({ url }, { variables: { POCKETBASE_TOKEN: "user-token" }, dotenv: superuser }).identity,
    ).toEqual({ token: "user-token", from: "POCKETBASE_TOKEN (environment variables)" });
    // Credentials in options, a token in the variables: the credentials alone.
    expect(
      resolveOptions(
        { url, email: "a@example.test", password: "a-password" },
        { variables: { POCKETBASE_TOKEN: "user-token" } },
      ).identity,
    ).toEqual({
      email: "a@example.test",
      password: "a-password",
      from: "email and password (setup() options)",
    });
    // Only .env: its credentials.
    expect(resolveOptions({ url }, { dotenv: superuser }).identity).toEqual({
      email: "root@example.test",
      password: "root-password",
      from: "POCKETBASE_EMAIL and POCKETBASE_PASSWORD (variables in .env)",
    });
    // None anywhere.
    expect(resolveOptions({ url }, {}).identity).toBeUndefined();
  });

  it("never completes an identity from another source", () => {
    const url = "http://127.0.0.1:1";
    const half = refusal(
      { url, email: "a@example.test" },
      { variables: { POCKETBASE_PASSWORD: "root-password" }, dotenvName },
    );
    expect(half).toBeInstanceOf(InvalidInputError);
    expect(half?.message).toMatch(/setup\(\) options give an email without a password/);
    const halfDotEnv = refusal(
      { url },
      { variables: { POCKETBASE_EMAIL: "a@example.test" }, dotenv: { POCKETBASE_PASSWORD: "x" }, dotenvName },
    );
    expect(halfDotEnv?.message).toMatch(/environment variables give an email without a password/);
    expect(halfDotEnv?.message).toMatch(/POCKETBASE_PASSWORD/);
  });

  it("refuses a token together with an email or password in one source, naming it, never the values", () => {
    const url = "http://127.0.0.1:1";
    const cases: [ReturnType<typeof refusal>, RegExp][] = [
      [
        refusal({ url, token: "tok-secret", password: "pw-secret" }),
        /setup\(\) options give both token and password/,
      ],
      [
        refusal(
          { url },
          {
            variables: {
              POCKETBASE_TOKEN: "tok-secret",
              POCKETBASE_EMAIL: "e@x.test",
              POCKETBASE_PASSWORD: "pw-secret",
            },
          },
        ),
        /environment variables give both POCKETBASE_TOKEN and POCKETBASE_EMAIL and POCKETBASE_PASSWORD/,
      ],
      [
        refusal(
          { url },
          { dotenv: { POCKETBASE_TOKEN: "tok-secret", POCKETBASE_EMAIL: "e@x.test" }, dotenvName },
        ),
        /variables in \/app\/\.env give both POCKETBASE_TOKEN and POCKETBASE_EMAIL/,
      ],
    ];
    for (const [error, message] of cases) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error?.message).toMatch(message);
      expect(error?.message).not.toMatch(/tok-secret|pw-secret/);
    }
  });

  it("refuses an identity without a URL anywhere, naming POCKETBASE_URL", () => {
    const cases = [
      refusal({ token: "tok-secret" }),
      refusal({ email: "e@x.test", password: "pw-secret" }),
      refusal({}, { variables: { POCKETBASE_TOKEN: "tok-secret" } }),
      refusal({}, { dotenv: { POCKETBASE_EMAIL: "e@x.test", POCKETBASE_PASSWORD: "pw-secret" }, dotenvName }),
    ];
    for (const error of cases) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error?.message).toMatch(/POCKETBASE_URL/);
      expect(error?.message).not.toMatch(/tok-secret|pw-secret/);
    }
    // A URL from any source will do.
    expect(refusal({ token: "t" }, { dotenv: { POCKETBASE_URL: "http://127.0.0.1:1" } })).toBeUndefined();
  });

  it("setup() with credentials in .env and no URL fails at once, starting no server, both kinds", async () => {
    const here = await mkdtemp(join(tmpdir(), "pocketmap-config-"));
    try {
      await writeFile(
        join(here, ".env"),
        "POCKETBASE_EMAIL=e@example.test\nPOCKETBASE_PASSWORD=pw-secret-1\n",
      );
      const { stdout, stderr } = await script(
        here,
        "no-url.ts",
        `
        import { setup } from ${INDEX};
        const results = [];
        for (const options of [{ async: true }, {}, { async: true, token: "tok-secret" }, { token: "tok-secret" }]) {
          try {
            const env = setup({ ...options, quiet: true });
            results.push("no error: " + (await env.url()));
            await env.close();
          } catch (error) {
            results.push(error.name + ": " + error.message);
          }
        }
        console.log(JSON.stringify(results));
      `,
      );
      const results = JSON.parse(stdout) as string[];
      expect(results).toHaveLength(4);
      for (const result of results) {
        expect(result).toMatch(/^InvalidInputError: .*no server URL is set; set POCKETBASE_URL/);
        expect(result).not.toMatch(/tok-secret|pw-secret/);
      }
      expect(stderr).not.toMatch(/PocketBase at/);
    } finally {
      await rm(here, { recursive: true, force: true });
    }
  });
});
