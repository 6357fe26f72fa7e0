// Embedded mode's generated password never is a process argument: arguments are readable by every
// local user (ps, /proc/PID/cmdline). A wrapper in front of the real binary records every argument
// list PocketBase is started with.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installPocketBase, pinnedVersion } from "../src/server/binary.ts";
import { type EmbeddedServer, startEmbedded } from "../src/server/embedded.ts";

let scratch: string;
let log: string;

/** An executable that records its arguments, then runs PocketBase with them (minus `drop`, if given). */
async function wrapper(name: string, drop?: string): Promise<string> {
  const real = await installPocketBase(pinnedVersion());
  const path = join(scratch, name);
  const filter = drop
    ? `for arg do shift; case "$arg" in ${drop}*) ;; *) set -- "$@" "$arg" ;; esac; done\n`
    : "";
  await writeFile(path, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\n${filter}exec '${real}' "$@"\n`);
  await chmod(path, 0o755);
  return path;
}

const argumentLists = async () => (await readFile(log, "utf8")).trim().split("\n");

async function signsIn(server: EmbeddedServer): Promise<boolean> {
  const response = await fetch(`${server.url}/api/collections/_superusers/auth-with-password`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ identity: server.email, password: server.password }),
  });
  await response.body?.cancel();
  return response.status === 200;
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "pocketmap-secrets-"));
  log = join(scratch, "arguments.log");
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

// The wrapper is a POSIX shell script, which Windows cannot run as PocketBase's binary; CI and every
// supported Linux/macOS machine run these.
describe.skipIf(process.platform === "win32")("the generated superuser's password", () => {
  it("is in no PocketBase process's arguments: temporary dir, then written again as after a restore", async () => {
    const server = await startEmbedded({ bin: await wrapper("pocketbase") });
    try {
      expect(await signsIn(server)).toBe(true);
      await server.restored();
      expect(await signsIn(server)).toBe(true);
      const lists = await argumentLists();
      // The wrapper did see every start: the version check, two superuser writes, the server.
      expect(lists.filter((args) => args.startsWith("superuser"))).toHaveLength(2);
      expect(lists.filter((args) => args.startsWith("serve"))).toHaveLength(1);
      for (const args of lists) {
        expect(args).not.toContain(server.password);
        expect(args).not.toContain(server.email);
      }
    } finally {
      await server.stop();
      await rm(log, { force: true });
    }
  });

  it("is in no arguments in a kept dir either, whose own pb_hooks the server still runs", async () => {
    const dir = join(scratch, "kept", "pb_data");
    // The user's hooks beside the data dir: pocketmap's own hook goes elsewhere and replaces none.
    await mkdir(join(scratch, "kept", "pb_hooks"), { recursive: true });
    await writeFile(
      join(scratch, "kept", "pb_hooks", "mine.pb.js"),
      `routerAdd("GET", "/mine", (e) => e.string(200, "my hook"));\n`,
    );
    const bin = await wrapper("pocketbase");
    const passwords: string[] = [];
    for (let start = 0; start < 2; start++) {
      const server = await startEmbedded({ bin, dir });
      try {
        expect(await signsIn(server)).toBe(true);
        expect(await (await fetch(`${server.url}/mine`)).text()).toBe("my hook");
        passwords.push(server.password);
      } finally {
        await server.stop();
      }
    }
    // Each start writes a new password.
    expect(new Set(passwords).size).toBe(2);
    const lists = await argumentLists();
    for (const password of passwords) {
      for (const args of lists) expect(args).not.toContain(password);
    }
    await rm(log, { force: true });
  });

  it("falls back to superuser upsert's arguments where PocketBase never runs the hook", async () => {
    // Without --hooksDir it looks in the data dir's parent, where there is no hook: as in a build
    // without PocketBase's JS VM, the first command exits 0 without saving anything.
    const server = await startEmbedded({ bin: await wrapper("no-hooks", "--hooksDir=") });
    try {
      expect(await signsIn(server)).toBe(true);
      const upserts = (await argumentLists()).filter((args) => args.startsWith("superuser upsert"));
      expect(upserts).toHaveLength(1);
      expect(upserts[0]).toContain(server.password);
    } finally {
      await server.stop();
      await rm(log, { force: true });
    }
  });
});
