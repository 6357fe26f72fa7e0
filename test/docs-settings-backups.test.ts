// Runs every ```ts example of docs/admin-settings-backups.md, in order, once with each kind, each time on
// a PocketBase of its own (privateServer: settings, backups and restores would disturb the suite's
// shared server) with an S3 server of its own; emails reach the SMTP catcher (see admin-settings.test.ts).
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as pocketmap from "../src/index.ts";
import type { EmbeddedServer } from "../src/server/embedded.ts";
import { type AuthServers, startAuthServers } from "./auth-servers.ts";
import { runExamples, useServerVariables } from "./docs-examples.ts";
import { privateServer } from "./helpers.ts";
import { KINDS, openEnvWith } from "./kinds.ts";
import { type S3Server, startS3Server } from "./s3-server.ts";

const PAGE = "admin-settings-backups.md";
const NAMES = [
  "env",
  "setup",
  "fileFrom",
  "readFile",
  "dir",
  "smtpHost",
  "smtpPort",
  "nextEmail",
  "s3Endpoint",
  "s3AccessKey",
  "s3Secret",
];

let servers: AuthServers;

beforeAll(async () => {
  servers = await startAuthServers();
});

afterAll(async () => {
  await servers?.close();
});

it("marks no example of the page as not run", async () => {
  // Every block runs (restore included: on a private server); a block that could not would be marked
  // `<!-- not run: reason -->` and skipped, and this count would say how many.
  const markdown = await readFile(join(import.meta.dirname, "../docs", PAGE), "utf8");
  expect(markdown.match(/<!-- not run/g) ?? []).toHaveLength(0);
});

describe.each(KINDS)(`every example in docs/${PAGE} (%s kind)`, (kind) => {
  let pb: EmbeddedServer;
  let s3: S3Server;
  let dir: string;
  let restore: () => void = () => {};

  beforeAll(async () => {
    [pb, s3] = await Promise.all([privateServer(), startS3Server()]);
    dir = await mkdtemp(join(tmpdir(), `pocketmap-docs-sb-${kind}-`));
    const key = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    await writeFile(join(dir, "AuthKey_XYZ9876543.p8"), key.export({ type: "pkcs8", format: "pem" }));
    const admin = pocketmap.setup({ async: true, url: pb.url, email: pb.email, password: pb.password });
    await admin.createCollection({ name: "posts", type: "base", fields: [{ name: "title", type: "text" }] });
    await admin.posts!.create({ title: "one" });
    await admin.posts!.create({ title: "two" });
    await admin.close();
    restore = useServerVariables(pb);
  });

  afterAll(async () => {
    restore();
    await Promise.all([pb?.stop(), s3?.close(), dir && rm(dir, { recursive: true, force: true })]);
  });

  it("runs and prints what the text says", async () => {
    const env = openEnvWith(kind, { url: pb.url, email: pb.email, password: pb.password });
    const { endpoint, accessKey, secret } = s3.config as Record<string, string>;
    const context = {
      ...pocketmap,
      env,
      readFile,
      dir,
      smtpHost: servers.smtp.host,
      smtpPort: servers.smtp.port,
      nextEmail: async (to: string) => (await servers.mail.next(to, /.*/)).subject,
      s3Endpoint: endpoint,
      s3AccessKey: accessKey,
      s3Secret: secret,
    };
    let logs: unknown[][];
    try {
      logs = await runExamples(PAGE, NAMES, context, dir);
    } finally {
      await env.close();
    }
    const date = expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect(logs).toEqual([
      ["Acme", expect.stringMatching(/^pb_backup_\d{14}\.zip$/), 200],
      ["Acme", "smtp.example.com", false, false],
      [true, "127.0.0.1"],
      ["both work"],
      [expect.stringMatching(/reset/i), expect.stringMatching(/verif/i)],
      [3],
      ["before_migration.zip"],
      ["before_migration.zip", expect.any(Number), date],
      ["from_staging.zip", "from_disk.zip", "backup.zip"],
      [true, true],
      [200],
      [2],
      [["backup.zip", "from_disk.zip", "from_staging.zip"]],
    ]);
  }, 120_000);
});
