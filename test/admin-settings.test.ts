// env.admin.settings against a real PocketBase of the project's version, both kinds, on a server of
// this file's own (SMTP and S3 settings would move every other file's emails and uploads). Emails
// reach the suite's SMTP catcher; S3 is s3rver (both in worker threads: a sync call blocks this one).
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMAIL_TEMPLATES } from "../src/abstract/settings-backups.ts";
import { type AsyncEnvironment, BadRequestError } from "../src/index.ts";
import type { EmbeddedServer } from "../src/server/embedded.ts";
import { type AuthServers, startAuthServers } from "./auth-servers.ts";
import { privateServer } from "./helpers.ts";
import { failure, KINDS, openEnvWith, type Refusal, refusedBeforeAnyRequest } from "./kinds.ts";
import { type S3Server, startS3Server } from "./s3-server.ts";

/** The payload of a JWT, decoded. */
const claims = (jwt: string, part = 1) =>
  JSON.parse(Buffer.from(jwt.split(".")[part]!, "base64url").toString()) as Record<string, unknown>;

const privateKey = generateKeyPairSync("ec", { namedCurve: "P-256" })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();

describe.each(KINDS)("admin.settings (%s kind)", (kind) => {
  let pb: EmbeddedServer;
  let env: AsyncEnvironment;
  let s3: S3Server;
  let servers: AuthServers;
  beforeAll(async () => {
    [pb, s3, servers] = await Promise.all([privateServer(), startS3Server(), startAuthServers()]);
    env = openEnvWith(kind, { url: pb.url, email: pb.email, password: pb.password });
  });
  afterAll(async () => {
    await env?.close();
    await Promise.all([pb?.stop(), s3?.close(), servers?.close()]);
  });

  it("get() returns every section; update() changes what it is given and returns them all", async () => {
    const settings = await env.admin.settings.get();
    // Typed sections: these compile without casts.
    expect(typeof settings.meta.appName).toBe("string");
    expect(typeof settings.smtp.port).toBe("number");
    expect(typeof settings.backups.s3.enabled).toBe("boolean");
    expect(typeof settings.batch.maxRequests).toBe("number");
    const updated = await env.admin.settings.update({ meta: { appName: `pocketmap ${kind}` } });
    expect(updated.meta.appName).toBe(`pocketmap ${kind}`);
    // Only what the patch named changed.
    expect(updated.smtp).toEqual(settings.smtp);
    expect(updated.meta.senderAddress).toBe(settings.meta.senderAddress);
    expect((await env.admin.settings.get()).meta.appName).toBe(`pocketmap ${kind}`);
  });

  it("never shows the SMTP password or an S3 secret, in answers or in errors", async () => {
    const password = `smtp-password-${kind}-4f9a1c`;
    const secret = `s3-secret-${kind}-8b2e7d`;
    // Refused (SMTP on with no host), carrying both secrets.
    const error = await failure(() =>
      env.admin.settings.update({
        smtp: { enabled: true, host: "", port: 0, password },
        s3: { ...s3.config, enabled: true, secret, bucket: "" },
      }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    const told = `${error.message} ${JSON.stringify(error)} ${error.url} ${String(error.stack)}`;
    expect(told).not.toContain(password);
    expect(told).not.toContain(secret);
    // Accepted: the answer and a later get() leave the secrets out.
    // (No SMTP password is saved: PocketBase 0.23 keeps one once set, and the catcher takes no login.)
    const saved = await env.admin.settings.update({ s3: { ...s3.config, enabled: false, secret } });
    const read = await env.admin.settings.get();
    for (const answer of [saved, read]) {
      expect(JSON.stringify(answer)).not.toContain(secret);
      expect(answer.s3.secret ?? "").toBe("");
    }
  });

  it("testS3() checks the storage and the backups S3 settings against a real S3 server", async () => {
    await env.admin.settings.update({ s3: s3.config, backups: { s3: s3.config } });
    try {
      await env.admin.settings.testS3();
      await env.admin.settings.testS3("storage");
      await env.admin.settings.testS3("backups");
    } finally {
      await env.admin.settings.update({ s3: { enabled: false }, backups: { s3: { enabled: false } } });
    }
    // With S3 off there is nothing to test: PocketBase says so.
    expect(await failure(() => env.admin.settings.testS3("backups"))).toBeInstanceOf(BadRequestError);
  });

  it("testEmail() sends each template to the address; the mail arrives", async () => {
    await env.admin.settings.update({
      meta: { senderName: "pocketmap", senderAddress: "sender@pocketmap.test" },
      smtp: { enabled: true, host: servers.smtp.host, port: servers.smtp.port, tls: false },
    });
    for (const template of EMAIL_TEMPLATES) {
      const to = `${template}-${kind}@pocketmap.test`;
      await env.admin.settings.testEmail(to, template);
      const mail = await servers.mail.next(to, /.*/);
      expect(mail.to).toContain(to);
    }
    // The template of another auth collection.
    const to = `users-${kind}@pocketmap.test`;
    await env.admin.settings.testEmail(to, "verification", { collection: "users" });
    expect((await servers.mail.next(to, /.*/)).to).toContain(to);
    expect(
      await failure(() => env.admin.settings.testEmail(to, "otp", { collection: "nonexistent" })),
    ).toBeInstanceOf(BadRequestError);
  });

  it("generateAppleClientSecret() returns a JWT signed for the team, key and client", async () => {
    const input = {
      clientId: "com.pocketmap.test",
      teamId: "TEAM123456",
      keyId: "KEY1234567",
      duration: 3600,
    };
    const secret = await env.admin.settings.generateAppleClientSecret({ ...input, privateKey });
    expect(claims(secret, 0)).toMatchObject({ alg: "ES256", kid: input.keyId });
    expect(claims(secret)).toMatchObject({ iss: input.teamId, sub: input.clientId });
  });
});

const apple = { clientId: "c", teamId: "TEAM123456", keyId: "KEY1234567", privateKey, duration: 60 };
const cases: Refusal[] = [
  ["a patch that is not an object", (env) => env.admin.settings.update([] as never), /plain object/],
  [
    "an unknown S3 filesystem",
    (env) => env.admin.settings.testS3("files" as never),
    /"storage" or "backups"/,
  ],
  ["an address that is not one", (env) => env.admin.settings.testEmail("nobody", "otp"), /email address/],
  ["an unknown template", (env) => env.admin.settings.testEmail("a@b.test", "welcome" as never), /one of/],
  [
    "a collection name that cannot be one",
    (env) => env.admin.settings.testEmail("a@b.test", "otp", { collection: "a/b" }),
    /collection name/,
  ],
  [
    "a short team id",
    (env) => env.admin.settings.generateAppleClientSecret({ ...apple, teamId: "T1" }),
    /teamId/,
  ],
  [
    "a private key that is not PEM (and is not quoted)",
    (env) => env.admin.settings.generateAppleClientSecret({ ...apple, privateKey: "hunter2-secret" }),
    /privateKey must be the PEM/,
  ],
  [
    "a duration beyond six months",
    (env) => env.admin.settings.generateAppleClientSecret({ ...apple, duration: 15_777_001 }),
    /duration/,
  ],
];

refusedBeforeAnyRequest("admin.settings: bad input fails before any request", cases, "hunter2-secret");
