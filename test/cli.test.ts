// The pocketmap command: configuration as setup(), help, usage errors, ls, get, set and rm.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, serverVariables } from "./cli-run.ts";
import { root } from "./docs-blocks.ts";
import { faultProxy } from "./fault-proxy.ts";
import { freshPosts, server, superuserEnv } from "./helpers.ts";

const NO_CONFIG = { POCKETBASE_URL: "", POCKETBASE_EMAIL: "", POCKETBASE_PASSWORD: "", POCKETBASE_TOKEN: "" };

describe("pocketmap command", () => {
  const admin = superuserEnv();
  afterAll(() => admin.close());

  it("--help lists every command, and every command has its own --help", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    const names = [
      "ls",
      "get",
      "set",
      "rm",
      "export",
      "import",
      "watch",
      "sql",
      "schema",
      "types",
      "replicate",
      "install-server",
      "which-server",
    ];
    const listed = help.stdout.split("\nCommands:\n")[1]!.split("\n\n")[0]!.split("\n");
    expect(listed.map((line) => line.trim().split(" ")[0])).toEqual(names);
    for (const name of names) {
      const own = await cli([name, "--help"]);
      expect(own.code).toBe(0);
      expect(own.stdout).toContain(`Usage: pocketmap ${name}`);
      expect(own.stdout).toContain("--url URL");
      if (name === "export") expect((await cli(["help", name])).stdout).toBe(own.stdout);
    }
    // docs/cli.md shows the whole of it, so that it cannot drift.
    const page = readFileSync(join(root, "docs/cli.md"), "utf8");
    const shown = page.split("$ npx pocketmap --help\n")[1]!.split("```")[0];
    expect(shown).toBe(help.stdout);
  });

  it("--version and -v print the package's version; help C is C --help; help of no command names the nearest", async () => {
    const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-v"]) {
      const printed = await cli([flag], { variables: NO_CONFIG });
      expect(printed).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    }
    const help = await cli(["help", "import"], { variables: NO_CONFIG });
    expect(help.code).toBe(0);
    expect(help.stdout).toBe((await cli(["import", "--help"], { variables: NO_CONFIG })).stdout);
    const unknown = await cli(["help", "exprot"], { variables: NO_CONFIG });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "exprot"; did you mean export?');
  });

  it("an unknown command or flag names itself and the nearest match, with exit code 2", async () => {
    const command = await cli(["gte", "people"]);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('unknown command "gte"; did you mean get?');
    const flag = await cli(["get", "people", "x", "--feilds", "id"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option --feilds; did you mean --fields?");
    const arity = await cli(["get", "people"]);
    expect(arity.code).toBe(2);
    expect(arity.stderr).toContain("usage: pocketmap get C ID");
    // Checked before connecting: no server answers at this URL, and none is asked.
    const nowhere = { ...NO_CONFIG, POCKETBASE_URL: "http://127.0.0.1:9" };
    for (const args of [
      ["export", "people", "--progress", "bra"],
      ["get", "people", "x", "--progress", "bra", "--quiet"],
    ]) {
      const progress = await cli(args, { variables: nowhere });
      expect(progress.code).toBe(2);
      expect(progress.stderr).toBe(
        'pocketmap: --progress must be one of bar, json, none, not "bra"; did you mean bar?\n',
      );
    }
  });

  it("a usage mistake says what is missing or meant; an unreadable import file is named, before any request", async () => {
    const nowhere = { ...NO_CONFIG, POCKETBASE_URL: "http://127.0.0.1:9" };
    expect(await cli(["schema", "exprot"], { variables: nowhere })).toEqual({
      code: 2,
      stdout: "",
      stderr: 'pocketmap: schema: expected export or import, not "exprot"; did you mean export?\n',
    });
    expect(await cli(["schema"], { variables: nowhere })).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "pocketmap: schema: missing subcommand export or import; usage: pocketmap schema export | import FILE\n",
    });
    const dir = mkdtempSync(join(tmpdir(), "pocketmap-cli-"));
    // No server answers at this URL: the file is checked first.
    expect(await cli(["import", "posts", "nofile.csv"], { variables: nowhere, cwd: dir })).toEqual({
      code: 1,
      stdout: "",
      stderr: "pocketmap: cannot read nofile.csv: no such file\n",
    });
  });

  it("is configured as setup() is: flags, else variables, else .env", async () => {
    const name = await freshPosts(admin, "cliconf");
    const { url, email, password } = server();
    const flags = await cli(["ls", `--url=${url}`, `--email=${email}`, `--password=${password}`], {
      variables: NO_CONFIG,
    });
    expect(flags.code, flags.stderr).toBe(0);
    expect(flags.stdout).toMatch(new RegExp(`^${name} +base +0$`, "m"));

    const dir = mkdtempSync(join(tmpdir(), "pocketmap-cli-"));
    writeFileSync(
      join(dir, ".env"),
      `POCKETBASE_URL=${url}\nPOCKETBASE_EMAIL=${email}\nPOCKETBASE_PASSWORD=${password}\n`,
    );
    const dotenv = await cli(["ls"], { variables: NO_CONFIG, cwd: dir });
    expect(dotenv.stdout).toContain(name);

    // A wrong password from the flags wins over the right one in the variables; it is never printed.
    const wrong = await cli(["ls", "--password", "not-the-password-xyz"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(
      "the command-line flags give a password without an email; set both --email and --password there",
    );
    expect(wrong.stderr).not.toContain("not-the-password-xyz");
    expect(wrong.stderr).not.toContain(password);
    // A refused login names the flags it came from, not setup()'s options; never the password.
    const refused = await cli(["ls", "--email", email, "--password", "not-the-password-xyz"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `could not log in as the superuser "${email}" (from --email and --password (command-line flags))`,
    );
    expect(refused.stderr).not.toContain("not-the-password-xyz");
    expect(refused.stderr).not.toContain("setup()");
  });

  it("with nothing configured starts an embedded PocketBase and says so", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pocketmap-cli-"));
    const embedded = await cli(["ls"], { variables: { ...NO_CONFIG, POCKETMAP_QUIET: "" }, cwd: dir });
    expect(embedded.code).toBe(0);
    expect(embedded.stderr).toContain("started a temporary PocketBase");
    // In the command's words, not setup()'s.
    expect(embedded.stderr).toContain(
      "To keep it, set POCKETBASE_DIR (or give --url of a server). (--quiet or POCKETMAP_QUIET=1 hides this notice.)",
    );
    expect(embedded.stderr).not.toMatch(/setup\(|quiet: true/);
    expect(embedded.stdout).toMatch(/^users +auth +0$/m);
    const quiet = await cli(["ls", "--quiet"], {
      variables: { ...NO_CONFIG, POCKETMAP_QUIET: "" },
      cwd: dir,
    });
    expect(quiet.stderr).toBe("");
  });

  it("ls shows each collection's type and record count in aligned columns", async () => {
    const name = await freshPosts(admin, "clils");
    await admin.collection(name).createMany([{ title: "a" }, { title: "b" }, { title: "c" }]);
    const { code, stdout } = await cli(["ls"]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME +TYPE +COUNT$/);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${name} +base +3$`)));
    expect(lines).toContainEqual(expect.stringMatching(/^users +auth +\d+$/));
    expect(
      new Set(
        lines.map((line) =>
          line.indexOf("TYPE") >= 0 ? line.indexOf("TYPE") : line.search(/ (base|auth|view) /) + 1,
        ),
      ).size,
    ).toBe(1);
    expect(lines.some((line) => line.startsWith("_superusers"))).toBe(false);
    expect((await cli(["ls", "--system"])).stdout).toMatch(/^_superusers +auth +\d+$/m);
  });

  it("ls leaves out a collection deleted between the list and its count (a shared server)", async () => {
    const kept = await freshPosts(admin, "clilskept");
    const gone = await freshPosts(admin, "clilsgone");
    const proxy = await faultProxy();
    try {
      // The count of `gone` waits until the collection list has been answered; then `gone` is
      // deleted (with the request's own superuser token), then the count reaches the server: a 404.
      await proxy.inject({
        path: `^/api/collections/${gone}/records`,
        after: "^/api/collections\\?",
        action: "between",
        side: { method: "DELETE", path: `/api/collections/${gone}` },
      });
      const { email, password } = server();
      const listed = await cli(["ls", `--url=${proxy.url}`, `--email=${email}`, `--password=${password}`], {
        variables: NO_CONFIG,
      });
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toMatch(new RegExp(`^${kept} +base +0$`, "m"));
      expect(listed.stdout).not.toContain(gone);
      expect(await admin.has(gone)).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it("get, set and rm: JSON out, upsert in, exit 1 naming the ids that were missing", async () => {
    const name = await freshPosts(admin, "clicrud");
    const id = "clicrud00000001";
    const created = await cli(["set", name, id, '{"title":"from the shell","n":3,"meta":{"a":[1]}}']);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ id, title: "from the shell", n: 3, meta: { a: [1] } });
    const updated = await cli(["set", name, id, '{"n":4}']);
    expect(JSON.parse(updated.stdout)).toMatchObject({ id, title: "from the shell", n: 4 });
    expect(await admin.collection(name).count()).toBe(1);

    const got = await cli(["get", name, id, "--fields", "id,n"]);
    expect(JSON.parse(got.stdout)).toEqual({ id, n: 4 });

    const bad = await cli(["set", name, id, "notjson"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^pocketmap: set: the record "notjson" is not valid JSON: Unexpected token/);

    const removed = await cli(["rm", name, id, "missing0000001", "missing0000002"]);
    expect(removed.code).toBe(1);
    expect(removed.stdout).toBe(`deleted ${id}\n`);
    expect(removed.stderr).toContain("no record missing0000001, missing0000002");
    const gone = await cli(["get", name, id]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`pocketmap: no record ${id} in ${name}`);
    expect((await cli(["rm", name, "missing0000001"], { variables: serverVariables() })).code).toBe(1);
    // A missing collection is named as such, not as a missing record, with the nearest name, as
    // export says it.
    for (const args of [
      ["get", `${name}x`, id],
      ["rm", `${name}x`, id],
      ["rm", `${name}x`, id, "missing0000001"],
      ["set", `${name}x`, id, "{}"],
      ["export", `${name}x`],
    ]) {
      const missing = await cli(args);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe(
        `pocketmap: no collection "${name}x"; did you mean ${name}? (pocketmap ls lists them)\n`,
      );
    }
  });
});
